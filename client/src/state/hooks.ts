// React bindings of the client state (client/src/state): the app's store, selectors and a ticking clock.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { createPictureStore, type PictureState, type PictureStore } from './picture-store.js';

/** The page's one store: the live picture, which the connection keeps current. */
export const pictureStore = createPictureStore();

/**
 * The store the page shows: the live one, or a replayed picture of the past (issue 16). The live store keeps
 * folding its stream meanwhile, so going back to live is instant.
 */
export const shownStore = createStore<{ store: PictureStore }>(() => ({ store: pictureStore }));

/** Shows a replayed picture's store, or the live one again (null). */
export function showPicture(store: PictureStore | null): void {
  shownStore.setState({ store: store ?? pictureStore });
}

/** Selects from the store the page shows; re-renders only when the selected value changes (Object.is). */
export function usePicture<T>(selector: (s: PictureState) => T): T {
  const store = useStore(shownStore, (s) => s.store);
  return useStore(store, selector);
}

/** Client time, refreshed every `everyMs` milliseconds, ms since epoch. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

// React bindings of the client state (client/src/state): the app's store, selectors and a ticking clock.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { createPictureStore, type PictureState } from './picture-store.js';

/** The page's one store. */
export const pictureStore = createPictureStore();

/** Selects from the page's store; re-renders only when the selected value changes (Object.is). */
export function usePicture<T>(selector: (s: PictureState) => T): T {
  return useStore(pictureStore, selector);
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

// The page's replay (client/src/replay, issue 16): one controller per picture page, started while the page is
// mounted, and the page shown from its replayed picture while it is in the past.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { pictureStore, showPicture } from '../state/hooks.js';
import { Replay, type ReplayState } from './replay-controller.js';

let active: Replay | undefined;

/** The replay of the page now open, if any (the test hooks read it). */
export function activeReplay(): Replay | undefined {
  return active;
}

/** Makes a replay for the page's lifetime when `enabled`; undefined otherwise. */
export function useReplayController(enabled: boolean): Replay | undefined {
  const [replay] = useState(() => (enabled ? new Replay({ live: pictureStore }) : undefined));
  useEffect(() => {
    if (!replay) return;
    active = replay;
    replay.start();
    // The map and panels read whichever picture the replay's mode says.
    const unsubscribe = replay.state.subscribe((s, prev) => {
      if (s.mode !== prev.mode) showPicture(s.mode === 'past' ? replay.picture : null);
    });
    return () => {
      unsubscribe();
      replay.stop();
      showPicture(null);
      if (active === replay) active = undefined;
    };
  }, [replay]);
  return replay;
}

/** Selects from a replay's state; a fixed live state when there is no replay. */
export function useReplay<T>(replay: Replay | undefined, selector: (s: ReplayState) => T): T {
  return useStore(replay?.state ?? NO_REPLAY, selector);
}

const NO_REPLAY = new Replay({ live: pictureStore }).state;

// Picking a point on the map (client/src/state): a form asks for the next click on the map (a convoy's
// origin), the map answers it with the clicked position, and shows a crosshair meanwhile.
import { createStore } from 'zustand/vanilla';

interface MapPick {
  /** What the next click on the map answers, or null when the map is not picking. */
  waiting: ((at: [number, number]) => void) | null;
}

export const mapPick = createStore<MapPick>(() => ({ waiting: null }));

/** Asks for the next click on the map; a later request replaces an earlier one. */
export function pickOnMap(answer: (at: [number, number]) => void): void {
  mapPick.setState({ waiting: answer });
}

/** Gives up picking. */
export function cancelPick(): void {
  mapPick.setState({ waiting: null });
}

/** Answers the waiting request with a clicked position; whether one was waiting. */
export function answerPick(at: [number, number]): boolean {
  const waiting = mapPick.getState().waiting;
  if (!waiting) return false;
  mapPick.setState({ waiting: null });
  waiting(at);
  return true;
}

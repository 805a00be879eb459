// The live stream's events as they are folded (client/src/net): whoever reacts to what happens rather than to
// what the picture is (the wall's ticker) listens here; the connection publishes each delta once folded.
import type { Picture, PictureEvent } from '@corridor/protocol';

/** Hears a delta's events with the picture before and after them. */
export type LiveEventsListener = (events: readonly PictureEvent[], before: Picture, after: Picture) => void;

const listeners = new Set<LiveEventsListener>();

/** Listens to the live events until the returned function is called. */
export function onLiveEvents(listener: LiveEventsListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Hands a folded delta's events to every listener (the page's connection calls it). */
export function publishLiveEvents(events: readonly PictureEvent[], before: Picture, after: Picture): void {
  for (const l of listeners) l(events, before, after);
}

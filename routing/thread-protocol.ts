// The messages between the server and the routing thread (routing/): typed, one request answered by
// one reply of the same id, in the order asked. See routing/thread.ts and server/routing-thread.ts.
import type { CorridorUpdate, Picture, PictureEvent } from '@corridor/protocol';
import type { AccessAnswer, AccessQuery, NetworkWay, RouteAnswer, RouteQuery } from './types.js';
import type { RouterOptions } from './router.js';

/** What the thread starts with: the prepared graph's cache file, and the router's options. */
export interface RoutingThreadData {
  cacheFile: string;
  options?: Omit<RouterOptions, 'now'>;
  /** The network's own restricted and closed roads under their access-constraint ids (issue 16), for access checks to name. */
  networkWays?: NetworkWay[];
}

/** Server → thread. */
export type ToRouting =
  /** The picture as restored (units left out: routing does not use them); answered with the corridors it lacks. */
  | { kind: 'init'; id: number; picture: Picture }
  /**
   * Committed events the router must hear about, in seq order, as objects or as their stored JSON
   * (cheaper to send: a zone of 10,000 positions costs the sender ~8 ms to clone); answered with the
   * corridors they change.
   */
  | { kind: 'events'; id: number; events: PictureEvent[]; texts?: undefined }
  | { kind: 'events'; id: number; texts: string[]; events?: undefined }
  | { kind: 'route'; id: number; query: RouteQuery }
  /** `GET /api/access/check` (issue 16). */
  | { kind: 'check'; id: number; query: AccessQuery };

/** Thread → server. */
export type FromRouting =
  | { kind: 'ready'; bbox: [number, number, number, number]; nodeCount: number; edgeCount: number }
  | { kind: 'fatal'; message: string }
  /** The corridors to append, each as text and, when only its figures changed, a refresh; `ms`: how long the router worked on it, on its thread. */
  | { kind: 'corridors'; id: number; updates: CorridorUpdate[]; ms: number }
  | { kind: 'route'; id: number; answer: RouteAnswer }
  /** An access check's answer; `ms`: how long the router worked on it, on its thread. */
  | { kind: 'check'; id: number; answer: AccessAnswer; ms: number }
  | { kind: 'failed'; id: number; message: string };

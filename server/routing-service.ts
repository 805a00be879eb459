// The router as the server uses it (server/): route queries answered by promise, and a reactor that
// keeps every convoy's corridor current. The production router runs on a thread of its own
// (routing-thread.ts); an in-thread one serves tests and tools with small graphs.
import { ROUTING_EVENT_TYPES, type Picture, type PictureEvent } from '@corridor/protocol';
import type { AccessAnswer, AccessQuery, CorridorEngine, RouteAnswer, RouteQuery } from '../routing/types.js';
import type { Reaction, Reactor } from './core/reactor.js';

/** What the server needs of a router. */
export interface RoutingService {
  /** Bounding box of the road network, [west, south, east, north] degrees. */
  readonly bbox: [number, number, number, number];
  /** Answers `GET /api/route` and the exercise's units. */
  route(query: RouteQuery): Promise<RouteAnswer>;
  /** Answers `GET /api/access/check` (issue 16): a route now, or what blocks and what alone would open one. */
  check(query: AccessQuery): Promise<AccessAnswer>;
  /** The router as a reactor of the store: corridors for every convoy, kept current (P11). */
  readonly reactor: Reactor;
  close(): Promise<void>;
}

/**
 * A router in the server's own thread, over any {@link CorridorEngine}: each reaction runs at once.
 * For tests (a fake engine) and small networks; the server itself routes on a thread of its own.
 */
export class InlineRouting implements RoutingService {
  readonly bbox: [number, number, number, number];
  readonly reactor: Reactor;

  constructor(private readonly engine: CorridorEngine) {
    this.bbox = engine.bbox;
    this.reactor = {
      name: 'router',
      types: ROUTING_EVENT_TYPES,
      start: (picture: Picture): Reaction => ({ corridors: engine.init(picture) }),
      onCommitted: (events: readonly PictureEvent[], picture: Picture): Reaction => ({ corridors: engine.onEvents(events, picture) }),
    };
  }

  route(query: RouteQuery): Promise<RouteAnswer> {
    try {
      return Promise.resolve(this.engine.route(query));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  check(query: AccessQuery): Promise<AccessAnswer> {
    if (!this.engine.check) return Promise.reject(new Error('this router does not answer access checks'));
    try {
      return Promise.resolve(this.engine.check(query));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async close(): Promise<void> {}
}

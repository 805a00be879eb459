// Types at the router's boundary: what the server, the simulator and the basemap builder rely on.
import type { Corridor, CorridorWhy, Lineal, Picture, PictureEvent, RouteLeg, ZoneRef } from '@corridor/protocol';
import type { VehicleClass } from '@corridor/protocol';

/** One road as read from the source file (GeoJSON or OSM PBF), before any graph is built. */
export interface RoadWay {
  /** OSM id, like `way/5016127`. */
  id: string;
  highway: string;
  name?: string;
  coordinates: [number, number][];
  /** All OSM tags of the way. */
  tags: Record<string, string>;
}

export interface LoadProgress {
  phase: 'read' | 'parse' | 'build' | 'index' | 'cache';
  done: number;
  total?: number;
}

export interface RouteQuery {
  from: [number, number];
  to: [number, number];
  /** What "best" means: least travel time (default) or least distance. */
  weight?: 'time' | 'distance';
  /** Alternatives wanted besides the best route (0 by default). */
  alternatives?: number;
  vehicleClass?: VehicleClass;
}

/**
 * Why a route query found fewer alternatives than it asked for: none other was acceptable, an
 * alternative being one that takes at most `maxStretch` times the best route's cost and shares less
 * than `maxShared` of its length with a better route (on a road network with few loops, or between
 * ends joined one way only, there is often none).
 */
export interface FewerAlternatives {
  asked: number;
  found: number;
  maxStretch: number;
  maxShared: number;
}

export type RouteAnswer =
  | { ok: true; routes: RouteLeg[]; fewerAlternatives?: FewerAlternatives }
  | { ok: false; code: 'no_safe_route'; message: string; blockedBy: string[] }
  | { ok: false; code: 'off_network'; message: string; path: 'from' | 'to'; distanceM: number };

/** `GET /api/access/check` (issue 16): can a vehicle get from A to B now, and if not, what would open a way. */
export interface AccessQuery {
  from: [number, number];
  to: [number, number];
  /** What "cheapest" means: least travel time (default) or least distance. */
  weight?: 'time' | 'distance';
  vehicleClass?: VehicleClass;
}

/** A zone or constraint whose lifting alone gives a route, with that route and its cost (seconds or metres, as weighed). */
export interface Opener {
  ref: ZoneRef;
  route: RouteLeg;
  cost: number;
}

/**
 * The router's answer to an access check. A route: the best one, with the restricted constraints it
 * uses (the picture's and the network's own, issue 16). None: what cuts every path, and every single
 * zone or constraint whose lifting alone gives a route, cheapest first (the server names only those
 * the caller may know of); `candidates` were the ones that could open one, `tried` those searched.
 */
export type AccessAnswer =
  | { ok: true; route: RouteLeg; restricted: ZoneRef[] }
  | {
      ok: false;
      code: 'no_safe_route';
      message: string;
      /** The reason as a code (P17): cut by zones or constraints, or no road joins the ends for the vehicle at all. */
      why: Extract<CorridorWhy, { code: 'no_safe_route' | 'no_road_path' }>;
      blockedBy: ZoneRef[];
      openers: Opener[];
      candidates: number;
      tried: number;
    }
  | { ok: false; code: 'off_network'; message: string; path: 'from' | 'to'; distanceM: number };

/**
 * A road of the loaded network that its own assessment (IOM `operational_status`) restricts or
 * closes, under its access-constraint id (`ac-osm-w<wayId>`): the router names it when a route uses it.
 */
export interface NetworkWay {
  id: string;
  status: 'restricted' | 'closed';
  geometry: Lineal;
  /** Its `highway` class: a way the router does not route on (a footway beside a road) names no edge. */
  highway?: string;
}

/**
 * The router as the server sees it: answers queries and keeps every convoy's corridor current.
 * Zone and constraint changes are applied as overlays; the graph is never rebuilt.
 */
export interface CorridorEngine {
  /** Bounding box of the road network, [west, south, east, north]. */
  readonly bbox: [number, number, number, number];
  route(query: RouteQuery): RouteAnswer;
  /**
   * Brings overlays in line with a picture (at start-up, after replay) and returns the corridors
   * that must be (re)computed because the picture has none or a stale one for a convoy.
   */
  init(picture: Picture): Corridor[];
  /**
   * Called with each batch of appended events, in seq order, and the picture after them.
   * Returns the corridors to append: only those the change can affect. The store appends each whole
   * (`corridor.recomputed`) or, when its routes are the ones held, as its figures (`corridor.refreshed`, P11).
   */
  onEvents(events: readonly PictureEvent[], picture: Picture): Corridor[];
  /** Answers an access check (issue 16); engines without it (test fakes) cannot. */
  check?(query: AccessQuery): AccessAnswer;
}

// Each corridor's structured reason (routing/): a code and its figures (`why`, CorridorWhySchema in
// protocol/server-messages.ts), built from what the router knows, never parsed back from text; the
// English `reason` is reasonText(why, names) from protocol/reasons.ts.
import type { Corridor, CorridorWhy, ReasonNames, RouteLeg, VehicleClass, ZoneRef } from '@corridor/protocol';
import type { Havens } from './havens.js';
import { isOverlayKey, zoneRefOf, type Overlays } from './overlays.js';

/** The reasons of a corridor without routes: why there is none. */
export type FailureWhy = Extract<CorridorWhy, { code: 'off_network' | 'no_haven' | 'no_haven_near_road' | 'no_safe_route' | 'no_road_path' }>;

/** Whether a corridor was computed afresh (start-up, first computation) or because something changed. */
export type RecomputeMode = 'init' | 'change';

/**
 * Names for reasonText from the router's overlays and havens: "zone tz-1 (Sniper fire)", "hv-1 (School)".
 * Read when the text is made, so a zone is named by its label while it stands and by its id once lifted.
 */
export function reasonNames(overlays: Overlays, havens: Havens): ReasonNames {
  return { zone: (ref) => overlays.name(ref), haven: (id) => havens.name(id) };
}

/**
 * An end of a convoy or query too far from a usable road; `distanceM` is null when no road is found at
 * all (the snap reports Infinity, which JSON cannot carry).
 * @example offNetworkWhy('destination', 1800) // { code: 'off_network', end: 'destination', distanceM: 1800 }
 */
export function offNetworkWhy(end: 'origin' | 'destination', distanceM: number): FailureWhy {
  return { code: 'off_network', end, distanceM: Number.isFinite(distanceM) ? distanceM : null };
}

/**
 * Every path is cut: by these blocking overlays (keys, sorted), or, when `keys` is null, the roads
 * themselves join no path even without zones: for this vehicle class only (`lighterPasses`), or at all.
 * @example cutWhy(['z:tz-4']) // { code: 'no_safe_route', blockedBy: [{ kind: 'zone', id: 'tz-4' }] }
 * @example cutWhy(null, 'heavy_truck') // { code: 'no_road_path', vehicleClass: 'heavy_truck' }
 */
export function cutWhy(keys: readonly string[] | null, lighterPasses?: VehicleClass): FailureWhy {
  if (keys !== null) return { code: 'no_safe_route', blockedBy: keys.map(zoneRefOf) };
  return lighterPasses ? { code: 'no_road_path', vehicleClass: lighterPasses } : { code: 'no_road_path' };
}

/** What a recomputed corridor's reason is made from. */
export interface ReasonInput {
  convoyId: string;
  /** The corridor before, if any (held by the router, or from the picture). */
  prev: Corridor | undefined;
  /** The new corridor, with its status, routes, haven and `deltaS` set. */
  next: Corridor;
  /** Causes: overlay keys (`z:`, `c:`), haven or convoy ids. */
  causes: readonly string[];
  /** Why there is no route; set with every status but `ok`. */
  failure?: FailureWhy;
  mode: RecomputeMode;
  /** Road edges of the previous best route, when the router held it: a zone is a detour's cause only if it touched them. */
  prevBestEdges?: ReadonlySet<number>;
}

/**
 * The structured reason of a recomputed corridor. Overlays and havens are read as they are after the
 * change: a cause whose overlay is gone was lifted, a previous haven that is gone was removed.
 */
export function recomputedWhy(input: ReasonInput, overlays: Overlays, havens: Havens): CorridorWhy {
  const { convoyId, prev, next, causes, failure, mode, prevBestEdges } = input;
  if (next.status !== 'ok') {
    // The router sets `failure` with every status but ok (Computed.why); a missing one is a bug there.
    if (!failure) throw new Error(`corridor ${convoyId}: status ${next.status} without a reason`);
    return failure;
  }
  const leg = next.routes[0];
  const summary = { distanceM: leg.distance_m, durationS: leg.duration_s };
  if (!prev || prev.status !== 'ok' || mode === 'init') {
    const to = next.havenId ? { havenId: next.havenId } : {};
    return prev && prev.status !== 'ok' ? { code: 'found_again', ...to, ...summary } : { code: 'computed', ...to, ...summary };
  }
  const deltaS = next.deltaS ?? 0;
  if (next.havenId !== prev.havenId && next.havenId) {
    if (!prev.havenId) return { code: 'haven_changed', havenId: next.havenId, deltaS };
    const was = havens.get(prev.havenId);
    const previous = was ? (was.status === 'open' ? 'no_room' : was.status) : 'removed';
    return { code: 'haven_changed', havenId: next.havenId, previousHavenId: prev.havenId, previous, deltaS };
  }
  const added: ZoneRef[] = [];
  const lifted: ZoneRef[] = [];
  for (const k of causes) {
    const o = overlays.get(k);
    // An advisory zone or an open constraint is no detour's cause: it is neither added nor lifted here;
    // nor is a zone that never touched the route the convoy was on (it may have cut an alternative).
    if (o && o.effect !== 'none') {
      if (!prevBestEdges || touches(o.edges, prevBestEdges)) added.push(zoneRefOf(k));
    } else if (!o && isOverlayKey(k)) lifted.push(zoneRefOf(k));
  }
  if (sameRoutes(prev.routes, next.routes)) return { code: 'unchanged', ...summary };
  if (convoyId && causes.includes(convoyId)) return { code: 'convoy_changed', ...summary };
  // The best route is the one the convoy drives: if it stands, the convoy was not re-routed (only
  // alternatives or figures moved); a zone now on it is said as the nearest, at 0 m.
  if (sameLine(prev.routes[0], leg)) return prevBestEdges && added.length ? { code: 'nearest_zone', zone: added[0], distanceM: 0 } : { code: 'unchanged', ...summary };
  if (added.length) return { code: 'rerouted_around', zones: added, deltaS };
  if (lifted.length) return { code: 'lifted', zones: lifted, deltaS };
  return { code: 'rerouted', deltaS };
}

/**
 * The reason of a clearance refresh (P11: the routes stay, only their figures change): the nearest
 * no-go or danger zone and the best route's clearance, or none within the horizon.
 * @example clearanceWhy('z:tz-9', 240) // { code: 'nearest_zone', zone: { kind: 'zone', id: 'tz-9' }, distanceM: 240 }
 */
export function clearanceWhy(nearestKey: string | undefined, bestClearanceM: number | null): CorridorWhy {
  return bestClearanceM === null || nearestKey === undefined ? { code: 'clear_of_zones' } : { code: 'nearest_zone', zone: zoneRefOf(nearestKey), distanceM: bestClearanceM };
}

/**
 * Whether two lists of legs are the same routes with the same figures.
 * @example sameRoutes(corridor.routes, corridor.routes.map((r) => ({ ...r }))) // true
 */
export function sameRoutes(a: readonly RouteLeg[], b: readonly RouteLeg[]): boolean {
  return a.length === b.length && a.every((r, i) => sameLeg(r, b[i]));
}

/** Whether any of `edges` is in `set`. */
function touches(edges: ArrayLike<number>, set: ReadonlySet<number>): boolean {
  for (let i = 0; i < edges.length; i++) if (set.has(edges[i])) return true;
  return false;
}

/** Whether two legs follow the same line (their figures may differ). */
function sameLine(a: RouteLeg, b: RouteLeg): boolean {
  return a.coordinates.length === b.coordinates.length && a.coordinates.every((c, i) => c[0] === b.coordinates[i][0] && c[1] === b.coordinates[i][1]);
}

function sameLeg(a: RouteLeg, b: RouteLeg): boolean {
  if (
    a.distance_m !== b.distance_m ||
    a.duration_s !== b.duration_s ||
    a.exposure_m !== b.exposure_m ||
    a.min_clearance_m !== b.min_clearance_m ||
    a.coordinates.length !== b.coordinates.length
  ) {
    return false;
  }
  return a.coordinates.every((c, i) => c[0] === b.coordinates[i][0] && c[1] === b.coordinates[i][1]);
}

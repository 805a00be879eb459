// How a corridor from the router goes into the log: whole (`corridor.recomputed`), or as a
// figures-only `corridor.refreshed` when its routes are the ones already held (P11); what a refresh
// makes of the held corridor; and a key of a corridor's routes, by which the routing thread and the
// store agree on which corridor a refresh is for without sending the routes across.
import type { Corridor, CorridorRefresh, NewEvent, RouteLeg } from './events.js';

export type CorridorEvent = Extract<NewEvent, { type: 'corridor.recomputed' | 'corridor.refreshed' }>;

/**
 * The event that turns `held` (the corridor the picture will hold when this event is folded) into
 * `next`: a refresh when only clearance, reason, cause and time changed, otherwise the whole corridor.
 * @example corridorEvent(held, { ...held, routes: held.routes.map((r) => ({ ...r, min_clearance_m: 40 })), reason: 'r', computedMs: 2 }).type // 'corridor.refreshed'
 */
export function corridorEvent(held: Corridor | undefined, next: Corridor): CorridorEvent {
  if (held && next.deltaS === undefined && sameRoutesBut(held, next)) {
    return {
      type: 'corridor.refreshed',
      refresh: {
        convoyId: next.convoyId,
        clearance: next.routes.map((r) => r.min_clearance_m),
        reason: next.reason,
        ...(next.why ? { why: next.why } : {}),
        ...(next.cause ? { cause: next.cause } : {}),
        computedMs: next.computedMs,
      },
    };
  }
  return { type: 'corridor.recomputed', corridor: next };
}

/** Same convoy, an `ok` corridor on both sides, same haven and the same routes apart from clearance. */
function sameRoutesBut(a: Corridor, b: Corridor): boolean {
  return (
    a.convoyId === b.convoyId &&
    a.status === 'ok' &&
    b.status === 'ok' &&
    a.havenId === b.havenId &&
    a.routes.length === b.routes.length &&
    a.routes.every((r, i) => sameLegBut(r, b.routes[i]))
  );
}

function sameLegBut(a: RouteLeg, b: RouteLeg): boolean {
  if (a.distance_m !== b.distance_m || a.duration_s !== b.duration_s || a.exposure_m !== b.exposure_m) return false;
  if (a.coordinates === b.coordinates) return true;
  if (a.coordinates.length !== b.coordinates.length) return false;
  return a.coordinates.every((c, i) => c[0] === b.coordinates[i][0] && c[1] === b.coordinates[i][1]);
}

/** The corridor a refresh makes of the held one: its routes with the new clearance figures, the new reason and time. */
export function refreshedCorridor(held: Corridor, r: CorridorRefresh): Corridor {
  const { deltaS: _unchanged, cause: _before, why: _was, ...rest } = held;
  return {
    ...rest,
    routes: held.routes.map((leg, i) => (leg.min_clearance_m === r.clearance[i] ? leg : { ...leg, min_clearance_m: r.clearance[i] })),
    reason: r.reason,
    ...(r.why ? { why: r.why } : {}),
    ...(r.cause ? { cause: r.cause } : {}),
    computedMs: r.computedMs,
  };
}

/**
 * A key of what a refresh keeps of a corridor: convoy, status, haven, and each route's figures and
 * every position (to 1e-7 degrees, two 32-bit FNV-1a lanes). Two corridors with equal keys differ
 * only in what a refresh changes, for all practical purposes; clearance is left out.
 * @example routesKey(corridor) === routesKey(refreshedCorridor(corridor, refresh)) // true
 */
export function routesKey(c: Corridor): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ c.routes.length;
  for (const leg of c.routes) {
    const coords = leg.coordinates;
    a = Math.imul(a ^ coords.length, 16777619);
    for (let i = 0; i < coords.length; i++) {
      a = Math.imul(a ^ Math.round(coords[i][0] * 1e7), 16777619);
      b = Math.imul(b ^ Math.round(coords[i][1] * 1e7), 16777619);
    }
    b = Math.imul(b ^ Math.round(leg.distance_m * 100), 16777619);
    b = Math.imul(b ^ Math.round(leg.duration_s * 100), 16777619);
    b = Math.imul(b ^ Math.round(leg.exposure_m * 100), 16777619);
  }
  return `${c.convoyId}|${c.status}|${c.havenId ?? ''}|${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/**
 * A corridor from a router on another thread, made so the main thread does little with it: the whole
 * corridor as JSON text (a string crosses threads by a copy of its bytes; a tree of coordinate arrays
 * costs the receiving thread tens of milliseconds to rebuild), and, when the router found the routes
 * unchanged, the figures-only refresh it made against the corridor it sent before, with that
 * corridor's routesKey. The store uses the refresh when the picture will hold routes of that key,
 * and otherwise reads the text and decides itself (P11).
 */
export interface CorridorUpdate {
  convoyId: string;
  json: string;
  refresh?: { refresh: CorridorRefresh; basis: string };
}

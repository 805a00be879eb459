// Chooses how a corridor from the router goes into the log: whole (`corridor.recomputed`), or as a
// figures-only `corridor.refreshed` when its routes are the ones already held (P11).
import type { Corridor, NewEvent, RouteLeg } from '@corridor/protocol';

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

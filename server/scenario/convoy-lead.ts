// The field unit that leads an exercise convoy (server/scenario, P21): it waits at the origin while
// its convoy is planned or approved, drives its corridor's best route while it moves (taking a new
// route from the place on it nearest where it is), stands while it holds, and stays where it arrived.
// Pure: the simulator keeps the state and sends the fix.
import { routeKey, type Convoy, type Corridor } from '@corridor/protocol';
import { CorridorLine } from '../../routing/corridor-line.js';
import { bearingDeg, rulerAt, type LonLat } from './path-follower.js';
import type { LeadSpec } from './scenario-file.js';

/** Where a lead unit is and what it follows. */
export interface LeadState {
  spec: LeadSpec;
  convoyId: string;
  pos: LonLat;
  headingDeg: number;
  speedMps: number;
  /** The route it drives and where it is along it, metres; absent until its convoy first moves. */
  route?: { key: string; line: CorridorLine; along_m: number; paceMps: number };
}

/** A lead unit that has not moved yet: at its convoy's origin. */
export function leadAt(spec: LeadSpec, convoyId: string, pos: LonLat): LeadState {
  return { spec, convoyId, pos, headingDeg: 0, speedMps: 0 };
}

/** Slowest pace a lead drives at on slow roads, m/s. */
const MIN_PACE_MPS = 4;

/**
 * One step of `dtS` seconds of a lead unit against its convoy and corridor as the picture holds them.
 * A convoy that is planned or approved keeps its lead at its origin (the start of its best route),
 * which is also how a lead comes back when the exercise plans the convoy again.
 */
export function stepLead(lead: LeadState, convoy: Convoy | undefined, corridor: Corridor | undefined, dtS: number): LeadState {
  if (!convoy) return { ...lead, speedMps: 0 };
  const best = corridor?.status === 'ok' ? corridor.routes[0] : undefined;
  if (convoy.state === 'planned' || convoy.state === 'approved') {
    const start = best?.coordinates[0] ?? convoy.origin;
    return { ...lead, pos: [start[0], start[1]], speedMps: 0, route: undefined };
  }
  if (convoy.state !== 'moving' || !best || best.coordinates.length < 2) return { ...lead, speedMps: 0 };
  let route = lead.route;
  const key = routeKey(best);
  if (!route || route.key !== key) {
    // A new route (re-routed, or the first): carry on from the place on it nearest the lead.
    const line = new CorridorLine(best.coordinates);
    const along = line.match(lead.pos[0], lead.pos[1], route?.along_m).along_m;
    const roadPace = best.duration_s > 0 ? best.distance_m / best.duration_s : lead.spec.speedMps;
    route = { key, line, along_m: along, paceMps: Math.min(lead.spec.speedMps, Math.max(MIN_PACE_MPS, roadPace)) };
  }
  const along = Math.min(route.line.length_m, route.along_m + route.paceMps * dtS);
  const pos = route.line.pointAt(along);
  const ahead = route.line.pointAt(Math.min(route.line.length_m, along + 10));
  const behind = route.line.pointAt(Math.max(0, along - 10));
  const moving = along < route.line.length_m;
  return {
    ...lead,
    pos,
    headingDeg: bearingDeg(rulerAt(pos[1]), behind, ahead),
    speedMps: moving ? route.paceMps : 0,
    route: { ...route, along_m: along },
  };
}

// Re-routing a moving convoy (server/convoys, P22), as pure functions: which zones and closed
// constraints cut or endanger the route still ahead of a convoy, the routes of a proposal with what
// each costs or saves, the corridor a decision makes, and whether the router may replace a corridor
// by itself (never a moving or holding convoy's route).
import { bbox as turfBbox, booleanIntersects, lineString } from '@turf/turf';
import CheapRuler from 'cheap-ruler';
import {
  formatDistance,
  routeKey,
  type Constraint,
  type ConvoyState,
  type ConvoyTrack,
  type Corridor,
  type CorridorWhy,
  type Picture,
  type ProposedRoute,
  type RerouteProposal,
  type RouteLeg,
  type ThreatZone,
  type ZoneRef,
} from '@corridor/protocol';
import { CorridorLine } from '../../routing/corridor-line.js';

/** States in which a convoy's route is its planner's to change, not the router's. */
export const UNDER_WAY: ReadonlySet<ConvoyState> = new Set(['moving', 'holding']);

/**
 * Whether the router may put `next` in place of the corridor the picture holds: always for a convoy
 * not under way, and for one under way only to refresh the figures of the same routes (P11) or to
 * give a first corridor; a new route for a moving or holding convoy is a proposal, decided by a
 * planner (P22).
 */
export function routerMayReplace(state: ConvoyState | undefined, held: Corridor | undefined, next: Corridor): boolean {
  if (state === undefined || !UNDER_WAY.has(state) || !held) return true;
  if (held.status !== next.status || held.routes.length !== next.routes.length) return false;
  return held.routes.every((r, i) => routeKey(r) === routeKey(next.routes[i]));
}

/** Sampling step along a closed road, metres, and how near the route a sample must lie to count as on it. */
const ROAD_SAMPLE_M = 10;
const ON_ROAD_M = 12;

/**
 * The route still ahead of a convoy: its corridor's best route from where its last report was matched
 * (when the track is against this route), else the whole best route; undefined without one.
 */
export function routeAhead(corridor: Corridor | undefined, track: ConvoyTrack | undefined): { line: CorridorLine; coords: [number, number][]; from: [number, number]; fromReport: boolean } | undefined {
  const best = corridor?.status === 'ok' ? corridor.routes[0] : undefined;
  if (!best || best.coordinates.length < 2) return undefined;
  const line = new CorridorLine(best.coordinates);
  const onThis = track !== undefined && track.routeKey === routeKey(best);
  const done = onThis ? track.progress.done_m : 0;
  const coords = line.from(done);
  return { line: new CorridorLine(coords), coords, from: onThis ? track.at : coords[0], fromReport: onThis };
}

/** Boxes of zones and constraints, made once per object. */
const boxes = new WeakMap<object, number[]>();
function boxOf(o: ThreatZone | Constraint): number[] {
  let b = boxes.get(o);
  if (!b) boxes.set(o, (b = turfBbox('area' in o ? o.area : o.geometry)));
  return b;
}
const meets = (a: number[], b: number[]) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/**
 * The no-go and danger zones, and the closed constraints, that the route ahead runs into: a zone or
 * closed area it crosses, a closed road it drives along (samples of the road every 10 m within 12 m
 * of the route, three at least or all of a short one). Zones first, each kind by id.
 */
export function endangerment(ahead: { line: CorridorLine; coords: [number, number][] }, picture: Pick<Picture, 'threats' | 'constraints'>, box = boxOfLine(ahead.coords)): ZoneRef[] {
  const out: ZoneRef[] = [];
  for (const zone of Object.values(picture.threats).sort(byId)) {
    const zb = boxOf(zone);
    if (zone.severity === 'advisory' || !meets(box, zb)) continue;
    // Only the stretches of the route within the zone's box can meet it: a route of hundreds of
    // positions is tested by its few segments there, not all of them against every edge of the zone.
    if (stretchesIn(ahead.coords, zb).some((part) => booleanIntersects(lineString(part), zone.area))) out.push({ kind: 'zone', id: zone.id });
  }
  for (const c of Object.values(picture.constraints).sort(byId)) {
    if (c.status !== 'closed') continue;
    const cb = boxOf(c);
    const reach = ON_ROAD_M / 111_000;
    if (!meets([box[0] - reach * 2, box[1] - reach, box[2] + reach * 2, box[3] + reach], cb)) continue;
    const g = c.geometry;
    if (g.type === 'Polygon' || g.type === 'MultiPolygon') {
      if (stretchesIn(ahead.coords, cb).some((part) => booleanIntersects(lineString(part), g))) out.push({ kind: 'constraint', id: c.id });
      continue;
    }
    const lines = g.type === 'LineString' ? [g.coordinates] : g.coordinates;
    if (lines.some((l) => drivesAlong(ahead.line, l as [number, number][]))) out.push({ kind: 'constraint', id: c.id });
  }
  return out;
}

/** The runs of consecutive segments of a line whose own boxes meet `box`, each as positions (two at least). */
function stretchesIn(coords: readonly [number, number][], box: number[]): [number, number][][] {
  const out: [number, number][][] = [];
  let run: [number, number][] | undefined;
  for (let i = 0; i < coords.length - 1; i++) {
    const a = coords[i];
    const b = coords[i + 1];
    const inside = Math.max(a[0], b[0]) >= box[0] && Math.min(a[0], b[0]) <= box[2] && Math.max(a[1], b[1]) >= box[1] && Math.min(a[1], b[1]) <= box[3];
    if (!inside) {
      run = undefined;
      continue;
    }
    if (!run) out.push((run = [a]));
    run.push(b);
  }
  return out;
}

/** The box of a line, degrees [west, south, east, north]. */
export function boxOfLine(coords: readonly (readonly number[])[]): number[] {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const c of coords) {
    if (c[0] < b[0]) b[0] = c[0];
    if (c[1] < b[1]) b[1] = c[1];
    if (c[0] > b[2]) b[2] = c[0];
    if (c[1] > b[3]) b[3] = c[1];
  }
  return b;
}

/** The box of a zone's area or a constraint's geometry, a little wider for closed roads (the 12 m a route may lie off them). */
export function boxOfChange(o: ThreatZone | Constraint): number[] {
  const b = boxOf(o);
  const reach = 'area' in o ? 0 : (ON_ROAD_M * 2) / 111_000;
  return [b[0] - reach * 2, b[1] - reach, b[2] + reach * 2, b[3] + reach];
}

/** Whether two boxes meet. */
export function boxesMeet(a: number[], b: number[]): boolean {
  return meets(a, b);
}

/** Whether a route drives along a road: enough samples of the road lie on the route. */
function drivesAlong(route: CorridorLine, road: [number, number][]): boolean {
  const ruler = new CheapRuler(road[0][1], 'meters');
  const samples: [number, number][] = [];
  for (let i = 0; i < road.length - 1; i++) {
    const len = ruler.distance(road[i], road[i + 1]);
    const n = Math.max(1, Math.ceil(len / ROAD_SAMPLE_M));
    for (let k = 0; k < n; k++) {
      const t = k / n;
      samples.push([road[i][0] + (road[i + 1][0] - road[i][0]) * t, road[i][1] + (road[i + 1][1] - road[i][1]) * t]);
    }
  }
  samples.push(road[road.length - 1]);
  let on = 0;
  for (const p of samples) if (route.match(p[0], p[1]).offset_m <= ON_ROAD_M) on++;
  return on >= Math.min(3, samples.length);
}

/** Seconds left on a corridor's best route from a convoy's progress (at the route's own pace). */
export function secondsLeft(corridor: Corridor | undefined, track: ConvoyTrack | undefined): number | undefined {
  const best = corridor?.status === 'ok' ? corridor.routes[0] : undefined;
  if (!best) return undefined;
  const onThis = track !== undefined && track.routeKey === routeKey(best);
  const left = onThis ? track.progress.left_m : best.distance_m;
  return best.distance_m > 0 ? (best.duration_s * left) / best.distance_m : 0;
}

/** A proposal's routes, each with what it costs (+) or saves (−) against the time left on the current route. */
export function proposedRoutes(legs: readonly RouteLeg[], leftS: number | undefined): ProposedRoute[] {
  return legs.map((leg) => ({ ...leg, delta_s: leftS === undefined ? 0 : Math.round((leg.duration_s - leftS) * 10) / 10 }));
}

/**
 * The corridor a decision makes: the chosen route first, the proposal's others after it, the haven
 * the proposal leads to, and why (re-routed around the zones that cut the route ahead, or re-routed).
 */
export function decidedCorridor(proposal: RerouteProposal, route: number, nowMs: number, names: (ref: ZoneRef) => string): Corridor {
  const chosen = proposal.routes[route];
  const strip = ({ delta_s: _d, ...leg }: ProposedRoute): RouteLeg => leg;
  const routes = [strip(chosen), ...proposal.routes.filter((_, i) => i !== route).map(strip)];
  const why: CorridorWhy =
    proposal.cause.zones.length > 0 ? { code: 'rerouted_around', zones: proposal.cause.zones, deltaS: chosen.delta_s } : { code: 'rerouted', deltaS: chosen.delta_s };
  const delta = `${chosen.delta_s >= 0 ? '+' : '−'}${Math.round(Math.abs(chosen.delta_s) / 60)} min`;
  const reason =
    why.code === 'rerouted_around'
      ? `re-routed around ${why.zones.map(names).join(', ')} from its position: ${delta}`
      : `re-routed from its position: ${delta}, ${formatDistance(chosen.distance_m)}`;
  const corridor: Corridor = {
    convoyId: proposal.convoyId,
    status: 'ok',
    routes,
    reason,
    why,
    deltaS: chosen.delta_s,
    cause: proposal.cause.zones.map((z) => z.id),
    computedMs: nowMs,
  };
  if (proposal.havenId) corridor.havenId = proposal.havenId;
  return corridor;
}

/**
 * Whether a plan accepts a proposal by itself: its best route costs at most `minutes` and stays
 * outside every danger zone (no exposure) (P22).
 */
export function autoAccepts(proposal: RerouteProposal, minutes: number | undefined): boolean {
  if (minutes === undefined || proposal.status !== 'ok' || proposal.routes.length === 0) return false;
  const best = proposal.routes[0];
  return best.exposure_m === 0 && best.delta_s <= minutes * 60;
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

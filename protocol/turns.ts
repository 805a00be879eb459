// Turn by turn along a routed leg (@corridor/protocol, issue 18): the route card's turn list and the times a
// convoy passes its checkpoints, from the leg's line and its road stretches. Pure; no DOM, no Node.
import CheapRuler from 'cheap-ruler';
import { roadLabel, sameRoad, type RoadStretch } from './notice.js';
import type { RouteLeg } from './events.js';

/** How a route turns at a point, from the change of bearing there (+ right, − left). */
export const TURN_KINDS = ['depart', 'arrive', 'straight', 'slight_left', 'slight_right', 'left', 'right', 'sharp_left', 'sharp_right', 'uturn'] as const;
export type TurnKind = (typeof TURN_KINDS)[number];

/**
 * Limits between the kinds of turn, degrees of bearing change (absolute):
 *
 *     straight < 20 ≤ slight < 60 ≤ turn < 130 ≤ sharp < 170 ≤ U-turn
 */
export const TURN_LIMITS_DEG = { straight: 20, slight: 60, turn: 130, sharp: 170 } as const;
/** A bend of the line sharper than this, degrees, is a turn of its own even where the road's name stays the same. */
export const BEND_TURN_DEG = 60;
/**
 * How far back and ahead of a point the bearings into and out of it are measured, metres: a road drawn
 * with a short kink at a junction would otherwise read as a sharp turn.
 */
const BEARING_REACH_M = 25;
/** An unnamed stretch shorter than this, metres, is part of the road around it, not a road to turn onto. */
const SHORT_UNNAMED_M = 60;


/** One entry of a turn list. */
export interface RouteTurn {
  kind: TurnKind;
  /** Index in the leg's coordinates where it happens. */
  index: number;
  at: [number, number];
  /** Change of bearing there, degrees in (−180, 180]: + to the right, − to the left; 0 for depart and arrive. */
  angleDeg: number;
  /** The road taken there (for `arrive`, the road arrived on); absent when it has no name or ref. */
  road?: string;
  /** From here to the next entry, metres (0 for `arrive`). */
  distance_m: number;
  /** From the start of the leg to here, metres and seconds. */
  cumDistance_m: number;
  cumDuration_s: number;
}

/** Where a checkpoint lies along a leg, and when the convoy should be there. */
export interface CheckpointTime {
  name: string;
  at: [number, number];
  hold?: boolean;
  /** The nearest point of the route to it. */
  onRoute: [number, number];
  /** Metres along the route to that point, and metres from the checkpoint to it. */
  along_m: number;
  off_m: number;
  /** Seconds from departure to that point. */
  elapsed_s: number;
  /** When the convoy should be there (ms since 1970), when a departure time is known. */
  etaMs?: number;
}

type Leg = Pick<RouteLeg, 'coordinates' | 'distance_m' | 'duration_s' | 'roads'>;
type Pos = [number, number];

/**
 * The kind of turn a change of bearing makes.
 * @example turnKind(-90) // 'left'
 * @example turnKind(35) // 'slight_right'
 */
export function turnKind(angleDeg: number): Exclude<TurnKind, 'depart' | 'arrive'> {
  const a = Math.abs(angleDeg);
  if (a < TURN_LIMITS_DEG.straight) return 'straight';
  if (a >= TURN_LIMITS_DEG.sharp) return 'uturn';
  const side = angleDeg > 0 ? 'right' : 'left';
  if (a < TURN_LIMITS_DEG.slight) return `slight_${side}`;
  if (a < TURN_LIMITS_DEG.turn) return side;
  return `sharp_${side}`;
}

/** A ruler for the leg's latitude (cheap-ruler is exact enough over the tens of kilometres of a leg). */
function rulerFor(coordinates: readonly Pos[]): CheapRuler {
  let sum = 0;
  for (const c of coordinates) sum += c[1];
  const lat = coordinates.length > 0 ? sum / coordinates.length : 0;
  return new CheapRuler(Math.max(-89, Math.min(89, lat)), 'meters');
}

/** The change from bearing `a` to bearing `b`, degrees in (−180, 180]. */
function bearingChange(a: number, b: number): number {
  let d = (b - a) % 360;
  if (d <= -180) d += 360;
  if (d > 180) d -= 360;
  return d;
}

/**
 * Distance and time from the start of the leg at each of its coordinates. Lengths are measured on the
 * line and scaled to the leg's `distance_m`; time follows each road stretch's `duration_s` spread over its
 * length (the leg's average speed where it has no stretches), scaled to the leg's `duration_s`, so the
 * last figures are the leg's totals exactly.
 */
function cumulative(leg: Leg, ruler: CheapRuler): { dist: number[]; time: number[]; seg: number[] } {
  const c = leg.coordinates;
  const n = c.length;
  const seg: number[] = [];
  for (let i = 0; i + 1 < n; i++) seg.push(ruler.distance(c[i], c[i + 1]));
  // Seconds per segment: by stretch where stretches are known.
  const segTime = seg.slice();
  const stretches = (leg.roads ?? []).filter((s) => s.from >= 0 && s.from < Math.max(1, n - 1)).sort((a, b) => a.from - b.from);
  if (stretches.length > 0) {
    for (let k = 0; k < stretches.length; k++) {
      const from = k === 0 ? 0 : stretches[k].from;
      const to = k + 1 < stretches.length ? stretches[k + 1].from : n - 1;
      let len = 0;
      for (let i = from; i < to; i++) len += seg[i];
      for (let i = from; i < to; i++) segTime[i] = len > 0 ? (Math.max(0, stretches[k].duration_s) * seg[i]) / len : 0;
    }
  }
  const dist = [0];
  const time = [0];
  for (let i = 0; i < seg.length; i++) {
    dist.push(dist[i] + seg[i]);
    time.push(time[i] + segTime[i]);
  }
  const scale = (xs: number[], total: number) => {
    const last = xs[xs.length - 1];
    const target = Math.max(0, total);
    for (let i = 0; i < xs.length; i++) xs[i] = last > 0 ? (xs[i] / last) * target : i === xs.length - 1 ? target : 0;
    if (xs.length > 0) xs[xs.length - 1] = target;
  };
  scale(dist, leg.distance_m);
  scale(time, leg.duration_s);
  return { dist, time, seg };
}

/** A point `reach` metres back from (dir −1) or ahead of (dir +1) vertex `i`, along the line: the furthest vertex within it, at least the next one that is not the same point. */
function reachIndex(c: readonly Pos[], seg: readonly number[], i: number, dir: 1 | -1, reach: number): number {
  let j = i;
  let gone = 0;
  while (j + dir >= 0 && j + dir < c.length) {
    const len = seg[dir === 1 ? j : j - 1];
    if (gone > 0 && gone + len > reach) break;
    gone += len;
    j += dir;
  }
  return gone > 0 ? j : i;
}

/** The bearing change at vertex `i` (0 at the ends, or where the line has no length on one side). */
function angleAt(c: readonly Pos[], seg: readonly number[], ruler: CheapRuler, i: number): number {
  if (i <= 0 || i >= c.length - 1) return 0;
  const back = reachIndex(c, seg, i, -1, BEARING_REACH_M);
  const ahead = reachIndex(c, seg, i, 1, BEARING_REACH_M);
  if (back === i || ahead === i) return 0;
  return bearingChange(ruler.bearing(c[back], c[i]), ruler.bearing(c[i], c[ahead]));
}

/**
 * A leg's turn list: depart, one entry where the road changes ({@link sameRoad}: by name, spaces and case
 * aside, or by a ref in common where a stretch has no name; an unnamed piece under 60 m is no change) and one where the line bends more than
 * {@link BEND_TURN_DEG} on the same road (not within 25 m after another entry), then arrive. Each says the
 * kind of turn, the road taken, the distance to the next entry and the distance and time from the start,
 * which never decrease and end at the leg's `distance_m` and `duration_s`.
 * @example
 * // Two roads meeting at a right angle: east along A, then north along B.
 * routeTurns({ coordinates: [[0, 0], [0.01, 0], [0.01, 0.01]], distance_m: 2226, duration_s: 200,
 *   roads: [{ name: 'A', from: 0, distance_m: 1113, duration_s: 100 }, { name: 'B', from: 1, distance_m: 1113, duration_s: 100 }] })
 *   .map((t) => `${t.kind} ${t.road}`) // ['depart A', 'left B', 'arrive B']
 */
export function routeTurns(leg: Leg): RouteTurn[] {
  const c = leg.coordinates as Pos[];
  if (c.length === 0) return [];
  const ruler = rulerFor(c);
  const { dist, time, seg } = cumulative(leg, ruler);
  const last = c.length - 1;
  // The road at each vertex onwards: the label of the stretch that covers the segment starting there. A short
  // piece without a name (a slip lane, a link through a junction) is no road of its own to turn onto.
  const stretches = (leg.roads ?? []).filter((s) => s.from >= 0 && s.from <= last).sort((a, b) => a.from - b.from);
  const roadFrom = new Map<number, RoadStretch>();
  stretches.forEach((s, k) => {
    const label = roadLabel(s);
    const to = k + 1 < stretches.length ? stretches[k + 1].from : last;
    if (label === undefined && k > 0 && dist[to] - dist[s.from] < SHORT_UNNAMED_M) return;
    roadFrom.set(s.from, s);
  });
  const entries: { kind: TurnKind; index: number; angle: number; road: string | undefined }[] = [];
  let current: RoadStretch | undefined = stretches.length > 0 && stretches[0].from === 0 ? roadFrom.get(0) : undefined;
  let road = current ? roadLabel(current) : undefined;
  entries.push({ kind: 'depart', index: 0, angle: 0, road });
  for (let i = 1; i < last; i++) {
    const next = roadFrom.get(i);
    const same = next !== undefined && current !== undefined && sameRoad(current, next);
    // The same road under a fuller name (the E 6 where the tunnel is named): the entry takes that name.
    if (same && !current!.name && next!.name) {
      entries[entries.length - 1].road = roadLabel(next!);
      road = roadLabel(next!);
    }
    if (next !== undefined && same) current = !current!.name && next.name ? next : current;
    const changes = next !== undefined && !same && (current !== undefined || roadLabel(next) !== undefined);
    const angle = angleAt(c, seg, ruler, i);
    if (changes) {
      current = next;
      road = roadLabel(next!);
      entries.push({ kind: turnKind(angle), index: i, angle, road });
    } else if (Math.abs(angle) > BEND_TURN_DEG && dist[i] - dist[entries[entries.length - 1].index] >= BEARING_REACH_M) {
      // A bend right after a turn is that turn, measured over the same 25 m.
      entries.push({ kind: turnKind(angle), index: i, angle, road });
    }
  }
  entries.push({ kind: 'arrive', index: last, angle: 0, road });
  return entries.map((e, k) => {
    const next = entries[k + 1];
    return {
      kind: e.kind,
      index: e.index,
      at: [c[e.index][0], c[e.index][1]],
      angleDeg: e.angle === 0 ? 0 : e.angle,
      ...(e.road !== undefined ? { road: e.road } : {}),
      distance_m: next ? dist[next.index] - dist[e.index] : 0,
      cumDistance_m: dist[e.index],
      cumDuration_s: time[e.index],
    };
  });
}

/**
 * Where each checkpoint lies along a leg (the nearest point of the line to it: metres along and metres
 * off) and when the convoy should be there: `departureMs` plus the time to that point at the leg's
 * speeds. In the order given; sort by `along_m` for the order the convoy passes them.
 * @example
 * checkpointTimes({ coordinates: [[0, 0], [0.02, 0]], distance_m: 2226, duration_s: 200 }, [{ name: 'Bridge', at: [0.01, 0.001] }], Date.UTC(2026, 11, 6, 14))
 * // [{ name: 'Bridge', along_m: ≈1113, off_m: ≈111, elapsed_s: ≈100, etaMs: 14:01:40 UTC, ... }]
 */
export function checkpointTimes(leg: Leg, checkpoints: readonly { name: string; at: [number, number]; hold?: boolean }[], departureMs?: number): CheckpointTime[] {
  const c = leg.coordinates as Pos[];
  if (c.length === 0) return [];
  const ruler = rulerFor(c);
  const { dist, time } = cumulative(leg, ruler);
  return checkpoints.map((cp) => {
    let along = 0;
    let elapsed = 0;
    let onRoute: Pos = [c[0][0], c[0][1]];
    if (c.length >= 2) {
      const p = ruler.pointOnLine(c, cp.at);
      const i = Math.min(p.index, c.length - 2);
      const t = Math.max(0, Math.min(1, p.t));
      along = dist[i] + t * (dist[i + 1] - dist[i]);
      elapsed = time[i] + t * (time[i + 1] - time[i]);
      onRoute = [p.point[0], p.point[1]];
    }
    return {
      name: cp.name,
      at: cp.at,
      ...(cp.hold !== undefined ? { hold: cp.hold } : {}),
      onRoute,
      along_m: along,
      off_m: ruler.distance(cp.at, onRoute),
      elapsed_s: elapsed,
      ...(departureMs !== undefined && Number.isFinite(departureMs) ? { etaMs: departureMs + Math.round(elapsed * 1000) } : {}),
    };
  });
}

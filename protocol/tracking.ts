// A moving convoy tracked against its corridor, and the alerts it raises (@corridor/protocol, issue 12,
// P21). The server's tracker writes them as events; every picture (server, replay, client) folds them.
import type { Actor } from './events.js';

/** What an alert is about. */
export const ALERT_KINDS = ['off_corridor', 'silent', 'stopped', 'danger_zone', 'arrived', 'unsafe_route', 'emergency', 'casevac'] as const;
/** The kinds a field unit raises itself (a TAK device's emergency or CASEVAC request, issue 14): about the unit, not a convoy. */
export const UNIT_ALERT_KINDS = ['emergency', 'casevac'] as const;
export type UnitAlertKind = (typeof UNIT_ALERT_KINDS)[number];
export type AlertKind = (typeof ALERT_KINDS)[number];

/** A checkpoint the convoy passed: its index in the convoy's checkpoints (the ends included) and when. */
export interface CheckpointPass {
  /** Index in {@link trackCheckpoints}: 0 the origin, the last the destination. */
  index: number;
  name: string;
  /** Fix time of the first report at or past it, ms since epoch. */
  atMs: number;
}

/** One checkpoint of a tracked convoy, placed on its corridor. */
export interface TrackCheckpoint {
  /** The planner's name for it; for an end, the haven's name or empty. */
  name: string;
  /** Set on the corridor's ends, which each client words in its language when they have no name. */
  end?: 'origin' | 'destination';
  at: [number, number];
  /** Distance along the best route, metres. */
  along_m: number;
  /** Distance from the best route, metres: a checkpoint the route no longer passes (re-routed) is never passed. */
  offset_m: number;
}

/**
 * Where a tracked convoy is on its corridor: the last report of its lead unit matched to the best
 * route (P21). Kept while the convoy moves or holds; the last one stays after it arrives.
 */
export interface ConvoyTrack {
  convoyId: string;
  /** The lead unit whose reports are matched. */
  unitId: string;
  /** Its reported position. */
  at: [number, number];
  /** Fix time of that report, ms since epoch. */
  timeMs: number;
  /** Distance done since the convoy set off (over every route it took) and left to the destination, metres. */
  progress: { done_m: number; left_m: number };
  /** Of `done_m`, what was done on routes before the current one (re-routes), metres. */
  doneBefore_m: number;
  /** Distance from the corridor's best route, metres. */
  offset_m: number;
  /** Expected arrival, ms since epoch: from the convoy's own recent speed, else the road speeds; absent unless moving. */
  etaMs?: number;
  /** Speed along the corridor over the last minutes, m/s; absent until two reports minutes apart are known. */
  speed_mps?: number;
  /** Checkpoints on the corridor (the ends always), in order along it. */
  checkpoints: TrackCheckpoint[];
  /** Those passed, in order. */
  passed: CheckpointPass[];
  /** Recent (fix time, done_m) samples, oldest first: what the speed is measured over. */
  recent: [number, number][];
  /** Since when the lead unit has been farther from the corridor than allowed (fix time), while it is. */
  offSinceMs?: number;
  /** Since when, and where, the lead unit has stood still (fix time), while it does. */
  stillSinceMs?: number;
  stillAt?: [number, number];
  /** Which route this track is matched against ({@link routeKey} of the corridor's best route). */
  routeKey: string;
  /**
   * Where the lead unit has been since the convoy set off, oldest first: kept by the fold of
   * `convoy.tracked` events in the picture (apply-event.ts, {@link withTrailPoint}), never in the events.
   */
  trail?: [number, number][];
}

/** A trail point is kept when it is at least this far from the last one, metres. */
export const TRAIL_STEP_M = 25;
/** Most points a trail holds; beyond, its older half is thinned to every other point. */
export const MAX_TRAIL_POINTS = 600;

/**
 * A trail with one more position: appended when it is {@link TRAIL_STEP_M} or more from the last
 * point (the same array otherwise); past {@link MAX_TRAIL_POINTS}, the older half keeps every other
 * point, so a long drive keeps its shape in a bounded size. Pure and deterministic: every screen and
 * every replay fold the same trail.
 * @example withTrailPoint([[12, 57]], [12, 57.0001]) // [[12, 57]] (11 m: not kept)
 */
export function withTrailPoint(trail: readonly [number, number][] | undefined, at: [number, number]): [number, number][] {
  if (!trail || trail.length === 0) return [at];
  const last = trail[trail.length - 1];
  const kx = Math.cos((last[1] * Math.PI) / 180) * 111_320;
  if (Math.hypot((at[0] - last[0]) * kx, (at[1] - last[1]) * 110_540) < TRAIL_STEP_M) return trail as [number, number][];
  const out = [...trail, at];
  if (out.length <= MAX_TRAIL_POINTS) return out;
  const half = Math.floor(out.length / 2);
  return [...out.slice(0, half).filter((_, i) => i % 2 === 0), ...out.slice(half)];
}

/** Figures of what raised an alert, each present when it applies. */
export interface AlertDetail {
  /** Distance from the corridor, metres (off_corridor). */
  distance_m?: number;
  /** The zone entered (danger_zone). */
  zoneId?: string;
  /** Zones and closed constraints that cut or endanger the route ahead (unsafe_route), as `zone:<id>` or `constraint:<id>`. */
  zones?: string[];
  /** Since when the cause holds, ms since epoch (silent: the last report; stopped: since standing still). */
  sinceMs?: number;
  /** The haven reached (arrived). */
  havenId?: string;
  /** People brought in (arrived). */
  people?: number;
  /** Where the unit was when it raised it (emergency, casevac). */
  at?: [number, number];
  /** What the unit said: the emergency's type (`911 Alert`, `In Contact`), a CASEVAC request's summary. */
  text?: string;
  /** The unit's callsign when it raised it. */
  callsign?: string;
}

/**
 * An alert about a convoy (P21): raised once when its cause begins, shown until acknowledged, cleared
 * when its cause ends, and gone from the picture once both (the log keeps it).
 */
export interface Alert {
  id: string;
  /** The convoy it is about; absent for an alert a field unit raised (`unitId`). */
  convoyId?: string;
  /** The unit that raised it (an emergency, a CASEVAC request, issue 14). */
  unitId?: string;
  /** The organisation that raised a unit's alert (issue 13: it reaches whom the unit would). */
  owner?: string;
  kind: AlertKind;
  /** Server time it was raised, ms since epoch. */
  raisedMs: number;
  detail: AlertDetail;
  /** Who acknowledged it and when, with what they said. */
  acknowledged?: { by: Actor; atMs: number; remark?: string };
  /** When its cause ended, ms since epoch. */
  clearedMs?: number;
}

/** Why an alert was cleared: its cause ended, or the convoy stopped being tracked (arrived, aborted, removed). */
export type AlertClearReason = 'cause_ended' | 'convoy_ended';

/**
 * The key under which at most one alert is open (not cleared) at a time: a convoy's kind, and for
 * danger zones the zone.
 * @example alertKey({ convoyId: 'cv-1', kind: 'danger_zone', detail: { zoneId: 'tz-2' } }) // 'cv-1|danger_zone|tz-2'
 */
export function alertKey(alert: Pick<Alert, 'convoyId' | 'kind' | 'detail'>): string {
  return alert.kind === 'danger_zone' ? `${alert.convoyId}|${alert.kind}|${alert.detail.zoneId ?? ''}` : `${alert.convoyId}|${alert.kind}`;
}

/** Whether an alert still asks for a planner: not yet acknowledged. */
export function isUnacknowledged(alert: Alert): boolean {
  return alert.acknowledged === undefined;
}

/**
 * A short key of a route's line: equal for the same line (a corridor refreshed with new figures
 * keeps it), different for another route.
 * @example routeKey({ coordinates: [[11.9, 57.7], [12, 57.8]], distance_m: 13000 }) // '2:13000:11.9,57.7:12,57.8'
 */
export function routeKey(route: { coordinates: readonly (readonly number[])[]; distance_m: number }): string {
  const c = route.coordinates;
  return `${c.length}:${Math.round(route.distance_m)}:${c[0]?.join(',')}:${c[c.length - 1]?.join(',')}`;
}

/**
 * The id of the alert of a key still shown though its cause ended (cleared, not acknowledged), if any.
 * @example shownAlertId(picture.alerts, 'cv-1|silent') // 'al-01…'
 */
export function shownAlertId(alerts: Readonly<Record<string, Alert>>, key: string): string | undefined {
  for (const id in alerts) {
    const a = alerts[id];
    if (a.clearedMs !== undefined && a.acknowledged === undefined && alertKey(a) === key) return id;
  }
  return undefined;
}

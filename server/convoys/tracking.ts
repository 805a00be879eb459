// Tracking a convoy against its corridor (server/convoys, P21), as pure functions: a lead unit's fix
// moves the convoy's track on (progress, checkpoints, speed, ETA, how long off the corridor or still),
// and the causes of alerts it shows are reconciled with the alerts open, raising and clearing them.
import CheapRuler from 'cheap-ruler';
import { alertKey, routeKey, type Alert, type AlertDetail, type AlertKind, type Convoy, type ConvoyTrack, type Corridor, type NewEvent, type TrackCheckpoint } from '@corridor/protocol';
import type { CorridorLine } from '../../routing/corridor-line.js';

/** What tracking measures against; each has a setting (config.ts) and a default. */
export interface TrackingSettings {
  /** Farther than this from the corridor counts as off it, metres (default 150). */
  offCorridorM: number;
  /** ... and raises an alert once it lasted this long, ms (default 60 s). */
  offCorridorMs: number;
  /** Standing still this long outside a checkpoint raises an alert, ms (default 5 min). */
  stoppedMs: number;
  /** Moving less than this from where it stopped counts as still, metres (GPS noise; default 30). */
  stillRadiusM: number;
  /** Within this of the destination counts as arrived, metres (default 100). */
  arrivalM: number;
  /** Within this along the corridor of a checkpoint counts as at or past it, metres (default 75). */
  checkpointM: number;
  /** The convoy's speed is measured over the reports of this long, ms (default 5 min). */
  speedWindowMs: number;
}

export const DEFAULT_TRACKING: TrackingSettings = {
  offCorridorM: 150,
  offCorridorMs: 60_000,
  stoppedMs: 300_000,
  stillRadiusM: 30,
  arrivalM: 100,
  checkpointM: 75,
  speedWindowMs: 300_000,
};

/** Least time between two speed samples, ms: reports every second would otherwise crowd out the window. */
const SAMPLE_EVERY_MS = 10_000;
/** Shortest span of samples a speed is measured over, ms. */
const MIN_SPEED_SPAN_MS = 30_000;
/** Below this the convoy's own speed says nothing about when it arrives (it stands), m/s. */
const MIN_ETA_SPEED_MPS = 0.5;

/** A fix of the lead unit. */
export interface Fix {
  lon: number;
  lat: number;
  /** Fix time, ms since epoch. */
  timeMs: number;
}

/** What a fix showed besides the track: the causes of alerts that hold now. */
export interface TrackStep {
  track: ConvoyTrack;
  /** The convoy reached its destination with this fix. */
  arrived: boolean;
  /** Off the corridor for longer than allowed. */
  offCorridor: boolean;
  /** Standing still for longer than allowed outside a checkpoint (only while moving). */
  stopped: boolean;
}

/**
 * The checkpoints of a convoy placed on its corridor's best route: the origin, the planner's own in
 * the order of their places along the route, the destination.
 */
export function placeCheckpoints(convoy: Convoy, line: CorridorLine, destinationName: string): TrackCheckpoint[] {
  const start = line.pointAt(0);
  const end = line.pointAt(line.length_m);
  const own = (convoy.checkpoints ?? []).map((c) => {
    const m = line.match(c.at[0], c.at[1]);
    return { name: c.name, at: c.at, along_m: round(m.along_m), offset_m: round(m.offset_m) };
  });
  own.sort((a, b) => a.along_m - b.along_m);
  return [
    { name: '', end: 'origin', at: roundPoint(start), along_m: 0, offset_m: 0 },
    ...own,
    { name: destinationName, end: 'destination', at: roundPoint(end), along_m: round(line.length_m), offset_m: 0 },
  ];
}

/**
 * Moves a convoy's track on with one fix of its lead unit. `previous` is its track so far (undefined
 * for the first fix); a fix older than it changes nothing (store-and-forward). Pure.
 */
export function stepTrack(args: {
  convoy: Convoy;
  corridor: Corridor;
  line: CorridorLine;
  /** The checkpoints placed on this corridor (see {@link placeCheckpoints}). */
  checkpoints: TrackCheckpoint[];
  previous: ConvoyTrack | undefined;
  unitId: string;
  fix: Fix;
  settings: TrackingSettings;
}): TrackStep | undefined {
  const { convoy, corridor, line, checkpoints, previous, fix, settings } = args;
  if (previous && fix.timeMs < previous.timeMs) return undefined;
  const key = routeKey(corridor.routes[0]);
  const sameCorridor = previous?.routeKey === key;
  // Distance done on earlier routes: a re-route starts its route where the convoy is, and progress goes on.
  const before = previous ? (sameCorridor ? previous.doneBefore_m : previous.progress.done_m) : 0;
  const expected = sameCorridor && previous ? previous.progress.done_m - before : undefined;
  const m = line.match(fix.lon, fix.lat, expected);
  const along = m.along_m;
  const done = round(before + along);
  const left = round(Math.max(0, line.length_m - along));
  const ruler = new CheapRuler(fix.lat, 'meters');
  const at: [number, number] = [fix.lon, fix.lat];

  // Samples of progress for the speed, one per SAMPLE_EVERY_MS, over the window (two at least).
  const recent = previous ? previous.recent.slice() : [];
  const last = recent[recent.length - 1];
  if (!last || fix.timeMs - last[0] >= SAMPLE_EVERY_MS) recent.push([fix.timeMs, done]);
  while (recent.length > 2 && fix.timeMs - recent[0][0] > settings.speedWindowMs) recent.shift();
  const first = recent[0];
  const span = fix.timeMs - first[0];
  const speed = span >= MIN_SPEED_SPAN_MS ? Math.max(0, (done - first[1]) / (span / 1000)) : undefined;

  // Passed checkpoints stay passed; the origin is passed with the first fix, the destination on arrival.
  const passed = previous ? previous.passed.slice() : [];
  const passedIndex = new Set(passed.map((p) => p.index));
  const arrived = convoy.state === 'moving' && ruler.distance(at, checkpoints[checkpoints.length - 1].at) <= settings.arrivalM;
  checkpoints.forEach((c, index) => {
    if (passedIndex.has(index)) return;
    const isDestination = index === checkpoints.length - 1;
    // A checkpoint the route no longer passes (re-routed around it) is never passed.
    if (isDestination ? arrived : c.offset_m <= settings.offCorridorM && c.along_m <= along + settings.checkpointM) passed.push({ index, name: c.name, atMs: fix.timeMs });
  });

  const off = m.offset_m > settings.offCorridorM;
  const offSinceMs = off ? (previous?.offSinceMs ?? fix.timeMs) : undefined;
  const anchor = previous?.stillAt;
  const still = anchor !== undefined && previous?.stillSinceMs !== undefined && ruler.distance(at, anchor) <= settings.stillRadiusM;
  const stillSinceMs = still ? previous!.stillSinceMs! : fix.timeMs;
  const stillAt = still ? anchor : at;
  const atCheckpoint = checkpoints.some((c) => ruler.distance(at, c.at) <= settings.checkpointM);

  const track: ConvoyTrack = {
    convoyId: convoy.id,
    unitId: args.unitId,
    at,
    timeMs: fix.timeMs,
    progress: { done_m: done, left_m: left },
    doneBefore_m: round(before),
    offset_m: round(m.offset_m),
    checkpoints,
    passed,
    recent,
    stillSinceMs,
    stillAt,
    routeKey: key,
  };
  if (speed !== undefined) track.speed_mps = Math.round(speed * 10) / 10;
  if (offSinceMs !== undefined) track.offSinceMs = offSinceMs;
  if (convoy.state === 'moving' && !arrived) track.etaMs = Math.round(fix.timeMs + etaSeconds(left, speed, corridor) * 1000);
  return {
    track,
    arrived,
    offCorridor: offSinceMs !== undefined && fix.timeMs - offSinceMs >= settings.offCorridorMs,
    stopped: convoy.state === 'moving' && !atCheckpoint && !arrived && fix.timeMs - stillSinceMs >= settings.stoppedMs,
  };
}

/**
 * Seconds to go: at the convoy's own recent speed when it has one, else at the road speeds of its
 * best route (its duration over its length).
 */
function etaSeconds(left_m: number, speed: number | undefined, corridor: Corridor): number {
  if (speed !== undefined && speed >= MIN_ETA_SPEED_MPS) return left_m / speed;
  const best = corridor.routes[0];
  return best.distance_m > 0 ? (left_m * best.duration_s) / best.distance_m : 0;
}

/** One cause of an alert that holds now. */
export interface Cause {
  kind: Exclude<AlertKind, 'arrived'>;
  detail: AlertDetail;
}

/**
 * The events that bring a convoy's open alerts of the given kinds in line with the causes that hold:
 * an alert raised for each cause without an open one, and each open one whose cause ended cleared.
 * `open` maps alert keys ({@link alertKey}) to the open alerts' ids; it is updated. Pure but for that.
 */
export function reconcileAlerts(args: {
  convoyId: string;
  kinds: ReadonlySet<AlertKind>;
  causes: readonly Cause[];
  open: Map<string, string>;
  nowMs: number;
  newId: () => string;
  /**
   * The id of an alert of a key still shown though cleared (not yet acknowledged): raised again, it is
   * that alert again, so a cause that comes and goes leaves one alert on the screens, not one a time.
   */
  shown?: (key: string) => string | undefined;
}): NewEvent[] {
  const { convoyId, kinds, causes, open, nowMs } = args;
  const events: NewEvent[] = [];
  const holding = new Set<string>();
  for (const cause of causes) {
    const key = alertKey({ convoyId, kind: cause.kind, detail: cause.detail });
    holding.add(key);
    if (open.has(key)) continue;
    const alert: Alert = { id: args.shown?.(key) ?? args.newId(), convoyId, kind: cause.kind, raisedMs: nowMs, detail: cause.detail };
    open.set(key, alert.id);
    events.push({ type: 'alert.raised', alert });
  }
  for (const [key, id] of open) {
    const [cid, kind] = key.split('|');
    if (cid !== convoyId || !kinds.has(kind as AlertKind) || holding.has(key)) continue;
    open.delete(key);
    events.push({ type: 'alert.cleared', id, reason: 'cause_ended' });
  }
  return events;
}

function round(m: number): number {
  return Math.round(m);
}

function roundPoint(p: [number, number]): [number, number] {
  return [Math.round(p[0] * 1e6) / 1e6, Math.round(p[1] * 1e6) / 1e6];
}

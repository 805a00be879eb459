// The convoy tracker (server/convoys, P21): a reactor that matches each report of a moving or holding
// convoy's lead unit to its corridor, appends the convoy's track, raises and clears its alerts
// (off the corridor, silent, stopped, in a danger zone) and brings it in on arrival (state `arrived`,
// its people into the haven's occupancy). Reports of other units pass by at the cost of a map lookup.
import { bbox as turfBbox, booleanPointInPolygon } from '@turf/turf';
import { alertKey, boundHaven, routeKey, shownAlertId, type Alert, type AlertKind, type Convoy, type ConvoyTrack, type Corridor, type NewEvent, type Picture, type PictureEvent, type ThreatZone, type Unit } from '@corridor/protocol';
import { CorridorLine } from '../../routing/corridor-line.js';
import { newId } from '../core/commands.js';
import type { Reaction, Reactor, ReactorContext } from '../core/reactor.js';
import { placeCheckpoints, reconcileAlerts, stepTrack, type Cause, type TrackingSettings } from './tracking.js';

/** How often lead units are looked at for silence at most, ms (a quarter of the stale time when shorter). */
const SILENCE_CHECK_MS = 5000;
/** Longest a convoy's track goes unsaid while its lead unit reports, ms of fix time. */
const TRACK_EVERY_MS = 2000;
/** Kinds a lead unit's report decides. */
const REPORT_KINDS: ReadonlySet<AlertKind> = new Set(['off_corridor', 'stopped', 'danger_zone', 'silent']);
const SILENT_ONLY: ReadonlySet<AlertKind> = new Set(['silent']);
/** Kinds whose cause ends with the convoy's tracking (arrived or aborted); `arrived` stays until acknowledged. */
const ENDED_KINDS: ReadonlySet<AlertKind> = new Set(['off_corridor', 'stopped', 'danger_zone', 'silent']);
/** States in which a convoy is tracked. */
const TRACKED_STATES = new Set(['moving', 'holding']);

export interface TrackerOptions {
  settings: TrackingSettings;
  /** After how long without a report a unit counts as stale (silent), ms. */
  staleAfterMs: number;
}

/** A corridor's best route, indexed, and its checkpoints placed on it. */
interface Line {
  key: string;
  line: CorridorLine;
  checkpoints: ConvoyTrack['checkpoints'];
}

export class ConvoyTracker implements Reactor {
  readonly name = 'tracker';
  readonly types: ReadonlySet<string> = new Set([
    'position.reported',
    'convoy.upserted',
    'convoy.removed',
    'convoy.state-changed',
    'threat.removed',
  ]);
  private readonly settings: TrackingSettings;
  private readonly staleAfterMs: number;
  private ctx?: ReactorContext;
  /** Lead unit → the tracked convoys it leads. */
  private readonly leads = new Map<string, Set<string>>();
  /** The lead units of tracked convoys: the store passes this tracker their fixes only. */
  readonly units: { has(unitId: string): boolean } = { has: (unitId) => this.leads.has(unitId) };
  /** Each tracked convoy's indexed corridor. */
  private readonly lines = new Map<string, Line>();
  /** Each convoy's track as this tracker last appended it (the picture's, until it commits). */
  private readonly tracks = new Map<string, ConvoyTrack>();
  /** Open (not cleared) alerts by key (alertKey) → id: those this tracker raised and has not cleared. */
  private readonly open = new Map<string, string>();
  /** Each convoy's track as last appended to the log (the picture's, once committed). */
  private readonly emitted = new Map<string, ConvoyTrack>();
  /** Convoys brought in, whose arrival is appended and not yet committed. */
  private readonly arriving = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: TrackerOptions) {
    this.settings = opts.settings;
    this.staleAfterMs = opts.staleAfterMs;
  }

  start(picture: Picture, ctx: ReactorContext): Reaction {
    this.ctx = ctx;
    for (const track of Object.values(picture.tracks)) {
      this.tracks.set(track.convoyId, track);
      this.emitted.set(track.convoyId, track);
    }
    for (const alert of Object.values(picture.alerts)) if (alert.clearedMs === undefined && alert.convoyId !== undefined) this.open.set(alertKey(alert), alert.id);
    for (const convoy of Object.values(picture.convoys)) this.index(convoy);
    this.timer = setInterval(() => this.checkSilence(), Math.max(100, Math.min(SILENCE_CHECK_MS, this.staleAfterMs / 4)));
    this.timer.unref();
    // Alerts left open for convoys no longer tracked (a stop between an arrival and its clearing).
    const events: NewEvent[] = [];
    const ended = new Set([...this.open.keys()].map((key) => key.split('|')[0]).filter((id) => !TRACKED_STATES.has(picture.convoys[id]?.state ?? '')));
    for (const id of ended) events.push(...this.clearOpen(id, ENDED_KINDS));
    return { events };
  }

  stop(): void {
    clearInterval(this.timer);
  }

  onCommitted(events: readonly PictureEvent[], picture: Picture): Reaction | void {
    const out: NewEvent[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'position.reported':
          for (const unit of event.units) {
            const convoys = this.leads.get(unit.unitId);
            if (convoys) for (const id of convoys) out.push(...this.onFix(id, unit, picture));
          }
          break;
        case 'convoy.upserted':
          this.index(picture.convoys[event.convoy.id] ?? event.convoy);
          out.push(...this.ifEnded(event.convoy.id, picture));
          break;
        case 'convoy.state-changed':
          this.arriving.delete(event.convoyId);
          if (picture.convoys[event.convoyId]) this.index(picture.convoys[event.convoyId]);
          out.push(...this.ifEnded(event.convoyId, picture));
          break;
        case 'convoy.removed':
          this.unindex(event.id);
          this.tracks.delete(event.id);
          this.emitted.delete(event.id);
          for (const [key] of this.open) if (key.startsWith(`${event.id}|`)) this.open.delete(key);
          break;
        case 'threat.removed':
          // A zone removed ends the danger alerts it caused now, since the lead unit may be silent; a
          // zone moved or shrunk ends them at the next report.
          for (const [key, id] of [...this.open]) {
            if (key.endsWith(`|danger_zone|${event.id}`)) {
              this.open.delete(key);
              out.push({ type: 'alert.cleared', id, reason: 'cause_ended' });
            }
          }
          break;
      }
    }
    return out.length > 0 ? { events: out } : undefined;
  }

  // ------------------------------------------------------------ tracking

  /** One fix of a lead unit: the convoy's new track, its alerts, and its arrival. */
  private onFix(convoyId: string, unit: Unit, picture: Picture): NewEvent[] {
    const convoy = picture.convoys[convoyId];
    const corridor = picture.corridors[convoyId];
    if (!convoy || !TRACKED_STATES.has(convoy.state) || this.arriving.has(convoyId)) return [];
    const line = this.lineOf(convoy, corridor, picture);
    if (!line || !corridor) return [];
    const step = stepTrack({
      convoy,
      corridor,
      line: line.line,
      checkpoints: line.checkpoints,
      previous: this.tracks.get(convoyId),
      unitId: unit.unitId,
      fix: { lon: unit.lon, lat: unit.lat, timeMs: unit.timeMs },
      settings: this.settings,
    });
    if (!step) return [];
    this.tracks.set(convoyId, step.track);
    const nowMs = this.ctx?.now() ?? Date.now();
    const out: NewEvent[] = [];
    const causes: Cause[] = [];
    if (step.offCorridor) causes.push({ kind: 'off_corridor', detail: { distance_m: step.track.offset_m, sinceMs: step.track.offSinceMs } });
    if (step.stopped) causes.push({ kind: 'stopped', detail: { sinceMs: step.track.stillSinceMs } });
    for (const zone of dangerZonesAt(picture, unit.lon, unit.lat)) causes.push({ kind: 'danger_zone', detail: { zoneId: zone.id } });
    out.push(...reconcileAlerts({ convoyId, kinds: REPORT_KINDS, causes, open: this.open, nowMs, newId: () => newId('al-', nowMs), shown: (key) => shownAlertId(picture.alerts, key) }));
    // The track goes into the log when it says something new (a checkpoint, off or back on the corridor,
    // a new route, an alert, arrival), else at most every TRACK_EVERY_MS of fix time: a lead unit
    // reporting every second must not send every screen a track a second.
    const emitted = this.emitted.get(convoyId);
    if (!emitted || out.length > 0 || step.arrived || worthSaying(emitted, step.track) || step.track.timeMs - emitted.timeMs >= TRACK_EVERY_MS) {
      out.unshift({ type: 'convoy.tracked', track: step.track });
      this.emitted.set(convoyId, step.track);
    }
    if (step.arrived) out.push(...this.arrive(convoy, corridor, picture, nowMs));
    return out;
  }

  /**
   * A convoy at its destination: `arrived` (as the machine allows from moving), its people into the
   * haven's occupancy, and an `arrived` alert for the planners, cleared at once (its cause is past)
   * and shown until acknowledged.
   */
  private arrive(convoy: Convoy, corridor: Corridor, picture: Picture, nowMs: number): NewEvent[] {
    this.arriving.add(convoy.id);
    const havenId = boundHaven(convoy, corridor, picture.havens);
    const haven = havenId ? picture.havens[havenId] : undefined;
    const people = convoy.people ?? 0;
    const out: NewEvent[] = [
      { type: 'convoy.state-changed', convoyId: convoy.id, from: 'moving', to: 'arrived', reason: haven ? `arrived at ${haven.name}` : 'arrived at its destination' },
    ];
    if (haven && people > 0) out.push({ type: 'haven.upserted', haven: { ...haven, occupancy: haven.occupancy + people, updatedMs: nowMs } });
    const alert: Alert = { id: newId('al-', nowMs), convoyId: convoy.id, kind: 'arrived', raisedMs: nowMs, detail: haven ? { havenId: haven.id, people } : { people } };
    out.push({ type: 'alert.raised', alert }, { type: 'alert.cleared', id: alert.id, reason: 'cause_ended' });
    return out;
  }

  /** A convoy no longer tracked (arrived, aborted, planned again): its open alerts end with it. */
  private ifEnded(convoyId: string, picture: Picture): NewEvent[] {
    const convoy = picture.convoys[convoyId];
    if (convoy && TRACKED_STATES.has(convoy.state)) return [];
    return this.clearOpen(convoyId, ENDED_KINDS);
  }

  private clearOpen(convoyId: string, kinds: ReadonlySet<AlertKind>): NewEvent[] {
    const out: NewEvent[] = [];
    for (const [key, id] of [...this.open]) {
      const [cid, kind] = key.split('|');
      if (cid !== convoyId || !kinds.has(kind as AlertKind)) continue;
      this.open.delete(key);
      out.push({ type: 'alert.cleared', id, reason: 'convoy_ended' });
    }
    return out;
  }

  /** Every few seconds: a tracked convoy whose lead unit fell silent raises `silent`; a report clears it. */
  private checkSilence(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const picture = ctx.picture();
    const nowMs = ctx.now();
    const out: NewEvent[] = [];
    for (const [unitId, convoys] of this.leads) {
      const unit = picture.units[unitId];
      for (const convoyId of convoys) {
        const convoy = picture.convoys[convoyId];
        if (!convoy || !TRACKED_STATES.has(convoy.state)) continue;
        const since = unit?.seenMs ?? movingSinceMs(convoy);
        const causes: Cause[] = since !== undefined && nowMs - since > this.staleAfterMs ? [{ kind: 'silent', detail: { sinceMs: since } }] : [];
        out.push(...reconcileAlerts({ convoyId, kinds: SILENT_ONLY, causes, open: this.open, nowMs, newId: () => newId('al-', nowMs), shown: (key) => shownAlertId(picture.alerts, key) }));
      }
    }
    if (out.length > 0) ctx.append({ events: out });
  }

  // ------------------------------------------------------------ indexes

  /** Notes a convoy's lead unit when it is tracked, forgets it otherwise. */
  private index(convoy: Convoy): void {
    this.unindex(convoy.id);
    if (!convoy.leadUnitId || !TRACKED_STATES.has(convoy.state)) return;
    let set = this.leads.get(convoy.leadUnitId);
    if (!set) this.leads.set(convoy.leadUnitId, (set = new Set()));
    set.add(convoy.id);
  }

  private unindex(convoyId: string): void {
    for (const [unitId, set] of this.leads) {
      if (!set.delete(convoyId)) continue;
      if (set.size === 0) this.leads.delete(unitId);
    }
  }

  /** The convoy's corridor's best route, indexed once per corridor; undefined when it has none. */
  private lineOf(convoy: Convoy, corridor: Corridor | undefined, picture: Picture): Line | undefined {
    if (!corridor || corridor.status !== 'ok' || corridor.routes.length === 0 || corridor.routes[0].coordinates.length < 2) return undefined;
    const key = routeKey(corridor.routes[0]);
    const held = this.lines.get(convoy.id);
    if (held && held.key === key) return held;
    const line = new CorridorLine(corridor.routes[0].coordinates);
    const haven = corridor.havenId ? picture.havens[corridor.havenId] : undefined;
    const made: Line = { key, line, checkpoints: placeCheckpoints(convoy, line, haven?.name ?? '') };
    this.lines.set(convoy.id, made);
    return made;
  }
}

/** When a convoy last went moving, from its history; undefined when unknown. */
function movingSinceMs(convoy: Convoy): number | undefined {
  const history = convoy.stateHistory ?? [];
  for (let i = history.length - 1; i >= 0; i--) if (history[i].to === 'moving') return history[i].atMs;
  return undefined;
}

/** Boxes of zones' areas, made once per zone object. */
const boxes = new WeakMap<ThreatZone, number[]>();

/** The no-go and danger zones a point lies in. */
function dangerZonesAt(picture: Picture, lon: number, lat: number): ThreatZone[] {
  const out: ThreatZone[] = [];
  for (const zone of Object.values(picture.threats)) {
    if (zone.severity === 'advisory') continue;
    let box = boxes.get(zone);
    if (!box) boxes.set(zone, (box = turfBbox(zone.area)));
    if (lon < box[0] || lat < box[1] || lon > box[2] || lat > box[3]) continue;
    if (booleanPointInPolygon([lon, lat], zone.area)) out.push(zone);
  }
  return out;
}

/** Whether a track says something the last one appended did not: a checkpoint passed, off or back on the corridor, a new route. */
function worthSaying(before: ConvoyTrack, now: ConvoyTrack): boolean {
  return before.passed.length !== now.passed.length || (before.offSinceMs === undefined) !== (now.offSinceMs === undefined) || before.routeKey !== now.routeKey;
}

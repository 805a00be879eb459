// The exercise simulator (server/scenario): seeds the scenario, moves a dozen field units along real
// roads given by the router, sends their fixes once a tick and plays the timeline of injects.
// Stateful shell around the pure parts (seed.ts, timeline.ts, path-follower.ts); time comes from
// an injected clock so tests drive it tick by tick.
import { booleanPointInPolygon } from '@turf/turf';
import type CheapRuler from 'cheap-ruler';
import type { Logger } from 'pino';
import type { RouteAnswer, RouteQuery } from '../../routing/types.js';
import type { Picture } from '@corridor/protocol';
import type { ClientCommand, PositionReport } from '@corridor/protocol';
import { leadAt, stepLead, type LeadState } from './convoy-lead.js';
import { plannerCommands } from './planner.js';
import { advanceAlong, pathLengthM, rulerAt, type LonLat, type PathCursor } from './path-follower.js';
import { resolvePlace, type Scenario, type UnitSpec } from './scenario-file.js';
import { EXERCISE_MSG_PREFIX, seedCommands } from './seed.js';
import { dueSteps, loopStarts, resetCommands, stepCommand } from './timeline.js';

/** Sends one command through the server's ingestion path; resolves once it is durable (P3). */
export type Submit = (cmd: ClientCommand) => Promise<{ seq: number }>;

/** Wall-clock time and timers; the default is `Date.now` and the global timers. */
export interface ScenarioClock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** The router as the simulator uses it: route queries answered at once or by promise (a routing thread). */
export interface SimRouting {
  readonly bbox: [number, number, number, number];
  route(query: RouteQuery): RouteAnswer | Promise<RouteAnswer>;
}

export interface SimulatorOptions {
  routing: SimRouting;
  submit: Submit;
  logger: Logger;
  /** The live picture (read before seeding and each tick). */
  picture: () => Picture;
  scenario: Scenario;
  clock?: Pick<ScenarioClock, 'now'>;
  /** Scenario seconds per wall-clock second (1 by default); fix times stay wall-clock (P6). */
  speedup?: number;
  /** Largest scenario time one tick may cover, seconds, so a stalled process does not teleport units. */
  maxStepS?: number;
}

/** What a unit is doing. */
export type UnitMode = 'moving' | 'dwelling' | 'waiting';

/** A simulated unit's state, as tests and logs see it. */
export interface SimUnitState {
  unitId: string;
  callsign: string;
  mode: UnitMode;
  position: LonLat;
  headingDeg: number;
  /** Current speed, m/s (0 unless moving). */
  speedMps: number;
  /** Index of the stop the unit is heading for (or dwelling at). */
  stopIndex: number;
  /** The road path being followed (empty unless moving). */
  path: readonly LonLat[];
  /** Why the last route failed, while waiting after a failure. */
  lastFailure?: string;
  /** Whether the unit is in a planned silence now (sends nothing, so it goes stale). */
  silent: boolean;
}

interface SimUnit {
  spec: UnitSpec;
  pos: LonLat;
  heading: number;
  speed: number;
  legSpeed: number;
  stopIndex: number;
  path: LonLat[];
  cursor: PathCursor;
  mode: UnitMode;
  /** Scenario time at which a dwell ends or a retry is due, seconds. */
  untilS: number;
  failures: number;
  lastFailure?: string;
  /** Scenario time of the next re-plan attempt while driving out of a closure, seconds. */
  replanAtS?: number;
  /** A route is being asked for: the unit does nothing else until it is answered. */
  planning?: boolean;
}

/** What a failed route query is, when the router could not be asked at all. */
type PlanAnswer = RouteAnswer | { ok: false; code: 'internal'; message: string };

/** Failed attempts at one stop after which a unit gives it up and heads for the next one. */
const MAX_FAILURES_PER_STOP = 3;
/** Speed a moving unit never drops below on slow roads, m/s. */
const MIN_SPEED_MPS = 4;
/** How near a closed road (constraint line) a unit counts as on it, metres. */
const ON_CLOSED_ROAD_M = 25;
/** Interval between re-plan attempts while a unit drives out of a closure, scenario seconds. */
const ESCAPE_RETRY_S = 2;

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * Plays one scenario against a router and an ingestion path. Call {@link tick} about once a
 * second; the first tick seeds what the picture lacks, every tick moves units, fires the injects
 * that fell due and sends one `positions` batch.
 */
export class ExerciseSimulator {
  private readonly units: SimUnit[];
  private readonly ruler: CheapRuler;
  private readonly speedup: number;
  private readonly maxStepS: number;
  private readonly clock: Pick<ScenarioClock, 'now'>;
  private readonly runId: string;
  private startMs: number | undefined;
  private lastMs = 0;
  private lastSimS = -1;
  private seeded = false;
  private reportSeq = 0;
  /** Route queries asked during this tick; the tick waits for them before it reports. */
  private plans: Array<Promise<void>> = [];
  private threatsSeen: Picture['threats'] | undefined;
  private constraintsSeen: Picture['constraints'] | undefined;
  private stopped = false;
  /** The units that lead convoys, by convoy id (P21). */
  private readonly leads = new Map<string, LeadState>();

  constructor(private readonly opts: SimulatorOptions) {
    const { scenario } = opts;
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.speedup = opts.speedup ?? 1;
    if (!(this.speedup > 0) || !Number.isFinite(this.speedup)) throw new RangeError(`speedup must be a positive number, got ${opts.speedup}`);
    this.maxStepS = opts.maxStepS ?? Math.max(10, 5 * this.speedup);
    this.ruler = rulerAt((scenario.bbox[1] + scenario.bbox[3]) / 2);
    this.runId = this.clock.now().toString(36);
    const picture = opts.picture();
    this.units = scenario.units.map((spec) => {
      const start = spec.start ?? 0;
      const known = picture.units[spec.id];
      // After a restart a unit carries on from its last fix, heading for its first stop.
      const pos: LonLat = known ? [known.lon, known.lat] : this.stopAt(spec, start);
      return {
        spec,
        pos,
        heading: known?.heading ?? 0,
        speed: 0,
        legSpeed: spec.speedMps,
        stopIndex: known ? start : (start + 1) % spec.stops.length,
        path: [],
        cursor: { seg: 0, offsetM: 0 },
        mode: 'waiting' as UnitMode,
        untilS: 0,
        failures: 0,
      };
    });
    for (const c of scenario.convoys) {
      if (!c.lead) continue;
      const known = picture.units[c.lead.id];
      this.leads.set(c.id, leadAt(c.lead, c.id, known ? [known.lon, known.lat] : resolvePlace(scenario, c.origin)!));
    }
  }

  /** Scenario seconds since the first tick (0 before it). */
  get scenarioTimeS(): number {
    return this.startMs === undefined ? 0 : ((this.clock.now() - this.startMs) / 1000) * this.speedup;
  }

  /** Every unit's state now. */
  unitStates(): SimUnitState[] {
    const simS = Math.max(0, this.lastSimS);
    return this.units.map((u) => ({
      unitId: u.spec.id,
      callsign: u.spec.callsign,
      mode: u.mode,
      position: [u.pos[0], u.pos[1]],
      headingDeg: u.heading,
      speedMps: u.speed,
      stopIndex: u.stopIndex,
      path: u.mode === 'moving' ? u.path : [],
      lastFailure: u.lastFailure,
      silent: this.isSilent(u.spec, simS),
    }));
  }

  /** Stops sending; a tick in progress finishes its current command and sends nothing more. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * One step of the exercise. Never throws for a failed route or a refused command: those are
   * logged and retried; it rejects only on a programming error.
   */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const nowMs = this.clock.now();
    if (this.startMs === undefined) {
      this.startMs = nowMs;
      this.lastMs = nowMs;
    }
    if (!this.seeded) {
      await this.seed();
      this.seeded = true;
    }
    const simS = ((nowMs - this.startMs) / 1000) * this.speedup;
    const fromS = this.lastSimS;
    const dtS = Math.min(this.maxStepS, Math.max(0, ((nowMs - this.lastMs) / 1000) * this.speedup));
    this.lastMs = nowMs;
    this.lastSimS = simS;

    await this.playTimeline(fromS, simS, nowMs);
    if (this.stopped) return;
    if (this.opts.scenario.plannerDecidesS !== undefined) {
      const afterMs = (this.opts.scenario.plannerDecidesS * 1000) / this.speedup;
      for (const cmd of plannerCommands(this.opts.scenario, this.opts.picture(), nowMs, afterMs, (id) => `${EXERCISE_MSG_PREFIX}${this.runId}:planner:${id}`)) await this.send(cmd);
    }

    const picture = this.opts.picture();
    const zonesChanged =
      this.threatsSeen !== undefined && (picture.threats !== this.threatsSeen || picture.constraints !== this.constraintsSeen);
    this.threatsSeen = picture.threats;
    this.constraintsSeen = picture.constraints;

    for (const unit of this.units) {
      // After a zone change a moving unit re-plans, then steps on its new path.
      if (zonesChanged && unit.mode === 'moving' && !unit.planning) this.replan(unit, simS, () => this.step(unit, simS, dtS));
      else this.step(unit, simS, dtS);
    }
    // The routes asked for are answered before anyone moves on them (what they ask may ask again).
    while (this.plans.length > 0) {
      const asked = this.plans;
      this.plans = [];
      await Promise.all(asked);
    }

    // Convoy leads drive their convoys' corridors as the picture holds them now.
    const now = this.opts.picture();
    for (const [convoyId, lead] of this.leads) this.leads.set(convoyId, stepLead(lead, now.convoys[convoyId], now.corridors[convoyId], dtS));

    const reports: PositionReport[] = [];
    const time = new Date(nowMs).toISOString();
    const report = (id: string, spec: { callsign: string; affiliation: PositionReport['affiliation']; accuracyM: number }, pos: LonLat, headingDeg: number, speedMps: number): PositionReport => ({
      unitId: id,
      lon: round(pos[0], 7),
      lat: round(pos[1], 7),
      time,
      heading: round(headingDeg, 1) % 360,
      speed: round(speedMps, 1),
      accuracy: spec.accuracyM,
      callsign: spec.callsign,
      affiliation: spec.affiliation,
    });
    for (const lead of this.leads.values()) reports.push(report(lead.spec.id, lead.spec, lead.pos, lead.headingDeg, lead.speedMps));
    for (const unit of this.units) {
      if (!this.isSilent(unit.spec, simS)) reports.push(report(unit.spec.id, unit.spec, unit.pos, unit.heading, unit.speed));
    }
    if (reports.length > 0) {
      await this.send({ type: 'positions', msgId: `${EXERCISE_MSG_PREFIX}${this.runId}:pos:${this.reportSeq++}`, reports });
    }
  }

  /** Seeds the static content the picture lacks; returns how many commands were sent. */
  async seed(): Promise<number> {
    const commands = seedCommands(this.opts.scenario, this.opts.picture(), this.clock.now());
    for (const cmd of commands) {
      if (this.stopped) break;
      await this.send(cmd);
    }
    this.opts.logger.info(
      { scenario: this.opts.scenario.name, seeded: commands.length, units: this.units.length },
      `${this.opts.scenario.name}: seeded ${commands.length} items, ${this.units.length} units moving`,
    );
    return commands.length;
  }

  private async playTimeline(fromS: number, toS: number, nowMs: number): Promise<void> {
    const { scenario } = this.opts;
    const starts = new Set(loopStarts(scenario, fromS, toS));
    const due = dueSteps(scenario, fromS, toS);
    const reset = async (loop: number) => {
      const cmds = resetCommands(scenario, this.opts.picture(), (id) => `${EXERCISE_MSG_PREFIX}${this.runId}:L${loop}:reset:${id}`);
      for (const cmd of cmds) await this.send(cmd);
      this.opts.logger.info({ loop }, `${scenario.name}: timeline loop ${loop} starts`);
      starts.delete(loop);
    };
    for (const d of due) {
      for (const loop of [...starts].sort((a, b) => a - b)) if (loop <= d.loop) await reset(loop);
      if (this.stopped) return;
      const cmd = stepCommand(d.step, {
        nowMs,
        speedup: this.speedup,
        picture: this.opts.picture(),
        msgId: `${EXERCISE_MSG_PREFIX}${this.runId}:L${d.loop}:T${d.index}`,
      });
      this.opts.logger.info({ loop: d.loop, atS: d.step.atS, id: d.step.id }, `${scenario.name}: ${d.step.inject}`);
      if (cmd) await this.send(cmd);
      // Nothing to act on: a zone already gone, or a convoy not in a state the step may change (P20).
      else this.opts.logger.debug({ loop: d.loop, atS: d.step.atS, id: d.step.id, action: d.step.action }, 'exercise inject skipped: nothing to act on');
    }
    for (const loop of [...starts].sort((a, b) => a - b)) await reset(loop);
  }

  private async send(cmd: ClientCommand): Promise<void> {
    if (this.stopped) return;
    try {
      await this.opts.submit(cmd);
    } catch (err) {
      // A refused inject must not stop the exercise: log it and carry on.
      this.opts.logger.warn({ err, type: cmd.type, msgId: 'msgId' in cmd ? cmd.msgId : undefined }, 'exercise command refused');
    }
  }

  private stopAt(spec: UnitSpec, index: number): LonLat {
    const ref = spec.stops[index % spec.stops.length].place;
    const p = resolvePlace(this.opts.scenario, ref);
    if (!p) throw new Error(`scenario place "${ref}" is unknown`);
    return p;
  }

  private isSilent(spec: UnitSpec, simS: number): boolean {
    if (!spec.silences) return false;
    const t = simS % this.opts.scenario.loopS;
    return spec.silences.some((s) => t >= s.atS && t < s.atS + s.forS);
  }

  private async route(unit: SimUnit, from: LonLat): Promise<PlanAnswer> {
    try {
      return await this.opts.routing.route({
        from,
        to: this.stopAt(unit.spec, unit.stopIndex),
        weight: 'time',
        vehicleClass: unit.spec.vehicleClass,
      });
    } catch (err) {
      return { ok: false, code: 'internal', message: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Plans the way from the unit's position to its current stop; on failure the unit waits. The route
   * is asked for now and taken when it is answered, within this tick; `then` runs after that.
   */
  private plan(unit: SimUnit, simS: number, prefix: LonLat[] = [], then?: () => void): void {
    const from = prefix.length > 0 ? prefix[prefix.length - 1] : unit.pos;
    unit.planning = true;
    this.plans.push(
      this.route(unit, from).then((answer) => {
        unit.planning = false;
        this.follow(unit, simS, answer, prefix);
        then?.();
      }),
    );
  }

  /** Takes a route's answer: the unit follows the route, or waits after a failure. */
  private follow(unit: SimUnit, simS: number, answer: PlanAnswer, prefix: LonLat[]): void {
    const leg = answer.ok ? answer.routes[0] : undefined;
    if (!leg || leg.coordinates.length === 0) {
      const reason = answer.ok ? 'the router returned no route' : `${answer.code}: ${answer.message}`;
      this.fail(unit, simS, reason);
      return;
    }
    if (unit.lastFailure !== undefined) {
      this.opts.logger.info({ unitId: unit.spec.id }, `${unit.spec.callsign} moving again`);
    }
    unit.failures = 0;
    unit.lastFailure = undefined;
    const path = [...prefix, ...leg.coordinates.map(([x, y]) => [x, y] as LonLat)];
    if (pathLengthM(this.ruler, path) < 1) {
      this.arrive(unit, simS);
      return;
    }
    unit.path = path;
    unit.cursor = { seg: 0, offsetM: 0 };
    unit.mode = 'moving';
    // Drive at the road's pace where it is slower than the unit's cruising speed.
    const roadSpeed = leg.duration_s > 0 ? leg.distance_m / leg.duration_s : unit.spec.speedMps;
    unit.legSpeed = Math.min(unit.spec.speedMps, Math.max(MIN_SPEED_MPS, roadSpeed));
  }

  /**
   * After a zone change: finish the current segment, then follow a fresh route from its end. A unit
   * caught inside a new no-go zone or on a road just closed has no route out of it; it drives on
   * along its old path and tries again every few seconds. Any other unit whose way is cut holds.
   */
  private replan(unit: SimUnit, simS: number, then?: () => void): void {
    const next = unit.path[unit.cursor.seg + 1];
    const prefix: LonLat[] = next && unit.cursor.offsetM > 0 ? [[unit.pos[0], unit.pos[1]], next] : [];
    const old = { path: unit.path, cursor: unit.cursor, legSpeed: unit.legSpeed };
    unit.replanAtS = undefined;
    this.plan(unit, simS, prefix, () => {
      if (unit.mode === 'waiting' && old.path.length > 1 && this.caught(unit.pos)) {
        unit.mode = 'moving';
        unit.path = old.path;
        unit.cursor = old.cursor;
        unit.legSpeed = old.legSpeed;
        unit.failures = 0;
        unit.replanAtS = simS + ESCAPE_RETRY_S;
      }
      then?.();
    });
  }

  /** Whether a point lies inside a no-go zone or on a closed road of the live picture. */
  private caught(pos: LonLat): boolean {
    const picture = this.opts.picture();
    for (const zone of Object.values(picture.threats)) {
      if (zone.severity === 'no-go' && booleanPointInPolygon(pos, zone.area)) return true;
    }
    for (const c of Object.values(picture.constraints)) {
      if (c.status !== 'closed') continue;
      const g = c.geometry;
      if (g.type === 'Polygon' || g.type === 'MultiPolygon') {
        if (booleanPointInPolygon(pos, g)) return true;
        continue;
      }
      const lines = g.type === 'LineString' ? [g.coordinates] : g.coordinates;
      for (const line of lines) {
        const near = this.ruler.pointOnLine(line as LonLat[], pos).point;
        if (this.ruler.distance(near, pos) <= ON_CLOSED_ROAD_M) return true;
      }
    }
    return false;
  }

  private fail(unit: SimUnit, simS: number, reason: string): void {
    unit.failures += 1;
    if (unit.lastFailure === undefined) {
      this.opts.logger.warn({ unitId: unit.spec.id, stop: unit.spec.stops[unit.stopIndex].place, reason }, `${unit.spec.callsign} holds: ${reason}`);
    }
    unit.lastFailure = reason;
    unit.mode = 'waiting';
    unit.speed = 0;
    unit.path = [];
    unit.untilS = simS + this.opts.scenario.retryS;
    if (unit.failures >= MAX_FAILURES_PER_STOP) {
      // The stop stays out of reach: try the next task leg instead of waiting for ever.
      unit.failures = 0;
      unit.stopIndex = (unit.stopIndex + 1) % unit.spec.stops.length;
    }
  }

  private arrive(unit: SimUnit, simS: number): void {
    unit.mode = 'dwelling';
    unit.speed = 0;
    unit.path = [];
    unit.untilS = simS + unit.spec.stops[unit.stopIndex].dwellS;
  }

  /** One step of a unit: plans when a wait or a dwell ends, re-plans when due, else moves along. */
  private step(unit: SimUnit, simS: number, dtS: number): void {
    if (unit.planning) return;
    if (unit.mode === 'waiting' && simS >= unit.untilS) {
      // The unit sets off in this very step once its route is answered.
      this.plan(unit, simS, [], () => this.move(unit, simS, dtS));
      return;
    }
    if (unit.mode === 'dwelling' && simS >= unit.untilS) {
      unit.stopIndex = (unit.stopIndex + 1) % unit.spec.stops.length;
      this.plan(unit, simS);
      return;
    }
    if (unit.mode !== 'moving') return;
    if (unit.replanAtS !== undefined && simS >= unit.replanAtS) {
      this.replan(unit, simS, () => this.move(unit, simS, dtS));
      return;
    }
    this.move(unit, simS, dtS);
  }

  /** Moves a moving unit along its path for `dtS` scenario seconds. */
  private move(unit: SimUnit, simS: number, dtS: number): void {
    if (unit.mode !== 'moving') return;
    const moved = advanceAlong(this.ruler, unit.path, unit.cursor, unit.legSpeed * dtS);
    unit.cursor = moved.cursor;
    unit.pos = moved.point;
    unit.heading = moved.headingDeg;
    unit.speed = unit.legSpeed;
    if (moved.done) this.arrive(unit, simS);
  }
}

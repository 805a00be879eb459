// Tests of the exercise simulator's behaviour over the in-memory ingestion path, with a
// straight-line engine so unit motion is easy to check (server/scenario/simulator.ts, index.ts).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { RouteQuery } from '../../routing/types.js';
import { SCENARIO_SENDER } from '../../server/gateway/sender.js';
import { validateCommand } from '@corridor/protocol/validate';
import { startScenario } from '../../server/scenario/index.js';
import { rulerAt } from '../../server/scenario/path-follower.js';
import { loadScenario, resolvePlace, type ConvoyStateStep, type Scenario } from '../../server/scenario/scenario-file.js';
import { ExerciseSimulator, type Submit } from '../../server/scenario/simulator.js';
import { LOOP_RESUME_REASON } from '../../server/scenario/timeline.js';
import { ManualClock, MemoryServer, runTicks, runUntil, silentLogger, StraightLineEngine } from './harness.js';

const scenario = loadScenario();
const ruler = rulerAt(57.7);

function setup(opts: { speedup?: number; engine?: StraightLineEngine; scenario?: Scenario } = {}) {
  const clock = new ManualClock();
  const engine = opts.engine ?? new StraightLineEngine();
  const server = new MemoryServer(clock, engine);
  const sim = new ExerciseSimulator({
    routing: engine,
    submit: server.submit,
    logger: silentLogger,
    picture: () => server.picture,
    scenario: opts.scenario ?? scenario,
    clock,
    speedup: opts.speedup,
  });
  return { clock, engine, server, sim };
}

describe('ExerciseSimulator: seeding', () => {
  it('seeds havens, sites, flows and convoys once, through the ingestion path', async () => {
    const { clock, server, sim } = setup();
    await runTicks(sim, clock, 1);
    const p = server.picture;
    expect(Object.keys(p.havens).sort()).toEqual(scenario.havens.map((h) => h.id).sort());
    expect(Object.keys(p.sites)).toHaveLength(scenario.sites.length);
    expect(Object.keys(p.flows)).toHaveLength(scenario.flows.length);
    expect(Object.keys(p.convoys).sort()).toEqual(scenario.convoys.map((c) => c.id).sort());
    expect(p.havens['hv-ullevi']).toMatchObject({ capacity: 6000, occupancy: 2150, status: 'open' });
    const seeded = server.submitted.length;
    await runTicks(sim, clock, 5);
    expect(server.submitted.filter((c) => c.type.endsWith('.upsert') && 'msgId' in c && String(c.msgId).startsWith('exercise:haven:'))).toHaveLength(
      scenario.havens.length,
    );
    expect(server.submitted.length).toBeGreaterThan(seeded);
  });

  it('after a restart seeds nothing the picture already has', async () => {
    const first = setup();
    await runTicks(first.sim, first.clock, 3);
    const again = new ExerciseSimulator({
      routing: first.engine,
      submit: first.server.submit,
      logger: silentLogger,
      picture: () => first.server.picture,
      scenario,
      clock: first.clock,
    });
    expect(await again.seed()).toBe(0);
  });

  it('resumes units from their last fix after a restart', async () => {
    const first = setup();
    await runTicks(first.sim, first.clock, 30);
    const before = first.server.picture.units['ex-amb-51'];
    const again = new ExerciseSimulator({
      routing: first.engine,
      submit: first.server.submit,
      logger: silentLogger,
      picture: () => first.server.picture,
      scenario,
      clock: first.clock,
    });
    const state = again.unitStates().find((u) => u.unitId === 'ex-amb-51')!;
    expect(state.position).toEqual([before.lon, before.lat]);
  });
});

describe('ExerciseSimulator: field units', () => {
  it('sends one valid positions batch per tick for every unit not silent', async () => {
    const { clock, server, sim } = setup();
    await runTicks(sim, clock, 10);
    const batches = server.commands('positions');
    expect(batches).toHaveLength(10);
    for (const batch of batches) {
      expect(validateCommand(batch, clock.now())).toMatchObject({ ok: true });
      // Twelve field units and the three convoys' lead units.
      expect(batch.reports).toHaveLength(15);
      for (const r of batch.reports) {
        expect(r.heading).toBeGreaterThanOrEqual(0);
        expect(r.heading).toBeLessThan(360);
        expect(r.speed).toBeLessThanOrEqual(15);
        expect(r.accuracy).toBeGreaterThan(0);
        expect(r.callsign).toBeTruthy();
      }
    }
    expect(new Set(batches.map((b) => b.msgId)).size).toBe(10);
    // Times are the wall clock of the tick (P6: never ahead of the server).
    expect(batches.at(-1)!.reports[0].time).toBe(new Date(clock.now()).toISOString());
    expect(Object.keys(server.picture.units)).toHaveLength(15);
  });

  it('moves units at their speed along the path they were given', async () => {
    const { clock, server, sim } = setup();
    await runTicks(sim, clock, 2);
    const a = server.picture.units['ex-amb-51'];
    await runTicks(sim, clock, 10);
    const b = server.picture.units['ex-amb-51'];
    const spec = scenario.units.find((u) => u.id === 'ex-amb-51')!;
    const moved = ruler.distance([a.lon, a.lat], [b.lon, b.lat]);
    // The straight-line engine says 10 m/s on the road; the unit cruises at most at its own speed.
    expect(moved).toBeGreaterThan(10 * 10 * 0.95);
    expect(moved).toBeLessThanOrEqual(spec.speedMps * 10 * 1.01);
    expect(b.speed).toBeCloseTo(10, 5);
    const heading = ruler.bearing([a.lon, a.lat], [b.lon, b.lat]);
    expect(Math.abs(((b.heading! - heading + 540) % 360) - 180)).toBeLessThan(1);
  });

  it('drives each task leg in turn, dwelling at every stop', async () => {
    const { clock, sim } = setup({ speedup: 10 });
    const seen = new Set<number>();
    let dwelt = false;
    for (let i = 0; i < 240; i++) {
      await runTicks(sim, clock, 1);
      const u = sim.unitStates().find((s) => s.unitId === 'ex-police-71')!;
      seen.add(u.stopIndex);
      if (u.mode === 'dwelling') {
        dwelt = true;
        const stop = resolvePlace(scenario, scenario.units.find((x) => x.id === u.unitId)!.stops[u.stopIndex].place)!;
        expect(ruler.distance(stop, u.position)).toBeLessThan(1);
        expect(u.speedMps).toBe(0);
      }
    }
    expect(dwelt).toBe(true);
    expect(seen).toEqual(new Set([0, 1, 2]));
  });

  it('lets a unit go silent for its planned silence, so it shows stale, then report again', async () => {
    const { clock, server, sim } = setup({ speedup: 10 });
    const silence = scenario.units.find((u) => u.id === 'ex-bravo-12')!.silences![0];
    const inBatch = () => server.commands('positions').at(-1)!.reports.some((r) => r.unitId === 'ex-bravo-12');
    await runTicks(sim, clock, Math.floor(silence.atS / 10) - 1);
    expect(inBatch()).toBe(true);
    await runTicks(sim, clock, 2);
    expect(inBatch()).toBe(false);
    const lastSeen = server.picture.units['ex-bravo-12'].seenMs;
    await runTicks(sim, clock, Math.floor(silence.forS / 10) - 2);
    expect(inBatch()).toBe(false);
    // At 10x the silence lasts forS/10 wall seconds; the picture keeps the last fix meanwhile.
    expect(server.picture.units['ex-bravo-12'].seenMs).toBe(lastSeen);
    await runTicks(sim, clock, 2);
    expect(inBatch()).toBe(true);
  });
});

describe('ExerciseSimulator: route failures', () => {
  const ullevi = resolvePlace(scenario, 'pl-ullevi-gate')!;
  const backaplan = resolvePlace(scenario, 'pl-backaplan')!;
  const toUllevi = (q: RouteQuery) => q.to[0] === ullevi[0] && q.to[1] === ullevi[1];
  // ESCORT 21's queries: from Backaplan (where it waits) to Ullevi.
  const escortQuery = (q: RouteQuery) => toUllevi(q) && q.from[0] === backaplan[0] && q.from[1] === backaplan[1];

  it('holds a unit whose route fails, retries after retryS, and moves on when the road opens', async () => {
    const engine = new StraightLineEngine();
    let closed = true;
    engine.fail = (q) =>
      closed && toUllevi(q) ? { ok: false, code: 'no_safe_route', message: 'every path crosses tz-x', blockedBy: ['tz-x'] } : undefined;
    const { clock, sim } = setup({ engine });
    // ESCORT 21 starts at Backaplan and heads for Ullevi.
    await runTicks(sim, clock, 1);
    const held = sim.unitStates().find((u) => u.unitId === 'ex-escort-21')!;
    expect(held.mode).toBe('waiting');
    expect(held.lastFailure).toMatch(/no_safe_route/);
    const asked = engine.queries.filter(escortQuery).length;
    expect(asked).toBe(1);
    await runTicks(sim, clock, scenario.retryS - 1);
    expect(engine.queries.filter(escortQuery).length).toBe(1);
    await runTicks(sim, clock, 1);
    expect(engine.queries.filter(escortQuery).length).toBe(2);
    closed = false;
    await runTicks(sim, clock, scenario.retryS + 1);
    const moving = sim.unitStates().find((u) => u.unitId === 'ex-escort-21')!;
    expect(moving.mode).toBe('moving');
    expect(moving.lastFailure).toBeUndefined();
  });

  it('gives up a stop that stays out of reach and takes the next task leg', async () => {
    const engine = new StraightLineEngine();
    engine.fail = (q) => (toUllevi(q) ? { ok: false, code: 'off_network', message: 'far', path: 'to', distanceM: 2000 } : undefined);
    const { clock, sim } = setup({ engine });
    await runTicks(sim, clock, 3 * scenario.retryS + 3);
    const u = sim.unitStates().find((s) => s.unitId === 'ex-escort-21')!;
    expect(u.stopIndex).toBe(0);
    expect(u.mode).not.toBe('waiting');
  });

  it('drives a unit caught inside a new no-go zone out along its old path, then re-plans; a unit outside holds', async () => {
    const engine = new StraightLineEngine();
    // Without the timeline, so no inject triggers a re-plan of its own.
    const { clock, server, sim } = setup({ engine, scenario: { ...scenario, timeline: [] } });
    await runTicks(sim, clock, 5);
    // SAPPER 31 (Tingstad → Gamlestaden) is the only unit bound for Gamlestaden.
    const sapper = () => sim.unitStates().find((u) => u.unitId === 'ex-sapper-31')!;
    const escort = () => sim.unitStates().find((u) => u.unitId === 'ex-escort-21')!;
    expect(sapper().mode).toBe('moving');
    expect(escort().mode).toBe('moving');
    const centre = sapper().position;
    const end = sapper().path.at(-1)!;
    const radiusM = 150;
    const inside = (p: readonly number[]) => ruler.distance(p as [number, number], centre) < radiusM;
    const ullevi = resolvePlace(scenario, 'pl-ullevi-gate')!;
    // No way on for SAPPER 31 while it is inside the zone; ESCORT 21's way to Ullevi is cut ahead.
    // (Re-planning finishes the current segment first: SAPPER 31 asks from its end, the stop.)
    const isSapperQuery = (q: RouteQuery) => q.from[0] === end[0] && q.from[1] === end[1] && q.to[0] === end[0] && q.to[1] === end[1];
    engine.fail = (q) =>
      (isSapperQuery(q) && inside(sapper().position)) || (q.to[0] === ullevi[0] && q.to[1] === ullevi[1])
        ? { ok: false, code: 'no_safe_route', message: 'cut by tz-x', blockedBy: ['tz-x'] }
        : undefined;
    await server.submit({
      type: 'threat.upsert',
      msgId: 't1',
      feature: { type: 'Feature', geometry: { type: 'Point', coordinates: centre }, properties: { id: 'tz-x', severity: 'no-go', radius_m: radiusM } },
    });
    await runTicks(sim, clock, 1);
    expect(sapper().mode).toBe('moving');
    expect(escort().mode).toBe('waiting');
    // While inside it keeps asking for a way on every few seconds ...
    const asked = () => engine.queries.filter(isSapperQuery).length;
    const first = asked();
    expect(first).toBeGreaterThan(0);
    await runTicks(sim, clock, 4);
    expect(asked()).toBeGreaterThan(first);
    // ... is out of the zone within a minute at 8 m/s, on a fresh route, and stops asking.
    await runTicks(sim, clock, 60);
    expect(inside(sapper().position)).toBe(false);
    expect(sapper().lastFailure).toBeUndefined();
    const settled = asked();
    await runTicks(sim, clock, 10);
    expect(asked()).toBe(settled);
  });

  it('survives an engine that throws: units wait, batches keep coming', async () => {
    const engine = new StraightLineEngine();
    engine.fail = () => 'throw';
    const { clock, server, sim } = setup({ engine });
    await runTicks(sim, clock, 5);
    expect(sim.unitStates().every((u) => u.mode === 'waiting' && /internal/.test(u.lastFailure ?? ''))).toBe(true);
    expect(server.commands('positions')).toHaveLength(5);
  });

  it('keeps going when the server refuses a command', async () => {
    const clock = new ManualClock();
    const server = new MemoryServer(clock);
    let refused = 0;
    const sim = new ExerciseSimulator({
      routing: new StraightLineEngine(),
      submit: async (cmd) => {
        if (cmd.type === 'site.upsert') {
          refused++;
          throw new Error('disk full');
        }
        return server.submit(cmd);
      },
      logger: silentLogger,
      picture: () => server.picture,
      scenario,
      clock,
    });
    await runTicks(sim, clock, 3);
    expect(refused).toBe(scenario.sites.length);
    expect(Object.keys(server.picture.convoys)).toHaveLength(scenario.convoys.length);
    expect(server.commands('positions')).toHaveLength(3);
  });
});

describe('ExerciseSimulator: timeline', () => {
  it('plays the injects at their times and loops, resetting what the loop changed', async () => {
    const { clock, server, sim } = setup({ speedup: 10 });
    await runUntil(sim, clock, 70);
    expect(server.picture.threats['tz-ex-gotaalvbron']).toBeUndefined();
    await runUntil(sim, clock, 80); // INJECT 3: no-go on the Götaälvbron at 75 s
    expect(server.picture.threats['tz-ex-gotaalvbron']).toMatchObject({ severity: 'no-go' });
    await runUntil(sim, clock, 250);
    expect(server.picture.constraints['ac-ex-tingstad-tunnel']).toMatchObject({ status: 'closed' });
    expect(server.picture.havens['hv-chalmers']).toMatchObject({ status: 'full', occupancy: 2500 });
    // The chlorine zone grew and moved: the same id, a larger radius.
    expect(server.picture.threats['tz-ex-ringon-chlorine'].radiusM).toBe(550);
    await runUntil(sim, clock, 850);
    expect(server.picture.threats['tz-ex-gotaalvbron']).toBeUndefined();
    expect(server.picture.threats['tz-ex-ringon-chlorine']).toBeUndefined();
    expect(server.picture.havens['hv-chalmers']).toMatchObject({ status: 'open', occupancy: 2200 });
    expect(server.picture.havens['hv-ullevi']).toMatchObject({ occupancy: 3400 });
    await runUntil(sim, clock, 960); // loop 1 started at 900 s; its 75 s inject is still ahead
    expect(server.picture.threats['tz-ex-gotaalvbron']).toBeUndefined();
    expect(server.picture.threats['tz-ex-evacuees-on-foot']).toBeDefined();
    await runUntil(sim, clock, 980);
    expect(server.picture.threats['tz-ex-gotaalvbron']).toBeDefined();
    // Loop 1 began from the seed figures again.
    expect(server.picture.havens['hv-chalmers']).toMatchObject({ status: 'open', occupancy: 2310 });
    expect(server.picture.havens['hv-ullevi']).toMatchObject({ occupancy: 2150 });
    const refusedSteps = server.submitted.filter((c) => validateCommand(c, clock.now()).ok === false);
    expect(refusedSteps).toEqual([]);
  });

  it('clears leftovers of an earlier run before the first loop', async () => {
    const first = setup({ speedup: 10 });
    await runUntil(first.sim, first.clock, 300); // bridge closed, tunnel closed, Chalmers full
    expect(first.server.picture.threats['tz-ex-gotaalvbron']).toBeDefined();
    const again = new ExerciseSimulator({
      routing: first.engine,
      submit: first.server.submit,
      logger: silentLogger,
      picture: () => first.server.picture,
      scenario,
      clock: first.clock,
      speedup: 10,
    });
    await runTicks(again, first.clock, 1);
    const p = first.server.picture;
    expect(p.threats['tz-ex-gotaalvbron']).toBeUndefined();
    expect(p.constraints['ac-ex-tingstad-tunnel']).toBeUndefined();
    expect(p.havens['hv-chalmers']).toMatchObject({ status: 'open', occupancy: 2310 });
  });

  it('re-plans moving units when zones change', async () => {
    const { clock, engine, sim } = setup({ speedup: 10 });
    await runUntil(sim, clock, 70);
    const before = engine.queries.length;
    await runUntil(sim, clock, 80); // the no-go zone appears
    await runTicks(sim, clock, 1); // the simulator sees it in the picture
    const moving = sim.unitStates().filter((u) => u.mode === 'moving').length;
    expect(engine.queries.length - before).toBeGreaterThanOrEqual(moving);
  });
});

describe('ExerciseSimulator: a planner holds a convoy (P20)', () => {
  const convoySteps = scenario.timeline.filter((s): s is ConvoyStateStep => s.action === 'convoy.state');
  const hold = convoySteps.find((s) => s.to === 'holding')!;
  const GREEN = 'cv-ex-green';
  const resume = convoySteps.find((s) => s.to === 'moving' && s.id === GREEN)!;
  // At 5x every tick covers 5 scenario seconds, so the 45 s and 150 s injects fall on a tick exactly.
  const SPEEDUP = 5;

  /** The simulator over an in-memory server that records the scenario's sender; `submit` keeps every refusal. */
  function planner() {
    const clock = new ManualClock();
    const engine = new StraightLineEngine();
    const server = new MemoryServer(clock, engine, SCENARIO_SENDER.actor);
    const refused: { cmd: unknown; err: unknown }[] = [];
    const submit: Submit = async (cmd) => {
      try {
        return await server.submit(cmd);
      } catch (err) {
        refused.push({ cmd, err });
        throw err;
      }
    };
    const simulator = () =>
      new ExerciseSimulator({ routing: engine, submit, logger: silentLogger, picture: () => server.picture, scenario, clock, speedup: SPEEDUP });
    return { clock, server, sim: simulator(), simulator, refused };
  }

  it('holds EVAC GREEN when the chlorine zone appears (45 s) and lets it move once the analyst clears its corridor (150 s), in its stateHistory', async () => {
    expect(hold).toMatchObject({ id: GREEN, atS: 45 });
    expect(resume).toMatchObject({ id: GREEN, atS: 150 });
    const { clock, server, sim, refused } = planner();
    await runTicks(sim, clock, 1);
    const startMs = clock.now();
    const green = () => server.picture.convoys[GREEN];
    await runUntil(sim, clock, 40);
    expect(green().state).toBe('moving');
    await runUntil(sim, clock, 45);
    expect(server.picture.threats['tz-ex-ringon-chlorine']).toBeDefined();
    expect(green().state).toBe('holding');
    expect(green().stateHistory!.at(-1)).toEqual({
      from: 'moving',
      to: 'holding',
      atMs: startMs + (45 * 1000) / SPEEDUP,
      by: SCENARIO_SENDER.actor,
      reason: 'Chlorine release reported at Ringön',
      resumeWhen: 'Danger zone lifted or corridor confirmed clear by the analyst',
    });
    // Holding keeps the corridor (drawn dashed and greyed) and the other moving convoy moves on.
    expect(server.picture.convoys['cv-ex-blue'].state).toBe('moving');
    await runUntil(sim, clock, 145);
    expect(green().state).toBe('holding');
    await runUntil(sim, clock, 150);
    expect(green().state).toBe('moving');
    expect(green().stateHistory!.at(-1)).toEqual({
      from: 'holding',
      to: 'moving',
      atMs: startMs + (150 * 1000) / SPEEDUP,
      by: SCENARIO_SENDER.actor,
      reason: resume.reason,
    });
    // Loop 1 (from 900 s) holds it again at 945 s; nothing the machine forbids was sent on the way.
    await runUntil(sim, clock, 940);
    expect(green().state).toBe('moving');
    await runUntil(sim, clock, 945);
    expect(green().state).toBe('holding');
    expect(green().stateHistory!.filter((c) => c.to === 'holding')).toHaveLength(2);
    expect(refused).toEqual([]);
  });

  it('after a restart during the hold, moves the convoy again at the first loop start, then holds it at 45 s', async () => {
    const first = planner();
    await runUntil(first.sim, first.clock, 100);
    expect(first.server.picture.convoys[GREEN].state).toBe('holding');
    const again = first.simulator();
    await runTicks(again, first.clock, 1);
    expect(first.server.picture.convoys[GREEN]).toMatchObject({ state: 'moving' });
    expect(first.server.picture.convoys[GREEN].stateHistory!.at(-1)).toMatchObject({ from: 'holding', to: 'moving', reason: LOOP_RESUME_REASON });
    await runUntil(again, first.clock, 45);
    expect(first.server.picture.convoys[GREEN].state).toBe('holding');
    expect(first.refused).toEqual([]);
  });

  it('leaves a convoy alone that an operator has taken elsewhere until the next loop plans it again: nothing the machine forbids is sent', async () => {
    const { clock, server, sim, refused } = planner();
    await runUntil(sim, clock, 20);
    await server.submit({ type: 'convoy.state', msgId: 'op-1', convoyId: GREEN, to: 'holding', reason: 'operator hold', resumeWhen: 'operator says so' });
    await runUntil(sim, clock, 50); // the timeline's hold finds it holding already: skipped
    expect(server.picture.convoys[GREEN].stateHistory!.at(-1)).toMatchObject({ reason: 'operator hold' });
    await server.submit({ type: 'convoy.state', msgId: 'op-2', convoyId: GREEN, to: 'aborted', reason: 'operator abort' });
    await runUntil(sim, clock, 890); // the resumption at 150 s skips it
    expect(server.picture.convoys[GREEN].state).toBe('aborted');
    expect(server.commands('convoy.state').filter((c) => String(c.msgId).startsWith('exercise:') && c.to === 'holding')).toHaveLength(0);
    // The next loop plans the convoy again from the start (P20: an aborted convoy cannot move again), and holds it at 945 s.
    await runUntil(sim, clock, 950);
    expect(server.picture.convoys[GREEN].stateHistory!.map((c) => c.to)).toEqual(['approved', 'moving', 'holding']);
    expect(refused).toEqual([]);
  });

  it('logs a refused change of state and carries on', async () => {
    const lines: { level: number; msg: string; type?: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const clock = new ManualClock();
    const engine = new StraightLineEngine();
    const server = new MemoryServer(clock, engine);
    const sim = new ExerciseSimulator({
      routing: engine,
      // The server refuses the timeline's change, as it would one judged after an operator's (409).
      submit: async (cmd) => {
        if (cmd.type === 'convoy.state' && cmd.to === 'holding') throw new Error('invalid_transition');
        return server.submit(cmd);
      },
      logger,
      picture: () => server.picture,
      scenario,
      clock,
      speedup: SPEEDUP,
    });
    await runUntil(sim, clock, 60);
    expect(server.picture.convoys[GREEN].state).toBe('moving');
    const changes = server.commands('convoy.state').length;
    expect(lines.some((l) => l.level === 40 && l.msg === 'exercise command refused' && l.type === 'convoy.state')).toBe(true);
    const batches = server.commands('positions').length;
    await runTicks(sim, clock, 3);
    expect(server.commands('positions').length).toBe(batches + 3);
    // The resume at 780 s finds the convoy moving and sends nothing (logged at debug).
    await runUntil(sim, clock, 790);
    expect(lines.some((l) => l.level === 20 && /skipped/.test(l.msg))).toBe(true);
    expect(server.commands('convoy.state')).toHaveLength(changes);
  });
});

describe('startScenario', () => {
  it('ticks on the clock and stops cleanly', async () => {
    const clock = new ManualClock();
    const engine = new StraightLineEngine();
    const server = new MemoryServer(clock, engine);
    const handle = startScenario({ routing: engine, submit: server.submit, logger: silentLogger, picture: () => server.picture, clock });
    expect(clock.intervals).toHaveLength(1);
    expect(clock.intervals[0].ms).toBe(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(Object.keys(server.picture.havens)).toHaveLength(scenario.havens.length);
    handle.stop();
    expect(clock.cleared).toEqual([0]);
    const n = server.submitted.length;
    clock.intervals[0].fn();
    await new Promise((r) => setTimeout(r, 20));
    expect(server.submitted.length).toBe(n);
  });

  it('does not start on a road network elsewhere (another CORRIDOR_ROADS)', () => {
    const clock = new ManualClock();
    const engine = new StraightLineEngine([-72.33, 18.56, -72.26, 18.61]);
    const server = new MemoryServer(clock, engine);
    startScenario({ routing: engine, submit: server.submit, logger: silentLogger, picture: () => server.picture, clock }).stop();
    expect(clock.intervals).toHaveLength(0);
    expect(server.submitted).toHaveLength(0);
  });
});

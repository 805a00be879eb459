// Tests of the built-in exercise file and of parseScenario's checks (server/scenario/scenario-file.ts).
import { describe, expect, it } from 'vitest';
import { emptyPicture } from '@corridor/protocol';
import { validateCommand } from '@corridor/protocol/validate';
import { loadScenario, parseScenario, ScenarioError, type ConvoyStateStep, type Scenario } from '../../server/scenario/scenario-file.js';
import { seedCommands } from '../../server/scenario/seed.js';
import { stepCommand } from '../../server/scenario/timeline.js';

const scenario = loadScenario();
const NOW = Date.UTC(2026, 10, 21, 10, 0, 0);
const clone = (): Scenario => structuredClone(scenario);

function parseError(json: unknown): ScenarioError {
  try {
    parseScenario(json);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('parseScenario accepted a broken scenario');
}

describe('built-in exercise (data/scenarios/gothenburg-exercise.json)', () => {
  it('is marked EXERCISE and sized as the issue asks', () => {
    expect(scenario.name).toMatch(/\bEXERCISE\b/);
    expect(scenario.source).toMatch(/EXERCISE/);
    expect(scenario.units).toHaveLength(12);
    expect(scenario.havens.length).toBeGreaterThanOrEqual(3);
    expect(scenario.havens.length).toBeLessThanOrEqual(4);
    expect(scenario.sites.length).toBeGreaterThanOrEqual(5);
    expect(scenario.sites.length).toBeLessThanOrEqual(8);
    expect(scenario.convoys.length).toBeGreaterThanOrEqual(2);
    expect(scenario.convoys.length).toBeLessThanOrEqual(3);
    expect(new Set(scenario.units.map((u) => u.affiliation))).toEqual(new Set(['military', 'humanitarian', 'civil']));
    expect(scenario.units.some((u) => u.silences?.length)).toBe(true);
  });

  it('lies inside the area of play (bbox 11.86–12.09 E, 57.648–57.762 N)', () => {
    const [w, s, e, n] = scenario.bbox;
    const points = [...scenario.places, ...scenario.havens, ...scenario.sites].map((p) => [p.lon, p.lat]);
    for (const step of scenario.timeline) {
      if (step.action === 'threat.upsert') points.push(...(step.polygon ?? [step.center!]));
      if (step.action === 'constraint.upsert') points.push(...(step.lines?.flat() ?? step.polygon ?? []));
    }
    for (const [x, y] of points) {
      expect(x).toBeGreaterThanOrEqual(w);
      expect(x).toBeLessThanOrEqual(e);
      expect(y).toBeGreaterThanOrEqual(s);
      expect(y).toBeLessThanOrEqual(n);
    }
  });

  it('has havens with room accounted for: occupancy never above capacity', () => {
    for (const h of scenario.havens) expect(h.occupancy).toBeLessThanOrEqual(h.capacity);
    for (const step of scenario.timeline) {
      if (step.action !== 'haven.update' || step.occupancy === undefined) continue;
      const haven = scenario.havens.find((h) => h.id === step.id)!;
      expect(step.occupancy).toBeLessThanOrEqual(haven.capacity);
    }
  });

  it('seeds only valid commands (the same validator as real clients, P5)', () => {
    const commands = seedCommands(scenario, emptyPicture(), NOW);
    // A convoy is posted planned, then approved, then moving (P20).
    const steps = scenario.convoys.reduce((n, c) => n + { planned: 0, approved: 1, moving: 2 }[c.state], 0);
    expect(commands.length).toBe(scenario.havens.length + scenario.sites.length + scenario.flows.length + (scenario.plans ?? []).length + scenario.convoys.length + steps);
    for (const cmd of commands) expect(validateCommand(cmd, NOW)).toMatchObject({ ok: true });
  });

  it('turns every timeline step into a valid command', () => {
    const picture = emptyPicture();
    let checked = 0;
    for (const step of scenario.timeline) {
      const cmd = stepCommand(step, { nowMs: NOW, speedup: 1, picture, msgId: 'm' });
      if (!cmd) continue;
      const r = validateCommand(cmd, NOW);
      expect(r, `${step.id} at ${step.atS} s`).toMatchObject({ ok: true });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('re-routes early: a no-go zone appears within the first two minutes, then changes keep coming', () => {
    const firstNoGo = scenario.timeline.find((s) => s.action === 'threat.upsert' && s.severity === 'no-go');
    expect(firstNoGo!.atS).toBeGreaterThanOrEqual(60);
    expect(firstNoGo!.atS).toBeLessThanOrEqual(120);
    const kinds = new Set(scenario.timeline.map((s) => (s.action === 'threat.upsert' ? `${s.action}:${s.severity}` : s.action)));
    for (const k of ['threat.upsert:no-go', 'threat.upsert:danger', 'threat.upsert:advisory', 'constraint.upsert', 'threat.remove']) {
      expect(kinds).toContain(k);
    }
    // The danger zone grows and moves: the same id posted with different centres and radii.
    const chlorine = scenario.timeline.filter((s) => s.action === 'threat.upsert' && s.severity === 'danger');
    expect(new Set(chlorine.map((s) => (s.action === 'threat.upsert' ? s.id : ''))).size).toBe(1);
    expect(new Set(chlorine.map((s) => (s.action === 'threat.upsert' ? `${s.center}` : ''))).size).toBeGreaterThan(1);
    // The advisory expires by itself (validUntil), not by a removal step.
    const advisory = scenario.timeline.find((s) => s.action === 'threat.upsert' && s.severity === 'advisory');
    expect(advisory && advisory.action === 'threat.upsert' && advisory.validForS).toBeGreaterThan(0);
  });
});

describe('built-in exercise: a planner approves, starts, holds and resumes convoys (P20)', () => {
  const steps = scenario.timeline.filter((s): s is ConvoyStateStep => s.action === 'convoy.state');
  const green = steps.filter((s) => s.id === 'cv-ex-green');
  const chlorine = scenario.timeline.filter((s) => s.id === 'tz-ex-ringon-chlorine');

  it('approves and starts EVAC RED, and holds EVAC GREEN as the chlorine zone appears and resumes it once the analyst clears its corridor, within the first three minutes', () => {
    expect(steps.map((s) => [s.id, s.to, s.atS])).toEqual([
      ['cv-ex-red', 'approved', 30],
      ['cv-ex-green', 'holding', chlorine[0].atS],
      ['cv-ex-red', 'moving', 60],
      ['cv-ex-green', 'moving', 150],
    ]);
    expect(chlorine[0].action).toBe('threat.upsert');
    expect(Math.max(...steps.map((s) => s.atS))).toBeLessThan(180);
    expect(scenario.convoys.find((c) => c.id === 'cv-ex-green')!.state).toBe('moving');
    expect(scenario.convoys.find((c) => c.id === 'cv-ex-red')!.state).toBe('planned');
    expect(green[0]).toMatchObject({ reason: 'Chlorine release reported at Ringön', resumeWhen: 'Danger zone lifted or corridor confirmed clear by the analyst' });
    expect(green[1].reason).toMatch(/confirmed clear/);
    expect(green[1].resumeWhen).toBeUndefined();
  });

  it('gives every convoy a lead unit of its own, with an id no field unit has', () => {
    const leads = scenario.convoys.map((c) => c.lead?.id);
    expect(leads).toEqual(['ex-blue-lead', 'ex-green-lead', 'ex-red-lead']);
    for (const id of leads) expect(scenario.units.some((u) => u.id === id)).toBe(false);
  });

  it('plays the hold after the zone that causes it (same second, file order)', () => {
    const index = (s: unknown) => scenario.timeline.indexOf(s as Scenario['timeline'][number]);
    expect(index(green[0])).toBeGreaterThan(index(chlorine[0]));
  });
});

describe('parseScenario', () => {
  it('accepts the built-in file and returns it unchanged', () => {
    expect(parseScenario(clone())).toEqual(scenario);
  });

  it('names the field of a schema error', () => {
    const s = clone() as unknown as { units: { speedMps: unknown }[] };
    s.units[3].speedMps = 'fast';
    const err = parseError(s);
    expect(err.path).toBe('units[3].speedMps');
    expect(err.message).toMatch(/units\[3\]\.speedMps/);
  });

  it('refuses a place reference that resolves to nothing', () => {
    const s = clone();
    s.units[0].stops[1].place = 'pl-atlantis';
    const err = parseError(s);
    expect(err.path).toBe('units[0].stops[1].place');
    expect(err.message).toMatch(/pl-atlantis/);
  });

  it('refuses a duplicate id', () => {
    const s = clone();
    s.sites[1].id = s.sites[0].id;
    expect(parseError(s).path).toBe('sites[1].id');
  });

  it("refuses a convoy whose plan, groups, total or sequence do not hold, and a plan's unknown haven", () => {
    const convoyWith = (change: (c: Scenario['convoys'][number]) => void) => {
      const s = clone();
      change(s.convoys[2]);
      return parseError(s);
    };
    expect(convoyWith((c) => (c.plan = 'ep-none')).path).toBe('convoys[2].plan');
    expect(convoyWith((c) => (c.peopleByGroup = { pets: 320 })).path).toBe('convoys[2].peopleByGroup.pets');
    expect(convoyWith((c) => (c.people = 1)).path).toBe('convoys[2].people');
    expect(convoyWith((c) => (c.after = 'cv-ex-red')).path).toBe('convoys[2].after');
    const s = clone();
    s.plans![0].havens = ['hv-atlantis'];
    expect(parseError(s).path).toBe('plans[0].havens[0]');
  });

  it('refuses ids that do not say their kind', () => {
    const s = clone();
    s.havens[0].id = 'ullevi';
    expect(parseError(s).message).toMatch(/must start with "hv-"/);
  });

  it('refuses a name without EXERCISE', () => {
    const s = clone();
    s.name = 'NORTHERN RIVER 26';
    expect(parseError(s).path).toBe('name');
  });

  it('refuses a zone with both a polygon and a circle', () => {
    const s = clone();
    const i = s.timeline.findIndex((t) => t.action === 'threat.upsert' && t.polygon !== undefined);
    const step = s.timeline[i];
    if (step.action !== 'threat.upsert') throw new Error('fixture');
    step.center = [11.97, 57.71];
    step.radius_m = 100;
    expect(parseError(s).path).toBe(`timeline[${i}]`);
  });

  it('refuses a step beyond the loop', () => {
    const s = clone();
    s.timeline[0].atS = s.loopS;
    expect(parseError(s).path).toBe('timeline[0].atS');
  });

  it('refuses a start index past the last stop', () => {
    const s = clone();
    s.units[0].start = s.units[0].stops.length;
    expect(parseError(s).path).toBe('units[0].start');
  });
  describe('convoy.state steps', () => {
    const holdAt = (s: Scenario) => s.timeline.findIndex((t) => t.action === 'convoy.state' && t.to === 'holding');
    const resumeAt = (s: Scenario) => s.timeline.findIndex((t) => t.action === 'convoy.state' && t.to === 'moving');
    const edit = (i: (s: Scenario) => number, change: (step: Record<string, unknown>) => void) => {
      const s = clone();
      const at = i(s);
      change(s.timeline[at] as unknown as Record<string, unknown>);
      return { s, at };
    };

    it('refuses a hold without a resume condition, naming timeline[i].resumeWhen', () => {
      const { s, at } = edit(holdAt, (step) => delete step.resumeWhen);
      const err = parseError(s);
      expect(err.path).toBe(`timeline[${at}].resumeWhen`);
      expect(err.message).toMatch(new RegExp(`^timeline\\[${at}\\]\\.resumeWhen is required`));
    });

    it('refuses a step without a reason, or with only blanks, naming timeline[i].reason (not another action\'s field)', () => {
      const missing = edit(holdAt, (step) => delete step.reason);
      expect(parseError(missing.s)).toMatchObject({ path: `timeline[${missing.at}].reason`, message: `timeline[${missing.at}].reason is required` });
      const blank = edit(resumeAt, (step) => (step.reason = '   '));
      expect(parseError(blank.s).path).toBe(`timeline[${blank.at}].reason`);
    });

    it('refuses a target other than approved, moving or holding, and a resume condition on a resumption', () => {
      const to = edit(holdAt, (step) => (step.to = 'arrived'));
      const err = parseError(to.s);
      expect(err.path).toBe(`timeline[${to.at}].to`);
      expect(err.message).toMatch(/"approved", "moving", "holding"/);
      const when = edit(resumeAt, (step) => (step.resumeWhen = 'later'));
      expect(parseError(when.s).path).toBe(`timeline[${when.at}].resumeWhen`);
    });

    it('refuses a convoy that is not in the scenario, and a change its state by then forbids (holding a convoy only approved)', () => {
      const unknown = edit(holdAt, (step) => (step.id = 'cv-ex-purple'));
      expect(parseError(unknown.s)).toMatchObject({ path: `timeline[${unknown.at}].id` });
      expect(parseError(unknown.s).message).toMatch(/cv-ex-purple" is not a convoy of the scenario/);
      const approved = edit(holdAt, (step) => (step.id = 'cv-ex-red'));
      expect(parseError(approved.s)).toMatchObject({ path: `timeline[${approved.at}].to` });
      expect(parseError(approved.s).message).toMatch(/convoy "cv-ex-red" is approved by then, and a convoy cannot go from approved to holding/);
    });

    it('refuses steps out of turn (a resumption before the hold), naming the step', () => {
      const resumeGreen = (s: Scenario) => s.timeline.findIndex((t) => t.action === 'convoy.state' && t.to === 'moving' && t.id === 'cv-ex-green');
      const { s, at } = edit(resumeGreen, (step) => (step.atS = 30));
      const err = parseError(s);
      expect(err.path).toBe(`timeline[${at}].to`);
      expect(err.message).toMatch(/is moving by then, and a convoy cannot go from moving to moving/);
    });

    it('names an unknown action, and a stray field against its own action', () => {
      const action = edit(holdAt, (step) => (step.action = 'convoy.teleport'));
      expect(parseError(action.s)).toMatchObject({ path: `timeline[${action.at}].action` });
      expect(parseError(action.s).message).toMatch(/must be one of .*convoy\.state, convoy\.reroute, report\.upsert, got "convoy\.teleport"/);
      const stray = edit(holdAt, (step) => (step.until = 60));
      expect(parseError(stray.s)).toMatchObject({ path: `timeline[${stray.at}].until`, message: `timeline[${stray.at}].until is not a known field` });
    });
  });
});

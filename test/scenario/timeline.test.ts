// Tests of the pure timeline and seed functions (server/scenario/timeline.ts, seed.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyPicture, type Convoy, type ConvoyState, type Picture } from '@corridor/protocol';
import { validateCommand } from '@corridor/protocol/validate';
import { loadScenario, type ConvoyStateStep } from '../../server/scenario/scenario-file.js';
import { planOfSeed, seedCommands, seedMsgId } from '../../server/scenario/seed.js';
import { dueSteps, LOOP_RESUME_REASON, loopStarts, resetCommands, stepCommand } from '../../server/scenario/timeline.js';

const scenario = loadScenario();
const NOW = Date.UTC(2026, 10, 21, 10, 0, 0);
/** A picture holding the exercise's convoy EVAC GREEN in `state`. */
function withGreen(state: ConvoyState): Picture {
  const green: Convoy = { id: 'cv-ex-green', name: 'EVAC GREEN', origin: [11.94, 57.71], destination: [11.98, 57.69], vehicleClass: 'light_truck', state, updatedMs: 0 };
  return { ...emptyPicture(), convoys: { [green.id]: green } };
}
/** A picture holding every convoy of the exercise in its seed state, EVAC GREEN in `green`, and its havens as seeded. */
function asSeeded(green: ConvoyState = 'moving'): Picture {
  const picture = emptyPicture();
  for (const c of scenario.convoys) {
    picture.convoys[c.id] = { id: c.id, name: c.name, origin: [11.94, 57.71], destination: 'nearest-haven', vehicleClass: c.vehicleClass, state: c.id === 'cv-ex-green' ? green : c.state, updatedMs: 0 };
  }
  for (const h of scenario.havens) picture.havens[h.id] = { ...h, updatedMs: 0 };
  for (const p of scenario.plans ?? []) picture.plans[p.id] = { ...planOfSeed(p), id: p.id, updatedMs: 0 };
  return picture;
}
const convoySteps = scenario.timeline.filter((s): s is ConvoyStateStep => s.action === 'convoy.state');
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`timeline property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

describe('dueSteps', () => {
  it('fires every step once in the first loop, in time order', () => {
    const due = dueSteps(scenario, -1, scenario.loopS - 1e-9);
    expect(due.map((d) => d.index).sort((a, b) => a - b)).toEqual(scenario.timeline.map((_, i) => i));
    const times = due.map((d) => d.step.atS);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(due.every((d) => d.loop === 0)).toBe(true);
  });

  it('fires a step at its time in every loop', () => {
    const i = scenario.timeline.findIndex((s) => s.atS === 75);
    const due = dueSteps(scenario, 2 * scenario.loopS + 74.5, 2 * scenario.loopS + 75);
    expect(due).toEqual([{ loop: 2, index: i, step: scenario.timeline[i] }]);
  });

  it('fires nothing for an empty or backward interval', () => {
    expect(dueSteps(scenario, 100, 100)).toEqual([]);
    expect(dueSteps(scenario, 100, 50)).toEqual([]);
  });

  it('gives the same steps however the interval is split into ticks (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 120, noNaN: true }), { minLength: 1, maxLength: 60 }), (gaps) => {
        let t = -1;
        const split = [];
        for (const g of gaps) {
          split.push(...dueSteps(scenario, t, t + g));
          t += g;
        }
        expect(split).toEqual(dueSteps(scenario, -1, t));
      }),
      { seed: SEED },
    );
  });
});

describe('loopStarts', () => {
  it('counts loop 0 at the first tick and each later boundary once', () => {
    expect(loopStarts(scenario, -1, 0)).toEqual([0]);
    expect(loopStarts(scenario, 0, scenario.loopS - 1)).toEqual([]);
    expect(loopStarts(scenario, scenario.loopS - 1, 3 * scenario.loopS)).toEqual([1, 2, 3]);
  });
});

describe('stepCommand', () => {
  const base = { nowMs: NOW, speedup: 1, picture: emptyPicture(), msgId: 'm1' };
  const advisory = scenario.timeline.find((s) => s.action === 'threat.upsert' && s.validForS !== undefined)!;

  it('sends validUntil validForS later, in wall-clock time scaled by the speed-up', () => {
    if (advisory.action !== 'threat.upsert') throw new Error('fixture');
    const cmd = stepCommand(advisory, { ...base, speedup: 4 });
    expect(cmd?.type).toBe('threat.upsert');
    if (cmd?.type !== 'threat.upsert') return;
    expect(Date.parse(cmd.feature.properties.validUntil!)).toBe(NOW + (advisory.validForS! * 1000) / 4);
    expect(cmd.feature.properties.id).toBe(advisory.id);
    expect(cmd.feature.geometry.type).toBe('Point');
    expect(cmd.feature.properties.radius_m).toBe(advisory.radius_m);
  });

  it('removes a zone only while the picture has it (it may have expired already)', () => {
    const removal = scenario.timeline.find((s) => s.action === 'threat.remove')!;
    expect(stepCommand(removal, base)).toBeUndefined();
    const picture: Picture = { ...emptyPicture(), threats: { [removal.id]: {} as Picture['threats'][string] } };
    expect(stepCommand(removal, { ...base, picture })).toEqual({ type: 'threat.remove', msgId: 'm1', id: removal.id });
  });

  it('updates a haven from its live record, keeping an operator-set capacity', () => {
    const step = scenario.timeline.find((s) => s.action === 'haven.update')!;
    expect(stepCommand(step, base)).toBeUndefined();
    const seed = scenario.havens.find((h) => h.id === step.id)!;
    const picture: Picture = { ...emptyPicture(), havens: { [seed.id]: { ...seed, capacity: 9999, updatedMs: 0 } } };
    const cmd = stepCommand(step, { ...base, picture });
    expect(cmd).toMatchObject({ type: 'haven.upsert', haven: { id: seed.id, capacity: 9999 } });
  });

  it('stamps constraints as verified now', () => {
    const step = scenario.timeline.find((s) => s.action === 'constraint.upsert')!;
    const cmd = stepCommand(step, base);
    expect(cmd).toMatchObject({ type: 'constraint.upsert', constraint: { id: step.id, verifiedAt: new Date(NOW).toISOString() } });
  });
});

describe('stepCommand: convoy.state (P20)', () => {
  const base = { nowMs: NOW, speedup: 1, msgId: 'm1' };
  const hold = convoySteps.find((s) => s.to === 'holding')!;
  const resume = convoySteps.find((s) => s.to === 'moving' && s.id === 'cv-ex-green')!;

  it('holds a moving convoy with the step\'s reason and resume condition, as a valid command', () => {
    const cmd = stepCommand(hold, { ...base, picture: withGreen('moving') });
    expect(cmd).toEqual({ type: 'convoy.state', msgId: 'm1', convoyId: 'cv-ex-green', to: 'holding', reason: hold.reason, resumeWhen: hold.resumeWhen });
    expect(validateCommand(cmd, NOW)).toMatchObject({ ok: true });
  });

  it('resumes a holding convoy with a reason and no resume condition', () => {
    const cmd = stepCommand(resume, { ...base, picture: withGreen('holding') });
    expect(cmd).toEqual({ type: 'convoy.state', msgId: 'm1', convoyId: 'cv-ex-green', to: 'moving', reason: resume.reason });
    expect(validateCommand(cmd, NOW)).toMatchObject({ ok: true });
  });

  it('starts an approved convoy, and approves a planned one', () => {
    expect(stepCommand(resume, { ...base, picture: withGreen('approved') })).toMatchObject({ type: 'convoy.state', to: 'moving' });
    const approve = { ...hold, to: 'approved' as const, resumeWhen: undefined };
    expect(stepCommand(approve, { ...base, picture: withGreen('planned') })).toMatchObject({ type: 'convoy.state', to: 'approved' });
    expect(stepCommand(approve, { ...base, picture: withGreen('moving') })).toBeUndefined();
  });

  it('sends nothing the machine forbids: no hold unless moving, no move unless holding or approved, nothing for a missing convoy', () => {
    for (const state of ['planned', 'approved', 'holding', 'arrived', 'aborted'] as const) {
      expect(stepCommand(hold, { ...base, picture: withGreen(state) }), state).toBeUndefined();
    }
    for (const state of ['planned', 'moving', 'arrived', 'aborted'] as const) {
      expect(stepCommand(resume, { ...base, picture: withGreen(state) }), state).toBeUndefined();
    }
    expect(stepCommand(hold, { ...base, picture: emptyPicture() })).toBeUndefined();
  });
});

describe('resetCommands', () => {
  it('sends nothing for a picture as seeded', () => {
    expect(resetCommands(scenario, asSeeded(), (id) => `reset:${id}`)).toEqual([]);
  });

  it('lets a convoy the timeline holds move again when a loop starts', () => {
    expect(resetCommands(scenario, asSeeded('holding'), (id) => `reset:${id}`)).toEqual([
      { type: 'convoy.state', msgId: 'reset:cv-ex-green', convoyId: 'cv-ex-green', to: 'moving', reason: LOOP_RESUME_REASON },
    ]);
  });

  it('plans again a convoy that arrived, was aborted, went past its seed state or is gone: removed, posted planned with its lead, brought to its seed state', () => {
    for (const state of ['arrived', 'aborted'] as const) {
      const cmds = resetCommands(scenario, asSeeded(state), (id) => `reset:${id}`);
      expect(cmds.map((c) => [c.type, 'msgId' in c ? c.msgId : ''])).toEqual([
        ['convoy.remove', 'reset:cv-ex-green:remove'],
        ['convoy.upsert', 'reset:cv-ex-green:convoy'],
        ['convoy.state', 'reset:cv-ex-green:approved'],
        ['convoy.state', 'reset:cv-ex-green:moving'],
      ]);
      expect(cmds[1]).toMatchObject({ convoy: { id: 'cv-ex-green', leadUnitId: 'ex-green-lead' } });
      for (const c of cmds) expect(validateCommand(c, NOW), state).toMatchObject({ ok: true });
    }
    const red = asSeeded();
    red.convoys['cv-ex-red'] = { ...red.convoys['cv-ex-red'], state: 'moving' };
    expect(resetCommands(scenario, red, (id) => `reset:${id}`).map((c) => c.type)).toEqual(['convoy.remove', 'convoy.upsert']);
    const gone = asSeeded();
    delete gone.convoys['cv-ex-red'];
    expect(resetCommands(scenario, gone, (id) => `reset:${id}`).map((c) => c.type)).toEqual(['convoy.upsert']);
  });

  it('removes the timeline zones present and restores every haven to its seed figures (injects and arrivals changed them)', () => {
    const zone = {} as Picture['threats'][string];
    const chalmers = scenario.havens.find((h) => h.id === 'hv-chalmers')!;
    const massan = scenario.havens.find((h) => h.id === 'hv-svenska-massan')!;
    const picture = asSeeded();
    picture.threats = { 'tz-ex-gotaalvbron': zone, 'tz-operator-zone': zone };
    picture.havens[chalmers.id] = { ...chalmers, occupancy: 2500, status: 'full', updatedMs: 0 };
    picture.havens[massan.id] = { ...massan, occupancy: massan.occupancy + 240, updatedMs: 0 };
    const cmds = resetCommands(scenario, picture, (id) => `reset:${id}`);
    expect(cmds).toEqual([
      { type: 'threat.remove', msgId: 'reset:tz-ex-gotaalvbron', id: 'tz-ex-gotaalvbron' },
      { type: 'haven.upsert', msgId: 'reset:hv-svenska-massan', haven: { ...massan } },
      { type: 'haven.upsert', msgId: 'reset:hv-chalmers', haven: { ...chalmers } },
    ]);
  });
});

describe('seedCommands', () => {
  it('seeds everything into an empty picture with deterministic msgIds', () => {
    const cmds = seedCommands(scenario, emptyPicture(), NOW);
    expect(cmds[0]).toMatchObject({ type: 'haven.upsert', msgId: seedMsgId('haven', scenario.havens[0].id) });
    expect(cmds.map((c) => ('msgId' in c ? c.msgId : ''))).toContain('exercise:haven:hv-ullevi');
    // Convoys come last: `nearest-haven` needs the havens in place; each is posted planned and
    // brought to its state by the machine's steps, approved before moving (P20).
    const convoyCmds = cmds.slice(cmds.findIndex((c) => c.type === 'convoy.upsert'));
    expect(convoyCmds.every((c) => c.type === 'convoy.upsert' || c.type === 'convoy.state')).toBe(true);
    for (const c of convoyCmds) if (c.type === 'convoy.upsert') expect(c.convoy.state).toBeUndefined();
    const moving = scenario.convoys.find((c) => c.state === 'moving')!;
    expect(convoyCmds.filter((c) => c.type === 'convoy.state' && c.convoyId === moving.id).map((c) => (c.type === 'convoy.state' ? c.to : ''))).toEqual(['approved', 'moving']);
    const site = cmds.find((c) => c.type === 'site.upsert');
    expect(site).toMatchObject({ site: { date: '2026-11-21', source: 'EXERCISE – simulated' } });
  });

  it('seeds only what the picture lacks', () => {
    const h = scenario.havens[0];
    const picture: Picture = { ...emptyPicture(), havens: { [h.id]: { ...h, updatedMs: 0 } } };
    const cmds = seedCommands(scenario, picture, NOW);
    expect(cmds.some((c) => c.type === 'haven.upsert' && c.haven.id === h.id)).toBe(false);
    expect(cmds.filter((c) => c.type === 'haven.upsert')).toHaveLength(scenario.havens.length - 1);
  });
});

// The exercise's planner (server/scenario/planner.ts, P22) and the timeline's `convoy.reroute` step:
// proposals decided some time after they are made, a convoy held when there is no route and let go
// once one is taken, and nothing sent for a proposal that is too young or for a convoy not under way.
import { describe, expect, it } from 'vitest';
import { emptyPicture, type Convoy, type ConvoyState, type Picture, type RerouteProposal } from '@corridor/protocol';
import { validateCommand } from '@corridor/protocol/validate';
import { NO_ROUTE_HOLD, plannerCommands, ROUTE_TAKEN_REASON } from '../../server/scenario/planner.js';
import { loadScenario, type TimelineStep } from '../../server/scenario/scenario-file.js';
import { stepCommand } from '../../server/scenario/timeline.js';

const scenario = loadScenario();
const NOW = Date.UTC(2026, 11, 6, 9, 0, 0);
const RED = 'cv-ex-red';
const leg = { coordinates: [[11.9, 57.7], [11.91, 57.7]] as [number, number][], distance_m: 600, duration_s: 60, exposure_m: 0, min_clearance_m: null, delta_s: 30 };

function picture(state: ConvoyState, proposal?: Partial<RerouteProposal>, extra: Partial<Convoy> = {}): Picture {
  const p = emptyPicture();
  p.convoys[RED] = { id: RED, name: 'EVAC RED', origin: [11.9, 57.71], destination: 'nearest-haven', vehicleClass: 'heavy_truck', state, updatedMs: 0, ...extra };
  p.corridors[RED] = { convoyId: RED, status: 'ok', routes: [leg], reason: 'r', computedMs: 0 };
  if (proposal) p.proposals[RED] = { id: 'rp-1', convoyId: RED, cause: { zones: [] }, from: [11.9, 57.7], fromReport: true, status: 'ok', routes: [leg], computedMs: NOW - 30_000, ...proposal };
  return p;
}
const decide = (p: Picture, afterMs = 25_000) => plannerCommands(scenario, p, NOW, afterMs, (id) => `planner:${id}`);

describe('plannerCommands', () => {
  it('takes the best route of a proposal once it is old enough, not before', () => {
    expect(decide(picture('moving', {}))).toEqual([{ type: 'convoy.reroute', msgId: 'planner:rp-1:take', convoyId: RED, proposalId: 'rp-1', route: 0 }]);
    expect(decide(picture('moving', { computedMs: NOW - 10_000 }))).toEqual([]);
  });

  it('holds a moving convoy whose proposal has no route, with a reason and the condition to go on', () => {
    const cmds = decide(picture('moving', { status: 'no_safe_route', routes: [] }));
    expect(cmds).toEqual([{ type: 'convoy.state', msgId: 'planner:rp-1:hold', convoyId: RED, to: 'holding', ...NO_ROUTE_HOLD }]);
    for (const c of cmds) expect(validateCommand(c, NOW)).toMatchObject({ ok: true });
    expect(decide(picture('holding', { status: 'no_safe_route', routes: [] }))).toEqual([]);
  });

  it('lets a convoy it held move again once a safe route is its corridor, and leaves an operator\'s hold alone', () => {
    const held = (reason: string) => picture('holding', undefined, { stateHistory: [{ from: 'moving', to: 'holding', reason, resumeWhen: 'x', atMs: 0 }] });
    expect(decide(held(NO_ROUTE_HOLD.reason))).toEqual([{ type: 'convoy.state', msgId: 'planner:cv-ex-red:resume:1', convoyId: RED, to: 'moving', reason: ROUTE_TAKEN_REASON }]);
    expect(decide(held('operator hold'))).toEqual([]);
    const unsafe = held(NO_ROUTE_HOLD.reason);
    unsafe.corridors[RED] = { ...unsafe.corridors[RED], endangeredBy: [{ kind: 'zone', id: 'tz-1' }] };
    expect(decide(unsafe)).toEqual([]);
  });

  it('does nothing for a convoy not under way', () => {
    for (const state of ['planned', 'approved', 'arrived', 'aborted'] as const) expect(decide(picture(state, {})), state).toEqual([]);
  });
});

describe('stepCommand: convoy.reroute', () => {
  const step = scenario.timeline.find((s) => s.action === 'convoy.reroute') as Extract<TimelineStep, { action: 'convoy.reroute' }>;
  it('takes the open proposal\'s route, and is skipped without one', () => {
    expect(step).toMatchObject({ id: RED, atS: 95 });
    expect(stepCommand(step, { nowMs: NOW, speedup: 1, picture: picture('moving', {}), msgId: 'm1' })).toEqual({ type: 'convoy.reroute', msgId: 'm1', convoyId: RED, proposalId: 'rp-1', route: 0 });
    expect(stepCommand(step, { nowMs: NOW, speedup: 1, picture: picture('moving'), msgId: 'm1' })).toBeUndefined();
    expect(stepCommand({ ...step, route: 2 }, { nowMs: NOW, speedup: 1, picture: picture('moving', {}), msgId: 'm1' })).toBeUndefined();
  });
});

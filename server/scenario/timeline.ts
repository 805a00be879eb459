// Pure: the scenario's timeline of injects (threat zones, access constraints, haven figures, convoy
// holds) as client commands, which steps fall due between two instants, and the reset between loops.
import { canTransition, type ClientCommand, type ConvoyState, type Picture } from '@corridor/protocol';
import type { ConvoyStateStep, Scenario, TimelineStep } from './scenario-file.js';
import { convoySeedCommands, planOfSeed } from './seed.js';

/** Inputs a timeline step needs besides itself. */
export interface StepContext {
  /** Wall-clock time, ms since epoch (fix and verification times, P6). */
  nowMs: number;
  /** Scenario seconds per wall-clock second; `validForS` is divided by it. */
  speedup: number;
  /** The live picture: removals, haven updates and convoy changes act only on what is there. */
  picture: Picture;
  msgId: string;
}

/** A step that falls due: its index in the timeline and the loop it belongs to. */
export interface DueStep {
  loop: number;
  index: number;
  step: TimelineStep;
}

/**
 * Steps whose time falls in the scenario-time interval (fromS, toS], in order, across loop
 * boundaries (a step at `atS` fires at `loop * loopS + atS` for every loop).
 * @example dueSteps(scenario, -1, 0) // steps at atS = 0 of loop 0
 */
export function dueSteps(scenario: Scenario, fromS: number, toS: number): DueStep[] {
  const out: DueStep[] = [];
  if (!(toS > fromS)) return out;
  const { loopS, timeline } = scenario;
  const firstLoop = Math.max(0, Math.floor(fromS / loopS));
  const lastLoop = Math.floor(toS / loopS);
  for (let loop = firstLoop; loop <= lastLoop; loop++) {
    const fired = timeline
      .map((step, index) => ({ loop, index, step, t: loop * loopS + step.atS }))
      .filter((d) => d.t > fromS && d.t <= toS)
      .sort((a, b) => a.t - b.t || a.index - b.index);
    for (const { t: _t, ...d } of fired) out.push(d);
  }
  return out;
}

/** Loops that begin in (fromS, toS]: at each, the picture is reset before the loop's steps fire. */
export function loopStarts(scenario: Scenario, fromS: number, toS: number): number[] {
  const out: number[] = [];
  for (let loop = Math.max(0, Math.ceil(fromS / scenario.loopS)); loop * scenario.loopS <= toS; loop++) {
    if (loop * scenario.loopS > fromS) out.push(loop);
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();
const validUntil = (ctx: StepContext, validForS: number | undefined) =>
  validForS === undefined ? undefined : iso(ctx.nowMs + (validForS * 1000) / ctx.speedup);
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The command a timeline step stands for now, or undefined when it has nothing to act on (a zone
 * already gone, e.g. expired by `validUntil`; a haven an operator removed; a convoy not moving for a
 * hold or not holding for a resumption, e.g. one an operator already resumed or aborted, P20).
 * @example stepCommand({ atS: 600, action: 'threat.remove', id: 'tz-x', inject: '...' }, ctx) // undefined unless tz-x is in the picture
 */
export function stepCommand(step: TimelineStep, ctx: StepContext): ClientCommand | undefined {
  const msgId = ctx.msgId;
  switch (step.action) {
    case 'threat.upsert':
      return {
        type: 'threat.upsert',
        msgId,
        feature: {
          type: 'Feature',
          geometry:
            step.polygon !== undefined
              ? { type: 'Polygon', coordinates: [step.polygon] }
              : { type: 'Point', coordinates: step.center ?? [0, 0] },
          properties: withoutUndefined({
            id: step.id,
            severity: step.severity,
            label: step.label,
            source: step.source,
            radius_m: step.polygon !== undefined ? undefined : step.radius_m,
            validUntil: validUntil(ctx, step.validForS),
          }),
        },
      };
    case 'threat.remove':
      return step.id in ctx.picture.threats ? { type: 'threat.remove', msgId, id: step.id } : undefined;
    case 'constraint.upsert':
      return {
        type: 'constraint.upsert',
        msgId,
        constraint: withoutUndefined({
          id: step.id,
          status: step.status,
          category: step.category,
          reason: step.reason,
          geometry:
            step.lines !== undefined
              ? { type: 'MultiLineString' as const, coordinates: step.lines }
              : { type: 'Polygon' as const, coordinates: [step.polygon ?? []] },
          verifiedAt: iso(ctx.nowMs),
          verifiedBy: step.verifiedBy,
          source: step.source,
          validUntil: validUntil(ctx, step.validForS),
        }),
      };
    case 'report.upsert':
      return {
        type: 'report.upsert',
        msgId,
        report: withoutUndefined({ kind: step.kind, unitId: step.unitId, at: step.at, casualties: step.casualties, needs: step.needs, people: step.people, text: step.text, time: iso(ctx.nowMs) }),
      };
    case 'constraint.remove':
      return step.id in ctx.picture.constraints ? { type: 'constraint.remove', msgId, id: step.id } : undefined;
    case 'haven.update': {
      const current = ctx.picture.havens[step.id];
      if (!current) return undefined;
      return {
        type: 'haven.upsert',
        msgId,
        haven: {
          id: current.id,
          name: current.name,
          lon: current.lon,
          lat: current.lat,
          capacity: current.capacity,
          occupancy: step.occupancy ?? current.occupancy,
          status: step.status ?? current.status,
        },
      };
    }
    case 'convoy.reroute': {
      // A planner takes a route of the open proposal, if there is one with that route (P22).
      const proposal = ctx.picture.proposals[step.id];
      const route = step.route ?? 0;
      if (!proposal || route >= proposal.routes.length) return undefined;
      return { type: 'convoy.reroute', msgId, convoyId: step.id, proposalId: proposal.id, route };
    }
    case 'convoy.state': {
      // Only a change the machine allows from the convoy's state now, and the one the timeline means:
      // a hold acts on a moving convoy, a start on an approved one, a resumption on a holding one (P20).
      const current = ctx.picture.convoys[step.id]?.state;
      if (current === undefined || !STEP_FROM[step.to].includes(current) || !canTransition(current, step.to)) return undefined;
      return withoutUndefined({
        type: 'convoy.state' as const,
        msgId,
        convoyId: step.id,
        to: step.to,
        reason: step.reason,
        resumeWhen: step.resumeWhen,
      });
    }
  }
}

/** The states a timeline step acts on, by its target: `moving` lets a holding convoy go again or starts an approved one. */
const STEP_FROM: Record<ConvoyStateStep['to'], readonly ConvoyState[]> = { approved: ['planned'], moving: ['holding', 'approved'], holding: ['moving'] };

/** Why a convoy the timeline held moves again when a loop starts (recorded in its stateHistory). */
export const LOOP_RESUME_REASON = 'exercise timeline starts again';

/**
 * Commands that bring the picture back to the state a loop starts from: the timeline's zones and
 * constraints removed, every haven back to its seed figures, and every convoy back to its seed state:
 * a holding one seeded moving moves again; one that cannot go back through the machine (arrived,
 * aborted, or past its seed state) is removed and posted again from planned, as a planner would plan
 * the next run, so no change the machine forbids is sent (P20). `msgIdOf(id)` names each.
 * @example resetCommands(scenario, pictureAsSeeded, (id) => `reset:${id}`) // []
 */
export function resetCommands(scenario: Scenario, picture: Picture, msgIdOf: (id: string) => string): ClientCommand[] {
  const out: ClientCommand[] = [];
  const threats = new Set<string>();
  const constraints = new Set<string>();
  for (const step of scenario.timeline) {
    if (step.action.startsWith('threat.')) threats.add(step.id);
    else if (step.action.startsWith('constraint.')) constraints.add(step.id);
  }
  for (const id of threats) if (id in picture.threats) out.push({ type: 'threat.remove', msgId: msgIdOf(id), id });
  for (const id of constraints) {
    if (id in picture.constraints) out.push({ type: 'constraint.remove', msgId: msgIdOf(id), id });
  }
  // Every haven back to its seed figures: the timeline's injects and the convoys that arrived changed them.
  for (const seed of scenario.havens) {
    const current = picture.havens[seed.id];
    if (!current) continue;
    if (current.occupancy === seed.occupancy && current.status === seed.status) continue;
    out.push({
      type: 'haven.upsert',
      msgId: msgIdOf(seed.id),
      haven: { ...seed, name: current.name, lon: current.lon, lat: current.lat, capacity: current.capacity },
    });
  }
  // A plan someone removed comes back before the convoys that name it.
  for (const plan of scenario.plans ?? []) {
    if (!(plan.id in picture.plans)) out.push({ type: 'plan.upsert', msgId: msgIdOf(plan.id), plan: planOfSeed(plan) });
  }
  for (const seed of scenario.convoys) {
    const current = picture.convoys[seed.id];
    if (current?.state === seed.state) continue;
    if (seed.state === 'moving' && current?.state === 'holding') {
      out.push({ type: 'convoy.state', msgId: msgIdOf(seed.id), convoyId: seed.id, to: 'moving', reason: LOOP_RESUME_REASON });
      continue;
    }
    // A convoy cannot go back through the machine (arrived, aborted, or past its seed state): the loop
    // posts it again from the start, as a planner would plan the next run (P20).
    if (current) out.push({ type: 'convoy.remove', msgId: msgIdOf(`${seed.id}:remove`), id: seed.id });
    out.push(...convoySeedCommands(scenario, seed, (what) => msgIdOf(`${seed.id}:${what}`)));
  }
  return out;
}

// Pure: the scenario's static content (havens, sites, flows, convoys) as client commands, only for
// what the picture lacks. Sent through the same ingestion path as real clients (server/scenario).
import type { Picture } from '@corridor/protocol';
import type { ClientCommand, ConvoyInput, PlanInput } from '@corridor/protocol';
import { resolvePlace, type ConvoySeed, type PlanSeed, type Scenario } from './scenario-file.js';

/** Prefix of every msgId the scenario sends, so the audit trail shows what the exercise injected. */
export const EXERCISE_MSG_PREFIX = 'exercise:';

/**
 * Deterministic msgId of a seed command, e.g. `exercise:haven:hv-ullevi`: a restart that seeds
 * again is acknowledged with the first seq and not stored twice (P8).
 */
export function seedMsgId(kind: 'haven' | 'site' | 'flow' | 'plan' | 'convoy' | 'convoy-state', id: string): string {
  return `${EXERCISE_MSG_PREFIX}${kind}:${id}`;
}

/** ISO date (`YYYY-MM-DD`, UTC) of a time in ms since epoch. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The machine's steps from planned to a seed's state (P20): a convoy is approved before it moves. */
const STEPS_TO = { planned: [], approved: ['approved'], moving: ['approved', 'moving'] } as const;

/**
 * The seed commands for whatever static content `picture` lacks, in dependency order (havens
 * before convoys, whose `nearest-haven` needs them). Site and flow figures are dated `nowMs` and
 * carry the scenario's source ("EXERCISE – simulated"). A convoy is posted planned and brought to
 * its state by the machine's steps (`convoy.state`), each recorded as a planner's would be.
 * @example seedCommands(scenario, emptyPicture(), Date.now())[0].type // 'haven.upsert'
 */
export function seedCommands(scenario: Scenario, picture: Picture, nowMs: number): ClientCommand[] {
  const date = isoDate(nowMs);
  const out: ClientCommand[] = [];
  const at = (ref: string): [number, number] => {
    const p = resolvePlace(scenario, ref);
    // parseScenario has checked every reference; a miss here is a programming error.
    if (!p) throw new Error(`scenario place "${ref}" is unknown`);
    return p;
  };
  for (const h of scenario.havens) {
    if (h.id in picture.havens) continue;
    out.push({ type: 'haven.upsert', msgId: seedMsgId('haven', h.id), haven: { ...h } });
  }
  for (const s of scenario.sites) {
    if (s.id in picture.sites) continue;
    out.push({ type: 'site.upsert', msgId: seedMsgId('site', s.id), site: { ...s, date, source: scenario.source } });
  }
  for (const f of scenario.flows) {
    if (f.id in picture.flows) continue;
    out.push({
      type: 'flow.upsert',
      msgId: seedMsgId('flow', f.id),
      flow: { id: f.id, from: at(f.from), to: at(f.to), people: f.people, date, source: scenario.source },
    });
  }
  for (const p of scenario.plans ?? []) {
    if (p.id in picture.plans) continue;
    out.push({ type: 'plan.upsert', msgId: seedMsgId('plan', p.id), plan: planOfSeed(p) });
  }
  for (const c of scenario.convoys) {
    if (c.id in picture.convoys) continue;
    out.push(...convoySeedCommands(scenario, c, (what) => seedMsgId(what === 'convoy' ? 'convoy' : 'convoy-state', what === 'convoy' ? c.id : `${c.id}:${what}`)));
  }
  return out;
}

/** A scenario plan as posted: its havens by id. */
export function planOfSeed(p: PlanSeed): PlanInput {
  return {
    id: p.id,
    name: p.name,
    targetGroups: p.targetGroups,
    ...(p.organisation !== undefined ? { organisation: p.organisation } : {}),
    ...(p.havens !== undefined ? { havenIds: p.havens } : {}),
    ...(p.autoAcceptMinutes !== undefined ? { autoAcceptMinutes: p.autoAcceptMinutes } : {}),
    ...(p.note !== undefined ? { note: p.note } : {}),
  };
}

/**
 * A scenario convoy as commands: posted planned (with its lead unit), then brought to its seed state by
 * the machine's steps, each recorded as a planner's would be. `msgIdOf('convoy')` names the post,
 * `msgIdOf(state)` each step.
 */
export function convoySeedCommands(scenario: Scenario, c: ConvoySeed, msgIdOf: (what: 'convoy' | 'approved' | 'moving') => string): ClientCommand[] {
  const at = (ref: string): [number, number] => {
    const p = resolvePlace(scenario, ref);
    if (!p) throw new Error(`scenario place "${ref}" is unknown`);
    return p;
  };
  const out: ClientCommand[] = [
    {
      type: 'convoy.upsert',
      msgId: msgIdOf('convoy'),
      convoy: {
        id: c.id,
        name: c.name,
        origin: at(c.origin),
        destination: c.destination === 'nearest-haven' ? 'nearest-haven' : at(c.destination),
        vehicleClass: c.vehicleClass,
        people: c.people,
        ...(c.lead ? { leadUnitId: c.lead.id } : {}),
        ...(c.autoAcceptMinutes !== undefined ? { autoAcceptMinutes: c.autoAcceptMinutes } : {}),
        ...(c.plan !== undefined ? { planId: c.plan } : {}),
        ...(c.peopleByGroup !== undefined ? { peopleByGroup: c.peopleByGroup } : {}),
        ...(c.priority !== undefined ? { priority: c.priority } : {}),
        ...(c.after !== undefined ? { after: c.after } : {}),
        ...(c.organisation !== undefined ? { organisation: c.organisation } : {}),
        ...(c.vehicles !== undefined ? { vehicles: c.vehicles } : {}),
        ...(c.contact !== undefined ? { contact: c.contact } : {}),
        ...paperworkOfSeed(scenario, c),
      },
    },
  ];
  for (const to of STEPS_TO[c.state]) out.push({ type: 'convoy.state', msgId: msgIdOf(to), convoyId: c.id, to, reason: 'exercise start' });
  return out;
}

/** A seed's movement paperwork as the convoy's fields (issue 18): its checkpoints named after their places. */
function paperworkOfSeed(scenario: Scenario, c: ConvoySeed): Partial<ConvoyInput> {
  const out: Partial<ConvoyInput> = {};
  for (const key of ['focalPoint', 'vehicleType', 'markings', 'plates', 'personnel', 'cargo', 'purpose', 'timeZone', 'radioPlan', 'onAlert'] as const) {
    if (c[key] !== undefined) (out as Record<string, unknown>)[key] = c[key];
  }
  if (c.checkpoints) {
    out.checkpoints = c.checkpoints.map((cp) => {
      const place = scenario.places.find((p) => p.id === cp.place);
      if (!place) throw new Error(`scenario place "${cp.place}" is unknown`);
      return { name: place.name, at: [place.lon, place.lat] as [number, number], ...(cp.hold ? { hold: true } : {}) };
    });
  }
  return out;
}

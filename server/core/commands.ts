// Pure normalisation of validated client commands into log events (server/core): ids, circles, times.
// Commands are imperative (`threat.upsert`), events past-tense facts (`threat.upserted`), STYLE "Naming".
import { circle } from '@turf/turf';
import {
  canTransition,
  commandKind,
  eventKind,
  forbiddenTransition,
  transition,
  ID_PREFIX,
  KINDS,
  type Actor,
  type Alert,
  type ClientCommand,
  type ConvoyInput,
  type ConvoyState,
  type Corridor,
  type Entities,
  type EntitySlice,
  type INPUT_SCHEMAS,
  type Kind,
  type NewEvent,
  type PlanInput,
  type Picture,
  type Polygonal,
  type PositionReport,
  type ProtocolError,
  type RerouteProposal,
  type Report,
  type ThreatFeature,
  type ThreatZone,
  type Unit,
} from '@corridor/protocol';
import type { Static } from '@sinclair/typebox';
import { reportFormProblem } from '@corridor/protocol/validate';
import type { AlertStanding, HavenRoom, NoticeStanding } from './pending-view.js';
import { decidedCorridor } from '../convoys/reroute.js';

export { ID_PREFIX, ROUTING_EVENT_TYPES, type EntitySlice } from '@corridor/protocol';

/** A command that changes the picture (everything but `resync` and `ping`). */
export type MutatingCommand = Exclude<ClientCommand, { type: 'resync' | 'ping' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A mutating command whose `msgId` is optional (HTTP calls need not carry one). */
export type Command = DistributiveOmit<MutatingCommand, 'msgId'> & { msgId?: string };

/** What a command needs besides itself; injected so the function stays pure and testable. */
export interface CommandContext {
  /** Server time of receipt, ms since epoch. */
  nowMs: number;
  actor?: Actor;
  /** Whether the entity exists (committed or queued ahead of this command). */
  exists(slice: EntitySlice, id: string): boolean;
  /** Makes a fresh id with the given prefix, e.g. `tz-`. */
  newId(prefix: string): string;
  /** A convoy's state (committed or queued ahead of this command); undefined when there is no such convoy. */
  convoyState(id: string): ConvoyState | undefined;
  /** An alert's standing (committed or queued ahead of this command); undefined when there is no such alert. */
  alertStanding(id: string): AlertStanding | undefined;
  /** A convoy's open re-route proposal (committed or queued ahead of this command) (P22). */
  proposalOf(convoyId: string): RerouteProposal | undefined;
  /** A convoy's corridor (committed or queued ahead of this command). */
  corridorOf?(convoyId: string): Corridor | undefined;
  /** The haven a convoy is bound for and its places but the convoy's own; undefined without a haven (P23). */
  havenRoom?(convoyId: string): HavenRoom | undefined;
  /**
   * An entity (committed or queued ahead of this command): a convoy's plan, sequence and window are
   * checked against it. Absent: those references are not checked.
   */
  entity?<K extends Kind>(kind: K, id: string): Entities[K] | undefined;
  /** The convoys that name a plan (committed), so a plan with convoys is not removed from under them. */
  planConvoys?(planId: string): string[];
  /** A convoy's deconfliction notice (committed or queued ahead of this command), P36. */
  noticeOf?(convoyId: string): NoticeStanding | undefined;
}

export type CommandResult = { ok: true; event: NewEvent } | { ok: false; error: ProtocolError };

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
/**
 * A ULID-like id: 10 characters of time (ms) then 8 random, base-32, so ids sort by creation time.
 * @example newId('tz-') // 'tz-01jd3k2m9x4f7q2c8w'
 */
export function newId(prefix: string, nowMs = Date.now(), random: () => number = Math.random): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let tail = '';
  for (let i = 0; i < 8; i++) tail += CROCKFORD[Math.floor(random() * 32)];
  return prefix + time + tail;
}

/** Copies only the keys whose value is defined, so live and replayed pictures compare equal. */
export function defined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * A position report as a unit fix: `time` → `timeMs` (receipt time when absent), `seenMs` = receipt.
 * @example toUnit({ unitId: 'u1', lon: 12, lat: 57 }, 1000).timeMs // 1000
 */
export function toUnit(report: PositionReport, nowMs: number, owner?: string): Unit {
  // Hot path (every position): build the object directly, only with the keys that are present.
  const unit: Unit = {
    unitId: report.unitId,
    lon: report.lon,
    lat: report.lat,
    timeMs: report.time === undefined ? nowMs : Date.parse(report.time),
    seenMs: nowMs,
  };
  if (report.heading !== undefined) unit.heading = report.heading;
  if (report.speed !== undefined) unit.speed = report.speed;
  if (report.accuracy !== undefined) unit.accuracy = report.accuracy;
  if (report.callsign !== undefined) unit.callsign = report.callsign;
  if (report.affiliation !== undefined) unit.affiliation = report.affiliation;
  if (owner !== undefined) unit.owner = owner;
  if (report.marking !== undefined) unit.marking = report.marking;
  if (report.cotType !== undefined) unit.cotType = report.cotType;
  if (report.stale !== undefined) unit.staleMs = Date.parse(report.stale);
  return unit;
}

/**
 * The JSON text of a single-fix position event `{msgId, actor?, type, units: [unit]}`, exactly as
 * `JSON.stringify` writes it (same keys, same order, same numbers), at about a third of its cost: the
 * hot path writes one per update. `actorJson` is the actor's own JSON text, made once per connection.
 * Every number is finite (P5 refuses the rest), so `${n}` is what `JSON.stringify` writes for it.
 * @example positionEventJson('m1', undefined, { unitId: 'u1', lon: 12, lat: 57, timeMs: 1, seenMs: 2 })
 *   // '{"msgId":"m1","type":"position.reported","units":[{"unitId":"u1","lon":12,"lat":57,"timeMs":1,"seenMs":2}]}'
 */
export function positionEventJson(msgId: string, actorJson: string | undefined, unit: Unit): string {
  let text = `{"msgId":${JSON.stringify(msgId)},${actorJson === undefined ? '' : `"actor":${actorJson},`}"type":"position.reported","units":[{"unitId":${JSON.stringify(unit.unitId)},"lon":${unit.lon},"lat":${unit.lat},"timeMs":${unit.timeMs},"seenMs":${unit.seenMs}`;
  if (unit.heading !== undefined) text += `,"heading":${unit.heading}`;
  if (unit.speed !== undefined) text += `,"speed":${unit.speed}`;
  if (unit.accuracy !== undefined) text += `,"accuracy":${unit.accuracy}`;
  if (unit.callsign !== undefined) text += `,"callsign":${JSON.stringify(unit.callsign)}`;
  if (unit.affiliation !== undefined) text += `,"affiliation":${JSON.stringify(unit.affiliation)}`;
  if (unit.owner !== undefined) text += `,"owner":${ownerJson(unit.owner)}`;
  if (unit.marking !== undefined) text += `,"marking":${JSON.stringify(unit.marking)}`;
  if (unit.cotType !== undefined) text += `,"cotType":${JSON.stringify(unit.cotType)}`;
  if (unit.staleMs !== undefined) text += `,"staleMs":${unit.staleMs}`;
  return `${text}}]}`;
}

/** The JSON text of an owner (an organisation id), made once per organisation: the hot path writes one per fix. */
const ownerTexts = new Map<string, string>();
function ownerJson(owner: string): string {
  let text = ownerTexts.get(owner);
  if (text === undefined) {
    text = JSON.stringify(owner);
    if (ownerTexts.size < 10_000) ownerTexts.set(owner, text);
  }
  return text;
}

/** Circle steps when a Point threat is buffered by its radius. */
export const CIRCLE_STEPS = 64;

/**
 * The area a threat covers: its polygon, or a 64-step circle of `radius_m` metres around a Point.
 * @example threatArea({ type: 'Point', coordinates: [12, 57] }, 500).type // 'Polygon'
 */
export function threatArea(geometry: ThreatFeature['geometry'], radiusM: number | undefined): Polygonal {
  if (geometry.type !== 'Point') return geometry;
  const c = circle(geometry.coordinates, radiusM ?? 0, { steps: CIRCLE_STEPS, units: 'meters' });
  return c.geometry as Polygonal;
}

/** A threat feature as a zone: id from `properties.id`, then `feature.id`, then a new `tz-` id. */
export function toThreatZone(feature: ThreatFeature, ctx: Pick<CommandContext, 'nowMs' | 'newId'>): ThreatZone {
  const p = feature.properties;
  const id = p.id ?? (feature.id !== undefined ? String(feature.id) : ctx.newId(ID_PREFIX.threats));
  return defined({
    id,
    severity: p.severity,
    label: p.label,
    source: p.source,
    validUntilMs: p.validUntil === undefined ? undefined : Date.parse(p.validUntil),
    radiusM: p.radius_m,
    standoffM: p.standoff_m,
    geometry: feature.geometry,
    area: threatArea(feature.geometry, p.radius_m),
    marking: p.marking,
    updatedMs: ctx.nowMs,
  });
}

function notFound(kind: Kind, id: string, path = 'id'): CommandResult {
  return { ok: false, error: { code: 'not_found', message: `there is no ${KINDS[kind].label} with id "${id}"`, path } };
}

/**
 * The state a convoy upsert leaves (P20): absent, a new convoy is planned and an existing one keeps
 * its state; another state than the convoy's (planned for a new one) is a change the machine must
 * allow and that needs no reason (approved, moving from holding, arrived). Holding and aborted need a
 * reason, so they go through `convoy.state` alone; an upsert is never a way around the machine.
 * @example upsertedState({ name: 'A', origin: [0, 0], destination: [1, 1], state: 'moving' }, 'planned')
 *   // { ok: false, error: { code: 'invalid_transition', ... } }
 */
export function upsertedState(input: ConvoyInput, current: ConvoyState | undefined): { ok: true; state: ConvoyState } | { ok: false; error: ProtocolError } {
  const from = current ?? 'planned';
  const to = input.state;
  if (to === undefined || to === from) return { ok: true, state: from };
  const path = `${KINDS.convoy.input}.state`;
  if (!canTransition(from, to)) return { ok: false, error: forbiddenTransition(from, to, path) };
  if (to === 'holding' || to === 'aborted') {
    return {
      ok: false,
      error: {
        code: 'invalid',
        message: `${path}: a convoy goes into ${to} only with a reason, by POST /api/convoys/:id/state or the convoy.state command`,
        path,
      },
    };
  }
  return { ok: true, state: to };
}

/** What a kind's posted input (validated) becomes as it is stored: an id, defaults, the server's time. */
type Normaliser<K extends Kind> = (input: Static<(typeof INPUT_SCHEMAS)[K]>, ctx: Pick<CommandContext, 'nowMs' | 'newId'>) => Entities[K];

/** One normaliser per kind of the registry (kinds.ts). */
const NORMALISERS: { [K in Kind]: Normaliser<K> } = {
  threat: (feature, ctx) => toThreatZone(feature, ctx),
  haven: (h, ctx) => ({
    id: h.id ?? ctx.newId(ID_PREFIX.havens),
    name: h.name,
    lon: h.lon,
    lat: h.lat,
    capacity: h.capacity,
    occupancy: h.occupancy ?? 0,
    status: h.status,
    ...(h.contact !== undefined ? { contact: h.contact } : {}),
    ...(h.marking !== undefined ? { marking: h.marking } : {}),
    updatedMs: ctx.nowMs,
  }),
  site: (site, ctx) => defined({ ...site, id: site.id ?? ctx.newId(ID_PREFIX.sites), updatedMs: ctx.nowMs }),
  flow: (flow, ctx) => defined({ ...flow, id: flow.id ?? ctx.newId(ID_PREFIX.flows), updatedMs: ctx.nowMs }),
  constraint: (c, ctx) => defined({ ...c, id: c.id ?? ctx.newId(ID_PREFIX.constraints), updatedMs: ctx.nowMs }),
  convoy: (c, ctx) => {
    // People by group make the total (validate.ts refuses a total that differs).
    const people = c.peopleByGroup ? Object.values(c.peopleByGroup).reduce((a, b) => a + b, 0) : c.people;
    return defined({ ...c, people, id: c.id ?? ctx.newId(ID_PREFIX.convoys), vehicleClass: c.vehicleClass ?? '4wd', state: c.state ?? 'planned', updatedMs: ctx.nowMs });
  },
  plan: (p, ctx) => defined({ ...p, id: p.id ?? ctx.newId(ID_PREFIX.plans), updatedMs: ctx.nowMs }),
  report: (r, ctx) => {
    const { time, ...form } = r;
    return defined({
      ...form,
      id: r.id ?? ctx.newId(ID_PREFIX.reports),
      timeMs: time === undefined ? ctx.nowMs : Date.parse(time),
      receivedMs: ctx.nowMs,
      status: 'unverified' as const,
      updatedMs: ctx.nowMs,
    });
  },
};

/**
 * What a convoy names must be there (issue 12): its plan, its groups among the plan's, the convoy it
 * leaves after in the same plan and no loop in the sequence. Undefined when all holds.
 */
function convoyReferencesProblem(convoy: ConvoyInput, ctx: CommandContext): ProtocolError | undefined {
  const entity = ctx.entity;
  if (!entity) return undefined;
  const field = KINDS.convoy.input;
  const plan = convoy.planId === undefined ? undefined : entity('plan', convoy.planId);
  if (convoy.planId !== undefined && !plan) {
    return { code: 'not_found', message: `there is no evacuation plan with id "${convoy.planId}"`, path: `${field}.planId` };
  }
  if (plan && convoy.peopleByGroup) {
    const groups = new Set(plan.targetGroups.map((g) => g.id));
    for (const key of Object.keys(convoy.peopleByGroup)) {
      if (!groups.has(key)) {
        return {
          code: 'invalid',
          message: `${field}.peopleByGroup.${key}: "${key}" is not a target group of plan "${plan.id}" (its groups: ${[...groups].join(', ')})`,
          path: `${field}.peopleByGroup.${key}`,
        };
      }
    }
  }
  if (convoy.after !== undefined) {
    const path = `${field}.after`;
    const first = entity('convoy', convoy.after);
    if (!first) return { code: 'not_found', message: `there is no convoy with id "${convoy.after}" to leave after`, path };
    if (first.planId === undefined || first.planId !== convoy.planId) {
      return { code: 'invalid', message: `${path}: convoy "${convoy.after}" is not in the same evacuation plan; a sequence is within one plan`, path };
    }
    // Follow the chain: it must not come back to this convoy.
    const seen = new Set<string>(convoy.id === undefined ? [] : [convoy.id]);
    for (let at: string | undefined = convoy.after; at !== undefined; at = entity('convoy', at)?.after) {
      if (seen.has(at)) return { code: 'invalid', message: `${path}: leaving after "${convoy.after}" makes a loop in the plan's sequence (through "${at}")`, path };
      seen.add(at);
    }
  }
  return undefined;
}

/** A plan's havens must exist (issue 12). */
function planReferencesProblem(plan: PlanInput, ctx: CommandContext): ProtocolError | undefined {
  for (const [i, id] of (plan.havenIds ?? []).entries()) {
    if (!ctx.exists(KINDS.haven.slice, id)) return { code: 'not_found', message: `there is no safe haven with id "${id}"`, path: `${KINDS.plan.input}.havenIds[${i}]` };
  }
  return undefined;
}

/**
 * Why a convoy may not depart now (issue 12), or undefined: the convoy its plan puts first has not
 * departed (`out_of_sequence`), or now is outside its movement window (`outside_window`). A convoy
 * ahead in the sequence that was aborted no longer holds the others back.
 */
export function departureProblem(convoy: Pick<ConvoyInput, 'after' | 'window'> & { id: string }, ctx: CommandContext, path: string): ProtocolError | undefined {
  if (convoy.after !== undefined) {
    const first = ctx.convoyState(convoy.after);
    if (first === 'planned' || first === 'approved') {
      return { code: 'out_of_sequence', message: `convoy "${convoy.id}" leaves after convoy "${convoy.after}", which is ${first} and has not departed`, path };
    }
  }
  if (convoy.window) {
    const from = Date.parse(convoy.window.from);
    const until = Date.parse(convoy.window.until);
    if (ctx.nowMs < from || ctx.nowMs > until) {
      const when = ctx.nowMs < from ? 'has not opened' : 'has closed';
      return { code: 'outside_window', message: `convoy "${convoy.id}"'s movement window (${convoy.window.from} to ${convoy.window.until}) ${when}; change the window to depart now`, path };
    }
  }
  return undefined;
}

/**
 * Turns one validated command into the event it stands for, or a `not_found` error for the removal
 * of an unknown id. Never throws; the event is not yet stamped (the log adds `seq` and `timeMs`, P1).
 * Upserts and removals of every kind of the registry are alike: the kind's normaliser makes the entity.
 * A convoy's change of state is decided by the machine (`transition`, P20) against its state as the
 * queue will leave it: `not_found`, `invalid`, `invalid_transition`, or `convoy.state-changed`.
 * @example commandToEvent({ type: 'haven.remove', id: 'hv-9' }, ctx) // { ok: false, error: { code: 'not_found', ... } }
 */
export function commandToEvent(cmd: Command, ctx: CommandContext): CommandResult {
  const meta: { msgId?: string; actor?: Actor } = {};
  if (cmd.msgId !== undefined) meta.msgId = cmd.msgId;
  if (ctx.actor !== undefined) meta.actor = ctx.actor;
  const ok = (event: unknown): CommandResult => ({ ok: true, event: event as NewEvent });
  const owner = ctx.actor?.org;
  if (cmd.type === 'position') return ok({ ...meta, type: 'position.reported', units: [toUnit(cmd, ctx.nowMs, owner)] });
  if (cmd.type === 'positions') return ok({ ...meta, type: 'position.reported', units: cmd.reports.map((r) => toUnit(r, ctx.nowMs, owner)) });
  if (cmd.type === 'convoy.state') {
    const from = ctx.convoyState(cmd.convoyId);
    if (from === undefined) return notFound('convoy', cmd.convoyId, 'convoyId');
    const decided = transition(from, cmd.to, cmd);
    if (!decided.ok) return { ok: false, error: decided.error };
    const full = cmd.to === 'approved' ? overfills(cmd.convoyId, ctx) : undefined;
    if (full) return { ok: false, error: full };
    const stored = from === 'approved' && cmd.to === 'moving' ? ctx.entity?.('convoy', cmd.convoyId) : undefined;
    const early = stored ? departureProblem(stored, ctx, 'to') : undefined;
    if (early) return { ok: false, error: early };
    return ok({ ...meta, type: 'convoy.state-changed', convoyId: cmd.convoyId, ...decided.change });
  }
  if (cmd.type === 'convoy.reroute') return rerouteDecision(cmd, ctx, meta);
  if (cmd.type === 'sites.import') return sitesImport(cmd, ctx, meta);
  if (cmd.type === 'report.review') return reportReview(cmd, ctx, meta);
  if (cmd.type === 'convoy.route') return routeChoice(cmd, ctx, meta);
  if (cmd.type === 'notice.send' || cmd.type === 'notice.ack') return noticeChange(cmd, ctx, meta);
  if (cmd.type === 'unit.alert') {
    // One alert per unit and kind (issue 14): raised while none is open, ended by a cancel.
    const id = unitAlertId(cmd.unitId, cmd.kind);
    const standing = ctx.alertStanding(id);
    const open = standing === 'unacknowledged' || standing === 'acknowledged';
    if (cmd.cancel) {
      if (!open) return { ok: false, error: { code: 'not_found', message: `unit "${cmd.unitId}" has no open ${cmd.kind} alert to cancel`, path: 'unitId' } };
      return ok({ ...meta, type: 'alert.cleared', id, reason: 'cause_ended' });
    }
    if (open) return { ok: false, error: { code: 'invalid', message: `unit "${cmd.unitId}" already has an open ${cmd.kind} alert (${id})`, path: 'unitId' } };
    const detail: Alert['detail'] = { at: cmd.at };
    if (cmd.text !== undefined) detail.text = cmd.text;
    if (cmd.callsign !== undefined) detail.callsign = cmd.callsign;
    const alert: Alert = { id, unitId: cmd.unitId, kind: cmd.kind, raisedMs: ctx.nowMs, detail };
    if (ctx.actor) alert.owner = ctx.actor.org;
    return ok({ ...meta, type: 'alert.raised', alert });
  }
  if (cmd.type === 'alert.ack') {
    const standing = ctx.alertStanding(cmd.alertId);
    if (standing === undefined) {
      return { ok: false, error: { code: 'not_found', message: `there is no open alert with id "${cmd.alertId}"`, path: 'alertId' } };
    }
    if (standing === 'acknowledged') {
      return { ok: false, error: { code: 'already_acknowledged', message: `alert "${cmd.alertId}" was already acknowledged`, path: 'alertId' } };
    }
    return ok(cmd.remark === undefined ? { ...meta, type: 'alert.acknowledged', id: cmd.alertId } : { ...meta, type: 'alert.acknowledged', id: cmd.alertId, remark: cmd.remark });
  }
  const ck = commandKind(cmd.type);
  if (!ck) return { ok: false, error: { code: 'unknown_type', message: `unknown command ${(cmd as { type: string }).type}`, path: 'type' } };
  const spec = KINDS[ck.kind];
  if (ck.op === 'upsert') {
    let input = (cmd as unknown as Record<string, unknown>)[spec.input];
    if (ck.kind === 'convoy') {
      const convoy = input as ConvoyInput;
      const current = convoy.id === undefined ? undefined : ctx.convoyState(convoy.id);
      const state = upsertedState(convoy, current);
      if (!state.ok) return state;
      const full = state.state === 'approved' && current === 'planned' && convoy.id !== undefined ? overfills(convoy.id, ctx, `${KINDS.convoy.input}.state`) : undefined;
      if (full) return { ok: false, error: full };
      const refs = convoyReferencesProblem(convoy, ctx);
      if (refs) return { ok: false, error: refs };
      const early = state.state === 'moving' && current === 'approved' && convoy.id !== undefined ? departureProblem({ ...convoy, id: convoy.id }, ctx, `${KINDS.convoy.input}.state`) : undefined;
      if (early) return { ok: false, error: early };
      input = { ...convoy, state: state.state };
    }
    if (ck.kind === 'plan') {
      const refs = planReferencesProblem(input as PlanInput, ctx);
      if (refs) return { ok: false, error: refs };
    }
    if (ck.kind === 'report') {
      // A report is sent once, as seen; what an analyst makes of it is a review (issue 15).
      const id = (input as { id?: string }).id;
      if (id !== undefined && ctx.exists(spec.slice, id)) {
        return { ok: false, error: { code: 'conflict', message: `field report "${id}" was already sent; an analyst changes it by reviewing it (report.review)`, path: `${spec.input}.id` } };
      }
    }
    const made = (NORMALISERS[ck.kind] as Normaliser<Kind>)(input as never, ctx) as unknown as Record<string, unknown>;
    // Who posted it (issue 13): the sharing agreement decides who else receives it, by its marking.
    const entity = owner !== undefined ? { ...made, owner } : made;
    // What it was, when its owner or marking changes: who saw it before may no longer (P28).
    const before = ctx.entity?.(ck.kind, made.id as string) as { owner?: string; marking?: string } | undefined;
    const was = before && (before.owner !== entity.owner || before.marking !== entity.marking) ? wasOf(before) : undefined;
    return ok({ ...meta, type: `${ck.kind}.upserted`, [spec.field]: entity, ...(was ? { was } : {}) });
  }
  const id = (cmd as { id: string }).id;
  if (!ctx.exists(spec.slice, id)) return notFound(ck.kind, id);
  const gone = ctx.entity?.(ck.kind, id) as { owner?: string; marking?: string } | undefined;
  const wasMeta = gone ? { was: wasOf(gone) } : {};
  if (ck.kind === 'plan' && ctx.planConvoys) {
    const still = ctx.planConvoys(id);
    if (still.length > 0) {
      return { ok: false, error: { code: 'in_use', message: `evacuation plan "${id}" still has convoys ${still.map((c) => `"${c}"`).join(', ')}; remove them or move them to another plan first`, path: 'id' } };
    }
  }
  return ok(spec.expires ? { ...meta, type: `${ck.kind}.removed`, id, reason: 'deleted', ...wasMeta } : { ...meta, type: `${ck.kind}.removed`, id, ...wasMeta });
}

/**
 * An entity's owner and marking as a removal or a change of marking carries them (issue 13).
 * @example wasOf({ owner: 'WFP', marking: 'humanitarian', name: 'x' }) // { owner: 'WFP', marking: 'humanitarian' }
 */
export function wasOf(entity: { owner?: string; marking?: string }): { owner?: string; marking?: string } {
  const was: { owner?: string; marking?: string } = {};
  if (entity.owner !== undefined) was.owner = entity.owner;
  if (entity.marking !== undefined) was.marking = entity.marking;
  return was;
}

/** The entity an upsert event creates, as (slice, id), so later commands in a batch see it exist. */
export function upsertedEntity(event: NewEvent): [EntitySlice, string] | undefined {
  const ek = eventKind(event.type);
  if (ek?.op !== 'upserted') return undefined;
  const spec = KINDS[ek.kind];
  return [spec.slice, (event as unknown as Record<string, { id: string }>)[spec.field].id];
}

/** The entity a removal event removes, as (slice, id). */
export function removedEntity(event: NewEvent): [EntitySlice, string] | undefined {
  const ek = eventKind(event.type);
  if (ek?.op !== 'removed') return undefined;
  return [KINDS[ek.kind].slice, (event as { id: string }).id];
}

/** Whether an entity exists in a picture. */
export function existsIn(picture: Picture, slice: EntitySlice, id: string): boolean {
  return Object.hasOwn(picture[slice], id);
}

/** The system actor under which the server itself appends events (expiry, corridors, scenario). */
/**
 * The id of a unit's alert of a kind: one per unit and kind, so a device that raises it again while
 * open is told so, and its cancel finds it.
 * @example unitAlertId('ANDROID-1', 'emergency') // 'al-emergency-ANDROID-1'
 */
export function unitAlertId(unitId: string, kind: 'emergency' | 'casevac'): string {
  return `al-${kind}-${unitId}`;
}

export const SYSTEM_ACTOR: Actor = { tokenId: 'system', org: 'corridor', role: 'system' };

/**
 * A planner's decision on a re-route proposal (P22): the proposal must be the convoy's open one and
 * have the route asked for, and the convoy be under way; the decision carries the corridor it makes.
 */
function rerouteDecision(cmd: Extract<Command, { type: 'convoy.reroute' }>, ctx: CommandContext, meta: { msgId?: string; actor?: Actor }): CommandResult {
  const state = ctx.convoyState(cmd.convoyId);
  if (state === undefined) return notFound('convoy', cmd.convoyId, 'convoyId');
  const proposal = ctx.proposalOf(cmd.convoyId);
  if (!proposal || proposal.id !== cmd.proposalId) {
    const now = proposal ? `its open proposal is "${proposal.id}"` : 'it has no open proposal';
    return { ok: false, error: { code: 'stale_proposal', message: `proposal "${cmd.proposalId}" is not convoy "${cmd.convoyId}"'s open re-route proposal: ${now}`, path: 'proposalId' } };
  }
  if (state !== 'moving' && state !== 'holding') {
    return { ok: false, error: { code: 'invalid_transition', message: `convoy "${cmd.convoyId}" is ${state}: only a moving or holding convoy is re-routed`, path: 'convoyId' } };
  }
  const route = cmd.route ?? 0;
  if (route >= proposal.routes.length) {
    const has = proposal.routes.length === 0 ? `it has no route (${proposal.status})` : `it has routes 0 to ${proposal.routes.length - 1}`;
    return { ok: false, error: { code: 'invalid', message: `route ${route} is not a route of proposal "${proposal.id}": ${has}`, path: 'route' } };
  }
  const corridor = decidedCorridor(proposal, route, ctx.nowMs, (z) => z.id);
  return { ok: true, event: { ...meta, type: 'reroute.decided', convoyId: cmd.convoyId, proposalId: proposal.id, route, corridor } as NewEvent };
}

/**
 * An analyst's review of a field report (issue 15): its new status, its form corrected (only the
 * fields its kind has), a remark, and the access constraint it became (which must exist). The report
 * stays its reporter's (owner, unit); the review says who reviewed it, and the event's actor too.
 */
function reportReview(cmd: Extract<Command, { type: 'report.review' }>, ctx: CommandContext, meta: { msgId?: string; actor?: Actor }): CommandResult {
  const report = ctx.entity?.('report', cmd.reportId);
  if (!report) return notFound('report', cmd.reportId, 'reportId');
  const form = cmd.changes ? reportFormProblem(report.kind, cmd.changes, 'changes', true) : undefined;
  if (form) return { ok: false, error: form };
  if (cmd.constraintId !== undefined && !ctx.exists(KINDS.constraint.slice, cmd.constraintId)) {
    return notFound('constraint', cmd.constraintId, 'constraintId');
  }
  const review: NonNullable<Report['review']> = { org: ctx.actor?.org ?? SYSTEM_ACTOR.org, role: ctx.actor?.role ?? SYSTEM_ACTOR.role, atMs: ctx.nowMs };
  if (cmd.remark !== undefined) review.remark = cmd.remark;
  const constraintId = cmd.constraintId ?? report.review?.constraintId;
  if (constraintId !== undefined) review.constraintId = constraintId;
  const reviewed: Report = { ...report, ...defined(cmd.changes ?? {}), status: cmd.status, review, updatedMs: ctx.nowMs };
  return { ok: true, event: { ...meta, type: 'report.upserted', report: reviewed } as NewEvent };
}

/**
 * An import of displacement figures (issue 17, P35): every site and flow normalised as its own upsert
 * would be (an id, the server's time, the owner), in one `sites.imported` event, with `was` for each
 * item whose owner or marking changes (P28), and the import's own record (`im-` id, who, counts).
 */
function sitesImport(cmd: Extract<Command, { type: 'sites.import' }>, ctx: CommandContext, meta: { msgId?: string; actor?: Actor }): CommandResult {
  const owner = ctx.actor?.org;
  const was: Record<string, { owner?: string; marking?: string }> = {};
  let changed = false;
  // One object per item, as the kind's normaliser and the owner would make it (`{...input, id,
  // updatedMs, owner}`): an import of 100,000 sites is made on the main thread, where each copy counts;
  // Object.assign copies an object read from a thread or from JSON several times faster than a spread
  // does (measured: 100,000 sites in 20-60 ms against 650-850 ms on the 2-core test machine).
  const stored = <K extends 'site' | 'flow'>(kind: K, input: Static<(typeof INPUT_SCHEMAS)[K]>): Entities[K] => {
    let entity = Object.assign({}, input) as Entities[K];
    if (entity.id === undefined) entity.id = ctx.newId(KINDS[kind].prefix);
    entity.updatedMs = ctx.nowMs;
    if (owner !== undefined) entity.owner = owner;
    for (const k in entity) {
      if ((entity as unknown as Record<string, unknown>)[k] === undefined) {
        entity = defined(entity);
        break;
      }
    }
    const before = ctx.entity?.(kind, entity.id);
    if (before && (before.owner !== entity.owner || before.marking !== entity.marking)) {
      was[entity.id] = wasOf(before);
      changed = true;
    }
    return entity;
  };
  const sites = cmd.sites.map((s) => stored('site', s));
  const flows = (cmd.flows ?? []).map((f) => stored('flow', f));
  const record = { id: cmd.import.id ?? ctx.newId('im-'), name: cmd.import.name, by: owner ?? SYSTEM_ACTOR.org, rows: cmd.import.rows, sites: sites.length, flows: flows.length, skipped: cmd.import.skipped };
  return { ok: true, event: { ...meta, type: 'sites.imported', import: record, sites, flows, ...(changed ? { was } : {}) } as NewEvent };
}

/**
 * A planner's choice among the routes of a planned or approved convoy (issue 12): the route moves to
 * the front of its corridor, marked `chosen`; an under-way convoy changes route by a re-route decision.
 */
function routeChoice(cmd: Extract<Command, { type: 'convoy.route' }>, ctx: CommandContext, meta: { msgId?: string; actor?: Actor }): CommandResult {
  const state = ctx.convoyState(cmd.convoyId);
  if (state === undefined) return notFound('convoy', cmd.convoyId, 'convoyId');
  if (state !== 'planned' && state !== 'approved') {
    return { ok: false, error: { code: 'invalid_transition', message: `convoy "${cmd.convoyId}" is ${state}: a route is chosen while it is planned or approved; under way it changes by a re-route`, path: 'convoyId' } };
  }
  const corridor = ctx.corridorOf?.(cmd.convoyId);
  if (!corridor || corridor.status !== 'ok' || cmd.route >= corridor.routes.length) {
    const has = !corridor ? 'it has no corridor yet' : corridor.status !== 'ok' ? `its corridor is ${corridor.status}` : `it has routes 0 to ${corridor.routes.length - 1}`;
    return { ok: false, error: { code: 'invalid', message: `route ${cmd.route} is not a route of convoy "${cmd.convoyId}": ${has}`, path: 'route' } };
  }
  const routes = [corridor.routes[cmd.route], ...corridor.routes.filter((_, i) => i !== cmd.route)];
  const { deltaS: _delta, ...rest } = corridor;
  const chosen: Corridor = { ...rest, routes, chosen: true, computedMs: ctx.nowMs };
  return { ok: true, event: { ...meta, type: 'convoy.route-chosen', convoyId: cmd.convoyId, route: cmd.route, corridor: chosen } as NewEvent };
}

/**
 * A notice sent, or acknowledged by a party (P36): only the version held, only a draft is sent, only a
 * sent notice is acknowledged (an acknowledged one again: `already_acknowledged`).
 */
function noticeChange(cmd: Extract<Command, { type: 'notice.send' | 'notice.ack' }>, ctx: CommandContext, meta: { msgId?: string; actor?: Actor }): CommandResult {
  const ok = (event: unknown): CommandResult => ({ ok: true, event: event as NewEvent });
  if (ctx.convoyState(cmd.convoyId) === undefined) return notFound('convoy', cmd.convoyId, 'convoyId');
  const held = ctx.noticeOf?.(cmd.convoyId);
  if (!held) {
    return { ok: false, error: { code: 'not_found', message: `convoy "${cmd.convoyId}" has no deconfliction notice: one is drafted when the convoy is approved`, path: 'convoyId' } };
  }
  const name = `notice ${held.reference} version ${held.version}`;
  if (cmd.version !== undefined && cmd.version !== held.version) {
    const why = cmd.version < held.version ? `was superseded by version ${held.version}` : `does not exist yet (the latest is ${held.version})`;
    return { ok: false, error: { code: 'invalid_transition', message: `version ${cmd.version} of notice ${held.reference} ${why}: read the notice again`, path: 'version' } };
  }
  if (cmd.type === 'notice.send') {
    if (held.status !== 'draft') return { ok: false, error: { code: 'invalid_transition', message: `${name} is ${held.status}: only a draft is sent`, path: 'convoyId' } };
    return ok({ ...meta, type: 'notice.sent', convoyId: cmd.convoyId, version: held.version });
  }
  if (held.status === 'acknowledged') return { ok: false, error: { code: 'already_acknowledged', message: `${name} was already acknowledged`, path: 'convoyId' } };
  if (held.status !== 'sent') return { ok: false, error: { code: 'invalid_transition', message: `${name} is ${held.status}: only a sent notice is acknowledged`, path: 'convoyId' } };
  if (cmd.by.trim() === '') return { ok: false, error: { code: 'invalid', message: 'by must name who acknowledged the notice', path: 'by' } };
  const event: Record<string, unknown> = { ...meta, type: 'notice.acknowledged', convoyId: cmd.convoyId, version: held.version, by: cmd.by.trim() };
  if (cmd.remark !== undefined) event.remark = cmd.remark;
  return ok(event);
}

/**
 * The error of an approval that would overfill the convoy's haven, counting every other convoy's
 * reservation (P23); undefined when its people fit, or it is bound for no haven.
 */
function overfills(convoyId: string, ctx: CommandContext, path = 'to'): ProtocolError | undefined {
  const room = ctx.havenRoom?.(convoyId);
  if (!room || room.people <= room.free) return undefined;
  return {
    code: 'no_room',
    message: `approving convoy "${convoyId}" would overfill haven "${room.name}": its ${room.people} people, ${Math.max(0, room.free)} places free once the ${room.reserved} reserved by other convoys are counted`,
    path,
  };
}

// Pure fold of log events into the picture: (picture, events) → picture. Shared by server, replay and client.
// Copy-on-write per slice, once per batch: untouched slices keep their identity, so the client's
// layers redraw only what moved (STYLE: stable data identity).
import { currentStateName, MAX_STATE_HISTORY, type Transition } from './convoy-states.js';
import { withTrailPoint, type Alert } from './tracking.js';
import { idRecord, MAX_CONSTRAINT_HISTORY, type Actor, type Constraint, type Corridor, type ConstraintChange, type Convoy, type Picture, type PictureEvent, type Site, type StateChange, type Unit } from './events.js';
import { LEGACY_ACCESS_CATEGORIES } from './messages.js';
import { refreshedCorridor } from './corridor-event.js';
import { eventKind, KINDS } from './kinds.js';
import { MAX_NOTICE_HISTORY, nextRouteVersion, type Notice, type NoticeAcknowledgement, type NoticeStatus, type NoticeVersionSummary } from './notice.js';

type Slice = Exclude<keyof Picture, 'seq'>;

/**
 * Applies events in order and returns the new picture; the input is not modified.
 * Events at or below `picture.seq` are skipped, so applying a frame twice is harmless (P2).
 * @example applyEvents(emptyPicture(), [{ seq: 1, timeMs: 0, type: 'haven.removed', id: 'hv-1' }]).seq // 1
 */
export function applyEvents(picture: Picture, events: readonly PictureEvent[]): Picture {
  return fold(picture, events, false);
}

/** {@link applyEvents}; with `ownUnits`, the units slice is updated in place instead of copied. */
function fold(picture: Picture, events: readonly PictureEvent[], ownUnits: boolean): Picture {
  const copied = new Set<Slice>();
  if (ownUnits) copied.add('units');
  let next: Picture | null = null;
  const slice = <K extends Slice>(key: K): Picture[K] => {
    next ??= { ...picture };
    if (!copied.has(key)) {
      copied.add(key);
      // Prototype-free like the original (issue 9: an id like `constructor` is only ever an entity).
      next[key] = idRecord(next[key] as Record<string, unknown>) as Picture[K];
    }
    return next[key];
  };
  for (const event of events) {
    if (event.seq <= (next ?? picture).seq) continue;
    applyTo(slice, () => next ?? picture, event);
    next ??= { ...picture };
    next.seq = event.seq;
  }
  return next ?? picture;
}

/** Applies one event; see {@link applyEvents}. */
export function applyEvent(picture: Picture, event: PictureEvent): Picture {
  return applyEvents(picture, [event]);
}

/**
 * Applies events to a picture the caller owns, in place (the server's hot path). The units slice is
 * updated where it is, so a batch of fixes costs its fixes, not a copy of every unit; the other
 * slices are still replaced, never mutated, so those handed out earlier stay valid. Whoever keeps
 * `picture.units` across commits sees it change (the server serialises it at once wherever it is read).
 */
export function applyEventsInPlace(picture: Picture, events: readonly PictureEvent[]): void {
  const fresh = fold(picture, events, true);
  Object.assign(picture, fresh);
}

/** A corridor that replaces `held`, with its route's version (P36). */
function versioned(held: Corridor | undefined, next: Corridor): Corridor {
  const version = nextRouteVersion(held, next);
  return next.version === version ? next : { ...next, version };
}

/** A notice version as its history keeps it once it ended. */
function endedVersion(n: Notice, status: NoticeStatus, atMs: number): NoticeVersionSummary {
  const out: NoticeVersionSummary = { version: n.version, status: n.status === 'expired' ? 'expired' : status, reached: n.status, draftedMs: n.draftedMs, endedMs: n.expiredMs ?? atMs, roads: n.roads };
  if (n.sentMs !== undefined) out.sentMs = n.sentMs;
  if (n.acknowledged) out.acknowledged = n.acknowledged;
  return out;
}

/** Later fixes win; a report older than the unit's current fix (store-and-forward) does not move it back. */
function newerFix(current: Unit | undefined, candidate: Unit): boolean {
  return !current || candidate.timeMs >= current.timeMs;
}

function applyTo(
  slice: <K extends Slice>(key: K) => Picture[K],
  peek: () => Picture,
  event: PictureEvent,
): void {
  switch (event.type) {
    case 'position.reported': {
      const units = slice('units');
      for (const unit of event.units) {
        const current = units[unit.unitId];
        if (!newerFix(current, unit)) continue;
        // Devices send their callsign now and then; keep the last one known.
        const callsign = unit.callsign ?? current?.callsign;
        const affiliation = unit.affiliation ?? current?.affiliation;
        const cotType = unit.cotType ?? current?.cotType;
        if (callsign === unit.callsign && affiliation === unit.affiliation && cotType === unit.cotType) {
          units[unit.unitId] = unit;
          continue;
        }
        // Only defined keys: a key holding `undefined` would not survive a JSON snapshot, and the
        // replayed picture would then differ from the live one.
        const merged: Unit = { ...unit };
        if (callsign !== undefined) merged.callsign = callsign;
        if (affiliation !== undefined) merged.affiliation = affiliation;
        if (cotType !== undefined) merged.cotType = cotType;
        units[unit.unitId] = merged;
      }
      return;
    }
    case 'convoy.upserted': {
      // Its state as the machine names it (old logs say `held`, `cancelled`), its history kept, and
      // a change of state by upsert (allowed only as the machine allows, P20) recorded like any other.
      const before = peek().convoys[event.convoy.id] as Convoy | undefined;
      const state = currentStateName(event.convoy.state);
      const { stateHistory: _posted, ...fields } = event.convoy;
      const convoy: Convoy = { ...fields, state };
      const from = before ? before.state : 'planned';
      const history = state === from ? before?.stateHistory : withChange(before?.stateHistory, { from, to: state }, event.timeMs, event.actor);
      if (history) convoy.stateHistory = history;
      slice('convoys')[convoy.id] = convoy;
      return;
    }
    case 'convoy.state-changed': {
      // A change for a convoy that no longer exists is a late answer; drop it (as P9).
      const before = peek().convoys[event.convoyId];
      if (!before) return;
      const change: Transition = { from: currentStateName(event.from), to: currentStateName(event.to) };
      if (event.reason !== undefined) change.reason = event.reason;
      if (event.resumeWhen !== undefined) change.resumeWhen = event.resumeWhen;
      slice('convoys')[event.convoyId] = {
        ...before,
        state: change.to,
        stateHistory: withChange(before.stateHistory, change, event.timeMs, event.actor),
        updatedMs: event.timeMs,
      };
      return;
    }
    case 'convoy.removed': {
      // A removed convoy takes its corridor, its track and its alerts with it (P9, P21).
      delete slice('convoys')[event.id];
      delete slice('corridors')[event.id];
      if (Object.hasOwn(peek().notices, event.id)) delete slice('notices')[event.id];
      if (Object.hasOwn(peek().tracks, event.id)) delete slice('tracks')[event.id];
      if (Object.hasOwn(peek().proposals, event.id)) delete slice('proposals')[event.id];
      const alerts = peek().alerts;
      for (const id in alerts) if (alerts[id].convoyId === event.id) delete slice('alerts')[id];
      return;
    }
    case 'convoy.tracked':
      // A track for a convoy that no longer exists is a late answer (P9).
      if (!Object.hasOwn(peek().convoys, event.track.convoyId)) return;
      // The trail so far is the fold's own, from the positions of the events (tracking.ts).
      slice('tracks')[event.track.convoyId] = { ...event.track, trail: withTrailPoint(peek().tracks[event.track.convoyId]?.trail, event.track.at) };
      return;
    case 'corridor.endangered': {
      // Marks the held corridor's route ahead as cut or endangered, or safe again (P22).
      const held = peek().corridors[event.convoyId];
      if (!held) return;
      const { endangeredBy: _was, ...rest } = held;
      slice('corridors')[event.convoyId] = event.endangeredBy.length > 0 ? { ...rest, endangeredBy: event.endangeredBy } : rest;
      return;
    }
    case 'reroute.proposed':
      if (!Object.hasOwn(peek().convoys, event.proposal.convoyId)) return;
      // Alternatives for a proposal decided or replaced meanwhile are late: dropped (P22).
      if (event.more && peek().proposals[event.proposal.convoyId]?.id !== event.proposal.id) return;
      slice('proposals')[event.proposal.convoyId] = event.proposal;
      return;
    case 'reroute.decided':
      // The chosen route becomes the corridor; the proposal is closed (P22).
      if (!Object.hasOwn(peek().convoys, event.convoyId)) return;
      if (Object.hasOwn(peek().proposals, event.convoyId)) delete slice('proposals')[event.convoyId];
      slice('corridors')[event.convoyId] = versioned(peek().corridors[event.convoyId], event.corridor);
      return;
    case 'convoy.route-chosen':
      // The planner's route leads the corridor (issue 12).
      if (!Object.hasOwn(peek().convoys, event.convoyId)) return;
      slice('corridors')[event.convoyId] = versioned(peek().corridors[event.convoyId], event.corridor);
      return;
    case 'notice.drafted': {
      // A new version: the one it replaces, unless it is this version redrafted, goes to its history (P36).
      if (!Object.hasOwn(peek().convoys, event.convoyId)) return;
      const held = peek().notices[event.convoyId];
      const { history: _posted, ...fields } = event.notice;
      const notice: Notice = { ...fields };
      const history = held && held.version < notice.version ? [...(held.history ?? []), endedVersion(held, 'superseded', event.timeMs)] : held?.history;
      if (history) notice.history = history.slice(-MAX_NOTICE_HISTORY);
      slice('notices')[event.convoyId] = notice;
      return;
    }
    case 'notice.sent':
    case 'notice.acknowledged':
    case 'notice.expired': {
      // A change of a version no longer held is late; dropped (P36).
      const held = peek().notices[event.convoyId];
      if (!held || held.version !== event.version) return;
      const next: Notice = { ...held };
      if (event.type === 'notice.sent') {
        next.status = 'sent';
        next.sentMs = event.timeMs;
        if (event.actor) next.sentBy = { org: event.actor.org, role: event.actor.role };
      } else if (event.type === 'notice.acknowledged') {
        next.status = 'acknowledged';
        const ack: NoticeAcknowledgement = { by: event.by, atMs: event.timeMs };
        if (event.remark !== undefined) ack.remark = event.remark;
        if (event.actor) {
          ack.org = event.actor.org;
          ack.role = event.actor.role;
        }
        next.acknowledged = ack;
      } else {
        next.status = 'expired';
        next.expiredMs = event.timeMs;
        next.expiry = event.reason;
      }
      slice('notices')[event.convoyId] = next;
      return;
    }
    case 'agreement.changed':
    case 'audit.read':
      // Facts of the log (issue 13) that change nothing in the picture.
      return;
    case 'reroute.withdrawn':
      if (peek().proposals[event.convoyId]?.id === event.proposalId) delete slice('proposals')[event.convoyId];
      return;
    case 'alert.raised':
      // A convoy's alert only while the convoy is there; a unit's (an emergency) whenever it is raised.
      if (event.alert.convoyId !== undefined && !Object.hasOwn(peek().convoys, event.alert.convoyId)) return;
      slice('alerts')[event.alert.id] = event.alert;
      return;
    case 'alert.acknowledged': {
      // Gone once both acknowledged and cleared: the log keeps it (P21).
      const alert = peek().alerts[event.id];
      if (!alert) return;
      if (alert.clearedMs !== undefined) {
        delete slice('alerts')[event.id];
        return;
      }
      const acknowledged: NonNullable<Alert['acknowledged']> = { by: event.actor ?? { tokenId: 'unknown', org: 'unknown', role: 'unknown' }, atMs: event.timeMs };
      if (event.remark !== undefined) acknowledged.remark = event.remark;
      slice('alerts')[event.id] = { ...alert, acknowledged };
      return;
    }
    case 'alert.cleared': {
      const alert = peek().alerts[event.id];
      if (!alert) return;
      if (alert.acknowledged !== undefined) delete slice('alerts')[event.id];
      else slice('alerts')[event.id] = { ...alert, clearedMs: event.timeMs };
      return;
    }
    case 'corridor.recomputed':
      // A corridor for a convoy that no longer exists is a late answer; drop it (P9).
      if (!Object.hasOwn(peek().convoys, event.corridor.convoyId)) return;
      slice('corridors')[event.corridor.convoyId] = versioned(peek().corridors[event.corridor.convoyId], event.corridor);
      return;
    case 'corridor.refreshed': {
      // Figures for the routes the picture holds; anything else is a late answer (P9, P11).
      const r = event.refresh;
      const held = peek().corridors[r.convoyId];
      if (!held || !Object.hasOwn(peek().convoys, r.convoyId) || held.routes.length !== r.clearance.length) return;
      slice('corridors')[r.convoyId] = refreshedCorridor(held, r);
      return;
    }
    case 'site.upserted': {
      const sites = slice('sites');
      sites[event.site.id] = withPrevious(Object.hasOwn(sites, event.site.id) ? sites[event.site.id] : undefined, event.site);
      return;
    }
    case 'sites.imported': {
      // One import, one event (issue 17): each item as by its own upsert, the previous figure kept (P35).
      if (event.sites.length > 0 || event.removed?.sites?.length) {
        const sites = slice('sites');
        for (const site of event.sites) sites[site.id] = withPrevious(Object.hasOwn(sites, site.id) ? sites[site.id] : undefined, site);
        for (const id of event.removed?.sites ?? []) delete sites[id];
      }
      if (event.flows.length > 0 || event.removed?.flows?.length) {
        const flows = slice('flows');
        for (const flow of event.flows) flows[flow.id] = flow;
        for (const id of event.removed?.flows ?? []) delete flows[id];
      }
      return;
    }
    case 'constraint.upserted': {
      const before = Object.hasOwn(peek().constraints, event.constraint.id) ? peek().constraints[event.constraint.id] : undefined;
      slice('constraints')[event.constraint.id] = withConstraintChange(before, event.constraint, event.timeMs, event.actor);
      return;
    }
    default: {
      // Every other kind of the registry (kinds.ts): an upsert sets its entity, a removal deletes it.
      const ek = eventKind(event.type);
      if (!ek) throw new Error(`unknown event type ${(event as { type: string }).type}`);
      const spec = KINDS[ek.kind];
      const records = slice(spec.slice) as Record<string, { id: string }>;
      if (ek.op === 'upserted') {
        const entity = (event as unknown as Record<string, { id: string }>)[spec.field];
        records[entity.id] = entity;
      } else delete records[(event as { id: string }).id];
      return;
    }
  }
}

/** A convoy's history with one more change, the oldest dropped beyond MAX_STATE_HISTORY (P20). */
function withChange(history: readonly StateChange[] | undefined, change: Transition, atMs: number, by: Actor | undefined): StateChange[] {
  const entry: StateChange = { ...change, atMs };
  if (by !== undefined) entry.by = by;
  const out = history ? [...history, entry] : [entry];
  return out.length > MAX_STATE_HISTORY ? out.slice(out.length - MAX_STATE_HISTORY) : out;
}

/**
 * An access constraint as posted, with what the fold keeps of its past (P32): since when its status
 * holds (a new status: when it was verified, at the latest now) and its last changes with who made them.
 * A category of the list before the typology is read as the indicator it now counts under.
 */
function withConstraintChange(before: Constraint | undefined, posted: Constraint, atMs: number, by: Actor | undefined): Constraint {
  const { sinceMs: _s, history: _h, ...fields } = posted;
  const category = Object.hasOwn(LEGACY_ACCESS_CATEGORIES, fields.category) ? LEGACY_ACCESS_CATEGORIES[fields.category] : fields.category;
  const verifiedAtMs = Date.parse(fields.verifiedAt);
  const sinceMs = before && before.status === fields.status ? (before.sinceMs ?? before.updatedMs) : Math.min(atMs, Number.isFinite(verifiedAtMs) ? verifiedAtMs : atMs);
  const entry: ConstraintChange = { atMs, status: fields.status, category, verifiedAtMs: Number.isFinite(verifiedAtMs) ? verifiedAtMs : atMs };
  if (fields.reason !== undefined) entry.reason = fields.reason;
  if (fields.verifiedBy !== undefined) entry.verifiedBy = fields.verifiedBy;
  if (by !== undefined) {
    entry.org = by.org;
    entry.role = by.role;
  }
  const history = before?.history ? [...before.history, entry] : [entry];
  return { ...fields, category, sinceMs, history: history.length > MAX_CONSTRAINT_HISTORY ? history.slice(history.length - MAX_CONSTRAINT_HISTORY) : history };
}

/**
 * A site as upserted, with the figure it held before (P35): a figure of another date than the stored
 * one makes the stored one `previous`; a figure of the same date (a correction) keeps the stored
 * `previous`; a new site has none. What the upsert itself carries as `previous` is not taken.
 * @example withPrevious({ ...s, population: 10, date: '2024-01-01' }, { ...s, population: 12, date: '2024-02-01' }).previous // { population: 10, date: '2024-01-01' }
 */
export function withPrevious(before: Site | undefined, site: Site): Site {
  const previous = before === undefined ? undefined : before.date !== site.date ? { population: before.population, date: before.date } : before.previous;
  // The common case (an import's new site) makes no copy: an import may fold 100,000 of them at once
  // (and Object.assign copies objects read from JSON faster than a spread does).
  if (site.previous === undefined && !('previous' in site)) return previous === undefined ? site : Object.assign({}, site, { previous });
  const { previous: _posted, ...fields } = site;
  return previous === undefined ? fields : { ...fields, previous };
}

/** Whether a unit has stopped reporting: no report received for `staleAfterMs`. */
export function isStale(unit: Unit, nowMs: number, staleAfterMs: number): boolean {
  // At the earlier of the server's setting and the time its sender gave (a CoT event's stale).
  return nowMs - unit.seenMs > staleAfterMs || (unit.staleMs !== undefined && nowMs > unit.staleMs);
}

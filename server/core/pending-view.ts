// What the picture will hold once what is queued is committed (server/core): entities created or
// removed by queued commands, convoys' states, and the corridors queued for each convoy. Commands are checked against it
// (a removal right after an upsert finds the entity), and corridors are turned into events against it (P11).
import { boundHaven, currentStateName, eventKind, havenBook, KINDS, type ConvoyState, type Corridor, type Entities, type Kind, type NewEvent, type NoticeStatus, type Picture, type RerouteProposal } from '@corridor/protocol';
import { existsIn, removedEntity, upsertedEntity, type EntitySlice } from './commands.js';

/** A convoy's haven and its places but the convoy's own (P23). */
export interface HavenRoom {
  havenId: string;
  name: string;
  /** Places free once every other reservation is counted. */
  free: number;
  /** Places reserved by other convoys. */
  reserved: number;
  /** The convoy's people. */
  people: number;
}

/** An alert as the queue leaves it: still asking for a planner, acknowledged, or cleared but not acknowledged. */
export type AlertStanding = 'unacknowledged' | 'acknowledged' | 'cleared';

/** A deconfliction notice as the queue leaves it (P36). */
export interface NoticeStanding {
  version: number;
  status: NoticeStatus;
  reference: string;
}

/** An event about to be committed, and the corridor it carries (a corridor event's whole corridor). */
export interface Queued {
  event: NewEvent;
  corridor?: Corridor;
}

/** The existence of entities and the corridors of convoys, as the queue will leave them. */
export class PendingView {
  /** `slice:id` → exists, as changed by queued, uncommitted events. */
  private existence = new Map<string, boolean>();
  /** `slice:id` → the entity a queued upsert stores, or undefined after a queued removal. */
  private entities = new Map<string, unknown>();
  /** Corridors of queued corridor events by convoy, the latest last; undefined after a queued removal. */
  private corridors = new Map<string, Corridor | undefined>();
  /** Convoys' states as queued events leave them; undefined after a queued removal. */
  private states = new Map<string, ConvoyState | undefined>();
  /** Alerts as queued events leave them: acknowledged or not; undefined once gone (P21). */
  private alerts = new Map<string, AlertStanding | undefined>();
  /** Open re-route proposals as queued events leave them, by convoy; undefined once decided or withdrawn (P22). */
  private proposals = new Map<string, RerouteProposal | undefined>();
  /** Deconfliction notices as queued events leave them, by convoy: version and status; undefined once gone (P36). */
  private notices = new Map<string, NoticeStanding | undefined>();
  /**
   * Sites and flows of queued imports by slice and id (issue 17). Looked at after `existence` and
   * `entities`, which hold only what was queued after the last import (noting an import drops what
   * they said of its ids): an import of 100,000 sites costs one map of its ids, not two keyed texts each.
   */
  private imported = new Map<string, Map<string, unknown>>();

  constructor(private readonly picture: () => Picture) {}

  /** Whether an entity exists once the queue is committed. */
  exists = (slice: EntitySlice, id: string): boolean => {
    const queued = this.existence.get(`${slice}:${id}`);
    if (queued !== undefined) return queued;
    return this.imported.get(slice)?.has(id) || existsIn(this.picture(), slice, id);
  };

  /** An entity as the queue will leave it (a plan, a convoy's fields), or undefined when there is none. */
  entity = <K extends Kind>(kind: K, id: string): Entities[K] | undefined => {
    const key = `${KINDS[kind].slice}:${id}`;
    if (this.entities.has(key)) return this.entities.get(key) as Entities[K] | undefined;
    const imported = this.imported.get(KINDS[kind].slice);
    if (imported?.has(id)) return imported.get(id) as Entities[K];
    const records = this.picture()[KINDS[kind].slice] as Record<string, Entities[K]>;
    return Object.hasOwn(records, id) ? records[id] : undefined;
  };

  /**
   * The convoys that name a plan once the queue is committed: a plan is not removed from under a
   * convoy posted a moment before, still in the queue.
   */
  planConvoys = (planId: string): string[] => {
    const ids = new Set(Object.keys(this.picture().convoys));
    for (const key of this.entities.keys()) if (key.startsWith('convoys:')) ids.add(key.slice('convoys:'.length));
    return [...ids].filter((id) => this.entity('convoy', id)?.planId === planId);
  };

  /** The corridor of a convoy once the queue is committed (P11: what a new corridor is compared with). */
  corridorOf(convoyId: string): Corridor | undefined {
    return this.corridors.has(convoyId) ? this.corridors.get(convoyId) : this.picture().corridors[convoyId];
  }

  /**
   * A convoy's state once the queue is committed, or undefined when there is no such convoy: a change
   * of state is decided against it (P20), so two changes sent without waiting are judged in order.
   */
  convoyState = (id: string): ConvoyState | undefined => {
    if (this.states.has(id)) return this.states.get(id);
    const convoy = this.picture().convoys[id];
    return convoy ? currentStateName(convoy.state) : undefined;
  };

  /**
   * Whether an alert will be there once the queue is committed, and whether acknowledged: an
   * acknowledgement is decided against it (P21).
   */
  alertStanding = (id: string): AlertStanding | undefined => {
    if (this.alerts.has(id)) return this.alerts.get(id);
    const alert = this.picture().alerts[id];
    if (!alert) return undefined;
    if (alert.acknowledged) return 'acknowledged';
    return alert.clearedMs === undefined ? 'unacknowledged' : 'cleared';
  };

  /**
   * The haven a convoy is bound for and its places besides the convoy's own reservation (P23): an
   * approval is judged against it. From the committed picture and the corridors queued.
   */
  havenRoom = (convoyId: string): HavenRoom | undefined => {
    const p = this.picture();
    const convoy = p.convoys[convoyId];
    if (!convoy) return undefined;
    const havenId = boundHaven(convoy, this.corridorOf(convoyId), p.havens);
    if (!havenId) return undefined;
    const places = havenBook(p, convoyId)[havenId];
    return { havenId, name: p.havens[havenId].name, free: places.free, reserved: places.reserved, people: convoy.people ?? 0 };
  };

  /** A convoy's open re-route proposal once the queue is committed: a decision is judged against it (P22). */
  proposalOf = (convoyId: string): RerouteProposal | undefined => {
    if (this.proposals.has(convoyId)) return this.proposals.get(convoyId);
    return this.picture().proposals[convoyId];
  };

  /**
   * A convoy's deconfliction notice once the queue is committed: its version and status, so a send or
   * an acknowledgement is judged against the version the queue leaves (P36).
   */
  noticeOf = (convoyId: string): NoticeStanding | undefined => {
    if (this.notices.has(convoyId)) return this.notices.get(convoyId);
    const n = this.picture().notices[convoyId];
    return n ? { version: n.version, status: n.status, reference: n.reference } : undefined;
  };

  /** Notes an event queued for commit. */
  note(q: Queued): void {
    const type = q.event.type;
    if (type === 'position.reported') return; // the hot path: no entity
    if (q.corridor) this.corridors.set(q.corridor.convoyId, q.corridor);
    if (type === 'corridor.recomputed' || type === 'corridor.refreshed') return;
    // A queued removal means no corridor is held by then (P9): a later one goes whole.
    if (type === 'convoy.removed') {
      this.corridors.set(q.event.id, undefined);
      this.states.set(q.event.id, undefined);
      this.proposals.set(q.event.id, undefined);
      this.notices.set(q.event.id, undefined);
    }
    if (type === 'notice.drafted') this.notices.set(q.event.convoyId, { version: q.event.notice.version, status: q.event.notice.status, reference: q.event.notice.reference });
    if (type === 'notice.sent' || type === 'notice.acknowledged' || type === 'notice.expired') {
      const held = this.noticeOf(q.event.convoyId);
      const status = type === 'notice.sent' ? 'sent' : type === 'notice.acknowledged' ? 'acknowledged' : 'expired';
      if (held && held.version === q.event.version) this.notices.set(q.event.convoyId, { ...held, status });
    }
    if (type === 'reroute.decided' || type === 'convoy.route-chosen') this.corridors.set(q.event.convoyId, q.event.corridor);
    if (type === 'convoy.upserted') this.states.set(q.event.convoy.id, currentStateName(q.event.convoy.state));
    if (type === 'convoy.state-changed') this.states.set(q.event.convoyId, q.event.to);
    if (type === 'reroute.proposed' && (!q.event.more || this.proposalOf(q.event.proposal.convoyId)?.id === q.event.proposal.id)) this.proposals.set(q.event.proposal.convoyId, q.event.proposal);
    if (type === 'reroute.decided' || type === 'reroute.withdrawn') this.proposals.set(q.event.convoyId, undefined);
    if (type === 'alert.raised') this.alerts.set(q.event.alert.id, 'unacknowledged');
    if (type === 'alert.acknowledged') this.alerts.set(q.event.id, this.alertStanding(q.event.id) === 'cleared' ? undefined : 'acknowledged');
    if (type === 'alert.cleared') this.alerts.set(q.event.id, this.alertStanding(q.event.id) === 'acknowledged' ? undefined : 'cleared');
    if (type === 'sites.imported') {
      // An import's items exist once it is committed (issue 17): a removal queued behind it finds them.
      this.noteImported(KINDS.site.slice, q.event.sites);
      this.noteImported(KINDS.flow.slice, q.event.flows);
      return;
    }
    const up = upsertedEntity(q.event);
    if (up) {
      this.existence.set(`${up[0]}:${up[1]}`, true);
      const ek = eventKind(type)!;
      this.entities.set(`${up[0]}:${up[1]}`, (q.event as unknown as Record<string, unknown>)[KINDS[ek.kind].field]);
    }
    const removed = removedEntity(q.event);
    if (removed) {
      this.existence.set(`${removed[0]}:${removed[1]}`, false);
      this.entities.set(`${removed[0]}:${removed[1]}`, undefined);
    }
  }

  /** An import's items of one slice: over what was noted of them before, under what is noted after. */
  private noteImported(slice: string, items: readonly { id: string }[]): void {
    if (items.length === 0) return;
    let map = this.imported.get(slice);
    if (!map) this.imported.set(slice, (map = new Map()));
    for (const item of items) map.set(item.id, item);
    // What was queued of these ids before the import no longer holds: the few keys queued are looked at, not the import's many.
    const prefix = `${slice}:`;
    for (const key of [...this.existence.keys()]) {
      if (key.startsWith(prefix) && map.has(key.slice(prefix.length))) {
        this.existence.delete(key);
        this.entities.delete(key);
      }
    }
  }

  /** Starts over from what is still not folded into the picture, oldest first. */
  rebuild(stillQueued: Iterable<Queued>): void {
    this.existence = new Map();
    this.entities = new Map();
    this.corridors = new Map();
    this.states = new Map();
    this.alerts = new Map();
    this.proposals = new Map();
    this.notices = new Map();
    this.imported = new Map();
    for (const q of stillQueued) this.note(q);
  }
}

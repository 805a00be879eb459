// The sharing agreement applied to what goes out (server/sharing, issue 13): a SharingPolicy for the
// outbox, the one place every path out passes. Per audience (an organisation and a role), each item of
// the picture and each event is withheld, or given with its agreed fields removed and its positions
// coarsened. What derives from an item follows it: a convoy's corridor, track, alerts, proposal and notice go
// where the convoy goes, and the zones and constraints a recipient may not see are named in them only
// as "a restricted area", at most once, so neither their ids nor their count show.
import { idRecord, type Alert, type Convoy, type ConvoyTrack, type Corridor, type EventOf, type Picture, type PictureEvent, type Plan, type Report, type Unit, type Was } from '@corridor/protocol';
import type { Recipient, SharingPolicy } from '../out/outbox.js';
import type { Delivery, ItemKind, SharingAgreement } from './agreement.js';
import { SLICE_OF_KIND, type DelayLine, type DelayedKind } from './delay.js';

/** How a withheld zone or constraint is named to a recipient who may not see it. */
export const RESTRICTED_AREA = 'restricted-area';

/** The picture's slices of posted entities and the item kind the agreement calls each. */
const ENTITY_SLICES = [
  ['threats', 'threat'],
  ['havens', 'haven'],
  ['sites', 'site'],
  ['flows', 'flow'],
  ['constraints', 'constraint'],
  ['convoys', 'convoy'],
  ['plans', 'plan'],
  ['reports', 'report'],
] as const satisfies readonly (readonly [keyof Picture, ItemKind])[];
const KIND_OF_SLICE = new Map<string, ItemKind>(ENTITY_SLICES);
/** Event type prefix (`threat` of `threat.upserted`) → item kind. */
const KIND_OF_EVENT = new Map<string, ItemKind>(ENTITY_SLICES.map(([, k]) => [k, k]));
/** The slices that follow their convoy. */
const FOLLOWERS = ['corridors', 'tracks', 'proposals', 'notices'] as const;

/** An audience's key: its organisation and role (the agreement's rules look at both). */
export function audienceKey(recipient: Pick<Recipient, 'org' | 'role'>): string {
  return `${recipient.role}@${recipient.org}`;
}

const parsedKeys = new Map<string, { org: string; role: string }>();
/** An audience key's organisation and role, made once per key (the hot path asks per fix). */
function parseKey(key: string): { org: string; role: string } {
  let parsed = parsedKeys.get(key);
  if (!parsed) {
    const at = key.indexOf('@');
    parsed = { role: key.slice(0, at), org: key.slice(at + 1) };
    if (parsedKeys.size < 10_000) parsedKeys.set(key, parsed);
  }
  return parsed;
}

/**
 * A position coarsened to a grid of `m` metres: latitude in steps of `m`, longitude in steps of `m`
 * at that latitude, to 6 decimals.
 * @example coarsen([11.9637, 57.7021], 1000) // [11.9614..., 57.7029...]
 */
export function coarsen([lon, lat]: readonly number[], m: number): [number, number] {
  const stepLat = m / 111_320;
  const la = Math.round(lat / stepLat) * stepLat;
  const stepLon = m / (111_320 * Math.max(0.01, Math.cos((la * Math.PI) / 180)));
  const lo = Math.round(lon / stepLon) * stepLon;
  // Still a position: a grid point beyond a pole or the antimeridian is held at the edge.
  const clamp = (x: number, edge: number) => Math.max(-edge, Math.min(edge, Math.round(x * 1e6) / 1e6));
  return [clamp(lo, 180), clamp(la, 90)];
}

/**
 * A unit as a delivery gives it (the hot path: one per fix and audience): built key by key without the
 * removed fields, in the order the store makes units, its position on the grid.
 */
function redactedUnit(u: Unit, d: Extract<Delivery, { receives: true }>): Unit {
  const keep = (f: keyof Unit) => u[f] !== undefined && !d.remove.includes(f);
  const [lon, lat] = d.coarsenM !== undefined ? coarsen([u.lon, u.lat], d.coarsenM) : [u.lon, u.lat];
  const out: Unit = { unitId: u.unitId, lon, lat, timeMs: u.timeMs, seenMs: u.seenMs };
  if (keep('heading')) out.heading = u.heading;
  if (keep('speed')) out.speed = u.speed;
  if (keep('accuracy')) out.accuracy = u.accuracy;
  if (keep('callsign')) out.callsign = u.callsign;
  if (u.affiliation !== undefined) out.affiliation = u.affiliation;
  if (u.owner !== undefined) out.owner = u.owner;
  if (u.marking !== undefined) out.marking = u.marking;
  if (u.cotType !== undefined) out.cotType = u.cotType;
  if (u.staleMs !== undefined) out.staleMs = u.staleMs;
  return out;
}

/** Every position of a GeoJSON-like coordinates tree, coarsened. */
function coarsenTree(value: unknown, m: number): unknown {
  if (Array.isArray(value)) {
    if (value.length >= 2 && typeof value[0] === 'number' && typeof value[1] === 'number') return coarsen(value as number[], m);
    return value.map((v) => coarsenTree(v, m));
  }
  return value;
}

/** The fields of each kind that hold positions, coarsened when a rule says so. */
const POSITION_FIELDS: Record<ItemKind, readonly string[]> = {
  unit: [],
  threat: ['geometry', 'area'],
  constraint: ['geometry'],
  haven: [],
  site: [],
  flow: ['from', 'to'],
  convoy: ['origin', 'destination', 'checkpoints'],
  plan: [],
  corridor: [],
  alert: [],
  report: ['at'],
};

export interface AgreementPolicyOptions {
  /** Past versions of what the agreement delivers late (delay.ts); without one, delayed items are withheld. */
  delayLine?: DelayLine;
  /** Clock, ms since epoch. */
  now?: () => number;
}

export class AgreementPolicy implements SharingPolicy {
  /** Per audience and seq, the ids of zones and constraints it may not see, and the texts that would name them. */
  private hiddenCache = new Map<string, { seq: number; hidden: Hidden }>();
  private readonly delayLine?: DelayLine;
  private readonly now: () => number;
  /** Bumped when the agreement changes: every answer made under the old one is stale. */
  private changes = 0;

  constructor(
    private readonly sharing: SharingAgreement,
    private readonly current: () => Picture,
    opts: AgreementPolicyOptions = {},
  ) {
    this.delayLine = opts.delayLine;
    this.now = opts.now ?? Date.now;
    sharing.onChange(() => {
      this.hiddenCache.clear();
      this.changes++;
    });
  }

  version(): number {
    return this.changes * 1_000_000_000 + (this.delayLine?.version ?? 0);
  }

  delayed(audience: string): boolean {
    return this.delayLine !== undefined && this.sharing.delaysFor(parseKey(audience));
  }

  audienceOf(recipient: Recipient): string {
    return audienceKey(recipient);
  }

  /**
   * An audience the agreement gives everything in full (its first rule for it is about every kind,
   * marking and owner, and changes nothing) gets the stored texts as they are, at no cost per frame.
   */
  seesAll(audience: string): boolean {
    return this.sharing.receivesAll(parseKey(audience));
  }

  /** How an audience receives an item of a kind, owned and marked as it is (a delayed delivery: not at all). */
  private delivery(audience: string, kind: ItemKind, item: { owner?: string; marking?: string }): Delivery {
    return this.sharing.deliveryOf(kind, item, parseKey(audience));
  }

  /**
   * An entity as the audience receives it, or undefined. `sinceMs`: how old what the entity says is
   * (a logged event's time): an entity the agreement delivers late is given once it is old enough.
   */
  private entity<T extends { owner?: string; marking?: string }>(audience: string, kind: ItemKind, item: T, sinceMs?: number): T | undefined {
    let d = this.delivery(audience, kind, item);
    if (!d.receives && sinceMs !== undefined && this.delayLine) {
      const late = this.sharing.deliveryOf(kind, item, parseKey(audience), { delayed: true });
      if (late.receives && late.delayMin !== undefined && sinceMs <= this.now() - late.delayMin * 60_000) d = late;
    }
    return this.apply(kind, item, d);
  }

  /** An item with a delivery applied: its fields removed, its positions coarsened; undefined when not received. */
  private apply<T extends { owner?: string; marking?: string }>(kind: ItemKind, item: T, d: Delivery): T | undefined {
    if (!d.receives) return undefined;
    if (d.remove.length === 0 && d.coarsenM === undefined) return item;
    if (kind === 'unit') return redactedUnit(item as unknown as Unit, d) as unknown as T;
    const out = { ...item } as Record<string, unknown>;
    for (const f of d.remove) delete out[f];
    // A constraint's history repeats its reason and verifier at each change: removed there too.
    if (kind === 'constraint' && Array.isArray(out.history)) {
      out.history = (out.history as Record<string, unknown>[]).map((h) => {
        const entry = { ...h };
        for (const f of d.remove) delete entry[f];
        return entry;
      });
    }
    if (d.coarsenM !== undefined) {
      if (typeof out.lon === 'number' && typeof out.lat === 'number') [out.lon, out.lat] = coarsen([out.lon, out.lat], d.coarsenM);
      for (const f of POSITION_FIELDS[kind]) if (out[f] !== undefined) out[f] = coarsenField(out[f], d.coarsenM);
    }
    return out as T;
  }

  private unit(audience: string, unit: Unit): Unit | undefined {
    return this.entity(audience, 'unit', unit);
  }

  /** A past picture (the replay, issue 16): nothing delivered late is given, the delay line being of the present. */
  pastPicture(audience: string, picture: Picture): Picture {
    return this.picture(audience, picture, true);
  }

  picture(audience: string, picture: Picture, past = false): Picture {
    const out = { ...picture } as Picture;
    const late = !past && this.delayed(audience) ? new LateView(this.sharing, this.delayLine!, parseKey(audience), this.now()) : undefined;
    const units = idRecord<Unit>();
    for (const [id, u] of Object.entries(picture.units)) {
      const seen = this.unit(audience, u) ?? late?.item('unit', id, u, (k, x, d) => this.apply(k, x, d));
      if (seen) units[id] = seen;
    }
    late?.gone('unit', picture.units, units, (k, x, d) => this.apply(k, x, d));
    out.units = units;
    for (const [slice, kind] of ENTITY_SLICES) {
      const records = idRecord<unknown>();
      const current = picture[slice] as Record<string, { owner?: string; marking?: string }>;
      for (const [id, item] of Object.entries(current)) {
        const seen = this.entity(audience, kind, item) ?? late?.item(kind, id, item, (k, x, d) => this.apply(k, x, d));
        if (seen) records[id] = seen;
      }
      late?.gone(kind, current, records, (k, x, d) => this.apply(k, x, d));
      (out as Record<string, unknown>)[slice] = records;
    }
    // What a convoy or a plan names (its units, plan, the convoy it leaves after, its havens) only as the audience sees it.
    const to = parseKey(audience);
    const seenIn = (slice: 'units' | 'havens' | 'plans' | 'convoys' | 'constraints') => (id: string) => Object.hasOwn(out[slice], id);
    const refs = { unit: seenIn('units'), haven: seenIn('havens'), plan: seenIn('plans'), convoy: seenIn('convoys'), constraint: seenIn('constraints') };
    out.convoys = unlinkAll(out.convoys, to.org, (c) => unlinkConvoy(c, refs));
    out.plans = unlinkAll(out.plans, to.org, (p) => unlinkPlan(p, refs));
    // A report's reviewer may name a constraint its own organisation does not see: unlinked for every recipient.
    out.reports = unlinkAll(out.reports, undefined, (r) => unlinkReport(r, refs));
    const hidden = this.hidden(audience, picture);
    for (const slice of FOLLOWERS) {
      const records = idRecord<unknown>();
      for (const [id, item] of Object.entries(picture[slice] as Record<string, unknown>)) {
        const seen = this.follower(audience, id, item, picture, out, hidden);
        if (seen) records[id] = seen;
      }
      (out as Record<string, unknown>)[slice] = records;
    }
    const alerts = idRecord<Picture['alerts'][string]>();
    for (const [id, a] of Object.entries(picture.alerts)) {
      const seen = this.alertOf(audience, a, picture);
      if (seen) alerts[id] = scrub(seen, hidden);
    }
    out.alerts = alerts;
    return out;
  }

  /** A convoy's corridor, track or proposal as the audience receives it: with its convoy, scrubbed and coarsened as its convoy and lead unit are. */
  private follower(audience: string, convoyId: string, item: unknown, picture: Picture, seen: Picture, hidden: Hidden): unknown {
    const convoy = seen.convoys[convoyId];
    if (!convoy) return undefined;
    let out = scrub(item, hidden);
    const d = this.delivery(audience, 'convoy', picture.convoys[convoyId] ?? convoy);
    if (d.receives && d.coarsenM !== undefined) out = coarsenDeep(out, d.coarsenM);
    // A track shows where the lead unit is: as coarse as the unit itself, or not at all.
    if (isTrack(out)) {
      const lead = picture.units[out.unitId];
      if (lead) {
        const u = this.delivery(audience, 'unit', lead);
        if (!u.receives) return undefined;
        if (u.coarsenM !== undefined) out = coarsenDeep(out, u.coarsenM);
      }
    }
    return out;
  }

  event(audience: string, event: PictureEvent): PictureEvent | undefined {
    const picture = this.current();
    if (event.type === 'alert.raised' && event.alert.convoyId === undefined) {
      const seen = this.alertOf(audience, event.alert, picture);
      return seen === undefined ? undefined : seen === event.alert ? event : { ...event, alert: seen };
    }
    switch (event.type) {
      case 'position.reported': {
        const units: Unit[] = [];
        let changed = false;
        for (const u of event.units) {
          const seen = this.entity(audience, 'unit', u, event.timeMs);
          if (seen) units.push(seen);
          if (seen !== u) changed = true;
        }
        if (!changed) return event;
        return units.length > 0 ? { ...event, units } : undefined;
      }
      case 'corridor.recomputed':
      case 'corridor.refreshed':
      case 'convoy.tracked':
      case 'convoy.state-changed':
      case 'corridor.endangered':
      case 'reroute.proposed':
      case 'reroute.decided':
      case 'reroute.withdrawn':
      case 'convoy.route-chosen':
      case 'notice.drafted':
      case 'notice.sent':
      case 'notice.acknowledged':
      case 'notice.expired':
      case 'alert.raised': {
        const convoyId = convoyOf(event);
        const convoy = convoyId !== undefined ? picture.convoys[convoyId] : undefined;
        if (!convoy || !this.delivery(audience, 'convoy', convoy).receives) return undefined;
        const hidden = this.hidden(audience, picture);
        let out = scrub(event, hidden);
        if (event.type === 'convoy.tracked') {
          const lead = picture.units[event.track.unitId];
          if (lead) {
            const u = this.delivery(audience, 'unit', lead);
            if (!u.receives) return undefined;
            if (u.coarsenM !== undefined) out = coarsenDeep(out, u.coarsenM);
          }
        }
        const d = this.delivery(audience, 'convoy', convoy);
        if (d.receives && d.coarsenM !== undefined && event.type !== 'convoy.state-changed') out = coarsenDeep(out, d.coarsenM);
        return out as PictureEvent;
      }
      case 'alert.acknowledged':
      case 'alert.cleared': {
        const alert = picture.alerts[event.id];
        if (alert && !this.alertOf(audience, alert, picture)) return undefined;
        return event;
      }
      case 'sites.imported':
        return this.importEvent(audience, event);
      default:
        return this.entityEvent(audience, event);
    }
  }

  /**
   * An upsert or removal of a posted entity: given as the audience may see it; an upsert it may no
   * longer see, of an entity it saw (`was`), becomes a removal; a removal of one it never saw, nothing.
   */
  private entityEvent(audience: string, event: PictureEvent): PictureEvent | undefined {
    const dot = event.type.indexOf('.');
    const kind = KIND_OF_EVENT.get(event.type.slice(0, dot));
    if (!kind) return event;
    const op = event.type.slice(dot + 1);
    const was = (event as { was?: Was }).was;
    const { was: _omit, ...rest } = event as PictureEvent & { was?: Was };
    if (op === 'removed') {
      if (!was || !this.entity(audience, kind, was, event.timeMs)) return undefined;
      return rest as PictureEvent;
    }
    const field = Object.keys(rest).find((k) => !['seq', 'timeMs', 'type', 'msgId', 'actor'].includes(k))!;
    const entity = (rest as unknown as Record<string, { id: string; owner?: string; marking?: string }>)[field];
    const seen = this.entity(audience, kind, entity, event.timeMs);
    if (seen === entity && !was && (kind === 'threat' || kind === 'constraint')) return event;
    if (seen) {
      let linked: unknown = seen;
      if ((kind === 'convoy' || kind === 'plan') && (seen as { owner?: string }).owner !== parseKey(audience).org) {
        const refs = this.refs(audience, this.current());
        linked = kind === 'convoy' ? unlinkConvoy(seen as unknown as Convoy, refs) : unlinkPlan(seen as unknown as Plan, refs);
      }
      if (kind === 'report') linked = unlinkReport(seen as unknown as Report, this.refs(audience, this.current()));
      let out = { ...rest, [field]: linked } as unknown as PictureEvent;
      if (kind === 'threat' || kind === 'constraint') return out;
      out = scrub(out, this.hidden(audience, this.current()));
      return out;
    }
    const before = was ?? entity;
    if (was && this.delivery(audience, kind, before).receives) {
      const removal: Record<string, unknown> = { seq: event.seq, timeMs: event.timeMs, type: `${kind}.removed`, id: entity.id };
      if (kind === 'threat' || kind === 'constraint') removal.reason = 'deleted';
      return removal as PictureEvent;
    }
    return undefined;
  }

  /**
   * An import of displacement figures (issue 17) as the audience receives it: each site and flow as
   * its own upsert would reach it (withheld, fields removed, coarsened); one it saw and may no longer
   * see (`was`) in `removed`; its counts those of what it receives. Nothing when none of it concerns
   * the audience; the event itself when it receives every item as stored.
   */
  private importEvent(audience: string, event: EventOf<'sites.imported'>): PictureEvent | undefined {
    const was = event.was ?? {};
    const pass = <T extends { id: string; owner?: string; marking?: string }>(kind: 'site' | 'flow', items: readonly T[]) => {
      const seen: T[] = [];
      const removed: string[] = [];
      let same = true;
      // The items of an import share one or two owners and markings: how each pair is delivered is
      // asked once, and an item given in full is the item itself.
      const full = new Map<string, boolean>();
      for (const item of items) {
        const key = `${item.owner ?? ''}\u0000${item.marking ?? ''}`;
        let inFull = full.get(key);
        if (inFull === undefined) {
          const d = this.delivery(audience, kind, item);
          inFull = d.receives && d.remove.length === 0 && d.coarsenM === undefined;
          full.set(key, inFull);
        }
        const got = inFull ? item : this.entity(audience, kind, item, event.timeMs);
        if (got) seen.push(got);
        else if (Object.hasOwn(was, item.id) && this.delivery(audience, kind, was[item.id]).receives) removed.push(item.id);
        if (got !== item) same = false;
      }
      return { seen, removed, same };
    };
    const sites = pass('site', event.sites);
    const flows = pass('flow', event.flows);
    if (sites.same && flows.same && event.was === undefined) return event;
    if (sites.seen.length + flows.seen.length + sites.removed.length + flows.removed.length === 0) return undefined;
    const { was: _was, ...rest } = event;
    const out: EventOf<'sites.imported'> = { ...rest, import: { ...event.import, sites: sites.seen.length, flows: flows.seen.length }, sites: sites.seen, flows: flows.seen };
    if (sites.removed.length + flows.removed.length > 0) {
      out.removed = {};
      if (sites.removed.length > 0) out.removed.sites = sites.removed;
      if (flows.removed.length > 0) out.removed.flows = flows.removed;
    }
    return out;
  }

  /** Whether the audience sees the unit, haven, plan or convoy of an id in the picture now. */
  private refs(audience: string, picture: Picture): Refs {
    const seen = <K extends ItemKind>(kind: K, records: Record<string, { owner?: string; marking?: string }>) => (id: string) => Object.hasOwn(records, id) && this.delivery(audience, kind, records[id]).receives;
    return { unit: seen('unit', picture.units), haven: seen('haven', picture.havens), plan: seen('plan', picture.plans), convoy: seen('convoy', picture.convoys), constraint: seen('constraint', picture.constraints) };
  }

  /**
   * An alert as the audience receives it: a convoy's goes where its convoy goes; a unit's (an
   * emergency) where its unit goes, at the unit's position as coarse as the unit's own, or not at all
   * when its unit is delivered late or not (the alert would tell where it is now).
   */
  private alertOf(audience: string, alert: Alert, picture: Picture): Alert | undefined {
    if (alert.convoyId !== undefined) {
      const convoy = picture.convoys[alert.convoyId];
      return convoy && this.delivery(audience, 'convoy', convoy).receives ? alert : undefined;
    }
    const unit = alert.unitId !== undefined ? picture.units[alert.unitId] : undefined;
    // As its unit is delivered; a unit not (yet) in the picture as one of the organisation that raised it.
    const d = this.delivery(audience, 'unit', unit ?? { owner: alert.owner });
    if (!d.receives) return undefined;
    let out = alert;
    if (d.remove.includes('callsign') && out.detail.callsign !== undefined) {
      const { callsign: _c, ...detail } = out.detail;
      out = { ...out, detail };
    }
    if (d.coarsenM !== undefined && out.detail.at) out = { ...out, detail: { ...out.detail, at: coarsen(out.detail.at, d.coarsenM) } };
    return out;
  }

  zones(audience: string, ids: readonly string[], picture: Picture): string[] {
    const hidden = this.hidden(audience, picture);
    const out = ids.filter((id) => !hidden.ids.has(id));
    return out.length < ids.length ? [...out, RESTRICTED_AREA] : out;
  }

  /** The zones, constraints and havens an audience may not see, and the texts of theirs that would name them. */
  private hidden(audience: string, picture: Picture): Hidden {
    const cached = this.hiddenCache.get(audience);
    if (cached?.seq === picture.seq) return cached.hidden;
    const ids = new Set<string>();
    const texts = new Set<string>();
    const cut = new Set<string>();
    const look = (kind: ItemKind, items: Record<string, { id: string; owner?: string; marking?: string }>, named: (i: never) => Record<string, string | undefined>) => {
      for (const item of Object.values(items)) {
        const d = this.delivery(audience, kind, item);
        const fields = named(item as never);
        if (d.receives) {
          // A field a rule removes from an item the audience sees is not said by what names the item either.
          for (const f of d.remove) if ((fields[f]?.length ?? 0) >= 3) cut.add(fields[f]!);
          continue;
        }
        ids.add(item.id);
        for (const t of Object.values(fields)) if (t && t.length >= 3) texts.add(t);
      }
    };
    look('threat', picture.threats, (z: Picture['threats'][string]) => ({ label: z.label, source: z.source }));
    look('constraint', picture.constraints, (c: Picture['constraints'][string]) => ({ reason: c.reason, verifiedBy: c.verifiedBy }));
    // A convoy's corridor and proposals name the haven they lead to.
    look('haven', picture.havens, (h: Picture['havens'][string]) => ({ name: h.name }));
    const longestFirst = (set: Set<string>) => [...set].sort((a, b) => b.length - a.length);
    const hidden = { ids, texts: longestFirst(texts), cut: longestFirst(cut) };
    if (this.hiddenCache.size > 1000) this.hiddenCache.clear();
    this.hiddenCache.set(audience, { seq: picture.seq, hidden });
    return hidden;
  }
}

/**
 * What an audience receives late (issue 13): an item the agreement delays, as the delay line's sample
 * of M minutes ago holds it, with that version's delivery; an item gone since, as it was then. Nothing
 * the line does not hold (younger than the delay) is given.
 */
class LateView {
  constructor(
    private readonly sharing: SharingAgreement,
    private readonly line: DelayLine,
    private readonly to: { org: string; role: string },
    private readonly nowMs: number,
  ) {}

  /** The item `id` of a kind as it was, when the agreement delays it for this audience now. */
  item<T extends { owner?: string; marking?: string }>(kind: ItemKind, id: string, now: T, apply: Apply): T | undefined {
    if (!Object.hasOwn(SLICE_OF_KIND, kind)) return undefined;
    const d = this.sharing.deliveryOf(kind, now, this.to, { delayed: true });
    if (!d.receives || d.delayMin === undefined) return undefined;
    const then = this.line.at(this.nowMs - d.delayMin * 60_000)?.items[kind as DelayedKind];
    const old = then && Object.hasOwn(then, id) ? (then[id] as T) : undefined;
    if (!old) return undefined;
    const dThen = this.sharing.deliveryOf(kind, old, this.to, { delayed: true });
    return dThen.receives && dThen.delayMin !== undefined ? apply(kind, old, dThen) : undefined;
  }

  /** Into `out`, the items of a kind gone from the picture since a delay ago that this audience still receives late. */
  gone(kind: ItemKind, current: Record<string, unknown>, out: Record<string, unknown>, apply: Apply): void {
    if (!Object.hasOwn(SLICE_OF_KIND, kind)) return;
    for (const m of this.sharing.delays().minutes) {
      const then = this.line.at(this.nowMs - m * 60_000)?.items[kind as DelayedKind];
      if (!then) continue;
      for (const [id, old] of Object.entries(then)) {
        if (Object.hasOwn(current, id) || Object.hasOwn(out, id)) continue;
        const d = this.sharing.deliveryOf(kind, old as { owner?: string }, this.to, { delayed: true });
        if (!d.receives || d.delayMin !== m) continue;
        const seen = apply(kind, old as { owner?: string }, d);
        if (seen) out[id] = seen;
      }
    }
  }
}

type Apply = <T extends { owner?: string; marking?: string }>(kind: ItemKind, item: T, d: Delivery) => T | undefined;

/** Whether an audience sees the item of an id, per kind that convoys and plans name. */
interface Refs {
  unit: (id: string) => boolean;
  haven: (id: string) => boolean;
  plan: (id: string) => boolean;
  convoy: (id: string) => boolean;
  constraint: (id: string) => boolean;
}

/**
 * A convoy without the names of what the audience does not see: its lead unit and units, its plan
 * (and with it its people by the plan's groups), the convoy it leaves after. An id that names nothing
 * at all is left out alike, so the two cannot be told apart.
 */
function unlinkConvoy(c: Convoy, refs: Refs): Convoy {
  const lead = c.leadUnitId !== undefined && !refs.unit(c.leadUnitId);
  const units = c.unitIds?.some((u) => !refs.unit(u));
  const plan = c.planId !== undefined && !refs.plan(c.planId);
  const after = c.after !== undefined && !refs.convoy(c.after);
  if (!lead && !units && !plan && !after) return c;
  const out = { ...c };
  if (lead) delete out.leadUnitId;
  if (units) out.unitIds = c.unitIds!.filter((u) => refs.unit(u));
  if (plan) {
    delete out.planId;
    delete out.peopleByGroup;
  }
  if (after) delete out.after;
  return out;
}

/** A report without the constraint it became when the audience does not see that constraint. */
function unlinkReport(r: Report, refs: Refs): Report {
  const id = r.review?.constraintId;
  if (id === undefined || refs.constraint(id)) return r;
  const { constraintId: _hidden, ...review } = r.review!;
  return { ...r, review };
}

/** A plan without the havens the audience does not see. */
function unlinkPlan(p: Plan, refs: Refs): Plan {
  if (!p.havenIds?.some((h) => !refs.haven(h))) return p;
  const havenIds = p.havenIds.filter((h) => refs.haven(h));
  const out = { ...p };
  if (havenIds.length > 0) out.havenIds = havenIds;
  else delete out.havenIds;
  return out;
}

/** The items of a slice unlinked for an audience, but its own organisation's (`org`), which it posted as they are. */
function unlinkAll<T extends { owner?: string }>(records: Record<string, T>, org: string | undefined, unlink: (item: T) => T): Record<string, T> {
  let out: Record<string, T> | undefined;
  for (const [id, item] of Object.entries(records)) {
    if (org !== undefined && item.owner === org) continue;
    const linked = unlink(item);
    if (linked === item) continue;
    out ??= Object.assign(idRecord<T>(), records);
    out[id] = linked;
  }
  return out ?? records;
}

interface Hidden {
  ids: ReadonlySet<string>;
  /** Labels, sources and reasons of hidden items, longest first. */
  texts: readonly string[];
  /** Fields removed from items the audience sees (a zone's label), longest first: left out of sentences. */
  cut: readonly string[];
}

function convoyOf(event: PictureEvent): string | undefined {
  switch (event.type) {
    case 'corridor.recomputed':
      return event.corridor.convoyId;
    case 'corridor.refreshed':
      return event.refresh.convoyId;
    case 'convoy.tracked':
      return event.track.convoyId;
    case 'reroute.proposed':
      return event.proposal.convoyId;
    case 'alert.raised':
      return event.alert.convoyId;
    default:
      return (event as { convoyId?: string }).convoyId;
  }
}

function isTrack(x: unknown): x is ConvoyTrack {
  return typeof x === 'object' && x !== null && 'unitId' in x && 'progress' in x;
}

function coarsenField(value: unknown, m: number): unknown {
  // Positions, or lists of them; a list of objects (a convoy's checkpoints, each with `at`) holds them deeper.
  if (Array.isArray(value)) return value.some((v) => v !== null && typeof v === 'object' && !Array.isArray(v)) ? coarsenDeep(value, m) : coarsenTree(value, m);
  if (value && typeof value === 'object') return coarsenDeep(value, m);
  return value;
}

/** Every position found in an object (arrays of two numbers, `coordinates`, `at`, `from`), coarsened. */
function coarsenDeep<T>(value: T, m: number): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      if (v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return coarsen(v as number[], m);
      return v.map(walk);
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** How a sentence names what it may not name. */
const RESTRICTED_WORDS = 'a restricted area';

/**
 * A sentence whose hidden names were replaced, said once: "zone a restricted area (a restricted
 * area)" is "a restricted area", and several in a row are one, so their number does not show.
 * @example tidyRestricted('re-routed around zone a restricted area (a restricted area), constraint a restricted area: +4 min') // 're-routed around a restricted area: +4 min'
 */
export function tidyRestricted(text: string): string {
  const w = RESTRICTED_WORDS;
  let out = text.split(`${w} (${w})`).join(w);
  out = out.replace(/\b(?:zone|constraint|haven|threat zone|access constraint) a restricted area/g, w);
  const repeated = new RegExp(`${w}(?:(?:, | and )${w})+`, 'g');
  return out.replace(repeated, w);
}

/**
 * An item with every mention of a hidden zone or constraint replaced: a `{kind, id}` reference and an
 * id as a string become `restricted-area` (one of them at most in a list), and a sentence naming one
 * (a corridor's reason) says "a restricted area" in its place. The same object when nothing is hidden.
 */
function scrub<T>(value: T, hidden: Hidden): T {
  if (hidden.ids.size === 0 && hidden.cut.length === 0) return value;
  let changed = false;
  const text = (s: string, key: string | undefined): string => {
    if (hidden.ids.has(s)) {
      changed = true;
      return RESTRICTED_AREA;
    }
    let out = s;
    for (const id of hidden.ids) if (out.includes(id)) out = out.split(id).join(RESTRICTED_WORDS);
    for (const t of hidden.texts) if (out.includes(t)) out = out.split(t).join(RESTRICTED_WORDS);
    // Removed fields are taken out of the sentences the server writes (a corridor's reason), not out of names.
    if (key === 'reason') for (const t of hidden.cut) if (out.includes(t)) out = out.split(t).join('');
    if (out === s) return s;
    changed = true;
    // "zone tz-1 ()" once its removed label is out: "zone tz-1".
    return tidyRestricted(out.replace(/\s*\(\s*\)/g, ''));
  };
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return text(v, key);
    if (Array.isArray(v)) {
      // Positions and lines of positions name nothing: passed as they are, not walked.
      if (v.length === 0 || typeof v[0] === 'number' || (Array.isArray(v[0]) && typeof v[0][0] === 'number')) return v;
      const items = v.map((x) => walk(x));
      // Several hidden ones named as one: their number does not show.
      const seen = new Set<string>();
      return items.filter((x) => {
        const key = typeof x === 'string' ? x : x && typeof x === 'object' && (x as { id?: unknown }).id === RESTRICTED_AREA ? `ref:${(x as { kind?: string }).kind}` : undefined;
        if (key === undefined || (key !== RESTRICTED_AREA && !key.startsWith('ref:'))) return true;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    return v;
  };
  const out = walk(value);
  return changed ? (out as T) : value;
}

export type { Convoy, Corridor };

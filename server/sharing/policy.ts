// The sharing agreement applied to what goes out (server/sharing, issue 13): a SharingPolicy for the
// outbox, the one place every path out passes. Per audience (an organisation and a role), each item of
// the picture and each event is withheld, or given with its agreed fields removed and its positions
// coarsened. What derives from an item follows it: a convoy's corridor, track, alerts and proposal go
// where the convoy goes, and the zones and constraints a recipient may not see are named in them only
// as "a restricted area", at most once, so neither their ids nor their count show.
import { idRecord, type Convoy, type ConvoyTrack, type Corridor, type Picture, type PictureEvent, type Unit, type Was } from '@corridor/protocol';
import type { Recipient, SharingPolicy } from '../out/outbox.js';
import type { Delivery, ItemKind, SharingAgreement } from './agreement.js';

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
] as const satisfies readonly (readonly [keyof Picture, ItemKind])[];
const KIND_OF_SLICE = new Map<string, ItemKind>(ENTITY_SLICES);
/** Event type prefix (`threat` of `threat.upserted`) → item kind. */
const KIND_OF_EVENT = new Map<string, ItemKind>(ENTITY_SLICES.map(([, k]) => [k, k]));
/** The slices that follow their convoy. */
const FOLLOWERS = ['corridors', 'tracks', 'proposals'] as const;

/** An audience's key: its organisation and role (the agreement's rules look at both). */
export function audienceKey(recipient: Pick<Recipient, 'org' | 'role'>): string {
  return `${recipient.role}@${recipient.org}`;
}

function parseKey(key: string): { org: string; role: string } {
  const at = key.indexOf('@');
  return { role: key.slice(0, at), org: key.slice(at + 1) };
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
  return [Math.round(lo * 1e6) / 1e6, Math.round(la * 1e6) / 1e6];
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
  report: [],
};

export class AgreementPolicy implements SharingPolicy {
  /** Per audience and seq, the ids of zones and constraints it may not see, and the texts that would name them. */
  private hiddenCache = new Map<string, { seq: number; hidden: Hidden }>();

  constructor(
    private readonly sharing: SharingAgreement,
    private readonly current: () => Picture,
  ) {}

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

  /** How an audience receives an item of a kind, owned and marked as it is. */
  private delivery(audience: string, kind: ItemKind, item: { owner?: string; marking?: string }): Delivery {
    return this.sharing.deliveryOf(kind, item, parseKey(audience));
  }

  /** An entity as the audience receives it, or undefined. */
  private entity<T extends { owner?: string; marking?: string }>(audience: string, kind: ItemKind, item: T): T | undefined {
    const d = this.delivery(audience, kind, item);
    if (!d.receives) return undefined;
    if (d.remove.length === 0 && d.coarsenM === undefined) return item;
    const out = { ...item } as Record<string, unknown>;
    for (const f of d.remove) delete out[f];
    if (d.coarsenM !== undefined) {
      if (typeof out.lon === 'number' && typeof out.lat === 'number') [out.lon, out.lat] = coarsen([out.lon, out.lat], d.coarsenM);
      for (const f of POSITION_FIELDS[kind]) if (out[f] !== undefined) out[f] = coarsenField(out[f], d.coarsenM);
    }
    return out as T;
  }

  private unit(audience: string, unit: Unit): Unit | undefined {
    return this.entity(audience, 'unit', unit);
  }

  picture(audience: string, picture: Picture): Picture {
    const out = { ...picture } as Picture;
    const units = idRecord<Unit>();
    for (const [id, u] of Object.entries(picture.units)) {
      const seen = this.unit(audience, u);
      if (seen) units[id] = seen;
    }
    out.units = units;
    for (const [slice, kind] of ENTITY_SLICES) {
      const records = idRecord<unknown>();
      for (const [id, item] of Object.entries(picture[slice] as Record<string, { owner?: string; marking?: string }>)) {
        const seen = this.entity(audience, kind, item);
        if (seen) records[id] = seen;
      }
      (out as Record<string, unknown>)[slice] = records;
    }
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
      if (!Object.hasOwn(out.convoys, a.convoyId)) continue;
      alerts[id] = scrub(a, hidden);
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
    switch (event.type) {
      case 'position.reported': {
        const units: Unit[] = [];
        let changed = false;
        for (const u of event.units) {
          const seen = this.unit(audience, u);
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
        if (alert && !(picture.convoys[alert.convoyId] && this.delivery(audience, 'convoy', picture.convoys[alert.convoyId]).receives)) return undefined;
        return event;
      }
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
      if (!was || !this.delivery(audience, kind, was).receives) return undefined;
      return rest as PictureEvent;
    }
    const field = Object.keys(rest).find((k) => !['seq', 'timeMs', 'type', 'msgId', 'actor'].includes(k))!;
    const entity = (rest as unknown as Record<string, { id: string; owner?: string; marking?: string }>)[field];
    const seen = this.entity(audience, kind, entity);
    if (seen === entity && !was && (kind === 'threat' || kind === 'constraint')) return event;
    if (seen) {
      let out = { ...rest, [field]: seen } as unknown as PictureEvent;
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

  zones(audience: string, ids: readonly string[], picture: Picture): string[] {
    const hidden = this.hidden(audience, picture);
    const out = ids.filter((id) => !hidden.ids.has(id));
    return out.length < ids.length ? [...out, RESTRICTED_AREA] : out;
  }

  /** The zones and constraints an audience may not see, and the texts of theirs that would name them. */
  private hidden(audience: string, picture: Picture): Hidden {
    const cached = this.hiddenCache.get(audience);
    if (cached?.seq === picture.seq) return cached.hidden;
    const ids = new Set<string>();
    const texts = new Set<string>();
    const look = (kind: ItemKind, items: Record<string, { id: string; owner?: string; marking?: string }>, named: (i: never) => (string | undefined)[]) => {
      for (const item of Object.values(items)) {
        if (this.delivery(audience, kind, item).receives) continue;
        ids.add(item.id);
        for (const t of named(item as never)) if (t && t.length >= 3) texts.add(t);
      }
    };
    look('threat', picture.threats, (z: Picture['threats'][string]) => [z.label, z.source]);
    look('constraint', picture.constraints, (c: Picture['constraints'][string]) => [c.reason, c.verifiedBy]);
    const hidden = { ids, texts: [...texts].sort((a, b) => b.length - a.length) };
    if (this.hiddenCache.size > 1000) this.hiddenCache.clear();
    this.hiddenCache.set(audience, { seq: picture.seq, hidden });
    return hidden;
  }
}

interface Hidden {
  ids: ReadonlySet<string>;
  /** Labels, sources and reasons of hidden items, longest first. */
  texts: readonly string[];
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
  if (Array.isArray(value)) return coarsenTree(value, m);
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

/**
 * An item with every mention of a hidden zone or constraint replaced: a `{kind, id}` reference and an
 * id as a string become `restricted-area` (one of them at most in a list), and a sentence naming one
 * (a corridor's reason) says "a restricted area" in its place. The same object when nothing is hidden.
 */
function scrub<T>(value: T, hidden: Hidden): T {
  if (hidden.ids.size === 0) return value;
  let changed = false;
  const text = (s: string): string => {
    if (hidden.ids.has(s)) {
      changed = true;
      return RESTRICTED_AREA;
    }
    let out = s;
    for (const id of hidden.ids) if (out.includes(id)) out = out.split(id).join('a restricted area');
    for (const t of hidden.texts) if (out.includes(t)) out = out.split(t).join('a restricted area');
    if (out !== s) changed = true;
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) {
      // Positions and lines of positions name nothing: passed as they are, not walked.
      if (v.length === 0 || typeof v[0] === 'number' || (Array.isArray(v[0]) && typeof v[0][0] === 'number')) return v;
      const items = v.map(walk);
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
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const out = walk(value);
  return changed ? (out as T) : value;
}

export type { Convoy, Corridor };

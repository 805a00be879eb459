// The access list (server/access, issue 16): the picture's constraints as an audience sees them and the
// network's own, flattened for a list, filtered and sorted by the query's parameters. Pure: the routes
// hand it the audience's picture (outbox) and the network's items.
import { bbox as turfBbox, bboxPolygon, booleanIntersects } from '@turf/turf';
import { ACCESS_CATEGORIES, itemOfConstraint, type AccessItem, type Constraint, type Picture } from '@corridor/protocol';

export type { AccessItem };

export { itemOfConstraint };

/** What the list may be sorted by. */
export const ACCESS_SORTS = ['since', 'status', 'category', 'verified'] as const;
export type AccessSort = (typeof ACCESS_SORTS)[number];
const STATUSES = ['open', 'restricted', 'closed'] as const;
const ORIGINS = ['picture', 'network'] as const;

/** The list's filters and order, as parsed from a query (see {@link parseAccessQuery}). */
export interface AccessFilter {
  status?: ReadonlySet<string>;
  category?: ReadonlySet<string>;
  origin?: ReadonlySet<string>;
  /** [west, south, east, north], degrees: items whose geometry intersects it. */
  bbox?: [number, number, number, number];
  /** In force at least / at most this long, hours (items whose start is not known are left out). */
  minAgeH?: number;
  maxAgeH?: number;
  sort: AccessSort;
  order: 'asc' | 'desc';
}

/** A parameter that cannot be read: which, and what was wrong (the route answers 400 with it). */
export class AccessQueryError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the list's query parameters; throws {@link AccessQueryError} naming the first bad one.
 * @example parseAccessQuery({ status: 'closed,restricted', sort: 'since' }).status // Set { 'closed', 'restricted' }
 */
export function parseAccessQuery(query: Record<string, unknown>): AccessFilter {
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new AccessQueryError(name, `${name} must be given once`);
    return v;
  };
  const list = (name: string, allowed: readonly string[]): Set<string> | undefined => {
    const raw = one(name);
    if (raw === undefined) return undefined;
    const values = raw.split(',').map((s) => s.trim());
    const bad = values.find((v) => !allowed.includes(v));
    if (bad !== undefined) throw new AccessQueryError(name, `${name} must be a comma-separated list of ${allowed.join(', ')}; got ${JSON.stringify(bad).slice(0, 80)}`);
    return new Set(values);
  };
  const hours = (name: string): number | undefined => {
    const raw = one(name);
    if (raw === undefined) return undefined;
    if (!/^\d{1,7}(\.\d{1,6})?$/.test(raw)) throw new AccessQueryError(name, `${name} must be a number of hours, 0 or more, like 48 or 0.5; got ${JSON.stringify(raw).slice(0, 80)}`);
    return Number(raw);
  };
  const filter: AccessFilter = { sort: 'since', order: 'desc' };
  const status = list('status', STATUSES);
  if (status) filter.status = status;
  const category = list('category', ACCESS_CATEGORIES.map((c) => c.code));
  if (category) filter.category = category;
  const origin = list('origin', ORIGINS);
  if (origin) filter.origin = origin;
  const box = one('bbox');
  if (box !== undefined) filter.bbox = parseBbox(box);
  const minAgeH = hours('minAgeH');
  const maxAgeH = hours('maxAgeH');
  if (minAgeH !== undefined && maxAgeH !== undefined && minAgeH > maxAgeH) {
    throw new AccessQueryError('maxAgeH', `maxAgeH (${maxAgeH}) must not be less than minAgeH (${minAgeH})`);
  }
  if (minAgeH !== undefined) filter.minAgeH = minAgeH;
  if (maxAgeH !== undefined) filter.maxAgeH = maxAgeH;
  const sort = one('sort');
  if (sort !== undefined) {
    if (!(ACCESS_SORTS as readonly string[]).includes(sort)) throw new AccessQueryError('sort', `sort must be one of ${ACCESS_SORTS.join(', ')}; got ${JSON.stringify(sort).slice(0, 80)}`);
    filter.sort = sort as AccessSort;
  }
  const order = one('order');
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') throw new AccessQueryError('order', `order must be "asc" or "desc"; got ${JSON.stringify(order).slice(0, 80)}`);
    filter.order = order;
  }
  return filter;
}

function parseBbox(raw: string): [number, number, number, number] {
  const parts = raw.split(',').map((s) => s.trim());
  const num = /^-?\d{1,3}(\.\d{1,15})?$/;
  if (parts.length !== 4 || !parts.every((p) => num.test(p))) {
    throw new AccessQueryError('bbox', `bbox must be "west,south,east,north" in decimal degrees, like 11.96,57.70,11.97,57.71; got ${JSON.stringify(raw).slice(0, 80)}`);
  }
  const [w, s, e, n] = parts.map(Number);
  if (w < -180 || e > 180 || w > 180 || e < -180) throw new AccessQueryError('bbox', `bbox longitudes must be from -180 to 180; got ${w} and ${e}`);
  if (s < -90 || n > 90 || s > 90 || n < -90) throw new AccessQueryError('bbox', `bbox latitudes must be from -90 to 90; got ${s} and ${n}`);
  if (w > e) throw new AccessQueryError('bbox', `bbox west (${w}) must not be east of its east (${e})`);
  if (s > n) throw new AccessQueryError('bbox', `bbox south (${s}) must not be north of its north (${n})`);
  return [w, s, e, n];
}

/** Severity order of statuses (open least). */
const STATUS_RANK: Record<string, number> = { open: 0, restricted: 1, closed: 2 };

/**
 * The picture's constraints (as the audience sees them) and the network's items, filtered and sorted.
 * Ties keep id order; items without the sorted field (an unknown start) come last either way.
 */
export function accessList(picture: Picture, network: readonly AccessItem[], f: AccessFilter, nowMs: number): AccessItem[] {
  const items = [...Object.values(picture.constraints).map(itemOfConstraint), ...network];
  const box = f.bbox ? bboxPolygon(f.bbox) : undefined;
  const kept = items.filter((i) => {
    if (f.status && !f.status.has(i.status)) return false;
    if (f.category && !f.category.has(i.category)) return false;
    if (f.origin && !f.origin.has(i.origin)) return false;
    if (f.minAgeH !== undefined || f.maxAgeH !== undefined) {
      if (i.sinceMs === null) return false;
      const ageH = (nowMs - i.sinceMs) / 3_600_000;
      if (f.minAgeH !== undefined && ageH < f.minAgeH) return false;
      if (f.maxAgeH !== undefined && ageH > f.maxAgeH) return false;
    }
    if (box && f.bbox) {
      const [w, s, e, n] = turfBbox(i.geometry);
      if (w > f.bbox[2] || e < f.bbox[0] || s > f.bbox[3] || n < f.bbox[1]) return false;
      if (!booleanIntersects(box, i.geometry)) return false;
    }
    return true;
  });
  const key = (i: AccessItem): number | string | undefined => {
    switch (f.sort) {
      case 'since':
        return i.sinceMs ?? undefined;
      case 'status':
        return STATUS_RANK[i.status];
      case 'category':
        return i.indicator;
      case 'verified':
        return i.verifiedAt !== undefined ? Date.parse(i.verifiedAt) : undefined;
    }
  };
  const sign = f.order === 'asc' ? 1 : -1;
  const keyed = kept.map((i) => ({ i, k: key(i) }));
  keyed.sort((a, b) => {
    if (a.k === undefined || b.k === undefined) {
      if (a.k !== b.k) return a.k === undefined ? 1 : -1;
    } else if (a.k !== b.k) return (a.k < b.k ? -1 : 1) * sign;
    return a.i.id < b.i.id ? -1 : a.i.id > b.i.id ? 1 : 0;
  });
  return keyed.map((x) => x.i);
}

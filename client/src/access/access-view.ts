// The access view's pure parts (client/src/access, issue 16): the rows of `GET /api/access/constraints`, the
// page's filters as an address (so a view can be shared), the query the exports send, and filtering and
// sorting the rows as the list shows them. No React, no DOM: test/client/access-view.test.ts reads them.
import { bboxPolygon, booleanIntersects } from '@turf/turf';
import { ACCESS_CATEGORIES, itemOfConstraint, type AccessItem, type Constraint, type ConstraintChange } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';

export type AccessStatus = 'open' | 'restricted' | 'closed';
export const ACCESS_STATUSES: readonly AccessStatus[] = ['closed', 'restricted', 'open'];

/** One change of a constraint, as its history lists it (newest last). */
export type AccessChange = ConstraintChange;

/** A line of the list: a constraint of the picture, or a road the network's assessment tags closed or restricted (the server's item). */
export type AccessRow = AccessItem;

export type SortKey = 'status' | 'category' | 'reason' | 'verified' | 'age' | 'source';
export const SORT_KEYS: readonly SortKey[] = ['status', 'category', 'reason', 'verified', 'age', 'source'];

/** [west, south, east, north] in degrees. */
export type Bbox = [number, number, number, number];

/** What the list shows: the filters, the order, and the constraint selected. */
export interface AccessFilter {
  /** Statuses shown; all three when none is unticked. */
  statuses: AccessStatus[];
  /** Category codes shown; empty: every category. */
  categories: string[];
  /** The area: the map's view (its bounds in `bbox`), or anywhere. */
  area: 'view' | 'none';
  bbox: Bbox | null;
  /** In force for more than this many hours (null: no lower bound). */
  minAgeH: number | null;
  /** In force for less than this many hours (null: no upper bound). */
  maxAgeH: number | null;
  sort: SortKey;
  order: 'asc' | 'desc';
  selected: string | null;
}

export const DEFAULT_FILTER: AccessFilter = {
  statuses: [...ACCESS_STATUSES],
  categories: [],
  area: 'none',
  bbox: null,
  minAgeH: null,
  maxAgeH: null,
  sort: 'status',
  order: 'desc',
  selected: null,
};

const CATEGORY_CODES = ACCESS_CATEGORIES.map((c) => c.code as string);

/** The status's catalogue key. */
export function statusKey(status: AccessStatus): MessageKey {
  return `accessStatus.${status}` as MessageKey;
}

function hours(text: string | null): number | null {
  if (text === null || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/**
 * Reads the page's filters from its address; what is missing or malformed keeps its default, so a
 * hand-edited or old link still opens.
 * @example parseAccessFilter('?status=closed&sort=age&order=asc').statuses // ['closed']
 */
export function parseAccessFilter(search: string): AccessFilter {
  const q = new URLSearchParams(search);
  const f: AccessFilter = { ...DEFAULT_FILTER, statuses: [...DEFAULT_FILTER.statuses] };
  const status = q.get('status');
  if (status !== null) f.statuses = ACCESS_STATUSES.filter((s) => status.split(',').includes(s));
  const category = q.get('category');
  if (category) f.categories = CATEGORY_CODES.filter((c) => category.split(',').includes(c));
  const bbox = q.get('bbox');
  if (bbox) {
    const b = bbox.split(',').map(Number);
    if (b.length === 4 && b.every(Number.isFinite) && b[0] < b[2] && b[1] < b[3] && b[1] >= -90 && b[3] <= 90) {
      f.area = 'view';
      f.bbox = b as Bbox;
    }
  }
  f.minAgeH = hours(q.get('minAgeH'));
  f.maxAgeH = hours(q.get('maxAgeH'));
  const sort = q.get('sort');
  if (sort && (SORT_KEYS as readonly string[]).includes(sort)) f.sort = sort as SortKey;
  const order = q.get('order');
  if (order === 'asc' || order === 'desc') f.order = order;
  const sel = q.get('sel');
  if (sel) f.selected = sel;
  return f;
}

/** Rounds a coordinate of the view to 5 decimals (about a metre), so addresses stay short. */
const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

/**
 * The filters as query parameters of the server's endpoints (`/api/access/constraints`, `.csv`, `.geojson`):
 * only what narrows the list, plus the order in the server's terms. `extra` adds others.
 * @example accessQuery({ ...DEFAULT_FILTER, statuses: ['closed'] }) // 'status=closed&sort=status&order=desc'
 */
export function accessQuery(f: AccessFilter, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (f.statuses.length !== ACCESS_STATUSES.length) q.set('status', ACCESS_STATUSES.filter((s) => f.statuses.includes(s)).join(','));
  if (f.categories.length > 0) q.set('category', CATEGORY_CODES.filter((c) => f.categories.includes(c)).join(','));
  if (f.area === 'view' && f.bbox) q.set('bbox', f.bbox.map(round5).join(','));
  if (f.minAgeH !== null) q.set('minAgeH', String(f.minAgeH));
  if (f.maxAgeH !== null) q.set('maxAgeH', String(f.maxAgeH));
  const sort = SERVER_SORT[f.sort];
  if (sort) {
    q.set('sort', sort.sort);
    q.set('order', sort.flip ? (f.order === 'asc' ? 'desc' : 'asc') : f.order);
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/**
 * The server's sort for each column (server/access/list.ts ACCESS_SORTS): time in force is the start
 * (`since`) the other way round; text columns have none there, the export keeps the server's order.
 */
const SERVER_SORT: Record<SortKey, { sort: string; flip: boolean } | null> = {
  status: { sort: 'status', flip: false },
  category: { sort: 'category', flip: false },
  verified: { sort: 'verified', flip: false },
  age: { sort: 'since', flip: true },
  reason: null,
  source: null,
};

/**
 * The page's own address for a filter: the narrowing parameters, its sort and order (the page's own names,
 * which the exports translate), and the selected constraint.
 */
export function accessSearch(f: AccessFilter, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams(accessQuery(f));
  q.set('sort', f.sort);
  q.set('order', f.order);
  if (f.selected) q.set('sel', f.selected);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}


/**
 * Bounds of a geometry, [west, south, east, north] degrees.
 * @example geometryBounds({ type: 'LineString', coordinates: [[1, 2], [3, 0]] }) // [1, 0, 3, 2]
 */
export function geometryBounds(g: AccessRow['geometry']): Bbox {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const visit = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const [x, y] = c as [number, number];
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < s) s = y;
      if (y > n) n = y;
    } else for (const d of c as unknown[]) visit(d);
  };
  visit(g.coordinates);
  return [w, s, e, n];
}

/** Whether two boxes share a point. */
export function boxesMeet(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** Hours a constraint has been in force at `nowMs` (never negative); null when its start is not known. */
export function inForceHours(row: Pick<AccessRow, 'sinceMs'>, nowMs: number): number | null {
  return row.sinceMs === null ? null : Math.max(0, nowMs - row.sinceMs) / 3_600_000;
}

/**
 * Whether a row passes the filter at `nowMs`, as the server's list decides it (server/access/list.ts), so
 * that the list and its exports hold the same rows: its status and category ticked, its geometry meeting
 * the view (when the area is the view), in force for at least `minAgeH` and at most `maxAgeH` hours (a
 * row whose start is not known passes no age bound).
 */
export function rowPasses(row: AccessRow, f: AccessFilter, nowMs: number): boolean {
  if (!f.statuses.includes(row.status)) return false;
  if (f.categories.length > 0 && !f.categories.includes(row.category)) return false;
  if (f.area === 'view' && f.bbox) {
    if (!boxesMeet(geometryBounds(row.geometry), f.bbox)) return false;
    // Bounds that meet the view may hold a line that passes beside it (a diagonal road): the shape decides.
    if (!booleanIntersects(bboxPolygon(f.bbox), row.geometry)) return false;
  }
  if (f.minAgeH !== null || f.maxAgeH !== null) {
    const age = inForceHours(row, nowMs);
    if (age === null) return false;
    if (f.minAgeH !== null && age < f.minAgeH) return false;
    if (f.maxAgeH !== null && age > f.maxAgeH) return false;
  }
  return true;
}

const STATUS_RANK: Record<AccessStatus, number> = { open: 0, restricted: 1, closed: 2 };

/**
 * The rows that pass the filter, in its order; ties broken by id so the order is stable. Text columns
 * compare with `collator` (the page's language), so accents and scripts sort as readers expect.
 * @example filterAndSort(rows, { ...DEFAULT_FILTER, sort: 'age', order: 'desc' }, Date.now()) // longest in force first
 */
export function filterAndSort(rows: readonly AccessRow[], f: AccessFilter, nowMs: number, collator: Intl.Collator = new Intl.Collator('en')): AccessRow[] {
  // Each column's key; undefined (no text, an unknown start) goes last whatever the order: an empty cell
  // says nothing worth putting first.
  const key: Record<SortKey, (r: AccessRow) => number | string | undefined> = {
    status: (r) => STATUS_RANK[r.status],
    category: (r) => r.indicator,
    reason: (r) => rowReason(r) || undefined,
    source: (r) => r.source || undefined,
    verified: (r) => (r.verifiedAt !== undefined && Number.isFinite(Date.parse(r.verifiedAt)) ? Date.parse(r.verifiedAt) : undefined),
    // Age ascending is the newest first: a later start is a shorter time in force.
    age: (r) => (r.sinceMs === null ? undefined : -r.sinceMs),
  };
  const sign = f.order === 'asc' ? 1 : -1;
  const k = key[f.sort];
  return rows
    .filter((r) => rowPasses(r, f, nowMs))
    .map((r) => ({ r, k: k(r) }))
    .sort((a, b) => {
      if (a.k === undefined || b.k === undefined) {
        if (a.k !== b.k) return a.k === undefined ? 1 : -1;
      } else if (a.k !== b.k) {
        return sign * (typeof a.k === 'string' ? collator.compare(a.k, b.k as string) : (a.k as number) < (b.k as number) ? -1 : 1);
      }
      return a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0;
    })
    .map((x) => x.r);
}

/**
 * What a row says of why: its reason, else a network road's name (its raw tags are worded by the page).
 * @example rowReason({ reason: 'Bridge down' }) // 'Bridge down'
 */
export function rowReason(r: Pick<AccessRow, 'reason' | 'road'>): string {
  return r.reason ?? r.road?.name ?? '';
}

/**
 * The rows of the picture's own constraints, when the server's list cannot be had (an older server):
 * the page still shows what the live picture holds.
 */
export function rowsFromPicture(constraints: Record<string, Constraint>): AccessRow[] {
  return Object.values(constraints).map(itemOfConstraint);
}

/** A point as the check's query gives it: `lon,lat` with 6 decimals at most. */
export function lonLat([lon, lat]: [number, number]): string {
  return `${Math.round(lon * 1e6) / 1e6},${Math.round(lat * 1e6) / 1e6}`;
}

/**
 * The query of `GET /api/access/check`.
 * @example checkQuery([-72.3, 18.5], [-72.31, 18.55], '4wd') // 'from=-72.3%2C18.5&to=-72.31%2C18.55&vehicleClass=4wd'
 */
export function checkQuery(from: [number, number], to: [number, number], vehicleClass: string): string {
  return new URLSearchParams({ from: lonLat(from), to: lonLat(to), vehicleClass }).toString();
}

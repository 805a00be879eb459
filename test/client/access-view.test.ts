// The access page's pure parts (test/client → client/src/access, issue 16): filters to and from the address,
// the export query, filtering by status, category, area and age, sorting each column both ways, and the
// check's wording of what cuts every path and what would open one.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyPicture, type Picture, type ThreatZone } from '@corridor/protocol';
import {
  accessQuery,
  accessSearch,
  boxesMeet,
  checkQuery,
  DEFAULT_FILTER,
  filterAndSort,
  geometryBounds,
  parseAccessFilter,
  rowPasses,
  rowsFromPicture,
  type AccessFilter,
  type AccessRow,
} from '../../client/src/access/access-view.js';
import { blockedText, namingPicture, refName } from '../../client/src/access/access-check.js';
import { rowShapes } from '../../client/src/access/access-layers.js';
import { EN, plain, wordsOf } from './words-fixture.js';

const H = 3_600_000;
const NOW = Date.parse('2026-12-06T12:00:00Z');

/** A road near Port-au-Prince, `hoursAgo` in force. */
function row(id: string, o: Partial<AccessRow> & { hoursAgo?: number; at?: [number, number] } = {}): AccessRow {
  const [x, y] = o.at ?? [-72.33, 18.54];
  return {
    id,
    origin: 'picture',
    status: 'closed',
    category: 'physical-environment',
    indicator: 9,
    verifiedAt: '2026-12-06T08:00:00Z',
    sinceMs: NOW - (o.hoursAgo ?? 1) * H,
    geometry: { type: 'LineString', coordinates: [[x, y], [x + 0.01, y + 0.005]] },
    ...o,
  };
}

const ROWS: AccessRow[] = [
  row('ac-1', { status: 'closed', category: 'hostilities', indicator: 7, reason: 'Gang barricade', source: 'UNDSS', hoursAgo: 30, verifiedAt: '2026-12-05T06:00:00Z' }),
  row('ac-2', { status: 'restricted', category: 'movement-restriction', indicator: 4, reason: 'Checkpoint, documents checked', hoursAgo: 2 }),
  row('rd-3', { origin: 'network', status: 'closed', category: 'physical-environment', indicator: 9, reason: 'Bridge washed out', source: 'IOM DTM', hoursAgo: 100, at: [-72.2, 18.4] }),
  row('ac-4', { status: 'open', category: 'explosive-hazards', indicator: 8, reason: 'Éboulement dégagé', hoursAgo: 0.5 }),
  row('ac-5', {
    status: 'restricted',
    category: 'physical-environment',
    indicator: 9,
    hoursAgo: 6,
    geometry: { type: 'Polygon', coordinates: [[[-72.35, 18.5], [-72.3, 18.5], [-72.3, 18.55], [-72.35, 18.5]]] },
  }),
];

const ids = (rows: AccessRow[]) => rows.map((r) => r.id);
const f = (o: Partial<AccessFilter>): AccessFilter => ({ ...DEFAULT_FILTER, ...o });

describe('access filters in the address (issue 16)', () => {
  it('a default filter has no narrowing parameter, only the order', () => {
    expect(accessQuery(DEFAULT_FILTER)).toBe('sort=status&order=desc');
    expect(parseAccessFilter('')).toEqual(DEFAULT_FILTER);
  });

  it('writes every filter, and reads it back the same', () => {
    const filter = f({
      statuses: ['closed', 'restricted'],
      categories: ['hostilities', 'explosive-hazards'],
      area: 'view',
      bbox: [-72.4, 18.45, -72.25, 18.6],
      minAgeH: 2,
      maxAgeH: 48,
      sort: 'age',
      order: 'asc',
      selected: 'ac-2',
    });
    const search = accessSearch(filter);
    expect(Object.fromEntries(new URLSearchParams(search))).toEqual({
      status: 'closed,restricted',
      category: 'hostilities,explosive-hazards',
      bbox: '-72.4,18.45,-72.25,18.6',
      minAgeH: '2',
      maxAgeH: '48',
      sort: 'age',
      order: 'asc',
      sel: 'ac-2',
    });
    expect(parseAccessFilter(`?${search}`)).toEqual(filter);
    // The exports take the same filters in the server's terms (server/access/list.ts): the shortest time in
    // force first is the latest start first; no selection.
    expect(Object.fromEntries(new URLSearchParams(accessQuery(filter)))).toEqual({
      status: 'closed,restricted',
      category: 'hostilities,explosive-hazards',
      bbox: '-72.4,18.45,-72.25,18.6',
      minAgeH: '2',
      maxAgeH: '48',
      sort: 'since',
      order: 'desc',
    });
    // A text column has no server sort: the export keeps the server's own order.
    expect(accessQuery(f({ sort: 'reason', order: 'asc' }))).toBe('');
  });

  it('keeps the defaults for what is malformed, so an edited link still opens', () => {
    const g = parseAccessFilter('?status=closed,nonsense&category=bureaucratic,hostilities&bbox=1,2,3&minAgeH=-4&maxAgeH=x&sort=colour&order=up');
    expect(g.statuses).toEqual(['closed']);
    expect(g.categories).toEqual(['hostilities']);
    expect(g.area).toBe('none');
    expect(g.bbox).toBeNull();
    expect(g.minAgeH).toBeNull();
    expect(g.maxAgeH).toBeNull();
    expect(g.sort).toBe(DEFAULT_FILTER.sort);
    expect(g.order).toBe(DEFAULT_FILTER.order);
    // A box whose west is east of its east is no box.
    expect(parseAccessFilter('?bbox=3,1,2,4').bbox).toBeNull();
    // Every status unticked is a filter too: nothing shown, and it survives the round trip.
    expect(parseAccessFilter(`?${accessQuery(f({ statuses: [] }))}`).statuses).toEqual([]);
  });

  it('round-trips any filter through the address (property)', () => {
    const arb = fc.record({
      statuses: fc.subarray(['closed', 'restricted', 'open'] as const),
      categories: fc.subarray(['denial-of-needs', 'hostilities', 'explosive-hazards', 'physical-environment']),
      minAgeH: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
      maxAgeH: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
      sort: fc.constantFrom('status', 'category', 'reason', 'verified', 'age', 'source' as const),
      order: fc.constantFrom('asc', 'desc' as const),
    });
    fc.assert(
      fc.property(arb, (o) => {
        const filter = f({ ...o, statuses: [...o.statuses], categories: [...o.categories] });
        const back = parseAccessFilter(accessSearch(filter));
        expect(new Set(back.statuses)).toEqual(new Set(filter.statuses));
        expect(new Set(back.categories)).toEqual(new Set(filter.categories));
        expect([back.minAgeH, back.maxAgeH, back.sort, back.order]).toEqual([filter.minAgeH, filter.maxAgeH, filter.sort, filter.order]);
      }),
    );
  });
});

describe('filtering and sorting the list', () => {
  it('narrows by status, and by category', () => {
    expect(ids(filterAndSort(ROWS, f({ statuses: ['closed'] }), NOW)).sort()).toEqual(['ac-1', 'rd-3']);
    expect(ids(filterAndSort(ROWS, f({ statuses: ['restricted', 'open'] }), NOW)).sort()).toEqual(['ac-2', 'ac-4', 'ac-5']);
    expect(filterAndSort(ROWS, f({ statuses: [] }), NOW)).toEqual([]);
    expect(ids(filterAndSort(ROWS, f({ categories: ['physical-environment'] }), NOW)).sort()).toEqual(['ac-5', 'rd-3']);
  });

  it('narrows to the map view: a road or an area that reaches into it', () => {
    // The view holds the city centre, not the bridge at (-72.2, 18.4).
    const view = f({ area: 'view', bbox: [-72.36, 18.49, -72.28, 18.56] });
    expect(ids(filterAndSort(ROWS, view, NOW)).sort()).toEqual(['ac-1', 'ac-2', 'ac-4', 'ac-5']);
    // A road whose bounds meet the view but which passes beside it is not in it.
    const diagonal = row('ac-6', { geometry: { type: 'LineString', coordinates: [[-72.33, 18.54], [-72.32, 18.545]] } });
    expect(boxesMeet(geometryBounds(diagonal.geometry), [-72.33, 18.543, -72.325, 18.545])).toBe(true);
    expect(rowPasses(diagonal, f({ area: 'view', bbox: [-72.33, 18.543, -72.325, 18.545] }), NOW)).toBe(false);
    expect(rowPasses(diagonal, f({ area: 'view', bbox: [-72.325, 18.542, -72.32, 18.546] }), NOW)).toBe(true);
    // A view the polygon only reaches by its corner still shows it.
    expect(rowPasses(ROWS[4], f({ area: 'view', bbox: [-72.305, 18.545, -72.29, 18.6] }), NOW)).toBe(true);
    expect(rowPasses(ROWS[4], f({ area: 'view', bbox: [-72.29, 18.56, -72.2, 18.6] }), NOW)).toBe(false);
    // With the area set to anywhere, a remembered box does not narrow.
    expect(filterAndSort(ROWS, f({ area: 'none', bbox: [0, 0, 1, 1] }), NOW)).toHaveLength(ROWS.length);
  });

  it('narrows by time in force: more than, less than, both', () => {
    expect(ids(filterAndSort(ROWS, f({ minAgeH: 24 }), NOW)).sort()).toEqual(['ac-1', 'rd-3']);
    expect(ids(filterAndSort(ROWS, f({ maxAgeH: 3 }), NOW)).sort()).toEqual(['ac-2', 'ac-4']);
    expect(ids(filterAndSort(ROWS, f({ minAgeH: 1, maxAgeH: 50 }), NOW)).sort()).toEqual(['ac-1', 'ac-2', 'ac-5']);
    // Bounds included, as the server's list has them, so the list and its export agree: exactly 2 h in force passes both.
    expect(rowPasses(ROWS[1], f({ minAgeH: 2 }), NOW)).toBe(true);
    expect(rowPasses(ROWS[1], f({ maxAgeH: 2 }), NOW)).toBe(true);
    expect(rowPasses(ROWS[1], f({ minAgeH: 2.01 }), NOW)).toBe(false);
    // A road whose start is not known passes no age bound, but shows without one.
    const unknown = row('ac-osm-w1', { origin: 'network', sinceMs: null });
    expect(rowPasses(unknown, f({ maxAgeH: 1000 }), NOW)).toBe(false);
    expect(rowPasses(unknown, f({}), NOW)).toBe(true);
  });

  it('sorts by each column both ways', () => {
    const sorted = (sort: AccessFilter['sort'], order: AccessFilter['order']) => ids(filterAndSort(ROWS, f({ sort, order }), NOW));
    // Closed first, then restricted, then open; ties by id.
    expect(sorted('status', 'desc')).toEqual(['ac-1', 'rd-3', 'ac-2', 'ac-5', 'ac-4']);
    expect(sorted('status', 'asc')).toEqual(['ac-4', 'ac-2', 'ac-5', 'ac-1', 'rd-3']);
    expect(sorted('category', 'asc')).toEqual(['ac-2', 'ac-1', 'ac-4', 'ac-5', 'rd-3']);
    // Longest in force first when descending.
    expect(sorted('age', 'desc')).toEqual(['rd-3', 'ac-1', 'ac-5', 'ac-2', 'ac-4']);
    expect(sorted('age', 'asc')).toEqual(['ac-4', 'ac-2', 'ac-5', 'ac-1', 'rd-3']);
    expect(sorted('verified', 'asc')[0]).toBe('ac-1');
    // Text by the language's collation (É sorts with E), rows without a reason last either way.
    expect(sorted('reason', 'asc')).toEqual(['rd-3', 'ac-2', 'ac-4', 'ac-1', 'ac-5']);
    expect(sorted('reason', 'desc')).toEqual(['ac-1', 'ac-4', 'ac-2', 'rd-3', 'ac-5']);
    expect(sorted('source', 'asc')).toEqual(['rd-3', 'ac-1', 'ac-2', 'ac-4', 'ac-5']);
    // A start not known, or no verification time, goes last both ways.
    const more = [...ROWS, row('ac-osm-w1', { origin: 'network', sinceMs: null, verifiedAt: undefined, road: { wayId: 'way/1', highway: 'primary', name: 'Route de Delmas' } })];
    for (const order of ['asc', 'desc'] as const) {
      expect(ids(filterAndSort(more, f({ sort: 'age', order }), NOW)).at(-1)).toBe('ac-osm-w1');
      expect(ids(filterAndSort(more, f({ sort: 'verified', order }), NOW)).at(-1)).toBe('ac-osm-w1');
    }
    // A network road without a reason sorts by its name.
    expect(ids(filterAndSort(more, f({ sort: 'reason', order: 'desc' }), NOW)).slice(0, 2)).toEqual(['ac-osm-w1', 'ac-1']);
  });

  it('gives the bounds of lines, polygons and multi-geometries', () => {
    expect(geometryBounds({ type: 'LineString', coordinates: [[1, 2], [3, 0]] })).toEqual([1, 0, 3, 2]);
    expect(geometryBounds({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 7], [5, 5]]]] })).toEqual([0, 0, 6, 7]);
  });

  it('makes rows of the picture’s own constraints when the server has no list', () => {
    const picture = emptyPicture();
    picture.constraints['ac-9'] = {
      id: 'ac-9',
      status: 'closed',
      category: 'explosive-hazards',
      reason: 'UXO reported',
      geometry: { type: 'LineString', coordinates: [[-72.3, 18.5], [-72.29, 18.51]] },
      verifiedAt: '2026-12-06T09:00:00Z',
      verifiedBy: 'UNMAS',
      updatedMs: NOW - 5 * H,
    } as Picture['constraints'][string];
    const [r] = rowsFromPicture(picture.constraints);
    expect(r).toMatchObject({ id: 'ac-9', origin: 'picture', indicator: 8, reason: 'UXO reported', verifiedBy: 'UNMAS' });
    expect(r.sinceMs).toBe((picture.constraints['ac-9'] as { sinceMs?: number }).sinceMs ?? NOW - 5 * H);
  });

  it('draws rows left out by the filters under those shown, closed on top', () => {
    const shown = new Set(['ac-2', 'rd-3']);
    const { lines, areas } = rowShapes(ROWS, shown);
    expect(lines.map((l) => [l.row.id, l.shown])).toEqual([
      ['ac-4', false],
      ['ac-1', false],
      ['ac-2', true],
      ['rd-3', true],
    ]);
    expect(areas.map((a) => a.row.id)).toEqual(['ac-5']);
  });
});

describe('the A-to-B check in words', () => {
  const picture = emptyPicture();
  picture.threats['tz-1'] = { id: 'tz-1', severity: 'no-go', label: 'Martissant clashes' } as ThreatZone;

  it('asks with lon,lat and the vehicle class', () => {
    expect(Object.fromEntries(new URLSearchParams(checkQuery([-72.3412345678, 18.5], [-72.31, 18.55], 'light_truck')))).toEqual({
      from: '-72.341235,18.5',
      to: '-72.31,18.55',
      vehicleClass: 'light_truck',
    });
  });

  it('names what cuts every path as the picture labels it, network roads by their reason', () => {
    const naming = namingPicture(picture, ROWS);
    expect(plain(blockedText([{ kind: 'zone', id: 'tz-1' }, { kind: 'network', id: 'rd-3' }], naming, EN))).toBe(
      'no safe route: every path is cut by zone tz-1 (Martissant clashes) and constraint rd-3 (Bridge washed out)',
    );
    expect(plain(refName({ kind: 'constraint', id: 'ac-5' }, naming, EN))).toBe('constraint ac-5');
    expect(plain(refName({ kind: 'zone', id: 'tz-1' }, naming, wordsOf('fr')))).toContain('Martissant clashes');
  });
});

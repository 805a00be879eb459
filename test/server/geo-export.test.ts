// The GIS and field-device exports' pure builders (server/out, issue 18): what a route and a picture
// export hold, GeoJSON as RFC 7946 wants it, GPX and KML valid against their published schemas
// (xmllint), every format read back by independent tools (GDAL's ogrinfo, gpsbabel) with the same
// points in the same order and the same names, and a fast-check property: names with XML specials,
// right-to-left text and emoji round-trip through the XML and GeoJSON builders.
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Convoy, Corridor, Haven, Picture, Polygonal, RouteLeg } from '@corridor/protocol';
import { exportItems, nearLine, pictureExport, rewindRings, round7, routeExport, type ExportItem, type GeoExport } from '../../server/out/geo-export.js';
import { geojsonParts, geojsonText } from '../../server/out/geojson-export.js';
import { gpxParts, gpxText } from '../../server/out/gpx-export.js';
import { kmlParts, kmlText } from '../../server/out/kml-export.js';
import { deg7, xmlSafe } from '../../server/out/xml-parts.js';
import { babelRead, GPSBABEL, HAS_SCHEMAS, OGRINFO, ogrRead, samePositions, validate, withFile, XMLLINT, type ReadFeature } from './geo-readers.js';

const SEED = Number(process.env.FC_SEED ?? 20261206);
console.log(`geo-export round-trip property: fast-check seed ${SEED} (FC_SEED=... to replay)`);

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const NASTY = `EVAC <1> & "co" 'x' ]]> مرحبا 🚚👩‍👩‍👧`;

/** A picture of one routed convoy near two zones (one 2 km off and more), a far zone, a haven, a site, a unit, constraints. */
function fixture(): Picture {
  const route: RouteLeg = {
    coordinates: [
      [11.963, 57.701],
      [11.96412345678, 57.7015],
      [11.968, 57.703],
    ],
    distance_m: 540,
    duration_s: 75,
    exposure_m: 0,
    min_clearance_m: 120,
    roads: [
      { name: 'Rue <Principale> & Cie', from: 0, distance_m: 100, duration_s: 20 },
      { ref: 'E6', from: 1, distance_m: 440, duration_s: 55 },
    ],
  };
  const alternative: RouteLeg = { coordinates: [[11.963, 57.701], [11.962, 57.703], [11.968, 57.703]], distance_m: 700, duration_s: 90, exposure_m: 20, min_clearance_m: null };
  const corridor: Corridor = { convoyId: 'cv-1', status: 'ok', routes: [route, alternative], havenId: 'hv-1', reason: 'initial', computedMs: 0, version: 2 };
  const convoy = {
    id: 'cv-1',
    name: NASTY,
    origin: [11.963, 57.701],
    destination: 'nearest-haven',
    vehicleClass: 'truck',
    state: 'approved',
    checkpoints: [
      { name: 'Pont « Nord »', at: [11.964, 57.7015] },
      { name: 'נקודת עצירה', at: [11.966, 57.702], hold: true },
    ],
    updatedMs: 0,
  } as unknown as Convoy;
  const haven: Haven = { id: 'hv-1', name: 'École & <Abri>', lon: 11.968, lat: 57.703, capacity: 200, occupancy: 20, status: 'open', contact: 'Radio ch. 5 / +46 31 00 00', updatedMs: 0 };
  // Wound clockwise outside and counter-clockwise in its hole: the export must turn both.
  const near = {
    id: 'tz-near',
    severity: 'no-go',
    label: 'Mines "here"',
    geometry: { type: 'Point', coordinates: [0, 0] },
    area: {
      type: 'Polygon',
      coordinates: [
        [[11.964, 57.699], [11.964, 57.7025], [11.967, 57.7025], [11.967, 57.699], [11.964, 57.699]],
        [[11.965, 57.6995], [11.966, 57.6995], [11.966, 57.7], [11.965, 57.7], [11.965, 57.6995]],
      ],
    },
    updatedMs: 0,
  };
  // About 1.5 km north of the route's end: near enough.
  const north = { id: 'tz-north', severity: 'danger', area: { type: 'MultiPolygon', coordinates: [[[[11.968, 57.716], [11.97, 57.716], [11.97, 57.718], [11.968, 57.716]]]] }, geometry: null, updatedMs: 0 };
  const far = { id: 'tz-far', severity: 'advisory', area: { type: 'Polygon', coordinates: [[[12.1, 57.7], [12.2, 57.7], [12.2, 57.8], [12.1, 57.7]]] }, geometry: null, updatedMs: 0 };
  return {
    seq: 42,
    units: { u1: { unitId: 'u1', lon: 11.96, lat: 57.7, timeMs: NOW - 60_000, seenMs: NOW - 60_000, callsign: 'Alpha & <1>' } },
    corridors: { 'cv-1': corridor },
    tracks: {},
    alerts: {},
    proposals: {},
    notices: { 'cv-1': { convoyId: 'cv-1', reference: 'DN-2026-0412', version: 3, status: 'sent' } },
    threats: { 'tz-near': near, 'tz-north': north, 'tz-far': far },
    havens: { 'hv-1': haven },
    sites: { 'st-1': { id: 'st-1', name: 'مخيم الأمل 🏕', lon: 11.9, lat: 57.6, population: 1200, date: '2026-11-01', source: 'IOM DTM', updatedMs: 0 } },
    flows: {},
    constraints: {
      'ac-line': { id: 'ac-line', status: 'closed', category: 'hostilities', reason: 'Bridge out', geometry: { type: 'LineString', coordinates: [[11.963, 57.7], [11.964, 57.7]] }, verifiedAt: '2026-12-01T00:00:00Z', verifiedBy: 'WFP log', updatedMs: 0 },
      'ac-area': { id: 'ac-area', status: 'restricted', category: 'movement-restriction', geometry: { type: 'Polygon', coordinates: [[[11.962, 57.7035], [11.962, 57.704], [11.963, 57.704], [11.962, 57.7035]]] }, verifiedAt: '2026-12-01T00:00:00Z', updatedMs: 0 },
      'ac-far': { id: 'ac-far', status: 'open', category: 'physical-environment', geometry: { type: 'LineString', coordinates: [[13, 58], [13.1, 58]] }, verifiedAt: '2026-12-01T00:00:00Z', updatedMs: 0 },
    },
    convoys: { 'cv-1': convoy },
    plans: {},
    reports: {},
  } as unknown as Picture;
}

/** What a document holds, as a reader should find it: name, kind and positions to 7 decimals (polygons rewound). */
function expected(doc: GeoExport): { name: string; kind: string; type: string; positions: [number, number][] }[] {
  return [...exportItems(doc)].map((item: ExportItem) => ({ name: item.name, kind: item.kind, type: item.type, positions: positionsOfItem(item) }));
}

function positionsOfItem(item: ExportItem): [number, number][] {
  const r = ([x, y]: readonly number[]): [number, number] => [round7(x), round7(y)];
  if (item.type === 'point') return [r(item.at)];
  if (item.type === 'line') return item.coordinates.map(r);
  const g = item.geometry;
  if (g.type === 'Polygon') return rewindRings(g.coordinates).flat();
  if (g.type === 'MultiPolygon') return g.coordinates.flatMap((p) => rewindRings(p).flat());
  if (g.type === 'LineString') return g.coordinates.map(r);
  return g.coordinates.flat().map(r);
}

/** Twice the signed area of a ring (positive: counter-clockwise). */
function area2(ring: number[][]): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s;
}

describe('what a route export holds (issue 18)', () => {
  it('the corridor best first then its alternatives, named after the convoy; origin, checkpoints in order, destination, haven; zones and constraints within 2 km', () => {
    const doc = routeExport(fixture(), 'cv-1', NOW)!;
    expect(doc.sections.map((s) => s.title)).toEqual(['Routes', 'Points', 'Threat zones', 'Access constraints']);
    const items = expected(doc);
    expect(items.map((i) => [i.kind, i.name])).toEqual([
      ['route', NASTY],
      ['alternative', `${NASTY} (alternative 1)`],
      ['origin', `${NASTY}: origin`],
      ['checkpoint', 'Pont « Nord »'],
      ['hold', 'נקודת עצירה'],
      ['destination', `${NASTY}: destination`],
      ['haven', 'École & <Abri>'],
      ['zone', 'Mines "here"'],
      ['zone', 'danger zone tz-north'],
      ['constraint', 'Access restricted: movement-restriction'],
      ['constraint', 'Access closed: Bridge out'],
    ]);
    // The route's version and the notice are in the document and on every route.
    expect(doc.properties).toMatchObject({ convoy_id: 'cv-1', route_version: 2, notice_reference: 'DN-2026-0412', notice_version: 3 });
    expect(doc.description).toContain('route version 2');
    expect(doc.description).toContain('DN-2026-0412 version 3');
    const best = [...exportItems(doc)][0];
    expect(best.properties).toMatchObject({ rank: 0, route_version: 2, notice_reference: 'DN-2026-0412', distance_m: 540 });
    // The destination of a convoy bound for the nearest haven is the haven.
    expect(items[5].positions).toEqual([[11.968, 57.703]]);
  });

  it('a convoy with no route yet still gives its points; the haven only when the view holds it; unknown convoys give nothing', () => {
    const p = fixture();
    const unrouted = { ...p, corridors: {}, havens: {} } as Picture;
    const doc = routeExport(unrouted, 'cv-1', NOW)!;
    expect([...exportItems(doc)].filter((i) => i.type !== 'shape').map((i) => i.kind)).toEqual(['origin', 'checkpoint', 'hold']);
    expect(doc.properties.route_version).toBeUndefined();
    // Near its points (origin and checkpoints) as before a route is known.
    expect([...exportItems(doc)].some((i) => i.id === 'tz-near')).toBe(true);
    const hiddenHaven = { ...p, havens: {} } as Picture;
    expect([...exportItems(routeExport(hiddenHaven, 'cv-1', NOW)!)].some((i) => i.kind === 'haven')).toBe(false);
    expect(routeExport(p, 'cv-unknown', NOW)).toBeUndefined();
    expect(routeExport(p, 'constructor', NOW)).toBeUndefined();
  });

  it('nearLine: crossing, within, and beyond 2 km', () => {
    const line: [number, number][] = [[11.963, 57.701], [11.968, 57.703]];
    const square = (lon: number, lat: number, d: number): Polygonal => ({ type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] });
    expect(nearLine(line, square(11.964, 57.7, 0.01), 2000)).toBe(true);
    // 0.027° of latitude north ≈ 3 km: beyond 2 km, but within 4.
    expect(nearLine(line, square(11.968, 57.73, 0.001), 2000)).toBe(false);
    expect(nearLine(line, square(11.968, 57.73, 0.001), 4000)).toBe(true);
    // A long segment crossing a small zone with no vertex near it.
    expect(nearLine([[11, 57.7], [13, 57.7]], square(12, 57.699, 0.002), 10)).toBe(true);
  });
});

describe('the picture export', () => {
  it('holds every convoy’s best route, havens, sites, units, zones and constraints the view holds', () => {
    const doc = pictureExport(fixture(), NOW);
    const kinds = [...exportItems(doc)].map((i) => `${i.kind}:${i.id}`);
    // Each section in the picture's own order (the order the fixture made them in), the same on every read.
    expect(kinds).toEqual(['route:cv-1', 'haven:hv-1', 'site:st-1', 'unit:u1', 'zone:tz-near', 'zone:tz-north', 'zone:tz-far', 'constraint:ac-line', 'constraint:ac-area', 'constraint:ac-far']);
    expect([...exportItems(pictureExport(fixture(), NOW))].map((i) => `${i.kind}:${i.id}`)).toEqual(kinds);
    const haven = [...exportItems(doc)].find((i) => i.kind === 'haven')!;
    expect(haven.properties).toEqual({ haven_id: 'hv-1', status: 'open', capacity: 200, occupancy: 20, contact: 'Radio ch. 5 / +46 31 00 00' });
    expect([...exportItems(doc)].find((i) => i.kind === 'site')!.properties).toMatchObject({ population: 1200 });
  });
});

describe('written a part at a time', () => {
  it('each format gives its head, one part per item and its tail, so a large picture is written between turns of the event loop', () => {
    const doc = pictureExport(fixture(), NOW);
    const items = [...exportItems(doc)];
    const shapes = items.filter((i) => i.type === 'shape').length;
    const lines = items.filter((i) => i.type === 'line').length;
    expect([...geojsonParts(doc)]).toHaveLength(items.length + 2);
    // KML: the skeleton's pieces around each folder (sections + 1) and one Placemark each, then a line end.
    expect([...kmlParts(doc)]).toHaveLength(doc.sections.length + 1 + items.length + 1);
    // GPX: head, the points, each route twice (rte and trk), tail; no shapes.
    expect([...gpxParts(doc)]).toHaveLength(2 + items.length - shapes - lines + 2 * lines);
  });
});

describe('GeoJSON (RFC 7946)', () => {
  it('lon,lat to 7 decimals, exterior rings counter-clockwise and holes clockwise, no crs', () => {
    const text = geojsonText(pictureExport(fixture(), NOW));
    const fc = JSON.parse(text);
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.crs).toBeUndefined();
    expect(fc.seq).toBe(42);
    for (const f of fc.features) {
      expect(f.type).toBe('Feature');
      expect(typeof f.properties.name).toBe('string');
      const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : [];
      for (const rings of polygons) {
        expect(area2(rings[0])).toBeGreaterThan(0);
        for (const hole of rings.slice(1)) expect(area2(hole)).toBeLessThan(0);
      }
    }
    const near = fc.features.find((f: { properties: { zone_id?: string } }) => f.properties.zone_id === 'tz-near');
    expect(near.geometry.coordinates).toHaveLength(2);
    // 11.96412345678 → 11.9641235 (7 decimals).
    const route = JSON.parse(geojsonText(routeExport(fixture(), 'cv-1', NOW)!)).features[0];
    expect(route.geometry.coordinates[1]).toEqual([11.9641235, 57.7015]);
    expect(route.properties.name).toBe(NASTY);
  });

  it('degrees as XML decimals: 7 decimals, no exponent, no -0; text without what XML 1.0 cannot hold', () => {
    expect(deg7(11.96412345678)).toBe('11.9641235');
    expect(deg7(1e-8)).toBe('0');
    expect(deg7(-1e-9)).toBe('0');
    expect(deg7(1e-7)).toBe('0.0000001');
    expect(deg7(-180)).toBe('-180');
    expect(xmlSafe('a\r\nb\u0001c\uFFFE\uD800d 🚚')).toBe('a\nbcd 🚚');
  });
});

const FORMATS = [
  ['route', () => routeExport(fixture(), 'cv-1', NOW)!],
  ['picture', () => pictureExport(fixture(), NOW)],
] as const;

describe.skipIf(!HAS_SCHEMAS || !XMLLINT)(`valid against the published schemas (needs ../shared/data/schemas and xmllint${!HAS_SCHEMAS ? ': schemas absent, skipped' : !XMLLINT ? ': xmllint absent, skipped' : ''})`, () => {
  for (const [what, make] of FORMATS) {
    it(`the ${what} export's GPX 1.1 and KML 2.2`, async () => {
      const doc = make();
      const gpx = await withFile(`${what}.gpx`, gpxText(doc), (f) => validate(f, 'gpx'));
      expect(gpx.output).toContain('validates');
      expect(gpx.ok).toBe(true);
      const kml = await withFile(`${what}.kml`, kmlText(doc), (f) => validate(f, 'kml'));
      expect(kml.output).toContain('validates');
      expect(kml.ok).toBe(true);
    });
  }

  it('the schema check is no formality: a latitude of 93 fails', async () => {
    const p = fixture();
    const bad = { ...p, havens: { 'hv-1': { ...p.havens['hv-1'], lat: 93 } } } as Picture;
    expect((await withFile('bad.gpx', gpxText(pictureExport(bad, NOW)), (f) => validate(f, 'gpx'))).ok).toBe(false);
    expect((await withFile('bad.kml', kmlText(pictureExport(bad, NOW)).replace('<open>1</open>', '<open>maybe</open>'), (f) => validate(f, 'kml'))).ok).toBe(false);
  });
});

/** The tool's features against what was exported: names, and positions in order within 1e-6°. */
function expectSame(read: ReadFeature[], want: { name: string; positions: [number, number][] }[], what: string): void {
  expect(read.map((f) => f.name), `${what}: names`).toEqual(want.map((w) => w.name));
  read.forEach((f, i) => {
    expect(samePositions(f.positions, want[i].positions), `${what}: positions of ${want[i].name}: ${JSON.stringify(f.positions)} vs ${JSON.stringify(want[i].positions)}`).toBe(true);
  });
}

/** A GPX's expected layers: points as waypoints, then the routes (as rte and again as trk). Zones are not in GPX. */
function gpxExpected(doc: GeoExport) {
  const items = expected(doc);
  const lonGpx = (p: [number, number]): [number, number] => [p[0] === 180 ? -180 : p[0], p[1]];
  const fix = (i: (typeof items)[number]) => ({ ...i, positions: i.positions.map(lonGpx) });
  return { points: items.filter((i) => i.type === 'point').map(fix), lines: items.filter((i) => i.type === 'line').map(fix) };
}

describe.skipIf(!OGRINFO)(`read back by GDAL's ogrinfo${OGRINFO ? '' : ' (absent: apt-get install gdal-bin; skipped)'}`, () => {
  for (const [what, make] of FORMATS) {
    it(`the ${what} export: GeoJSON, KML and GPX give the same points in the same order with the same names`, async () => {
      const doc = make();
      const all = expected(doc);
      expectSame(await withFile(`${what}.geojson`, geojsonText(doc), ogrRead), all, `${what} GeoJSON`);
      // KML: a layer per folder, in order; empty folders give no features.
      const kml = await withFile(`${what}.kml`, kmlText(doc), ogrRead);
      expectSame(kml, all, `${what} KML`);
      expect(kml.find((f) => f.fields.kind === 'zone')?.geometry ?? 'Polygon').toMatch(/Polygon/);
      const gpx = await withFile(`${what}.gpx`, gpxText(doc), ogrRead);
      const { points, lines } = gpxExpected(doc);
      expectSame(gpx.filter((f) => f.layer === 'waypoints'), points, `${what} GPX waypoints`);
      expectSame(gpx.filter((f) => f.layer === 'routes'), lines, `${what} GPX routes`);
      expectSame(gpx.filter((f) => f.layer === 'tracks'), lines, `${what} GPX tracks`);
      // The route points are named by road where a stretch starts (issue 18).
      if (what === 'route') expect(gpx.filter((f) => f.layer === 'route_points').map((f) => f.name).slice(0, 3)).toEqual(['Rue <Principale> & Cie', 'E6', undefined]);
    });
  }
});

describe.skipIf(!GPSBABEL)(`read back by gpsbabel${GPSBABEL ? '' : ' (absent: apt-get install gpsbabel; skipped)'}`, () => {
  for (const [what, make] of FORMATS) {
    it(`the ${what} export: GPX and KML give the same waypoints, routes and tracks`, async () => {
      const doc = make();
      const { points, lines } = gpxExpected(doc);
      const gpx = await withFile(`${what}.gpx`, gpxText(doc), (f) => babelRead(f, 'gpx'));
      // Waypoints, then the routes, then the same lines as tracks.
      expectSame(gpx, [...points, ...lines, ...lines], `${what} GPX`);
      const kml = await withFile(`${what}.kml`, kmlText(doc), (f) => babelRead(f, 'kml'));
      // gpsbabel reads KML points as waypoints and every line (routes, constraint lines, polygon outlines) as a track.
      expectSame(kml.filter((f) => f.layer === 'waypoints'), points, `${what} KML points`);
      expectSame(kml.filter((f) => f.layer === 'tracks').slice(0, lines.length), lines, `${what} KML routes`);
    });
  }
});

// ---------------------------------------------------------------- the property

/** Text that trips writers: XML's specials, right-to-left scripts, emoji with joiners, a CDATA end. */
const piece = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', '<!--', 'مرحبا', 'שלום', '🚚', '👩‍👩‍👧', 'é', 'Ω', 'A', 'z', '1', ' ', '\u200f', '·');
const name = fc
  .tuple(fc.array(piece, { minLength: 1, maxLength: 8 }), fc.string({ maxLength: 6 }))
  .map(([parts, s]) => xmlSafe(parts.join('') + s).trim())
  .filter((s) => s.length > 0);
const lon = fc.double({ min: -180, max: 180, maxExcluded: true, noNaN: true });
const lat = fc.double({ min: -90, max: 90, noNaN: true });
const position = fc.tuple(lon, lat);

const convoyCase = fc.record({
  name,
  origin: position,
  destination: position,
  checkpoints: fc.array(fc.record({ name, at: position, hold: fc.boolean() }), { maxLength: 5 }),
  routes: fc.array(fc.array(position, { minLength: 2, maxLength: 12 }), { maxLength: 3 }),
  roads: fc.array(fc.record({ name: fc.option(name, { nil: undefined }), from: fc.nat({ max: 11 }) }), { maxLength: 4 }),
  version: fc.integer({ min: 1, max: 50 }),
});

type ConvoyCase = typeof convoyCase extends fc.Arbitrary<infer T> ? T : never;

/** A one-convoy view from a generated case (no zones, no haven). */
function viewOf(c: ConvoyCase): Picture {
  const routes = c.routes.map((coordinates, i) => ({
    coordinates,
    distance_m: 1000 + i,
    duration_s: 100 + i,
    exposure_m: 0,
    min_clearance_m: null,
    ...(i === 0 ? { roads: c.roads.filter((r) => r.from < coordinates.length).map((r) => ({ ...(r.name ? { name: r.name } : {}), from: r.from, distance_m: 1, duration_s: 1 })) } : {}),
  }));
  const p = fixture();
  return {
    ...p,
    threats: {},
    constraints: {},
    havens: {},
    notices: {},
    convoys: { 'cv-p': { id: 'cv-p', name: c.name, origin: c.origin, destination: c.destination, vehicleClass: 'truck', state: 'planned', checkpoints: c.checkpoints, updatedMs: 0 } },
    corridors: c.routes.length === 0 ? {} : { 'cv-p': { convoyId: 'cv-p', status: 'ok', routes, reason: 'x', computedMs: 0, version: c.version } },
  } as unknown as Picture;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (tag) => ['wpt', 'rte', 'trk', 'rtept', 'trkpt', 'trkseg', 'Folder', 'Placemark', 'Data'].includes(tag),
});

const num = (s: string) => Number(s);
const kmlPositions = (s: string) => s.trim().split(/\s+/).map((t) => t.split(',').map(num) as [number, number]);

describe('property: names and points round-trip through the builders (fast-check)', () => {
  it('GPX, KML and GeoJSON give back every point in order (1e-7°) and every name as written', () => {
    fc.assert(
      fc.property(convoyCase, (c) => {
        const doc = routeExport(viewOf(c), 'cv-p', NOW)!;
        const want = expected(doc);
        const same = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]) => samePositions(a, b, 1.0000001e-7);

        const geo = JSON.parse(geojsonText(doc));
        expect(geo.features.map((f: { properties: { name: string } }) => f.properties.name)).toEqual(want.map((w) => w.name));
        geo.features.forEach((f: { geometry: { type: string; coordinates: number[] | number[][] } }, i: number) => {
          const pts = f.geometry.type === 'Point' ? [f.geometry.coordinates as number[]] : (f.geometry.coordinates as number[][]);
          expect(same(pts, want[i].positions)).toBe(true);
        });

        const kml = xml.parse(kmlText(doc)).kml.Document;
        const placemarks = (kml.Folder as { Placemark?: Record<string, any>[] }[]).flatMap((f) => f.Placemark ?? []);
        expect(kml.name).toBe(c.name);
        expect(placemarks.map((p) => p.name)).toEqual(want.map((w) => w.name));
        placemarks.forEach((p, i) => {
          const coords = p.Point?.coordinates ?? p.LineString?.coordinates;
          expect(same(kmlPositions(coords), want[i].positions)).toBe(true);
        });

        const gpx = xml.parse(gpxText(doc)).gpx;
        const { points, lines } = gpxExpected(doc);
        expect(gpx.metadata.name).toBe(c.name);
        expect((gpx.wpt ?? []).map((w: Record<string, string>) => w.name)).toEqual(points.map((p) => p.name));
        expect(same((gpx.wpt ?? []).map((w: Record<string, string>) => [num(w['@_lon']), num(w['@_lat'])]), points.flatMap((p) => p.positions))).toBe(true);
        for (const [tag, pts] of [['rte', (r: any) => r.rtept], ['trk', (t: any) => t.trkseg[0].trkpt]] as const) {
          const got = (gpx[tag] ?? []) as Record<string, any>[];
          expect(got.map((r) => r.name)).toEqual(lines.map((l) => l.name));
          got.forEach((r, i) => expect(same(pts(r).map((p: Record<string, string>) => [num(p['@_lon']), num(p['@_lat'])]), lines[i].positions)).toBe(true));
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

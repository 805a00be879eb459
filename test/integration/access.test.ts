// The access view's API (issue 16) against a real server on a real router over the fixture roads
// (test/fixtures/roads/mini.geojson, a few of its ways tagged with an IOM road assessment here), under
// the exercise's sharing agreement: the network's own constraints, the list with its filters, as CSV
// and GeoJSON read back with independent parsers (csv-parse, wkx), a constraint's history, and "can we
// get from A to B now", which names only what the caller's audience may know of.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { booleanClockwise } from '@turf/turf';
import wkx from 'wkx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { NetworkAccess } from '../../server/access/network.js';
import { InlineRouting } from '../../server/routing-service.js';
import { EXERCISE_AGREEMENT_FILE, loadAgreement } from '../../server/sharing/agreement.js';
import { buildRoadGraph, roadWaysFromGeoJson, Router } from '../../routing/index.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, type Json } from './helpers.js';

const MINI = path.resolve(import.meta.dirname, '../fixtures/roads/mini.geojson');
/** Basargatan, restricted by its assessment; Vallgatan, closed; a two-piece way far off, closed. */
const BASARGATAN = 'way/158620067';
const VALLGATAN = 'way/28638729';
const ASSESSED_AT_S = 1_600_000_000;
// Kungstorget's car park, Basargatan's stretch west of it (its vertices), and two points on that stretch.
const EAST: [number, number] = [11.96855, 57.70312];
const WEST: [number, number] = [11.96585, 57.70232];
const BASARGATAN_STRETCH: [number, number][] = [
  [11.9661927, 57.7025364],
  [11.9662995, 57.7025758],
  [11.9664337, 57.7025885],
  [11.9671613, 57.7025651],
  [11.9674464, 57.7025952],
  [11.9675226, 57.7026032],
];
const ON_BASARGATAN: [[number, number], [number, number]] = [
  [11.96635, 57.70258],
  [11.967, 57.70257],
];

/** A closed square ring of half-side `m` metres around a point. */
function ring(c: [number, number], m: number): [number, number][] {
  const dy = m / 111_320;
  const dx = dy / Math.cos((c[1] * Math.PI) / 180);
  // Clockwise on purpose: the GeoJSON export must give it counter-clockwise (RFC 7946).
  return [
    [c[0] - dx, c[1] - dy],
    [c[0] - dx, c[1] + dy],
    [c[0] + dx, c[1] + dy],
    [c[0] + dx, c[1] - dy],
    [c[0] - dx, c[1] - dy],
  ];
}

/** The fixture with an IOM road assessment on a few ways, as a road file of its own. */
function assessedRoads(dir: string): string {
  const json = JSON.parse(readFileSync(MINI, 'utf8')) as { features: Json[] };
  for (const f of json.features) {
    if (f.id === BASARGATAN) Object.assign(f.properties, { operational_status: 'restricted', practicability: '4wd_less_than_3.5mt', surface: 'sett', '@timestamp': ASSESSED_AT_S });
    if (f.id === VALLGATAN) Object.assign(f.properties, { operational_status: 'closed', surface: 'mud' });
  }
  json.features.push({
    type: 'Feature',
    id: 'way/999',
    properties: { '@id': 'way/999', highway: 'track', operational_status: 'Closed', hazard: 'minefield' },
    geometry: {
      type: 'MultiLineString',
      coordinates: [
        [
          [11.95, 57.69],
          [11.951, 57.69],
        ],
        [
          [11.952, 57.69],
          [11.953, 57.69],
        ],
      ],
    },
  });
  const file = path.join(dir, 'assessed.geojson');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('the access API (issue 16)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let network: NetworkAccess;
  let admin: string;
  let blue: string;
  let wfp: string;
  const get = (p: string, token: string, headers: Record<string, string> = {}) => call(`${url}${p}`, { token, headers });

  beforeAll(async () => {
    mkdirSync(path.join(tmp.dir, 'roads'), { recursive: true });
    const file = assessedRoads(path.join(tmp.dir, 'roads'));
    network = await NetworkAccess.load({ file, cacheDir: path.join(tmp.dir, 'cache'), key: 'assessed' });
    const router = new Router(buildRoadGraph(roadWaysFromGeoJson(JSON.parse(readFileSync(file, 'utf8')))));
    router.setNetworkWays(network.ways);
    server = await startTestServer(path.join(tmp.dir, 'server'), {}, { routing: new InlineRouting(router), networkAccess: network, agreement: loadAgreement(EXERCISE_AGREEMENT_FILE) });
    url = server.url;
    admin = server.adminToken;
    blue = server.tokens.create({ org: 'BLUE-BDE', role: 'analyst' }).token;
    wfp = server.tokens.create({ org: 'WFP', role: 'viewer' }).token;
    const post = async (token: string, body: Json) => {
      const r = await call(`${url}/api/constraints`, { token, body });
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    };
    const verifiedAt = new Date().toISOString();
    // Coalition-only: humanitarian organisations may not know of it. It closes every way into the car park.
    await post(blue, { id: 'ac-hostile', status: 'closed', category: 'hostilities', reason: 'Armed clashes reported', source: 'BLUE-BDE patrol', geometry: { type: 'Polygon', coordinates: [ring(EAST, 50)] }, verifiedAt, verifiedBy: 'BLUE-BDE S2', marking: 'coalition-only' });
    await post(admin, { id: 'ac-gate', status: 'open', category: 'interference', reason: '=HYPERLINK("http://x")', geometry: { type: 'LineString', coordinates: [WEST, [11.9659, 57.7024]] }, verifiedAt, verifiedBy: 'OCHA' });
    await post(admin, { id: 'ac-slow', status: 'open', category: 'physical-environment', reason: 'Potholes', geometry: { type: 'LineString', coordinates: BASARGATAN_STRETCH }, verifiedAt, verifiedBy: 'OCHA' });
    // Its status changes twice: its history says so, oldest first.
    await post(admin, { id: 'ac-slow', status: 'restricted', category: 'physical-environment', reason: 'Flooded lane', geometry: { type: 'LineString', coordinates: BASARGATAN_STRETCH }, verifiedAt, verifiedBy: 'OCHA' });
  });
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('GET /api/access/network: the tagged roads as read-only constraints, one feature per way, with an ETag', async () => {
    const r = await get('/api/access/network', wfp);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const ids = r.body.features.map((f: Json) => f.id);
    expect(ids).toEqual(['ac-osm-w158620067', 'ac-osm-w28638729', 'ac-osm-w999']);
    const [basar, vall, track] = r.body.features;
    expect(basar.properties).toMatchObject({
      origin: 'network',
      status: 'restricted',
      category: 'physical-environment',
      indicator: 9,
      source: 'OpenStreetMap road assessment',
      reasonTags: { practicability: '4wd_less_than_3.5mt', surface: 'sett' },
      verifiedAt: new Date(ASSESSED_AT_S * 1000).toISOString(),
      sinceMs: ASSESSED_AT_S * 1000,
      road: { wayId: BASARGATAN, highway: 'unclassified', name: 'Basargatan' },
    });
    expect(vall.properties).toMatchObject({ status: 'closed', reasonTags: { surface: 'mud' }, sinceMs: null });
    expect(vall.properties.verifiedAt).toBeUndefined();
    // A way read in two pieces is one constraint; its tags say what kind.
    expect(track.geometry.type).toBe('MultiLineString');
    expect(track.geometry.coordinates).toHaveLength(2);
    expect(track.properties).toMatchObject({ status: 'closed', category: 'explosive-hazards', indicator: 8 });
    const etag = r.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect((await get('/api/access/network', wfp, { 'if-none-match': etag })).status).toBe(304);
    expect((await call(`${url}/api/access/network`)).status).toBe(401);
  });

  it('GET /api/access/constraints: the picture as the audience sees it, and the network', async () => {
    const asBlue = await get('/api/access/constraints', blue);
    expect(asBlue.status).toBe(200);
    expect(asBlue.body.seq).toBeGreaterThan(0);
    const blueIds = asBlue.body.constraints.map((c: Json) => c.id).sort();
    expect(blueIds).toEqual(['ac-gate', 'ac-hostile', 'ac-osm-w158620067', 'ac-osm-w28638729', 'ac-osm-w999', 'ac-slow']);
    const hostile = asBlue.body.constraints.find((c: Json) => c.id === 'ac-hostile');
    expect(hostile).toMatchObject({ origin: 'picture', status: 'closed', category: 'hostilities', indicator: 7, reason: 'Armed clashes reported', source: 'BLUE-BDE patrol', verifiedBy: 'BLUE-BDE S2' });
    expect(typeof hostile.sinceMs).toBe('number');
    const asWfp = await get('/api/access/constraints', wfp);
    expect(asWfp.body.constraints.map((c: Json) => c.id)).not.toContain('ac-hostile');
    expect(asWfp.text).not.toContain('ac-hostile');
    expect(asWfp.text).not.toContain('Armed clashes');
    const slow = asWfp.body.constraints.find((c: Json) => c.id === 'ac-slow');
    expect(slow.history.map((h: Json) => h.status)).toEqual(['open', 'restricted']);
    expect(slow.history[1]).toMatchObject({ reason: 'Flooded lane', org: 'admin', role: 'admin' });
  });

  it('filters by status, category, origin, bounding box and time in force, and sorts', async () => {
    const ids = async (q: string, token = blue) => {
      const r = await get(`/api/access/constraints?${q}`, token);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.constraints.map((c: Json) => c.id);
    };
    expect((await ids('status=closed')).sort()).toEqual(['ac-hostile', 'ac-osm-w28638729', 'ac-osm-w999']);
    expect((await ids('status=closed,restricted&origin=picture')).sort()).toEqual(['ac-hostile', 'ac-slow']);
    expect(await ids('category=hostilities,interference&sort=category&order=asc')).toEqual(['ac-gate', 'ac-hostile']);
    expect(await ids('category=hostilities', wfp)).toEqual([]);
    // A small box inside the ring: the ring alone; one around the far track: the track alone.
    expect((await ids(`bbox=${EAST[0] - 0.0003},${EAST[1] - 0.0001},${EAST[0] + 0.0003},${EAST[1] + 0.0001}`)).sort()).toEqual(['ac-hostile']);
    expect(await ids('bbox=11.9495,57.6895,11.9535,57.6905')).toEqual(['ac-osm-w999']);
    // In force for less than an hour: what was posted now; for more than a day: the network road assessed in 2020.
    expect((await ids('maxAgeH=1')).sort()).toEqual(['ac-gate', 'ac-hostile', 'ac-slow']);
    expect(await ids('minAgeH=24')).toEqual(['ac-osm-w158620067']);
    // Oldest first: the 2020 assessment, then the picture's; those with no known start last.
    const bySince = await ids('sort=since&order=asc');
    expect(bySince[0]).toBe('ac-osm-w158620067');
    expect(bySince.slice(-2).sort()).toEqual(['ac-osm-w28638729', 'ac-osm-w999']);
    expect((await ids('sort=status&order=desc')).slice(0, 3).sort()).toEqual(['ac-hostile', 'ac-osm-w28638729', 'ac-osm-w999']);
  });

  it('answers 400 naming each bad parameter', async () => {
    const bad = async (q: string, path: string) => {
      const r = await get(`/api/access/constraints?${q}`, blue);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('invalid');
      expect(r.body.error.path, q).toBe(path);
      return r.body.error.message as string;
    };
    expect(await bad('status=closed,shut', 'status')).toContain('"shut"');
    expect(await bad('category=bureaucratic', 'category')).toContain('hostilities');
    expect(await bad('origin=mine', 'origin')).toContain('picture, network');
    expect(await bad('bbox=1,2,3', 'bbox')).toContain('west,south,east,north');
    expect(await bad('bbox=3,2,1,4', 'bbox')).toContain('west');
    expect(await bad('bbox=1,95,2,96', 'bbox')).toContain('latitudes');
    expect(await bad('minAgeH=-1', 'minAgeH')).toContain('hours');
    expect(await bad('minAgeH=5&maxAgeH=2', 'maxAgeH')).toContain('minAgeH');
    expect(await bad('sort=newest', 'sort')).toContain('since, status, category, verified');
    expect(await bad('order=up', 'order')).toContain('asc');
    expect(await bad('status=open&status=closed', 'status')).toContain('once');
    expect((await get('/api/access/constraints.csv?sort=bad', blue)).status).toBe(400);
  });

  it('GET /api/access/constraints.csv: RFC 4180 with BOM and CRLF, formula-safe, WKT and centroid read back', async () => {
    // The bytes as sent (fetch's text() would drop the byte-order mark).
    const r = await fetch(`${url}/api/access/constraints.csv?sort=since&order=asc`, { headers: { authorization: `Bearer ${wfp}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(r.headers.get('content-disposition')).toMatch(/attachment; filename="corridor-access-\d+\.csv"/);
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text).toContain('\r\n');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    const rows = parseCsv(text, { bom: true, columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['id', 'status', 'category', 'indicator', 'reason', 'source', 'verified_by', 'verified_at', 'in_force_since', 'valid_until', 'origin', 'wkt', 'lon', 'lat']);
    expect(rows.map((x) => x.id)).not.toContain('ac-hostile');
    const gate = rows.find((x) => x.id === 'ac-gate')!;
    // A cell a spreadsheet would run as a formula is given as text.
    expect(gate.reason).toBe(`'=HYPERLINK("http://x")`);
    expect(gate).toMatchObject({ status: 'open', category: 'interference', indicator: '5', origin: 'picture', verified_by: 'OCHA' });
    expect(new Date(gate.in_force_since).getTime()).toBeGreaterThan(Date.now() - 600_000);
    const basar = rows.find((x) => x.id === 'ac-osm-w158620067')!;
    expect(basar).toMatchObject({ origin: 'network', status: 'restricted', reason: 'practicability=4wd_less_than_3.5mt; surface=sett', source: 'OpenStreetMap road assessment', verified_at: new Date(ASSESSED_AT_S * 1000).toISOString() });
    // The WKT, read by another library, is the item's geometry; the centroid lies on the way's box.
    const listed = (await get('/api/access/constraints', wfp)).body.constraints as Json[];
    for (const row of rows) {
      const item = listed.find((c) => c.id === row.id)!;
      expect(wkx.Geometry.parse(row.wkt).toGeoJSON(), row.id).toEqual(item.geometry);
      const xs = JSON.stringify(item.geometry.coordinates).match(/-?\d+\.\d+/g)!.map(Number);
      const lons = xs.filter((_, k) => k % 2 === 0);
      expect(Number(row.lon)).toBeGreaterThanOrEqual(Math.min(...lons) - 1e-7);
      expect(Number(row.lon)).toBeLessThanOrEqual(Math.max(...lons) + 1e-7);
    }
  });

  it('GET /api/access/constraints.geojson: an RFC 7946 FeatureCollection, polygons counter-clockwise outside', async () => {
    const r = await get('/api/access/constraints.geojson?origin=picture', blue);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const fc = JSON.parse(r.text);
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.crs).toBeUndefined();
    expect(fc.features.map((f: Json) => f.id).sort()).toEqual(['ac-gate', 'ac-hostile', 'ac-slow']);
    const hostile = fc.features.find((f: Json) => f.id === 'ac-hostile');
    expect(hostile.type).toBe('Feature');
    expect(hostile.properties).toMatchObject({ status: 'closed', category: 'hostilities', indicator: 7 });
    expect(hostile.properties.geometry).toBeUndefined();
    expect(booleanClockwise(hostile.geometry.coordinates[0])).toBe(false);
  });

  it('GET /api/access/constraints/:id/history: as the audience sees it; 404 alike for withheld and unknown', async () => {
    const slow = await get('/api/access/constraints/ac-slow/history', wfp);
    expect(slow.status).toBe(200);
    expect(slow.body).toMatchObject({ id: 'ac-slow', origin: 'picture' });
    expect(slow.body.history.map((h: Json) => [h.status, h.reason])).toEqual([
      ['open', 'Potholes'],
      ['restricted', 'Flooded lane'],
    ]);
    expect(slow.body.history[1].atMs).toBeGreaterThanOrEqual(slow.body.history[0].atMs);
    expect((await get('/api/access/constraints/ac-hostile/history', blue)).body.history).toHaveLength(1);
    const withheld = await get('/api/access/constraints/ac-hostile/history', wfp);
    const unknown = await get('/api/access/constraints/ac-nothing/history', wfp);
    expect(withheld.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(withheld.body.error.message.replace('ac-hostile', 'X')).toBe(unknown.body.error.message.replace('ac-nothing', 'X'));
    expect((await get('/api/access/constraints/ac-osm-w158620067/history', wfp)).body).toMatchObject({ origin: 'network', history: [] });
  });

  it('GET /api/access/check: a route now, with the restricted constraints it uses', async () => {
    const r = await get(`/api/access/check?from=${ON_BASARGATAN[0].join(',')}&to=${ON_BASARGATAN[1].join(',')}&vehicleClass=4wd`, wfp);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.ok, JSON.stringify(r.body)).toBe(true);
    expect(r.body.route.distance_m).toBeGreaterThan(20);
    expect(r.body.route.coordinates.length).toBeGreaterThan(1);
    expect(Object.keys(r.body.route).sort()).toEqual(['coordinates', 'distance_m', 'duration_s', 'exposure_m', 'min_clearance_m', 'roads']);
    expect(r.body.restricted).toEqual(
      expect.arrayContaining([
        { kind: 'constraint', id: 'ac-slow' },
        { kind: 'constraint', id: 'ac-osm-w158620067' },
      ]),
    );
    expect(r.body.seq).toBeGreaterThan(0);
  });

  it('GET /api/access/check: no way in, what cuts it and what alone would open one, named only to who may know', async () => {
    const q = `/api/access/check?from=${WEST.join(',')}&to=${EAST.join(',')}`;
    const asBlue = await get(q, blue);
    expect(asBlue.status).toBe(200);
    expect(asBlue.body).toMatchObject({ ok: false, code: 'no_safe_route', blockedBy: [{ kind: 'constraint', id: 'ac-hostile' }] });
    expect(asBlue.body.opensIf.ref).toEqual({ kind: 'constraint', id: 'ac-hostile' });
    expect(asBlue.body.opensIf.route.distance_m).toBeGreaterThan(100);
    expect(asBlue.body.message).toContain('ac-hostile');
    // WFP may not know of the ring: it learns that a way would open, not which.
    const asWfp = await get(q, wfp);
    expect(asWfp.body).toMatchObject({ ok: false, code: 'no_safe_route', blockedBy: [{ kind: 'constraint', id: 'restricted-area' }], opensIf: { withheld: true } });
    expect(asWfp.text).not.toContain('ac-hostile');
    expect(asWfp.text).not.toContain('Armed clashes');
    // Closed at the start too (releasable to all): no single lifting opens a way.
    const verifiedAt = new Date().toISOString();
    const posted = await call(`${url}/api/constraints`, { token: admin, body: { id: 'ac-start', status: 'closed', category: 'explosive-hazards', geometry: { type: 'Polygon', coordinates: [ring(WEST, 40)] }, verifiedAt, verifiedBy: 'UNMAS' } });
    expect(posted.status).toBeLessThan(300);
    try {
      const both = await get(q, blue);
      expect(both.body.opensIf).toBeNull();
      expect(both.body.blockedBy.map((b: Json) => b.id).sort()).toEqual(['ac-hostile', 'ac-start']);
      const wfpBoth = await get(q, wfp);
      expect(wfpBoth.body.opensIf).toBeNull();
      expect(wfpBoth.body.blockedBy).toEqual([
        { kind: 'constraint', id: 'ac-start' },
        { kind: 'constraint', id: 'restricted-area' },
      ]);
    } finally {
      await call(`${url}/api/constraints/ac-start`, { token: admin, method: 'DELETE' });
    }
  });

  it('GET /api/access/check: off the network is 422 with its end; bad parameters 400 with their path', async () => {
    const off = await get('/api/access/check?from=10,50&to=11.9685,57.703', blue);
    expect(off.status).toBe(422);
    expect(off.body.error).toMatchObject({ code: 'off_network', path: 'from' });
    const offTo = await get(`/api/access/check?from=${WEST.join(',')}&to=10,50`, blue);
    expect(offTo.body.error).toMatchObject({ code: 'off_network', path: 'to' });
    expect((await get('/api/access/check?to=11.9685,57.703', blue)).body.error).toMatchObject({ code: 'invalid', path: 'from' });
    expect((await get(`/api/access/check?from=${WEST.join(',')}&to=11.9685,97`, blue)).body.error).toMatchObject({ code: 'invalid', path: 'to' });
    expect((await get(`/api/access/check?from=${WEST.join(',')}&to=${EAST.join(',')}&vehicleClass=tank`, blue)).body.error).toMatchObject({ code: 'invalid', path: 'vehicleClass' });
    expect((await get(`/api/access/check?from=${WEST.join(',')}&to=${EAST.join(',')}&weight=fastest`, blue)).body.error).toMatchObject({ code: 'invalid', path: 'weight' });
    expect((await call(`${url}/api/access/check?from=${WEST.join(',')}&to=${EAST.join(',')}`)).status).toBe(401);
  });
});

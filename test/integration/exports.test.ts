// The GIS and field-device exports over HTTP (issue 18) against a real server on port 0 under the
// exercise's sharing agreement: a convoy's route and the whole picture as GeoJSON, KML and GPX, with
// their media types and file names; valid against the published schemas (xmllint); read back by GDAL's
// ogrinfo and gpsbabel with the points, order and names the picture holds; a convoy not yet routed
// still exported; 404 in the contract's shape for an unknown or withheld convoy; and what the sharing
// agreement withholds from a caller (a zone, a convoy) absent from every export that caller gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Corridor, Picture, PictureEvent } from '@corridor/protocol';
import type { RunningServer } from '../../server/app.js';
import { InlineRouting } from '../../server/routing-service.js';
import { EXERCISE_AGREEMENT_FILE, loadAgreement } from '../../server/sharing/agreement.js';
import { FakeEngine, tempDir } from '../server/helpers.js';
import { babelRead, GPSBABEL, HAS_SCHEMAS, OGRINFO, ogrRead, samePositions, validate, withFile, XMLLINT, type ReadFeature } from '../server/geo-readers.js';
import { call, startTestServer, type Json } from './helpers.js';

const ORIGIN: [number, number] = [11.963, 57.701];
const BRIDGE: [number, number] = [11.9645, 57.7015];
const HOLD: [number, number] = [11.966, 57.702];
const HAVEN = { id: 'hv-school', name: 'École « Nord » & <annexe>', lon: 11.968, lat: 57.703, capacity: 200, occupancy: 40, status: 'open', contact: 'Radio ch. 5' };
const CONVOY_NAME = 'EVAC <A> & "Ω" مرحبا 🚚';

/**
 * The fake router, with the corridors this test wants: the best route through the convoy's
 * checkpoints, one alternative, road names on the best; a convoy bound for the nearest haven goes to
 * the first open haven; a convoy starting outside the network gets no route (`off_network`).
 */
class ExportEngine extends FakeEngine {
  override init(picture: Picture): Corridor[] {
    return super.init(picture).map((c) => this.shape(c, picture));
  }
  override onEvents(events: readonly PictureEvent[], picture: Picture): Corridor[] {
    return super.onEvents(events, picture).map((c) => this.shape(c, picture));
  }
  private shape(c: Corridor, picture: Picture): Corridor {
    const convoy = picture.convoys[c.convoyId];
    const [w, s, e, n] = this.bbox;
    const [x, y] = convoy.origin;
    if (x < w || x > e || y < s || y > n) return { ...c, status: 'off_network', routes: [], reason: 'off the network' };
    const haven = Object.values(picture.havens).find((h) => h.status === 'open');
    const end: [number, number] = Array.isArray(convoy.destination) ? (convoy.destination as [number, number]) : haven ? [haven.lon, haven.lat] : (convoy.origin as [number, number]);
    const best: [number, number][] = [convoy.origin as [number, number], ...(convoy.checkpoints ?? []).map((k) => k.at as [number, number]), end];
    const alternative: [number, number][] = [convoy.origin as [number, number], [11.9621234, 57.7031234], end];
    const leg = (coordinates: [number, number][]) => ({ coordinates, distance_m: 500, duration_s: 60, exposure_m: 0, min_clearance_m: null });
    return {
      ...c,
      ...(Array.isArray(convoy.destination) || !haven ? {} : { havenId: haven.id }),
      routes: [{ ...leg(best), roads: [{ name: 'Avenue <John> & Brown', from: 0, distance_m: 200, duration_s: 20 }, { ref: 'RN1', from: 1, distance_m: 300, duration_s: 40 }] }, leg(alternative)],
    };
  }
}

/** A text as the XML exports escape it. */
const xmlEscaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Zones by their marking: one everyone may see and one for military organisations only, both on the route; one far off. */
const zone = (id: string, lon: number, lat: number, marking?: string) => ({
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: [[[lon, lat], [lon, lat + 0.001], [lon + 0.001, lat + 0.001], [lon + 0.001, lat], [lon, lat]]] },
  properties: { id, severity: 'danger', label: `Zone ${id} <"&">`, ...(marking ? { marking } : {}) },
});

describe('exports for GIS tools and field devices (issue 18)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let wfpPlanner: string;
  let wfpViewer: string;
  let blueAnalyst: string;
  let bluePlanner: string;
  let blueViewer: string;
  /** The picture as a token sees it. */
  const picture = async (token: string) => (await call(`${url}/api/picture`, { token })).body.picture as Json;
  const get = (path: string, token: string) => call(`${url}${path}`, { token });

  beforeAll(async () => {
    server = await startTestServer(tmp.dir, {}, { agreement: loadAgreement(EXERCISE_AGREEMENT_FILE), routing: new InlineRouting(new ExportEngine()) });
    url = server.url;
    const token = (org: string, role: string) => server.tokens.create({ org, role }).token;
    wfpPlanner = token('WFP', 'planner');
    wfpViewer = token('WFP', 'viewer');
    blueAnalyst = token('BLUE-BDE', 'analyst');
    bluePlanner = token('BLUE-BDE', 'planner');
    blueViewer = token('BLUE-BDE', 'viewer');
    expect((await call(`${url}/api/havens`, { token: wfpPlanner, body: HAVEN })).status).toBe(201);
    for (const z of [zone('tz-open', 11.9645, 57.7012), zone('tz-coalition', 11.966, 57.7018, 'coalition-only'), zone('tz-far', 12.2, 57.7)]) {
      expect((await call(`${url}/api/threats`, { token: blueAnalyst, body: z })).status).toBe(201);
    }
    const convoy = { id: 'cv-w', name: CONVOY_NAME, origin: ORIGIN, destination: 'nearest-haven', people: 30, checkpoints: [{ name: 'Pont <Bridge> & co', at: BRIDGE }, { name: 'نقطة التوقف', at: HOLD, hold: true }] };
    expect((await call(`${url}/api/convoys`, { token: wfpPlanner, body: convoy })).status).toBe(201);
    // The brigade's own convoy, for military organisations only.
    expect((await call(`${url}/api/convoys`, { token: bluePlanner, body: { id: 'cv-b', name: 'BLUE LOG 7', origin: ORIGIN, destination: [11.969, 57.704], marking: 'coalition-only' } })).status).toBe(201);
    // Off the network: no route, still its points.
    expect((await call(`${url}/api/convoys`, { token: wfpPlanner, body: { id: 'cv-off', name: 'Far away', origin: [12.5, 57.9], destination: [12.6, 57.9], checkpoints: [{ name: 'Ferry', at: [12.55, 57.9] }] } })).status).toBe(201);
    expect((await call(`${url}/api/convoys/cv-w/state`, { token: wfpPlanner, body: { to: 'approved' } })).status).toBe(200);
    // The corridors come from the router a moment after the convoys.
    for (let i = 0; i < 100 && !(await picture(wfpViewer)).corridors?.['cv-w']?.routes?.length; i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('serves each format with its media type, an attachment name, the route version and the notice when there is one', async () => {
    const p = await picture(wfpViewer);
    const corridor = p.corridors['cv-w'];
    expect(corridor.routes).toHaveLength(2);
    expect(corridor.version).toBeGreaterThanOrEqual(1);
    const types = { geojson: 'application/geo+json', kml: 'application/vnd.google-earth.kml+xml', gpx: 'application/gpx+xml' };
    for (const [format, type] of Object.entries(types)) {
      const route = await get(`/api/convoys/cv-w/route.${format}`, wfpViewer);
      expect(route.status).toBe(200);
      expect(route.headers.get('content-type')).toContain(type);
      expect(route.headers.get('content-disposition')).toBe(`attachment; filename="corridor-route-cv-w-v${corridor.version}.${format}"`);
      expect(route.text).toContain(`route version ${corridor.version}`);
      // Whatever notice the caller's picture holds for the convoy, the export names it; none, none.
      const notice = p.notices?.['cv-w'];
      if (notice) expect(route.text).toContain(`${notice.reference} version ${notice.version}`);
      else expect(route.text).not.toContain('deconfliction notice');
      const whole = await get(`/api/picture.${format}`, wfpViewer);
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-type')).toContain(type);
      expect(whole.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="corridor-picture-\\d+\\.${format}"$`));
    }
  });

  it('the route GeoJSON: best route then the alternative, origin, checkpoints in order, destination, haven, the zones near the route', async () => {
    const p = await picture(wfpViewer);
    const geo = (await get('/api/convoys/cv-w/route.geojson', wfpViewer)).body;
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.crs).toBeUndefined();
    const names = geo.features.map((f: Json) => f.properties.name);
    expect(names).toEqual([
      CONVOY_NAME,
      `${CONVOY_NAME} (alternative 1)`,
      `${CONVOY_NAME}: origin`,
      'Pont <Bridge> & co',
      'نقطة التوقف',
      `${CONVOY_NAME}: destination`,
      HAVEN.name,
      'Zone tz-open <"&">',
    ]);
    expect(geo.features[0].geometry.coordinates).toEqual(p.corridors['cv-w'].routes[0].coordinates);
    expect(geo.features[1].geometry.coordinates[1]).toEqual([11.9621234, 57.7031234]);
    expect(geo.features[4].properties).toMatchObject({ kind: 'hold', hold: true, order: 2 });
    expect(geo.features[6].properties).toMatchObject({ kind: 'haven', capacity: 200, occupancy: 40, status: 'open' });
    // Its contact as the picture holds it (issue 18: havens carry one once the server keeps it).
    expect(geo.features[6].properties.contact).toBe(p.havens[HAVEN.id].contact);
  });

  it('a convoy with no route yet exports its points; an unknown convoy is 404 in the contract’s shape', async () => {
    const geo = (await get('/api/convoys/cv-off/route.geojson', wfpViewer)).body;
    expect(geo.features.map((f: Json) => f.properties.kind)).toEqual(['origin', 'checkpoint', 'destination']);
    const gpx = (await get('/api/convoys/cv-off/route.gpx', wfpViewer)).text;
    expect(gpx).not.toContain('<rte>');
    expect(gpx).toContain('<name>Ferry</name>');
    for (const format of ['geojson', 'kml', 'gpx']) {
      const res = await get(`/api/convoys/cv-nobody/route.${format}`, wfpViewer);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: 'no convoy "cv-nobody" in the picture', path: 'id' } });
    }
    expect((await call(`${url}/api/convoys/cv-w/route.gpx`)).status).toBe(401);
  });

  it('what the agreement withholds is in no export: a coalition-only zone and convoy reach the brigade, not WFP', async () => {
    // The brigade sees its zone near the route and its own convoy.
    const blueRoute = (await get('/api/convoys/cv-w/route.geojson', blueViewer)).body;
    expect(blueRoute.features.map((f: Json) => f.properties.zone_id).filter(Boolean)).toEqual(['tz-coalition', 'tz-open']);
    expect((await get('/api/convoys/cv-b/route.gpx', blueViewer)).status).toBe(200);
    const bluePicture = (await get('/api/picture.geojson', blueViewer)).body;
    expect(bluePicture.features.some((f: Json) => f.properties.convoy_id === 'cv-b')).toBe(true);
    expect(bluePicture.features.some((f: Json) => f.properties.zone_id === 'tz-coalition')).toBe(true);
    // WFP: neither, in any format; the convoy's route export is 404 as if it did not exist.
    for (const format of ['geojson', 'kml', 'gpx']) {
      const route = await get(`/api/convoys/cv-w/route.${format}`, wfpViewer);
      expect(route.status).toBe(200);
      // GPX holds no areas: zones are in GeoJSON and KML only.
      if (format !== 'gpx') expect(route.text).toContain('tz-open');
      expect(route.text).not.toContain('tz-coalition');
      const withheld = await get(`/api/convoys/cv-b/route.${format}`, wfpViewer);
      expect(withheld.status).toBe(404);
      expect(withheld.body).toEqual({ error: { code: 'not_found', message: 'no convoy "cv-b" in the picture', path: 'id' } });
      const whole = await get(`/api/picture.${format}`, wfpViewer);
      expect(whole.text).not.toContain('tz-coalition');
      expect(whole.text).not.toContain('BLUE LOG 7');
      expect(whole.text).not.toContain('cv-b');
      if (format !== 'gpx') expect(whole.text).toContain('tz-open');
      // The convoy it may see is there, its name escaped as the format escapes text.
      expect(whole.text).toContain(format === 'geojson' ? JSON.stringify(CONVOY_NAME).slice(1, -1) : xmlEscaped(CONVOY_NAME));
    }
  });

  /** The route as the caller's picture holds it, as a reader should find it in GPX. */
  const routeExpectation = async () => {
    const p = await picture(wfpViewer);
    const convoy = p.convoys['cv-w'];
    const routes = p.corridors['cv-w'].routes as { coordinates: [number, number][] }[];
    const points = [
      { name: `${CONVOY_NAME}: origin`, positions: [convoy.origin] },
      ...convoy.checkpoints.map((c: Json) => ({ name: c.name, positions: [c.at] })),
      { name: `${CONVOY_NAME}: destination`, positions: [[HAVEN.lon, HAVEN.lat]] },
      { name: HAVEN.name, positions: [[HAVEN.lon, HAVEN.lat]] },
    ];
    const lines = routes.map((r, i) => ({ name: i === 0 ? CONVOY_NAME : `${CONVOY_NAME} (alternative ${i})`, positions: r.coordinates }));
    return { points, lines };
  };
  const same = (read: ReadFeature[], want: { name: string; positions: number[][] }[], what: string) => {
    expect(read.map((f) => f.name), what).toEqual(want.map((w) => w.name));
    read.forEach((f, i) => expect(samePositions(f.positions, want[i].positions), `${what}: ${want[i].name}`).toBe(true));
  };

  it.skipIf(!HAS_SCHEMAS || !XMLLINT)(`GPX and KML are valid against their published schemas (needs ../shared/data/schemas and xmllint${!HAS_SCHEMAS || !XMLLINT ? ': absent, skipped' : ''})`, async () => {
    for (const path of ['/api/convoys/cv-w/route', '/api/convoys/cv-off/route', '/api/picture']) {
      for (const format of ['gpx', 'kml'] as const) {
        const text = (await get(`${path}.${format}`, blueViewer)).text;
        const verdict = await withFile(`export.${format}`, text, (f) => validate(f, format));
        expect(verdict.output, `${path}.${format}`).toContain('validates');
        expect(verdict.ok).toBe(true);
      }
    }
  });

  it.skipIf(!OGRINFO)(`ogrinfo reads the route back as exported: points, order, coordinates and names${OGRINFO ? '' : ' (ogrinfo absent: skipped)'}`, async () => {
    const { points, lines } = await routeExpectation();
    const gpx = await withFile('route.gpx', (await get('/api/convoys/cv-w/route.gpx', wfpViewer)).text, ogrRead);
    same(gpx.filter((f) => f.layer === 'waypoints'), points, 'GPX waypoints');
    same(gpx.filter((f) => f.layer === 'routes'), lines, 'GPX routes');
    same(gpx.filter((f) => f.layer === 'tracks'), lines, 'GPX tracks');
    expect(gpx.filter((f) => f.layer === 'route_points').map((f) => f.name)[0]).toBe('Avenue <John> & Brown');
    const kml = await withFile('route.kml', (await get('/api/convoys/cv-w/route.kml', wfpViewer)).text, ogrRead);
    same(kml.filter((f) => f.layer === 'Routes'), lines, 'KML routes');
    same(kml.filter((f) => f.layer === 'Points'), points, 'KML points');
    expect(kml.filter((f) => f.layer === 'Threat zones').map((f) => f.name)).toEqual(['Zone tz-open <"&">']);
    const geo = await withFile('route.geojson', (await get('/api/convoys/cv-w/route.geojson', wfpViewer)).text, ogrRead);
    same(geo.slice(0, lines.length + points.length), [...lines, ...points], 'GeoJSON');
  });

  it.skipIf(!GPSBABEL)(`gpsbabel reads the route back as exported${GPSBABEL ? '' : ' (gpsbabel absent: skipped)'}`, async () => {
    const { points, lines } = await routeExpectation();
    const gpx = await withFile('route.gpx', (await get('/api/convoys/cv-w/route.gpx', wfpViewer)).text, (f) => babelRead(f, 'gpx'));
    same(gpx, [...points, ...lines, ...lines], 'GPX');
    const kml = await withFile('route.kml', (await get('/api/convoys/cv-w/route.kml', wfpViewer)).text, (f) => babelRead(f, 'kml'));
    same(kml.filter((f) => f.layer === 'waypoints'), points, 'KML points');
    same(kml.filter((f) => f.layer === 'tracks').slice(0, lines.length), lines, 'KML routes');
  });

  it('a large picture is written in parts and read back whole: 3,000 sites in each format', async () => {
    const unhcr = server.tokens.create({ org: 'UNHCR', role: 'analyst' }).token;
    const rows = ['name,lat,lon,total,date'];
    for (let i = 0; i < 3000; i++) rows.push(`Site ${i} <&>,${(57.6 + i / 100_000).toFixed(5)},${(11.9 + i / 100_000).toFixed(5)},${100 + i},2026-12-01`);
    const imported = await call(`${url}/api/displacement/import`, { token: unhcr, body: { name: 'big.csv', text: rows.join('\n') } });
    expect(imported.status).toBe(201);
    const geo = await get('/api/picture.geojson', wfpViewer);
    expect(geo.text.length).toBeGreaterThan(3 * 64 * 1024);
    const sites = geo.body.features.filter((f: Json) => f.properties.kind === 'site');
    expect(sites).toHaveLength(3000);
    const kml = (await get('/api/picture.kml', wfpViewer)).text;
    expect(kml.match(/<Placemark>/g)!.length).toBeGreaterThan(3000);
    expect(kml.trimEnd().endsWith('</kml>')).toBe(true);
    const gpx = (await get('/api/picture.gpx', wfpViewer)).text;
    expect(gpx.match(/<wpt /g)!.length).toBeGreaterThanOrEqual(3001);
    if (OGRINFO) {
      const read = await withFile('picture.gpx', gpx, ogrRead);
      expect(read.filter((f) => f.layer === 'waypoints' && f.name?.startsWith('Site '))).toHaveLength(3000);
    }
  });
});

// The access view on Port-au-Prince (issue 16): the IOM road assessment of the real network
// (../shared/data/haiti-port-au-prince, the 2021-08-14 OSM extract) as access constraints, served by a
// real server whose router runs on its own thread, and access checks through that thread.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRoadNetwork } from '../../routing/index.js';
import type { RunningServer } from '../../server/app.js';
import { NetworkAccess } from '../../server/access/network.js';
import { RoutingThread } from '../../server/routing-thread.js';
import { HAITI_DIR } from '../routing/helpers.js';
import { silentLogger, tempDir } from '../server/helpers.js';
import { call, startTestServer, type Json } from './helpers.js';

const PBF = path.join(HAITI_DIR, 'port-au-prince-2021-08-14.osm.pbf');
const GEOJSON = path.join(HAITI_DIR, 'port-au-prince-2021-08-14-highways.geojson');
const hasData = existsSync(PBF) && existsSync(GEOJSON);
if (!hasData) console.log(`access on Port-au-Prince: skipped, ${HAITI_DIR} is absent (the shared data folder beside the repo)`);

const count = (items: readonly { status: string }[], status: string) => items.filter((i) => i.status === status).length;

describe.skipIf(!hasData)('access constraints of the Port-au-Prince network (needs ../shared/data)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let routing: RoutingThread;
  let network: NetworkAccess;

  beforeAll(async () => {
    const cacheDir = path.join(tmp.dir, 'cache');
    const prepared = await prepareRoadNetwork(PBF, { cacheDir });
    network = await NetworkAccess.load({ file: PBF, cacheDir, key: prepared.key, ways: prepared.takeWays() });
    routing = await RoutingThread.start({ cacheFile: prepared.cacheFile, networkWays: network.ways }, silentLogger);
    server = await startTestServer(path.join(tmp.dir, 'server'), {}, { routing, networkAccess: network });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('the tagged ways: 96 closed and 96 restricted as tagged in the highways GeoJSON; the PBF has the five ways that conversion dropped', async () => {
    // The data README counts `operational_status` values on the highways GeoJSON: closed 96, restricted 96.
    const fromGeoJson = (await NetworkAccess.load({ file: GEOJSON, cacheDir: path.join(tmp.dir, 'cache-geojson'), key: 'geojson' })).items;
    expect(fromGeoJson.filter((i) => i.road?.operationalStatus === 'closed')).toHaveLength(96);
    expect(fromGeoJson.filter((i) => i.road?.operationalStatus === 'restricted')).toHaveLength(96);
    // One way says `open;restricted`: the most cautious value holds, as for the router (profile.ts).
    expect(fromGeoJson.filter((i) => i.road?.operationalStatus === 'open;restricted').map((i) => i.status)).toEqual(['restricted']);
    expect([count(fromGeoJson, 'closed'), count(fromGeoJson, 'restricted')]).toEqual([96, 97]);
    // The PBF (what CORRIDOR_ROADS names) also holds 1 closed and 4 restricted ways the GeoJSON lacks.
    const r = await call(`${server.url}/api/access/network`, { token: server.adminToken });
    expect(r.status).toBe(200);
    const items = r.body.features.map((f: Json) => f.properties);
    expect([count(items, 'closed'), count(items, 'restricted')]).toEqual([97, 101]);
    const geoIds = new Set(fromGeoJson.map((i) => i.id));
    expect(items.filter((i: Json) => !geoIds.has(i.id)).map((i: Json) => i.id).sort()).toEqual(['ac-osm-w48241740', 'ac-osm-w48242804', 'ac-osm-w48499858', 'ac-osm-w48499863', 'ac-osm-w81380723']);
    // Every way has its OSM timestamp: when it was last verified and since when it holds.
    for (const i of items) {
      expect(i.source).toBe('OpenStreetMap road assessment');
      expect(i.sinceMs).toBeGreaterThan(Date.parse('2008-01-01'));
      expect(i.sinceMs).toBeLessThan(Date.parse('2021-08-15'));
      expect(i.verifiedAt).toBe(new Date(i.sinceMs).toISOString());
    }
    const track = items.find((i: Json) => i.id === 'ac-osm-w48552350');
    expect(track).toMatchObject({ status: 'restricted', reasonTags: { practicability: '4wd_less_than_3.5mt;motorbike', surface: 'Dirt/Sand', smoothness: 'bad' } });
    const list = await call(`${server.url}/api/access/constraints?origin=network&status=closed`, { token: server.adminToken });
    expect(list.body.constraints).toHaveLength(97);
  });

  it('checks through the routing thread name the network road a route uses', async () => {
    // A restricted residential way: a check from its first vertex to its last takes it, and names it.
    const candidates = network.items.filter((i) => i.status === 'restricted' && i.road?.highway === 'residential' && i.geometry.type === 'LineString' && i.geometry.coordinates.length >= 4);
    expect(candidates.length).toBeGreaterThan(10);
    let named = 0;
    const times: number[] = [];
    for (const i of candidates.slice(0, 20)) {
      const c = i.geometry.coordinates as [number, number][];
      const a = c[1];
      const b = c[c.length - 2];
      const t0 = performance.now();
      const r = await call(`${server.url}/api/access/check?from=${a.join(',')}&to=${b.join(',')}`, { token: server.adminToken });
      times.push(performance.now() - t0);
      expect(r.status).toBe(200);
      if (r.body.ok && r.body.restricted.some((x: Json) => x.id === i.id)) named++;
    }
    console.log(`access check on Port-au-Prince over HTTP and the routing thread: mean ${(times.reduce((s, x) => s + x, 0) / times.length).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (router ${routing.lastCheckMs.toFixed(2)} ms last)`);
    expect(named).toBeGreaterThanOrEqual(15);
  });

  it('a no-go zone over the only way out: the check names it as what opens a way', async () => {
    const candidates = network.items.filter((i) => i.status === 'restricted' && i.road?.highway === 'residential' && i.geometry.type === 'LineString');
    const c = candidates[0].geometry.coordinates as [number, number][];
    const to = c[Math.floor(c.length / 2)];
    const from: [number, number] = [-72.3, 18.58];
    const zone = await call(`${server.url}/api/threats`, {
      token: server.adminToken,
      body: { type: 'Feature', geometry: { type: 'Point', coordinates: to }, properties: { id: 'tz-pap', severity: 'no-go', radius_m: 150, label: 'Armed group roadblock' } },
    });
    expect(zone.status).toBeLessThan(300);
    const r = await call(`${server.url}/api/access/check?from=${from.join(',')}&to=${to.join(',')}`, { token: server.adminToken });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: false, code: 'no_safe_route', blockedBy: [{ kind: 'zone', id: 'tz-pap' }], opensIf: { ref: { kind: 'zone', id: 'tz-pap' } } });
    expect(r.body.opensIf.route.distance_m).toBeGreaterThan(100);
  });
});

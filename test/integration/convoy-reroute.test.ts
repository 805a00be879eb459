// Integration test of re-routing a moving convoy (P22) on the real Gothenburg road network, against a
// real server on a random port: a zone appearing ahead of a convoy marks its corridor unsafe at once and
// raises an alert; a proposal is made from where its lead unit is, not from its origin; the corridor
// stays until a planner takes a route, and then every screen, the lead unit's among them, gets it. A
// haven filling up redirects the convoys bound for it; a convoy may accept short safe detours by itself.
import path from 'node:path';
import { along, lineString, length as turfLength } from '@turf/turf';
import CheapRuler from 'cheap-ruler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { startServer } from '../../server/app.js';
import { InlineRouting } from '../../server/routing-service.js';
import { loadGothenburg } from '../routing/helpers.js';
import { silentLogger, tempDir } from '../server/helpers.js';
import { call, testConfig, TestClient, type Json } from './helpers.js';

const ORIGIN: [number, number] = [11.9566, 57.7215];
const ULLEVI: [number, number] = [11.9862, 57.706];
const MASSAN: [number, number] = [11.9893, 57.6975];
const ruler = new CheapRuler(57.71, 'meters');

describe('P22: re-routing a moving convoy from where it is, on Gothenburg', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  const tokens: Record<string, string> = {};
  let lead: TestClient;
  let clock = Date.now() - 20 * 60_000;
  let n = 0;

  const convoy = async (id: string): Promise<Json> => (await call(`${url}/api/convoys/${id}`, { token: tokens.viewer })).body.convoy;
  const until = async <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 8000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify({ ...(v as Json), corridor: undefined, checkpoints_passed: undefined, stateHistory: undefined, proposal: { ...(v as Json).proposal, routes: undefined } }).slice(0, 1500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const routeOf = (c: Json): [number, number][] => c.corridor.features[0].geometry.coordinates;
  /** The lead unit `unit` reports at `km` along `route`. */
  const report = async (unit: string, route: [number, number][], km: number) => {
    clock += 30_000;
    const [lon, lat] = along(lineString(route), km, { units: 'kilometers' }).geometry.coordinates;
    const ack = await lead.request({ type: 'position', msgId: `r-${++n}`, unitId: unit, lon, lat, time: new Date(clock).toISOString() });
    expect(ack.type).toBe('ack');
    return [lon, lat] as [number, number];
  };
  const post = (body: Json) => call(`${url}/api/convoys`, { token: tokens.planner, body });
  const start = async (id: string) => {
    for (const to of ['approved', 'moving']) expect((await call(`${url}/api/convoys/${id}/state`, { token: tokens.planner, body: { to } })).status).toBe(200);
  };
  /** A no-go circle on a route, `km` along it. */
  const zoneOn = (id: string, route: [number, number][], km: number, radius_m = 120) => {
    const center = along(lineString(route), km, { units: 'kilometers' }).geometry.coordinates;
    return call(`${url}/api/threats`, { token: tokens.planner, body: { type: 'Feature', geometry: { type: 'Point', coordinates: center }, properties: { id, severity: 'no-go', radius_m, label: `Roadblock ${id}` } } });
  };

  beforeAll(async () => {
    const net = await loadGothenburg();
    server = await startServer(testConfig(tmp.dir, { staleAfterMs: 600_000 }), { routing: new InlineRouting(net.engine), logger: silentLogger, clientDir: path.join(tmp.dir, 'client') });
    url = server.url;
    for (const role of ['planner', 'viewer'] as const) tokens[role] = server.tokens.create({ org: 'WFP', role }).token;
    tokens.field = server.tokens.create({ org: 'WFP', role: 'field' }).token;
    lead = await TestClient.connect(url, tokens.field);
    for (const [id, name, at, occupancy] of [
      ['hv-ullevi', 'Ullevi', ULLEVI, 100],
      ['hv-massan', 'Svenska Mässan', MASSAN, 100],
    ] as const) {
      expect((await call(`${url}/api/havens`, { token: tokens.planner, body: { id, name, lon: at[0], lat: at[1], capacity: 1000, occupancy, status: 'open' } })).status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await lead?.close();
    await server?.close();
    tmp.cleanup();
  });

  let firstRoute: [number, number][];
  let leadAt: [number, number];

  it('a zone ahead marks the corridor unsafe at once, raises an alert, and proposes routes from the lead unit\'s position; the corridor stays until decided', async () => {
    expect((await post({ id: 'cv-a', name: 'EVAC A', origin: ORIGIN, destination: 'nearest-haven', vehicleClass: '4wd', people: 40, leadUnitId: 'lead-a' })).status).toBe(201);
    const planned = await until('a corridor', () => convoy('cv-a'), (c) => c.corridor?.status === 'ok');
    firstRoute = routeOf(planned);
    const km = turfLength(lineString(firstRoute), { units: 'kilometers' });
    expect(km).toBeGreaterThan(2.5);
    await start('cv-a');
    for (const k of [0, 0.3, 0.6]) leadAt = await report('lead-a', firstRoute, k);
    await until('a track', () => convoy('cv-a'), (c) => c.progress?.done_m > 500);

    expect((await zoneOn('tz-ahead', firstRoute, 2)).status).toBe(201);
    const c = await until('a proposal', () => convoy('cv-a'), (v) => v.proposal?.status === 'ok');
    expect(c.corridor.endangeredBy).toEqual([{ kind: 'zone', id: 'tz-ahead' }]);
    // The corridor is still the one the convoy drives: nobody decided yet.
    expect(routeOf(c)).toEqual(firstRoute);
    expect(c.alerts.find((a: Json) => a.kind === 'unsafe_route')).toMatchObject({ detail: { zones: ['zone:tz-ahead'] }, acknowledgedBy: null, clearedAt: null });
    const p = c.proposal;
    expect(p).toMatchObject({ convoyId: 'cv-a', fromReport: true, cause: { zones: [{ kind: 'zone', id: 'tz-ahead' }] }, havenId: expect.any(String) });
    // From where the lead unit is, not from the origin.
    expect(ruler.distance(p.from, leadAt)).toBeLessThan(30);
    const first = p.routes.features[0];
    expect(ruler.distance(first.geometry.coordinates[0], leadAt)).toBeLessThan(100);
    expect(ruler.distance(leadAt, ORIGIN)).toBeGreaterThan(150);
    // Each route says what it costs or saves against the time left, and keeps out of the zone.
    for (const f of p.routes.features) {
      expect(f.properties).toMatchObject({ distance_m: expect.any(Number), duration_s: expect.any(Number), exposure_m: expect.any(Number), delta_s: expect.any(Number) });
      expect(f.properties.min_clearance_m === null || f.properties.min_clearance_m > 0).toBe(true);
    }
  });

  it('refuses a decision on a proposal that is not the open one (409 stale_proposal) and a route it does not have (400)', async () => {
    const stale = await call(`${url}/api/convoys/cv-a/reroute`, { token: tokens.planner, body: { proposalId: 'rp-old' } });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'stale_proposal', path: 'proposalId' } } });
    const p = (await convoy('cv-a')).proposal;
    const missing = await call(`${url}/api/convoys/cv-a/reroute`, { token: tokens.planner, body: { proposalId: p.id, route: 5 } });
    expect(missing).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'route' } } });
    const viewer = await call(`${url}/api/convoys/cv-a/reroute`, { token: tokens.viewer, body: { proposalId: p.id } });
    expect(viewer.status).toBe(403);
  });

  it('a planner takes the best route: it becomes the corridor on every screen (the lead unit\'s socket too), the alert clears and the proposal closes', async () => {
    const p = (await convoy('cv-a')).proposal;
    // A device of the lead unit itself, send-only: it gets no frames, but its orders (P27).
    const device = await TestClient.connect(url, server.tokens.create({ org: 'WFP', role: 'field', unit: 'lead-a' }).token, { stream: 'none' });
    const taken = await call(`${url}/api/convoys/cv-a/reroute`, { token: tokens.planner, body: { proposalId: p.id, route: 0 } });
    expect(taken.status).toBe(200);
    const c = await until('the new corridor', () => convoy('cv-a'), (v) => v.proposal === null);
    expect(routeOf(c)).toEqual(p.routes.features[0].geometry.coordinates);
    expect(c.corridor.endangeredBy).toBeUndefined();
    expect(c.corridor.why).toMatchObject({ code: 'rerouted_around', zones: [{ kind: 'zone', id: 'tz-ahead' }] });
    await until('the unsafe alert cleared', () => convoy('cv-a'), (v) => v.alerts.find((a: Json) => a.kind === 'unsafe_route')?.clearedAt != null);
    const decided = await lead.next((m) => m.type === 'delta' && m.events.some((e: Json) => e.type === 'reroute.decided' && e.convoyId === 'cv-a'));
    const event = decided.events.find((e: Json) => e.type === 'reroute.decided');
    expect(event).toMatchObject({ proposalId: p.id, route: 0, actor: { role: 'planner' }, corridor: { status: 'ok' } });
    // Its devices are told the new route to drive as orders (P27), at once.
    const orders = await device.next((m) => m.type === 'orders' && m.cause === 'rerouted' && m.convoyId === 'cv-a');
    expect(orders.route.coordinates).toEqual(p.routes.features[0].geometry.coordinates);
    await device.close();
    // Tracking goes on against the new route.
    await report('lead-a', routeOf(c), 0.3);
    const tracked = await until('a track on the new route', () => convoy('cv-a'), (v) => v.position !== null && Date.parse(v.position.time) === clock);
    expect(tracked.position.offset_m).toBeLessThan(20);
  });

  it('a haven filling up offers the convoys bound for it the next best haven', async () => {
    const bound = await convoy('cv-a');
    const havenId = bound.corridor.havenId;
    const other = havenId === 'hv-ullevi' ? 'hv-massan' : 'hv-ullevi';
    const full = await call(`${url}/api/havens`, { token: tokens.planner, body: { id: havenId, name: havenId === 'hv-ullevi' ? 'Ullevi' : 'Svenska Mässan', lon: havenId === 'hv-ullevi' ? ULLEVI[0] : MASSAN[0], lat: havenId === 'hv-ullevi' ? ULLEVI[1] : MASSAN[1], capacity: 1000, occupancy: 1000, status: 'full' } });
    expect(full.status).toBe(201);
    const c = await until('a proposal for another haven', () => convoy('cv-a'), (v) => v.proposal?.havenId === other);
    expect(c.proposal.cause).toEqual({ zones: [], havenId, havenNow: 'full' });
    expect(c.corridor.havenId).toBe(havenId);
  });

  it('a convoy that accepts detours of up to 30 min outside danger takes one by itself, recorded as automatic', async () => {
    expect((await post({ id: 'cv-b', name: 'EVAC B', origin: ORIGIN, destination: MASSAN, vehicleClass: '4wd', leadUnitId: 'lead-b', autoAcceptMinutes: 30 })).status).toBe(201);
    const planned = await until('a corridor', () => convoy('cv-b'), (c) => c.corridor?.status === 'ok');
    const route = routeOf(planned);
    await start('cv-b');
    await report('lead-b', route, 0.4);
    await until('a track', () => convoy('cv-b'), (c) => c.progress?.done_m > 300);
    expect((await zoneOn('tz-ahead-b', route, 1.6)).status).toBe(201);
    const c = await until('an automatic re-route', () => convoy('cv-b'), (v) => v.corridor?.why?.code === 'rerouted_around' && v.proposal === null);
    expect(routeOf(c)).not.toEqual(route);
    const events = (await call(`${url}/api/events?since=0&limit=10000`, { token: tokens.viewer })).body.events as Json[];
    const decided = events.find((e) => e.type === 'reroute.decided' && e.convoyId === 'cv-b');
    expect(decided).toMatchObject({ auto: true, actor: { role: 'system' } });
  });

  it('says why GET /api/route found fewer alternatives than asked, with the limits they must keep', async () => {
    const r = await call(`${url}/api/route?from=${ORIGIN.join(',')}&to=${MASSAN.join(',')}&alternatives=5`, { token: tokens.viewer });
    expect(r.status).toBe(200);
    expect(r.body.features.length).toBeLessThan(6);
    expect(r.body.alternatives).toMatchObject({ asked: 5, found: r.body.features.length - 1, maxStretch: 1.4, maxShared: 0.6 });
    expect(r.body.alternatives.why).toMatch(/^\d of the 5 alternatives asked for: no other route takes at most 1.4 times the best route's time while sharing less than 60 % of its length/);
  });

  it('holds every server message to its schema', () => {
    expect(lead.violations).toEqual([]);
  });
});

// Integration test of convoy tracking (P21) on the real Gothenburg road network, against a real server
// on a random port: a planner plans and starts a convoy over HTTP, its lead unit reports over a real
// WebSocket, and every screen sees its progress, checkpoints, ETA and alerts (off the corridor, in a
// danger zone, silent), a planner's acknowledgement over the WebSocket, and its arrival filling the haven.
import path from 'node:path';
import { along, bearing, destination, lineString, length as turfLength } from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { startServer } from '../../server/app.js';
import { InlineRouting } from '../../server/routing-service.js';
import { loadGothenburg } from '../routing/helpers.js';
import { silentLogger, tempDir } from '../server/helpers.js';
import { call, testConfig, TestClient, type Json } from './helpers.js';

const ORIGIN: [number, number] = [11.9566, 57.7215];
const HAVEN: [number, number] = [11.9862, 57.706];
/** Short, so the silent alert comes within the test; other alerts are looked at by kind, as a silence may come between steps. */
const STALE_MS = 3000;

describe('P21: a convoy tracked against its corridor, on Gothenburg', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  const tokens: Record<string, string> = {};
  let lead: TestClient;
  let screen: TestClient;
  let route: [number, number][];
  let routeKm: number;
  /** Fix times: ten minutes ago onwards, so every report is in the past (P6) and in order. */
  let clock = Date.now() - 10 * 60_000;
  let n = 0;

  const convoy = async (): Promise<Json> => (await call(`${url}/api/convoys/cv-track`, { token: tokens.viewer })).body.convoy;
  const until = async <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify(v).slice(0, 400)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** The lead unit reports over its socket `seconds` after its last report, at `km` along the route, `offM` to the side. */
  const report = async (km: number, seconds: number, offM = 0) => {
    clock += seconds * 1000;
    let [lon, lat] = along(lineString(route), Math.min(km, routeKm), { units: 'kilometers' }).geometry.coordinates;
    if (offM) {
      // To the side of the road, square to it.
      const ahead = along(lineString(route), Math.min(km + 0.02, routeKm), { units: 'kilometers' }).geometry.coordinates;
      [lon, lat] = destination([lon, lat], offM / 1000, bearing([lon, lat], ahead) + 90, { units: 'kilometers' }).geometry.coordinates;
    }
    const msgId = `lead-${++n}`;
    const ack = await lead.request({ type: 'position', msgId, unitId: 'lead-1', lon, lat, time: new Date(clock).toISOString() });
    expect(ack, JSON.stringify(ack)).toMatchObject({ type: 'ack', msgId });
    return ack.seq as number;
  };

  beforeAll(async () => {
    const net = await loadGothenburg();
    server = await startServer(testConfig(tmp.dir, { staleAfterMs: STALE_MS }), { routing: new InlineRouting(net.engine), logger: silentLogger, clientDir: path.join(tmp.dir, 'client') });
    url = server.url;
    for (const role of ['planner', 'viewer'] as const) tokens[role] = server.tokens.create({ org: 'WFP', role }).token;
    tokens.field = server.tokens.create({ org: 'WFP', role: 'field', unit: 'lead-1' }).token;
    lead = await TestClient.connect(url, tokens.field);
    screen = await TestClient.connect(url, tokens.viewer);
  }, 60_000);
  afterAll(async () => {
    await lead?.close();
    await screen?.close();
    await server?.close();
    tmp.cleanup();
  });

  it('plans, approves and starts a convoy led by a field unit, with a checkpoint of its own', async () => {
    const haven = await call(`${url}/api/havens`, { token: tokens.planner, body: { id: 'hv-ullevi', name: 'Ullevi', lon: HAVEN[0], lat: HAVEN[1], capacity: 1000, occupancy: 100, status: 'open' } });
    expect(haven.status).toBe(201);
    const body = { id: 'cv-track', name: 'EVAC TRACK', origin: ORIGIN, destination: 'nearest-haven', vehicleClass: '4wd', people: 40, leadUnitId: 'lead-1', organisation: 'WFP', contact: 'Ops room, VHF ch 4' };
    const posted = await call(`${url}/api/convoys`, { token: tokens.planner, body });
    expect(posted.status).toBe(201);
    const planned = await until('a corridor', convoy, (c) => c.corridor?.status === 'ok');
    route = planned.corridor.features[0].geometry.coordinates;
    routeKm = turfLength(lineString(route), { units: 'kilometers' });
    expect(routeKm).toBeGreaterThan(1);
    // A checkpoint halfway, named by the planner.
    const mid = along(lineString(route), routeKm / 2, { units: 'kilometers' }).geometry.coordinates as [number, number];
    expect((await call(`${url}/api/convoys`, { token: tokens.planner, body: { ...body, checkpoints: [{ name: 'Göta älv bridge', at: mid }] } })).status).toBe(201);
    for (const to of ['approved', 'moving']) expect((await call(`${url}/api/convoys/cv-track/state`, { token: tokens.planner, body: { to } })).status).toBe(200);
    const moving = await convoy();
    expect(moving).toMatchObject({ state: 'moving', leadUnitId: 'lead-1', checkpoints: [{ name: 'Göta älv bridge' }], progress: null });
  });

  it('matches each report of the lead unit to the corridor: progress, checkpoints passed, speed and ETA, on every screen', async () => {
    // 8 m/s along the route, a report every 30 s.
    const stepKm = 0.24;
    let km = 0;
    for (let i = 0; i < 6; i++, km += stepKm) await report(km, i === 0 ? 0 : 30);
    const c = await until('a track', convoy, (v) => v.progress?.done_m >= 1100);
    expect(c.progress.done_m).toBeGreaterThan(1150);
    expect(c.progress.done_m).toBeLessThan(1250);
    expect(c.progress.done_m + c.progress.left_m).toBeGreaterThan(routeKm * 1000 - 20);
    expect(c.position.speed_mps).toBeGreaterThan(7);
    expect(c.position.speed_mps).toBeLessThan(9);
    // The ETA is the distance left at the convoy's own speed after the last fix.
    const expected = Date.parse(c.position.time) + (c.progress.left_m / c.position.speed_mps) * 1000;
    expect(Math.abs(Date.parse(c.eta) - expected)).toBeLessThan(5000);
    expect(c.checkpoints_passed.map((p: Json) => [p.end ?? p.name, p.passedAt !== null])).toEqual([
      ['origin', true],
      ['Göta älv bridge', routeKm / 2 < 1.3],
      ['destination', false],
    ]);
    expect(c.checkpoints_passed[2].name).toBe('Ullevi');
    // Every screen got the tracks as events.
    await screen.next((m) => m.type === 'delta' && m.events.some((e: Json) => e.type === 'convoy.tracked' && e.track.progress.done_m > 1100));
  });

  it('raises off_corridor after 60 s beyond 150 m, once; a planner acknowledges it over the WebSocket; back on the corridor clears it and it is gone', async () => {
    const km = 1.2;
    await report(km, 20, 300);
    await report(km, 30, 320);
    const offAlerts = (c: Json) => c.alerts.filter((a: Json) => a.kind === 'off_corridor');
    expect(offAlerts(await convoy())).toEqual([]);
    await report(km, 31, 330);
    expect((await convoy()).position.offset_m, 'the side of the road is off the corridor').toBeGreaterThan(300);
    const raised = await until('an off_corridor alert', convoy, (c) => offAlerts(c).length > 0);
    raised.alerts = offAlerts(raised);
    expect(raised.alerts).toEqual([
      { id: expect.stringMatching(/^al-/), kind: 'off_corridor', raisedAt: expect.any(String), detail: { distance_m: expect.any(Number), sinceMs: expect.any(Number) }, acknowledgedBy: null, acknowledgedAt: null, clearedAt: null },
    ]);
    expect(raised.alerts[0].detail.distance_m).toBeGreaterThan(300);
    // Still off: no second alert.
    await report(km, 20, 340);
    expect(offAlerts(await convoy())).toHaveLength(1);
    const alertId = raised.alerts[0].id;
    const planner = await TestClient.connect(url, tokens.planner);
    const ack = await planner.request({ type: 'alert.ack', msgId: 'ack-1', alertId, remark: 'driver took a detour around a market' });
    expect(ack).toMatchObject({ type: 'ack', msgId: 'ack-1' });
    const again = await planner.request({ type: 'alert.ack', msgId: 'ack-2', alertId });
    expect(again).toMatchObject({ type: 'error', code: 'already_acknowledged', path: 'alertId' });
    await planner.close();
    const acked = await convoy();
    expect(offAlerts(acked)[0]).toMatchObject({ acknowledgedBy: { org: 'WFP', role: 'planner' }, clearedAt: null });
    // Back on the corridor: cleared, and being acknowledged too, gone from the picture (the log keeps it).
    await report(km + 0.1, 15);
    await until('the alert gone', convoy, (c) => offAlerts(c).length === 0);
    const events = (await call(`${url}/api/events?since=0&limit=5000`, { token: tokens.viewer })).body.events as Json[];
    const about = events.filter((e) => (e.type === 'alert.raised' && e.alert.id === alertId) || ((e.type === 'alert.acknowledged' || e.type === 'alert.cleared') && e.id === alertId));
    expect(about.map((e) => e.type)).toEqual(['alert.raised', 'alert.acknowledged', 'alert.cleared']);
    expect(about[1]).toMatchObject({ remark: 'driver took a detour around a market', actor: { role: 'planner' } });
  });

  it('refuses to acknowledge an alert that is not there (404) and a field unit acknowledging (403)', async () => {
    const missing = await call(`${url}/api/alerts/al-none/ack`, { token: tokens.planner, body: {} });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found', path: 'id' } } });
    const field = await call(`${url}/api/alerts/al-none/ack`, { token: tokens.field, body: {} });
    expect(field.status).toBe(403);
    const bad = await call(`${url}/api/alerts/al-none/ack`, { token: tokens.planner, body: { remark: 7 } });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'remark' } } });
  });

  it('raises danger_zone when the lead unit enters a danger zone, and clears it when the zone is lifted', async () => {
    const km = 1.6;
    const [lon, lat] = along(lineString(route), km, { units: 'kilometers' }).geometry.coordinates;
    const zone = await call(`${url}/api/threats`, {
      token: tokens.planner,
      body: { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { id: 'tz-crowd', severity: 'danger', radius_m: 150, label: 'Crowd at the bridge' } },
    });
    expect(zone.status).toBe(201);
    await report(km, 45);
    const c = await until('a danger_zone alert', convoy, (v) => v.alerts.some((a: Json) => a.kind === 'danger_zone'));
    expect(c.alerts.find((a: Json) => a.kind === 'danger_zone').detail).toEqual({ zoneId: 'tz-crowd' });
    expect((await call(`${url}/api/threats/tz-crowd`, { method: 'DELETE', token: tokens.planner })).status).toBe(200);
    const cleared = await until('the danger alert cleared', convoy, (v) => v.alerts.every((a: Json) => a.kind !== 'danger_zone' || a.clearedAt !== null));
    expect(cleared.alerts.find((a: Json) => a.kind === 'danger_zone').clearedAt).not.toBeNull();
    // Cleared but not acknowledged: still shown, until a planner acknowledges it (HTTP this time).
    const id = cleared.alerts.find((a: Json) => a.kind === 'danger_zone').id;
    expect((await call(`${url}/api/alerts/${id}/ack`, { method: 'POST', token: tokens.planner })).status).toBe(200);
    await until('the danger alert gone', convoy, (v) => v.alerts.every((a: Json) => a.kind !== 'danger_zone'));
  });

  it('raises silent when the lead unit stops reporting, and a report clears it', async () => {
    const open = (v: Json) => v.alerts.find((a: Json) => a.kind === 'silent' && a.clearedAt === null);
    const c = await until('a silent alert', convoy, (v) => open(v) !== undefined, STALE_MS * 4);
    const silent = open(c);
    expect(silent.detail.sinceMs).toBeLessThan(Date.now() - STALE_MS);
    expect(silent.clearedAt).toBeNull();
    const listed = (await call(`${url}/api/alerts`, { token: tokens.viewer })).body.alerts as Json[];
    expect(listed.find((a) => a.id === silent.id)).toMatchObject({ convoyId: 'cv-track', kind: 'silent' });
    await report(1.7, 20);
    await until('the silent alert cleared', convoy, (v) => v.alerts.find((a: Json) => a.id === silent.id)?.clearedAt != null);
  });

  it('holding keeps the progress and drops the ETA; moving again brings it back', async () => {
    const hold = await call(`${url}/api/convoys/cv-track/state`, { token: tokens.planner, body: { to: 'holding', reason: 'crowd at the bridge', resumeWhen: 'police clear the crowd' } });
    expect(hold.status).toBe(200);
    await report(1.75, 20);
    const held = await until('a holding track', convoy, (v) => v.state === 'holding' && v.progress.done_m > 1700);
    expect(held.eta).toBeNull();
    expect((await call(`${url}/api/convoys/cv-track/state`, { token: tokens.planner, body: { to: 'moving', reason: 'crowd cleared' } })).status).toBe(200);
    await report(1.8, 20);
    const moving = await until('an ETA again', convoy, (v) => v.state === 'moving' && v.eta !== null);
    expect(Date.parse(moving.eta)).toBeGreaterThan(clock);
  });

  it('arrives at the haven: state arrived, its 40 people in the haven, an arrival alert for the planners, its other alerts ended', async () => {
    for (let km = 2; km < routeKm; km += 0.3) await report(km, 35);
    await report(routeKm, 30);
    const c = await until('arrival', convoy, (v) => v.state === 'arrived');
    expect(c.stateHistory.at(-1)).toMatchObject({ from: 'moving', to: 'arrived', reason: 'arrived at Ullevi', by: { role: 'system' } });
    expect(c.progress).toBeNull();
    expect(c.checkpoints_passed.every((p: Json) => p.passedAt !== null)).toBe(true);
    const arrival = c.alerts.find((a: Json) => a.kind === 'arrived');
    expect(arrival).toMatchObject({ detail: { havenId: 'hv-ullevi', people: 40 }, acknowledgedBy: null, clearedAt: expect.any(String) });
    expect(c.alerts.filter((a: Json) => a.clearedAt === null)).toEqual([]);
    const havens = (await call(`${url}/api/picture`, { token: tokens.viewer })).body.picture.havens;
    expect(havens['hv-ullevi'].occupancy).toBe(140);
    // Reports after arrival change nothing.
    const seq = await report(routeKm, 30);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.store.picture.seq).toBe(seq);
  });

  it('holds every server message to its schema', async () => {
    expect(lead.violations).toEqual([]);
    expect(screen.violations).toEqual([]);
  });
});

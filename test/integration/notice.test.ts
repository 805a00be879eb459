// The deconfliction notice's life (issue 18, P36) on the real Gothenburg road network, against a real
// server on a random port: drafted once a convoy is approved and routed, sent, acknowledged by a party,
// superseded by a new version that says what changed when a zone re-routes the convoy, redrafted in
// place while that version is a draft, expired when the convoy arrives; refused changes name why; a
// convoy the sharing agreement withholds has no notice for the caller either; all of it survives a restart.
import path from 'node:path';
import { along, lineString } from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeRoads, type Notice } from '@corridor/protocol';
import type { RunningServer } from '../../server/app.js';
import { startServer } from '../../server/app.js';
import { InlineRouting } from '../../server/routing-service.js';
import { EXERCISE_AGREEMENT_FILE, loadAgreement } from '../../server/sharing/agreement.js';
import { loadGothenburg } from '../routing/helpers.js';
import { silentLogger, tempDir } from '../server/helpers.js';
import { call, testConfig, TestClient, type Json } from './helpers.js';

const ORIGIN: [number, number] = [11.9566, 57.7215];
const ULLEVI: [number, number] = [11.9862, 57.706];

describe('issue 18: the deconfliction notice, drafted, sent, acknowledged, superseded and expired', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let engine: Awaited<ReturnType<typeof loadGothenburg>>['engine'];
  const tokens: Record<string, string> = {};
  const now = Date.now();
  const window = { from: new Date(now - 10 * 60_000).toISOString(), until: new Date(now + 3 * 3600_000).toISOString() };

  const notice = (id: string, token = tokens.planner) => call(`${url}/api/convoys/${id}/notice`, { token });
  const until = async (what: string, id: string, ok: (n: Json) => boolean, token = tokens.planner, timeoutMs = 8000): Promise<Json> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await notice(id, token);
      if (r.status === 200 && ok(r.body)) return r.body;
      if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms; last ${r.status} ${JSON.stringify({ ...r.body, route: undefined }).slice(0, 800)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const picture = async () => (await call(`${url}/api/picture`, { token: server.adminToken })).body.picture;
  const start = async () => {
    server = await startServer(testConfig(tmp.dir, { staleAfterMs: 600_000 }), { routing: new InlineRouting(engine), logger: silentLogger, clientDir: path.join(tmp.dir, 'client'), agreement: loadAgreement(EXERCISE_AGREEMENT_FILE) });
    url = server.url;
    tokens.planner = server.tokens.create({ org: 'WFP', role: 'planner' }).token;
    tokens.viewer = server.tokens.create({ org: 'WFP', role: 'viewer' }).token;
    tokens.military = server.tokens.create({ org: 'BLUE-BDE', role: 'planner' }).token;
  };

  beforeAll(async () => {
    engine = (await loadGothenburg()).engine;
    await start();
    const haven = await call(`${url}/api/havens`, { token: tokens.planner, body: { id: 'hv-ullevi', name: 'Ullevi', lon: ULLEVI[0], lat: ULLEVI[1], capacity: 1000, status: 'open', contact: 'Site manager, +46 31 000 00 00' } });
    expect(haven.status).toBe(201);
    const convoy = await call(`${url}/api/convoys`, {
      token: tokens.planner,
      body: {
        id: 'cv-n1',
        name: 'EVAC NORTH',
        origin: ORIGIN,
        destination: 'nearest-haven',
        vehicleClass: 'light_truck',
        vehicles: 3,
        vehicleType: '2 Land Cruiser, 1 truck 7 t',
        markings: 'White, WFP emblem on doors and roof',
        plates: ['UN 1234', 'UN 1235', 'UN 1236'],
        people: 40,
        personnel: 6,
        cargo: 'Medical supplies, 2 t',
        purpose: 'Evacuation of patients to Ullevi',
        organisation: 'WFP',
        focalPoint: { name: 'Anna Berg', phone: '+46 70 123 45 67', radio: 'VHF ch 4' },
        timeZone: 'Europe/Stockholm',
        window,
        checkpoints: [{ name: 'Bridge', at: [11.968, 57.713], hold: true }],
      },
    });
    expect(convoy.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('a planned convoy has no notice; approved and routed, version 1 is drafted from its corridor', async () => {
    const none = await notice('cv-n1');
    expect(none).toMatchObject({ status: 404, body: { error: { code: 'not_found', path: 'id' } } });
    expect(none.body.error.message).toContain('once it is approved');
    expect((await call(`${url}/api/convoys/cv-n1/state`, { token: tokens.planner, body: { to: 'approved' } })).status).toBe(200);
    const n = await until('version 1', 'cv-n1', (b) => b.version === 1);
    expect(n).toMatchObject({
      convoyId: 'cv-n1',
      status: 'draft',
      version: 1,
      convoyName: 'EVAC NORTH',
      organisation: 'WFP',
      focalPoint: { name: 'Anna Berg', phone: '+46 70 123 45 67', radio: 'VHF ch 4' },
      window: { ...window, timeZone: 'Europe/Stockholm' },
      vehicles: { count: 3, class: 'light_truck', type: '2 Land Cruiser, 1 truck 7 t', plates: ['UN 1234', 'UN 1235', 'UN 1236'], markings: 'White, WFP emblem on doors and roof' },
      personnel: 6,
      passengers: 40,
      cargo: 'Medical supplies, 2 t',
      purpose: 'Evacuation of patients to Ullevi',
      destination: { havenId: 'hv-ullevi', place: 'Ullevi' },
      checkpoints: [{ name: 'Bridge', hold: true }],
      routeVersion: 1,
    });
    expect(n.reference).toMatch(/^DN-\d{4}-\d{4,}$/);
    const listed = (await call(`${url}/api/convoys/cv-n1`, { token: tokens.viewer })).body.convoy;
    expect(listed.notice).toEqual({ reference: n.reference, version: 1, status: 'draft' });
    expect(listed.corridor.version).toBe(1);
    const p = await picture();
    expect(p.havens['hv-ullevi'].contact).toBe('Site manager, +46 31 000 00 00');
    const leg = p.corridors['cv-n1'].routes[0];
    // The ordered list of roads is the corridor's own, and the line runs from its start to its end.
    expect(n.roads).toEqual(routeRoads(leg));
    expect(n.route.distance_m).toBe(leg.distance_m);
    expect(n.route.coordinates[0]).toEqual(leg.coordinates[0]);
    expect(n.route.coordinates.at(-1)).toEqual(leg.coordinates.at(-1));
    expect(n.route.coordinates.length).toBeLessThanOrEqual(leg.coordinates.length);
  });

  it('is sent and acknowledged by a party; changes its status does not allow are refused, naming why', async () => {
    const before = await until('draft', 'cv-n1', (b) => b.status === 'draft');
    const wrong = await call(`${url}/api/convoys/cv-n1/notice/acknowledge`, { token: tokens.planner, body: { by: 'Maj. Holm' } });
    expect(wrong).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition' } } });
    expect(wrong.body.error.message).toContain('only a sent notice is acknowledged');
    expect((await call(`${url}/api/convoys/cv-n1/notice/send`, { token: tokens.viewer, body: {} })).status).toBe(403);
    const sent = await call(`${url}/api/convoys/cv-n1/notice/send`, { token: tokens.planner, body: { version: 1 } });
    expect(sent).toMatchObject({ status: 200, body: { status: 'sent', version: 1 } });
    // No body at all is a send of the version held.
    const again = await call(`${url}/api/convoys/cv-n1/notice/send`, { token: tokens.planner, method: 'POST' });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition', path: 'id' } } });
    expect((await call(`${url}/api/convoys/cv-n1/notice/acknowledge`, { token: tokens.planner, body: { by: '   ' } })).body.error).toMatchObject({ code: 'invalid', path: 'by' });
    expect((await call(`${url}/api/convoys/cv-n1/notice/acknowledge`, { token: tokens.planner, body: { version: 2, by: 'Maj. Holm' } })).body.error).toMatchObject({ code: 'invalid_transition', path: 'version' });
    const badField = await call(`${url}/api/convoys/cv-n1/notice/acknowledge`, { token: tokens.planner, body: { by: 'Maj. Holm', when: 'now' } });
    expect(badField).toMatchObject({ status: 400, body: { error: { code: 'invalid' } } });
    const ack = await call(`${url}/api/convoys/cv-n1/notice/acknowledge`, { token: tokens.planner, body: { version: 1, by: 'Maj. Holm, liaison cell', remark: 'Checkpoint 4 informed' } });
    expect(ack.status).toBe(200);
    const n = await until('acknowledged', 'cv-n1', (b) => b.status === 'acknowledged');
    expect(n.reference).toBe(before.reference);
    expect(n.acknowledged).toMatchObject({ by: 'Maj. Holm, liaison cell', remark: 'Checkpoint 4 informed', org: 'WFP', role: 'planner' });
    expect(n.sentBy).toEqual({ org: 'WFP', role: 'planner' });
    expect(n.sentMs).toBeLessThanOrEqual(n.acknowledged.atMs);
    expect((await call(`${url}/api/convoys/cv-n1/notice/acknowledge`, { token: tokens.planner, body: { by: 'Maj. Holm' } })).body.error.code).toBe('already_acknowledged');
  });

  it('a zone that re-routes the convoy supersedes the acknowledged notice with version 2, which says what changed', async () => {
    const v1 = await until('acknowledged', 'cv-n1', (b) => b.status === 'acknowledged');
    const line = lineString(v1.route.coordinates);
    const center = along(line, v1.route.distance_m / 2000, { units: 'kilometers' }).geometry.coordinates;
    const zone = await call(`${url}/api/threats`, { token: tokens.planner, body: { type: 'Feature', geometry: { type: 'Point', coordinates: center }, properties: { id: 'tz-cut', severity: 'no-go', radius_m: 150, label: 'Roadblock' } } });
    expect(zone.status).toBe(201);
    const v2 = await until('version 2', 'cv-n1', (b) => b.version === 2);
    expect(v2).toMatchObject({ reference: v1.reference, status: 'draft', routeVersion: 2 });
    expect(v2.changes.parts).toContain('route');
    expect(v2.changes.reason).toBeTruthy();
    expect(v2.changes.distanceDeltaM).toBe(Math.round(v2.route.distance_m - v1.route.distance_m));
    expect(v2.history).toHaveLength(1);
    expect(v2.history[0]).toMatchObject({ version: 1, status: 'superseded', reached: 'acknowledged', roads: v1.roads, acknowledged: { by: 'Maj. Holm, liaison cell' } });
    // Roads the new route follows and the old did not, and those it left, as the lists say.
    const added = v2.roads.filter((r: string) => !v1.roads.includes(r));
    expect(v2.changes.roadsAdded ?? []).toEqual([...new Set(added)]);
    // The old version cannot be acknowledged any more.
    const late = await call(`${url}/api/convoys/cv-n1/notice/send`, { token: tokens.planner, body: { version: 1 } });
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition', path: 'version' } } });
    expect(late.body.error.message).toContain('superseded by version 2');
  });

  it('a draft is redrafted in place when the movement changes, still saying what changed against version 1', async () => {
    const v2 = await until('version 2', 'cv-n1', (b) => b.version === 2);
    const p = await picture();
    const { stateHistory: _h, owner: _o, updatedMs: _u, ...fields } = p.convoys['cv-n1'];
    expect((await call(`${url}/api/convoys`, { token: tokens.planner, body: { ...fields, cargo: 'Medical supplies, 3 t' } })).status).toBe(201);
    const redrafted = await until('redrafted', 'cv-n1', (b) => b.cargo === 'Medical supplies, 3 t');
    expect(redrafted).toMatchObject({ version: 2, status: 'draft', reference: v2.reference });
    expect(redrafted.changes.parts).toEqual(expect.arrayContaining(['route', 'cargo']));
    expect(redrafted.history).toHaveLength(1);
  });

  it('a convoy the agreement withholds from the caller has no notice for it either, on HTTP and in the picture', async () => {
    const convoy = await call(`${url}/api/convoys`, { token: tokens.military, body: { id: 'cv-mil', name: 'ESCORT', origin: ORIGIN, destination: ULLEVI, marking: 'coalition-only', window } });
    expect(convoy.status).toBe(201);
    expect((await call(`${url}/api/convoys/cv-mil/state`, { token: tokens.military, body: { to: 'approved' } })).status).toBe(200);
    expect(await until('military notice', 'cv-mil', (b) => b.version === 1, tokens.military)).toMatchObject({ convoyId: 'cv-mil', marking: 'coalition-only', owner: 'BLUE-BDE' });
    const hidden = await notice('cv-mil', tokens.viewer);
    expect(hidden).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const ws = await TestClient.connect(url, tokens.viewer);
    try {
      const snap = await ws.next((m) => m.type === 'snapshot');
      expect(Object.keys(snap.picture.notices)).toContain('cv-n1');
      expect(Object.keys(snap.picture.notices)).not.toContain('cv-mil');
    } finally {
      await ws.close();
    }
    const ack = await call(`${url}/api/convoys/cv-mil/notice/send`, { token: tokens.planner, method: 'POST' });
    expect(ack).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('expires by itself at the end of its window, and the log says why', async () => {
    const soon = { from: new Date(Date.now() - 60_000).toISOString(), until: new Date(Date.now() + 2500).toISOString() };
    expect((await call(`${url}/api/convoys`, { token: tokens.planner, body: { id: 'cv-short', name: 'SHORT', origin: ORIGIN, destination: ULLEVI, window: soon } })).status).toBe(201);
    expect((await call(`${url}/api/convoys/cv-short/state`, { token: tokens.planner, body: { to: 'approved' } })).status).toBe(200);
    expect((await until('drafted', 'cv-short', (b) => b.version === 1)).status).toBe('draft');
    const expired = await until('expired', 'cv-short', (b) => b.status === 'expired');
    expect(expired).toMatchObject({ version: 1, expiry: 'window_ended' });
    expect(expired.expiredMs).toBeGreaterThanOrEqual(Date.parse(soon.until));
    const sent = await call(`${url}/api/convoys/cv-short/notice/send`, { token: tokens.planner, body: {} });
    expect(sent).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition' } } });
    expect(sent.body.error.message).toContain('is expired: only a draft is sent');
    const events = (await call(`${url}/api/events?since=0&limit=1000`, { token: server.adminToken })).body.events as Json[];
    expect(events.filter((e) => e.type.startsWith('notice.') && e.convoyId === 'cv-short').map((e) => e.type)).toEqual(['notice.drafted', 'notice.expired']);
    // The audit trail has the notice's changes as items of their own, before and after.
    const audit = await call(`${url}/api/audit?kind=notice&item=cv-n1`, { token: server.adminToken });
    expect(audit.status).toBe(200);
    const rows = audit.body.rows as Json[];
    expect(rows.map((r) => r.type)).toEqual(expect.arrayContaining(['notice.drafted', 'notice.sent', 'notice.acknowledged']));
    const acked = rows.find((r) => r.type === 'notice.acknowledged')!;
    expect(acked).toMatchObject({ kind: 'notice', item: 'cv-n1', org: 'WFP', role: 'planner', before: { status: 'sent' }, after: { status: 'acknowledged' } });
  });

  it('the notice survives a restart, and expires when its convoy arrives', async () => {
    const held = (await notice('cv-n1')).body as Notice;
    await server.close();
    await start();
    const back = (await notice('cv-n1')).body;
    expect(back).toMatchObject({ reference: held.reference, version: held.version, status: held.status, cargo: held.cargo });
    for (const to of ['moving', 'arrived']) expect((await call(`${url}/api/convoys/cv-n1/state`, { token: tokens.planner, body: { to } })).status).toBe(200);
    const expired = await until('expired', 'cv-n1', (b) => b.status === 'expired');
    expect(expired).toMatchObject({ version: held.version, expiry: 'convoy_ended' });
  }, 60_000);
});

// The sharing agreement enforced on the paths out (issue 13), against a real server under the exercise's
// agreement, reading the raw bytes a recipient gets: a humanitarian organisation never receives what
// is marked coalition-only (not the item, not its id, not its strings), receives military units
// coarsened to 1 km without callsign and military threat zones without their source; a military one
// receives all of it; an item re-marked beyond a recipient's reach leaves its picture, and the removal
// of one it never saw does not reach it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.js';
import { EXERCISE_AGREEMENT_FILE, loadAgreement } from '../../server/sharing/agreement.js';
import { coarsen } from '../../server/sharing/policy.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient, type Json } from './helpers.js';

/** Strings planted in what humanitarian organisations may not receive: none may appear in any byte they get. */
const CANARIES = ['CANARY-ZONE-7f3a', 'CANARY-SOURCE-91be', 'CANARY-CALLSIGN-c0de', 'tz-canary-secret'];
const AT: [number, number] = [11.9637, 57.7021];

/** A socket that keeps every byte it is sent. */
async function rawSocket(url: string, token: string): Promise<{ ws: WebSocket; bytes: () => string }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${token}`);
  let all = '';
  ws.on('message', (d) => (all += d.toString()));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, bytes: () => all };
}

describe('the agreement on every path out (issue 13)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let blueAnalyst: string;
  let blueField: string;
  let wfpViewer: string;
  let blueViewer: string;
  let wfpRaw: { ws: WebSocket; bytes: () => string };
  let wfp: TestClient;
  let blue: TestClient;

  beforeAll(async () => {
    server = await startTestServer(tmp.dir, {}, { agreement: loadAgreement(EXERCISE_AGREEMENT_FILE) });
    url = server.url;
    blueAnalyst = server.tokens.create({ org: 'BLUE-BDE', role: 'analyst' }).token;
    blueField = server.tokens.create({ org: 'BLUE-BDE', role: 'field', unit: 'PATROL-21' }).token;
    wfpViewer = server.tokens.create({ org: 'WFP', role: 'viewer' }).token;
    blueViewer = server.tokens.create({ org: 'BLUE-BDE', role: 'viewer' }).token;
    wfpRaw = await rawSocket(url, wfpViewer);
    wfp = await TestClient.connect(url, wfpViewer);
    blue = await TestClient.connect(url, blueViewer);
    // What BLUE-BDE posts: a coalition-only zone full of canaries, a releasable zone with a source, a patrol.
    const post = (body: unknown) => call(`${url}/api/threats`, { token: blueAnalyst, body });
    expect(
      (
        await post({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [11.97, 57.71] },
          properties: { id: 'tz-canary-secret', severity: 'no-go', radius_m: 300, label: CANARIES[0], source: CANARIES[1], marking: 'coalition-only' },
        })
      ).status,
    ).toBe(201);
    expect((await post({ type: 'Feature', geometry: { type: 'Point', coordinates: [11.95, 57.69] }, properties: { id: 'tz-open', severity: 'danger', radius_m: 200, label: 'Checkpoint unrest', source: CANARIES[1] } })).status).toBe(201);
    expect((await call(`${url}/api/positions`, { token: blueField, body: { unitId: 'PATROL-21', lon: AT[0], lat: AT[1], callsign: CANARIES[2], heading: 90, speed: 5 } })).status).toBe(202);
  });
  afterAll(async () => {
    wfpRaw.ws.close();
    await Promise.all([wfp.close(), blue.close()]);
    await server.close();
    tmp.cleanup();
  });

  it('a humanitarian viewer lacks the coalition-only zone, gets the military zone without its source and the patrol coarsened to 1 km without callsign', async () => {
    const p = (await call(`${url}/api/picture`, { token: wfpViewer })).body.picture;
    expect(Object.keys(p.threats)).toEqual(['tz-open']);
    expect(p.threats['tz-open']).toMatchObject({ label: 'Checkpoint unrest', owner: 'BLUE-BDE' });
    expect(p.threats['tz-open'].source).toBeUndefined();
    const unit = p.units['PATROL-21'];
    expect([unit.lon, unit.lat]).toEqual(coarsen(AT, 1000));
    expect(Math.abs(unit.lon - AT[0]) + Math.abs(unit.lat - AT[1])).toBeGreaterThan(0.0005);
    expect(unit.callsign).toBeUndefined();
    expect(unit.heading).toBeUndefined();
    // The same over the WebSocket's frames.
    const frame = await wfp.next((m) => m.type === 'delta' && m.events.some((e: Json) => e.type === 'position.reported'));
    const fix = frame.events.find((e: Json) => e.type === 'position.reported').units[0];
    expect([fix.lon, fix.lat, fix.callsign]).toEqual([...coarsen(AT, 1000), undefined]);
  });

  it('a military viewer of the same organisation kind receives all of it as posted', async () => {
    const p = (await call(`${url}/api/picture`, { token: blueViewer })).body.picture;
    expect(Object.keys(p.threats).sort()).toEqual(['tz-canary-secret', 'tz-open']);
    expect(p.units['PATROL-21']).toMatchObject({ lon: AT[0], lat: AT[1], callsign: CANARIES[2] });
    await blue.next((m) => m.type === 'delta' && m.events.some((e: Json) => e.type === 'threat.upserted' && e.zone.id === 'tz-canary-secret'));
  });

  it('a recipient cannot tell an id it may not see from one that never existed, nor take it over', async () => {
    const wfpAnalyst = server.tokens.create({ org: 'WFP', role: 'analyst' }).token;
    const hidden = await call(`${url}/api/threats/tz-canary-secret`, { token: wfpAnalyst, method: 'DELETE' });
    const never = await call(`${url}/api/threats/tz-canary-nevr`, { token: wfpAnalyst, method: 'DELETE' });
    expect(hidden.status).toBe(404);
    expect(never.status).toBe(404);
    expect(hidden.body.error.message.replace('tz-canary-secret', 'X')).toBe(never.body.error.message.replace('tz-canary-nevr', 'X'));
    expect(hidden.body.error.path).toBe(never.body.error.path);
    const takeover = await call(`${url}/api/threats`, { token: wfpAnalyst, body: { type: 'Feature', geometry: { type: 'Point', coordinates: [11.97, 57.71] }, properties: { id: 'tz-canary-secret', severity: 'advisory', radius_m: 10 } } });
    expect(takeover).toMatchObject({ status: 403, body: { error: { path: 'properties.id' } } });
    expect((await call(`${url}/api/picture`, { token: blueViewer })).body.picture.threats['tz-canary-secret']).toMatchObject({ severity: 'no-go', owner: 'BLUE-BDE' });
  });

  it('a zone re-marked coalition-only leaves the humanitarian picture; the removal of one it never saw does not reach it', async () => {
    const remark = await call(`${url}/api/threats`, {
      token: blueAnalyst,
      body: { type: 'Feature', geometry: { type: 'Point', coordinates: [11.95, 57.69] }, properties: { id: 'tz-open', severity: 'danger', radius_m: 200, label: 'Checkpoint unrest', marking: 'coalition-only' } },
    });
    expect(remark.status).toBe(201);
    const removed = await wfp.next((m) => m.type === 'delta' && m.events.some((e: Json) => e.type === 'threat.removed' && e.id === 'tz-open'));
    expect(removed.events.find((e: Json) => e.type === 'threat.removed')).not.toHaveProperty('was');
    expect(Object.keys((await call(`${url}/api/picture`, { token: wfpViewer })).body.picture.threats)).toEqual([]);
    expect((await call(`${url}/api/threats/tz-canary-secret`, { token: blueAnalyst, method: 'DELETE' })).status).toBe(200);
    await blue.next((m) => m.type === 'delta' && m.events.some((e: Json) => e.type === 'threat.removed' && e.id === 'tz-canary-secret'));
    // The humanitarian socket has seen frames since, and none names the secret zone.
    await new Promise((r) => setTimeout(r, 200));
    expect(wfp.received.some((m) => JSON.stringify(m).includes('tz-canary-secret'))).toBe(false);
    expect([...wfp.violations, ...blue.violations]).toEqual([]);
  });

  it('canaries: no byte a humanitarian viewer receives, over the socket or any read, holds a string it may not see', async () => {
    const bodies = await Promise.all(['/api/picture', '/api/events?since=0&limit=10000', '/api/convoys', '/api/alerts', '/api/havens', '/api/plans'].map(async (p) => (await call(`${url}${p}`, { token: wfpViewer })).text));
    const everything = [wfpRaw.bytes(), ...bodies].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    for (const canary of CANARIES) expect(everything.includes(canary), canary).toBe(false);
    // The events of the audit trail it may read have no hole it could count: what it receives is all it is told of.
    const events = (await call(`${url}/api/events?since=0&limit=10000`, { token: wfpViewer })).body.events as Json[];
    expect(events.every((e) => !JSON.stringify(e).includes('coalition-only'))).toBe(true);
  });
});

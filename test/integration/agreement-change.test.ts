// The agreement over time, against a real server (issue 13): reloaded while the server runs (a bad
// file leaves the one in force; a good one is logged and every open socket is sent the picture it may
// now see); what it delivers late reaching a delayed organisation only once old enough; the audit
// trail read only by administrators, filtered, exported as CSV, and its reading logged.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { parseAgreement } from '../../server/sharing/agreement.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient, type Json } from './helpers.js';

const AGREEMENT = (hide: boolean) => `
name: change-test ${hide ? 'v2' : 'v1'}
markings: [open, secret]
organisations:
  - { id: admin, kind: civil, defaultMarking: open }
  - { id: MIL, kind: military, defaultMarking: open }
  - { id: HUM, kind: humanitarian, defaultMarking: open }
  - { id: CIV, kind: civil, defaultMarking: open }
rules:
  - { kinds: ['*'], markings: ['*'], to: { orgs: [admin], roles: [admin] } }
  - { kinds: [unit], markings: [open], from: { orgs: [MIL] }, to: { orgs: [CIV] }, delay_min: 1 }
${hide ? '  - { kinds: [threat], markings: [open], to: { orgs: [MIL, CIV] } }\n  - { kinds: [unit, haven, site, flow, constraint, convoy, plan], markings: [open], to: { all: true } }' : "  - { kinds: ['*'], markings: [open], to: { all: true } }"}
`;
const ZONE = { type: 'Feature', geometry: { type: 'Point', coordinates: [11.97, 57.71] }, properties: { id: 'tz-mil-zone', severity: 'danger', radius_m: 200, label: 'Sniper reported' } };

describe('the agreement changed, delayed and audited on a running server', () => {
  const tmp = tempDir();
  const file = path.join(tmp.dir, 'agreement.yaml');
  let server: RunningServer;
  let clock = Date.now();
  let mil: string;
  let hum: string;
  let civ: string;
  let humViewer: string;

  beforeAll(async () => {
    writeFileSync(file, AGREEMENT(false));
    server = await startTestServer(path.join(tmp.dir, 'data'), { agreementFile: file, delayStepMs: 100 }, { agreement: parseAgreement(AGREEMENT(false), file), sharingClock: () => clock });
    mil = server.tokens.create({ org: 'MIL', role: 'admin' }).token;
    hum = server.tokens.create({ org: 'HUM', role: 'analyst' }).token;
    civ = server.tokens.create({ org: 'CIV', role: 'viewer' }).token;
    humViewer = server.tokens.create({ org: 'HUM', role: 'viewer' }).token;
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('a reload with a bad file is refused with the line and field, and changes nothing', async () => {
    writeFileSync(file, AGREEMENT(false).replace('defaultMarking: open }\n  - { id: HUM', 'defaultMarking: nowhere }\n  - { id: HUM'));
    const refused = await call(`${server.url}/api/agreement/reload`, { token: server.adminToken, method: 'POST' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'invalid_agreement', path: 'organisations[1].defaultMarking' });
    expect(refused.body.error.message).toMatch(/agreement\.yaml:6: organisations\[1\]\.defaultMarking: "nowhere" is not one of the markings/);
    expect((await call(`${server.url}/api/agreement`, { token: humViewer })).body.agreement.name).toBe('change-test v1');
    // Only administrators reload.
    writeFileSync(file, AGREEMENT(true));
    expect((await call(`${server.url}/api/agreement/reload`, { token: hum, method: 'POST' })).status).toBe(403);
  });

  it('a good reload is logged, and every open socket gets the picture it may now see', async () => {
    writeFileSync(file, AGREEMENT(false));
    expect((await call(`${server.url}/api/threats`, { token: mil, body: ZONE })).status).toBe(201);
    const humSocket = await TestClient.connect(server.url, humViewer);
    const milSocket = await TestClient.connect(server.url, mil);
    try {
      await humSocket.next((m) => m.type === 'snapshot');
      expect(humSocket.received.find((m) => m.type === 'snapshot')!.picture.threats['tz-mil-zone']).toBeDefined();
      writeFileSync(file, AGREEMENT(true));
      const done = await call(`${server.url}/api/agreement/reload`, { token: server.adminToken, method: 'POST' });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ name: 'change-test v2', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      // The humanitarian socket is sent a snapshot without the zone; the military one keeps it.
      const after = await humSocket.next((m) => m.type === 'snapshot' && m.seq >= done.body.seq);
      expect(after.picture.threats['tz-mil-zone']).toBeUndefined();
      const milAfter = await milSocket.next((m) => m.type === 'snapshot' && m.seq >= done.body.seq);
      expect(milAfter.picture.threats['tz-mil-zone']).toBeDefined();
      expect((await call(`${server.url}/api/picture`, { token: humViewer })).text).not.toContain('tz-mil-zone');
      expect((await call(`${server.url}/api/agreement`, { token: humViewer })).body.agreement.name).toBe('change-test v2');
      // The change is in the log, with who made it.
      const events = (await call(`${server.url}/api/events?since=0&limit=1000`, { token: server.adminToken })).body.events as Json[];
      expect(events.find((e) => e.type === 'agreement.changed')).toMatchObject({ name: 'change-test v2', digest: done.body.digest, actor: { org: 'admin', role: 'admin' } });
      expect(humSocket.violations).toEqual([]);
    } finally {
      await humSocket.close();
      await milSocket.close();
    }
  });

  it('a unit delivered one minute late reaches the delayed organisation only as it was a minute ago', async () => {
    const civSocket = await TestClient.connect(server.url, civ);
    try {
      await civSocket.next((m) => m.type === 'snapshot');
      const report = (lon: number) => call(`${server.url}/api/positions`, { token: mil, body: { unitId: 'PATROL-5', lon, lat: 57.7 } });
      expect((await report(11.91)).status).toBe(202);
      // Samples every 100 ms: now and for a while the unit is younger than a minute.
      await new Promise((r) => setTimeout(r, 300));
      expect((await call(`${server.url}/api/picture`, { token: civ })).text).not.toContain('PATROL-5');
      const civEvents = (await call(`${server.url}/api/events?since=0&limit=1000`, { token: civ })).text;
      expect(civEvents).not.toContain('PATROL-5');
      // No live frame carried it.
      expect(civSocket.received.filter((m) => m.type === 'delta').map((m) => JSON.stringify(m)).join('')).not.toContain('PATROL-5');
      // A minute on (the sharing clock), the unit moves; the delayed picture shows where it was.
      clock += 61_000;
      expect((await report(11.99)).status).toBe(202);
      const late = await civSocket.next((m) => m.type === 'snapshot' && m.picture.units['PATROL-5'] !== undefined, 3000);
      expect(late.picture.units['PATROL-5'].lon).toBeCloseTo(11.91, 6);
      const now = (await call(`${server.url}/api/picture`, { token: civ })).body.picture.units['PATROL-5'];
      expect(now.lon).toBeCloseTo(11.91, 6);
      // The humanitarian organisation (no delay) has it as it is.
      expect((await call(`${server.url}/api/picture`, { token: humViewer })).body.picture.units['PATROL-5'].lon).toBeCloseTo(11.99, 6);
    } finally {
      await civSocket.close();
    }
  });

  it('the audit trail: administrators only, filtered, as CSV, its reading logged and sent to no one else', async () => {
    const humSocket = await TestClient.connect(server.url, humViewer);
    try {
      await humSocket.next((m) => m.type === 'snapshot');
      expect((await call(`${server.url}/api/audit`, { token: hum })).status).toBe(403);
      expect((await call(`${server.url}/api/audit?kind=dragon`, { token: server.adminToken })).body.error).toMatchObject({ code: 'invalid', path: 'kind' });
      expect((await call(`${server.url}/api/audit?from=yesterday`, { token: server.adminToken })).body.error).toMatchObject({ code: 'invalid', path: 'from' });
      const zone = await call(`${server.url}/api/audit?item=tz-mil-zone`, { token: server.adminToken });
      expect(zone.status).toBe(200);
      expect(zone.body.rows).toHaveLength(1);
      expect(zone.body.rows[0]).toMatchObject({ type: 'threat.upserted', kind: 'threat', item: 'tz-mil-zone', org: 'MIL', role: 'admin', before: null, after: { id: 'tz-mil-zone', label: 'Sniper reported', owner: 'MIL' } });
      // A second position of the unit: its row has the first as "before".
      const unit = await call(`${server.url}/api/audit?kind=unit&org=MIL`, { token: server.adminToken });
      expect(unit.body.rows.map((r: Json) => [r.before?.lon ?? null, r.after.lon])).toEqual([
        [null, 11.91],
        [11.91, 11.99],
      ]);
      expect((await call(`${server.url}/api/audit?org=HUM`, { token: server.adminToken })).body.rows).toEqual([]);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await call(`${server.url}/api/audit?from=${encodeURIComponent(future)}`, { token: server.adminToken })).body.rows).toEqual([]);
      const paged = await call(`${server.url}/api/audit?limit=1`, { token: server.adminToken });
      expect(paged.body.rows).toHaveLength(1);
      const second = await call(`${server.url}/api/audit?limit=1&after=${paged.body.next}`, { token: server.adminToken });
      expect(second.body.rows[0].seq).toBeGreaterThan(paged.body.rows[0].seq);

      const csv = await fetch(`${server.url}/api/audit?format=csv&kind=threat`, { headers: { authorization: `Bearer ${server.adminToken}` } });
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      const bytes = Buffer.from(await csv.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8').slice(1);
      const lines = text.split('\r\n');
      expect(lines[0]).toBe('seq,time,type,kind,item,org,role,tokenId,before,after');
      expect(lines[1]).toMatch(/^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,threat\.upserted,threat,tz-mil-zone,MIL,admin,[^,]+,,"\{""id"":""tz-mil-zone""/);
      expect(lines.at(-1)).toBe('');

      // Every read is on the trail, with who read it and what was asked; no one else is told.
      const reads = await call(`${server.url}/api/audit?kind=audit`, { token: server.adminToken });
      expect(reads.body.rows.length).toBeGreaterThanOrEqual(7);
      expect(reads.body.rows.find((r: Json) => r.after.query.item === 'tz-mil-zone')).toMatchObject({ type: 'audit.read', org: 'admin', role: 'admin', after: { rows: 1 } });
      await new Promise((r) => setTimeout(r, 200));
      expect(JSON.stringify(humSocket.received)).not.toContain('audit.read');
      expect((await call(`${server.url}/api/events?since=0&limit=1000`, { token: humViewer })).text).not.toContain('audit.read');
    } finally {
      await humSocket.close();
    }
  });
});

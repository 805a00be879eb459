// Markings and owners of posted items under the exercise's agreement (issue 13), against a real server:
// a post takes its organisation's default marking, may raise it, never lower it nor use one its
// organisation may not itself see (400 naming the field, nothing stored); each item names its owner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { EXERCISE_AGREEMENT_FILE, loadAgreement } from '../../server/sharing/agreement.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient } from './helpers.js';

const HAVEN = { name: 'School', lon: 11.965, lat: 57.703, capacity: 200, status: 'open' };

describe('markings and owners (issue 13)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  const token = (org: string, role: string, unit?: string) => server.tokens.create({ org, role, ...(unit ? { unit } : {}) }).token;
  const picture = async () => (await call(`${url}/api/picture`, { token: server.adminToken })).body.picture;

  beforeAll(async () => {
    server = await startTestServer(tmp.dir, {}, { agreement: loadAgreement(EXERCISE_AGREEMENT_FILE) });
    url = server.url;
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it("a post without a marking takes its organisation's default, and names its owner", async () => {
    const wfp = await call(`${url}/api/havens`, { token: token('WFP', 'planner'), body: { id: 'hv-w', ...HAVEN } });
    expect(wfp.status).toBe(201);
    const msf = await call(`${url}/api/sites`, { token: token('MSF', 'analyst'), body: { id: 'st-m', name: 'Clinic', lon: 11.96, lat: 57.7, population: 40, date: '2026-12-06', source: 'MSF' } });
    expect(msf.status).toBe(201);
    const p = await picture();
    expect(p.havens['hv-w']).toMatchObject({ owner: 'WFP', marking: 'releasable-all' });
    expect(p.sites['st-m']).toMatchObject({ owner: 'MSF', marking: 'humanitarian' });
  });

  it('a post may raise its marking; not lower it, nor use one its organisation may not see, nor an unknown one', async () => {
    const raised = await call(`${url}/api/havens`, { token: token('WFP', 'planner'), body: { id: 'hv-h', ...HAVEN, marking: 'humanitarian' } });
    expect(raised.status).toBe(201);
    expect((await picture()).havens['hv-h']).toMatchObject({ owner: 'WFP', marking: 'humanitarian' });
    const lowered = await call(`${url}/api/sites`, { token: token('MSF', 'analyst'), body: { name: 'X', lon: 11.96, lat: 57.7, population: 1, date: '2026-12-06', source: 'MSF', marking: 'releasable-all' } });
    expect(lowered).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'marking' } } });
    expect(lowered.body.error.message).toContain(`below MSF's default marking "humanitarian"`);
    const unseen = await call(`${url}/api/havens`, { token: token('WFP', 'planner'), body: { ...HAVEN, marking: 'coalition-only' } });
    expect(unseen).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'marking' } } });
    expect(unseen.body.error.message).toContain('WFP may not itself see items marked "coalition-only"');
    const unknown = await call(`${url}/api/havens`, { token: token('WFP', 'planner'), body: { ...HAVEN, marking: 'top-secret' } });
    expect(unknown.body.error.message).toContain('"top-secret" is not a marking of the agreement');
    // A threat zone's marking is in its properties; over the WebSocket the path names the field as sent.
    const analyst = await TestClient.connect(url, token('BLUE-BDE', 'analyst'));
    try {
      const zone = { type: 'Feature', geometry: { type: 'Point', coordinates: [11.966, 57.702] }, properties: { id: 'tz-r', severity: 'danger', radius_m: 200, source: 'HUMINT', marking: 'restricted' } };
      expect(await analyst.request({ type: 'threat.upsert', msgId: 'z1', feature: zone })).toMatchObject({ type: 'ack' });
      const wfpWs = await TestClient.connect(url, token('WFP', 'analyst'));
      try {
        const refused = await wfpWs.request({ type: 'threat.upsert', msgId: 'z2', feature: { ...zone, properties: { ...zone.properties, id: 'tz-w', marking: 'restricted' } } });
        expect(refused).toMatchObject({ type: 'error', code: 'invalid', path: 'feature.properties.marking' });
      } finally {
        await wfpWs.close();
      }
    } finally {
      await analyst.close();
    }
    const p = await picture();
    expect(p.threats['tz-r']).toMatchObject({ owner: 'BLUE-BDE', marking: 'restricted' });
    expect(p.threats['tz-w']).toBeUndefined();
  });

  it("a unit's report names its owner; a marking it gives is checked like any other", async () => {
    const field = token('BLUE-BDE', 'field', 'PATROL-21');
    const ok = await call(`${url}/api/positions`, { token: field, body: { unitId: 'PATROL-21', lon: 11.96, lat: 57.7, marking: 'coalition-only' } });
    expect(ok.status).toBe(202);
    expect((await picture()).units['PATROL-21']).toMatchObject({ owner: 'BLUE-BDE', marking: 'coalition-only' });
    const bad = await call(`${url}/api/positions`, { token: field, body: [{ unitId: 'PATROL-21', lon: 11.96, lat: 57.7, marking: 'nonsense' }] });
    expect(bad).toMatchObject({ status: 400, body: { error: { path: '[0].marking' } } });
    const plain = await call(`${url}/api/positions`, { token: token('WFP', 'field', 'WFP-1'), body: { unitId: 'WFP-1', lon: 11.961, lat: 57.7 } });
    expect(plain.status).toBe(202);
    const unit = (await picture()).units['WFP-1'];
    expect(unit.owner).toBe('WFP');
    expect(unit.marking).toBeUndefined();
  });

  it('an organisation the agreement does not know may not post: not an entity, not a position', async () => {
    const stranger = await call(`${url}/api/havens`, { token: token('ACME', 'planner'), body: HAVEN });
    expect(stranger).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(stranger.body.error.message).toContain('organisation "ACME" is not in the sharing agreement');
    const report = await call(`${url}/api/positions`, { token: token('ACME', 'field', 'ACME-1'), body: { unitId: 'ACME-1', lon: 11.96, lat: 57.7 } });
    expect(report).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await picture()).units['ACME-1']).toBeUndefined();
  });
});

// Field units (issue 15) against a real server: standard reports with their fixed forms, an analyst's
// review (confirm, correct, dismiss, the constraint a blocked road became), and the field stream
// (`/ws?stream=field`): compressed, only the unit's area and what concerns it, then only changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyField, decodeLine, type FieldItem, type FieldMessage } from '@corridor/protocol';
import type { RunningServer } from '../../server/app.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient, type Json } from './helpers.js';

const HERE: [number, number] = [11.966, 57.708];
/** A point about 2 km north of HERE, and one about 60 km away. */
const NEAR: [number, number] = [11.966, 57.726];
const FAR: [number, number] = [12.9, 57.9];

/** What a field client holds after every `field` message it got. */
function held(client: TestClient): Record<string, FieldItem> {
  let items: Record<string, FieldItem> = {};
  for (const m of client.received) if (m.type === 'field') items = applyField(items, m as FieldMessage);
  return items;
}

describe('field reports and their review (issue 15)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let field: string;
  let analyst: string;
  let planner: string;
  const post = (token: string, body: unknown) => call(`${url}/api/reports`, { token, body });
  const review = (token: string, id: string, body: unknown) => call(`${url}/api/reports/${id}/review`, { token, body });

  beforeAll(async () => {
    server = await startTestServer(tmp.dir);
    url = server.url;
    field = server.tokens.create({ org: 'WFP', role: 'field', unit: 'PATROL-21' }).token;
    analyst = server.tokens.create({ org: 'UN-OCHA', role: 'analyst' }).token;
    planner = server.tokens.create({ org: 'WFP', role: 'planner' }).token;
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('takes each kind of report with its own form, unverified, at the time it was seen', async () => {
    const seen = new Date(Date.now() - 10 * 60_000).toISOString();
    const forms = [
      { kind: 'road-blocked', text: 'Trees across the road' },
      { kind: 'checkpoint', text: 'Police, documents checked' },
      { kind: 'incident', casualties: true },
      { kind: 'needs', needs: ['water', 'medical'] },
      { kind: 'displaced', people: 120 },
      { kind: 'note', text: 'Bridge lights out' },
    ];
    const ids: string[] = [];
    for (const form of forms) {
      const r = await post(field, { unitId: 'PATROL-21', at: HERE, time: seen, accuracy: 6, ...form });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids.push(r.body.id);
    }
    const picture = (await call(`${url}/api/picture`, { token: analyst })).body.picture;
    expect(ids.map((id) => picture.reports[id].kind)).toEqual(forms.map((f) => f.kind));
    expect(ids.every((id) => picture.reports[id].status === 'unverified' && picture.reports[id].unitId === 'PATROL-21')).toBe(true);
    expect(picture.reports[ids[0]].timeMs).toBe(Date.parse(seen));
    expect(picture.reports[ids[3]].needs).toEqual(['water', 'medical']);
  });

  it.each([
    [{ kind: 'incident' }, 'casualties', 'is required in the incident report form'],
    [{ kind: 'needs', needs: [] }, 'needs', 'at least 1'],
    [{ kind: 'displaced', people: 12, casualties: false }, 'casualties', 'is not a field of the displaced report form'],
    [{ kind: 'note', text: '   ' }, 'text', 'is required in the note report form'],
    [{ kind: 'fire' }, 'kind', ''],
    [{ kind: 'note', text: 'x', payload: { any: 'json' } }, 'payload', ''],
  ])('refuses a report outside its form: %j → %s', async (form, path, words) => {
    const r = await post(field, { unitId: 'PATROL-21', at: HERE, ...form });
    expect(r.status).toBe(400);
    expect(r.body.error.path).toBe(path);
    expect(r.body.error.message).toContain(words);
  });

  it('lets a field token report only for its own unit, and only analysts review', async () => {
    const other = await post(field, { unitId: 'PATROL-99', at: HERE, kind: 'checkpoint' });
    expect([other.status, other.body.error.path]).toEqual([403, 'unitId']);
    const id = (await post(field, { unitId: 'PATROL-21', at: HERE, kind: 'checkpoint' })).body.id;
    expect((await review(field, id, { status: 'confirmed' })).status).toBe(403);
    expect((await review(planner, id, { status: 'confirmed' })).status).toBe(403);
    expect((await call(`${url}/api/reports/${id}`, { token: field, method: 'DELETE' })).status).toBe(403);
    // Sent once: the same id again is not a way to change it.
    const again = await post(field, { id, unitId: 'PATROL-21', at: HERE, kind: 'checkpoint' });
    expect([again.status, again.body.error.code]).toEqual([409, 'conflict']);
  });

  it('an analyst confirms, corrects or dismisses a report; a blocked road becomes a closed constraint in one step', async () => {
    const id = (await post(field, { unitId: 'PATROL-21', at: HERE, kind: 'road-blocked', text: 'Truck overturned' })).body.id;
    expect((await review(analyst, id, { status: 'confirmed', changes: { people: 3 } })).body.error).toMatchObject({ code: 'invalid', path: 'changes.people' });
    expect((await review(analyst, id, { status: 'confirmed', constraintId: 'ac-none' })).body.error).toMatchObject({ code: 'not_found', path: 'constraintId' });
    expect((await review(analyst, 'fr-none', { status: 'confirmed' })).status).toBe(404);
    // The constraint, then the review that names it (what the page's one button does).
    const constraint = await call(`${url}/api/constraints`, {
      token: analyst,
      body: { status: 'closed', category: 'physical-environment', reason: 'Truck overturned (field report)', geometry: { type: 'Polygon', coordinates: [[[11.9655, 57.7078], [11.9665, 57.7078], [11.9665, 57.7082], [11.9655, 57.7082], [11.9655, 57.7078]]] }, verifiedAt: new Date().toISOString(), verifiedBy: 'UN-OCHA' },
    });
    expect(constraint.status).toBe(201);
    const ok = await review(analyst, id, { status: 'confirmed', changes: { at: [11.9661, 57.708], text: 'Truck overturned, both lanes' }, remark: 'Seen on camera', constraintId: constraint.body.id });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const report = (await call(`${url}/api/picture`, { token: analyst })).body.picture.reports[id];
    expect(report).toMatchObject({ status: 'confirmed', at: [11.9661, 57.708], text: 'Truck overturned, both lanes', unitId: 'PATROL-21', owner: 'WFP', review: { org: 'UN-OCHA', role: 'analyst', remark: 'Seen on camera', constraintId: constraint.body.id } });
    const dismissed = (await post(field, { unitId: 'PATROL-21', at: HERE, kind: 'note', text: 'Rumour of shelling' })).body.id;
    expect((await review(analyst, dismissed, { status: 'dismissed', remark: 'Not confirmed by anyone' })).status).toBe(200);
    expect((await call(`${url}/api/picture`, { token: planner })).body.picture.reports[dismissed].status).toBe('dismissed');
    // The audit trail says who reviewed it.
    const audit = await call(`${url}/api/audit?item=${id}`, { token: server.adminToken });
    expect(audit.body.rows.map((r: Json) => [r.org, r.after?.status])).toEqual([
      ['WFP', 'unverified'],
      ['UN-OCHA', 'confirmed'],
    ]);
  });
});

describe('the field stream (issue 15)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let fieldToken: string;
  let analyst: string;
  let planner: string;
  let phone: TestClient;
  const zone = (id: string, at: [number, number]) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: { id, severity: 'danger', radius_m: 300, label: `Zone ${id}` } });

  beforeAll(async () => {
    server = await startTestServer(tmp.dir, { fieldTickMs: 200 });
    url = server.url;
    fieldToken = server.tokens.create({ org: 'WFP', role: 'field', unit: 'LEAD-1' }).token;
    analyst = server.tokens.create({ org: 'UN-OCHA', role: 'analyst' }).token;
    planner = server.tokens.create({ org: 'WFP', role: 'planner' }).token;
    const admin = server.adminToken;
    expect((await call(`${url}/api/positions`, { token: admin, body: [{ unitId: 'LEAD-1', lon: HERE[0], lat: HERE[1] }, { unitId: 'OTHER-2', lon: NEAR[0], lat: NEAR[1] }] })).status).toBe(202);
    expect((await call(`${url}/api/threats`, { token: analyst, body: zone('tz-near', NEAR) })).status).toBe(201);
    expect((await call(`${url}/api/threats`, { token: analyst, body: zone('tz-far', FAR) })).status).toBe(201);
    expect((await call(`${url}/api/convoys`, { token: planner, body: { id: 'cv-f', name: 'EVAC F', origin: HERE, destination: [11.97, 57.702], leadUnitId: 'LEAD-1', checkpoints: [{ name: 'Bridge', at: [11.968, 57.705] }] } })).status).toBe(201);
    phone = await TestClient.connect(url, fieldToken, { stream: 'field' });
  });
  afterAll(async () => {
    await phone.close();
    await server.close();
    tmp.cleanup();
  });

  it('is compressed and starts with the whole view: its convoy, the zones within its radius, not those beyond', async () => {
    expect(phone.ws.extensions).toContain('permessage-deflate');
    const first = await phone.next((m) => m.type === 'field' && m.full === true);
    expect(Object.keys(first.set)).toContain('z:tz-near');
    await phone.next((m) => m.type === 'field' && held(phone).convoy !== undefined);
    const items = held(phone);
    expect(items['z:tz-far']).toBeUndefined();
    expect(items.convoy).toMatchObject({ k: 'convoy', id: 'cv-f', name: 'EVAC F', state: 'planned', ahead: [{ name: 'Bridge', at: [11.968, 57.705] }] });
    // No other unit unless asked.
    expect(Object.keys(items).some((k) => k.startsWith('u:'))).toBe(false);
    expect(phone.received.some((m) => m.type === 'snapshot' || m.type === 'delta')).toBe(false);
  });

  it('then sends only what changed: a new zone near it, a zone removed, its route, an alert for it', async () => {
    const before = phone.received.length;
    expect((await call(`${url}/api/threats`, { token: analyst, body: zone('tz-new', NEAR) })).status).toBe(201);
    const added = await phone.next((m) => m.type === 'field' && m.set['z:tz-new'] !== undefined);
    // Only what changed: the new zone (and the convoy, should the router have recomputed its corridor for it), not the zones it holds.
    expect(Object.keys(added.set).filter((k) => k !== 'convoy')).toEqual(['z:tz-new']);
    expect(decodeLine(added.set['z:tz-new'].rings[0]).length).toBeGreaterThan(10);
    expect((await call(`${url}/api/threats/tz-near`, { token: analyst, method: 'DELETE' })).status).toBe(200);
    await phone.next((m) => m.type === 'field' && (m.drop ?? []).includes('z:tz-near'));
    // A change far away sends nothing.
    expect((await call(`${url}/api/threats`, { token: analyst, body: zone('tz-far2', FAR) })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 600));
    expect(phone.received.slice(before).filter((m) => m.type === 'field' && (m.set['z:tz-far2'] !== undefined))).toEqual([]);
    // Its own alert (a CASEVAC it raised from another device).
    const lead = await TestClient.connect(url, fieldToken, { stream: 'none' });
    expect((await lead.request({ type: 'unit.alert', msgId: 'a1', unitId: 'LEAD-1', kind: 'casevac', at: HERE, text: '2 wounded' })).type).toBe('ack');
    const alert = await phone.next((m) => m.type === 'field' && Object.keys(m.set).some((k) => k.startsWith('a:')));
    expect(Object.entries(alert.set).find(([k]) => k.startsWith('a:'))?.[1]).toMatchObject({ k: 'alert', kind: 'casevac', text: '2 wounded' });
    await lead.close();
    expect(phone.violations).toEqual([]);
  });

  it('takes positions and reports on the same socket, and tells the unit what the analysts made of its report', async () => {
    const fix = await phone.request({ type: 'position', msgId: 'p-1', unitId: 'LEAD-1', lon: HERE[0], lat: HERE[1], accuracy: 5 });
    expect(fix.type).toBe('ack');
    const sent = await phone.request({ type: 'report.upsert', msgId: 'r-1', report: { unitId: 'LEAD-1', kind: 'checkpoint', at: HERE } });
    expect(sent.type).toBe('ack');
    // The same msgId again (a retry after a lost ack) is answered with the same seq and stored once.
    const retry = await phone.request({ type: 'report.upsert', msgId: 'r-1', report: { unitId: 'LEAD-1', kind: 'checkpoint', at: HERE } });
    expect(retry.seq).toBe(sent.seq);
    const mine = await phone.next((m) => m.type === 'field' && Object.values(m.set).some((i: any) => i.k === 'report'));
    const [key, item] = Object.entries(mine.set).find(([, i]: [string, any]) => i.k === 'report') as [string, Json];
    expect(item.status).toBe('unverified');
    expect((await call(`${url}/api/reports/${item.id}/review`, { token: analyst, body: { status: 'confirmed', remark: 'Thanks' } })).status).toBe(200);
    await phone.next((m) => m.type === 'field' && m.set[key]?.status === 'confirmed');
    expect(held(phone)[key]).toMatchObject({ status: 'confirmed', remark: 'Thanks' });
    const reports = Object.values((await call(`${url}/api/picture`, { token: analyst })).body.picture.reports);
    expect(reports).toHaveLength(1);
  });

  it('sends other units near it only when asked, and refuses what it cannot serve', async () => {
    const withUnits = await TestClient.connect(url, fieldToken, { stream: 'field', units: '1', radius: '3000' });
    await withUnits.next((m) => m.type === 'field' && m.full === true);
    expect(held(withUnits)['u:OTHER-2']).toMatchObject({ k: 'unit', at: NEAR });
    await withUnits.close();
    await expect(TestClient.connect(url, fieldToken, { stream: 'field', radius: '10' })).rejects.toThrow('400');
    await expect(TestClient.connect(url, analyst, { stream: 'field' })).rejects.toThrow('400');
  });
});

// The access API under an agreement that removes fields (issue 16 with issue 13): an organisation that
// receives another's constraints without who verified them or why, and its zones without their label,
// gets none of those words from the access list, the history, the CSV or an access check's sentence.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { InlineRouting } from '../../server/routing-service.js';
import { parseAgreement } from '../../server/sharing/agreement.js';
import { buildRoadGraph, roadWaysFromGeoJson, Router } from '../../routing/index.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, type Json } from './helpers.js';

const MINI = path.resolve(import.meta.dirname, '../fixtures/roads/mini.geojson');
const EAST: [number, number] = [11.96855, 57.70312];
const WEST: [number, number] = [11.96585, 57.70232];
/** Words the NGO may not receive. */
const CANARIES = ['CANARY-VERIFIER-5a1', 'CANARY-REASON-77e', 'CANARY-LABEL-0c9', 'CANARY-REASON-2nd'];

const AGREEMENT = `
name: Access test agreement
markings: [open]
organisations:
  - { id: OCHA, name: OCHA, kind: humanitarian, defaultMarking: open }
  - { id: NGO, name: An NGO, kind: humanitarian, defaultMarking: open }
  - { id: admin, name: Administrators, kind: civil, defaultMarking: open }
rules:
  - kinds: ['*']
    markings: ['*']
    to: { orgs: [admin], roles: [admin] }
  - kinds: [constraint]
    markings: [open]
    from: { orgs: [OCHA] }
    to: { orgs: [NGO] }
    remove: [verifiedBy, reason]
  - kinds: [threat]
    markings: [open]
    from: { orgs: [OCHA] }
    to: { orgs: [NGO] }
    remove: [label]
  - kinds: ['*']
    markings: [open]
    to: { all: true }
`;

describe('the access API under an agreement that removes fields', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let ocha: string;
  let ngo: string;

  beforeAll(async () => {
    const router = new Router(buildRoadGraph(roadWaysFromGeoJson(JSON.parse(readFileSync(MINI, 'utf8')))));
    server = await startTestServer(tmp.dir, {}, { routing: new InlineRouting(router), agreement: parseAgreement(AGREEMENT) });
    ocha = server.tokens.create({ org: 'OCHA', role: 'analyst' }).token;
    ngo = server.tokens.create({ org: 'NGO', role: 'viewer' }).token;
    const verifiedAt = new Date().toISOString();
    const line = { type: 'LineString', coordinates: [WEST, [11.9659, 57.7024]] };
    for (const [reason, status] of [
      [CANARIES[1], 'restricted'],
      [CANARIES[3], 'closed'],
    ]) {
      const r = await call(`${server.url}/api/constraints`, { token: ocha, body: { id: 'ac-informant', status, category: 'movement-restriction', reason, geometry: line, verifiedAt, verifiedBy: CANARIES[0] } });
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    }
    const z = await call(`${server.url}/api/threats`, { token: ocha, body: { type: 'Feature', geometry: { type: 'Point', coordinates: EAST }, properties: { id: 'tz-ring', severity: 'no-go', radius_m: 60, label: CANARIES[2] } } });
    expect(z.status, JSON.stringify(z.body)).toBeLessThan(300);
  });
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  const noCanary = (text: string) => {
    for (const c of CANARIES) expect(text, c).not.toContain(c);
  };

  it('the list, its CSV and GeoJSON, and the history carry none of the removed fields', async () => {
    const list = await call(`${server.url}/api/access/constraints`, { token: ngo });
    expect(list.status).toBe(200);
    const item = list.body.constraints.find((c: Json) => c.id === 'ac-informant');
    expect(item).toMatchObject({ status: 'closed', category: 'movement-restriction', indicator: 4 });
    expect(item.history).toHaveLength(2);
    noCanary(list.text);
    noCanary((await call(`${server.url}/api/access/constraints.csv`, { token: ngo })).text);
    noCanary((await call(`${server.url}/api/access/constraints.geojson`, { token: ngo })).text);
    const history = await call(`${server.url}/api/access/constraints/ac-informant/history`, { token: ngo });
    expect(history.body.history.map((h: Json) => h.status)).toEqual(['restricted', 'closed']);
    noCanary(history.text);
    // OCHA sees its own in full.
    const own = await call(`${server.url}/api/access/constraints/ac-informant/history`, { token: ocha });
    expect(own.body.history.map((h: Json) => [h.reason, h.verifiedBy])).toEqual([
      [CANARIES[1], CANARIES[0]],
      [CANARIES[3], CANARIES[0]],
    ]);
  });

  it("an access check's sentence names the zone without the label the NGO may not have", async () => {
    const q = `/api/access/check?from=${WEST.join(',')}&to=${EAST.join(',')}`;
    const asNgo = await call(`${server.url}${q}`, { token: ngo });
    expect(asNgo.body).toMatchObject({ ok: false, blockedBy: [{ kind: 'zone', id: 'tz-ring' }], why: { code: 'no_safe_route', blockedBy: [{ kind: 'zone', id: 'tz-ring' }] }, opensIf: { ref: { kind: 'zone', id: 'tz-ring' } } });
    expect(asNgo.body.message).toBe('no safe route between these points: every path is cut by zone tz-ring');
    noCanary(asNgo.text);
    const asOcha = await call(`${server.url}${q}`, { token: ocha });
    expect(asOcha.body.message).toContain(CANARIES[2]);
  });
});

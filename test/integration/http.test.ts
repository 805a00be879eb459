// Integration tests of the HTTP API against a real server on a random port: sign-in (401/403),
// every error as contract JSON, writes acked after commit, route answers, audit trail, restart.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer } from './helpers.js';
import { CATALOGUES as ALL, EN_CATALOGUE } from '@corridor/protocol/i18n';

/** The catalogues, read through English's shape (every language has its keys). */
const CATALOGUES = ALL as unknown as Record<'en' | 'fr' | 'ar' | 'es', typeof EN_CATALOGUE>;

const ADMIN = 'admin-token-for-tests-0123456789';
const square = (x: number, y: number, d = 0.001) => ({
  type: 'Polygon',
  coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]],
});

describe('HTTP API', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(path.join(tmp.dir, 'client'));
    writeFileSync(path.join(tmp.dir, 'client', 'index.html'), '<!doctype html><title>Corridor client</title>');
    writeFileSync(path.join(tmp.dir, 'client', 'app.js'), 'console.log(1)');
    server = await startTestServer(tmp.dir);
    url = server.url;
    for (const role of ['field', 'planner', 'analyst', 'viewer'] as const) {
      tokens[role] = server.tokens.create({ org: 'test', role }).token;
    }
    tokens.unitField = server.tokens.create({ org: 'test', role: 'field', unit: 'u-7' }).token;
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  describe('sign-in', () => {
    it('answers /healthz without a token', async () => {
      expect(await call(`${url}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('401 without a token or with a bad or revoked one, as contract JSON', async () => {
      const none = await call(`${url}/api/picture`);
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), path: '' } });
      expect((await call(`${url}/api/picture`, { token: 'crd_wrong' })).status).toBe(401);
      const { token, record } = server.tokens.create({ org: 'test', role: 'viewer' });
      expect((await call(`${url}/api/picture`, { token })).status).toBe(200);
      server.tokens.revoke(record.id);
      expect((await call(`${url}/api/picture`, { token })).status).toBe(401);
    });

    it('403 for a role that may not, with every role able to read', async () => {
      const threat = { type: 'Feature', geometry: square(11.963, 57.701), properties: { severity: 'danger' } };
      const forbidden = await call(`${url}/api/threats`, { token: tokens.viewer, body: threat });
      expect(forbidden).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      expect((await call(`${url}/api/threats`, { token: tokens.field, body: threat })).status).toBe(403);
      expect((await call(`${url}/api/positions`, { token: tokens.analyst, body: { unitId: 'u1', lon: 11.96, lat: 57.7 } })).status).toBe(403);
      expect((await call(`${url}/api/convoys`, { token: tokens.analyst, body: { name: 'C', origin: [11.963, 57.701], destination: 'nearest-haven' } })).status).toBe(403);
      expect((await call(`${url}/api/havens`, { token: tokens.field, body: { name: 'H', lon: 11.96, lat: 57.7, capacity: 5, status: 'open' } })).status).toBe(403);
      // Planners draw zones and constraints as well as analysts (a closure heard from a convoy leader); not sites.
      expect((await call(`${url}/api/threats`, { token: tokens.planner, body: threat })).status).toBe(201);
      expect((await call(`${url}/api/sites`, { token: tokens.planner, body: { name: 'S', lon: 11.96, lat: 57.7, population: 5, date: '2026-11-21', source: 'test' } })).status).toBe(403);
      for (const role of ['field', 'planner', 'analyst', 'viewer']) {
        expect((await call(`${url}/api/picture`, { token: tokens[role] })).status).toBe(200);
        expect((await call(`${url}/api/route?from=11.963,57.701&to=11.969,57.704`, { token: tokens[role] })).status).toBe(200);
      }
    });

    it('a field token bound to a unit may report only for that unit', async () => {
      const ok = await call(`${url}/api/positions`, { token: tokens.unitField, body: { unitId: 'u-7', lon: 11.96, lat: 57.7 } });
      expect(ok.status).toBe(202);
      const other = await call(`${url}/api/positions`, {
        token: tokens.unitField,
        body: [{ unitId: 'u-7', lon: 11.96, lat: 57.7 }, { unitId: 'u-8', lon: 11.96, lat: 57.7 }],
      });
      expect(other).toMatchObject({ status: 403, body: { error: { code: 'forbidden', path: '[1].unitId' } } });
    });

    it('?token=T on a page sets an HttpOnly SameSite=Strict cookie and redirects without the token', async () => {
      const res = await call(`${url}/wall?lang=fr&token=${ADMIN}`);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/wall?lang=fr');
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const pair = cookie.split(';')[0];
      const page = await call(`${url}/wall?lang=fr`, { headers: { cookie: pair } });
      expect(page.status).toBe(200);
      expect(page.text).toContain('Corridor client');
      expect((await call(`${url}/api/picture`, { headers: { cookie: pair } })).status).toBe(200);
    });

    it("a convoy's paperwork pages are pages: a sign-in link keeps them, an id that is no id is nothing", async () => {
      const res = await call(`${url}/convoys/cv-1/notice?lang=ar&token=${ADMIN}`);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/convoys/cv-1/notice?lang=ar');
      const pair = res.headers.get('set-cookie')!.split(';')[0];
      for (const page of ['/convoys/cv-1/notice', '/convoys/cv-1/card']) {
        const got = await call(`${url}${page}`, { headers: { cookie: pair } });
        expect(got.status).toBe(200);
        expect(got.text).toContain('Corridor client');
      }
      // Not a convoy's page: the sign-in sends to the picture, and the path itself is nothing.
      expect((await call(`${url}/convoys/cv-1/other?token=${ADMIN}`)).headers.get('location')).toBe('/');
      expect((await call(`${url}/convoys/a%20b/card?token=${ADMIN}`)).headers.get('location')).toBe('/');
      expect((await call(`${url}/convoys/a%20b/card`, { headers: { cookie: pair } })).status).toBe(404);
    });

    it('serves the built client to a signed-in browser only', async () => {
      expect((await call(`${url}/app.js`, { token: tokens.viewer })).text).toBe('console.log(1)');
      expect((await call(`${url}/app.js`)).status).toBe(401);
      expect((await call(`${url}/corridor.db`, { token: ADMIN })).status).toBe(404);
    });

    it('a page without a token shows the sign-in page; a bad ?token says so', async () => {
      const page = await call(`${url}/`);
      expect(page.status).toBe(401);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.text).toContain('data-testid="sign-in"');
      const bad = await call(`${url}/field?token=nope`);
      expect(bad.status).toBe(401);
      expect(bad.text).toContain('not valid');
    });

    it("speaks the sign-in page in the browser's language, the one it chose, or the one the address names", async () => {
      const ar = await call(`${url}/`, { headers: { 'accept-language': 'de-DE,ar-IQ;q=0.8,en;q=0.5' } });
      expect(ar.text).toMatch(/<html lang="ar" dir="rtl">/);
      expect(ar.text).toContain(CATALOGUES.ar.signIn.intro);
      const chosen = await call(`${url}/wall`, { headers: { 'accept-language': 'ar', cookie: 'corridor_lang=es' } });
      expect(chosen.text).toMatch(/<html lang="es" dir="ltr">/);
      const named = await call(`${url}/?lang=fr&token=nope`, { headers: { cookie: 'corridor_lang=es' } });
      expect(named.text).toMatch(/<html lang="fr" dir="ltr">/);
      expect(named.text).toContain(CATALOGUES.fr.signIn.invalid);
      // An unknown language falls back to English, and the form carries ?lang= on to the page.
      const other = await call(`${url}/?lang=de`);
      expect(other.text).toMatch(/<html lang="en" dir="ltr">/);
      expect(other.text).toContain('name="lang" value="en"');
    });
  });

  describe('errors are contract JSON, never HTML', () => {
    it('bad JSON → 400 bad_json', async () => {
      const r = await call(`${url}/api/threats`, { token: ADMIN, raw: '{"type": "Feature",', headers: { 'content-type': 'application/json' } });
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'bad_json' } } });
    });

    it('P7: a body over 2 MiB → 413 payload_too_large', async () => {
      const r = await call(`${url}/api/positions`, { token: ADMIN, raw: JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
      expect(r).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    });

    it('unknown route → 404 not_found', async () => {
      const r = await call(`${url}/api/nothing-here`, { token: ADMIN });
      expect(r).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
    });

    it('invalid inputs name the field and change nothing', async () => {
      const before = (await call(`${url}/api/picture`, { token: ADMIN })).body.seq;
      const cases: Array<[string, unknown, string, string]> = [
        ['positions', { unitId: 'u1', lon: 11.96, lat: 91 }, 'invalid', 'lat'],
        ['positions', { unitId: 'u1', lon: 'NaN', lat: 57 }, 'invalid', 'lon'],
        ['positions', { unitId: 'u1', lon: null, lat: 57 }, 'invalid', 'lon'],
        ['positions', { lon: 11.96, lat: 57 }, 'invalid', 'unitId'],
        ['positions', [{ unitId: 'u1', lon: 11.96, lat: 57 }, { unitId: 'u2', lon: 11.96, lat: 95 }], 'invalid', '[1].lat'],
        ['positions', { unitId: 'u1', lon: 11.96, lat: 57, time: '2099-01-01T00:00:00Z' }, 'time_in_future', 'time'],
        ['threats', { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, properties: { severity: 'danger' } }, 'invalid_geometry', 'geometry.coordinates[0]'],
        ['threats', { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] }, properties: { severity: 'danger' } }, 'invalid_geometry', 'geometry.coordinates'],
        ['threats', { type: 'Feature', geometry: { type: 'Point', coordinates: [11.96, 57.7] }, properties: { severity: 'danger' } }, 'invalid', 'properties.radius_m'],
        ['havens', { name: 'H', lon: 11.96, lat: 57.7, capacity: -1, status: 'open' }, 'invalid', 'capacity'],
        ['convoys', { name: 'C', origin: [11.96], destination: 'nearest-haven' }, 'invalid', 'origin'],
      ];
      for (const [kind, body, code, p] of cases) {
        const r = await call(`${url}/api/${kind}`, { token: ADMIN, body });
        expect(r.status, `${kind} ${JSON.stringify(body)}`).toBe(400);
        expect(r.body.error, `${kind} ${JSON.stringify(body)}`).toMatchObject({ code, path: p, message: expect.any(String) });
      }
      expect((await call(`${url}/api/picture`, { token: ADMIN })).body.seq).toBe(before);
    });

    it('route parameters: from/to/alternatives/weight are checked and named', async () => {
      const q = async (query: string) => (await call(`${url}/api/route?${query}`, { token: ADMIN })).body.error;
      expect(await q('to=11.969,57.704')).toMatchObject({ code: 'invalid', path: 'from' });
      expect(await q('from=11.963;57.701&to=11.969,57.704')).toMatchObject({ code: 'invalid', path: 'from' });
      expect(await q('from=11.963,57.701&to=11.969,95')).toMatchObject({ code: 'invalid', path: 'to' });
      expect(await q('from=11.963,57.701&to=11.969,57.704&alternatives=-1')).toMatchObject({ code: 'invalid', path: 'alternatives' });
      expect(await q('from=11.963,57.701&to=11.969,57.704&alternatives=many')).toMatchObject({ code: 'invalid', path: 'alternatives' });
      expect(await q('from=11.963,57.701&to=11.969,57.704&weight=fuel')).toMatchObject({ code: 'invalid', path: 'weight' });
    });
  });

  describe('writes and reads', () => {
    it('positions: one or many, 202 with accepted and seq; a retried msgId is acked with the first seq (P8)', async () => {
      const one = await call(`${url}/api/positions`, { token: tokens.field, body: { unitId: 'u1', lon: 11.964, lat: 57.702, msgId: 'http-1' } });
      expect(one).toMatchObject({ status: 202, body: { accepted: 1, seq: expect.any(Number) } });
      const again = await call(`${url}/api/positions`, { token: tokens.field, body: { unitId: 'u1', lon: 11.964, lat: 57.702, msgId: 'http-1' } });
      expect(again.body.seq).toBe(one.body.seq);
      // Issue 9: the same msgId with other content is a conflict, not a false ack.
      const changed = await call(`${url}/api/positions`, { token: tokens.field, body: { unitId: 'u1', lon: 11.999, lat: 57.702, msgId: 'http-1' } });
      expect(changed).toMatchObject({ status: 409, body: { error: { code: 'conflict', path: 'msgId' } } });
      const many = await call(`${url}/api/positions`, {
        token: tokens.field,
        body: [{ unitId: 'u2', lon: 11.965, lat: 57.703 }, { unitId: 'u3', lon: 11.966, lat: 57.703, time: new Date(Date.now() - 5000).toISOString() }],
      });
      expect(many).toMatchObject({ status: 202, body: { accepted: 2 } });
      const picture = (await call(`${url}/api/picture`, { token: ADMIN })).body;
      expect(picture).toMatchObject({ seq: many.body.seq, staleAfterMs: 120_000 });
      expect(picture.picture.units.u1.lon).toBe(11.964);
      expect(Object.keys(picture.picture.units)).toEqual(expect.arrayContaining(['u1', 'u2', 'u3']));
    });

    it('threats: 201 {id, seq} with a tz- id; DELETE 200, unknown id 404', async () => {
      const created = await call(`${url}/api/threats`, {
        token: tokens.analyst,
        body: { type: 'Feature', geometry: { type: 'Point', coordinates: [11.969, 57.704] }, properties: { severity: 'no-go', radius_m: 50 } },
      });
      expect(created).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^tz-/), seq: expect.any(Number) } });
      const zone = server.store.picture.threats[created.body.id];
      expect(zone.area.type).toBe('Polygon');
      const blocked = await call(`${url}/api/route?from=11.963,57.701&to=11.969,57.704`, { token: tokens.planner });
      expect(blocked).toMatchObject({ status: 422, body: { error: { code: 'no_safe_route', blockedBy: [created.body.id] } } });
      const removed = await call(`${url}/api/threats/${created.body.id}`, { token: tokens.analyst, method: 'DELETE' });
      expect(removed).toMatchObject({ status: 200, body: { seq: created.body.seq + 1 } });
      const again = await call(`${url}/api/threats/${created.body.id}`, { token: tokens.analyst, method: 'DELETE' });
      expect(again).toMatchObject({ status: 404, body: { error: { code: 'not_found', path: 'id' } } });
    });

    it('route: a FeatureCollection of LineStrings with the contract properties, off_network as 422', async () => {
      const r = await call(`${url}/api/route?from=11.963,57.701&to=11.969,57.704&alternatives=1&weight=distance`, { token: tokens.viewer });
      expect(r.status).toBe(200);
      expect(r.body.type).toBe('FeatureCollection');
      expect(r.body.features).toHaveLength(2);
      expect(r.body.features[0].geometry.type).toBe('LineString');
      expect(Object.keys(r.body.features[0].properties)).toEqual(expect.arrayContaining(['distance_m', 'duration_s', 'exposure_m', 'min_clearance_m']));
      const off = await call(`${url}/api/route?from=10,50&to=11.969,57.704`, { token: tokens.viewer });
      expect(off).toMatchObject({ status: 422, body: { error: { code: 'off_network', path: 'from' } } });
    });

    it('havens, sites, flows, constraints and convoys: POST 201 with prefixed ids, DELETE 200', async () => {
      const posts: Array<[string, string, unknown, RegExp]> = [
        ['havens', tokens.planner, { name: 'School', lon: 11.965, lat: 57.703, capacity: 200, status: 'open' }, /^hv-/],
        ['sites', tokens.analyst, { name: 'Camp', lon: 11.965, lat: 57.703, population: 1200, date: '2026-11-01', source: 'DTM' }, /^st-/],
        ['flows', tokens.analyst, { from: [11.963, 57.701], to: [11.969, 57.704], people: 300, date: '2026-11-01', source: 'DTM' }, /^fl-/],
        [
          'constraints',
          tokens.analyst,
          { status: 'closed', category: 'hostilities', geometry: { type: 'LineString', coordinates: [[11.963, 57.701], [11.964, 57.702]] }, verifiedAt: new Date().toISOString(), verifiedBy: 'OCHA' },
          /^ac-/,
        ],
        ['convoys', tokens.planner, { name: 'Food run', origin: [11.963, 57.701], destination: [11.969, 57.704] }, /^cv-/],
      ];
      for (const [kind, token, body, prefix] of posts) {
        const r = await call(`${url}/api/${kind}`, { token, body });
        expect(r.status, kind).toBe(201);
        expect(r.body.id, kind).toMatch(prefix);
        if (kind !== 'convoys') {
          const d = await call(`${url}/api/${kind}/${r.body.id}`, { token, method: 'DELETE' });
          expect(d.status, kind).toBe(200);
        }
      }
    });

    it('an Idempotency-Key makes a POST retry answer the first id and seq', async () => {
      const body = { name: 'Clinic', lon: 11.966, lat: 57.703, capacity: 50, status: 'open' };
      const a = await call(`${url}/api/havens`, { token: tokens.planner, body, headers: { 'idempotency-key': 'k-1' } });
      const b = await call(`${url}/api/havens`, { token: tokens.planner, body, headers: { 'idempotency-key': 'k-1' } });
      expect(a.status).toBe(201);
      expect(b.status).toBe(200);
      expect(b.body).toEqual(a.body);
    });

    it('convoys carry their current corridor', async () => {
      await call(`${url}/api/convoys`, { token: tokens.planner, body: { id: 'cv-fixed', name: 'Water', origin: [11.963, 57.701], destination: [11.968, 57.703] } });
      await new Promise((r) => setTimeout(r, 100));
      const r = await call(`${url}/api/convoys`, { token: tokens.viewer });
      const convoy = r.body.convoys.find((c: { id: string }) => c.id === 'cv-fixed');
      expect(convoy).toMatchObject({ name: 'Water', state: 'planned', vehicleClass: '4wd', havenId: null, corridor: { type: 'FeatureCollection', status: 'ok' } });
      // The corridor reads as GET /api/route answers: LineStrings, best first, with the same properties.
      const [best] = convoy.corridor.features;
      expect(best.geometry.type).toBe('LineString');
      expect(best.geometry.coordinates.length).toBeGreaterThan(1);
      expect(Object.keys(best.properties).sort()).toEqual(['distance_m', 'duration_s', 'exposure_m', 'min_clearance_m', 'rank']);
      expect(best.properties.rank).toBe(0);
      expect(convoy.corridor.computedAt).toBe(new Date(convoy.corridor.computedMs).toISOString());
      const one = await call(`${url}/api/convoys/cv-fixed`, { token: tokens.viewer });
      expect(one.status).toBe(200);
      expect(one.body.convoy).toEqual(convoy);
      const missing = await call(`${url}/api/convoys/cv-nope`, { token: tokens.viewer });
      expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found', path: 'id' } } });
    });

    it('the audit trail lists events after a seq with who did what', async () => {
      const r = await call(`${url}/api/events?since=0&limit=5`, { token: tokens.viewer });
      expect(r.status).toBe(200);
      expect(r.body.events).toHaveLength(5);
      expect(r.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(r.body.events[0].actor).toMatchObject({ org: 'test', role: expect.any(String), tokenId: expect.stringMatching(/^tk-/) });
      expect((await call(`${url}/api/events?since=x`, { token: ADMIN })).body.error).toMatchObject({ path: 'since' });
    });
  });

  it('a restarted server has the same picture', async () => {
    const before = (await call(`${url}/api/picture`, { token: ADMIN })).body;
    await server.close();
    server = await startTestServer(tmp.dir);
    url = server.url;
    const after = (await call(`${url}/api/picture`, { token: ADMIN })).body;
    expect(after.seq).toBe(before.seq);
    expect(after.picture).toEqual(before.picture);
  });
});

// Imports and exports of displacement figures (issue 17) against a real server on port 0 under the
// exercise's sharing agreement: a dry run, a refusal with its report, an import of the readable rows as
// exactly one log event, the picture holding the sites, their previous figure after the next round,
// what an organisation of another kind may see of them, the HTTP errors (400, 403, 413), the exports
// read back, and `npm run import` against the server.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { EXERCISE_AGREEMENT_FILE, loadAgreement } from '../../server/sharing/agreement.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient, type Json } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATA = path.resolve(root, '../shared/data');
const run = promisify(execFile);
/** The largest import this server takes in the test, bytes (CORRIDOR_IMPORT_MAX_BYTES). */
const LIMIT = 4 * 1024 * 1024;

const ROUND_1 = [
  'Site,Latitude,Longitude,IDPs,Date,P-code',
  '#loc+name,#geo+lat,#geo+lon,#affected+idps+ind,#date+reported,#adm2+code',
  'Camp Alpha,18.55,-72.33,"1,200",2024-05-01,HT0111',
  'Camp Beta,18.56,-72.31,300,2024-05-01,HT0111',
  'Camp Gamma,95.00,-72.30,50,2024-05-01,HT0111',
  'Camp Delta,18.57,-72.29,abc,2024-05-01,HT0111',
].join('\n');
const ROUND_2 = ROUND_1.replace('"1,200",2024-05-01', '1500,2024-06-01').replace('300,2024-05-01', '280,2024-06-01');

describe('displacement import and export (issue 17)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let unhcr: string;
  let msf: string;
  let blueViewer: string;
  let wfpViewer: string;
  let unhcrViewer: string;
  /** When the first round was stored: the replay's picture at that moment holds it alone. */
  let round1Ms = 0;
  const post = (token: string, body: unknown) => call(`${url}/api/displacement/import`, { token, body });
  const events = async (token: string, since: number) => (await call(`${url}/api/events?since=${since}`, { token })).body.events as Json[];
  const seq = async () => (await call(`${url}/api/picture`, { token: server.adminToken })).body.seq as number;

  beforeAll(async () => {
    server = await startTestServer(tmp.dir, { importMaxBytes: LIMIT }, { agreement: loadAgreement(EXERCISE_AGREEMENT_FILE) });
    url = server.url;
    unhcr = server.tokens.create({ org: 'UNHCR', role: 'analyst' }).token;
    msf = server.tokens.create({ org: 'MSF', role: 'analyst' }).token;
    blueViewer = server.tokens.create({ org: 'BLUE-BDE', role: 'viewer' }).token;
    wfpViewer = server.tokens.create({ org: 'WFP', role: 'viewer' }).token;
    unhcrViewer = server.tokens.create({ org: 'UNHCR', role: 'viewer' }).token;
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('a dry run answers the columns, the guessed mapping, a preview and every unreadable row, and stores nothing', async () => {
    const before = await seq();
    const res = await post(unhcr, { name: 'round-1.csv', text: ROUND_1, dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body.format).toBe('csv');
    expect(res.body.hxlRow).toBe(2);
    expect(res.body.columns[0]).toEqual({ index: 0, header: 'Site', tag: '#loc+name' });
    expect(res.body.mapping).toEqual({ name: '#loc+name', lat: '#geo+lat', lon: '#geo+lon', population: '#affected+idps+ind', date: '#date+reported', pcode: '#adm2+code' });
    expect(res.body.preview).toEqual([
      expect.objectContaining({ row: 3, name: 'Camp Alpha', population: 1200, lat: 18.55, lon: -72.33, pcode: 'HT0111', placed: 'point' }),
      expect.objectContaining({ row: 4, name: 'Camp Beta', population: 300 }),
    ]);
    expect(res.body.errors).toEqual([
      { row: 5, field: 'lat', message: 'latitude 95.00 is outside -90 to 90' },
      { row: 6, field: 'population', message: '"abc" is not a number (column #affected+idps+ind)' },
    ]);
    expect(res.body.counts).toEqual({ rows: 4, sites: 2, flows: 0, skipped: 2, merged: 0 });
    expect(res.body.id).toBeUndefined();
    expect(await seq()).toBe(before);
  });

  it('refuses a file with unreadable rows whole (400 invalid_rows) with the same report, importing nothing', async () => {
    const before = await seq();
    const res = await post(unhcr, { name: 'round-1.csv', text: ROUND_1 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_rows', path: '' });
    expect(res.body.error.message).toContain('2 of 4 rows could not be read');
    expect(res.body.error.message).toContain('row 5 lat: latitude 95.00 is outside -90 to 90');
    expect(res.body.errors).toHaveLength(2);
    expect(res.body.preview).toHaveLength(2);
    expect(await seq()).toBe(before);
  });

  it('imports the readable rows with skipInvalid as exactly one event, and the picture holds the sites', async () => {
    const before = await seq();
    const watcher = await TestClient.connect(url, unhcrViewer);
    await watcher.next((m) => m.type === 'snapshot');
    const res = await post(unhcr, { name: 'round-1.csv', text: ROUND_1, skipInvalid: true });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^im-/);
    expect(res.body.seq).toBe(before + 1);
    expect(res.body.counts).toEqual({ rows: 4, sites: 2, flows: 0, skipped: 2, merged: 0 });
    const logged = await events(server.adminToken, before);
    expect(logged.map((e) => e.type)).toEqual(['sites.imported']);
    expect(logged[0].import).toEqual({ id: res.body.id, name: 'round-1.csv', by: 'UNHCR', rows: 4, sites: 2, flows: 0, skipped: 2 });
    expect(logged[0].actor).toMatchObject({ org: 'UNHCR', role: 'analyst' });
    round1Ms = logged[0].timeMs;
    const sites = Object.values((await call(`${url}/api/picture`, { token: unhcr })).body.picture.sites as Record<string, Json>);
    expect(sites.map((s) => [s.name, s.population, s.date, s.owner, s.marking])).toEqual(
      expect.arrayContaining([
        ['Camp Alpha', 1200, '2024-05-01', 'UNHCR', 'releasable-all'],
        ['Camp Beta', 300, '2024-05-01', 'UNHCR', 'releasable-all'],
      ]),
    );
    // Open maps get it as one event in a delta, in the server messages' schema.
    const delta = await watcher.next((m) => m.type === 'delta' && m.events.some((e: Json) => e.type === 'sites.imported'));
    expect(delta.events.find((e: Json) => e.type === 'sites.imported').sites).toHaveLength(2);
    await watcher.close();
  });

  it('P35: the next round updates the same sites, keeping the figure before as previous', async () => {
    const before = await seq();
    const res = await post(unhcr, { name: 'round-2.csv', text: ROUND_2, skipInvalid: true });
    expect(res.status).toBe(201);
    expect((await events(server.adminToken, before)).map((e) => e.type)).toEqual(['sites.imported']);
    const sites = Object.values((await call(`${url}/api/picture`, { token: unhcr })).body.picture.sites as Record<string, Json>);
    const alpha = sites.filter((s) => s.name === 'Camp Alpha');
    // The audit trail reads it: the import itself, and each site with its figure before and after.
    const trail = (await call(`${url}/api/audit?kind=import`, { token: server.adminToken })).body.rows as Json[];
    expect(trail.map((r) => r.after.name)).toEqual(['round-1.csv', 'round-2.csv']);
    const siteRows = (await call(`${url}/api/audit?kind=site&item=${alpha[0].id}`, { token: server.adminToken })).body.rows as Json[];
    expect(siteRows.map((r) => [r.type, r.before?.population ?? null, r.after.population])).toEqual([
      ['sites.imported', null, 1200],
      ['sites.imported', 1200, 1500],
    ]);
    expect(alpha).toHaveLength(1);
    expect(alpha[0]).toMatchObject({ population: 1500, date: '2024-06-01', previous: { population: 1200, date: '2024-05-01' } });
    expect(sites.find((s) => s.name === 'Camp Beta')).toMatchObject({ population: 280, previous: { population: 300, date: '2024-05-01' } });
    // The replay folds imports as the live picture does (P33): at the first round's moment, its figures.
    const past = await call(`${url}/api/picture?at=${new Date(round1Ms).toISOString()}`, { token: unhcr });
    expect(past.status).toBe(200);
    const then = past.body.picture.sites[alpha[0].id];
    expect(then).toMatchObject({ population: 1200, date: '2024-05-01' });
    expect(then.previous).toBeUndefined();
  });

  it('gives each organisation only what the agreement lets it see of an import, on every path out', async () => {
    const before = await seq();
    // MSF posts under its default marking, `humanitarian`: never to a military organisation.
    const text = ['name,lat,lon,total,date', 'MSF clinic camp,18.60,-72.20,640,2024-06-02'].join('\n');
    const res = await post(msf, { name: 'msf.csv', text });
    expect(res.status).toBe(201);
    const ofWfp = await events(wfpViewer, before);
    expect(ofWfp.map((e) => e.type)).toEqual(['sites.imported']);
    expect(ofWfp[0].sites[0]).toMatchObject({ name: 'MSF clinic camp', marking: 'humanitarian' });
    expect(await events(blueViewer, before)).toEqual([]);
    const bluePicture = JSON.stringify((await call(`${url}/api/picture`, { token: blueViewer })).body.picture.sites);
    expect(bluePicture).not.toContain('MSF clinic camp');
    expect(bluePicture).toContain('Camp Alpha');
    const blueCsv = (await call(`${url}/api/displacement/export.csv`, { token: blueViewer })).text;
    expect(blueCsv).not.toContain('MSF clinic camp');
    expect(blueCsv).toContain('Camp Alpha');
    const blueGeo = (await call(`${url}/api/displacement/export.geojson`, { token: blueViewer })).body;
    expect(blueGeo.features.map((f: Json) => f.properties.name)).not.toContain('MSF clinic camp');
    expect((await call(`${url}/api/displacement/export.csv`, { token: wfpViewer })).text).toContain('MSF clinic camp');
  });

  it('exports the sites as HXL-tagged CSV and GeoJSON that the import reads back as the same sites', async () => {
    const csv = await call(`${url}/api/displacement/export.csv`, { token: wfpViewer });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    // UTF-8 with a byte-order mark, so a spreadsheet opens it as UTF-8 (fetch's text() drops the mark).
    const raw = new Uint8Array(await (await fetch(`${url}/api/displacement/export.csv`, { headers: { authorization: `Bearer ${wfpViewer}` } })).arrayBuffer());
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe('name,id,lat,lon,population,date,pcode,admin,kind,placed,source,previous_population,previous_date,owner,updated');
    expect(lines[1]).toBe('#loc+name,#loc+code,#geo+lat,#geo+lon,#affected+idps+ind,#date+reported,#adm+code,#adm+name,#loc+type,#meta+placed,#meta+source,#affected+idps+ind+previous,#date+reported+previous,#org+code,#date+updated');
    const picture = (await call(`${url}/api/picture`, { token: wfpViewer })).body.picture.sites as Record<string, Json>;
    const back = await post(unhcr, { name: 'export.csv', text: csv.text, dryRun: true });
    expect(back.status).toBe(200);
    expect(back.body.counts.sites).toBe(Object.keys(picture).length);
    for (const p of back.body.preview as Json[]) expect(picture[p.id]).toMatchObject({ name: p.name, population: p.population, date: p.date, lat: p.lat, lon: p.lon });
    const geo = await call(`${url}/api/displacement/export.geojson`, { token: wfpViewer });
    expect(geo.headers.get('content-type')).toContain('application/geo+json');
    expect(geo.body.type).toBe('FeatureCollection');
    expect(geo.body.features.every((f: Json) => f.geometry.type === 'Point' && f.geometry.coordinates.length === 2)).toBe(true);
    const geoBack = await post(unhcr, { name: 'export.geojson', text: geo.text, dryRun: true });
    expect(geoBack.body.counts.sites).toBe(Object.keys(picture).length);
    const flows = await call(`${url}/api/displacement/flows.csv`, { token: wfpViewer });
    expect(flows.text.split('\r\n')[1]).toBe('#meta+id,#geo+lat+origin,#geo+lon+origin,#geo+lat,#geo+lon,#affected+idps+ind,#date+reported,#meta+source,#org+code,#date+updated');
  });

  it('reads a large file on the import thread and imports it whole', async () => {
    const rows = ['name,lat,lon,total,date'];
    for (let i = 0; i < 3000; i++) rows.push(`Settlement number ${i},${(18 + i / 10_000).toFixed(5)},${(-72 - i / 10_000).toFixed(5)},${100 + i},2024-06-03`);
    const text = rows.join('\n');
    expect(text.length).toBeGreaterThan(64 * 1024);
    const before = await seq();
    const res = await post(unhcr, { name: 'big.csv', text });
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ rows: 3000, sites: 3000, skipped: 0 });
    expect((await events(server.adminToken, before)).map((e) => [e.type, e.sites.length])).toEqual([['sites.imported', 3000]]);
  });

  it('takes an import as a WebSocket command too, a retry of its msgId acknowledged with its first seq (P8)', async () => {
    const ws = await TestClient.connect(url, unhcr, { stream: 'none' });
    const cmd = { type: 'sites.import', msgId: 'imp-1', import: { name: 'ws.json', rows: 1, skipped: 0 }, sites: [{ id: 'st-ws-1', name: 'WS site', lon: -72.1, lat: 18.4, population: 9, date: '2024-06-05', source: 'ws' }] };
    const ack = await ws.request(cmd);
    expect(ack.type).toBe('ack');
    expect((await ws.request(cmd)).seq).toBe(ack.seq);
    const twice = await ws.request({ ...cmd, msgId: 'imp-2', sites: [cmd.sites[0], cmd.sites[0]] });
    expect(twice).toMatchObject({ type: 'error', code: 'invalid', path: 'sites[1].id' });
    const viewerWs = await TestClient.connect(url, unhcrViewer, { stream: 'none' });
    expect(await viewerWs.request({ ...cmd, msgId: 'imp-3' })).toMatchObject({ type: 'error', code: 'forbidden' });
    await Promise.all([ws.close(), viewerWs.close()]);
  });

  it('answers what is wrong with a request: 400 with the field, 403 for a role that may not post sites, 413 beyond the limit', async () => {
    const bad = await call(`${url}/api/displacement/import`, { token: unhcr, raw: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_json');
    expect((await post(unhcr, { text: 'a' })).body.error).toMatchObject({ code: 'invalid', path: 'name' });
    const noPopulation = await post(unhcr, { name: 'x.csv', text: 'name,lat,lon,date\nA,1,2,2024-01-01' });
    expect(noPopulation.status).toBe(400);
    expect(noPopulation.body.error).toMatchObject({ code: 'invalid', path: 'mapping.population' });
    expect(noPopulation.body.columns).toHaveLength(4);
    const noBoundaries = await post(unhcr, { name: 'x.csv', text: 'name,pcode,total,date\nA,HT01,5,2024-01-01' });
    expect(noBoundaries.body.error).toMatchObject({ path: 'boundaries' });
    const unknownColumn = await post(unhcr, { name: 'x.csv', text: 'name,lat,lon,total,date\nA,1,2,5,2024-01-01', mapping: { population: 'people' } });
    expect(unknownColumn.body.error).toMatchObject({ path: 'mapping.population', message: expect.stringContaining('no column "people"') });
    const viewer = await post(unhcrViewer, { name: 'x.csv', text: 'name,lat,lon,total,date\nA,1,2,5,2024-01-01' });
    expect(viewer.status).toBe(403);
    const huge = await post(unhcr, { name: 'huge.csv', text: 'x'.repeat(LIMIT + 1000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatchObject({ code: 'payload_too_large' });
    expect(huge.body.error.message).toContain(`${LIMIT} bytes`);
    expect(huge.body.error.message).toContain('CORRIDOR_IMPORT_MAX_BYTES');
    // The server still serves.
    expect((await call(`${url}/healthz`)).body.status).toBe('ok');
  });

  it('is not crashed by hostile bodies: each is answered 4xx and the server goes on serving', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const hostile: Array<[string, string]> = [
      ['boundaries nested 200,000 deep', `{"name":"a.csv","text":"adm,total,date\\nHT01,5,2024-01-01","mapping":{"pcode":"adm"},"boundaries":{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ADM1_PCODE":"HT01"},"geometry":{"type":"Polygon","coordinates":${deep}}}]}}`],
      ['a body nested 200,000 deep', deep],
      ['bytes that are not UTF-8', `{"name":"a.csv","text":"\u0000\uFFFF\uD800"}`],
      ['a quote never closed over 1 MB', JSON.stringify({ name: 'a.csv', text: `name,total\n"${'x'.repeat(1_000_000)}` })],
      ['2,000 columns', JSON.stringify({ name: 'a.csv', text: `${Array.from({ length: 2000 }, (_, i) => `c${i}`).join(',')}\n1` })],
      ['records that are not objects', JSON.stringify({ name: 'a.json', text: '[1, "x", null, [2]]' })],
      ['a mapping of __proto__', JSON.stringify({ name: 'a.csv', text: 'name,lat,lon,total,date\nA,1,2,3,2024-01-01', mapping: JSON.parse('{"__proto__":"name"}') })],
      ['boundaries whose polygons are not coordinates', JSON.stringify({ name: 'a.csv', text: 'adm,total,date\nHT01,5,2024-01-01', mapping: { pcode: 'adm' }, boundaries: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { ADM1_PCODE: 'HT01' }, geometry: { type: 'Polygon', coordinates: [['a', 'b']] } }] } })],
    ];
    for (const [what, raw] of hostile) {
      const res = await call(`${url}/api/displacement/import`, { token: unhcr, raw, headers: { 'content-type': 'application/json' } });
      expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, what).toBeLessThan(500);
      expect(res.body.error.message.length, what).toBeGreaterThan(0);
    }
    expect((await call(`${url}/healthz`)).body.status).toBe('ok');
    expect((await post(unhcr, { name: 'ok.csv', text: 'name,lat,lon,total,date\nAfter,1,2,3,2024-01-01', dryRun: true })).status).toBe(200);
  });

  describe('npm run import', () => {
    const cli = (...args: string[]) =>
      run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'server/cli/import.ts'), ...args], { cwd: root, env: { ...process.env, CORRIDOR_ADMIN_TOKEN: '' } }).then(
        (r) => ({ code: 0, ...r }),
        (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
      );
    let file: string;
    beforeAll(() => {
      file = path.join(tmp.dir, 'round-3.csv');
      writeFileSync(file, ROUND_1.replace(/2024-05-01/g, '2024-07-01'));
    });

    it('prints the mapping, a preview, the upload and the rows it could not read, and exits 1 on refusal', async () => {
      const r = await cli(file, '--url', url, '--token', unhcr);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('population   ← #affected+idps+ind');
      expect(r.stdout).toMatch(/Preview \(first 2 readable rows\)/);
      expect(r.stdout).toMatch(/row +5 {2}lat: latitude 95.00 is outside -90 to 90/);
      expect(r.stdout).toContain('Refused (400 invalid_rows)');
      expect(r.stderr).toMatch(/Uploading [\d.]+ MB \/ [\d.]+ MB \(100%\)/);
    });

    it('imports with --skip-invalid, exits 0 on a dry run and on an import, 2 without a token', async () => {
      const dry = await cli(file, '--url', url, '--token', unhcr, '--dry-run', '--map', 'name=P-code');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('name         ← #adm2+code');
      expect(dry.stdout).toContain('Dry run: nothing was imported.');
      const before = await seq();
      const done = await cli(file, '--url', url, '--token', unhcr, '--skip-invalid');
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/Imported as im-\S+ \(one event, seq \d+\): 2 sites, 0 flows/);
      expect((await events(server.adminToken, before)).map((e) => e.type)).toEqual(['sites.imported']);
      const none = await cli(file, '--url', url);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('a token is required');
    });

    it.skipIf(!existsSync(DATA))('places the IOM DTM API admin-2 figures of Haiti on the adm2 boundaries: 139 sites (needs ../shared/data: absent, skipped)', async () => {
      const before = await seq();
      const r = await cli(path.join(DATA, 'haiti-port-au-prince/iom-dtm-api-hti-admin2.json'), '--url', url, '--token', unhcr, '--boundaries', path.join(DATA, 'haiti-port-au-prince/hti_admbnda_adm2_cnigs_20181129_dv.json'));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain("P-codes joined on the boundaries' ADM2_PCODE.");
      const [e] = await events(server.adminToken, before);
      expect(e.type).toBe('sites.imported');
      expect(e.sites).toHaveLength(139);
      expect(e.sites.every((s: Json) => s.placed === 'area' && /^st-HT\d{4}$/.test(s.id))).toBe(true);
    });
  });
});

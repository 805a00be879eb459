// The after-action replay over HTTP (issue 16), on a real server with a real SQLite log and real
// sockets: the picture recorded live at several moments is what `GET /api/picture?at=` gives for those
// moments afterwards (same seq, the same picture), across the replay's checkpoints; a viewer whose
// sharing policy withholds items does not get them in a past picture nor in the exports; the exports'
// contents; playback with `until`; and bad input answered with the field it is about.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyPicture, type PictureEvent } from '@corridor/protocol';
import type { SharingPolicy } from '../../server/out/outbox.js';
import { historyFile, HistoryStore } from '../../server/replay/history-store.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, type Json } from './helpers.js';

/** Civil staff (org `ngo`) see neither the `mil-` units nor zones from `sigint`; everyone else sees all. */
const hiddenUnit = (id: string) => id.startsWith('mil-');
const CIVIL_ONLY: SharingPolicy = {
  audienceOf: (r) => (r.org === 'ngo' ? 'civil' : r.role === 'admin' ? 'admin' : 'all'),
  seesAll: (audience) => audience !== 'civil',
  picture: (_a, p) => ({
    ...p,
    units: Object.fromEntries(Object.entries(p.units).filter(([id]) => !hiddenUnit(id))),
    threats: Object.fromEntries(Object.entries(p.threats).filter(([, z]) => z.source !== 'sigint')),
  }),
  event: (_a, e): PictureEvent | undefined => {
    if (e.type === 'threat.upserted') return e.zone.source === 'sigint' ? undefined : e;
    if (e.type === 'threat.removed') return e.id === sigintId ? undefined : e;
    if (e.type !== 'position.reported') return e;
    const units = e.units.filter((u) => !hiddenUnit(u.unitId));
    return units.length === 0 ? undefined : units.length === e.units.length ? e : { ...e, units };
  },
  zones: (_a, ids, picture) => ids.filter((id) => picture.threats[id]?.source !== 'sigint'),
};
let sigintId = '';

const zone = (source: string, label: string, lon: number) => ({
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: [[[lon, 57.7005], [lon + 0.002, 57.7005], [lon + 0.002, 57.7025], [lon, 57.7025], [lon, 57.7005]]] },
  properties: { severity: 'danger', source, label },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();

describe('replay over HTTP (issue 16)', () => {
  const tmp = tempDir();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let admin: string;
  let civil: string;
  /** What the live picture was at each recorded moment, for the administrator and for civil staff. */
  const moments: Array<{ atMs: number; admin: Json; civil: Json }> = [];
  /** Each unit's fixes as posted, in order. */
  const posted: Record<string, Array<[number, number]>> = {};

  const get = (path: string, token = admin) => call(`${server.url}${path}`, { token });
  const post = async (path: string, body: unknown, expected: number) => {
    const r = await call(`${server.url}${path}`, { token: admin, body });
    expect(r.status, `${path}: ${r.text}`).toBe(expected);
    return r.body as Json;
  };
  const positions = async (round: number) => {
    const reports = ['mil-1', 'ngo-1', 'ngo-2'].map((unitId, i) => ({ unitId, lon: 11.963 + round * 0.0005 + i * 0.001, lat: 57.701 + i * 0.0005 }));
    for (const r of reports) (posted[r.unitId] ??= []).push([r.lon, r.lat]);
    await post('/api/positions', reports, 202);
  };
  /** Waits for the server to settle (reactors' answers stored), then records the live pictures. */
  const record = async () => {
    await server.store.idle();
    await sleep(5);
    const atMs = Date.now();
    const [a, c] = await Promise.all([get('/api/picture'), get('/api/picture', civil)]);
    expect(a.status).toBe(200);
    moments.push({ atMs, admin: a.body, civil: c.body });
    // The next event is stored strictly later than this moment.
    await sleep(5);
  };

  beforeAll(async () => {
    // A checkpoint every 4 events, so the seeks below start from checkpoints and fold across them.
    server = await startTestServer(tmp.dir, { historyEvery: 4 }, { sharing: CIVIL_ONLY });
    admin = server.adminToken;
    civil = server.tokens.create({ org: 'ngo', role: 'viewer' }).token;
    await record();
    await positions(0);
    await record();
    sigintId = (await post('/api/threats', zone('sigint', 'reported ambush', 11.9625), 201)).id;
    await post('/api/threats', zone('ocha', 'shelling', 11.966), 201);
    await record();
    await post('/api/convoys', { id: 'cv-replay', name: 'Convoy replay', origin: [11.9632, 57.7012], destination: [11.9682, 57.7042] }, 201);
    await positions(1);
    await record();
    for (let round = 2; round < 6; round++) await positions(round);
    await record();
    expect((await call(`${server.url}/api/threats/${sigintId}`, { token: admin, method: 'DELETE' })).status).toBe(200);
    await positions(6);
    await record();
    await positions(7);
    await record();
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('gives, for each recorded moment, the picture that was live then (same seq, same picture), across checkpoints', async () => {
    const history = new HistoryStore(historyFile(tmp.dir), { readonly: true });
    const checkpoints = history.count();
    const firstCheckpoint = history.atOrBeforeSeq(moments[moments.length - 2].admin.seq)?.seq ?? 0;
    history.close();
    // Seeks below start from checkpoints, not only from the start of the log.
    expect(checkpoints).toBeGreaterThan(1);
    expect(firstCheckpoint).toBeGreaterThan(0);
    const seqs = moments.map((m) => m.admin.seq);
    expect(new Set(seqs).size).toBe(moments.length);
    for (const m of moments) {
      const r = await get(`/api/picture?at=${encodeURIComponent(iso(m.atMs))}`);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ seq: m.admin.seq, at: iso(m.atMs), atMs: m.atMs, live: false, staleAfterMs: m.admin.staleAfterMs });
      expect(typeof r.body.serverTimeMs).toBe('number');
      expect(r.body.picture).toEqual(m.admin.picture);
    }
    // Moments between the recorded ones: the picture of the last one before (nothing was stored in between).
    const between = await get(`/api/picture?at=${iso(moments[3].atMs + 2)}`);
    expect(between.body.seq).toBe(moments[3].admin.seq);
  });

  it('withholds from a viewer what its sharing policy withholds, in past pictures as live', async () => {
    for (const m of moments) {
      const r = await get(`/api/picture?at=${iso(m.atMs)}`, civil);
      expect(r.status).toBe(200);
      expect(r.body.seq).toBe(m.civil.seq);
      expect(r.body.picture).toEqual(m.civil.picture);
      expect(Object.keys(r.body.picture.units).filter(hiddenUnit)).toEqual([]);
      expect(Object.values(r.body.picture.threats).map((z: any) => z.source)).not.toContain('sigint');
    }
    // The administrator's past picture did hold them (the test would pass vacuously otherwise).
    const full = (await get(`/api/picture?at=${iso(moments[4].atMs)}`)).body.picture;
    expect(Object.keys(full.units)).toContain('mil-1');
    expect(Object.keys(full.threats)).toContain(sigintId);
  });

  it('gives the empty picture at seq 0 before the first event, and the live picture at or after now', async () => {
    const before = await get('/api/picture?at=2000-01-01T00:00:00Z');
    expect(before.body).toMatchObject({ seq: 0, live: false, atMs: Date.UTC(2000, 0, 1) });
    expect(before.body.picture).toEqual(JSON.parse(JSON.stringify(emptyPicture())));
    const future = await get(`/api/picture?at=${iso(Date.now() + 3_600_000)}`);
    expect(future.body).toMatchObject({ seq: server.store.seq, live: true });
    expect(future.body.picture).toEqual((await get('/api/picture')).body.picture);
  });

  it('gives the slider its bounds, and plays the log back up to a moment with until', async () => {
    const range = (await get('/api/replay/range')).body;
    expect(range).toMatchObject({ firstSeq: 1, lastSeq: server.store.seq });
    expect(range.firstMs).toBeGreaterThan(moments[0].atMs);
    expect(range.firstMs).toBeLessThanOrEqual(moments[1].atMs);
    expect(range.lastMs).toBeLessThanOrEqual(Date.now());
    const upTo = moments[3];
    const played = await get(`/api/events?since=${moments[1].admin.seq}&until=${iso(upTo.atMs)}&limit=10000`);
    expect(played.status).toBe(200);
    expect(played.body.untilSeq).toBe(upTo.admin.seq);
    const seqs = played.body.events.map((e: Json) => e.seq);
    expect(seqs[0]).toBe(moments[1].admin.seq + 1);
    expect(seqs[seqs.length - 1]).toBe(upTo.admin.seq);
    expect(played.body.events.every((e: Json) => e.timeMs <= upTo.atMs)).toBe(true);
    // The civil viewer's playback leaves the withheld unit out.
    const civilPlayed = (await get(`/api/events?since=0&until=${iso(upTo.atMs)}`, civil)).body.events as Json[];
    expect(civilPlayed.flatMap((e) => (e.type === 'position.reported' ? e.units.map((u: Json) => u.unitId) : [])).some(hiddenUnit)).toBe(false);
    expect(civilPlayed.length).toBeGreaterThan(0);
    // The list beside the timeline reads the facts alone: positions left out by the server, which says where it stopped.
    const all = (await get(`/api/events?since=0&limit=10000`)).body.events as Json[];
    const facts = (await get(`/api/events?since=0&limit=10000&skip=position.reported,convoy.tracked`)).body;
    expect(facts.events.map((e: Json) => e.seq)).toEqual(all.filter((e) => e.type !== 'position.reported' && e.type !== 'convoy.tracked').map((e) => e.seq));
    expect(facts.scannedTo).toBe(server.store.seq);
    const two = (await get(`/api/events?since=0&limit=2&skip=position.reported`)).body;
    expect(two.events).toHaveLength(2);
    expect(two.scannedTo).toBe(two.events[1].seq);
  });

  it('exports a window as CSV: one line per item changed, as the audience may see it', async () => {
    const from = iso(moments[0].atMs);
    const to = iso(moments[moments.length - 1].atMs);
    const r = await call(`${server.url}/api/replay/events.csv?from=${from}&to=${to}`, { token: admin });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/attachment; filename="corridor-events-.*\.csv"/);
    const raw = Buffer.from(await (await fetch(`${server.url}/api/replay/events.csv?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${admin}` } })).arrayBuffer());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(r.text).toContain('\r\n');
    const rows = parse(r.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['seq', 'time', 'type', 'kind', 'item', 'org', 'role', 'summary']);
    const fixes = rows.filter((x) => x.type === 'position.reported');
    expect(fixes.filter((x) => x.item === 'mil-1').length).toBe(posted['mil-1'].length);
    expect(fixes[0]).toMatchObject({ kind: 'unit', org: 'admin', role: 'admin' });
    const r5 = (x: number) => Math.round(x * 1e5) / 1e5;
    expect(fixes.find((x) => x.item === 'ngo-1')!.summary).toBe(`${r5(posted['ngo-1'][0][0])} ${r5(posted['ngo-1'][0][1])}`);
    expect(rows.some((x) => x.type === 'threat.upserted' && x.item === sigintId && x.summary === 'danger reported ambush')).toBe(true);
    expect(rows.some((x) => x.type === 'corridor.recomputed' && x.kind === 'convoy' && x.item === 'cv-replay')).toBe(true);
    // Every line's seq within the window, in order.
    const seqs = rows.map((x) => Number(x.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[seqs.length - 1]).toBe(moments[moments.length - 1].admin.seq);

    const civilRows = parse((await get(`/api/replay/events.csv?from=${from}&to=${to}`, civil)).text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(civilRows.filter((x) => x.item === 'mil-1' || x.item === sigintId)).toEqual([]);
    expect(civilRows.filter((x) => x.item === 'ngo-1').length).toBe(posted['ngo-1'].length);
  });

  it('exports a window as GeoJSON trips: each unit through its fixes in time order, each corridor as it stood', async () => {
    const from = iso(moments[0].atMs);
    const to = iso(moments[moments.length - 1].atMs);
    const r = await get(`/api/replay/tracks.geojson?from=${from}&to=${to}`);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(r.body.type).toBe('FeatureCollection');
    const unit = (id: string) => r.body.features.find((f: Json) => f.properties.unitId === id);
    for (const id of ['mil-1', 'ngo-1', 'ngo-2']) {
      const f = unit(id);
      expect(f.geometry.type).toBe('LineString');
      const coords = f.geometry.coordinates as number[][];
      expect(coords.map(([lon, lat]) => [lon, lat])).toEqual(posted[id]);
      for (const c of coords) {
        expect(c).toHaveLength(4);
        expect(c[2]).toBe(0);
        expect(c[3]).toBeGreaterThan(moments[0].atMs / 1000);
        expect(c[3]).toBeLessThanOrEqual(moments[moments.length - 1].atMs / 1000);
      }
      const times = coords.map((c) => c[3]);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    const corridors = r.body.features.filter((f: Json) => f.properties.kind === 'corridor');
    expect(corridors.length).toBeGreaterThan(0);
    for (const c of corridors) {
      expect(c.properties).toMatchObject({ convoyId: 'cv-replay', convoyName: 'Convoy replay' });
      expect(c.geometry.coordinates.every((p: number[]) => p.length === 4 && p[3] === c.properties.validFromMs / 1000)).toBe(true);
    }
    // Each corridor stands until the next one of its convoy.
    for (let i = 0; i + 1 < corridors.length; i++) expect(corridors[i].properties.validToMs).toBe(corridors[i + 1].properties.validFromMs);
    expect(corridors[corridors.length - 1].properties.validToMs).toBeNull();

    const civilTracks = (await get(`/api/replay/tracks.geojson?from=${from}&to=${to}`, civil)).body;
    const ids = civilTracks.features.map((f: Json) => f.properties.unitId).filter(Boolean);
    expect(ids.sort()).toEqual(['ngo-1', 'ngo-2']);
    // A window of one moment with no events: no features.
    expect((await get(`/api/replay/tracks.geojson?from=${iso(moments[0].atMs)}&to=${iso(moments[0].atMs)}`)).body.features).toEqual([]);
  });

  it('answers bad input with 400 and the field it is about', async () => {
    const now = Date.now();
    const cases: Array<[string, string]> = [
      ['/api/picture?at=yesterday', 'at'],
      ['/api/picture?at=2026-13-45T00:00:00Z', 'at'],
      ['/api/picture?at=2026-12-06', 'at'],
      ['/api/picture?at=', 'at'],
      ['/api/events?since=0&until=soon', 'until'],
      ['/api/events?since=0&skip=positions', 'skip'],
      ['/api/events?since=0&skip=position.reported,position.reported', 'skip'],
      ['/api/replay/events.csv?to=2026-12-06T10:00:00Z', 'from'],
      ['/api/replay/events.csv?from=2026-12-06T10:00:00Z', 'to'],
      [`/api/replay/events.csv?from=${iso(now)}&to=${iso(now - 1000)}`, 'from'],
      [`/api/replay/tracks.geojson?from=${iso(now - 25 * 3_600_000)}&to=${iso(now)}`, 'to'],
      ['/api/replay/tracks.geojson?from=2026-12-06T10:00:00Z&to=later', 'to'],
    ];
    for (const [path, field] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatchObject({ code: 'invalid', path: field });
      expect(r.body.error.message.length, path).toBeGreaterThan(10);
    }
    // Without a token: refused like every read.
    expect((await call(`${server.url}/api/replay/range`)).status).toBe(401);
    // A window of exactly 24 h is allowed.
    expect((await get(`/api/replay/events.csv?from=${iso(now - 24 * 3_600_000)}&to=${iso(now)}`)).status).toBe(200);
  });
});

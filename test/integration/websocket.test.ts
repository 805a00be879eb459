// Integration tests of /ws against a real server on a random port with real sockets: snapshot then
// deltas (P4), ack after commit (P3), retries (P8), bad input of every kind (P5, P6, P7), resume by
// resync, a slow client cut off while a fast one keeps receiving (P10), send-only sockets (P13), and
// fixes as rows (P14).
import { SqliteEventLog, databaseFile } from '../../server/log/event-log.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir, waitFor } from '../server/helpers.js';
import { call, startTestServer, TestClient, type Json } from './helpers.js';
import { WS_MAX_PAYLOAD } from '../../server/net/ws-adapter.js';
import { MAX_MESSAGE_BYTES } from '@corridor/protocol';

const ADMIN = 'admin-token-for-tests-0123456789';

describe('WebSocket /ws', () => {
  const tmp = tempDir();
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer(tmp.dir, { clientBufferBytes: 256 * 1024 });
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('refuses an upgrade without a valid token with 401', async () => {
    await expect(TestClient.connect(server.url)).rejects.toThrow(/401/);
    await expect(TestClient.connect(server.url, 'crd_bad')).rejects.toThrow(/401/);
  });

  it('accepts the session cookie instead of ?token', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers: { cookie: `corridor_session=${ADMIN}` } });
    const first = await new Promise<Json>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(d.toString())));
      ws.once('error', reject);
    });
    expect(first.type).toBe('snapshot');
    ws.close();
  });

  it('P3/P4: snapshot first; ack after the event is on disk; other clients get it in a delta', async () => {
    const a = await TestClient.connect(server.url, ADMIN);
    const b = await TestClient.connect(server.url, ADMIN);
    const snap = await b.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ seq: expect.any(Number), staleAfterMs: 120_000, picture: { units: expect.any(Object) } });
    expect(a.received[0].type).toBe('snapshot');
    const ack = await a.request({ type: 'position', msgId: 'ws-1', unitId: 'w1', lon: 11.965, lat: 57.702 });
    expect(ack).toEqual({ type: 'ack', msgId: 'ws-1', seq: snap.seq + 1 });
    // Durable: another connection to the database sees the msgId at once.
    const other = new SqliteEventLog(databaseFile(tmp.dir));
    expect((await other.lookupMsgId('tk:tk-admin', 'ws-1'))?.seq).toBe(ack.seq);
    await other.close();
    const delta = await b.next((m) => m.type === 'delta' && m.seq >= ack.seq);
    expect(delta.since).toBe(snap.seq);
    const fix = delta.events.find((e: Json) => e.seq === ack.seq);
    expect(fix).toMatchObject({ type: 'position.reported', units: [{ unitId: 'w1' }] });
    // P12: the live stream carries the fix, not who reported it; the audit trail keeps that.
    expect(fix.msgId).toBeUndefined();
    expect(fix.actor).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('P8: a retry with the same msgId is acked with the first seq and stored once', async () => {
    const c = await TestClient.connect(server.url, ADMIN);
    const first = await c.request({ type: 'position', msgId: 'retry-1', unitId: 'w2', lon: 11.965, lat: 57.702 });
    c.received.length = 0; // each request's answer carries the same msgId: look only at what comes next
    const second = await c.request({ type: 'position', msgId: 'retry-1', unitId: 'w2', lon: 11.965, lat: 57.702 });
    expect(second).toEqual(first);
    // Issue 9: the same msgId with other content is a conflict, not a false ack, and stores nothing.
    c.received.length = 0;
    const changed = await c.request({ type: 'position', msgId: 'retry-1', unitId: 'w2', lon: 11.968, lat: 57.702 });
    expect(changed).toMatchObject({ type: 'error', code: 'conflict', path: 'msgId', msgId: 'retry-1' });
    expect(server.store.picture.units.w2.lon).toBe(11.965);
    const events = (await call(`${server.url}/api/events?since=0&limit=10000`, { token: ADMIN })).body.events;
    expect(events.filter((e: Json) => e.msgId === 'retry-1')).toHaveLength(1);
    await c.close();
  });

  it('P5/P6/P7: every kind of bad message gets code and path, the connection stays open, state unchanged', async () => {
    const c = await TestClient.connect(server.url, ADMIN);
    await c.next((m) => m.type === 'snapshot');
    const seqBefore = server.store.seq;
    const unclosed = { type: 'Polygon', coordinates: [[[11.96, 57.7], [11.97, 57.7], [11.97, 57.705], [11.96, 57.705]]] };
    const bowtie = { type: 'Polygon', coordinates: [[[11.96, 57.7], [11.97, 57.705], [11.97, 57.7], [11.96, 57.705], [11.96, 57.7]]] };
    const cases: Array<[string, unknown, string, string]> = [
      ['missing field', { type: 'position', msgId: 'b1', lon: 11.96, lat: 57.7 }, 'invalid', 'unitId'],
      ['wrong type', { type: 'position', msgId: 'b2', unitId: 'u', lon: '11.96', lat: 57.7 }, 'invalid', 'lon'],
      ['lat > 90', { type: 'position', msgId: 'b3', unitId: 'u', lon: 11.96, lat: 91 }, 'invalid', 'lat'],
      ['NaN as string', { type: 'position', msgId: 'b4', unitId: 'u', lon: 'NaN', lat: 57.7 }, 'invalid', 'lon'],
      ['NaN as null', { type: 'position', msgId: 'b5', unitId: 'u', lon: 11.96, lat: null }, 'invalid', 'lat'],
      ['far-future time', { type: 'position', msgId: 'b6', unitId: 'u', lon: 11.96, lat: 57.7, time: '2999-01-01T00:00:00Z' }, 'time_in_future', 'time'],
      ['unknown type', { type: 'teleport', msgId: 'b7' }, 'unknown_type', 'type'],
      ['unknown field', { type: 'position', msgId: 'b8', unitId: 'u', lon: 11.96, lat: 57.7, altitude: 3 }, 'invalid', 'altitude'],
      ['unclosed polygon', { type: 'threat.upsert', msgId: 'b9', feature: { type: 'Feature', geometry: unclosed, properties: { severity: 'no-go' } } }, 'invalid_geometry', 'feature.geometry.coordinates[0]'],
      ['self-intersecting polygon', { type: 'threat.upsert', msgId: 'b10', feature: { type: 'Feature', geometry: bowtie, properties: { severity: 'no-go' } } }, 'invalid_geometry', 'feature.geometry.coordinates'],
      ['batch with one bad report', { type: 'positions', msgId: 'b11', reports: [{ unitId: 'ok', lon: 11.96, lat: 57.7 }, { unitId: 'bad', lon: 181, lat: 57.7 }] }, 'invalid', 'reports[1].lon'],
      ['remove unknown id', { type: 'threat.remove', msgId: 'b12', id: 'tz-none' }, 'not_found', 'id'],
    ];
    for (const [what, message, code, path] of cases) {
      const answer = await c.request(message as Json);
      expect(answer, what).toMatchObject({ type: 'error', msgId: (message as Json).msgId, code, path, message: expect.any(String) });
    }
    c.send('{"type":"position", "msgId": "b13",');
    expect(await c.next((m) => m.type === 'error' && m.code === 'bad_json')).toMatchObject({ msgId: 'b13', path: '' });
    c.send('[1,2,3]');
    expect(await c.next((m) => m.type === 'error' && m.code === 'invalid' && m.message.includes('JSON object'))).toBeTruthy();
    c.ws.send(Buffer.from([0xff, 0xfe, 0x00]));
    expect(await c.next((m) => m.type === 'error' && m.code === 'bad_json' && m.msgId === undefined)).toBeTruthy();
    // P7: over 2 MiB and up to WS_MAX_PAYLOAD (2.25 MiB) the message is read, refused and the socket stays open.
    const huge = JSON.stringify({ type: 'positions', msgId: 'b14', reports: [{ unitId: 'u', lon: 11.96, lat: 57.7, callsign: 'x'.repeat(MAX_MESSAGE_BYTES + 100_000) }] });
    c.send(huge);
    expect(await c.next((m) => m.msgId === 'b14', 15_000)).toMatchObject({ type: 'error', code: 'payload_too_large' });
    // Still open and answering; nothing was stored.
    c.send({ type: 'ping', msgId: 'p1' });
    expect(await c.next((m) => m.type === 'pong' && m.msgId === 'p1')).toMatchObject({ serverTimeMs: expect.any(Number) });
    expect(server.store.seq).toBe(seqBefore);
    expect(server.store.picture.units.ok).toBeUndefined();
    await c.close();
  });

  it('P7: a message over WS_MAX_PAYLOAD (2.25 MiB) is not read: the socket is closed with 1009, the server goes on', async () => {
    const c = await TestClient.connect(server.url, ADMIN, { stream: 'none' });
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.on('error', () => {});
    c.send(JSON.stringify({ type: 'ping', msgId: 'x', pad: 'x'.repeat(WS_MAX_PAYLOAD) }));
    expect(await closed).toBe(1009);
    const d = await TestClient.connect(server.url, ADMIN, { stream: 'none' });
    expect(await d.request({ type: 'ping', msgId: 'after' }).catch(() => d.next((m) => m.type === 'pong'))).toMatchObject({ msgId: 'after' });
    await d.close();
  });

  it('403 forbidden for a role that may not send a command', async () => {
    const viewer = server.tokens.create({ org: 'test', role: 'viewer' }).token;
    const c = await TestClient.connect(server.url, viewer);
    const answer = await c.request({ type: 'threat.remove', msgId: 'f1', id: 'tz-1' });
    expect(answer).toMatchObject({ type: 'error', code: 'forbidden', path: 'type' });
    await c.close();
  });

  it('a client that reconnects resumes from its last seq with resync', async () => {
    const writer = await TestClient.connect(server.url, ADMIN);
    const reader = await TestClient.connect(server.url, ADMIN);
    await writer.request({ type: 'position', msgId: 'r-1', unitId: 'r1', lon: 11.965, lat: 57.702 });
    await waitFor(() => reader.seq() >= server.store.seq, 3000, 'reader caught up');
    const last = reader.seq();
    await reader.close();
    const acks = [];
    for (let i = 2; i <= 4; i++) acks.push(await writer.request({ type: 'position', msgId: `r-${i}`, unitId: 'r1', lon: 11.965 + i / 1000, lat: 57.702 }));
    const back = await TestClient.connect(server.url, ADMIN);
    await back.next((m) => m.type === 'snapshot');
    back.received.length = 0;
    back.send({ type: 'resync', since: last });
    const delta = await back.next((m) => m.type === 'delta' && m.since === last);
    // The three fixes it missed, in order; consecutive fixes travel as one event with the last seq (P12).
    expect(delta.events.map((e: Json) => e.seq)).toEqual([acks[2].seq]);
    expect(delta.events[0].units.map((u: Json) => u.lon)).toEqual([11.967, 11.968, 11.969]);
    expect(delta.seq).toBe(acks[2].seq);
    await Promise.all([writer.close(), back.close()]);
  });

  it('P13: a socket opened with stream=none gets acks and errors but no snapshot, frames or resync', async () => {
    const uplink = await TestClient.connect(server.url, ADMIN, { stream: 'none' });
    const map = await TestClient.connect(server.url, ADMIN);
    await map.next((m) => m.type === 'snapshot');
    const ack = await uplink.request({ type: 'position', msgId: 'up-1', unitId: 'up1', lon: 11.965, lat: 57.702 });
    expect(ack).toEqual({ type: 'ack', msgId: 'up-1', seq: expect.any(Number) });
    const bad = await uplink.request({ type: 'position', msgId: 'up-2', unitId: 'up1', lon: 11.965, lat: 91 });
    expect(bad).toMatchObject({ type: 'error', code: 'invalid', path: 'lat' });
    uplink.send({ type: 'resync', since: 0 });
    const resync = await uplink.next((m) => m.type === 'error' && m.msgId === undefined);
    expect(resync).toMatchObject({ type: 'error', code: 'invalid', path: 'type' });
    expect(resync.message).toMatch(/stream=none/);
    // The map client gets the fix in a frame; by then the uplink would have had that frame too.
    await map.next((m) => m.type === 'delta' && m.seq >= ack.seq);
    await new Promise((r) => setTimeout(r, 120));
    expect(uplink.received.map((m) => m.type)).toEqual(['ack', 'error', 'error']);
    await Promise.all([uplink.close(), map.close()]);
  });

  it('P13: refuses an upgrade with an unknown stream value with 400', async () => {
    await expect(TestClient.connect(server.url, ADMIN, { stream: 'everything' })).rejects.toThrow(/400/);
  });

  it('P14: a socket opened with fixes=rows gets position events as rows, the same fixes an objects socket gets', async () => {
    const rows = await TestClient.connect(server.url, ADMIN, { fixes: 'rows' });
    const objects = await TestClient.connect(server.url, ADMIN);
    await Promise.all([rows.next((m) => m.type === 'snapshot'), objects.next((m) => m.type === 'snapshot')]);
    const sent = new Date(Date.now() - 1500).toISOString();
    const first = await rows.request({ type: 'position', msgId: 'row-1', unitId: 'row1', lon: 11.9651, lat: 57.7021, time: sent, heading: 45 });
    const named = await rows.request({ type: 'position', msgId: 'row-2', unitId: 'row2', lon: 11.9652, lat: 57.7022, callsign: 'ROMEO 2' });
    expect([first.type, named.type]).toEqual(['ack', 'ack']);
    const fixesOf = async (client: TestClient, key: 'fixes' | 'units') => {
      await client.next((m) => m.type === 'delta' && m.seq >= named.seq);
      const events = client.received.filter((m) => m.type === 'delta').flatMap((m) => m.events as Json[]);
      return events.filter((e) => e.type === 'position.reported' && e.seq >= first.seq).map((e) => ({ timeMs: e.timeMs, list: e[key] as Json[] }));
    };
    const asRows = await fixesOf(rows, 'fixes');
    const asObjects = await fixesOf(objects, 'units');
    const row = asRows.flatMap(({ timeMs, list }) => list.map((f) => ({ timeMs, f }))).find(({ f }) => Array.isArray(f) && f[0] === 'row1');
    expect(row).toBeDefined();
    const unit = asObjects.flatMap(({ list }) => list).find((u) => u.unitId === 'row1')!;
    // [unitId, lon, lat, time, seen, heading] with times relative to the event's time.
    expect(row!.f).toEqual(['row1', 11.9651, 57.7021, unit.timeMs - row!.timeMs, unit.seenMs - row!.timeMs, 45]);
    expect(unit.timeMs).toBe(Date.parse(sent));
    // A fix that names a callsign travels whole.
    expect(asRows.flatMap(({ list }) => list)).toContainEqual(asObjects.flatMap(({ list }) => list).find((u) => u.unitId === 'row2'));
    await Promise.all([rows.close(), objects.close()]);
  });

  it('P14: refuses an upgrade with an unknown fixes value with 400', async () => {
    await expect(TestClient.connect(server.url, ADMIN, { fixes: 'columns' })).rejects.toThrow(/400/);
  });

  it('P10: a client that stops reading gets resync-required and a snapshot later; a fast client keeps receiving', async () => {
    const writer = await TestClient.connect(server.url, ADMIN);
    const fast = await TestClient.connect(server.url, ADMIN);
    const slow = await TestClient.connect(server.url, ADMIN);
    await slow.next((m) => m.type === 'snapshot');
    // Stop reading: the kernel buffers fill, then the server's user-space buffer grows past 256 KiB.
    const socket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    const pad = 'p'.repeat(60);
    // 60 acked batches of 500 reports: about 5 MB of frames, far beyond the socket buffers. Every
    // report is of a unit of its own, so frames cannot shrink by merging fixes (P4), however the
    // commits happen to fall into frames.
    for (let sent = 0; sent < 60; sent++) {
      const reports = Array.from({ length: 500 }, (_, i) => ({ unitId: `s${sent}-${i}`, lon: 11.96 + sent / 10_000, lat: 57.7, callsign: pad }));
      const ack = await writer.request({ type: 'positions', msgId: `slow-${sent}`, reports }, 10_000);
      expect(ack.type).toBe('ack');
    }
    // The fast client saw every frame up to the last ack.
    await waitFor(() => fast.seq() >= server.store.seq, 5000, 'fast client up to date');
    socket.resume();
    const required = await slow.next((m) => m.type === 'resync-required', 15_000);
    expect(required.seq).toBeGreaterThan(0);
    const fresh = await slow.next((m) => m.type === 'snapshot' && m.seq >= required.seq, 15_000);
    expect(fresh.picture.units['s59-499']).toBeDefined();
    const types = slow.received.map((m) => m.type);
    expect(types.indexOf('resync-required')).toBeLessThan(types.lastIndexOf('snapshot'));
    await Promise.all([writer.close(), fast.close(), slow.close()]);
  });
});

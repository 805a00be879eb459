// Unit tests of server/core/store.ts on a temp SQLite log: group commit, ack after commit (P3), retries
// (P8), all-or-nothing (P5), the router hook, expiry, and replay = live state (fast-check property).
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEvents } from '@corridor/protocol';
import type { Command } from '../../server/core/commands.js';
import { ExpiryReactor } from '../../server/core/expiry.js';
import { CommandError, PictureStore, type StoreOptions } from '../../server/core/store.js';
import { FileSnapshotStore, snapshotDir } from '../../server/log/snapshot-store.js';
import { InlineRouting } from '../../server/routing-service.js';
import { healthOf } from '../../server/net/http/app.js';
import { databaseFile, SqliteEventLog, ThreadedSqliteEventLog, type AppendEntry, type EventLog } from '../../server/log/event-log.js';
import { emptyPicture, routesKey, type CorridorUpdate, type PictureEvent } from '@corridor/protocol';
import type { Reactor } from '../../server/core/reactor.js';
import { FakeEngine, silentLogger, tempDir, waitFor } from './helpers.js';

const actor = { tokenId: 'tk-1', org: 'unhcr', role: 'admin' };
/** The submitter of these tests: the actor above, with its token's msgId scope (P8). */
const by = { actor, scope: 'tk:tk-1' };
const pos = (unitId: string, lon: number, msgId?: string): Command => ({ type: 'position', unitId, lon, lat: 57.7, msgId });

/**
 * The store's options as the server sets them (expiry, and the router when an engine is given), with
 * snapshots in the test's folder.
 */
function options(dir: string, extra: Partial<StoreOptions> & { log: EventLog; engine?: FakeEngine }): StoreOptions {
  const { engine, ...rest } = extra;
  return {
    snapshots: new FileSnapshotStore(snapshotDir(dir)),
    logger: silentLogger,
    reactors: [...(engine ? [new InlineRouting(engine).reactor] : []), new ExpiryReactor()],
    ...rest,
  };
}

/** Wraps a log to count commits and optionally fail them. */
class CountingLog implements EventLog {
  appends = 0;
  fail = false;
  constructor(private readonly inner: EventLog) {}
  lastSeq = () => this.inner.lastSeq();
  append(entries: readonly AppendEntry[], timeMs: number) {
    this.appends++;
    if (this.fail) return Promise.reject(new Error('disk full'));
    return this.inner.append(entries, timeMs);
  }
  readSince = (since: number, limit: number) => this.inner.readSince(since, limit);
  lookupMsgId = (scope: string, id: string) => this.inner.lookupMsgId(scope, id);
  follow = (since: number, listener: Parameters<EventLog['follow']>[1]) => this.inner.follow(since, listener);
  probe = () => this.inner.probe();
  close = () => this.inner.close();
}

/** Wraps a log so the test decides when each commit runs (in order) and whether it fails. */
class GatedLog extends CountingLog {
  readonly held: Array<{ types: string[]; run(fail?: boolean): void }> = [];
  constructor(inner: EventLog) {
    super(inner);
  }
  override append(entries: readonly AppendEntry[], timeMs: number) {
    this.appends++;
    return new Promise<Awaited<ReturnType<EventLog['append']>>>((resolve, reject) => {
      this.held.push({
        types: entries.map((e) => e.event.type),
        run: (fail) => (fail ? reject(new Error('disk full')) : super.append(entries, timeMs).then(resolve, reject)),
      });
    });
  }
}

describe('PictureStore', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir();
    file = databaseFile(tmp.dir);
  });
  afterEach(() => tmp.cleanup());

  const open = async (extra: Partial<StoreOptions> & { engine?: FakeEngine } = {}) => {
    const log = new CountingLog(new SqliteEventLog(file));
    const store = await PictureStore.open(options(tmp.dir, { log, ...extra }));
    return { log, store };
  };

  it('P3: groups commands arriving together into one transaction and acks each with its seq', async () => {
    const { log, store } = await open();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.submit(pos(`u${i}`, 11 + i / 1000), by)));
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(log.appends).toBe(1);
    expect(Object.keys(store.picture.units)).toHaveLength(100);
    await store.close();
  });

  it('P1: stamps never run backwards when the clock is stepped back, in one run and across a restart', async () => {
    let clock = 1_000_000;
    const first = await open({ now: () => clock });
    await first.store.submit(pos('u1', 11.9), by);
    clock -= 60_000; // the clock corrected backwards by a minute
    await first.store.submit(pos('u1', 11.91), by);
    await first.store.close();
    const { store } = await open({ now: () => clock });
    await store.submit(pos('u1', 11.92), by);
    clock += 120_000;
    await store.submit(pos('u1', 11.93), by);
    const times = (await store.readSince(0, 10)).map((r) => (JSON.parse(r.json) as { timeMs: number }).timeMs);
    expect(times).toEqual([1_000_000, 1_000_000, 1_000_000, 1_060_000]);
    await store.close();
  });

  it('P3: the ack comes after the event is readable from the file by another connection', async () => {
    const { store } = await open();
    const { seq } = await store.submit(pos('u1', 11.9, 'm-1'), by);
    const other = new SqliteEventLog(file);
    expect((await other.lookupMsgId('tk:tk-1', 'm-1'))?.seq).toBe(seq);
    expect((await other.readSince(0, 10)).map((r) => r.seq)).toEqual([seq]);
    await other.close();
    await store.close();
  });

  it('P8: a retried msgId gets the original seq and is stored once, in flight or after commit', async () => {
    const { store } = await open();
    const [a, b] = await Promise.all([store.submit(pos('u1', 11.9, 'm-1'), by), store.submit(pos('u1', 11.9, 'm-1'), by)]);
    const c = await store.submit(pos('u1', 11.9, 'm-1'), by);
    expect(a).toEqual({ seq: 1, duplicate: false });
    expect(b).toEqual({ seq: 1, duplicate: true });
    expect(c).toEqual({ seq: 1, duplicate: true });
    expect(store.picture.units.u1.lon).toBe(11.9);
    expect(await store.readSince(0, 10)).toHaveLength(1);
    await store.close();
  });

  it('P8 (issue 9): a msgId reused for other content is a conflict, in flight or after commit, and stores nothing', async () => {
    const { store } = await open();
    const haven = { name: 'School', lon: 11.96, lat: 57.7, capacity: 10, status: 'open' as const };
    const [a, b] = await Promise.allSettled([store.submit(pos('u1', 11.9, 'm-1'), by), store.submit(pos('u1', 11.95, 'm-1'), by)]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { seq: 1, duplicate: false } });
    expect(b).toMatchObject({ status: 'rejected', reason: { error: { code: 'conflict', path: 'msgId' } } });
    await expect(store.submit(pos('u1', 11.99, 'm-1'), by)).rejects.toMatchObject({ error: { code: 'conflict' } });
    // Another kind of message with the same msgId is other content too (looked up before queueing).
    await expect(store.submit({ type: 'haven.upsert', haven, msgId: 'm-1' }, by)).rejects.toMatchObject({ error: { code: 'conflict' } });
    const h = store.submit({ type: 'haven.upsert', haven, msgId: 'h-1' }, by);
    await expect(store.submit({ type: 'haven.upsert', haven: { ...haven, capacity: 11 }, msgId: 'h-1' }, by)).rejects.toMatchObject({ error: { code: 'conflict' } });
    expect(await h).toMatchObject({ duplicate: false });
    expect(await store.readSince(0, 10)).toHaveLength(2);
    expect(store.picture.units.u1.lon).toBe(11.9);
    await store.close();
  });

  it('P8 (issue 9): msgIds are each sender\'s own: the same msgId from two senders stores both', async () => {
    const { store } = await open();
    const other = { actor: { tokenId: 'tk-2', org: 'wfp', role: 'field' }, scope: 'tk:tk-2' };
    const a = await store.submit(pos('u1', 11.9, '1'), by);
    const b = await store.submit(pos('u2', 11.8, '1'), other);
    expect(b.seq).toBe(a.seq + 1);
    expect(b.duplicate).toBe(false);
    expect(store.picture.units.u2.lon).toBe(11.8);
    // Each sender's retry still finds its own first copy.
    expect(await store.submit(pos('u2', 11.8, '1'), other)).toEqual({ seq: b.seq, duplicate: true });
    await store.close();
  });

  it('P8: a position retry arriving while the first copy commits on the writer thread gets the first seq; other content a conflict', async () => {
    const store = await PictureStore.open(options(tmp.dir, { log: await ThreadedSqliteEventLog.open(file) }));
    const first = store.submit(pos('u1', 11.9, 'm-1'), by);
    await new Promise((r) => setImmediate(r)); // the group commit holding `first` is now under way
    expect(store.backlog).toBe(1);
    const retry = store.submit(pos('u1', 11.9, 'm-1'), by);
    const changed = store.submit(pos('u1', 11.95, 'm-1'), by);
    expect(store.backlog).toBe(3);
    expect(await first).toEqual({ seq: 1, duplicate: false });
    expect(await retry).toEqual({ seq: 1, duplicate: true });
    await expect(changed).rejects.toMatchObject({ error: { code: 'conflict', path: 'msgId' } });
    expect(store.backlog).toBe(0);
    expect(await store.readSince(0, 10)).toHaveLength(1);
    expect(store.picture.units.u1.lon).toBe(11.9);
    await store.close();
  });

  it('P8: an HTTP batch stores only its reports with unknown msgIds; one reused for other content refuses the batch', async () => {
    const { store } = await open();
    await store.submit({ type: 'positions', reports: [{ unitId: 'a', lon: 1, lat: 1, msgId: 'r1' }] }, by);
    const again = await store.submit(
      {
        type: 'positions',
        reports: [
          { unitId: 'a', lon: 1, lat: 1, msgId: 'r1' },
          { unitId: 'b', lon: 3, lat: 3, msgId: 'r2' },
        ],
      },
      by,
    );
    expect(again).toEqual({ seq: 2, duplicate: false });
    const [row] = await store.readSince(1, 1);
    expect((JSON.parse(row.json) as Extract<PictureEvent, { type: 'position.reported' }>).units.map((u) => u.unitId)).toEqual(['b']);
    expect(store.picture.units.a.lon).toBe(1);
    const all = await store.submit({ type: 'positions', reports: [{ unitId: 'b', lon: 3, lat: 3, msgId: 'r2' }] }, by);
    expect(all).toEqual({ seq: 2, duplicate: true });
    const reused = store.submit(
      {
        type: 'positions',
        reports: [
          { unitId: 'c', lon: 5, lat: 5, msgId: 'r3' },
          { unitId: 'b', lon: 4, lat: 4, msgId: 'r2' },
        ],
      },
      by,
    );
    await expect(reused).rejects.toMatchObject({ error: { code: 'conflict', path: 'reports[1].msgId' } });
    expect(store.picture.units.c).toBeUndefined();
    expect(await store.readSince(0, 10)).toHaveLength(2);
    // One msgId twice in a batch: the same report is one report, two different ones a conflict (issue 9).
    const twice = { unitId: 'd', lon: 6, lat: 6, msgId: 'r4' };
    expect(await store.submit({ type: 'positions', reports: [twice, { ...twice }] }, by)).toEqual({ seq: 3, duplicate: false });
    const [stored] = await store.readSince(2, 1);
    expect((JSON.parse(stored.json) as Extract<PictureEvent, { type: 'position.reported' }>).units).toHaveLength(1);
    await expect(store.submit({ type: 'positions', reports: [{ ...twice, msgId: 'r5' }, { unitId: 'e', lon: 7, lat: 7, msgId: 'r5' }] }, by)).rejects.toMatchObject({
      error: { code: 'conflict', path: 'reports[1].msgId' },
    });
    expect(store.picture.units.e).toBeUndefined();
    await store.close();
  });

  it('hands position batches to the log before earlier ones are durable, but nothing after other kinds; all settle in seq order', async () => {
    const log = new GatedLog(new SqliteEventLog(file));
    const store = await PictureStore.open(options(tmp.dir, { log }));
    const tick = () => new Promise((r) => setImmediate(r));
    const acks: number[] = [];
    const track = (p: Promise<{ seq: number }>) => p.then((r) => (acks.push(r.seq), r.seq));
    const a = track(store.submit(pos('u1', 11.9, 'p-1'), by));
    await tick();
    const b = track(store.submit(pos('u2', 11.91, 'p-2'), by));
    await tick();
    expect(log.held.map((h) => h.types)).toEqual([['position.reported'], ['position.reported']]);
    const haven = { id: 'hv-1', name: 'Ullevi', lon: 11.98, lat: 57.71, capacity: 100, status: 'open' as const };
    const c = track(store.submit({ type: 'haven.upsert', haven, msgId: 'h-1' }, by));
    // Its msgId is looked up in the log first (P8, asynchronously): then it is handed over.
    await waitFor(() => log.held.length === 3, 2000, 'the haven handed over');
    const d = track(store.submit(pos('u1', 11.92, 'p-3'), by));
    await tick();
    // The haven went out behind the fixes; the fix after it waits until the haven is durable.
    expect(log.held.map((h) => h.types)).toEqual([['position.reported'], ['position.reported'], ['haven.upserted']]);
    expect(store.backlog).toBe(4);
    log.held[0].run();
    log.held[1].run();
    expect(await a).toBe(1);
    expect(await b).toBe(2);
    // The haven is still being committed, not yet in the picture: its removal is accepted, not not_found.
    expect(store.picture.havens['hv-1']).toBeUndefined();
    const e = track(store.submit({ type: 'haven.remove', id: 'hv-1', msgId: 'h-2' }, by));
    log.held[2].run();
    expect(await c).toBe(3);
    await waitFor(() => log.held.length === 4, 2000, 'what waited behind the haven handed over');
    expect(log.held[3].types).toEqual(['position.reported', 'haven.removed']);
    log.held[3].run();
    expect(await d).toBe(4);
    expect(await e).toBe(5);
    expect(acks).toEqual([1, 2, 3, 4, 5]);
    expect(store.picture.units.u1.lon).toBe(11.92);
    expect(store.picture.havens['hv-1']).toBeUndefined();
    await store.idle();
    await store.close();
  });

  it('P5: a failed position batch refuses only its own updates; the batch behind it is stored with the next seq', async () => {
    const log = new GatedLog(new SqliteEventLog(file));
    const store = await PictureStore.open(options(tmp.dir, { log }));
    const first = store.submit(pos('u1', 11.9, 'f-1'), by);
    await new Promise((r) => setImmediate(r));
    const second = store.submit(pos('u2', 11.95, 'f-2'), by);
    await new Promise((r) => setImmediate(r));
    expect(log.held).toHaveLength(2);
    log.held[0].run(true);
    await expect(first).rejects.toMatchObject({ error: { code: 'unavailable' } });
    log.held[1].run();
    expect((await second).seq).toBe(1);
    expect(Object.keys(store.picture.units)).toEqual(['u2']);
    await store.close();
  });

  it('P5: a failed commit refuses every command of the group and changes nothing', async () => {
    const { log, store } = await open();
    await store.submit(pos('u1', 11.9), by);
    log.fail = true;
    const results = await Promise.allSettled([store.submit(pos('u1', 12), by), store.submit(pos('u2', 12), by)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(((r as PromiseRejectedResult).reason as CommandError).error.code).toBe('unavailable');
    }
    expect(store.picture.units.u1.lon).toBe(11.9);
    expect(store.picture.units.u2).toBeUndefined();
    expect(store.seq).toBe(1);
    // Issue 9: health says so while commits fail, with the reason, and clears once one succeeds.
    expect(store.failing).toMatchObject({ failures: 1, reason: 'disk full' });
    expect(healthOf(store)).toEqual({ status: 'degraded', reasons: [expect.stringMatching(/event log cannot be written .*1 failed commits.*disk full/)] });
    log.fail = false;
    expect((await store.submit(pos('u2', 12), by)).seq).toBe(2);
    expect(store.failing).toBeUndefined();
    expect(healthOf(store)).toEqual({ status: 'ok' });
    await store.close();
  });

  it('refuses the removal of an unknown id, but sees an upsert queued just before it', async () => {
    const { store } = await open();
    await expect(store.submit({ type: 'haven.remove', id: 'hv-x' }, by)).rejects.toMatchObject({ error: { code: 'not_found' } });
    const haven = { id: 'hv-1', name: 'School', lon: 1, lat: 2, capacity: 10, status: 'open' as const };
    const [up, down, twice] = await Promise.allSettled([
      store.submit({ type: 'haven.upsert', haven }, by),
      store.submit({ type: 'haven.remove', id: 'hv-1' }, by),
      store.submit({ type: 'haven.remove', id: 'hv-1' }, by),
    ]);
    expect(up.status).toBe('fulfilled');
    expect(down.status).toBe('fulfilled');
    expect(twice.status).toBe('rejected');
    expect(store.picture.havens['hv-1']).toBeUndefined();
    await store.close();
  });

  it('calls the router after a routing batch and appends its corridors under the system actor', async () => {
    const engine = new FakeEngine();
    const { store } = await open({ engine });
    await store.submit(pos('u1', 11.9), by);
    expect(engine.calls.filter((c) => c.kind === 'onEvents')).toHaveLength(0);
    const { seq } = await store.submit(
      { type: 'convoy.upsert', convoy: { id: 'cv-1', name: 'Food', origin: [11.963, 57.701], destination: [11.969, 57.704] } },
      by,
    );
    await waitFor(() => store.picture.corridors['cv-1'] !== undefined, 2000, 'corridor');
    const rows = await store.readSince(seq, 10);
    const event = JSON.parse(rows[0].json) as PictureEvent;
    expect(event).toMatchObject({ seq: seq + 1, type: 'corridor.recomputed', actor: { tokenId: 'system' } });
    // Called once, for the convoy batch; not for positions, nor for its own corridor events.
    expect(engine.calls.filter((c) => c.kind === 'onEvents').map((c) => c.types)).toEqual([['convoy.upserted']]);
    await store.close();
  });

  it('appends a corridor whose routes did not change as a figures-only refresh, and folds it (P11)', async () => {
    const engine = new FakeEngine();
    const { store } = await open({ engine });
    const { seq } = await store.submit(
      { type: 'convoy.upsert', convoy: { id: 'cv-1', name: 'Food', origin: [11.963, 57.701], destination: [11.969, 57.704] } },
      by,
    );
    await waitFor(() => store.picture.corridors['cv-1'] !== undefined, 2000, 'corridor');
    const whole = store.picture.corridors['cv-1'];
    // The fake engine answers a zone change with the same route and a new reason.
    const zone = await store.submit(
      { type: 'threat.upsert', feature: { type: 'Feature', geometry: { type: 'Point', coordinates: [11.9, 57.6] }, properties: { id: 'tz-1', severity: 'danger', radius_m: 100 } } },
      by,
    );
    await waitFor(() => store.picture.corridors['cv-1']?.reason === 'zones changed', 2000, 'refresh');
    const rows = await store.readSince(seq, 10);
    const events = rows.map((r) => JSON.parse(r.json) as PictureEvent);
    expect(events.map((e) => e.type)).toEqual(['corridor.recomputed', 'threat.upserted', 'corridor.refreshed']);
    expect(events[2]).toMatchObject({ seq: zone.seq + 1, refresh: { convoyId: 'cv-1', clearance: [null], reason: 'zones changed' }, actor: { tokenId: 'system' } });
    expect(store.picture.corridors['cv-1'].routes).toEqual(whole.routes);
    await store.close();
  });

  it('takes a router thread\'s refresh when the picture holds the routes it was made against, and the whole corridor otherwise', async () => {
    const engine = new FakeEngine();
    // Stands for the routing thread: answers each zone with the update it is handed.
    let next: CorridorUpdate | undefined;
    const thread: Reactor = { name: 'thread', types: new Set(['threat.upserted']), onCommitted: () => ({ updates: next ? [next] : [] }) };
    const { store } = await open({ reactors: [new InlineRouting(engine).reactor, thread] });
    await store.submit({ type: 'convoy.upsert', convoy: { id: 'cv-1', name: 'Food', origin: [11.963, 57.701], destination: [11.969, 57.704] } }, by);
    await waitFor(() => store.picture.corridors['cv-1'] !== undefined, 2000, 'corridor');
    const held = store.picture.corridors['cv-1'];
    const figures = (reason: string) => ({ convoyId: 'cv-1', clearance: [42], reason, computedMs: 7 });
    const other = { ...held, routes: held.routes.map((r) => ({ ...r, coordinates: [...r.coordinates].reverse() as [number, number][] })), reason: 'other routes' };
    const zone = (id: string) => ({ type: 'threat.upsert', feature: { type: 'Feature', geometry: { type: 'Point', coordinates: [11.9, 57.6] }, properties: { id, severity: 'danger', radius_m: 100 } } }) as Command;

    // Made against the routes the picture holds: appended as the refresh, without reading the text.
    next = { convoyId: 'cv-1', json: 'not read', refresh: { refresh: figures('refreshed'), basis: routesKey(held) } };
    const a = await store.submit(zone('tz-a'), by);
    await waitFor(() => store.picture.corridors['cv-1'].reason === 'refreshed', 2000, 'refresh');
    expect(store.picture.corridors['cv-1'].routes.map((r) => r.min_clearance_m)).toEqual([42]);
    expect(store.picture.corridors['cv-1'].routes[0].coordinates).toEqual(held.routes[0].coordinates);

    // Made against routes the picture does not hold (an append of the router's was lost): the whole corridor.
    next = { convoyId: 'cv-1', json: JSON.stringify(other), refresh: { refresh: figures('stale refresh'), basis: routesKey(other) } };
    await store.submit(zone('tz-b'), by);
    await waitFor(() => store.picture.corridors['cv-1'].reason === 'other routes', 2000, 'whole corridor');
    expect(store.picture.corridors['cv-1'].routes[0].coordinates).toEqual(other.routes[0].coordinates);
    const types = (await store.readSince(a.seq, 20)).map((r) => r.type).filter((t) => t.startsWith('corridor.'));
    expect(types).toEqual(expect.arrayContaining(['corridor.refreshed', 'corridor.recomputed']));
    await store.close();
  });

  it('calls engine.init after replay and appends the corridors it returns', async () => {
    const first = await open();
    await first.store.submit(
      { type: 'convoy.upsert', convoy: { id: 'cv-1', name: 'Food', origin: [11.963, 57.701], destination: [11.969, 57.704] } },
      by,
    );
    await first.store.close();
    const engine = new FakeEngine();
    const { store } = await open({ engine });
    expect(engine.calls[0]).toEqual({ kind: 'init', types: [], seq: 1 });
    expect(store.picture.corridors['cv-1']?.reason).toBe('initial');
    expect(store.seq).toBe(2);
    await store.close();
  });

  it('removes a threat zone when validUntil passes, with reason expired', async () => {
    const { store } = await open();
    const validUntil = new Date(Date.now() + 300).toISOString();
    await store.submit(
      {
        type: 'threat.upsert',
        feature: { type: 'Feature', geometry: { type: 'Point', coordinates: [11.966, 57.702] }, properties: { id: 'tz-1', severity: 'danger', radius_m: 100, validUntil } },
      },
      by,
    );
    expect(store.picture.threats['tz-1']).toBeDefined();
    await waitFor(() => store.picture.threats['tz-1'] === undefined, 3000, 'expiry');
    const rows = await store.readSince(1, 10);
    expect(JSON.parse(rows[0].json)).toMatchObject({ type: 'threat.removed', id: 'tz-1', reason: 'expired', actor: { tokenId: 'system' } });
    await store.close();
  });

  it('removes at start-up the zones and constraints that expired while the server was down', async () => {
    const t0 = Date.now() - 3600_000;
    const first = await open({ now: () => t0 });
    const until = new Date(t0 + 60_000).toISOString();
    await first.store.submit(
      {
        type: 'threat.upsert',
        feature: { type: 'Feature', geometry: { type: 'Point', coordinates: [11.966, 57.702] }, properties: { id: 'tz-1', severity: 'no-go', radius_m: 100, validUntil: until } },
      },
      by,
    );
    await first.store.submit(
      {
        type: 'constraint.upsert',
        constraint: {
          id: 'ac-1',
          status: 'closed',
          category: 'hostilities',
          geometry: { type: 'LineString', coordinates: [[11.963, 57.701], [11.969, 57.704]] },
          verifiedAt: new Date(t0).toISOString(),
          verifiedBy: 'OCHA',
          validUntil: until,
        },
      },
      by,
    );
    await first.store.close();
    const { store } = await open();
    expect(store.picture.threats).toEqual({});
    expect(store.picture.constraints).toEqual({});
    const types = (await store.readSince(2, 10)).map((r) => JSON.parse(r.json));
    expect(types).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'threat.removed', reason: 'expired' }),
        expect.objectContaining({ type: 'constraint.removed', reason: 'expired' }),
      ]),
    );
    await store.close();
  });
});

// ------------------------------------------------------------------ replay = live (property)

const unitId = fc.constantFrom('u1', 'u2', 'u3');
const zoneId = fc.constantFrom('tz-1', 'tz-2');
const havenId = fc.constantFrom('hv-1', 'hv-2');
const convoyId = fc.constantFrom('cv-1', 'cv-2');
const lon = fc.double({ min: 11.9, max: 12, noNaN: true });
const lat = fc.double({ min: 57.6, max: 57.8, noNaN: true });
const pastTime = fc.integer({ min: 0, max: 3600 }).map((s) => new Date(Date.parse('2026-11-21T08:00:00Z') + s * 1000).toISOString());

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ type: fc.constant('position' as const), unitId, lon, lat, time: fc.option(pastTime, { nil: undefined }) }),
  fc.record({
    type: fc.constant('positions' as const),
    reports: fc.array(fc.record({ unitId, lon, lat, time: fc.option(pastTime, { nil: undefined }) }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('threat.upsert' as const),
    feature: fc.record({
      type: fc.constant('Feature' as const),
      geometry: fc.record({ type: fc.constant('Point' as const), coordinates: fc.tuple(lon, lat) }),
      properties: fc.record({ id: zoneId, severity: fc.constantFrom('no-go' as const, 'danger' as const), radius_m: fc.integer({ min: 10, max: 2000 }) }),
    }),
  }),
  fc.record({ type: fc.constant('threat.remove' as const), id: zoneId }),
  fc.record({
    type: fc.constant('haven.upsert' as const),
    haven: fc.record({ id: havenId, name: fc.constant('H'), lon, lat, capacity: fc.nat(500), status: fc.constantFrom('open' as const, 'full' as const) }),
  }),
  fc.record({ type: fc.constant('haven.remove' as const), id: havenId }),
  fc.record({
    type: fc.constant('convoy.upsert' as const),
    convoy: fc.record({ id: convoyId, name: fc.constant('C'), origin: fc.tuple(lon, lat), destination: fc.tuple(lon, lat) }),
  }),
  fc.record({ type: fc.constant('convoy.remove' as const), id: convoyId }),
);

describe('replay equals live state (property)', () => {
  it('a restarted store (snapshot + tail) and a fold from seq 0 both equal the live picture', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
    console.log(`replay property seed ${seed}`);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(commandArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 8 }), async (groups, snapshotEvery) => {
        const tmp = tempDir();
        try {
          const file = databaseFile(tmp.dir);
          const engine = new FakeEngine();
          const live = await PictureStore.open(options(tmp.dir, { log: new SqliteEventLog(file), engine, snapshotEvery }));
          for (const group of groups) {
            // Each group arrives together (one commit); removals of unknown ids are refused, as live.
            await Promise.allSettled(group.map((cmd) => live.submit(cmd, by)));
            await live.idle();
          }
          await live.idle();
          const livePicture = structuredClone(live.picture);
          const all = (await live.readSince(0, 1_000_000)).map((r) => JSON.parse(r.json) as PictureEvent);
          expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1)); // P1: no gaps
          expect(applyEvents(emptyPicture(), all)).toEqual(livePicture);
          // Opened beside the live store (no closing snapshot yet): latest snapshot + replay of the tail.
          const restarted = await PictureStore.open(options(tmp.dir, { log: new SqliteEventLog(file) }));
          expect(restarted.picture).toEqual(livePicture);
          await restarted.close();
          await live.close();
          const reopened = await PictureStore.open(options(tmp.dir, { log: new SqliteEventLog(file) }));
          expect(reopened.picture).toEqual(livePicture);
          await reopened.close();
        } finally {
          tmp.cleanup();
        }
      }),
      { numRuns: 30, seed },
    );
  });
});

// Unit tests of server/log/event-log.ts on a temp SQLite file: append, read, msgId lookup, snapshots,
// and the writer thread's group commit of several appends (LogWriter.appendMany).
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseFile, SqliteEventLog, ThreadedSqliteEventLog, type EventLog } from '../../server/log/event-log.js';
import { LogWriter, MSG_ID_RETENTION_MS, openLogDatabase, type WireBatch } from '../../server/log/sqlite-store.js';
import { emptyPicture, type NewEvent } from '@corridor/protocol';
import { tempDir } from './helpers.js';

const haven = (id: string): NewEvent => ({
  type: 'haven.upserted',
  haven: { id, name: id, lon: 1, lat: 2, capacity: 10, occupancy: 0, status: 'open', updatedMs: 5 },
});

const implementations: Array<[string, (file: string) => Promise<EventLog>]> = [
  ['SqliteEventLog', async (file) => new SqliteEventLog(file)],
  ['ThreadedSqliteEventLog', (file) => ThreadedSqliteEventLog.open(file)],
];

describe.each(implementations)('%s', (_name, openLog) => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir();
    file = databaseFile(tmp.dir);
  });
  afterEach(() => tmp.cleanup());

  it('P1: stamps strictly increasing seq without gaps, and the server time', async () => {
    const log = await openLog(file);
    const a = (await log.append([{ event: haven('hv-1'), msgIds: [] }], 1000)).events;
    const b = (await log.append([{ event: haven('hv-2'), msgIds: [] }, { event: haven('hv-3'), msgIds: [] }], 2000)).events;
    expect(a.map((e) => e.seq)).toEqual([1]);
    expect(b.map((e) => e.seq)).toEqual([2, 3]);
    expect(b[1].event).toMatchObject({ seq: 3, timeMs: 2000, type: 'haven.upserted' });
    expect(JSON.parse(b[1].json)).toEqual(b[1].event);
    expect(log.lastSeq()).toBe(3);
    await log.close();
  });

  it('reads events after a seq, in order, limited, and survives a reopen', async () => {
    const log = await openLog(file);
    await log.append(['a', 'b', 'c', 'd'].map((id) => ({ event: haven(id), msgIds: [] })), 1);
    await log.close();
    const again = await openLog(file);
    expect(again.lastSeq()).toBe(4);
    const rows = await again.readSince(1, 2);
    expect(rows.map((r) => r.seq)).toEqual([2, 3]);
    expect(JSON.parse(rows[0].json).haven.id).toBe('b');
    const next = await again.append([{ event: haven('e'), msgIds: [] }], 1);
    expect(next.events[0].seq).toBe(5);
    await again.close();
  });

  it('P8: maps every msgId of an entry to its seq', async () => {
    const log = await openLog(file);
    await log.append([{ event: haven('a'), msgIds: ['m1'] }, { event: haven('b'), msgIds: ['m2', 'm3'] }], 1);
    expect(log.lookupMsgId('', 'm1')?.seq).toBe(1);
    expect(log.lookupMsgId('', 'm3')?.seq).toBe(2);
    expect(log.lookupMsgId('', 'nope')?.seq).toBeUndefined();
    await log.close();
  });

  it('P8: a dedupe entry whose msgId is stored appends nothing and answers the first seq, without gaps', async () => {
    const log = await openLog(file);
    await log.append([{ event: haven('a'), msgIds: ['m1'], dedupe: true }], 1);
    const r = await log.append(
      [
        { event: haven('b'), msgIds: ['m2'], dedupe: true },
        { event: haven('a-again'), msgIds: ['m1'], dedupe: true },
        { event: haven('b-again'), msgIds: ['m2'], dedupe: true },
        { event: haven('c'), msgIds: ['m3'], dedupe: true },
      ],
      2,
    );
    expect(r.outcomes).toEqual([
      { seq: 2, duplicate: false },
      { seq: 1, duplicate: true },
      { seq: 2, duplicate: true },
      { seq: 3, duplicate: false },
    ]);
    expect(r.events.map((e) => [e.seq, (e.event as { haven: { id: string } }).haven.id])).toEqual([
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(log.lastSeq()).toBe(3);
    await log.close();
  });

  it('P3: a committed append is on disk for another connection at once', async () => {
    const log = await openLog(file);
    await log.append([{ event: haven('a'), msgIds: ['m1'] }], 1);
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    other.close();
    await log.close();
  });

  it('P5: a batch that fails to commit stores nothing and keeps seq', async () => {
    const log = await openLog(file);
    await log.append([{ event: haven('a'), msgIds: [] }], 1);
    // Another writer took seq 3, so the second event of the next batch collides and the commit fails.
    const other = new Database(file);
    other.prepare("INSERT INTO events (seq, time_ms, type, body) VALUES (3, 0, 'x', '{}')").run();
    other.close();
    await expect(log.append([{ event: haven('b'), msgIds: ['m-b'] }, { event: haven('c'), msgIds: [] }], 1)).rejects.toThrow();
    expect(log.lastSeq()).toBe(1);
    expect(log.lookupMsgId('', 'm-b')?.seq).toBeUndefined();
    expect((await log.readSince(0, 10)).map((r) => r.seq)).toEqual([1, 3]);
    await log.close();
  });

  it('P1/P8: appends handed over before earlier ones are durable are stored in order, as if one after the other', async () => {
    const log = await openLog(file);
    // Not awaited in between: the writer thread may take them into one transaction.
    const pending = [
      log.append([{ event: haven('a'), msgIds: ['k1'], dedupe: true }], 1),
      log.append([{ event: haven('b'), msgIds: ['k2'], dedupe: true }, { event: haven('c'), msgIds: ['k3'], dedupe: true }], 2),
      log.append([{ event: haven('a-again'), msgIds: ['k1'], dedupe: true }, { event: haven('d'), msgIds: ['k4'], dedupe: true }], 3),
    ];
    const [r1, r2, r3] = await Promise.all(pending);
    expect(r1.events.map((e) => e.seq)).toEqual([1]);
    expect(r2.events.map((e) => [e.seq, e.event.timeMs])).toEqual([
      [2, 2],
      [3, 2],
    ]);
    expect(r3.outcomes).toEqual([
      { seq: 1, duplicate: true },
      { seq: 4, duplicate: false },
    ]);
    expect(log.lastSeq()).toBe(4);
    expect((await log.readSince(0, 10)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    await log.close();
  });

  it('P5: when appends handed over together fail, none of them is stored and seq is kept', async () => {
    const log = await openLog(file);
    await log.append([{ event: haven('a'), msgIds: [] }], 1);
    const other = new Database(file);
    other.prepare("INSERT INTO events (seq, time_ms, type, body) VALUES (4, 0, 'x', '{}')").run();
    other.close();
    const results = await Promise.allSettled([
      log.append([{ event: haven('b'), msgIds: ['m-b'] }], 2),
      log.append([{ event: haven('c'), msgIds: ['m-c'] }, { event: haven('d'), msgIds: [] }], 3),
    ]);
    // The second collides with seq 4. In one transaction both fail; one after the other, only it does.
    expect(results[1].status).toBe('rejected');
    const stored = (await log.readSince(0, 10)).map((r) => r.seq);
    if (results[0].status === 'fulfilled') {
      expect(stored).toEqual([1, 2, 4]);
      expect(log.lookupMsgId('', 'm-b')?.seq).toBe(2);
    } else {
      expect(stored).toEqual([1, 4]);
      expect(log.lookupMsgId('', 'm-b')?.seq).toBeUndefined();
    }
    expect(log.lookupMsgId('', 'm-c')?.seq).toBeUndefined();
    // Whatever failed left seq where the stored events end, so the next append takes the next seq.
    const next = await log.append([{ event: haven('e'), msgIds: [] }], 4).catch(() => undefined);
    if (next) expect(next.events[0].seq).toBe(stored.filter((q) => q < 4).length + 1);
    await log.close();
  });

  it('P8: msgIds whose events are older than the retention (24 h) are forgotten at the next snapshot', async () => {
    const log = await openLog(file);
    const now = Date.now();
    await log.append([{ event: haven('old'), msgIds: ['m-old'] }], now - MSG_ID_RETENTION_MS - 60_000);
    await log.append([{ event: haven('new'), msgIds: ['m-new'] }], now);
    await log.writeSnapshot({ ...emptyPicture(), seq: 2 });
    expect(log.lookupMsgId('', 'm-old')?.seq).toBeUndefined();
    expect(log.lookupMsgId('', 'm-new')?.seq).toBe(2);
    // The events themselves stay: only the retry index is bounded.
    expect((await log.readSince(0, 10)).map((r) => r.seq)).toEqual([1, 2]);
    await log.close();
  });

  it('keeps the newest snapshots and returns the latest', async () => {
    const log = await openLog(file);
    expect(await log.latestSnapshot()).toBeUndefined();
    for (let seq = 1; seq <= 5; seq++) await log.writeSnapshot({ ...emptyPicture(), seq });
    expect((await log.latestSnapshot())?.seq).toBe(5);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT seq FROM snapshots ORDER BY seq').pluck().all()).toEqual([3, 4, 5]);
    db.close();
    await log.close();
  });
});

describe('LogWriter.appendMany (the writer thread group commit)', () => {
  const batch = (ids: string[]): WireBatch => ({
    typeNames: ['haven.removed'],
    typeIndex: new Uint8Array(ids.length),
    bodies: ids.map((id) => JSON.stringify({ type: 'haven.removed', id })),
    msgIds: ids.map((id) => `m-${id}`),
    fingerprints: new Float64Array(ids.length).fill(NaN),
    msgIdCounts: new Uint32Array(ids.length).fill(1),
    scopeNames: [''],
    scopeIndex: new Uint32Array(ids.length),
    dedupe: new Uint8Array(ids.length).fill(1),
  });

  it('stores the batches in one transaction, in order; a retry in a later batch answers the first seq', () => {
    const tmp = tempDir();
    const db = openLogDatabase(databaseFile(tmp.dir));
    const writer = new LogWriter(db);
    const [a, b] = writer.appendMany([
      { batch: batch(['x', 'y']), timeMs: 10 },
      { batch: batch(['z', 'x']), timeMs: 20 },
    ]);
    expect(Array.from(a)).toEqual([1, 2]);
    expect(Array.from(b)).toEqual([3, -1]);
    expect(db.prepare('SELECT seq, time_ms FROM events ORDER BY seq').all()).toEqual([
      { seq: 1, time_ms: 10 },
      { seq: 2, time_ms: 10 },
      { seq: 3, time_ms: 20 },
    ]);
    db.close();
    tmp.cleanup();
  });

  it('stores none of the batches when one fails, and the next append continues from the stored seq', () => {
    const tmp = tempDir();
    const db = openLogDatabase(databaseFile(tmp.dir));
    const writer = new LogWriter(db);
    writer.append(batch(['a']), 1);
    db.prepare("INSERT INTO events (seq, time_ms, type, body) VALUES (4, 0, 'x', '{}')").run();
    expect(() =>
      writer.appendMany([
        { batch: batch(['b']), timeMs: 2 },
        { batch: batch(['c', 'd']), timeMs: 3 },
      ]),
    ).toThrow();
    expect(db.prepare('SELECT seq FROM events ORDER BY seq').pluck().all()).toEqual([1, 4]);
    expect(db.prepare('SELECT COUNT(*) FROM msg_keys').pluck().get()).toBe(1);
    expect(Array.from(writer.append(batch(['e']), 5))).toEqual([2]);
    db.close();
    tmp.cleanup();
  });
});

describe('msgIds stored before they were scoped (issue 9)', () => {
  it('are carried into msg_keys under the scope of the token that sent them, and still answer their retries', async () => {
    const tmp = tempDir();
    const file = databaseFile(tmp.dir);
    // The layout of a data directory from before: one msgId namespace, tokens in the same file.
    const old = new Database(file);
    old.exec(`
      CREATE TABLE events (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE msg_ids (msg_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, org TEXT NOT NULL, role TEXT NOT NULL, unit TEXT, created_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
      INSERT INTO tokens VALUES ('tk-a', 'h1', 'wfp', 'planner', NULL, 0, 0), ('tk-f', 'h2', 'blue', 'field', 'PATROL-21', 0, 0);
    `);
    const insert = old.prepare('INSERT INTO events VALUES (?, ?, ?, ?)');
    insert.run(1, 10, 'haven.removed', JSON.stringify({ seq: 1, timeMs: 10, msgId: 'm1', actor: { tokenId: 'tk-a', org: 'wfp', role: 'planner' }, type: 'haven.removed', id: 'hv-1' }));
    insert.run(2, 10, 'position.reported', JSON.stringify({ seq: 2, timeMs: 10, msgId: 'm1', actor: { tokenId: 'tk-f', org: 'blue', role: 'field' }, type: 'position.reported', units: [] }));
    old.prepare('INSERT INTO msg_ids VALUES (?, ?)').run('m1', 1);
    old.prepare('INSERT INTO msg_ids VALUES (?, ?)').run('m2', 2);
    old.close();

    const log = new SqliteEventLog(file);
    expect(log.lookupMsgId('tk:tk-a', 'm1')).toEqual({ seq: 1, fingerprint: null });
    expect(log.lookupMsgId('unit:PATROL-21', 'm2')).toEqual({ seq: 2, fingerprint: null });
    expect(log.lookupMsgId('tk:tk-f', 'm2')).toBeUndefined();
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'msg_ids'").pluck().get()).toBe(0);
    db.close();
    // A retry of a carried-over msgId, whatever it holds, is answered with its first seq (no fingerprint to compare).
    const [outcome] = (await log.append([{ event: { type: 'haven.removed', id: 'hv-9' }, msgIds: ['m1'], scope: 'tk:tk-a', fingerprints: [123], dedupe: true }], 20)).outcomes;
    expect(outcome).toEqual({ seq: 1, duplicate: true });
    await log.close();
    tmp.cleanup();
  });
});

describe('msgId scopes (P8)', () => {
  it('a scope first seen in a transaction that fails is numbered again in the next one, and its msgIds are found', async () => {
    const tmp = tempDir();
    const file = databaseFile(tmp.dir);
    const log = new SqliteEventLog(file);
    const db = new Database(file);
    // Make the next append fail: its seq is taken already.
    db.prepare("INSERT INTO events (seq, time_ms, type, body) VALUES (1, 0, 'x', '{}')").run();
    const entry = { event: { type: 'haven.removed', id: 'hv-1' } as NewEvent, msgIds: ['m1'], scope: 'tk:new', fingerprints: [7] };
    await expect(log.append([entry], 1)).rejects.toThrow();
    db.prepare('DELETE FROM events WHERE seq = 1').run();
    db.close();
    expect((await log.append([entry], 2)).outcomes).toEqual([{ seq: 1, duplicate: false }]);
    expect(log.lookupMsgId('tk:new', 'm1')).toEqual({ seq: 1, fingerprint: 7 });
    expect(log.lookupMsgId('tk:other', 'm1')).toBeUndefined();
    await log.close();
    tmp.cleanup();
  });
});

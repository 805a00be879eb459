// The SQLite event log (server/log/event-log.ts, sqlite-store.ts): the EventLog contract on the main
// thread and on the writer thread, then what is SQLite's own: durability seen from another connection
// (P3), failed commits (P5), msgId retention, following another process's writes, the writer thread's
// group commit, and the layouts of older data directories.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { databaseFile, SqliteEventLog, ThreadedSqliteEventLog, type EventLog, type StoredEvent } from '../../server/log/event-log.js';
import { LogWriter, MSG_ID_RETENTION_MS, openLogDatabase, type WireBatch } from '../../server/log/sqlite-store.js';
import type { NewEvent } from '@corridor/protocol';
import { tempDir, waitFor } from '../server/helpers.js';
import { eventLogContract, haven } from './event-log.contract.js';

eventLogContract('SQLite on the main thread', async (dir) => new SqliteEventLog(databaseFile(dir)));
eventLogContract('SQLite with a writer thread', (dir) => ThreadedSqliteEventLog.open(databaseFile(dir)));

const implementations: Array<[string, (file: string) => Promise<EventLog>]> = [
  ['SqliteEventLog', async (file) => new SqliteEventLog(file)],
  ['ThreadedSqliteEventLog', (file) => ThreadedSqliteEventLog.open(file)],
];

describe.each(implementations)('%s', (_name, openLog) => {
  const withFile = async (fn: (log: EventLog, file: string) => Promise<void>) => {
    const tmp = tempDir();
    const file = databaseFile(tmp.dir);
    const log = await openLog(file);
    try {
      await fn(log, file);
    } finally {
      await log.close();
      tmp.cleanup();
    }
  };

  it('P3: a committed append is on disk for another connection at once (WAL)', () =>
    withFile(async (log, file) => {
      await log.append([{ event: haven('a'), msgIds: ['m1'] }], 1);
      const other = new Database(file, { readonly: true });
      expect(other.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
      other.close();
    }));

  it('P5: a batch that fails to commit stores nothing and keeps seq', () =>
    withFile(async (log, file) => {
      await log.append([{ event: haven('a'), msgIds: [] }], 1);
      // Another writer took seq 3, so the second event of the next batch collides and the commit fails.
      const other = new Database(file);
      other.prepare("INSERT INTO events (seq, time_ms, type, body) VALUES (3, 0, 'x', '{}')").run();
      other.close();
      await expect(log.append([{ event: haven('b'), msgIds: ['m-b'] }, { event: haven('c'), msgIds: [] }], 1)).rejects.toThrow();
      expect(log.lastSeq()).toBe(1);
      expect(await log.lookupMsgId('', 'm-b')).toBeUndefined();
      expect((await log.readSince(0, 10)).map((r) => r.seq)).toEqual([1, 3]);
    }));

  it('P5: when appends handed over together fail, none of them is stored and seq is kept', () =>
    withFile(async (log, file) => {
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
        expect((await log.lookupMsgId('', 'm-b'))?.seq).toBe(2);
      } else {
        expect(stored).toEqual([1, 4]);
        expect(await log.lookupMsgId('', 'm-b')).toBeUndefined();
      }
      expect(await log.lookupMsgId('', 'm-c')).toBeUndefined();
      const next = await log.append([{ event: haven('e'), msgIds: [] }], 4).catch(() => undefined);
      if (next) expect(next.events[0].seq).toBe(stored.filter((q) => q < 4).length + 1);
    }));

  it('follows events that another process writes to the same file', () =>
    withFile(async (log, file) => {
      const seen: StoredEvent[] = [];
      const follower = log.follow(0, (events) => seen.push(...events));
      // Another process: its own writer on the same database.
      const db = openLogDatabase(file);
      const writer = new LogWriter(db);
      const wire: WireBatch = {
        typeNames: ['haven.removed'],
        typeIndex: new Uint8Array(2),
        bodies: ['{"type":"haven.removed","id":"x"}', '{"type":"haven.removed","id":"y"}'],
        msgIds: [],
        fingerprints: new Float64Array(0),
        msgIdCounts: new Uint32Array(2),
        scopeNames: [''],
        scopeIndex: new Uint32Array(2),
        dedupe: new Uint8Array(2),
      };
      writer.append(wire, 7);
      db.close();
      await waitFor(() => seen.length >= 2, 3000, 'events of the other writer');
      expect(seen.map((e) => [e.seq, JSON.parse(e.json).id])).toEqual([
        [1, 'x'],
        [2, 'y'],
      ]);
      follower.stop();
    }));
});

describe('msgId retention (P8)', () => {
  it('a commit forgets msgIds whose events are older than the retention (24 h), on its own schedule; the events stay', () => {
    const tmp = tempDir();
    const db = openLogDatabase(databaseFile(tmp.dir));
    const writer = new LogWriter(db, { pruneEveryMs: 0 });
    const one = (id: string): WireBatch => ({
      typeNames: ['haven.removed'],
      typeIndex: new Uint8Array(1),
      bodies: [JSON.stringify({ type: 'haven.removed', id })],
      msgIds: [`m-${id}`],
      fingerprints: new Float64Array([NaN]),
      msgIdCounts: new Uint32Array([1]),
      scopeNames: [''],
      scopeIndex: new Uint32Array(1),
      dedupe: new Uint8Array(1),
    });
    const now = Date.now();
    writer.append(one('old'), now - MSG_ID_RETENTION_MS - 60_000);
    writer.append(one('new'), now);
    writer.append(one('later'), now + 1000);
    const ids = db.prepare('SELECT msg_id FROM msg_keys ORDER BY seq').pluck().all();
    expect(ids).toEqual(['m-new', 'm-later']);
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(3);
    db.close();
    tmp.cleanup();
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
    expect(await log.lookupMsgId('tk:tk-a', 'm1')).toEqual({ seq: 1, fingerprint: null });
    expect(await log.lookupMsgId('unit:PATROL-21', 'm2')).toEqual({ seq: 2, fingerprint: null });
    expect(await log.lookupMsgId('tk:tk-f', 'm2')).toBeUndefined();
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
    expect(await log.lookupMsgId('tk:new', 'm1')).toEqual({ seq: 1, fingerprint: 7 });
    expect(await log.lookupMsgId('tk:other', 'm1')).toBeUndefined();
    await log.close();
    tmp.cleanup();
  });
});

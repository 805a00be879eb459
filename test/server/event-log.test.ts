// Unit tests of server/log/event-log.ts on a temp SQLite file: append, read, msgId lookup, snapshots.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseFile, SqliteEventLog, ThreadedSqliteEventLog, type EventLog } from '../../server/log/event-log.js';
import { MSG_ID_RETENTION_MS } from '../../server/log/sqlite-store.js';
import { emptyPicture, type NewEvent } from '../../server/protocol/events.js';
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
    expect(log.lookupMsgId('m1')).toBe(1);
    expect(log.lookupMsgId('m3')).toBe(2);
    expect(log.lookupMsgId('nope')).toBeUndefined();
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
    expect(log.lookupMsgId('m-b')).toBeUndefined();
    expect((await log.readSince(0, 10)).map((r) => r.seq)).toEqual([1, 3]);
    await log.close();
  });

  it('P8: msgIds whose events are older than the retention (24 h) are forgotten at the next snapshot', async () => {
    const log = await openLog(file);
    const now = Date.now();
    await log.append([{ event: haven('old'), msgIds: ['m-old'] }], now - MSG_ID_RETENTION_MS - 60_000);
    await log.append([{ event: haven('new'), msgIds: ['m-new'] }], now);
    await log.writeSnapshot({ ...emptyPicture(), seq: 2 });
    expect(log.lookupMsgId('m-old')).toBeUndefined();
    expect(log.lookupMsgId('m-new')).toBe(2);
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

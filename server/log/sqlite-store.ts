// The SQLite layout of the event log and its append transaction (server/log), shared by the in-thread
// log and the writer thread: events and msgIds per sender with their content's fingerprint (P8), WAL
// with synchronous=FULL (P3). Snapshots of the picture have a store of their own (snapshot-store.ts).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Events to store, as parallel arrays (they cross to the writer thread: flat arrays of strings clone
 * several times faster than arrays of objects). Item i has type `types[i]`, body `bodies[i]`, the
 * sender scope `scopeNames[scopeIndex[i]]` and the next `msgIdCounts[i]` entries of `msgIds` (and of
 * `fingerprints`, in step with them).
 */
export interface WireBatch {
  /** The distinct event types of the batch; `typeIndex[i]` picks item i's (one string per type, not per item). */
  typeNames: string[];
  typeIndex: Uint8Array;
  /** `JSON.stringify` of each event before stamping (an object, so it starts with `{`). */
  bodies: string[];
  msgIds: string[];
  /** Fingerprint of what each msgId was sent with (fingerprint.ts); NaN when not known. */
  fingerprints: Float64Array;
  msgIdCounts: Uint32Array;
  /** The distinct sender scopes of the batch (P8: a msgId is the sender's own); `scopeIndex[i]` picks item i's. */
  scopeNames: string[];
  scopeIndex: Uint32Array;
  /**
   * 1: skip the event when its one msgId is already stored for its scope (P8), answering the first
   * seq, or a conflict (outcome 0) when it was stored with another fingerprint.
   */
  dedupe: Uint8Array;
}

/** An event as a shared log holds it (issue 19), to be stored in this instance's copy of it. */
export interface MirrorRow {
  seq: number;
  timeMs: number;
  type: string;
  /** The unstamped JSON of the event, as it was appended. */
  body: string;
  /** The stored JSON (`eventJson` of seq, time and body), when the caller made it already. */
  json?: string;
  scope: string;
  msgIds: readonly string[];
  /** In step with `msgIds`; null when not known. */
  fingerprints: ReadonlyArray<number | null>;
}

/** Outcome of an item that reused a stored msgId for different content (P8): not stored. */
export const OUTCOME_CONFLICT = 0;

/**
 * The stored JSON of an event: `seq` and `timeMs` put in front of the unstamped body, without
 * parsing or re-serialising it.
 * @example eventJson(7, 1000, '{"type":"haven.removed","id":"hv-1"}')
 *   // '{"seq":7,"timeMs":1000,"type":"haven.removed","id":"hv-1"}'
 */
export function eventJson(seq: number, timeMs: number, body: string): string {
  return `{"seq":${seq},"timeMs":${timeMs}${body.length > 2 ? ',' : ''}${body.slice(1)}`;
}

/** Opens (creating if needed) the log database with the pragmas P3 needs and the tables. */
export function openLogDatabase(file: string, opts: { readonly?: boolean } = {}): Database.Database {
  if (!opts.readonly) mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (opts.readonly) return db;
  db.pragma('journal_mode = WAL');
  // P3: an ack means the event survives power loss, so every commit is fsynced.
  db.pragma('synchronous = FULL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      seq INTEGER PRIMARY KEY,
      time_ms INTEGER NOT NULL,
      type TEXT NOT NULL,
      body TEXT NOT NULL
    );
    -- P8: a msgId is its sender's own (scope: the token, or the unit of a unit-bound token), and
    -- remembers what it was sent with (fp), so a reuse for other content is a conflict, not a retry.
    -- Scopes are numbered: a key of a small integer and the msgId keeps the table as narrow as the
    -- unscoped one was, which the writer thread inserts into at every update.
    CREATE TABLE IF NOT EXISTS msg_scopes (
      id INTEGER PRIMARY KEY,
      scope TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS msg_keys (
      scope_id INTEGER NOT NULL,
      msg_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      fp INTEGER,
      PRIMARY KEY (scope_id, msg_id)
    ) WITHOUT ROWID;
    -- Pruning msgIds past their retention (see LogWriter) deletes by seq range.
    CREATE INDEX IF NOT EXISTS msg_keys_by_seq ON msg_keys (seq);
    -- A row rewritten by the health probe: a small durable write that shows the file takes writes.
    CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY CHECK (id = 1), time_ms INTEGER NOT NULL);
  `);
  migrateMsgIds(db);
  return db;
}

/**
 * Carries msgIds stored before they were scoped (one table for every sender) into `msg_keys`: each
 * gets the scope of the token that sent it, read from its event's actor (the unit, for a token bound
 * to one), and no fingerprint, so a retry of it is still answered as one (P8).
 */
function migrateMsgIds(db: Database.Database): void {
  const has = (table: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
  if (!has('msg_ids')) return;
  const token = "json_extract(e.body, '$.actor.tokenId')";
  const unitScope = has('tokens') ? `(SELECT 'unit:' || t.unit FROM tokens t WHERE t.id = ${token} AND t.unit IS NOT NULL),` : '';
  const scope = `COALESCE(${unitScope} 'tk:' || ${token}, 'tk:system')`;
  db.transaction(() => {
    db.exec(`
      INSERT OR IGNORE INTO msg_scopes (scope) SELECT DISTINCT ${scope} FROM msg_ids m JOIN events e ON e.seq = m.seq;
      INSERT OR IGNORE INTO msg_keys (scope_id, msg_id, seq, fp)
        SELECT (SELECT id FROM msg_scopes WHERE scope = ${scope}), m.msg_id, m.seq, NULL
        FROM msg_ids m JOIN events e ON e.seq = m.seq;
      DROP TABLE msg_ids;
    `);
  })();
}

/** Seq of the last stored event (0 when empty). */
export function lastStoredSeq(db: Database.Database): number {
  return (db.prepare('SELECT MAX(seq) AS seq FROM events').get() as { seq: number | null }).seq ?? 0;
}

/**
 * How long a msgId is remembered after its event, ms (24 h). A retry within this window is answered
 * with its first seq (P8); the msg_ids table no longer grows without limit.
 */
export const MSG_ID_RETENTION_MS = 24 * 3_600_000;

/** At most this many seqs' msgIds are deleted per pruning step, so one step never holds up commits long. */
const PRUNE_STEP_SEQS = 50_000;
/** How often a commit also prunes msgIds past their retention, ms. */
const PRUNE_EVERY_MS = 60_000;

/** The write side of the log on one connection: the append transaction and snapshot writes. */
export class LogWriter {
  private seq: number;
  private readonly insertEvent: Database.Statement;
  private readonly insertMsgId: Database.Statement;
  private readonly selectMsgId: Database.Statement;
  private readonly insertScope: Database.Statement;
  private readonly selectScope: Database.Statement;
  /** Scope → its number in msg_scopes, as known to this connection. */
  private readonly scopeIds = new Map<string, number>();
  private lastPruneMs = Date.now();
  private readonly appendTx: (batch: WireBatch, timeMs: number, jsons: string[] | undefined) => Float64Array;
  private readonly mirrorTx: (rows: ReadonlyArray<MirrorRow>) => void;
  private readonly appendManyTx: (batches: ReadonlyArray<{ batch: WireBatch; timeMs: number }>) => Float64Array[];

  private readonly minMsgIdSeq: Database.Statement;
  private readonly firstRecentSeq: Database.Statement;
  private readonly deleteMsgIds: Database.Statement;

  private readonly msgIdRetentionMs: number;
  private readonly pruneEveryMs: number;

  /** `msgIdRetentionMs`: how long msgIds are kept after their event (P8); `pruneEveryMs`: how often a commit prunes them. */
  constructor(
    private readonly db: Database.Database,
    opts: { msgIdRetentionMs?: number; pruneEveryMs?: number } = {},
  ) {
    this.msgIdRetentionMs = opts.msgIdRetentionMs ?? MSG_ID_RETENTION_MS;
    this.pruneEveryMs = opts.pruneEveryMs ?? PRUNE_EVERY_MS;
    this.minMsgIdSeq = db.prepare('SELECT MIN(seq) FROM msg_keys').pluck();
    this.firstRecentSeq = db
      .prepare('SELECT seq FROM events WHERE seq >= ? AND seq < ? AND time_ms >= ? ORDER BY seq LIMIT 1')
      .pluck();
    this.deleteMsgIds = db.prepare('DELETE FROM msg_keys WHERE seq >= ? AND seq < ?');
    this.seq = lastStoredSeq(db);
    this.insertEvent = db.prepare('INSERT INTO events (seq, time_ms, type, body) VALUES (?, ?, ?, ?)');
    // OR IGNORE: a known msgId is detected by `changes === 0` (dedupe) and never fails a whole group.
    this.insertMsgId = db.prepare('INSERT OR IGNORE INTO msg_keys (scope_id, msg_id, seq, fp) VALUES (?, ?, ?, ?)');
    this.selectMsgId = db.prepare('SELECT seq, fp FROM msg_keys WHERE scope_id = ? AND msg_id = ?');
    this.insertScope = db.prepare('INSERT OR IGNORE INTO msg_scopes (scope) VALUES (?)');
    this.selectScope = db.prepare('SELECT id FROM msg_scopes WHERE scope = ?').pluck();
    this.appendTx = db.transaction((batch: WireBatch, timeMs: number, jsons: string[] | undefined) => {
      this.pruneNow(timeMs);
      return this.appendRows(batch, timeMs, jsons);
    });
    this.mirrorTx = db.transaction((rows: ReadonlyArray<MirrorRow>) => {
      this.pruneNow(rows[rows.length - 1].timeMs);
      for (const row of rows) {
        const scope = row.msgIds.length > 0 ? this.scopeId(row.scope) : 0;
        for (let k = 0; k < row.msgIds.length; k++) {
          const fp = row.fingerprints[k];
          this.insertMsgId.run(scope, row.msgIds[k], row.seq, fp === null || Number.isNaN(fp) ? null : fp);
        }
        this.insertEvent.run(row.seq, row.timeMs, row.type, row.json ?? eventJson(row.seq, row.timeMs, row.body));
        this.seq = row.seq;
      }
    });
    this.appendManyTx = db.transaction((batches: ReadonlyArray<{ batch: WireBatch; timeMs: number }>) => {
      if (batches.length > 0) this.pruneNow(batches[0].timeMs);
      return batches.map(({ batch, timeMs }) => this.appendRows(batch, timeMs, undefined));
    });
  }

  /**
   * The rows of one batch, inside the caller's transaction: outcome per item, its new seq, minus the
   * first seq when it was a stored msgId's retry, or {@link OUTCOME_CONFLICT} when the msgId was
   * stored for other content. Advances `this.seq`; the callers restore it when their transaction
   * rolls back.
   */
  private appendRows(batch: WireBatch, timeMs: number, jsons: string[] | undefined): Float64Array {
    const n = batch.typeIndex.length;
    const outcomes = new Float64Array(n);
    let seq = this.seq;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const next = seq + 1;
      const count = batch.msgIdCounts[i];
      const first = m;
      m += count;
      const scope = this.scopeId(batch.scopeNames[batch.scopeIndex[i]]);
      if (batch.dedupe[i] === 1 && count === 1) {
        // P8 in the statement that records the msgId: no separate lookup per update.
        const fp = batch.fingerprints[first];
        if (this.insertMsgId.run(scope, batch.msgIds[first], next, Number.isNaN(fp) ? null : fp).changes === 0) {
          const stored = this.selectMsgId.get(scope, batch.msgIds[first]) as { seq: number; fp: number | null };
          const same = stored.fp === null || Number.isNaN(fp) || stored.fp === fp;
          outcomes[i] = same ? -stored.seq : OUTCOME_CONFLICT;
          continue;
        }
      } else {
        for (let k = first; k < m; k++) {
          const fp = batch.fingerprints[k];
          this.insertMsgId.run(scope, batch.msgIds[k], next, Number.isNaN(fp) ? null : fp);
        }
      }
      const json = eventJson(next, timeMs, batch.bodies[i]);
      this.insertEvent.run(next, timeMs, batch.typeNames[batch.typeIndex[i]], json);
      if (jsons) jsons[i] = json;
      outcomes[i] = next;
      seq = next;
    }
    this.seq = seq;
    return outcomes;
  }

  /** The number of a scope, made on its first use (inside the caller's transaction). */
  private scopeId(scope: string): number {
    let id = this.scopeIds.get(scope);
    if (id === undefined) {
      this.insertScope.run(scope);
      id = this.selectScope.get(scope) as number;
      this.scopeIds.set(scope, id);
    }
    return id;
  }

  /**
   * Appends in one transaction (P1: next seqs, no gaps); returns per item its seq, or −(first seq) for
   * a deduplicated retry. Throws, storing nothing, when the commit fails (P5). When `jsons` is given,
   * `jsons[i]` receives the stored text of each appended item (built once, reused for the frames).
   */
  append(batch: WireBatch, timeMs: number, jsons?: string[]): Float64Array {
    const before = this.seq;
    try {
      return this.appendTx(batch, timeMs, jsons);
    } catch (err) {
      this.seq = before; // rolled back: nothing of it was stored
      this.scopeIds.clear(); // a scope numbered in it was rolled back with it
      throw err;
    }
  }

  /**
   * Several batches in one transaction (one fsync), in order, as if appended one after the other:
   * the writer thread's group commit of the batches that reached it while the previous commit ran.
   * All or none are stored; throws, storing nothing, when the commit fails.
   */
  appendMany(batches: ReadonlyArray<{ batch: WireBatch; timeMs: number }>): Float64Array[] {
    const before = this.seq;
    try {
      return this.appendManyTx(batches);
    } catch (err) {
      this.seq = before;
      this.scopeIds.clear();
      throw err;
    }
  }

  /**
   * Stores events read from a shared log (issue 19) in one transaction, with the seqs and times they
   * have there: this database is then that log's copy on this instance. A msgId already stored keeps
   * its first seq (a retry that reached the shared log twice is still answered with the first, P8).
   */
  mirror(rows: ReadonlyArray<MirrorRow>): void {
    if (rows.length === 0) return;
    const before = this.seq;
    try {
      this.mirrorTx(rows);
    } catch (err) {
      this.seq = before;
      this.scopeIds.clear();
      throw err;
    }
  }

  /**
   * Deletes msgIds whose events are older than the retention, at most {@link PRUNE_STEP_SEQS} seqs'
   * worth per call (the events table is scanned by seq from the oldest msgId on). Returns rows deleted.
   */
  pruneMsgIds(nowMs: number): number {
    const from = this.minMsgIdSeq.get() as number | null;
    if (from === null) return 0;
    const limit = Math.min(from + PRUNE_STEP_SEQS, this.seq + 1);
    const firstRecent = this.firstRecentSeq.get(from, limit, nowMs - this.msgIdRetentionMs) as number | undefined;
    const upTo = firstRecent ?? limit;
    if (upTo <= from) return 0;
    return this.deleteMsgIds.run(from, upTo).changes;
  }

  /**
   * Prunes msgIds past their retention once a minute at most, one bounded step at a time, inside the
   * caller's transaction: the log keeps its msgId index to 24 hours on its own schedule.
   */
  private pruneNow(nowMs: number): void {
    if (nowMs - this.lastPruneMs < this.pruneEveryMs) return;
    this.lastPruneMs = nowMs;
    this.pruneMsgIds(nowMs);
  }

  /** A small durable write (health): throws when the file cannot be written (a full disk). */
  probe(nowMs: number): void {
    this.db.prepare('INSERT OR REPLACE INTO health (id, time_ms) VALUES (1, ?)').run(nowMs);
  }
}

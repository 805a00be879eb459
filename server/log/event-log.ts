// The durable event log (server/log): stamps seq + timeMs (P1), stores msgIds for retries (P8), keeps
// picture snapshots so a restart is "latest snapshot + replay of the tail". Two SQLite implementations:
// in-thread (simple; tests and tools) and with a writer thread, the server's default: its commits and
// their fsyncs overlap socket reading and frames. Measured with bench:ingest on a loaded 2-core machine
// (fsync p99 14 ms, max 52 ms), in-thread commits stalled every socket and frame for each fsync and
// collapsed at 20,000 updates/s in one run of two; the writer thread held that rate in both.
import type Database from 'better-sqlite3';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { NewEvent, PictureEvent } from '@corridor/protocol';
import { startModuleWorker } from '../worker.js';
import { eventJson, lastStoredSeq, LogWriter, OUTCOME_CONFLICT, openLogDatabase, type WireBatch } from './sqlite-store.js';
import type { WriterReply, WriterRequest } from './sqlite-writer-thread.js';

/** One event to append, with the msgIds it answers (a command's, or each report's in an HTTP batch). */
export interface AppendEntry {
  event: NewEvent;
  /**
   * For an entry without msgIds: what makes it the same entry when two instances append it (a
   * shared log stores one): the seq of the picture a reaction was made from. Without it, every
   * append is a new entry.
   */
  basis?: number;
  /** `JSON.stringify(event)` when the caller already made it (the position hot path); else made here. */
  json?: string;
  msgIds: readonly string[];
  /** Whose msgIds they are (P8: each sender has its own); `''` for the server's own events. */
  scope?: string;
  /** Fingerprint of the content each msgId came with, in step with `msgIds` (fingerprint.ts). */
  fingerprints?: readonly number[];
  /**
   * When set and the entry's one msgId is already stored, nothing is appended for it and its outcome
   * is the first seq (P8), or a conflict when it was stored for other content. Lets the hot path skip
   * a lookup per position before the commit.
   */
  dedupe?: boolean;
}

/**
 * What became of one entry: its seq, and whether it was a stored msgId's retry (nothing appended),
 * or `conflict` when its msgId was stored for other content (nothing appended, seq 0).
 */
export interface AppendOutcome {
  seq: number;
  duplicate: boolean;
  conflict?: boolean;
  /** Set when this entry could not be stored (a shared log stores entries one by one): seq 0. */
  error?: Error;
}

/** A stored msgId: the seq it was stored with and the fingerprint of its content (null when unknown). */
export interface StoredMsgId {
  seq: number;
  fingerprint: number | null;
}

/** An entry a log refuses for what it is, not for the moment (larger than it takes): retrying will not help. */
export class EntryRefusedError extends Error {
  constructor(
    readonly code: 'payload_too_large',
    message: string,
  ) {
    super(message);
    this.name = 'EntryRefusedError';
  }
}

/** An event as stored: its seq, type and its JSON text (serialised once, sent as is to every client). */
export interface StoredEvent {
  seq: number;
  type: string;
  json: string;
}

/** An appended event, parsed and as text. */
export interface AppendedEvent extends StoredEvent {
  event: PictureEvent;
}

/** The result of one append: an outcome per entry, and the events actually appended, in seq order. */
export interface AppendResult {
  outcomes: AppendOutcome[];
  events: AppendedEvent[];
}

/** A subscription to new events made by {@link EventLog.follow}. */
export interface Follower {
  stop(): void;
}

/**
 * The log as the rest of the server sees it: an ordered, durable sequence of events with their
 * msgIds. Every call may answer asynchronously, so a replicated log can take SQLite's place; one
 * contract test suite (test/log/event-log.contract.ts) holds every implementation to the same rules.
 */
export interface EventLog {
  /**
   * True for a log that other instances append to as well (issue 19): what this instance appends
   * is folded when {@link follow} hands it over, in the log's order among everyone's events, and
   * `append` answers outcomes only (no `events`).
   */
  readonly shared?: boolean;
  /** Seq of the last stored event (0 when empty). */
  lastSeq(): number;
  /**
   * Appends a batch in one transaction: each new entry gets the next seq (P1) and `timeMs`, stamped
   * onto the entry's event object itself (the appended events are those objects, not copies).
   * Resolves only once the transaction is on disk (P3); on failure nothing of the batch is stored (P5).
   */
  append(entries: readonly AppendEntry[], timeMs: number): Promise<AppendResult>;
  /** Events with seq > `since`, in order, at most `limit` of them. */
  readSince(since: number, limit: number): Promise<StoredEvent[]>;
  /**
   * Events with `since` < seq <= `toSeq` whose type is not one of `skip`, in order, at most `limit`:
   * the facts of a stretch of log without its stream of positions (the replay's list of events).
   * Optional: without it, the caller filters {@link readSince}.
   */
  readSkipping?(since: number, toSeq: number, limit: number, skip: readonly string[]): Promise<StoredEvent[]>;
  /** A sender's stored msgId, or undefined (P8). */
  lookupMsgId(scope: string, msgId: string): Promise<StoredMsgId | undefined>;
  /**
   * Calls `listener` with every event stored after `since`, in order and without gaps, as it is
   * stored, by this process or by another one writing the same log (another instance), until stopped.
   */
  follow(since: number, listener: (events: StoredEvent[]) => void): Follower;
  /** A small durable write that shows the log takes writes again (health, after a full disk). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

/** The database file inside a data folder (events, snapshots and tokens live in it). */
export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'corridor.db');
}

function toWire(entries: readonly AppendEntry[]): WireBatch {
  const n = entries.length;
  const batch: WireBatch = {
    typeNames: [],
    typeIndex: new Uint8Array(n),
    bodies: new Array(n),
    msgIds: [],
    fingerprints: new Float64Array(0),
    msgIdCounts: new Uint32Array(n),
    scopeNames: [],
    scopeIndex: new Uint32Array(n),
    dedupe: new Uint8Array(n),
  };
  const fingerprints: number[] = [];
  const scopeIndex = new Map<string, number>();
  let lastScope: string | undefined;
  let lastScopeIndex = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    const type = e.event.type;
    let t = batch.typeNames.indexOf(type);
    if (t < 0) t = batch.typeNames.push(type) - 1;
    batch.typeIndex[i] = t;
    batch.bodies[i] = e.json ?? JSON.stringify(e.event);
    const ids = e.msgIds;
    for (let k = 0; k < ids.length; k++) {
      batch.msgIds.push(ids[k]);
      fingerprints.push(e.fingerprints?.[k] ?? NaN);
    }
    batch.msgIdCounts[i] = ids.length;
    // Runs of entries from one sender are the rule (a socket's messages): look the scope up once per run.
    const scope = e.scope ?? '';
    if (scope !== lastScope) {
      lastScope = scope;
      let index = scopeIndex.get(scope);
      if (index === undefined) {
        index = batch.scopeNames.push(scope) - 1;
        scopeIndex.set(scope, index);
      }
      lastScopeIndex = index;
    }
    batch.scopeIndex[i] = lastScopeIndex;
    batch.dedupe[i] = e.dedupe ? 1 : 0;
  }
  batch.fingerprints = Float64Array.from(fingerprints);
  return batch;
}

/** Turns the writer's outcomes back into stamped events, reusing the bodies already serialised. */
function compose(
  entries: readonly AppendEntry[],
  batch: WireBatch,
  outcomes: Float64Array,
  timeMs: number,
  jsons?: readonly string[],
): AppendResult {
  const result: AppendResult = { outcomes: new Array(entries.length), events: [] };
  for (let i = 0; i < entries.length; i++) {
    const o = outcomes[i];
    if (o === OUTCOME_CONFLICT) {
      result.outcomes[i] = { seq: 0, duplicate: false, conflict: true };
      continue;
    }
    if (o < 0) {
      result.outcomes[i] = { seq: -o, duplicate: true };
      continue;
    }
    result.outcomes[i] = { seq: o, duplicate: false };
    // Stamped in place rather than copied: one object less per event on the ingest path.
    const event = entries[i].event as PictureEvent;
    event.seq = o;
    event.timeMs = timeMs;
    result.events.push({ seq: o, type: event.type, json: jsons?.[i] ?? eventJson(o, timeMs, batch.bodies[i]), event });
  }
  return result;
}

/** How often a follower looks for events stored by another process, ms. */
const FOLLOW_POLL_MS = 200;

/** Reads shared by the implementations on SQLite (and the shared log's copy), on a connection of their own. */
export abstract class SqliteReads {
  protected readonly reader: Database.Database;
  private readonly selectMsgId: Database.Statement;
  private readonly selectSince: Database.Statement;
  private readonly followers = new Set<{ seq: number; listener: (events: StoredEvent[]) => void }>();
  private followTimer?: NodeJS.Timeout;

  protected constructor(reader: Database.Database) {
    this.reader = reader;
    this.selectMsgId = reader.prepare(
      'SELECT k.seq, k.fp AS fingerprint FROM msg_keys k JOIN msg_scopes s ON s.id = k.scope_id WHERE s.scope = ? AND k.msg_id = ?',
    );
    this.selectSince = reader.prepare('SELECT seq, type, body AS json FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
  }

  async readSince(since: number, limit: number): Promise<StoredEvent[]> {
    return this.selectSince.all(since, limit) as StoredEvent[];
  }

  private readonly skipping = new Map<string, Database.Statement>();

  async readSkipping(since: number, toSeq: number, limit: number, skip: readonly string[]): Promise<StoredEvent[]> {
    const key = skip.join(',');
    let stmt = this.skipping.get(key);
    if (!stmt) {
      // A statement per set of skipped types (a client asks with the same few): the filter runs in SQLite.
      if (this.skipping.size >= 16) this.skipping.clear();
      const holes = skip.map(() => '?').join(',');
      stmt = this.reader.prepare(`SELECT seq, type, body AS json FROM events WHERE seq > ? AND seq <= ?${skip.length ? ` AND type NOT IN (${holes})` : ''} ORDER BY seq LIMIT ?`);
      this.skipping.set(key, stmt);
    }
    return stmt.all(since, toSeq, ...skip, limit) as StoredEvent[];
  }

  async lookupMsgId(scope: string, msgId: string): Promise<StoredMsgId | undefined> {
    return this.lookupNow(scope, msgId);
  }

  /** {@link lookupMsgId}, answered at once. */
  protected lookupNow(scope: string, msgId: string): StoredMsgId | undefined {
    return this.selectMsgId.get(scope, msgId) as StoredMsgId | undefined;
  }

  follow(since: number, listener: (events: StoredEvent[]) => void): Follower {
    const follower = { seq: since, listener };
    this.followers.add(follower);
    this.followTimer ??= setInterval(() => this.pollFollowers(), FOLLOW_POLL_MS);
    this.followTimer.unref();
    this.pollFollowers();
    return {
      stop: () => {
        this.followers.delete(follower);
        if (this.followers.size === 0) {
          clearInterval(this.followTimer);
          this.followTimer = undefined;
        }
      },
    };
  }

  /** Hands each follower what was stored after its seq, in pages; any writer, this process or another. */
  protected pollFollowers(): void {
    for (const f of this.followers) {
      for (;;) {
        const rows = this.selectSince.all(f.seq, 1000) as StoredEvent[];
        if (rows.length === 0) break;
        f.seq = rows[rows.length - 1].seq;
        f.listener(rows);
        if (!this.followers.has(f) || rows.length < 1000) break;
      }
    }
  }

  /**
   * Hands events just stored, the ones after `fromSeq`, to the followers that were at `fromSeq`,
   * without reading them back; any other follower catches up from the database.
   */
  protected deliver(events: StoredEvent[], fromSeq: number): void {
    if (events.length === 0) return;
    let behind = false;
    for (const f of this.followers) {
      if (f.seq !== fromSeq) {
        behind = true;
        continue;
      }
      f.seq = events[events.length - 1].seq;
      f.listener(events);
    }
    if (behind) this.pollFollowers();
  }

  protected stopFollowing(): void {
    this.followers.clear();
    clearInterval(this.followTimer);
  }
}

/** {@link EventLog} on better-sqlite3 in the calling thread: each append blocks until its fsync. */
export class SqliteEventLog extends SqliteReads implements EventLog {
  private readonly writer: LogWriter;
  private seq: number;

  /** Opens (creating if needed) the log in the SQLite file `file`. */
  constructor(file: string) {
    const db = openLogDatabase(file);
    super(db);
    this.writer = new LogWriter(db);
    this.seq = lastStoredSeq(db);
  }

  lastSeq(): number {
    return this.seq;
  }

  async append(entries: readonly AppendEntry[], timeMs: number): Promise<AppendResult> {
    const batch = toWire(entries);
    const jsons: string[] = new Array(entries.length);
    const outcomes = this.writer.append(batch, timeMs, jsons); // throws, and stores nothing, on failure (P5)
    const result = compose(entries, batch, outcomes, timeMs, jsons);
    if (result.events.length > 0) {
      this.seq = result.events[result.events.length - 1].seq;
      queueMicrotask(() => this.pollFollowers());
    }
    return result;
  }

  async probe(): Promise<void> {
    this.writer.probe(Date.now());
  }

  async close(): Promise<void> {
    this.stopFollowing();
    if (this.reader.open) this.reader.close();
  }
}

/**
 * {@link EventLog} whose commits run on a writer thread: while one transaction and its fsync run,
 * the main thread keeps parsing and validating the next group (P3). Reads use a connection here.
 */
export class ThreadedSqliteEventLog extends SqliteReads implements EventLog {
  private seq: number;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(reply: { outcomes?: Float64Array }): void; reject(err: Error): void }>();
  private failure?: Error;

  private constructor(
    private readonly worker: Worker,
    reader: Database.Database,
  ) {
    super(reader);
    this.seq = lastStoredSeq(reader);
    worker.on('message', (reply: WriterReply) => {
      if (!('id' in reply)) return;
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply);
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the log writer thread stopped (exit code ${code})`)));
  }

  /** Starts the writer thread on `file` (creating the database), then opens the read connection. */
  static async open(file: string): Promise<ThreadedSqliteEventLog> {
    const worker = startWriterThread(file);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (reply: WriterReply) => {
        if ('fatal' in reply) reject(new Error(`the log writer thread could not open ${file}: ${reply.fatal}`));
        else if ('ready' in reply) resolve();
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    return new ThreadedSqliteEventLog(worker, openLogDatabase(file, { readonly: true }));
  }

  lastSeq(): number {
    return this.seq;
  }

  private request(msg: WriterRequest): Promise<{ outcomes?: Float64Array }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(msg.id, { resolve, reject });
      this.worker.postMessage(msg);
    });
  }

  async append(entries: readonly AppendEntry[], timeMs: number): Promise<AppendResult> {
    const batch = toWire(entries);
    const reply = await this.request({ kind: 'append', id: this.nextId++, batch, timeMs });
    const result = compose(entries, batch, reply.outcomes!, timeMs);
    if (result.events.length > 0) {
      this.seq = result.events[result.events.length - 1].seq;
      queueMicrotask(() => this.pollFollowers());
    }
    return result;
  }

  async probe(): Promise<void> {
    await this.request({ kind: 'probe', id: this.nextId++ });
  }

  async close(): Promise<void> {
    this.stopFollowing();
    if (!this.failure) await this.request({ kind: 'close', id: this.nextId++ }).catch(() => undefined);
    await this.worker.terminate();
    if (this.reader.open) this.reader.close();
  }
}

/** Starts the writer thread on `file` (the module next to this one, `.ts` under tsx, `.js` when built). */
function startWriterThread(file: string): Worker {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return startModuleWorker(new URL(`sqlite-writer-thread${ext}`, import.meta.url), { file });
}

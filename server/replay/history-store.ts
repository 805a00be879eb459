// The replay history (server/replay, issue 16): picture checkpoints kept beside the event log in a
// SQLite file of their own (`history.db`), each the picture's JSON text gzipped, keyed by the seq it
// was taken at. A seek to a past moment starts from the newest checkpoint at or before it and folds
// the log after it. Checkpoints can always be made again from the log, so their commits are not
// fsynced (synchronous=OFF): a write never waits for the disk, and losing the last ones in a power
// cut costs only a longer fold.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** The history database inside a data folder. */
export function historyFile(dataDir: string): string {
  return path.join(dataDir, 'history.db');
}

/** One stored checkpoint: the picture at `seq`, taken at `timeMs` (ms since epoch). */
export interface Checkpoint {
  seq: number;
  timeMs: number;
  /** The picture's JSON text, gzipped. */
  body: Buffer;
}

/**
 * The picture's JSON text, gzipped on libuv's thread pool (the event loop goes on meanwhile).
 * @example await compressPicture('{"seq":0}') // a Buffer starting 1f 8b
 */
export function compressPicture(json: string): Promise<Buffer> {
  return gzipAsync(Buffer.from(json, 'utf8'), { level: 6 });
}

/** A checkpoint's JSON text (for the seek thread, where blocking is harmless). */
export function checkpointText(body: Buffer): string {
  return gunzipSync(body).toString('utf8');
}

/** Checkpoints in `history.db`: written by the server, read by the seek threads (read-only). */
export class HistoryStore {
  private readonly db: Database.Database;
  private readonly insert?: Database.Statement;
  private readonly atOrBefore: Database.Statement;
  private readonly newestStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private readonly pruneStmt?: Database.Statement;

  /** Opens (creating when not `readonly`) the history in `file`. */
  constructor(file: string, opts: { readonly?: boolean } = {}) {
    if (!opts.readonly) mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = OFF');
      this.db.exec('CREATE TABLE IF NOT EXISTS checkpoints (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, body BLOB NOT NULL)');
      this.insert = this.db.prepare('INSERT OR REPLACE INTO checkpoints (seq, time_ms, body) VALUES (?, ?, ?)');
      // The newest checkpoint is never pruned: it is where a seek to any later moment starts.
      this.pruneStmt = this.db.prepare('DELETE FROM checkpoints WHERE time_ms < ? AND seq < (SELECT MAX(seq) FROM checkpoints)');
    }
    // By the primary key: the newest at or before a seq is one step down the index, never a scan.
    this.atOrBefore = this.db.prepare('SELECT seq, time_ms AS timeMs, body FROM checkpoints WHERE seq <= ? ORDER BY seq DESC LIMIT 1');
    this.newestStmt = this.db.prepare('SELECT seq, time_ms AS timeMs FROM checkpoints ORDER BY seq DESC LIMIT 1');
    this.countStmt = this.db.prepare('SELECT COUNT(*) FROM checkpoints').pluck();
  }

  /** Stores a checkpoint (replacing one of the same seq). */
  write(seq: number, timeMs: number, body: Buffer): void {
    if (!this.insert) throw new Error('the history is open read-only');
    this.insert.run(seq, timeMs, body);
  }

  /** The newest checkpoint taken at or before `seq`, or undefined. */
  atOrBeforeSeq(seq: number): Checkpoint | undefined {
    return this.atOrBefore.get(seq) as Checkpoint | undefined;
  }

  /** Seq and time of the newest checkpoint, or undefined when there is none. */
  newest(): { seq: number; timeMs: number } | undefined {
    return this.newestStmt.get() as { seq: number; timeMs: number } | undefined;
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  /** Deletes checkpoints taken before `beforeMs`, but never the newest; returns how many went. */
  prune(beforeMs: number): number {
    if (!this.pruneStmt) throw new Error('the history is open read-only');
    return this.pruneStmt.run(beforeMs).changes;
  }

  /** Groups writes into one transaction (the benchmark's builder). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

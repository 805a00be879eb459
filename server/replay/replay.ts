// The after-action replay (server/replay, issue 16), as the HTTP routes see it: the log's bounds, the
// seq that stood at a moment, windows of the log, and the picture at a past moment, found by a seek
// thread (seek-thread.ts) so it never holds the live stream. At most `threads` seeks run at once and
// `queue` more wait; further ones are refused at once (the routes answer 503 with Retry-After). The
// checkpoints the seeks start from are written by the checkpointer (checkpointer.ts) beside the log.
import Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Picture } from '@corridor/protocol';
import { startModuleWorker } from '../worker.js';
import type { AppendedEvent } from '../log/event-log.js';
import { Checkpointer } from './checkpointer.js';
import { historyFile, HistoryStore } from './history-store.js';
import { LogIndex } from './seek.js';
import type { SeekReply, SeekRequest } from './seek-thread.js';

/** A seek that cannot be answered: `unavailable` (busy, retry soon) or `outside_window` (too old). */
export class ReplayError extends Error {
  constructor(
    readonly code: 'unavailable' | 'outside_window',
    message: string,
    /** Seconds after which a retry may succeed (busy). */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** The picture at a past moment, as JSON text (the whole picture: the outbox passes it to each audience). */
export interface SeekAnswer {
  seq: number;
  json: string;
  /** The checkpoint the fold started from, events folded, and ms the seek took on its thread. */
  fromSeq: number;
  folded: number;
  ms: number;
}

/** The log's first and last events, for a slider (0 and 0 when the log is empty). */
export interface ReplayRange {
  firstSeq: number;
  firstMs: number;
  lastSeq: number;
  lastMs: number;
}

export interface ReplayOptions {
  /** The event log's database file (read here on connections of its own, read-only). */
  logFile: string;
  /** The data folder: the history goes in `history.db` there. */
  dataDir: string;
  /** The live picture, for checkpoints. */
  picture: () => Picture;
  /** Subscribes to committed batches (the store's `onCommit`); returns the unsubscribe function. */
  onCommit: (listener: (events: AppendedEvent[]) => void) => () => void;
  logger: Logger;
  /** A checkpoint every this many events (default 100,000) ... */
  checkpointEvery?: number;
  /** ... or this long after the last one when there are new events, ms (default 10 min). */
  checkpointIntervalMs?: number;
  /** Checkpoints are kept this long, ms (default 7 days; `CORRIDOR_HISTORY_DAYS`). */
  retentionMs?: number;
  /** Seeks running at once, each on a thread of its own (default 1). */
  threads?: number;
  /** Seeks that may wait for a thread (default 2); more are refused. */
  queue?: number;
  /** A seek folds at most this many events after its checkpoint (default 1,000,000). */
  maxFold?: number;
}

interface Waiting {
  atMs: number;
  resolve(answer: SeekAnswer): void;
  reject(err: Error): void;
}

interface SeekThread {
  worker: Worker;
  ready: Promise<void>;
  current?: { id: number; waiting: Waiting };
}

/** The replay's reads, its seek threads and its checkpoints. */
export class ReplayService {
  readonly history: HistoryStore;
  readonly checkpointer: Checkpointer;
  private readonly logDb: Database.Database;
  private readonly index: LogIndex;
  private readonly threads: SeekThread[] = [];
  private readonly waiting: Waiting[] = [];
  private readonly unsubscribe: () => void;
  private readonly maxThreads: number;
  private readonly maxQueue: number;
  private readonly maxFold: number;
  private readonly historyPath: string;
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: ReplayOptions) {
    this.historyPath = historyFile(opts.dataDir);
    this.history = new HistoryStore(this.historyPath);
    this.logDb = new Database(opts.logFile, { readonly: true, fileMustExist: true });
    this.logDb.pragma('busy_timeout = 5000');
    this.index = new LogIndex(this.logDb);
    this.maxThreads = Math.max(1, opts.threads ?? 1);
    this.maxQueue = Math.max(0, opts.queue ?? 2);
    this.maxFold = opts.maxFold ?? 1_000_000;
    this.checkpointer = new Checkpointer({
      history: this.history,
      picture: opts.picture,
      logger: opts.logger,
      every: opts.checkpointEvery,
      intervalMs: opts.checkpointIntervalMs,
      retentionMs: opts.retentionMs,
    });
    this.unsubscribe = opts.onCommit((events) => this.checkpointer.committed(events.length));
    // Events the history has no checkpoint after (a first start on an existing log, or a history
    // deleted) count as new: a checkpoint follows on the usual schedule, at once when there are many.
    const behind = opts.picture().seq - (this.history.newest()?.seq ?? 0);
    if (behind > 0) this.checkpointer.committed(behind);
  }

  /** The log's bounds (two lookups by primary key). */
  range(): ReplayRange {
    const b = this.index.bounds();
    return b ? { firstSeq: b.first.seq, firstMs: b.first.timeMs, lastSeq: b.last.seq, lastMs: b.last.timeMs } : { firstSeq: 0, firstMs: 0, lastSeq: 0, lastMs: 0 };
  }

  /** The seq of the last event stored at or before `atMs` (0 before the first): a binary search. */
  seqAt(atMs: number): number {
    return this.index.seqAt(atMs);
  }

  /** Stored events with `after < seq <= upTo`, at most `limit`, in order. */
  read(after: number, upTo: number, limit: number): { seq: number; type: string; json: string }[] {
    return this.index.read(after, upTo, limit);
  }

  /**
   * The whole picture after the last event stored at or before `atMs`, found on a seek thread.
   * Rejects with {@link ReplayError}: `unavailable` when every thread is busy and the queue is full,
   * `outside_window` when the moment is older than the checkpoints kept and the log too long to fold.
   */
  seek(atMs: number): Promise<SeekAnswer> {
    if (this.closed) return Promise.reject(new ReplayError('unavailable', 'the server is shutting down'));
    const busy = this.threads.filter((t) => t.current).length;
    if (busy >= this.maxThreads && this.waiting.length >= this.maxQueue) {
      return Promise.reject(
        new ReplayError('unavailable', `${busy} seek${busy === 1 ? ' is' : 's are'} under way and ${this.waiting.length} waiting, the most this server takes at once: try again in a moment`, 1),
      );
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ atMs, resolve, reject });
      this.dispatch();
    });
  }

  /** Seeks running and waiting (status, tests). */
  get load(): { running: number; waiting: number } {
    return { running: this.threads.filter((t) => t.current).length, waiting: this.waiting.length };
  }

  /** Stops the seek threads, writes a last checkpoint when there are new events and closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const w of this.waiting.splice(0)) w.reject(new ReplayError('unavailable', 'the server is shutting down'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    await this.checkpointer.stop();
    this.history.close();
    this.logDb.close();
  }

  /** Hands waiting seeks to idle threads, starting threads up to the limit. */
  private dispatch(): void {
    while (this.waiting.length > 0) {
      let thread = this.threads.find((t) => !t.current);
      if (!thread && this.threads.length < this.maxThreads) thread = this.startThread();
      if (!thread) return;
      const waiting = this.waiting.shift()!;
      const id = this.nextId++;
      const t = thread;
      t.current = { id, waiting };
      t.ready.then(
        () => t.worker.postMessage({ id, atMs: waiting.atMs, maxFold: this.maxFold } satisfies SeekRequest),
        (err: Error) => this.finish(t, undefined, err),
      );
    }
  }

  private finish(t: SeekThread, answer: SeekAnswer | undefined, err?: Error): void {
    const current = t.current;
    t.current = undefined;
    if (current) {
      if (answer) current.waiting.resolve(answer);
      else current.waiting.reject(err!);
    }
    if (!this.closed) this.dispatch();
  }

  private startThread(): SeekThread {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const worker = startModuleWorker(new URL(`seek-thread${ext}`, import.meta.url), { logFile: this.opts.logFile, historyFile: this.historyPath });
    worker.unref();
    let started!: () => void;
    let failed!: (err: Error) => void;
    const thread: SeekThread = { worker, ready: new Promise<void>((resolve, reject) => ((started = resolve), (failed = reject))) };
    thread.ready.catch(() => undefined);
    worker.on('message', (reply: SeekReply) => {
      if ('ready' in reply) return started();
      if ('fatal' in reply) return failed(new Error(`the seek thread could not open the log: ${reply.fatal}`));
      if (thread.current?.id !== reply.id) return;
      if ('error' in reply) {
        this.finish(thread, undefined, reply.tooFar ? new ReplayError('outside_window', reply.error) : new Error(reply.error));
      } else this.finish(thread, { seq: reply.seq, json: reply.json, fromSeq: reply.fromSeq, folded: reply.folded, ms: reply.ms });
    });
    const lost = (err: Error) => {
      failed(err);
      // A thread that died is dropped; the next seek starts another.
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
      if (!this.closed) this.opts.logger.error({ err: err.message }, 'a replay seek thread stopped');
      this.finish(thread, undefined, new ReplayError('unavailable', 'the seek failed: its thread stopped; try again', 1));
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    this.threads.push(thread);
    return thread;
  }
}

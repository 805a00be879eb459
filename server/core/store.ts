// The live picture and its ingestion path (server/core): group commit into the event log, ack after
// durability, the router hook, zone expiry and periodic snapshots. Every input goes through submit().
import type { Logger } from 'pino';
import type { CorridorEngine } from '../../routing/types.js';
import { applyEventsInPlace } from '@corridor/protocol';
import { corridorEvent } from './corridor-event.js';
import { commandFingerprint, reportFingerprint } from './fingerprint.js';
import {
  commandToEvent,
  existsIn,
  toUnit,
  newId,
  positionEventJson,
  removedEntity,
  ROUTING_EVENT_TYPES,
  SYSTEM_ACTOR,
  upsertedEntity,
  type Command,
  type EntitySlice,
} from './commands.js';
import type { AppendEntry, AppendedEvent, AppendOutcome, AppendResult, EventLog, StoredEvent } from '../log/event-log.js';
import { FailingCondition, type Failing } from '../util/failing-condition.js';
import { emptyPicture, type Actor, type Corridor, type NewEvent, type Picture, type PictureEvent } from '@corridor/protocol';
import type { ProtocolError } from '@corridor/protocol';

/** A command refused with a contract error (P5: nothing of it was stored). */
export class CommandError extends Error {
  constructor(readonly error: ProtocolError) {
    super(error.message);
    this.name = 'CommandError';
  }
}

/** What a durable submit answers: the event's seq, and whether it was a retry of a stored msgId (P8). */
export interface SubmitResult {
  seq: number;
  duplicate: boolean;
}

/**
 * Who submits a command: the actor recorded on its event (audit trail) and the namespace of its
 * msgIds (P8): a sender's msgIds are its own, so two senders that both number their messages 1, 2, 3
 * never answer each other's. The gateway makes one per token (gateway/sender.ts).
 */
export interface Submitter {
  actor?: Actor;
  /** `tk:<token id>`, or `unit:<unit>` for a token bound to one unit; `''` for the server itself. */
  scope: string;
}

/** The error of a msgId reused for other content (P8): nothing is stored, and the client should not retry it. */
export function conflictError(msgId: string, path = 'msgId'): ProtocolError {
  return {
    code: 'conflict',
    message: `msgId ${JSON.stringify(msgId)} was already used by this sender for a different message; a new message needs a new msgId`,
    path,
  };
}

export interface StoreOptions {
  log: EventLog;
  logger: Logger;
  /** The router; corridors it returns are appended as `corridor.recomputed` events. */
  engine?: CorridorEngine;
  /** Snapshot after this many events (default 20,000) ... */
  snapshotEvery?: number;
  /** ... or this long after the last one when there are new events, ms (default 60 s). */
  snapshotIntervalMs?: number;
  /** Clock, ms since epoch (tests inject one). */
  now?: () => number;
}

/**
 * Called once when a submitted command is settled: with an error (nothing stored, P5), or with its
 * result once durable (P3). A callback rather than a promise: at tens of thousands of updates a
 * second, a promise and its reaction job per update were a measurable share of the ingest path.
 */
export type SubmitCallback = (error: Error | undefined, result?: SubmitResult) => void;

interface Pending {
  entry: AppendEntry & { scope: string };
  done: SubmitCallback;
  /** Retries of this entry's msgIds that arrived while it was queued (P8). */
  retries?: SubmitCallback[];
  /** For a corridor event: the whole corridor the picture holds once it is folded (P11). */
  corridor?: Corridor;
}

/** Events read per page while replaying the log at start-up. */
const REPLAY_PAGE = 5000;
/** Longest timer delay Node accepts is 2^31−1 ms; further expiries are re-checked hourly. */
const MAX_TIMER_MS = 3_600_000;
/** While commits fail, how often the log is tried again without waiting for an update (a snapshot), ms. */
const PROBE_MS = 5000;
/** Commits of position batches that may be handed to the log before the first is durable. */
const MAX_COMMITS_IN_FLIGHT = 4;

/**
 * Holds the picture and is the one way to change it. Commands queue while a commit runs and go into
 * the next transaction together (P3 group commit); each is acked only once its transaction is on disk.
 */
export class PictureStore {
  /** The live picture (slices replaced, never mutated, so handed-out snapshots stay valid). */
  readonly picture: Picture;
  private readonly log: EventLog;
  private readonly logger: Logger;
  private readonly engine?: CorridorEngine;
  private readonly now: () => number;
  private readonly snapshotEvery: number;
  private readonly snapshotIntervalMs: number;
  private queue: Pending[] = [];
  /** Each actor's JSON text, made once: a connection's events all share one actor object. */
  private readonly actorJsons = new WeakMap<Actor, string>();
  /** Existence of entities as changed by queued, uncommitted commands: `slice:id` → exists. */
  private queued = new Map<string, boolean>();
  /** Corridors of queued corridor events by convoy, the latest last: what a new refresh applies to (P11). */
  private queuedCorridors = new Map<string, Corridor | undefined>();
  /** Scope and msgId ({@link msgKey}) → the queued or committing entry that carries it (P8 while in flight). */
  private readonly inflight = new Map<string, Pending>();
  /** Commits to the log, while they fail (health, and one log line instead of one per commit). */
  private readonly commits: FailingCondition;
  private readonly snapshots: FailingCondition;
  private probeTimer?: NodeJS.Timeout;
  /** Commits handed to the log and not yet settled, oldest first. */
  private readonly inFlight: Array<{ batch: Pending[]; positionsOnly: boolean }> = [];
  /** Entries in the commits under way. */
  private committing = 0;
  private flushScheduled = false;
  private closed = false;
  private readonly listeners = new Set<(events: AppendedEvent[]) => void>();
  private expiryTimer?: NodeJS.Timeout;
  private snapshotTimer?: NodeJS.Timeout;
  private eventsSinceSnapshot = 0;
  private lastSnapshotMs: number;
  private idleWaiters: Array<() => void> = [];
  /** Commit figures since the last {@link takeStats} call. */
  private stats = { commits: 0, events: 0, commitMs: 0, maxCommitMs: 0 };

  private constructor(opts: StoreOptions, picture: Picture) {
    this.log = opts.log;
    this.logger = opts.logger;
    this.engine = opts.engine;
    this.now = opts.now ?? Date.now;
    this.snapshotEvery = opts.snapshotEvery ?? 20_000;
    this.snapshotIntervalMs = opts.snapshotIntervalMs ?? 60_000;
    this.picture = picture;
    this.lastSnapshotMs = this.now();
    this.commits = new FailingCondition(this.logger, 'committing to the event log', 10_000, this.now);
    this.snapshots = new FailingCondition(this.logger, 'writing a picture snapshot (a restart replays more of the log meanwhile)', 60_000, this.now);
  }

  /** Whether commits are failing (a full disk, a read-only file): since when and why; undefined when healthy. */
  get failing(): Readonly<Failing> | undefined {
    return this.commits.state;
  }

  /**
   * Opens the store: latest snapshot + replay of the log tail, then `engine.init` (its corridors are
   * appended) and removal of zones that expired while the server was down.
   */
  static async open(opts: StoreOptions): Promise<PictureStore> {
    const picture = (await opts.log.latestSnapshot()) ?? emptyPicture();
    const fromSnapshot = picture.seq;
    for (;;) {
      const rows = await opts.log.readSince(picture.seq, REPLAY_PAGE);
      if (rows.length === 0) break;
      applyEventsInPlace(picture, rows.map((r) => JSON.parse(r.json) as PictureEvent));
    }
    const store = new PictureStore(opts, picture);
    opts.logger.info(
      { seq: picture.seq, snapshotSeq: fromSnapshot, replayed: picture.seq - fromSnapshot },
      'picture restored from the event log',
    );
    if (store.engine) {
      try {
        const corridors = store.engine.init(store.picture);
        store.enqueueCorridors(corridors);
      } catch (err) {
        opts.logger.error({ err }, 'the router failed to initialise its corridors');
      }
    }
    store.expireDue();
    store.snapshotTimer = setInterval(() => store.maybeSnapshot(true), Math.min(store.snapshotIntervalMs, MAX_TIMER_MS));
    store.snapshotTimer.unref();
    await store.idle();
    return store;
  }

  /** Commands queued or committing, not yet settled: the ingest backlog (WebSocket input pauses on it). */
  get backlog(): number {
    return this.queue.length + this.committing;
  }

  /** Seq of the last committed event. */
  get seq(): number {
    return this.picture.seq;
  }

  /** Calls `listener` with every committed batch, in seq order; returns the unsubscribe function. */
  onCommit(listener: (events: AppendedEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stored events with seq > `since` (resync, audit trail). */
  readSince(since: number, limit: number): Promise<StoredEvent[]> {
    return this.log.readSince(since, limit);
  }

  /**
   * Queues a validated command for the next group commit; resolves once durable (P3) with its seq.
   * A known `msgId` resolves with the seq it was first stored with and stores nothing (P8); so does a
   * `positions` batch whose reports all carry known msgIds (HTTP). Rejects with {@link CommandError}.
   */
  submit(cmd: Command, by?: Submitter): Promise<SubmitResult> {
    return new Promise((resolve, reject) => this.submitWith(cmd, by, (err, result) => (err ? reject(err) : resolve(result!))));
  }

  private actorJson(actor: Actor): string {
    let json = this.actorJsons.get(actor);
    if (json === undefined) {
      json = JSON.stringify(actor);
      this.actorJsons.set(actor, json);
    }
    return json;
  }

  /**
   * {@link submit} with a callback instead of a promise, for the WebSocket hot path. `done` is called
   * exactly once: after the commit (P3), or before this returns for a refusal (P5) or a retry of a
   * stored msgId (P8).
   */
  submitWith(cmd: Command, by: Submitter | undefined, done: SubmitCallback): void {
    if (this.closed) return done(new CommandError({ code: 'unavailable', message: 'the server is shutting down' }));
    const actor = by?.actor;
    const scope = by?.scope ?? '';
    if (cmd.type === 'position' && cmd.msgId !== undefined) {
      // Hot path (most traffic): no in-flight map either. A retry that arrives while the first copy
      // is queued or committing is caught by the commit itself, whose msgId insert finds the first
      // copy in the same or the previous transaction and answers its seq, or a conflict (P8).
      const unit = toUnit(cmd, this.now());
      const event: NewEvent =
        actor === undefined
          ? { msgId: cmd.msgId, type: 'position.reported', units: [unit] }
          : { msgId: cmd.msgId, actor, type: 'position.reported', units: [unit] };
      const json = positionEventJson(cmd.msgId, actor === undefined ? undefined : this.actorJson(actor), unit);
      const entry = { event, json, msgIds: [cmd.msgId], fingerprints: [reportFingerprint(cmd)], scope, dedupe: true };
      this.queue.push({ entry, done });
      this.scheduleFlush();
      return;
    }
    if (cmd.msgId !== undefined) {
      // Positions cannot be refused by state, so their retries are caught inside the commit (the
      // msgId insert) instead of by a lookup per update; other kinds look up first, since a retried
      // removal must be acked with its first seq, not refused as not_found (P8).
      const hot = cmd.type === 'position' || cmd.type === 'positions';
      const fingerprint = commandFingerprint(cmd);
      if (this.known(scope, cmd.msgId, fingerprint, !hot, done)) return;
      return this.enqueueCommand(cmd, by, [cmd.msgId], [fingerprint], done, hot);
    }
    if (cmd.type === 'positions') {
      // P5: a batch is accepted whole or not at all, so a report that reuses a msgId for other
      // content refuses the batch before anything of it is queued.
      const fingerprints = cmd.reports.map((r) => (r.msgId === undefined ? NaN : reportFingerprint(r)));
      for (let i = 0; i < cmd.reports.length; i++) {
        const id = cmd.reports[i].msgId;
        if (id !== undefined && this.conflicts(scope, id, fingerprints[i])) return done(new CommandError(conflictError(id, `reports[${i}].msgId`)));
      }
      const fresh: typeof cmd.reports = [];
      const freshPrints: number[] = [];
      const seenSeqs: number[] = [];
      let waiting = 0;
      let scanned = false;
      let failed: Error | undefined;
      // Every report a retry: answered once all are settled, with the newest first seq (P8).
      const finishIfAllKnown = () => {
        if (!scanned || fresh.length > 0 || waiting > 0) return;
        if (failed) done(failed);
        else done(undefined, { seq: Math.max(...seenSeqs), duplicate: true });
      };
      // A msgId twice in one batch: the same report twice is one report; two different ones are a conflict.
      const firstPrint = new Map<string, number>();
      for (let i = 0; i < cmd.reports.length; i++) {
        const id = cmd.reports[i].msgId;
        if (id === undefined) continue;
        const seen = firstPrint.get(id);
        if (seen === undefined) firstPrint.set(id, fingerprints[i]);
        else if (seen !== fingerprints[i]) return done(new CommandError(conflictError(id, `reports[${i}].msgId`)));
      }
      const ids = new Set<string>();
      cmd.reports.forEach((report, i) => {
        if (report.msgId === undefined) fresh.push(report);
        else if (ids.has(report.msgId)) return;
        else {
          ids.add(report.msgId);
          waiting++;
          const isKnown = this.known(scope, report.msgId, fingerprints[i], true, (err, r) => {
            waiting--;
            if (err) failed ??= err;
            else seenSeqs.push(r!.seq);
            finishIfAllKnown();
          });
          if (!isKnown) {
            waiting--;
            fresh.push(report);
            freshPrints.push(fingerprints[i]);
          }
        }
      });
      scanned = true;
      if (fresh.length === 0) return finishIfAllKnown();
      const msgIds = fresh.flatMap((r) => (r.msgId === undefined ? [] : [r.msgId]));
      const prints = freshPrints.filter((f) => !Number.isNaN(f));
      return this.enqueueCommand({ ...cmd, reports: fresh }, by, msgIds, prints, done);
    }
    return this.enqueueCommand(cmd, by, [], [], done);
  }

  /**
   * Commits, events and time spent committing (ms, total and longest) since the last call; for the
   * server's once-a-second log summary.
   */
  takeStats(): { commits: number; events: number; commitMs: number; maxCommitMs: number } {
    const stats = this.stats;
    this.stats = { commits: 0, events: 0, commitMs: 0, maxCommitMs: 0 };
    return stats;
  }

  /** Resolves when nothing is queued or committing (tests, shutdown). */
  idle(): Promise<void> {
    if (this.inFlight.length === 0 && !this.flushScheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Commits what is queued, writes a last snapshot and closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.idle();
    this.closed = true;
    clearTimeout(this.expiryTimer);
    clearInterval(this.snapshotTimer);
    clearTimeout(this.probeTimer);
    if (this.eventsSinceSnapshot > 0) await this.snapshot();
    await this.log.close();
  }

  // ------------------------------------------------------------ queueing

  /** The in-flight key of a sender's msgId (scopes and msgIds hold no control characters). */
  private static msgKey(scope: string, msgId: string): string {
    return `${scope}\n${msgId}`;
  }

  /** The fingerprint a queued or committing entry carries for one of its msgIds. */
  private static printOf(p: Pending, msgId: string): number {
    const i = p.entry.msgIds.indexOf(msgId);
    return p.entry.fingerprints?.[i] ?? NaN;
  }

  /** Whether a sender's msgId is queued, committing or stored with a fingerprint other than `fingerprint` (P8). */
  private conflicts(scope: string, msgId: string, fingerprint: number): boolean {
    const pending = this.inflight.get(PictureStore.msgKey(scope, msgId));
    const other = pending ? PictureStore.printOf(pending, msgId) : this.log.lookupMsgId(scope, msgId)?.fingerprint;
    return other !== undefined && other !== null && !Number.isNaN(other) && !Number.isNaN(fingerprint) && other !== fingerprint;
  }

  /**
   * Whether a sender's `msgId` is already queued, committing or (when `lookup`) stored (P8). If so,
   * `done` gets the first seq as a duplicate (at once when stored, or when the queued entry
   * commits), or at once a `conflict` error when it came with other content.
   */
  private known(scope: string, msgId: string, fingerprint: number, lookup: boolean, done: SubmitCallback): boolean {
    const pending = this.inflight.get(PictureStore.msgKey(scope, msgId));
    if (pending) {
      const other = PictureStore.printOf(pending, msgId);
      if (!Number.isNaN(other) && !Number.isNaN(fingerprint) && other !== fingerprint) {
        done(new CommandError(conflictError(msgId)));
        return true;
      }
      (pending.retries ??= []).push((err, r) => (err ? done(err) : done(undefined, { seq: r!.seq, duplicate: true })));
      return true;
    }
    const stored = lookup ? this.log.lookupMsgId(scope, msgId) : undefined;
    if (stored === undefined) return false;
    if (stored.fingerprint !== null && !Number.isNaN(fingerprint) && stored.fingerprint !== fingerprint) {
      done(new CommandError(conflictError(msgId)));
      return true;
    }
    done(undefined, { seq: stored.seq, duplicate: true });
    return true;
  }

  private exists = (slice: EntitySlice, id: string): boolean => {
    const queued = this.queued.get(`${slice}:${id}`);
    return queued ?? existsIn(this.picture, slice, id);
  };

  private readonly newIdNow = (prefix: string): string => newId(prefix, this.now());

  private enqueueCommand(cmd: Command, by: Submitter | undefined, msgIds: string[], fingerprints: number[], done: SubmitCallback, dedupe = false): void {
    const result = commandToEvent(cmd, { nowMs: this.now(), actor: by?.actor, exists: this.exists, newId: this.newIdNow });
    if (!result.ok) return done(new CommandError(result.error));
    this.enqueue({ event: result.event, msgIds, fingerprints, scope: by?.scope ?? '', dedupe }, done);
  }

  private enqueueSystem(event: NewEvent, corridor?: Corridor): void {
    this.enqueue({ event: { ...event, actor: SYSTEM_ACTOR } as NewEvent, msgIds: [], scope: '' }, ignoreSettled, corridor);
  }

  /**
   * Appends the router's corridors, each as the event that turns the corridor the picture will
   * hold by then (queued, else current) into the new one: a figures-only refresh when it can (P11).
   */
  private enqueueCorridors(corridors: readonly Corridor[]): void {
    for (const c of corridors) {
      const held = this.queuedCorridors.has(c.convoyId) ? this.queuedCorridors.get(c.convoyId) : this.picture.corridors[c.convoyId];
      this.enqueueSystem(corridorEvent(held, c), c);
    }
  }

  private enqueue(entry: Pending['entry'], done: SubmitCallback, corridor?: Corridor): void {
    this.noteQueued(entry.event);
    this.noteQueuedCorridor(entry.event, corridor);
    const pending: Pending = { entry, done, corridor };
    // Dedupe entries need no in-flight entry: their commit answers a retry itself (P8).
    if (!entry.dedupe) for (let i = 0; i < entry.msgIds.length; i++) this.inflight.set(PictureStore.msgKey(entry.scope, entry.msgIds[i]), pending);
    this.queue.push(pending);
    this.scheduleFlush();
  }

  /** Settles a committed or failed entry, its in-flight retries, and forgets its msgIds. */
  private settleEntry(p: Pending, outcome: AppendOutcome | Error): void {
    const ids = p.entry.msgIds;
    if (!p.entry.dedupe) for (let i = 0; i < ids.length; i++) this.inflight.delete(PictureStore.msgKey(p.entry.scope, ids[i]));
    const result = outcome instanceof Error ? outcome : outcome.conflict ? new CommandError(conflictError(ids[0])) : outcome;
    const err = result instanceof Error ? result : undefined;
    const ok = err ? undefined : { seq: (result as AppendOutcome).seq, duplicate: (result as AppendOutcome).duplicate };
    // A throwing callback must not leave the rest of the group unanswered.
    try {
      p.done(err, ok);
    } catch (e) {
      this.logger.error({ err: e }, 'a submit callback failed');
    }
    if (p.retries) for (const r of p.retries) r(err, ok);
  }

  private noteQueuedCorridor(event: NewEvent, corridor: Corridor | undefined): void {
    if (corridor) this.queuedCorridors.set(corridor.convoyId, corridor);
    // A queued removal means no corridor is held by then (P9): a later one goes whole.
    else if (event.type === 'convoy.removed') this.queuedCorridors.set(event.id, undefined);
  }

  private noteQueued(event: NewEvent): void {
    if (event.type === 'position.reported' || event.type === 'corridor.recomputed' || event.type === 'corridor.refreshed') return; // hot path: no entity
    const up = upsertedEntity(event);
    if (up) this.queued.set(`${up[0]}:${up[1]}`, true);
    const removed = removedEntity(event);
    if (removed) this.queued.set(`${removed[0]}:${removed[1]}`, false);
  }

  /**
   * Whether the queue may be handed to the log now. One commit at a time, except that batches of
   * position reports only may follow each other into the log before the earlier ones are durable:
   * a fix changes no entity's existence, so nothing queued behind it was checked against an outcome
   * that could still fail. The log commits them in order (P1), and the writer thread joins what has
   * reached it into one transaction, so its commits follow each other without a gap for the
   * hand-over. Bounded, so a stalled log cannot collect unbounded work.
   */
  private canFlush(): boolean {
    if (this.inFlight.length === 0) return true;
    if (this.inFlight.length >= MAX_COMMITS_IN_FLIGHT) return false;
    return this.inFlight.every((c) => c.positionsOnly);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.canFlush()) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: messages already read from sockets join this group (P3).
    setImmediate(() => {
      this.flushScheduled = false;
      // A fault in folding or answering must not become an unhandled rejection, which ends the process.
      this.flush().catch((err) => this.logger.error({ err }, 'a group commit failed after it was stored'));
    });
  }

  private async flush(): Promise<void> {
    if (!this.canFlush() || this.queue.length === 0) return this.settle();
    const batch = this.queue;
    this.queue = [];
    let positionsOnly = true;
    for (let i = 0; i < batch.length; i++) {
      if (batch[i].entry.event.type !== 'position.reported') {
        positionsOnly = false;
        break;
      }
    }
    const commit = { batch, positionsOnly };
    this.inFlight.push(commit);
    this.committing += batch.length;
    let result: AppendResult | undefined;
    const started = performance.now();
    try {
      result = await this.log.append(
        batch.map((p) => p.entry),
        this.now(),
      );
      const ms = performance.now() - started;
      this.stats.commits++;
      this.stats.events += result.events.length;
      this.stats.commitMs += ms;
      this.stats.maxCommitMs = Math.max(this.stats.maxCommitMs, ms);
      this.commits.ok();
    } catch (err) {
      this.commits.fail(err, { events: batch.length });
      this.scheduleProbe();
      const error = new CommandError({ code: 'unavailable', message: 'the update could not be stored; try again' });
      for (const p of batch) this.settleEntry(p, error);
    }
    if (result) {
      const appended = result.events;
      applyEventsInPlace(
        this.picture,
        appended.map((a) => a.event),
      );
      for (let i = 0; i < batch.length; i++) this.settleEntry(batch[i], result.outcomes[i]);
      this.logger.debug({ events: appended.length, seq: this.picture.seq }, 'batch committed');
      if (appended.length > 0) for (const listener of this.listeners) {
        try {
          listener(appended);
        } catch (err) {
          this.logger.error({ err }, 'a commit listener failed');
        }
      }
      if (appended.length > 0) this.afterCommit(appended);
    }
    // Commits settle in the order they were handed over (the log answers in seq order).
    this.inFlight.splice(this.inFlight.indexOf(commit), 1);
    this.committing -= batch.length;
    // Rebuild the queued-existence view from what is not folded yet: later commits still under way
    // (a batch handed over behind fixes), then what arrived meanwhile.
    this.queued = new Map();
    this.queuedCorridors = new Map();
    for (const c of this.inFlight) {
      for (const p of c.batch) {
        this.noteQueued(p.entry.event);
        this.noteQueuedCorridor(p.entry.event, p.corridor);
      }
    }
    for (const p of this.queue) {
      this.noteQueued(p.entry.event);
      this.noteQueuedCorridor(p.entry.event, p.corridor);
    }
    if (this.queue.length > 0) this.scheduleFlush();
    else this.settle();
  }

  private settle(): void {
    if (this.inFlight.length > 0 || this.flushScheduled || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // ------------------------------------------------------------ after each commit

  private afterCommit(appended: AppendedEvent[]): void {
    let routing = false;
    let zones = false;
    for (const a of appended) {
      if (ROUTING_EVENT_TYPES.has(a.type)) routing = true;
      if (a.type.startsWith('threat.') || a.type.startsWith('constraint.')) zones = true;
    }
    if (routing && this.engine) {
      // Fast path: the router sees the committed batch at once; its corridors join the next commit,
      // which runs before the next 50 ms frame in practice (P4).
      try {
        const corridors = this.engine.onEvents(
          appended.map((a) => a.event),
          this.picture,
        );
        this.enqueueCorridors(corridors);
      } catch (err) {
        this.logger.error({ err }, 'the router failed on a committed batch; corridors may be stale');
      }
    }
    if (zones) this.scheduleExpiry();
    this.eventsSinceSnapshot += appended.length;
    this.maybeSnapshot(false);
  }

  private maybeSnapshot(timerTick: boolean): void {
    if (this.closed || this.eventsSinceSnapshot === 0) return;
    const due =
      this.eventsSinceSnapshot >= this.snapshotEvery || (timerTick && this.now() - this.lastSnapshotMs >= this.snapshotIntervalMs);
    if (due) void this.snapshot();
  }

  /** Writes a snapshot; whether it was stored. */
  private async snapshot(): Promise<boolean> {
    this.eventsSinceSnapshot = 0;
    this.lastSnapshotMs = this.now();
    try {
      await this.log.writeSnapshot(this.picture);
      this.snapshots.ok();
      return true;
    } catch (err) {
      this.snapshots.fail(err);
      return false;
    }
  }

  /**
   * While commits fail (a full disk), tries the log again every {@link PROBE_MS} with a snapshot, so
   * health comes back when the disk does, even if no update arrives to show it.
   */
  private scheduleProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.closed || !this.commits.state) return;
      void this.snapshot().then((stored) => (stored ? this.commits.ok() : this.scheduleProbe()));
    }, PROBE_MS);
    this.probeTimer.unref();
  }

  // ------------------------------------------------------------ expiry of zones and constraints

  /** Appends `threat.removed`/`constraint.removed {reason:'expired'}` for everything past its validity. */
  private expireDue(): void {
    const nowMs = this.now();
    for (const zone of Object.values(this.picture.threats)) {
      if (zone.validUntilMs !== undefined && zone.validUntilMs <= nowMs && this.exists('threats', zone.id)) {
        this.enqueueSystem({ type: 'threat.removed', id: zone.id, reason: 'expired' });
      }
    }
    for (const c of Object.values(this.picture.constraints)) {
      const until = c.validUntil === undefined ? undefined : Date.parse(c.validUntil);
      if (until !== undefined && until <= nowMs && this.exists('constraints', c.id)) {
        this.enqueueSystem({ type: 'constraint.removed', id: c.id, reason: 'expired' });
      }
    }
    this.scheduleExpiry();
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    if (this.closed) return;
    let next = Infinity;
    for (const zone of Object.values(this.picture.threats)) {
      // Skip zones whose removal is already queued, so the timer does not spin until it commits.
      if (zone.validUntilMs !== undefined && this.exists('threats', zone.id)) next = Math.min(next, zone.validUntilMs);
    }
    for (const c of Object.values(this.picture.constraints)) {
      if (c.validUntil !== undefined && this.exists('constraints', c.id)) next = Math.min(next, Date.parse(c.validUntil));
    }
    if (next === Infinity) return;
    const delay = Math.max(0, Math.min(next - this.now(), MAX_TIMER_MS));
    this.expiryTimer = setTimeout(() => this.expireDue(), delay);
    this.expiryTimer.unref();
  }
}

/** Settles system events, whose outcome nobody waits for (a failed commit is logged by flush). */
function ignoreSettled(): void {}

/** The id of the entity an event is about, or undefined for position and corridor events. */
export function entityIdOf(event: PictureEvent | NewEvent): string | undefined {
  return upsertedEntity(event)?.[1] ?? removedEntity(event)?.[1];
}

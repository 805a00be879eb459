// The live picture and the one way to change it (server/core): commands queue and go into the log in
// group commits, are acknowledged once durable (P3), folded into the picture, and handed to the
// reactors (router, expiry, …). Its parts: pending-view (what the queue will leave), msgid-index
// (retries and conflicts, P8), reactor (the contract of reactions), snapshotter (snapshots).
import type { Logger } from 'pino';
import { applyEventsInPlace, emptyPicture, refreshedCorridor, routesKey, type Actor, type Corridor, type NewEvent, type Picture, type PictureEvent, type ProtocolError } from '@corridor/protocol';
import { EntryRefusedError, type AppendEntry, type AppendedEvent, type AppendOutcome, type AppendResult, type EventLog, type StoredEvent } from '../log/event-log.js';
import type { SnapshotStore } from '../log/snapshot-store.js';
import { FailingCondition, type Failing } from '../util/failing-condition.js';
import { commandToEvent, newId, positionEventJson, removedEntity, SYSTEM_ACTOR, toUnit, upsertedEntity, type Command } from './commands.js';
import { corridorEvent } from '@corridor/protocol';
import { commandFingerprint, reportFingerprint } from './fingerprint.js';
import { MsgIdIndex } from './msgid-index.js';
import { PendingView, type Queued } from './pending-view.js';
import type { Reaction, Reactor, ReactorContext } from './reactor.js';
import { Snapshotter } from './snapshotter.js';
import { routerMayReplace } from '../convoys/reroute.js';

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
  /** Where snapshots of the picture go; a restart is the latest of them plus the log after it. */
  snapshots: SnapshotStore;
  logger: Logger;
  /**
   * What reacts to committed events (the router, expiry, …), in this order. A function makes them
   * afresh each time they are started: on a shared log they run on one instance at a time, started
   * and stopped with its role ({@link PictureStore.startReactors}).
   */
  reactors?: Reactor[] | (() => Reactor[]);
  /** Whether the reactors start with the store (default true); else when {@link PictureStore.startReactors} is called. */
  reactorsActive?: boolean;
  /** Snapshot after this many events (default 200,000) ... */
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

interface Pending extends Queued {
  entry: AppendEntry & { scope: string };
  /** The entry's msgIds and their fingerprints (the same arrays), for the msgId index. */
  msgIds: readonly string[];
  fingerprints?: readonly number[];
  done: SubmitCallback;
  /** Retries of this entry's msgIds that arrived while it was queued or committing (P8). */
  retries?: SubmitCallback[];
}

/** A reactor with its answers under way: each answer is appended after those before it. */
interface Running {
  reactor: Reactor;
  /** Resolves when every answer handed out so far is appended. */
  chain: Promise<void>;
  /** Answers not yet appended. */
  outstanding: number;
}

/** Events read per page while replaying the log at start-up. */
const REPLAY_PAGE = 5000;
/** Commits of position batches that may be handed to the log before the first is durable. */
const MAX_COMMITS_IN_FLIGHT = 4;
/** While commits fail, how often the log is tried again without waiting for an update, ms. */
const PROBE_MS = 5000;

/**
 * Holds the picture and is the one way to change it. Commands queue while a commit runs and go into
 * the next transaction together (P3 group commit); each is acked only once its transaction is on disk.
 */
export class PictureStore {
  /** The live picture (slices replaced, never mutated, but for units: see apply-event.ts). */
  readonly picture: Picture;
  private readonly log: EventLog;
  private readonly logger: Logger;
  private readonly now: () => number;
  /** The time the last commit was stamped with, ms since epoch (P1: stamps never decrease). */
  private lastStampMs = 0;
  private queue: Pending[] = [];
  /** Each actor's JSON text, made once: a connection's events all share one actor object. */
  private readonly actorJsons = new WeakMap<Actor, string>();
  private readonly view: PendingView;
  private readonly ids: MsgIdIndex<Pending>;
  /** Commits handed to the log and not yet settled, oldest first. */
  private readonly inFlight: Array<{ batch: Pending[]; positionsOnly: boolean }> = [];
  /** Entries in the commits under way. */
  private committing = 0;
  /** Commands that must ask the log about their msgIds first, in the order they came (P8). */
  private admission: Promise<void> = Promise.resolve();
  private admitting = 0;
  private flushScheduled = false;
  private closed = false;
  private readonly listeners = new Set<(events: AppendedEvent[]) => void>();
  private running: Running[] = [];
  /** The union of the reactors' event types: a batch with none of them skips them all. */
  private reactorTypes: ReadonlySet<string> = new Set();
  private readonly makeReactors: () => Reactor[];
  /** Whether the reactors run here (always on the embedded log; on a shared one, on the role's holder). */
  private reactorsOn = false;
  /** The log is shared with other instances (issue 19): commits are folded as the log hands them back. */
  private readonly shared: boolean;
  private follower?: { stop(): void };
  /** Commits waiting to see their seqs folded (shared log), by the seq they wait for. */
  private foldWaiters: Array<{ seq: number; resolve(): void }> = [];
  private readonly snapshotter: Snapshotter;
  private readonly snapshots: SnapshotStore;
  /** Commits to the log, while they fail (health, and one log line instead of one per commit). */
  private readonly commits: FailingCondition;
  private probeTimer?: NodeJS.Timeout;
  private idleWaiters: Array<() => void> = [];
  /** Commit figures since the last {@link takeStats} call. */
  private stats = { commits: 0, events: 0, commitMs: 0, maxCommitMs: 0 };

  private constructor(opts: StoreOptions, picture: Picture) {
    this.log = opts.log;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.picture = picture;
    this.view = new PendingView(() => this.picture);
    this.ids = new MsgIdIndex(opts.log);
    const reactors = opts.reactors ?? [];
    this.makeReactors = typeof reactors === 'function' ? reactors : () => reactors;
    this.shared = opts.log.shared === true;
    this.snapshots = opts.snapshots;
    this.snapshotter = new Snapshotter({
      store: opts.snapshots,
      picture: () => this.picture,
      logger: opts.logger,
      every: opts.snapshotEvery,
      intervalMs: opts.snapshotIntervalMs,
      now: this.now,
    });
    this.commits = new FailingCondition(this.logger, 'committing to the event log', 10_000, this.now);
  }

  /**
   * Opens the store: latest snapshot + replay of the log after it, then each reactor's start (what
   * they append, such as corridors the picture lacks or zones that expired while the server was down,
   * is committed before this resolves).
   */
  static async open(opts: StoreOptions): Promise<PictureStore> {
    const picture = (await opts.snapshots.latest()) ?? emptyPicture();
    const fromSnapshot = picture.seq;
    for (;;) {
      const rows = await opts.log.readSince(picture.seq, REPLAY_PAGE);
      if (rows.length === 0) break;
      applyEventsInPlace(
        picture,
        rows.map((r) => JSON.parse(r.json) as PictureEvent),
      );
    }
    const store = new PictureStore(opts, picture);
    // The time of the last stored event: no later event is stamped earlier (P1), whatever the clock did meanwhile.
    if (picture.seq > 0) {
      const [last] = await opts.log.readSince(picture.seq - 1, 1);
      if (last) store.lastStampMs = (JSON.parse(last.json) as PictureEvent).timeMs;
    }
    opts.logger.info({ seq: picture.seq, snapshotSeq: fromSnapshot, replayed: picture.seq - fromSnapshot }, 'picture restored from the event log');
    // A shared log: every instance's events, ours among them, are folded as the log hands them over.
    if (store.shared) store.follower = opts.log.follow(picture.seq, (rows) => store.foldFollowed(rows));
    if (opts.reactorsActive ?? true) await store.startReactors();
    return store;
  }

  /**
   * Starts the reactors (made afresh when they are given as a function), each with its start; resolves
   * once what they append at start is committed. On a shared log, the instance that takes the role.
   */
  async startReactors(): Promise<void> {
    if (this.reactorsOn || this.closed) return;
    this.reactorsOn = true;
    this.running = this.makeReactors().map((reactor) => ({ reactor, chain: Promise.resolve(), outstanding: 0 }));
    this.reactorTypes = new Set(this.running.flatMap((r) => [...r.reactor.types]));
    const ctx = this.reactorContext();
    for (const r of this.running) {
      if (!r.reactor.start) continue;
      this.react(r, () => r.reactor.start!(this.picture, ctx));
    }
    await this.idle();
  }

  /** Stops the reactors (the role went to another instance): nothing they answer from now on is appended. */
  async stopReactors(): Promise<void> {
    if (!this.reactorsOn) return;
    this.reactorsOn = false;
    const running = this.running;
    this.running = [];
    this.reactorTypes = new Set();
    for (const r of running) {
      try {
        await r.reactor.stop?.();
      } catch (err) {
        this.logger.error({ err, reactor: r.reactor.name }, 'a reactor failed to stop');
      }
    }
    this.settle();
  }

  /** Whether the reactors run on this instance. */
  get reacting(): boolean {
    return this.reactorsOn;
  }

  /** Whether commits are failing (a full disk, a read-only file): since when and why; undefined when healthy. */
  get failing(): Readonly<Failing> | undefined {
    return this.commits.state;
  }

  /** Commands not yet settled (queued, asking about their msgIds, or committing): the ingest backlog. */
  get backlog(): number {
    return this.queue.length + this.committing + this.admitting;
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

  /** Stored events with `since` < seq <= `toSeq` not of the `skip` types, at most `limit` (the replay's list). */
  async readSkipping(since: number, toSeq: number, limit: number, skip: readonly string[]): Promise<StoredEvent[]> {
    if (this.log.readSkipping) return this.log.readSkipping(since, toSeq, limit, skip);
    const out: StoredEvent[] = [];
    const skipped = new Set(skip);
    for (let from = since; from < toSeq && out.length < limit; ) {
      const page = await this.log.readSince(from, Math.min(10_000, toSeq - from));
      if (page.length === 0) break;
      for (const e of page) if (e.seq <= toSeq && !skipped.has(e.type) && out.length < limit) out.push(e);
      from = page[page.length - 1].seq;
    }
    return out;
  }

  /**
   * Queues a validated command for the next group commit; resolves once durable (P3) with its seq.
   * A known `msgId` of the same sender resolves with the seq it was first stored with and stores
   * nothing (P8); so does a `positions` batch whose reports all carry known msgIds (HTTP). Rejects
   * with {@link CommandError}, a `conflict` among them when a msgId was used for other content.
   */
  submit(cmd: Command, by?: Submitter): Promise<SubmitResult> {
    return new Promise((resolve, reject) => this.submitWith(cmd, by, (err, result) => (err ? reject(err) : resolve(result!))));
  }

  /**
   * Records a fact of the server's own that no client command makes (a change of the sharing
   * agreement, a read of the audit trail, issue 13): appended in the next group commit with its
   * actor; resolves once durable.
   */
  record(event: Extract<NewEvent, { type: 'agreement.changed' | 'audit.read' }>, actor: Actor): Promise<SubmitResult> {
    if (this.closed) return Promise.reject(new CommandError({ code: 'unavailable', message: 'the server is shutting down' }));
    return new Promise((resolve, reject) =>
      this.enqueue({ event: { ...event, actor } as NewEvent, msgIds: [], fingerprints: [], scope: '' }, (err, result) => (err ? reject(err) : resolve(result!))),
    );
  }

  /**
   * {@link submit} with a callback instead of a promise, for the WebSocket hot path. `done` is called
   * exactly once: after the commit (P3), or at once or after the msgId lookup for a refusal (P5) or a
   * retry (P8).
   */
  submitWith(cmd: Command, by: Submitter | undefined, done: SubmitCallback): void {
    if (this.closed) return done(new CommandError({ code: 'unavailable', message: 'the server is shutting down' }));
    const actor = by?.actor;
    const scope = by?.scope ?? '';
    if (cmd.type === 'position' && cmd.msgId !== undefined) {
      // Hot path (most traffic): no lookup, no in-flight entry. A retry that arrives while the first
      // copy is queued or committing is caught by the commit itself, whose msgId insert finds the
      // first copy in the same or the previous transaction and answers its seq, or a conflict (P8).
      const unit = toUnit(cmd, this.now(), actor?.org);
      const event: NewEvent =
        actor === undefined
          ? { msgId: cmd.msgId, type: 'position.reported', units: [unit] }
          : { msgId: cmd.msgId, actor, type: 'position.reported', units: [unit] };
      const json = positionEventJson(cmd.msgId, actor === undefined ? undefined : this.actorJson(actor), unit);
      const msgIds = [cmd.msgId];
      const fingerprints = [reportFingerprint(cmd)];
      this.queue.push({ entry: { event, json, msgIds, fingerprints, scope, dedupe: true }, event, msgIds, fingerprints, done });
      this.scheduleFlush();
      return;
    }
    if (cmd.type === 'positions' && cmd.msgId !== undefined) {
      // A batch with its own msgId: a retry in flight is found here, a stored one by the commit (dedupe).
      const fingerprint = commandFingerprint(cmd);
      const flying = this.ids.inFlight(scope, cmd.msgId, fingerprint);
      if (flying?.kind === 'conflict') return done(new CommandError(conflictError(cmd.msgId)));
      if (flying?.kind === 'in-flight') return this.retryOf(flying.carrier, done);
      return this.enqueueCommand(cmd, by, [cmd.msgId], [fingerprint], done, true);
    }
    if (cmd.msgId !== undefined) {
      const msgId = cmd.msgId;
      const fingerprint = commandFingerprint(cmd);
      // A retried removal must be acked with its first seq, not refused as not_found (P8): the log
      // is asked first, in the order the commands came.
      return this.admit(done, async () => {
        const state = await this.ids.classify(scope, msgId, fingerprint);
        if (state.kind === 'conflict') return done(new CommandError(conflictError(msgId)));
        if (state.kind === 'stored') return done(undefined, { seq: state.seq, duplicate: true });
        if (state.kind === 'in-flight') return this.retryOf(state.carrier, done);
        this.enqueueCommand(cmd, by, [msgId], [fingerprint], done);
      });
    }
    if (cmd.type === 'positions') return this.submitReports(cmd, by, done);
    // No msgId: nothing to ask, but nothing may overtake a command still asking.
    if (this.admitting > 0) return this.admit(done, async () => this.enqueueCommand(cmd, by, [], [], done));
    return this.enqueueCommand(cmd, by, [], [], done);
  }

  /**
   * Commits, events and time spent committing (ms, total and longest) since the last call; for the
   * server's once-a-minute log summary.
   */
  takeStats(): { commits: number; events: number; commitMs: number; maxCommitMs: number } {
    const stats = this.stats;
    this.stats = { commits: 0, events: 0, commitMs: 0, maxCommitMs: 0 };
    return stats;
  }

  /** Resolves when nothing is asking, queued, committing or awaited from a reactor (tests, shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Commits what is queued, stops the reactors, writes a last snapshot and closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.idle();
    this.closed = true;
    clearTimeout(this.probeTimer);
    this.follower?.stop();
    for (const w of this.foldWaiters.splice(0)) w.resolve();
    for (const r of this.running) await r.reactor.stop?.();
    await this.snapshotter.stop();
    await this.log.close();
    await this.snapshots.close();
  }

  // ------------------------------------------------------------ queueing

  private actorJson(actor: Actor): string {
    let json = this.actorJsons.get(actor);
    if (json === undefined) {
      json = JSON.stringify(actor);
      this.actorJsons.set(actor, json);
    }
    return json;
  }

  /** Runs `step` after the commands admitted before it; a fault in it is the command's error. */
  private admit(done: SubmitCallback, step: () => Promise<void>): void {
    this.admitting++;
    this.admission = this.admission.then(async () => {
      try {
        if (this.closed) return done(new CommandError({ code: 'unavailable', message: 'the server is shutting down' }));
        await step();
      } catch (err) {
        this.logger.error({ err }, 'a command failed before it was queued');
        done(new CommandError({ code: 'unavailable', message: 'the update could not be checked; try again' }));
      } finally {
        this.admitting--;
        this.settle();
      }
    });
  }

  /** Answers `done` with the first seq once the entry carrying its msgId is settled (P8). */
  private retryOf(carrier: Pending, done: SubmitCallback): void {
    (carrier.retries ??= []).push((err, r) => (err ? done(err) : done(undefined, { seq: r!.seq, duplicate: true })));
  }

  /**
   * An HTTP batch of reports, each with its own msgId or none (P8): reports whose msgIds are stored or
   * in flight are not stored again; the batch is answered with the newest first seq when all are. P5:
   * a report that reuses a msgId for other content refuses the whole batch.
   */
  private submitReports(cmd: Extract<Command, { type: 'positions' }>, by: Submitter | undefined, done: SubmitCallback): void {
    const scope = by?.scope ?? '';
    const prints = cmd.reports.map((r) => (r.msgId === undefined ? NaN : reportFingerprint(r)));
    // A msgId twice in one batch: the same report twice is one report; two different ones a conflict.
    const firstPrint = new Map<string, number>();
    for (let i = 0; i < cmd.reports.length; i++) {
      const id = cmd.reports[i].msgId;
      if (id === undefined) continue;
      const seen = firstPrint.get(id);
      if (seen === undefined) firstPrint.set(id, prints[i]);
      else if (seen !== prints[i]) return done(new CommandError(conflictError(id, `reports[${i}].msgId`)));
    }
    if (firstPrint.size === 0) return this.enqueueCommand(cmd, by, [], [], done);
    this.admit(done, async () => {
      const fresh: typeof cmd.reports = [];
      const freshIds: string[] = [];
      const freshPrints: number[] = [];
      const settled: Array<Promise<number>> = [];
      const seen = new Set<string>();
      for (let i = 0; i < cmd.reports.length; i++) {
        const report = cmd.reports[i];
        if (report.msgId === undefined) {
          fresh.push(report);
          continue;
        }
        if (seen.has(report.msgId)) continue;
        seen.add(report.msgId);
        const state = await this.ids.classify(scope, report.msgId, prints[i]);
        if (state.kind === 'conflict') return done(new CommandError(conflictError(report.msgId, `reports[${i}].msgId`)));
        if (state.kind === 'stored') settled.push(Promise.resolve(state.seq));
        else if (state.kind === 'in-flight') settled.push(new Promise((resolve, reject) => this.retryOf(state.carrier, (err, r) => (err ? reject(err) : resolve(r!.seq)))));
        else {
          fresh.push(report);
          freshIds.push(report.msgId);
          freshPrints.push(prints[i]);
        }
      }
      if (fresh.length > 0) return this.enqueueCommand({ ...cmd, reports: fresh }, by, freshIds, freshPrints, done);
      // Every report a retry: answered once all are settled, with the newest first seq (P8).
      Promise.all(settled).then(
        (seqs) => done(undefined, { seq: Math.max(...seqs), duplicate: true }),
        (err: Error) => done(err),
      );
    });
  }

  private readonly newIdNow = (prefix: string): string => newId(prefix, this.now());

  private enqueueCommand(cmd: Command, by: Submitter | undefined, msgIds: string[], fingerprints: number[], done: SubmitCallback, dedupe = false): void {
    const result = commandToEvent(cmd, { nowMs: this.now(), actor: by?.actor, exists: this.view.exists, newId: this.newIdNow, convoyState: this.view.convoyState, alertStanding: this.view.alertStanding, proposalOf: this.view.proposalOf, havenRoom: this.view.havenRoom, entity: this.view.entity, planConvoys: this.view.planConvoys, corridorOf: (id) => this.view.corridorOf(id), noticeOf: this.view.noticeOf });
    if (!result.ok) return done(new CommandError(result.error));
    this.enqueue({ event: result.event, msgIds, fingerprints, scope: by?.scope ?? '', dedupe }, done);
  }

  private enqueue(entry: Pending['entry'], done: SubmitCallback, corridor?: Corridor): void {
    const pending: Pending = { entry, event: entry.event, corridor, msgIds: entry.msgIds, fingerprints: entry.fingerprints, done };
    this.view.note(pending);
    // Dedupe entries need no in-flight entry: their commit answers a retry itself (P8).
    if (!entry.dedupe && entry.msgIds.length > 0) this.ids.track(entry.scope, pending);
    this.queue.push(pending);
    this.scheduleFlush();
  }

  /** Appends a reactor's reaction: its events as the system's, its corridors as the events that turn the held ones into them (P11). */
  private appendReaction(reaction: Reaction | void, basis = this.picture.seq): void {
    if (!reaction || this.closed || !this.reactorsOn) return;
    for (const event of reaction.events ?? []) {
      this.enqueue({ event: { ...event, actor: SYSTEM_ACTOR } as NewEvent, msgIds: [], scope: '', basis }, ignoreSettled);
    }
    for (const c of reaction.corridors ?? []) {
      // A moving or holding convoy's route is changed by a decision, not by the router (P22).
      if (!routerMayReplace(this.view.convoyState(c.convoyId), this.view.corridorOf(c.convoyId), c)) continue;
      const event = corridorEvent(this.view.corridorOf(c.convoyId), c);
      this.enqueue({ event: { ...event, actor: SYSTEM_ACTOR } as NewEvent, msgIds: [], scope: '', basis }, ignoreSettled, c);
    }
    for (const u of reaction.updates ?? []) {
      const held = this.view.corridorOf(u.convoyId);
      // The refresh the router made holds when the picture will hold the routes it was made against;
      // otherwise (an append of the router's was lost) the whole corridor is read and compared here.
      if (u.refresh && held && routesKey(held) === u.refresh.basis) {
        const event: NewEvent = { type: 'corridor.refreshed', refresh: u.refresh.refresh, actor: SYSTEM_ACTOR } as NewEvent;
        this.enqueue({ event, msgIds: [], scope: '', basis }, ignoreSettled, refreshedCorridor(held, u.refresh.refresh));
        continue;
      }
      const c = JSON.parse(u.json) as Corridor;
      if (!routerMayReplace(this.view.convoyState(u.convoyId), held, c)) continue;
      const event = corridorEvent(held, c);
      this.enqueue({ event: { ...event, actor: SYSTEM_ACTOR } as NewEvent, msgIds: [], scope: '', basis }, ignoreSettled, c);
    }
  }

  /** Settles a committed or failed entry, its in-flight retries, and forgets its msgIds. */
  private settleEntry(p: Pending, outcome: AppendOutcome | Error): void {
    if (!p.entry.dedupe && p.msgIds.length > 0) this.ids.untrack(p.entry.scope, p);
    const result =
      outcome instanceof Error
        ? outcome
        : outcome.error
          ? new CommandError(
              outcome.error instanceof EntryRefusedError ? { code: outcome.error.code, message: outcome.error.message } : { code: 'unavailable', message: 'the update could not be stored; try again' },
            )
          : outcome.conflict
            ? new CommandError(conflictError(p.msgIds[0]))
            : outcome;
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

  // ------------------------------------------------------------ group commit

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
      if (batch[i].event.type !== 'position.reported') {
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
      // Never earlier than the last stamp (P1): a clock stepped back (NTP, a resumed machine) does not
      // make time run backwards in the log, which the replay's search by time relies on (P33).
      const stampMs = Math.max(this.now(), this.lastStampMs);
      this.lastStampMs = stampMs;
      result = await this.log.append(
        batch.map((p) => p.entry),
        stampMs,
      );
      const ms = performance.now() - started;
      this.stats.commits++;
      this.stats.events += result.events.length;
      this.stats.commitMs += ms;
      this.stats.maxCommitMs = Math.max(this.stats.maxCommitMs, ms);
      const failed = result.outcomes.find((o) => o.error);
      if (failed) {
        // A shared log stores entries one by one: those that failed are answered `unavailable`, the rest stand.
        this.commits.fail(failed.error, { events: result.outcomes.filter((o) => o.error).length });
        this.scheduleProbe();
      } else this.commits.ok();
    } catch (err) {
      this.commits.fail(err, { events: batch.length });
      this.scheduleProbe();
      const error = new CommandError({ code: 'unavailable', message: 'the update could not be stored; try again' });
      for (const p of batch) this.settleEntry(p, error);
    }
    if (result && this.shared) {
      // Answered once folded: the log hands back everyone's events in its order (foldFollowed).
      let upTo = 0;
      for (const o of result.outcomes) if (!o.error && !o.conflict && o.seq > upTo) upTo = o.seq;
      if (upTo > this.picture.seq) await new Promise<void>((resolve) => this.foldWaiters.push({ seq: upTo, resolve }));
      this.stats.events += result.outcomes.filter((o) => !o.error && !o.conflict && !o.duplicate).length;
      for (let i = 0; i < batch.length; i++) this.settleEntry(batch[i], result.outcomes[i]);
    } else if (result) {
      const appended = result.events;
      applyEventsInPlace(
        this.picture,
        appended.map((a) => a.event),
      );
      for (let i = 0; i < batch.length; i++) this.settleEntry(batch[i], result.outcomes[i]);
      this.committed(appended);
    }
    // Commits settle in the order they were handed over (the log answers in seq order).
    this.inFlight.splice(this.inFlight.indexOf(commit), 1);
    this.committing -= batch.length;
    // What the queue will leave, from what is not folded yet: later commits still under way (a batch
    // handed over behind fixes), then what arrived meanwhile.
    this.view.rebuild([...this.inFlight.flatMap((c) => c.batch), ...this.queue]);
    if (this.queue.length > 0) this.scheduleFlush();
    else this.settle();
  }

  /** Hands folded events to the listeners (broadcast, replay) and the reactors. */
  private committed(appended: AppendedEvent[]): void {
    if (appended.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(appended);
      } catch (err) {
        this.logger.error({ err }, 'a commit listener failed');
      }
    }
    this.afterCommit(appended);
  }

  /**
   * Folds events as a shared log hands them over (issue 19): everyone's, in the log's order, so every
   * instance's picture at seq S is the same. An event the fold refuses (two instances' commands that
   * crossed) is skipped, alone, on every instance alike; the picture's seq still moves past it.
   */
  private foldFollowed(rows: readonly StoredEvent[]): void {
    if (this.closed || rows.length === 0) return;
    const appended: AppendedEvent[] = [];
    for (const row of rows) {
      if (row.type === 'unreadable') continue;
      appended.push({ seq: row.seq, type: row.type, json: row.json, event: JSON.parse(row.json) as PictureEvent });
    }
    try {
      applyEventsInPlace(
        this.picture,
        appended.map((a) => a.event),
      );
    } catch {
      for (let i = 0; i < appended.length; i++) {
        try {
          applyEventsInPlace(this.picture, [appended[i].event]);
        } catch (err) {
          this.logger.error({ err, seq: appended[i].seq, type: appended[i].type }, 'an event of the shared log could not be folded; skipped on every instance');
        }
      }
    }
    const last = rows[rows.length - 1].seq;
    if (this.picture.seq < last) this.picture.seq = last;
    this.committed(appended);
    const waiters = this.foldWaiters;
    this.foldWaiters = [];
    for (const w of waiters) {
      if (w.seq <= this.picture.seq) w.resolve();
      else this.foldWaiters.push(w);
    }
  }

  private isIdle(): boolean {
    return this.inFlight.length === 0 && !this.flushScheduled && this.queue.length === 0 && this.admitting === 0 && this.running.every((r) => r.outstanding === 0);
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // ------------------------------------------------------------ after each commit

  private afterCommit(appended: AppendedEvent[]): void {
    if (this.running.length > 0) {
      let mine = false;
      for (let i = 0; i < appended.length; i++) {
        if (this.reactorTypes.has(appended[i].type) && this.wanted(appended[i].event)) {
          mine = true;
          break;
        }
      }
      if (mine) {
        for (const r of this.running) {
          const events: PictureEvent[] = [];
          const texts: string[] = [];
          const units = r.reactor.units;
          for (const a of appended) {
            if (!r.reactor.types.has(a.type)) continue;
            // The hot path: a reactor that names the units it follows hears of no other unit's fix.
            if (units && a.event.type === 'position.reported' && !reportsAny(a.event.units, units)) continue;
            events.push(a.event);
            texts.push(a.json);
          }
          if (events.length > 0) this.react(r, () => r.reactor.onCommitted(events, this.picture, texts));
        }
      }
    }
    this.snapshotter.committed(appended.length);
  }

  /** Whether any reactor that takes position reports wants this one (always, for other events). */
  private wanted(event: PictureEvent): boolean {
    if (event.type !== 'position.reported') return true;
    for (const r of this.running) {
      if (!r.reactor.types.has('position.reported')) continue;
      const units = r.reactor.units;
      if (!units || reportsAny(event.units, units)) return true;
    }
    return false;
  }

  /**
   * Runs one reaction of a reactor: appended at once when it answers at once and nothing of it is
   * still awaited; otherwise after its earlier answers, in order.
   */
  private react(r: Running, run: () => Reaction | void | Promise<Reaction | void>): void {
    // What the reaction was made from: on a shared log, the same reaction made by two instances is stored once.
    const basis = this.picture.seq;
    let answer: Reaction | void | Promise<Reaction | void>;
    try {
      answer = run();
    } catch (err) {
      this.logger.error({ err, reactor: r.reactor.name }, 'a reactor failed on a committed batch');
      return;
    }
    if (!(answer instanceof Promise) && r.outstanding === 0) return this.appendReaction(answer, basis);
    r.outstanding++;
    const settled = Promise.resolve(answer).catch((err) => {
      this.logger.error({ err, reactor: r.reactor.name }, 'a reactor failed on a committed batch');
      return undefined;
    });
    r.chain = r.chain.then(async () => {
      this.appendReaction(await settled, basis);
      r.outstanding--;
      this.settle();
    });
  }

  /** What reactors may use: appends at any time, the view of the queue, the picture, the clock. */
  private reactorContext(): ReactorContext {
    return {
      append: (reaction) => this.appendReaction(reaction),
      exists: this.view.exists,
      picture: () => this.picture,
      now: this.now,
    };
  }

  /**
   * While commits fail (a full disk), tries the log again every {@link PROBE_MS} with a small write,
   * so health comes back when the disk does, even if no update arrives to show it.
   */
  private scheduleProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.closed || !this.commits.state) return;
      this.log.probe().then(
        () => this.commits.ok(),
        () => this.scheduleProbe(),
      );
    }, PROBE_MS);
    this.probeTimer.unref();
  }
}

/** Whether a position event reports any of the given units. */
function reportsAny(reported: readonly { unitId: string }[], units: { has(unitId: string): boolean }): boolean {
  for (let i = 0; i < reported.length; i++) if (units.has(reported[i].unitId)) return true;
  return false;
}

/** Settles system events, whose outcome nobody waits for (a failed commit is logged by flush). */
function ignoreSettled(): void {}

/** The id of the entity an event is about, or undefined for position and corridor events. */
export function entityIdOf(event: PictureEvent | NewEvent): string | undefined {
  return upsertedEntity(event)?.[1] ?? removedEntity(event)?.[1];
}

// The event log on NATS JetStream (issue 19): several server instances append to one replicated stream
// and each folds every event of it, in the stream's order, into the same picture. Each instance keeps a
// copy of the stream in its own SQLite file (the mirror): reads, msgId lookups (P8), the replay and the
// snapshots work on it as on the embedded log, and a restart catches up from the mirror's last seq.
//
// - seq is the stream's sequence; `timeMs` is the appender's stamp, raised to the previous event's when
//   an instance's clock is behind (P1), the same on every instance because every instance reads the
//   same order.
// - Exactly once: every message carries a Nats-Msg-Id, the sender's scope and msgIds hashed (or, for
//   the server's own events, their basis and content), so a publish retried through a leader failover,
//   by this instance or by a client through another one, is stored once within the stream's duplicate
//   window; past it, the mirror's msgId index answers a retry for 24 h (P8), as the embedded log does.
// - Publishes of a batch are in flight together (one await per batch); failures are retried in order,
//   with the same ids, until `publishDeadlineMs`.
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  Events,
  nanos,
  RetentionPolicy,
  StorageType,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { Logger } from 'pino';
import { EntryRefusedError, SqliteReads, type StoredMsgId, type AppendEntry, type AppendOutcome, type AppendResult, type EventLog } from './event-log.js';
import { StreamPublisher, type StreamAck } from './publisher.js';
import { eventJson, LogWriter, openLogDatabase, lastStoredSeq, type MirrorRow } from './sqlite-store.js';

/** Where and how the shared log lives. */
export interface NatsLogOptions {
  /** NATS server URLs (`nats://host:port`), any of the cluster's nodes. */
  servers: string[];
  /** This instance's copy of the stream (the SQLite database of its data folder). */
  mirrorFile: string;
  /** The stream's name (default `CORRIDOR`). */
  stream?: string;
  /** Copies of the stream across the cluster's nodes: 3 in production, 1 on one node. */
  replicas?: number;
  /** The stream's duplicate window, ms (default 2 minutes). */
  duplicateWindowMs?: number;
  /** How long an append keeps trying through a failover before its entries fail, ms (default 30 s). */
  publishDeadlineMs?: number;
  /** This instance's name (logs, lease holder). */
  instance: string;
  logger: Logger;
}

/** The stream's subject for the picture's events. */
const SUBJECT_SUFFIX = 'events';
/** Wait for one publish's acknowledgement, ms, before it is tried again. */
const PUB_TIMEOUT_MS = 5000;
/** Messages asked of the stream at a time while catching up and following. */
const CONSUME_BATCH = 5000;
/** How long one pull of the follower waits at most, and its heartbeat, ms. */
const FOLLOW_EXPIRES_MS = 3000;
const FOLLOW_HEARTBEAT_MS = 1000;
/** How long past its expiry a pull may run before it is taken for lost, ms. */
const FOLLOW_GRACE_MS = 2000;
/** A follower's consumer left behind by an instance that died goes after this long, ms. */
const FOLLOW_INACTIVE_MS = 60_000;
/** Pause before a follower's consumer is made anew after a fault, ms. */
const FOLLOW_RETRY_MS = 250;

/** A shared log that cannot take writes now (the engine is out of reach). */
export class LogUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogUnavailableError';
  }
}

/** One entry on its way to the stream. */
interface Send {
  index: number;
  data: Uint8Array;
  msgID: string;
  ack?: StreamAck;
  /** An earlier try may have been stored without its acknowledgement reaching us. */
  retried: boolean;
  error?: Error;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The head line of a message: `[timeMs, type, scope, msgIds, fingerprints]`, then a newline and the event's JSON. */
type Head = [number, string, string, string[], Array<number | null>];

/** A message's bytes: the head line, then the unstamped event JSON. */
export function encodeMessage(entry: AppendEntry, timeMs: number, body: string): Uint8Array {
  const fps = entry.msgIds.map((_, k) => {
    const fp = entry.fingerprints?.[k];
    return fp === undefined || Number.isNaN(fp) ? null : fp;
  });
  const head: Head = [timeMs, entry.event.type, entry.scope ?? '', [...entry.msgIds], fps];
  return encoder.encode(`${JSON.stringify(head)}\n${body}`);
}

/** A message read back: its head and body, or an error naming what is wrong with it. */
export function decodeMessage(data: Uint8Array): { head: Head; body: string } {
  const text = decoder.decode(data);
  const nl = text.indexOf('\n');
  if (nl < 0) throw new Error('a message of the stream has no head line');
  const head = JSON.parse(text.slice(0, nl)) as Head;
  if (!Array.isArray(head) || head.length !== 5 || typeof head[0] !== 'number' || typeof head[1] !== 'string') throw new Error('a message of the stream has a malformed head line');
  return { head, body: text.slice(nl + 1) };
}

/** The Nats-Msg-Id of an entry: the same for every copy of the same message, whoever sends it. */
export function messageId(entry: AppendEntry, body: string, instance: string, counter: number): string {
  if (entry.msgIds.length > 0) return `c.${hash(`${entry.scope ?? ''}\n${entry.msgIds.join('\n')}`)}`;
  if (entry.basis !== undefined) return `s.${hash(`${entry.basis}\n${body}`)}`;
  return `u.${instance}.${counter}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}


/** {@link EventLog} on a NATS JetStream stream, with a SQLite copy of it on this instance. */
export class NatsEventLog extends SqliteReads implements EventLog {
  readonly shared = true;
  private readonly writer: LogWriter;
  private seq: number;
  /** The time of the last mirrored event (P1: times never go back, on every instance alike). */
  private lastTimeMs: number;
  private counter = 0;
  /**
   * Names this process's appends: the instance and a random part, so an instance started again within
   * the duplicate window does not number its events as it did before (they would be taken for copies).
   */
  private readonly appender: string;
  private connected = true;
  private closed = false;
  private incoming: JsMsg[] = [];
  private mirrorScheduled = false;
  private readonly mirrorWaiters: Array<{ seq: number; resolve(): void }> = [];
  /** The pull under way, stopped at close. */
  private pull?: ConsumerMessages;
  /** The pull under way was ended for outliving its expiry, or because the connection moved. */
  private pullStale = false;
  /** What the consumer delivered skipped seqs: it is made anew before the next pull. */
  private gap = false;
  readonly subject: string;
  readonly stream: string;
  private readonly publisher: StreamPublisher;
  private readonly scopeIds = new Map<string, number>();
  private readonly selectScopeId: Database.Statement;
  private readonly selectKey: Database.Statement;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    db: Database.Database,
    private readonly opts: NatsLogOptions,
  ) {
    super(db);
    this.writer = new LogWriter(db);
    this.seq = lastStoredSeq(db);
    const last = db.prepare('SELECT time_ms FROM events ORDER BY seq DESC LIMIT 1').pluck().get() as number | undefined;
    this.lastTimeMs = last ?? 0;
    this.stream = opts.stream ?? 'CORRIDOR';
    this.appender = `${opts.instance}.${randomBytes(6).toString('hex')}`;
    this.subject = `${this.stream.toLowerCase()}.${SUBJECT_SUFFIX}`;
    this.publisher = new StreamPublisher(nc, PUB_TIMEOUT_MS);
    this.selectScopeId = db.prepare('SELECT id FROM msg_scopes WHERE scope = ?').pluck();
    this.selectKey = db.prepare('SELECT seq, fp AS fingerprint FROM msg_keys WHERE scope_id = ? AND msg_id = ?');
  }

  /**
   * Connects, makes the stream if it is not there, and catches this instance's copy up with the
   * stream before resolving (a restart: the copy's last seq on; a new instance: the whole stream).
   */
  static async open(opts: NatsLogOptions): Promise<NatsEventLog> {
    const nc = await connect({ servers: opts.servers, name: `corridor ${opts.instance}`, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: false });
    try {
      const jsm = await nc.jetstreamManager({ timeout: 2000 });
      const stream = opts.stream ?? 'CORRIDOR';
      const info = await ensureStream(jsm, stream, opts.replicas ?? 1, opts.duplicateWindowMs);
      const db = openLogDatabase(opts.mirrorFile);
      // A copy is a cache of the stream: losing its last commits to a power cut costs a re-read, not data.
      db.pragma('synchronous = NORMAL');
      checkSameStream(db, stream, info.created, opts.mirrorFile);
      const log = new NatsEventLog(nc, nc.jetstream(), jsm, db, opts);
      log.watchConnection();
      await log.startFollowing(info.state.last_seq);
      return log;
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  lastSeq(): number {
    return this.seq;
  }

  /**
   * A sender's stored msgId, looked up by the sender's number in the copy (kept here once found): the
   * per-update lookup of the position path, about twice as fast as {@link lookupNow}'s join by name.
   */
  private storedMsgId(scope: string, msgId: string): StoredMsgId | undefined {
    let id = this.scopeIds.get(scope);
    if (id === undefined) {
      id = this.selectScopeId.get(scope) as number | undefined;
      // A sender the copy has never seen has no stored msgId.
      if (id === undefined) return undefined;
      this.scopeIds.set(scope, id);
    }
    return this.selectKey.get(id, msgId) as StoredMsgId | undefined;
  }

  /** Whether the engine is in reach now (writes are refused at once while it is not). */
  get reachable(): boolean {
    return this.connected && !this.closed;
  }

  async append(entries: readonly AppendEntry[], timeMs: number): Promise<AppendResult> {
    if (this.closed) throw new LogUnavailableError('the log is closed');
    if (!this.connected) throw new LogUnavailableError('the NATS server is out of reach');
    const outcomes: AppendOutcome[] = new Array(entries.length);
    const sends: Send[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const body = entry.json ?? JSON.stringify(entry.event);
      if (entry.dedupe && entry.msgIds.length === 1) {
        // A retry past the stream's duplicate window is answered by this instance's msgId index (P8).
        const stored = this.storedMsgId(entry.scope ?? '', entry.msgIds[0]);
        if (stored) {
          outcomes[i] = sameContent(stored.fingerprint, entry.fingerprints?.[0]) ? { seq: stored.seq, duplicate: true } : { seq: 0, duplicate: false, conflict: true };
          continue;
        }
      }
      sends.push({ index: i, data: encodeMessage(entry, timeMs, body), msgID: messageId(entry, body, this.appender, ++this.counter), retried: false });
    }
    if (sends.length > 0) await this.publishAll(sends);
    for (const s of sends) {
      const entry = entries[s.index];
      if (!s.ack) {
        outcomes[s.index] = { seq: 0, duplicate: false, error: s.error ?? new LogUnavailableError('the event could not be stored') };
        continue;
      }
      if (!s.ack.duplicate || entry.msgIds.length === 0) {
        // A duplicate of the server's own entry is its own earlier try, or the same reaction on another instance.
        outcomes[s.index] = { seq: s.ack.seq, duplicate: false };
        continue;
      }
      // Stored before under this id: by a client's retry through another instance (P8), or by an
      // earlier try of ours whose acknowledgement was lost. Same content: the first seq; else a conflict.
      await this.mirrored(s.ack.seq);
      const stored = this.lookupNow(entry.scope ?? '', entry.msgIds[0]);
      if (stored && !sameContent(stored.fingerprint, entry.fingerprints?.[0])) outcomes[s.index] = { seq: 0, duplicate: false, conflict: true };
      else outcomes[s.index] = { seq: s.ack.seq, duplicate: !s.retried };
    }
    // Resolved once this instance's copy holds them: what is read next, here, includes them (P3).
    let upTo = 0;
    for (const o of outcomes) if (o && !o.error && o.seq > upTo) upTo = o.seq;
    await this.mirrored(upTo);
    return { outcomes, events: [] };
  }

  /** Publishes every send with many in flight; those that fail are tried again, in order, until the deadline. */
  private async publishAll(sends: Send[]): Promise<void> {
    const deadline = Date.now() + (this.opts.publishDeadlineMs ?? 30_000);
    let todo = sends;
    let pause = 50;
    for (;;) {
      // One promise for the batch: every publish in flight, each answered through its callback.
      const sending = todo;
      const failed = await new Promise<Error[]>((resolve) => {
        const errors: Error[] = new Array(sending.length);
        let left = sending.length;
        sending.forEach((s, k) =>
          this.publisher.publish(this.subject, s.data, s.msgID, (err, ack) => {
            if (err) errors[k] = err;
            else s.ack = ack;
            if (--left === 0) resolve(errors);
          }),
        );
      });
      const again: Send[] = [];
      for (let k = 0; k < sending.length; k++) {
        const err = failed[k];
        if (!err) continue;
        sending[k].error = describePublishError(err);
        // A timeout may have stored it: the same id makes the next try a duplicate, not a second copy.
        sending[k].retried = true;
        if (!isPermanent(err)) again.push(sending[k]);
      }
      if (again.length === 0) return;
      if (this.closed || Date.now() + pause >= deadline) return;
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 1000);
      todo = again;
    }
  }

  /** Resolves once this instance's copy holds the stream up to `seq`. */
  mirrored(seq: number): Promise<void> {
    if (this.seq >= seq || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.mirrorWaiters.push({ seq, resolve }));
  }

  async probe(): Promise<void> {
    if (!this.connected) throw new LogUnavailableError('the NATS server is out of reach');
    await this.jsm.streams.info(this.stream);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopFollowing();
    this.pull?.stop();
    this.publisher.close();
    await this.nc.drain().catch(() => undefined);
    for (const w of this.mirrorWaiters.splice(0)) w.resolve();
    if (this.reader.open) this.reader.close();
  }

  // ------------------------------------------------------------ following the stream

  /** Follows the stream from the copy's last seq on; resolves once the copy holds `upTo`. */
  private async startFollowing(upTo: number): Promise<void> {
    void this.followLoop();
    await this.mirrored(upTo);
  }

  /**
   * Reads the stream in pulls from a consumer of its own, made from the copy's last seq. Any fault (the
   * consumer's node died with a leader, the connection moved to another node, a pull that stopped
   * hearing heartbeats) makes the consumer anew from the copy's last seq: within seconds, whatever the
   * fault. Each message is stored as it arrives (mirrorIncoming groups those of one turn).
   */
  private async followLoop(): Promise<void> {
    let consumer: Consumer | undefined;
    let name: string | undefined;
    while (!this.closed) {
      try {
        if (!consumer) {
          this.mirrorIncoming();
          const info = await this.jsm.consumers.add(this.stream, {
            ack_policy: AckPolicy.None,
            deliver_policy: DeliverPolicy.StartSequence,
            opt_start_seq: this.seq + 1,
            inactive_threshold: nanos(FOLLOW_INACTIVE_MS),
            mem_storage: true,
            num_replicas: 1,
          });
          name = info.name;
          consumer = await this.js.consumers.get(this.stream, name);
        }
        const batch = await consumer.fetch({ max_messages: CONSUME_BATCH, expires: FOLLOW_EXPIRES_MS, idle_heartbeat: FOLLOW_HEARTBEAT_MS });
        this.pull = batch;
        this.pullStale = false;
        // Measured: a pull under way when the connection moved to another node neither ended nor failed,
        // and the instance stopped following. A pull that outlives its expiry is ended here.
        const guard = setTimeout(() => {
          this.pullStale = true;
          batch.stop();
        }, FOLLOW_EXPIRES_MS + FOLLOW_GRACE_MS);
        let got = 0;
        try {
          for await (const m of batch) {
            got++;
            this.take(m);
          }
        } finally {
          clearTimeout(guard);
          this.pull = undefined;
        }
        if (this.pullStale) throw new Error('a pull did not end by its expiry');
        if (this.gap) {
          this.gap = false;
          throw new Error('the consumer skipped seqs');
        }
        // A pull of a consumer whose node died ends empty, without an error: asked of the stream itself.
        if (got === 0) {
          const last = (await this.jsm.streams.info(this.stream)).state.last_seq;
          if (last > this.seq) throw new Error(`the consumer delivered nothing while the stream holds up to ${last}`);
        }
      } catch (err) {
        this.pull = undefined;
        if (this.closed) return;
        this.opts.logger.warn({ seq: this.seq, err: (err as Error).message }, 'following the stream again from the copy\'s last seq');
        const old = name;
        consumer = undefined;
        name = undefined;
        if (old) void this.jsm.consumers.delete(this.stream, old).catch(() => undefined);
        await new Promise((r) => setTimeout(r, FOLLOW_RETRY_MS));
      }
    }
  }

  /** A message of the stream: kept for the next store into the copy, in this turn. */
  private take(m: JsMsg): void {
    this.incoming.push(m);
    if (this.mirrorScheduled) return;
    this.mirrorScheduled = true;
    setImmediate(() => this.mirrorIncoming());
  }

  /** Stores what arrived in the copy, then hands it to the followers (the store folds it). */
  private mirrorIncoming(): void {
    this.mirrorScheduled = false;
    const batch = this.incoming;
    this.incoming = [];
    if (this.closed || batch.length === 0) return;
    const rows: MirrorRow[] = [];
    for (const m of batch) {
      const seq = m.seq;
      if (seq <= this.seq) continue; // delivered again after the consumer was made anew
      const expected = (rows.length > 0 ? rows[rows.length - 1].seq : this.seq) + 1;
      if (seq < expected) continue;
      if (seq > expected) {
        // Messages the consumer sent that never arrived (a pull that ended as they came): the rest of
        // this batch waits, and the consumer is made anew from the copy's last seq, which reads them.
        this.opts.logger.warn({ expected, got: seq }, 'a gap in what the stream delivered; reading it again from the copy\'s last seq');
        this.gap = true;
        this.pull?.stop();
        break;
      }
      let row: MirrorRow;
      try {
        const { head, body } = decodeMessage(m.data);
        // P1 on every instance alike: no event is earlier than the one before it in the stream.
        const timeMs = Math.max(head[0], rows.length > 0 ? rows[rows.length - 1].timeMs : this.lastTimeMs);
        row = { seq, timeMs, type: head[1], body, json: eventJson(seq, timeMs, body), scope: head[2], msgIds: head[3], fingerprints: head[4] };
      } catch (err) {
        // Not one of ours (someone published to the subject by hand): kept as a no-op, so seqs stay in step.
        this.opts.logger.error({ err, seq }, 'a message of the stream could not be read; it is kept as an empty event');
        row = { seq, timeMs: rows.length > 0 ? rows[rows.length - 1].timeMs : this.lastTimeMs, type: 'unreadable', body: '{"type":"unreadable"}', scope: '', msgIds: [], fingerprints: [] };
      }
      rows.push(row);
    }
    if (rows.length === 0) return;
    try {
      this.writer.mirror(rows);
    } catch (err) {
      // The copy could not be written (a full disk): the messages are read again from the stream.
      this.opts.logger.error({ err }, 'the copy of the stream could not be written; following again from its last seq');
      this.pull?.stop(err as Error);
      return;
    }
    const from = this.seq;
    this.seq = rows[rows.length - 1].seq;
    this.lastTimeMs = rows[rows.length - 1].timeMs;
    this.deliver(
      rows.map((r) => ({ seq: r.seq, type: r.type, json: r.json ?? eventJson(r.seq, r.timeMs, r.body) })),
      from,
    );
    for (let i = this.mirrorWaiters.length - 1; i >= 0; i--) {
      if (this.mirrorWaiters[i].seq <= this.seq) {
        this.mirrorWaiters[i].resolve();
        this.mirrorWaiters.splice(i, 1);
      }
    }
  }

  /** Tracks whether the engine is in reach: writes are refused at once while it is not. */
  private watchConnection(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === Events.Disconnect) {
          if (this.connected) this.opts.logger.warn({ server: s.data }, 'lost the NATS server; writes are refused until it is back, reads go on');
          this.connected = false;
        } else if (s.type === Events.Reconnect) {
          this.connected = true;
          // The pull under way went to the node left behind: made anew from the copy's last seq.
          this.pullStale = true;
          this.pull?.stop();
          this.opts.logger.info({ server: s.data }, 'NATS server in reach again; writes resume');
        }
      }
    })();
  }
}

/** Whether two fingerprints may be of the same content (unknown on either side: yes). */
function sameContent(stored: number | null, given: number | undefined): boolean {
  return stored === null || given === undefined || Number.isNaN(given) || stored === given;
}

/** A publish error that trying again will not mend (the message is larger than the server takes). */
function isPermanent(err: Error): boolean {
  return /max_payload|maximum payload|message size exceeds/i.test(err.message);
}

function describePublishError(err: Error): Error {
  if (isPermanent(err)) return new EntryRefusedError('payload_too_large', 'the update is larger than the shared log takes (NATS max_payload); raise max_payload in the NATS configuration, or send it in smaller parts');
  return new LogUnavailableError(`the event log did not acknowledge the event: ${err.message}`);
}

/** Makes the stream when it is not there; a stream that exists keeps its settings (replicas are the operator's). */
export async function ensureStream(jsm: JetStreamManager, name: string, replicas: number, duplicateWindowMs = 120_000) {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
  }
  try {
    return await jsm.streams.add({
      name,
      subjects: [`${name.toLowerCase()}.${SUBJECT_SUFFIX}`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      num_replicas: replicas,
      duplicate_window: nanos(duplicateWindowMs),
      allow_direct: true,
    });
  } catch (err) {
    // Another instance made it meanwhile.
    if (/already in use|stream name already/i.test((err as Error).message)) return jsm.streams.info(name);
    throw err;
  }
}

/**
 * A data folder's copy belongs to one stream: a copy made of another (a stream made anew, another
 * cluster) would put two histories under one seq. Refused, naming what to do.
 */
function checkSameStream(db: Database.Database, stream: string, created: string, file: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS shared_log (id INTEGER PRIMARY KEY CHECK (id = 1), stream TEXT NOT NULL, created TEXT NOT NULL)');
  const row = db.prepare('SELECT stream, created FROM shared_log WHERE id = 1').get() as { stream: string; created: string } | undefined;
  const events = lastStoredSeq(db);
  if (!row) {
    if (events > 0) throw new Error(`${file} holds ${events} events of the embedded log; a shared log needs a data folder of its own (CORRIDOR_DATA_DIR)`);
    db.prepare('INSERT INTO shared_log (id, stream, created) VALUES (1, ?, ?)').run(stream, created);
    return;
  }
  if (row.stream !== stream || row.created !== created) {
    throw new Error(`${file} is a copy of the stream ${row.stream} made at ${row.created}, not of ${stream} made at ${created}; start with an empty data folder (CORRIDOR_DATA_DIR)`);
  }
}


// Fan-out of committed events to WebSocket clients (server/net): snapshot on join, deltas coalesced
// every 50 ms (P4), resync from the log, and bounded per-client buffers (P10).
import type { Logger } from 'pino';
import type { AppendedEvent, StoredEvent } from '../log/event-log.js';
import type { Picture } from '../protocol/events.js';

/** What the broadcaster needs of a socket; `ws.WebSocket` fits, and tests pass an in-memory one. */
export interface ClientSink {
  send(data: string): void;
  /** Bytes queued in user space, not yet handed to the kernel. */
  readonly bufferedAmount: number;
}

/** What the broadcaster needs of the store. */
export interface EventSource {
  readonly picture: Picture;
  onCommit(listener: (events: AppendedEvent[]) => void): () => void;
  readSince(since: number, limit: number): Promise<StoredEvent[]>;
}

/** One connected client as the broadcaster tracks it. */
export interface ClientHandle {
  readonly sink: ClientSink;
  /** Seq of the last event this client has been sent. */
  seq: number;
  /** `lagging` clients get no frames until their socket drains, then a snapshot (P10). */
  state: 'live' | 'lagging';
}

export interface BroadcasterOptions {
  source: EventSource;
  logger: Logger;
  /** After how long without a report a unit counts as stale, ms (sent in snapshots). */
  staleAfterMs: number;
  /** Bytes a socket may hold unsent before its client is cut off from frames (P10). */
  bufferLimitBytes: number;
  /** Frame interval, ms (P4: at most one frame per 50 ms). */
  frameMs?: number;
  /** Resync requests further behind than this many events get a snapshot instead. */
  maxResyncEvents?: number;
  /** Clock, ms since epoch. */
  now?: () => number;
}

/**
 * Sends every client a snapshot, then frames of the events committed since. Each frame is serialised
 * once and the same string goes to every client that is exactly at its `since`; only a client that
 * joined or resynced mid-frame gets a trimmed copy.
 */
export class Broadcaster {
  private readonly clients = new Set<ClientHandle>();
  private pending: AppendedEvent[] = [];
  /** Seq up to which frames have been sent: the next frame's `since`. */
  private framedSeq: number;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private snapshotCache?: { seq: number; json: string };
  private readonly opts: Required<Omit<BroadcasterOptions, 'now'>> & { now: () => number };

  constructor(opts: BroadcasterOptions) {
    this.opts = { frameMs: 50, maxResyncEvents: 10_000, now: Date.now, ...opts };
    this.framedSeq = opts.source.picture.seq;
    this.unsubscribe = opts.source.onCommit((events) => {
      for (const e of events) this.pending.push(e);
    });
    this.timer = setInterval(() => this.flush(), this.opts.frameMs);
    this.timer.unref();
  }

  /** Number of connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Registers a client and sends it a snapshot of the picture. */
  add(sink: ClientSink): ClientHandle {
    const client: ClientHandle = { sink, seq: 0, state: 'live' };
    this.clients.add(client);
    this.sendSnapshot(client);
    return client;
  }

  remove(client: ClientHandle): void {
    this.clients.delete(client);
  }

  /**
   * Answers `{type:'resync', since}`: the events after `since` from the log as one delta, or a snapshot
   * when the client is too far behind or ahead of the log (it came from another database).
   */
  async resync(client: ClientHandle, since: number): Promise<void> {
    const head = this.opts.source.picture.seq;
    if (since > head || head - since > this.opts.maxResyncEvents) {
      this.sendSnapshot(client);
      return;
    }
    const rows = await this.opts.source.readSince(since, this.opts.maxResyncEvents);
    if (!this.clients.has(client)) return;
    const last = rows.length > 0 ? rows[rows.length - 1].seq : since;
    if (last < head) {
      this.sendSnapshot(client); // the log was trimmed or moved on while reading; a snapshot is exact
      return;
    }
    client.sink.send(deltaJson(since, last, rows));
    client.seq = last;
  }

  /** Sends one frame of everything pending to the clients that can take it; run every `frameMs`. */
  flush(): void {
    const pending = this.pending;
    const since = this.framedSeq;
    const head = pending.length > 0 ? pending[pending.length - 1].seq : since;
    this.pending = [];
    this.framedSeq = head;
    let shared: string | undefined;
    for (const client of this.clients) {
      const sink = client.sink;
      if (client.state === 'lagging') {
        if (sink.bufferedAmount === 0) {
          client.state = 'live';
          this.sendSnapshot(client);
        }
        continue;
      }
      if (client.seq >= head) continue;
      if (sink.bufferedAmount > this.opts.bufferLimitBytes) {
        // P10: stop feeding a client that cannot keep up; it gets a snapshot once drained.
        client.state = 'lagging';
        sink.send(JSON.stringify({ type: 'resync-required', seq: head }));
        this.opts.logger.warn({ bufferedBytes: sink.bufferedAmount, seq: head }, 'slow client cut off from frames until it drains');
        continue;
      }
      if (client.seq === since) {
        shared ??= deltaJson(since, head, pending);
        sink.send(shared);
      } else if (client.seq > since) {
        sink.send(
          deltaJson(
            client.seq,
            head,
            pending.filter((e) => e.seq > client.seq),
          ),
        );
      } else {
        this.sendSnapshot(client);
        continue;
      }
      client.seq = head;
    }
  }

  /** Stops the frame timer and the subscription; sends what is pending first. */
  close(): void {
    this.flush();
    clearInterval(this.timer);
    this.unsubscribe();
    this.clients.clear();
  }

  private sendSnapshot(client: ClientHandle): void {
    const picture = this.opts.source.picture;
    if (this.snapshotCache?.seq !== picture.seq) this.snapshotCache = { seq: picture.seq, json: JSON.stringify(picture) };
    client.sink.send(
      `{"type":"snapshot","seq":${picture.seq},"staleAfterMs":${this.opts.staleAfterMs},"serverTimeMs":${this.opts.now()},"picture":${this.snapshotCache.json}}`,
    );
    client.seq = picture.seq;
  }
}

/** A delta frame from stored event texts, without re-serialising them (P4). */
export function deltaJson(since: number, seq: number, events: readonly StoredEvent[]): string {
  let body = '';
  for (let i = 0; i < events.length; i++) body += (i === 0 ? '' : ',') + events[i].json;
  return `{"type":"delta","since":${since},"seq":${seq},"events":[${body}]}`;
}

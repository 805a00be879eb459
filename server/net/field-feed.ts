// The field stream's fan-out (server/net, issue 15): each field client (`/ws?stream=field`) is sent
// its view (out/field-view.ts) from the picture as its audience may see it (the outbox), item by
// item, only what changed since the last message. Positions alone wait for the next tick (every
// `tickMs`); anything else (a re-route, a change of state, an alert, a zone) is sent at once. A
// client whose socket still holds unsent bytes is skipped: on a slow link it gets the latest view
// when the link drains, never a queue of stale ones.
import type { Logger } from 'pino';
import type { FieldItem, FieldMessage } from '@corridor/protocol';
import type { AppendedEvent } from '../log/event-log.js';
import type { Audience, Outbox } from '../out/outbox.js';
import { fieldView, type FieldViewOptions, type NetworkConstraint } from '../out/field-view.js';
import type { EventSource } from './broadcast.js';

/** What the feed needs of a socket. */
export interface FieldSink {
  send(text: string): void;
  /** Bytes not yet handed to the kernel. */
  readonly bufferedAmount: number;
}

export interface FieldFeedOptions {
  source: Pick<EventSource, 'picture' | 'onCommit'>;
  outbox: Outbox;
  logger: Logger;
  /** Ms between sends of what positions alone changed (default 5,000). */
  tickMs?: number;
  /** Ms a change other than positions waits for others to join it (default 250). */
  urgentMs?: number;
  /** Unsent bytes at which a client is skipped until its socket drains (default 8 KiB). */
  backlogBytes?: number;
  /** The road network's own tagged roads, sent to a unit within its radius (issue 16). */
  network?: readonly NetworkConstraint[];
  now?: () => number;
}

/** One field client as the feed tracks it. */
export interface FieldHandle {
  readonly sink: FieldSink;
  readonly audience: Audience;
  readonly view: FieldViewOptions;
  /** The JSON text of each item it holds, by key. */
  sent: Map<string, string>;
  /** The picture seq and policy version of its last view; -1 before the first. */
  seq: number;
  version: number;
  /** Its next message replaces everything it holds. */
  full: boolean;
  /** Bytes of text it was sent (before compression). */
  bytes: number;
}

export class FieldFeed {
  private readonly clients = new Set<FieldHandle>();
  private readonly timer: NodeJS.Timeout;
  private urgent?: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly backlogBytes: number;
  private readonly now: () => number;

  constructor(private readonly opts: FieldFeedOptions) {
    this.backlogBytes = opts.backlogBytes ?? 8 * 1024;
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => this.flush(), opts.tickMs ?? 5_000);
    this.timer.unref();
    this.unsubscribe = opts.source.onCommit((events) => this.onCommit(events));
  }

  get size(): number {
    return this.clients.size;
  }

  /** Adds a field client and sends it its view at once. */
  add(sink: FieldSink, audience: Audience, view: FieldViewOptions): FieldHandle {
    const client: FieldHandle = { sink, audience, view, sent: new Map(), seq: -1, version: -1, full: true, bytes: 0 };
    this.clients.add(client);
    this.send(client);
    return client;
  }

  remove(client: FieldHandle): void {
    this.clients.delete(client);
  }

  /** Sends the client its whole view again (its `resync`). */
  resend(client: FieldHandle): void {
    client.full = true;
    client.sent.clear();
    client.seq = -1;
    this.send(client);
  }

  close(): void {
    clearInterval(this.timer);
    if (this.urgent) clearTimeout(this.urgent);
    this.unsubscribe();
    this.clients.clear();
  }

  /** Sends every client what changed. */
  flush(): void {
    if (this.urgent) clearTimeout(this.urgent);
    this.urgent = undefined;
    for (const client of this.clients) this.send(client);
  }

  private onCommit(events: readonly AppendedEvent[]): void {
    if (this.clients.size === 0 || this.urgent) return;
    if (!events.some((e) => e.type !== 'position.reported' && e.type !== 'convoy.tracked')) return;
    this.urgent = setTimeout(() => this.flush(), this.opts.urgentMs ?? 250);
    this.urgent.unref();
  }

  private send(client: FieldHandle): void {
    if (client.sink.bufferedAmount > this.backlogBytes) return;
    try {
      const picture = this.opts.outbox.picture(client.audience);
      const version = this.opts.outbox.version();
      if (!client.full && picture.seq === client.seq && version === client.version) return;
      const view = fieldView(picture, client.view, this.opts.network);
      const set: Record<string, FieldItem> = {};
      const drop: string[] = [];
      const sent = new Map<string, string>();
      let changed = false;
      for (const [key, item] of view) {
        const text = JSON.stringify(item);
        sent.set(key, text);
        if (client.sent.get(key) === text) continue;
        set[key] = item;
        changed = true;
      }
      if (!client.full) {
        for (const key of client.sent.keys()) if (!view.has(key)) drop.push(key);
      }
      client.seq = picture.seq;
      client.version = version;
      if (!changed && drop.length === 0 && !client.full) return;
      const message: FieldMessage = { type: 'field', seq: picture.seq, ...(client.full ? { full: true as const } : {}), set, ...(drop.length > 0 ? { drop } : {}), serverTimeMs: this.now() };
      const text = JSON.stringify(message);
      client.sink.send(text);
      client.bytes += text.length;
      client.sent = sent;
      client.full = false;
    } catch (err) {
      this.opts.logger.error({ err }, 'a field client could not be sent its view');
    }
  }
}

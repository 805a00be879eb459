// The field page's link to the server (client/src/field, issue 15): one WebSocket on the field stream
// (`/ws?stream=field`, compressed, only what concerns the unit), kept open with capped, jittered
// backoff, and the queue (outbox-queue.ts) sent through it in order, one item at a time: an item leaves
// the queue only when the server acknowledged it (durable) or refused it for good. A resend after a
// lost ack carries the same msgId, so the server stores it once.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { applyField, CLOSE_TOKEN_REVOKED, FIELD_RADIUS_M, PROTOCOL_VERSION, type FieldItem, type FieldMessage } from '@corridor/protocol';
import { backoffDelayMs, type OutgoingCommand } from '../net/connection.js';
import { deviceMsgId, isFinal, type Queued, type QueueStore, type Refused } from './outbox-queue.js';

export type LinkState = 'connecting' | 'live' | 'offline' | 'signed-out';

export interface FieldState {
  link: LinkState;
  /** What the server sent of the unit's view, by key. */
  items: Record<string, FieldItem>;
  seq: number;
  /** Server time of the last message, and when it came (this device's clock). */
  serverTimeMs: number;
  receivedMs: number;
  /** The queue as stored, oldest first, and what the server refused. */
  queue: Queued[];
  refused: Refused[];
  /** The last item of each kind the server acknowledged: its msgId and when. */
  lastSent: Partial<Record<Queued['what'], { msgId: string; atMs: number }>>;
  /** When the convoy's orders last changed (the convoy item), this device's clock. */
  ordersChangedMs?: number;
}

export interface FieldLinkOptions {
  unit: string;
  queue: QueueStore;
  /** The radius and whether other units are wanted (the stream's query). */
  radiusM: number;
  units: boolean;
  /** WebSocket factory (default: the browser's). */
  createSocket?: (url: string) => WebSocket;
  /** Ms an item waits for its answer before the socket is taken for dead (default 20,000). */
  answerTimeoutMs?: number;
}

const ORDER_FIELDS = ['state', 'route', 'status', 'reason', 'unsafe'] as const;

/** The field page's link, queue and view. */
export class FieldLink {
  readonly store: StoreApi<FieldState>;
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private answerTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** The item on the wire, waiting for its answer. */
  private inFlight: Queued | null = null;
  private radiusM: number;
  private units: boolean;

  constructor(private readonly opts: FieldLinkOptions) {
    this.radiusM = opts.radiusM;
    this.units = opts.units;
    this.store = createStore<FieldState>(() => ({ link: 'connecting', items: {}, seq: 0, serverTimeMs: 0, receivedMs: 0, queue: [], refused: [], lastSent: {} }));
  }

  /** Reads the stored queue, then connects; goes again at once when the browser says it is back online. */
  async start(): Promise<void> {
    await this.reload();
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.socket?.close(1000, 'page closed');
    this.socket = null;
  }

  /** A new radius or choice of other units: the stream is opened again with them. */
  setArea(radiusM: number, units: boolean): void {
    if (radiusM === this.radiusM && units === this.units) return;
    this.radiusM = Math.max(FIELD_RADIUS_M.min, Math.min(FIELD_RADIUS_M.max, radiusM));
    this.units = units;
    this.socket?.close(1000, 'area changed');
  }

  /** Keeps a command in the queue (durably, before anything else), then sends what waits. */
  async enqueue(command: OutgoingCommand, what: Queued['what'], detail?: string): Promise<Queued> {
    const msgId = deviceMsgId(this.opts.unit);
    const item = await this.opts.queue.add({ msgId, what, ...(detail ? { detail } : {}), createdMs: Date.now(), command: { ...command, msgId } as Queued['command'] });
    await this.reload();
    this.pump();
    return item;
  }

  async clearRefused(): Promise<void> {
    await this.opts.queue.clearRefused();
    await this.reload();
  }

  private readonly onOnline = () => {
    if (this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.connect();
  };

  private readonly onOffline = () => {
    // The browser knows the link is gone: no need to wait for a timeout to say so.
    this.store.setState({ link: 'offline' });
    this.socket?.close(4000, 'offline');
  };

  private async reload(): Promise<void> {
    const [queue, refused] = await Promise.all([this.opts.queue.all(), this.opts.queue.refused()]);
    queue.sort((a, b) => a.n! - b.n!);
    this.store.setState({ queue, refused });
  }

  private url(): string {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams({ stream: 'field', v: String(PROTOCOL_VERSION), radius: String(this.radiusM), units: this.units ? '1' : '0' });
    return `${scheme}//${window.location.host}/ws?${query}`;
  }

  private connect(): void {
    if (this.stopped || this.socket) return;
    this.retryTimer = null;
    const socket = (this.opts.createSocket ?? ((u) => new WebSocket(u)))(this.url());
    this.socket = socket;
    if (this.store.getState().link !== 'offline') this.store.setState({ link: 'connecting' });
    socket.onopen = () => {
      this.attempt = 0;
      this.store.setState({ link: 'live' });
      this.inFlight = null;
      this.pump();
    };
    socket.onmessage = (ev) => this.onMessage(String(ev.data));
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.inFlight = null;
      if (this.answerTimer) clearTimeout(this.answerTimer);
      if (ev.code === CLOSE_TOKEN_REVOKED) {
        this.store.setState({ link: 'signed-out' });
        return;
      }
      this.store.setState({ link: 'offline' });
      if (this.stopped) return;
      // A closed socket because the area changed opens again at once; a lost link after a backoff.
      const delay = ev.reason === 'area changed' ? 0 : backoffDelayMs(this.attempt++, Math.random, 1000, 30_000);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
    socket.onerror = () => undefined;
  }

  private onMessage(text: string): void {
    let m: { type?: string; msgId?: string; code?: string; message?: string };
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m.type === 'field') {
      const message = m as unknown as FieldMessage;
      const before = this.store.getState().items.convoy as unknown as Record<string, unknown> | undefined;
      const items = applyField(this.store.getState().items, message);
      const after = items.convoy as unknown as Record<string, unknown> | undefined;
      const orders = before !== undefined && after !== undefined && ORDER_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
      this.store.setState({ items, seq: message.seq, serverTimeMs: message.serverTimeMs, receivedMs: Date.now(), ...(orders ? { ordersChangedMs: Date.now() } : {}) });
      return;
    }
    if ((m.type === 'ack' || m.type === 'error') && this.inFlight && m.msgId === this.inFlight.msgId) {
      void this.answered(this.inFlight, m.type === 'ack' ? undefined : { code: m.code ?? 'internal', message: m.message ?? '' });
    }
  }

  /** The answer to the item in flight: it leaves the queue (acknowledged or refused for good), or is sent again later. */
  private async answered(item: Queued, error: { code: string; message: string } | undefined): Promise<void> {
    if (this.answerTimer) clearTimeout(this.answerTimer);
    if (!error) {
      await this.opts.queue.remove(item.n!);
      this.store.setState((s) => ({ lastSent: { ...s.lastSent, [item.what]: { msgId: item.msgId, atMs: Date.now() } } }));
    } else if (isFinal(error.code)) {
      await this.opts.queue.refuse({ ...item, ...error });
    } else {
      // Over its rate, the server busy: the same item again after a pause, nothing after it first.
      await new Promise((r) => setTimeout(r, backoffDelayMs(this.attempt++, Math.random, 1000, 30_000)));
    }
    this.inFlight = null;
    await this.reload();
    this.pump();
  }

  /** Sends the oldest item waiting, if the link is up and nothing is in flight. */
  private pump(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.inFlight) return;
    const head = this.store.getState().queue[0];
    if (!head) return;
    this.inFlight = head;
    socket.send(JSON.stringify(head.command));
    if (this.answerTimer) clearTimeout(this.answerTimer);
    // No answer in time: the link is dead whatever the socket says; it is opened again and the item resent.
    this.answerTimer = setTimeout(() => {
      if (this.inFlight === head) socket.close(4000, 'no answer');
    }, this.opts.answerTimeoutMs ?? 20_000);
  }
}

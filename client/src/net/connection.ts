// WebSocket link to the server (client/src/net): reconnects with capped, jittered backoff and resumes from the last seq.
// Rules cited: P1 (seq strictly increases), P2 (refolding is harmless), P4 (frames carry since/seq), P10 (resync-required).
import type { AckMessage, DeltaMessage, ErrorMessage, Picture, PictureEvent, SnapshotMessage } from '@corridor/protocol';
import { CLOSE_TOKEN_REVOKED, PROTOCOL_VERSION, type ClientCommand } from '@corridor/protocol';
import { expandDeltaEvents } from '@corridor/protocol';
import { foldDelta, foldSnapshot, type ConnectionState, type PictureStore } from '../state/picture-store.js';

/** The part of the browser WebSocket the connection uses, so tests can pass an in-memory fake. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/** Sent by the server to a client that fell behind (P10); a fresh snapshot follows. */
export interface ResyncRequiredMessage {
  type: 'resync-required';
  seq: number;
}

export interface ConnectionOptions {
  url: string;
  store: PictureStore;
  createSocket: (url: string) => SocketLike;
  /** Clock, ms since epoch (default Date.now). */
  now?: () => number;
  /** Random number in [0, 1) for jitter (default Math.random). */
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** First retry delay, ms (default 500). */
  baseDelayMs?: number;
  /** Longest retry delay, ms (default 15 000). */
  maxDelayMs?: number;
  /** Down for longer than this, ms, the state reads `offline` rather than `reconnecting` (default 20 000). */
  offlineAfterMs?: number;
  /** Interval of application pings, ms (default 15 000). */
  pingEveryMs?: number;
  /** No message for this long, ms, on an open socket: the link is dead, close and reconnect (default 45 000). */
  deadAfterMs?: number;
  /**
   * Asks the server whether this page's sign-in still holds (the page's `GET /api/me`): `refused` when it
   * answers 401. A browser tells nothing of why a WebSocket upgrade failed (a 401 and a server away both
   * read as close code 1006), so a socket that closes before it opened asks this; a refused sign-in reads
   * `signed-out`, and is asked again every `signedOutRetryMs` rather than the socket retried (issue 17).
   * Without it, a refused upgrade is retried like a server away.
   */
  checkSignIn?: () => Promise<'ok' | 'refused' | 'unknown'>;
  /** Signed out: how often to ask again whether the sign-in holds, ms (default 30 000). */
  signedOutRetryMs?: number;
  /** Hears each delta's events once folded, with the picture before and after them (the wall's ticker). */
  onEvents?: (events: readonly PictureEvent[], before: Picture, after: Picture) => void;
}

/**
 * Delay before retry number `attempt` (0-based), ms: exponential from `baseMs`, capped at `capMs`, with
 * "equal jitter" (half fixed, half random) so a server restart is not met by every client at once.
 * @example backoffDelayMs(0, () => 0.5, 500, 15000) // 375
 */
export function backoffDelayMs(attempt: number, random: () => number, baseMs = 500, capMs = 15_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** A command as the caller writes it: `msgId` optional (one is made up when missing). */
export type OutgoingCommand = ClientCommand extends infer C ? (C extends { msgId?: string } ? Omit<C, 'msgId'> & { msgId?: string } : C) : never;

type Pending = { resolve: (ack: AckMessage) => void; reject: (err: ErrorMessage) => void };

/**
 * Keeps one WebSocket to the server open, folds what it receives into the store, and resumes after
 * drops: on reopen it sends `{type:'resync', since: lastSeq}`; a delta whose `since` is past the
 * client's seq reveals a gap and triggers the same resync (P4).
 */
export class Connection {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private stopped = true;
  private signInTimer: unknown = null;
  private resyncPending = false;
  private downSinceMs: number | null = null;
  private nextMsgId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly o: Required<Omit<ConnectionOptions, 'checkSignIn'>> & Pick<ConnectionOptions, 'checkSignIn'>;
  /** Set by stop(): nothing started before it may open a socket after it. */
  private disposed = false;

  constructor(options: ConnectionOptions) {
    this.o = {
      signedOutRetryMs: 30_000,
      onEvents: () => {},
      now: () => Date.now(),
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      baseDelayMs: 500,
      maxDelayMs: 15_000,
      offlineAfterMs: 20_000,
      pingEveryMs: 15_000,
      deadAfterMs: 45_000,
      ...options,
    };
  }

  /** Seq of the last event folded in (P1). */
  get lastSeq(): number {
    return this.o.store.getState().picture.seq;
  }

  /** Retries made since the link was last healthy. */
  get attempts(): number {
    return this.attempt;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.disposed = false;
    this.open();
    this.schedulePing();
  }

  stop(): void {
    this.stopped = true;
    this.disposed = true;
    if (this.retryTimer !== null) this.o.clearTimer(this.retryTimer);
    if (this.pingTimer !== null) this.o.clearTimer(this.pingTimer);
    if (this.signInTimer !== null) this.o.clearTimer(this.signInTimer);
    this.retryTimer = this.pingTimer = this.signInTimer = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      s.close(1000, 'client stopped');
    }
  }

  /**
   * Sends a command; resolves with its `ack` once durable (P3) or rejects with the server's `error` (P5).
   * A `msgId` is added when the command has none. Rejects at once when the link is down.
   */
  send(command: OutgoingCommand): Promise<AckMessage> {
    const msgId = ('msgId' in command && command.msgId) || `c${this.o.now()}-${this.nextMsgId++}`;
    return new Promise((resolve, reject) => {
      if (!this.socket || this.o.store.getState().connection !== 'live') {
        reject({ type: 'error', msgId, code: 'unavailable', message: 'Not connected to the server; try again when the link is live.' });
        return;
      }
      this.pending.set(msgId, { resolve, reject });
      this.socket.send(JSON.stringify({ ...command, msgId }));
    });
  }

  private setConnection(connection: ConnectionState): void {
    if (this.o.store.getState().connection !== connection) this.o.store.setState({ connection });
  }

  private open(): void {
    const socket = this.o.createSocket(this.o.url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      // Resume where we were; the server answers with the missed events or a fresh snapshot.
      const since = this.lastSeq;
      if (since > 0) {
        this.resyncPending = true;
        socket.send(JSON.stringify({ type: 'resync', since }));
      }
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    socket.onerror = () => {
      // The close event follows; reconnection is handled there.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.downSinceMs ??= this.o.now();
      const revoked = (ev as { code?: number } | undefined)?.code === CLOSE_TOKEN_REVOKED;
      for (const [msgId, p] of this.pending) {
        p.reject(
          revoked
            ? { type: 'error', msgId, code: 'unauthorized', message: 'Your access was revoked; sign in again with a new token.' }
            : { type: 'error', msgId, code: 'unavailable', message: 'The link dropped before the server confirmed this update; send it again.' },
        );
      }
      this.pending.clear();
      if (revoked) {
        // Retrying cannot help: every new socket would be refused. The picture stays, marked as such.
        this.signedOut();
        return;
      }
      if (this.stopped) return;
      if (!opened && this.o.checkSignIn) {
        // Refused at the upgrade, or the server is away: only the server's answer to a plain request tells.
        this.setConnection(this.o.now() - (this.downSinceMs ?? this.o.now()) >= this.o.offlineAfterMs ? 'offline' : 'reconnecting');
        this.o.checkSignIn().then(
          (answer) => {
            if (this.stopped || this.socket !== null) return;
            if (answer === 'refused') this.signedOut();
            else this.scheduleRetry();
          },
          () => !this.stopped && this.socket === null && this.scheduleRetry(),
        );
        return;
      }
      this.scheduleRetry();
    };
  }

  /**
   * The sign-in is refused (a revoked token, 4401; or 401 to a plain request): no socket is tried again, the
   * picture stays, marked `signed-out`. With `checkSignIn`, the sign-in is asked about again every
   * `signedOutRetryMs`, and the link resumes once it holds (the browser signed in anew, the token restored).
   */
  private signedOut(): void {
    this.stopped = true;
    if (this.pingTimer !== null) this.o.clearTimer(this.pingTimer);
    if (this.retryTimer !== null) this.o.clearTimer(this.retryTimer);
    this.pingTimer = this.retryTimer = null;
    this.setConnection('signed-out');
    const check = this.o.checkSignIn;
    if (!check) return;
    const again = () => {
      this.signInTimer = this.o.setTimer(() => {
        this.signInTimer = null;
        if (this.o.store.getState().connection !== 'signed-out') return;
        check().then(
          (answer) => {
            if (this.disposed || this.o.store.getState().connection !== 'signed-out' || this.signInTimer !== null) return;
            if (answer !== 'ok') return again();
            this.attempt = 0;
            this.stopped = false;
            this.open();
            this.schedulePing();
          },
          () => !this.disposed && again(),
        );
      }, this.o.signedOutRetryMs);
    };
    again();
  }

  private scheduleRetry(): void {
    const downFor = this.o.now() - (this.downSinceMs ?? this.o.now());
    this.setConnection(downFor >= this.o.offlineAfterMs ? 'offline' : 'reconnecting');
    const delay = backoffDelayMs(this.attempt++, this.o.random, this.o.baseDelayMs, this.o.maxDelayMs);
    this.retryTimer = this.o.setTimer(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      const downForNow = this.o.now() - (this.downSinceMs ?? this.o.now());
      if (downForNow >= this.o.offlineAfterMs) this.setConnection('offline');
      this.open();
    }, delay);
  }

  private schedulePing(): void {
    this.pingTimer = this.o.setTimer(() => {
      this.pingTimer = null;
      if (this.stopped) return;
      const s = this.socket;
      if (s && this.o.store.getState().connection === 'live') {
        const silentFor = this.o.now() - this.o.store.getState().lastMessageAtMs;
        if (silentFor > this.o.deadAfterMs) {
          // Half-open link: nothing arrives although the socket looks open. Drop it and reconnect.
          s.close(4000, 'no traffic');
          s.onclose?.({});
        } else {
          s.send(JSON.stringify({ type: 'ping' }));
        }
      }
      this.schedulePing();
    }, this.o.pingEveryMs);
  }

  private healthy(): void {
    this.attempt = 0;
    this.downSinceMs = null;
    this.setConnection('live');
  }

  private receive(raw: unknown): void {
    let msg: { type?: string } & Record<string, unknown>;
    try {
      msg = JSON.parse(typeof raw === 'string' ? raw : String(raw));
    } catch {
      return; // Not ours to fix; the server only sends JSON.
    }
    const now = this.o.now();
    const store = this.o.store;
    switch (msg.type) {
      case 'snapshot':
        this.resyncPending = false;
        if ((msg as unknown as SnapshotMessage).protocol !== PROTOCOL_VERSION) {
          // The server was updated while this page was open: its messages may mean other things.
          // Keep the picture it had, say so, and stop: only a reload brings the matching page.
          this.stop();
          this.setConnection('outdated');
          return;
        }
        store.setState(foldSnapshot(store.getState(), msg as unknown as SnapshotMessage, now));
        this.healthy();
        return;
      case 'delta': {
        const delta = msg as unknown as DeltaMessage;
        if (delta.since > this.lastSeq) {
          // Gap (P4): events in (lastSeq, since] never arrived. Ask once; drop frames until the answer.
          if (!this.resyncPending) {
            this.resyncPending = true;
            this.socket?.send(JSON.stringify({ type: 'resync', since: this.lastSeq }));
          }
          store.setState({ lastMessageAtMs: now });
          return;
        }
        // since ≤ lastSeq: in order, or overlapping what we hold; refolding is harmless (P2).
        this.resyncPending = false;
        if (Array.isArray(delta.events)) expandDeltaEvents(delta.events); // P14 rows → units
        const before = store.getState().picture;
        store.setState(foldDelta(store.getState(), delta, now));
        this.healthy();
        if (Array.isArray(delta.events) && delta.events.length > 0) this.o.onEvents(delta.events, before, store.getState().picture);
        return;
      }
      case 'resync-required':
        // P10: the server dropped frames for us and sends a fresh snapshot once our socket drains.
        this.resyncPending = true;
        store.setState({ lastMessageAtMs: now });
        return;
      case 'ack': {
        const ack = msg as unknown as AckMessage;
        this.pending.get(ack.msgId)?.resolve(ack);
        this.pending.delete(ack.msgId);
        store.setState({ lastMessageAtMs: now });
        return;
      }
      case 'error': {
        const err = msg as unknown as ErrorMessage;
        if (err.msgId) {
          this.pending.get(err.msgId)?.reject(err);
          this.pending.delete(err.msgId);
        }
        store.setState({ lastMessageAtMs: now });
        return;
      }
      case 'pong':
      default:
        store.setState({ lastMessageAtMs: now });
    }
  }
}

/** The same-origin `/ws` URL of the page (the session cookie signs the socket in). */
export function sameOriginWsUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  // P14: position events as rows, a third of the bytes of objects and quicker to parse.
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws?fixes=rows`;
}

// One WebSocket connection's messages (server/net): each is charged, read, checked and submitted
// through the gateway and answered (P3 ack, P5 error, pong), never by a close and never with an
// exception escaping. Driven by ws-adapter.ts over a real socket, and by tests over an in-memory one.
import type { Logger } from 'pino';
import type { Command } from '../core/commands.js';
import type { CommandRead, Gateway } from '../gateway/gateway.js';
import { COST } from '../gateway/limits.js';
import { sniffMsgId } from '../gateway/parse.js';
import type { Sender } from '../gateway/sender.js';
import type { ProtocolError } from '@corridor/protocol';

/** What a session needs of its socket; a `ws` WebSocket is adapted to it, tests pass an in-memory one. */
export interface SessionSocket {
  /** Whether the socket is open (not closing): a closing socket's messages are not taken. */
  readonly open: boolean;
  /** Bytes written and not yet handed to the network, answers and frames alike. */
  readonly bufferedAmount: number;
  /** Writes text messages, in order, in one write. */
  sendTexts(texts: readonly string[]): void;
  /** Stops / starts reading from the peer. */
  pause(): void;
  resume(): void;
}

export interface SessionOptions {
  gateway: Gateway;
  logger: Logger;
  /** Answers a `resync` (P4); absent for send-only sockets (P13), which are refused it. */
  resync?: (since: number) => Promise<void>;
  /**
   * Unsent bytes at which the session stops reading its peer until they drain (P15): a client that
   * sends without reading its answers cannot make the server hold more than this for it.
   */
  bufferLimitBytes: number;
  now?: () => number;
}

/**
 * The messages of one connection. Answers of one tick are written together (P3 acks at tens of
 * thousands a second: one write per socket per commit, not one per ack, measured at half the CPU).
 */
export class WsSession {
  private queued: string[] = [];
  private flushScheduled = false;
  /** Reading is paused because the whole ingest is over its backlog (gateway). */
  private overloadPaused = false;
  /** Reading is paused because this peer does not read its answers. */
  private bufferPaused = false;
  /** A large message is being read on the reader thread; later ones wait, in order. */
  private reading = false;
  /** A resync is being answered. */
  private resyncing = false;
  private readonly waiting: Buffer[] = [];
  private readonly now: () => number;

  constructor(
    private readonly socket: SessionSocket,
    readonly sender: Sender,
    private readonly opts: SessionOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Handles one message; never throws. Messages are handled in the order they came: while a large
   * one is read on the reader thread, reading the socket pauses and what had already arrived waits.
   */
  onMessage(data: Buffer): void {
    // Closing (its token was revoked, or the server is stopping): nothing more is accepted from it.
    if (!this.socket.open) return;
    if (this.reading) {
      this.waiting.push(data);
      return;
    }
    this.process(data);
  }

  private process(data: Buffer): void {
    try {
      const over = this.opts.gateway.charge(this.sender, COST.message(data.length));
      if (over) return this.answerError(over, sniffMsgId(data.subarray(0, 4096).toString('utf8')));
      const nowMs = this.now();
      const read = this.opts.gateway.readCommand(this.sender, data, nowMs);
      if (!(read instanceof Promise)) return this.handle(read, nowMs);
      this.reading = true;
      this.updateReading();
      read
        .then(
          (r) => this.handle(r, nowMs),
          (err) => this.failed(err),
        )
        .finally(() => {
          this.reading = false;
          this.updateReading();
          while (!this.reading && this.waiting.length > 0 && this.socket.open) this.process(this.waiting.shift()!);
        });
    } catch (err) {
      this.failed(err);
    }
  }

  /** P5: one message's failure is that message's error, never the connection's or the server's. */
  private failed(err: unknown): void {
    this.opts.logger.error({ err, tokenId: this.sender.tokenId }, 'a websocket message failed');
    this.answerError({ code: 'internal', message: 'the server failed to handle the message', path: '' }, undefined);
  }

  /** The whole ingest went over / back under its backlog limit. */
  setOverloaded(paused: boolean): void {
    this.overloadPaused = paused;
    this.updateReading();
  }

  /** The socket's buffer drained: reading may resume. */
  onDrain(): void {
    if (this.bufferPaused && this.socket.bufferedAmount <= this.opts.bufferLimitBytes) {
      this.bufferPaused = false;
      this.updateReading();
    }
  }

  private handle(read: CommandRead, nowMs: number): void {
    const { gateway } = this.opts;
    if (!read.checked.ok) return this.answerError(read.checked.error, read.msgId);
    const cmd = read.checked.value;
    if (cmd.type === 'ping') return this.answer(JSON.stringify({ type: 'pong', msgId: cmd.msgId, serverTimeMs: nowMs }));
    if (cmd.type === 'resync') {
      const resync = this.opts.resync;
      if (!resync) {
        return this.answerError({ code: 'invalid', message: 'this socket was opened with stream=none and receives no picture to resync (P13)', path: 'type' }, read.msgId);
      }
      // A resync reads the log or serialises the picture: one at a time per socket, and charged (P15).
      if (this.resyncing) return this.answerError({ code: 'invalid', message: 'a resync is already under way on this socket', path: 'type' }, read.msgId);
      const over = gateway.charge(this.sender, COST.resync);
      if (over) return this.answerError(over, read.msgId);
      this.resyncing = true;
      void resync(cmd.since)
        .catch((err) => this.opts.logger.error({ err }, 'resync failed'))
        .finally(() => (this.resyncing = false));
      return;
    }
    const id = cmd.msgId;
    gateway.submit(this.sender, cmd as Command, (error, result) => {
      if (error) return this.answerError(error, id);
      this.answer(`{"type":"ack","msgId":${JSON.stringify(id)},"seq":${result!.seq}}`);
    });
    if (gateway.overloaded && !this.overloadPaused) this.onOverload?.();
  }

  /** Called when a submit finds the ingest over its backlog; the adapter pauses every socket. */
  onOverload?: () => void;

  private answerError(error: ProtocolError, msgId: string | undefined): void {
    this.opts.gateway.refused(this.sender, 'websocket', error, msgId);
    this.answer(JSON.stringify({ type: 'error', msgId, code: error.code, message: error.message, path: error.path ?? '' }));
  }

  /** Queues an answer; the answers of this tick go out in one write. */
  private answer(text: string): void {
    if (!this.socket.open) return;
    this.queued.push(text);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => this.flush());
  }

  /** Writes the queued answers; pauses reading if the peer is not taking them (P15). */
  flush(): void {
    this.flushScheduled = false;
    const texts = this.queued;
    this.queued = [];
    if (texts.length === 0 || !this.socket.open) return;
    this.socket.sendTexts(texts);
    if (!this.bufferPaused && this.socket.bufferedAmount > this.opts.bufferLimitBytes) {
      this.bufferPaused = true;
      this.updateReading();
    }
  }

  private updateReading(): void {
    if (this.overloadPaused || this.bufferPaused || this.reading) this.socket.pause();
    else this.socket.resume();
  }
}

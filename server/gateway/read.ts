// Reading a message's bytes into a checked value (server/gateway): parse (P7) and validate (P5) in
// one step, on the main thread for small messages and on a reader thread for large ones, so that no
// single message, however large or malformed, holds the event loop (issue 9). Shared by every carrier.
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ProtocolError } from '@corridor/protocol';
import { kindOfSlice, type EntitySlice } from '@corridor/protocol';
import { KIND_VALIDATORS, validateAlertAck, validateCommand, validateConvoyStateChange, validateRerouteDecision, validateRouteChoice, validatePositionBatch, validateReportReview, validateNoticeAck, validateNoticeSend, type Result } from '@corridor/protocol/validate';
import { startModuleWorker } from '../worker.js';
import { parseMessage } from './parse.js';

/**
 * What a message is read as: `command`, a WebSocket message (its `type` says which), or the body of
 * an HTTP write, validated with the body's own field paths.
 */
export type Form = 'command' | 'positions' | 'convoy-state' | 'convoy-reroute' | 'convoy-route' | 'alert-ack' | 'report-review' | 'notice-send' | 'notice-ack' | EntitySlice;

/**
 * A message read: its `type` and `msgId` when it named string ones (so even a refused message is
 * answered under its msgId), and the outcome of parsing and checking it.
 */
export interface Read {
  type?: string;
  msgId?: string;
  checked: Result<unknown>;
}

/** Reads one message's bytes as `form`: parse, then the form's validator. Pure; runs on either thread. */
export function readMessage(bytes: Uint8Array, form: Form, nowMs: number): Read {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parsed = parseMessage(buffer, form === 'command' ? 'the message' : 'the body');
  if (!parsed.ok) return { checked: parsed };
  const raw = parsed.value;
  return { type: stringField(raw, 'type'), msgId: stringField(raw, 'msgId'), checked: validatorOf(form)(raw, nowMs) };
}

/** `value[key]` when `value` is an object and that field a string. */
export function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/** The validator of a form: a WebSocket command, an HTTP batch of reports, a convoy's change of state, an alert's acknowledgement, or the body of a kind's upsert. */
function validatorOf(form: Form): (raw: unknown, nowMs: number) => Result<unknown> {
  if (form === 'command') return validateCommand;
  if (form === 'positions') return validatePositionBatch;
  if (form === 'convoy-state') return (raw) => validateConvoyStateChange(raw);
  if (form === 'alert-ack') return (raw) => validateAlertAck(raw);
  if (form === 'convoy-reroute') return (raw) => validateRerouteDecision(raw);
  if (form === 'convoy-route') return (raw) => validateRouteChoice(raw);
  if (form === 'report-review') return (raw) => validateReportReview(raw);
  if (form === 'notice-send') return (raw) => validateNoticeSend(raw);
  if (form === 'notice-ack') return (raw) => validateNoticeAck(raw);
  const kind = kindOfSlice(form)!;
  return (raw, nowMs) => KIND_VALIDATORS[kind](raw, nowMs);
}

/**
 * Messages up to this size are read on the main thread (a position report is about 150 bytes; this
 * one takes well under a millisecond); larger ones on the reader thread. Bytes.
 */
export const READ_INLINE_BYTES = 64 * 1024;

/** Requests to the reader thread and its answers. */
export interface ReadRequest {
  id: number;
  bytes: Uint8Array;
  form: Form;
  nowMs: number;
}
export interface ReadReply {
  id: number;
  read: Read;
}

const INTERNAL: ProtocolError = { code: 'internal', message: 'the server failed to read the message', path: '' };

/**
 * Reads messages: small ones at once, large ones on one reader thread, answered in the order asked.
 * JSON.parse of 2 MiB of numbers took 60-180 ms on the 2-core machine the project is tested on, and
 * validating 10,000 reports 40-95 ms; a message that the reader thread refuses costs the main thread
 * nothing, and one it accepts only the hand-over of a value the schema bounds.
 */
export class MessageReader {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (read: Read) => void>();
  private closed = false;

  constructor(private readonly logger: Logger) {}

  /** Reads `bytes` as `form`: a value at once when small, a promise of it when large. */
  read(bytes: Buffer, form: Form, nowMs: number): Read | Promise<Read> {
    if (bytes.length <= READ_INLINE_BYTES || this.closed) return readMessage(bytes, form, nowMs);
    return new Promise<Read>((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, resolve);
      // A copy the thread owns (a socket's buffer may be a slice of a larger one, still in use).
      const copy = new Uint8Array(bytes.length);
      copy.set(bytes);
      this.thread().postMessage({ id, bytes: copy, form, nowMs } satisfies ReadRequest, [copy.buffer]);
    });
  }

  /** Stops the reader thread; messages still being read are answered as internal errors. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll();
    if (worker) await worker.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const worker = startModuleWorker(new URL(`read-thread${ext}`, import.meta.url), {});
    worker.unref();
    worker.on('message', (reply: ReadReply) => {
      const done = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      done?.(reply.read);
    });
    // The thread failing must not take the messages it held with it unanswered, nor the server.
    const lost = (why: string) => (err?: unknown) => {
      if (this.worker !== worker) return;
      this.logger.error({ err }, `the message reader thread ${why}; it is started again for the next large message`);
      this.worker = undefined;
      this.failAll();
    };
    worker.on('error', lost('failed'));
    worker.on('exit', (code) => lost(`stopped (exit code ${code})`)());
    this.worker = worker;
    return worker;
  }

  private failAll(): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const done of waiting) done({ checked: { ok: false, error: INTERNAL } });
  }
}

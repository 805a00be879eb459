// Reads Cursor-on-Target messages (server/cot): small ones at once, large ones on one reader thread,
// answered in the order asked. Parsing a 1 MB XML event held the main thread for 250-525 ms on the
// 2-core machine the project is tested on; on the thread it holds nothing but the hand-over of the
// parsed message, whose fields the parser has already bounded (limits.ts).
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startModuleWorker } from '../worker.js';
import { parseCot, type CotParseResult } from './parse.js';
import { decodeTakMessage } from './protobuf.js';

/** Messages up to this size are parsed on the main thread (a position event is under 1 KB), bytes. */
export const COT_INLINE_BYTES = 64 * 1024;

export interface CotReadRequest {
  id: number;
  kind: 'xml' | 'protobuf';
  bytes: Uint8Array;
}
export interface CotReadReply {
  id: number;
  parsed: CotParseResult;
}

const LOST: CotParseResult = { ok: false, reason: 'the server failed to read the message (its reader thread stopped)' };

export class CotReader {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (parsed: CotParseResult) => void>();
  private closed = false;

  constructor(private readonly logger: Logger) {}

  /** Parses one framed message: at once when small, a promise when large. */
  read(kind: 'xml' | 'protobuf', bytes: Buffer): CotParseResult | Promise<CotParseResult> {
    if (bytes.length <= COT_INLINE_BYTES || this.closed) return kind === 'xml' ? parseCot(bytes) : decodeTakMessage(bytes);
    return new Promise<CotParseResult>((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, resolve);
      const copy = new Uint8Array(bytes.length);
      copy.set(bytes);
      this.thread().postMessage({ id, kind, bytes: copy } satisfies CotReadRequest, [copy.buffer]);
    });
  }

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
    worker.on('message', (reply: CotReadReply) => {
      const done = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      done?.(reply.parsed);
    });
    const lost = (why: string) => (err?: unknown) => {
      if (this.worker !== worker) return;
      this.logger.error({ err }, `the CoT reader thread ${why}; it is started again for the next large message`);
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
    for (const done of waiting) done(LOST);
  }
}

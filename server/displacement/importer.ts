// Reads imports of displacement figures (server/displacement, issue 17): a small body at once, a large
// one on the import thread (import-thread.ts), where the body's JSON, the CSV or JSON file in it, the
// P-code join and every row's checks run. An accepted import's sites and flows come back a part at a
// time with turns of the event loop between, so a file of 100,000 rows never holds the main thread for
// more than the hand-over of one part. The thread is started when a large import begins to arrive and
// stopped after five minutes without one, which gives back the memory a big file took.
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { FlowInput, ProtocolError, SiteInput } from '@corridor/protocol';
import { startModuleWorker } from '../worker.js';
import { readImport, readImportRequest, type ImportReport } from './read-import.js';

/** What the main thread needs of an import request besides its report (the file stays on the thread). */
export interface ImportAsked {
  name: string;
  dryRun: boolean;
  skipInvalid: boolean;
}

/**
 * A read import: the body refused (`error`: not JSON, not the request's shape), or the request, its
 * report, why it cannot be imported at all (`problem`) and how many items an import would take.
 */
export type ImportAnswer =
  | { error: ProtocolError }
  | { asked: ImportAsked; report: ImportReport; problem?: ProtocolError; items?: { sites: number; flows: number } };

/** What the server fills in of a request that leaves it out: the sender's default marking (issue 13). */
export interface ImportDefaults {
  marking?: string;
}

/** An accepted import's items, as the thread holds them. */
export interface Held {
  sites: SiteInput[];
  flows: FlowInput[];
}

export type ImportRequestMessage =
  | { kind: 'read'; id: number; bytes: Uint8Array; nowMs: number; defaults: ImportDefaults }
  | { kind: 'take'; id: number; part: 'sites' | 'flows'; from: number; count: number }
  | { kind: 'drop'; id: number };
export type ImportReply =
  | { kind: 'read'; id: number; answer: ImportAnswer }
  | { kind: 'take'; id: number; items: (SiteInput | FlowInput)[] }
  | { kind: 'failed'; id: number; message: string };

/**
 * Reads an import request's bytes: the JSON body, its shape, then the import; the items are given when
 * it would be imported (not a dry run, no whole-file problem, no row refused unless `skipInvalid`).
 * Pure; runs on either thread.
 */
export function readBody(bytes: Uint8Array, nowMs: number, defaults: ImportDefaults = {}): { answer: ImportAnswer; items?: Held } {
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return { answer: { error: { code: 'bad_json', message: 'the body is empty: send {"name", "text"} as JSON', path: '' } } };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { answer: { error: { code: 'bad_json', message: `the body is not JSON: ${(err as Error).message.slice(0, 160)}`, path: '' } } };
  }
  const checked = readImportRequest(raw);
  if (!checked.ok) return { answer: { error: checked.error } };
  const req = checked.value.marking === undefined && defaults.marking !== undefined ? { ...checked.value, marking: defaults.marking } : checked.value;
  const outcome = readImport(req, nowMs);
  const asked: ImportAsked = { name: req.name, dryRun: req.dryRun === true, skipInvalid: req.skipInvalid === true };
  const importing = !asked.dryRun && !outcome.problem && (outcome.report.errorCount === 0 || asked.skipInvalid);
  const answer: ImportAnswer = { asked, report: outcome.report, ...(outcome.problem ? { problem: outcome.problem } : {}) };
  if (!importing) return { answer };
  return { answer: { ...answer, items: { sites: outcome.sites.length, flows: outcome.flows.length } }, items: { sites: outcome.sites, flows: outcome.flows } };
}

/** Bodies up to this size are read on the main thread (a few hundred rows: a millisecond or two), bytes. */
export const IMPORT_INLINE_BYTES = 64 * 1024;
/** Items handed over per turn of the event loop. */
const PART = 2000;
/** The thread is stopped after this long with nothing to do, ms. */
const IDLE_MS = 5 * 60_000;
/** The import thread's heap: a 64 MiB file parsed takes a few hundred MB; beyond this it fails alone. */
const THREAD_HEAP_MB = 2048;

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A read import and the way to its items. */
export interface ImportRead {
  answer: ImportAnswer;
  /** Takes the accepted import's items (once), a part at a time; the thread forgets them then. */
  take(): Promise<Held>;
}

export class DisplacementImporter {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (reply: ImportReply) => void }>();
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly logger: Logger) {}

  /** Reads one import request's body: at once when small, on the import thread when large. */
  async read(bytes: Buffer, nowMs: number, defaults: ImportDefaults = {}): Promise<ImportRead> {
    if (bytes.length <= IMPORT_INLINE_BYTES || this.closed) {
      const { answer, items } = readBody(bytes, nowMs, defaults);
      return { answer, take: async () => items ?? { sites: [], flows: [] } };
    }
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    const id = this.nextId++;
    const reply = await this.ask({ kind: 'read', id, bytes: copy, nowMs, defaults }, [copy.buffer]);
    if (reply.kind !== 'read') return { answer: { error: { code: 'internal', message: reply.kind === 'failed' ? reply.message : 'the import thread answered out of turn', path: '' } }, take: async () => ({ sites: [], flows: [] }) };
    const counts = 'items' in reply.answer ? reply.answer.items : undefined;
    let taken = false;
    return {
      answer: reply.answer,
      take: async () => {
        if (taken || !counts) return { sites: [], flows: [] };
        taken = true;
        try {
          const sites = (await this.takeAll(id, 'sites', counts.sites)) as SiteInput[];
          const flows = (await this.takeAll(id, 'flows', counts.flows)) as FlowInput[];
          return { sites, flows };
        } finally {
          this.post({ kind: 'drop', id });
        }
      },
    };
  }

  /**
   * Starts the thread ahead of a large body, while it is still arriving: loading the thread's code
   * takes a second or more (longer under tsx), which then overlaps the upload.
   */
  warm(bytes: number): void {
    if (bytes > IMPORT_INLINE_BYTES && !this.closed) {
      this.thread();
      if (this.waiting.size === 0) this.idleLater();
    }
  }

  /** Stops the thread; reads still under way are answered as internal errors. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.failAll('the server is shutting down');
    if (worker) await worker.terminate();
  }

  private async takeAll(id: number, part: 'sites' | 'flows', count: number): Promise<(SiteInput | FlowInput)[]> {
    const out: (SiteInput | FlowInput)[] = [];
    for (let from = 0; from < count; from += PART) {
      const reply = await this.ask({ kind: 'take', id, part, from, count: PART });
      if (reply.kind !== 'take' || (reply.items.length === 0 && from < count)) throw new Error(reply.kind === 'failed' ? reply.message : 'the import thread lost the items of an import');
      for (const item of reply.items) out.push(item);
      // Between parts, the sockets and timers waiting get their turn.
      await yieldTurn();
    }
    return out;
  }

  private ask(msg: ImportRequestMessage, transfer: ArrayBuffer[] = []): Promise<ImportReply> {
    return new Promise((resolve) => {
      this.waiting.set(msg.id, { resolve });
      clearTimeout(this.idleTimer);
      this.thread().postMessage(msg, transfer);
    });
  }

  private post(msg: ImportRequestMessage): void {
    this.worker?.postMessage(msg);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const worker = startModuleWorker(new URL(`import-thread${ext}`, import.meta.url), {}, { resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB } });
    worker.unref();
    worker.on('message', (reply: ImportReply) => {
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      w?.resolve(reply);
      if (this.waiting.size === 0) this.idleLater();
    });
    // The thread failing (a file that took all its heap) answers what it held, and not the server's end.
    const lost = (why: string) => (err?: unknown) => {
      if (this.worker !== worker) return;
      this.logger.error({ err }, `the import thread ${why}; it is started again for the next import`);
      this.worker = undefined;
      this.failAll(`the server could not read the import (its import thread ${why})`);
    };
    worker.on('error', lost('failed'));
    worker.on('exit', (code) => lost(`stopped (exit code ${code})`)());
    this.worker = worker;
    return worker;
  }

  /** Stops the thread after {@link IDLE_MS} without work, giving back what a big file took. */
  private idleLater(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.waiting.size > 0 || !this.worker) return;
      const worker = this.worker;
      this.worker = undefined;
      void worker.terminate();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private failAll(message: string): void {
    const waiting = [...this.waiting.entries()];
    this.waiting.clear();
    for (const [id, w] of waiting) w.resolve({ kind: 'failed', id, message });
  }
}

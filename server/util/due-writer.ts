// Writing something of the picture when it is due (server/util): after so many committed events, or
// so long after the last write when there are new events, whichever comes first. Never two at once;
// a failing write is logged once while it fails. The snapshots (core/snapshotter.ts) and the replay's
// checkpoints (replay/checkpointer.ts) are two such writers.
import type { Logger } from 'pino';
import { FailingCondition } from './failing-condition.js';

/** Longest timer delay Node accepts is 2^31−1 ms; the timer ticks no slower than this. */
const MAX_TIMER_MS = 3_600_000;

export interface DueWriterOptions {
  /** The write itself; its rejection is logged (once while it keeps failing). */
  write: () => Promise<void>;
  logger: Logger;
  /** What fails, in the log's words ("writing a picture snapshot (…)"). */
  what: string;
  /** A write after this many events ... */
  every: number;
  /** ... or this long after the last one when there are new events, ms. */
  intervalMs: number;
  /** How often the interval is looked at, ms (default: the interval itself). */
  tickMs?: number;
  now?: () => number;
}

/** Writes when due; see {@link DueWriterOptions}. */
export class DueWriter {
  private readonly now: () => number;
  private readonly failing: FailingCondition;
  private readonly timer: NodeJS.Timeout;
  private eventsSince = 0;
  private lastMs: number;
  private writing?: Promise<boolean>;
  private stopped = false;
  /** Writes stored since start. */
  written = 0;

  constructor(private readonly opts: DueWriterOptions) {
    this.now = opts.now ?? Date.now;
    this.lastMs = this.now();
    this.failing = new FailingCondition(opts.logger, opts.what, 60_000, this.now);
    this.timer = setInterval(() => this.maybe(true), Math.min(opts.tickMs ?? opts.intervalMs, MAX_TIMER_MS));
    this.timer.unref();
  }

  /** Counts committed events; writes when enough have come. */
  committed(events: number): void {
    this.eventsSince += events;
    this.maybe(false);
  }

  /** Writes now (or waits for the write under way); whether it was stored. */
  writeNow(): Promise<boolean> {
    if (this.writing) return this.writing;
    this.eventsSince = 0;
    this.lastMs = this.now();
    this.writing = (async () => {
      try {
        await this.opts.write();
        this.written++;
        this.failing.ok();
        return true;
      } catch (err) {
        this.failing.fail(err);
        return false;
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }

  /** Stops the timer and, when there are events since the last write, writes a last time. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.writing) await this.writing;
    if (this.eventsSince > 0) await this.writeNow();
  }

  private maybe(timerTick: boolean): void {
    if (this.stopped || this.eventsSince === 0 || this.writing) return;
    if (this.eventsSince >= this.opts.every || (timerTick && this.now() - this.lastMs >= this.opts.intervalMs)) void this.writeNow();
  }
}

// Snapshots of the picture (server/core): after so many events or so long, the picture's text is made
// a piece at a time (picture-text.ts) and written to the snapshot store, so a restart replays only the
// log after it. Never two at once; a failing store is logged once while it fails.
import type { Logger } from 'pino';
import type { Picture } from '@corridor/protocol';
import type { SnapshotStore } from '../log/snapshot-store.js';
import { FailingCondition } from '../util/failing-condition.js';
import { pictureJson } from './picture-text.js';

/** Longest timer delay Node accepts is 2^31−1 ms. */
const MAX_TIMER_MS = 3_600_000;

export interface SnapshotterOptions {
  store: SnapshotStore;
  picture: () => Picture;
  logger: Logger;
  /** A snapshot after this many events (default 200,000) ... */
  every?: number;
  /** ... or this long after the last one when there are new events, ms (default 60 s). */
  intervalMs?: number;
  now?: () => number;
}

/** Takes snapshots of the picture when they are due. */
export class Snapshotter {
  private readonly every: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly failing: FailingCondition;
  private readonly timer: NodeJS.Timeout;
  private eventsSince = 0;
  private lastMs: number;
  private writing?: Promise<boolean>;
  private stopped = false;

  constructor(private readonly opts: SnapshotterOptions) {
    this.every = opts.every ?? 200_000;
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.lastMs = this.now();
    this.failing = new FailingCondition(opts.logger, 'writing a picture snapshot (a restart replays more of the log meanwhile)', 60_000, this.now);
    this.timer = setInterval(() => this.maybe(true), Math.min(this.intervalMs, MAX_TIMER_MS));
    this.timer.unref();
  }

  /** Counts committed events; takes a snapshot when enough have come. */
  committed(events: number): void {
    this.eventsSince += events;
    this.maybe(false);
  }

  /** Takes a snapshot now (or waits for the one under way); whether it was stored. */
  snapshot(): Promise<boolean> {
    if (this.writing) return this.writing;
    this.eventsSince = 0;
    this.lastMs = this.now();
    this.writing = (async () => {
      try {
        const picture = this.opts.picture();
        const seq = picture.seq;
        await this.opts.store.write(seq, await pictureJson(picture));
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

  /** Stops the timer and, when there are events since the last one, takes a last snapshot. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.writing) await this.writing;
    if (this.eventsSince > 0) await this.snapshot();
  }

  private maybe(timerTick: boolean): void {
    if (this.stopped || this.eventsSince === 0 || this.writing) return;
    if (this.eventsSince >= this.every || (timerTick && this.now() - this.lastMs >= this.intervalMs)) void this.snapshot();
  }
}

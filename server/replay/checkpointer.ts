// Replay checkpoints (server/replay, issue 16): every N committed events, or every M minutes when
// there are new events, whichever comes first, the picture's text is made a piece at a time
// (core/picture-text.ts), gzipped on the thread pool and stored in the history (history-store.ts);
// checkpoints older than the retention are pruned. Never two at once; a failing write is logged once
// while it fails (seeks then fold from an older checkpoint); util/due-writer.ts says when.
import type { Logger } from 'pino';
import { idRecord, type Picture } from '@corridor/protocol';
import { pictureJson } from '../core/picture-text.js';
import { DueWriter } from '../util/due-writer.js';
import { compressPicture, type HistoryStore } from './history-store.js';

/** Defaults: a checkpoint every 100,000 events or 10 minutes with new events, kept 7 days. */
export const CHECKPOINT_EVERY = 100_000;
export const CHECKPOINT_INTERVAL_MS = 10 * 60_000;
export const HISTORY_RETENTION_MS = 7 * 86_400_000;

export interface CheckpointerOptions {
  history: HistoryStore;
  /** The live picture (never changed here). */
  picture: () => Picture;
  logger: Logger;
  every?: number;
  intervalMs?: number;
  retentionMs?: number;
  now?: () => number;
}

/**
 * The picture as of its seq, for a checkpoint: the units slice is the one slice the store changes in
 * place (apply-event.ts), so it is copied (its unit objects are replaced, never changed, so a shallow
 * copy will do); the other slices are replaced when they change. Without the copy a unit in the text
 * could be newer than the checkpoint's seq, and a seek just after it would show it early.
 */
function frozen(picture: Picture): Picture {
  return { ...picture, units: idRecord(picture.units) };
}

/** Writes checkpoints of the live picture to the history when they are due. */
export class Checkpointer {
  private readonly due: DueWriter;

  constructor(opts: CheckpointerOptions) {
    const retentionMs = opts.retentionMs ?? HISTORY_RETENTION_MS;
    const now = opts.now ?? Date.now;
    const intervalMs = opts.intervalMs ?? CHECKPOINT_INTERVAL_MS;
    this.due = new DueWriter({
      write: async () => {
        const picture = frozen(opts.picture());
        const body = await compressPicture(await pictureJson(picture));
        const nowMs = now();
        opts.history.write(picture.seq, nowMs, body);
        opts.history.prune(nowMs - retentionMs);
      },
      logger: opts.logger,
      what: 'writing a replay checkpoint (seeks fold more of the log meanwhile)',
      every: opts.every ?? CHECKPOINT_EVERY,
      intervalMs,
      // Looked at ten times per interval (at least every second, at most every minute), so a quiet
      // spell is checkpointed at most a tenth of the interval late.
      tickMs: Math.min(60_000, Math.max(1000, intervalMs / 10)),
      now,
    });
  }

  /** Checkpoints written since start (status, tests). */
  get written(): number {
    return this.due.written;
  }

  /** Counts committed events; writes a checkpoint when enough have come. */
  committed(events: number): void {
    this.due.committed(events);
  }

  /** Writes a checkpoint now (or waits for the one under way); whether it was stored. */
  checkpoint(): Promise<boolean> {
    return this.due.writeNow();
  }

  /** Stops the timer and, when there are events since the last one, writes a last checkpoint. */
  stop(): Promise<void> {
    return this.due.stop();
  }
}

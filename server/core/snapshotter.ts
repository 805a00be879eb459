// Snapshots of the picture (server/core): after so many events or so long, the picture's text is made
// a piece at a time (picture-text.ts) and written to the snapshot store, so a restart replays only the
// log after it. Never two at once; a failing store is logged once while it fails (util/due-writer.ts).
import type { Logger } from 'pino';
import type { Picture } from '@corridor/protocol';
import type { SnapshotStore } from '../log/snapshot-store.js';
import { DueWriter } from '../util/due-writer.js';
import { pictureJson } from './picture-text.js';

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
  private readonly due: DueWriter;

  constructor(opts: SnapshotterOptions) {
    this.due = new DueWriter({
      write: async () => {
        const picture = opts.picture();
        await opts.store.write(picture.seq, await pictureJson(picture));
      },
      logger: opts.logger,
      what: 'writing a picture snapshot (a restart replays more of the log meanwhile)',
      every: opts.every ?? 200_000,
      intervalMs: opts.intervalMs ?? 60_000,
      now: opts.now,
    });
  }

  /** Counts committed events; takes a snapshot when enough have come. */
  committed(events: number): void {
    this.due.committed(events);
  }

  /** Takes a snapshot now (or waits for the one under way); whether it was stored. */
  snapshot(): Promise<boolean> {
    return this.due.writeNow();
  }

  /** Stops the timer and, when there are events since the last one, takes a last snapshot. */
  stop(): Promise<void> {
    return this.due.stop();
  }
}

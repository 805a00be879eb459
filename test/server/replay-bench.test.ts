// A short run of bench:replay (issue 16) as a correctness check: a log of 200,000 events over a day
// built as the benchmark builds it, with the checkpoints the server writes, and seeks to random moments
// through the replay service (seek thread, read-only connections) equal to folding the log from its
// start up to the same moment. Times are not asserted (a loaded machine is not a failure); the
// benchmark reports them.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyEventsInPlace, emptyPicture, type PictureEvent } from '@corridor/protocol';
import { buildReplayLog } from '../../bench/replay.js';
import { HistoryStore } from '../../server/replay/history-store.js';
import { ReplayService } from '../../server/replay/replay.js';
import { LogIndex } from '../../server/replay/seek.js';
import { silentLogger, tempDir } from './helpers.js';

describe('bench:replay, short (issue 16)', () => {
  it('seeks to random moments of a 200,000-event log give the fold of the log up to them', async () => {
    const tmp = tempDir('corridor-replay-bench-');
    const log = buildReplayLog(tmp.dir, { events: 200_000, units: 50, seed: 3 });
    const service = new ReplayService({ logFile: log.logFile, dataDir: tmp.dir, picture: emptyPicture, onCommit: () => () => undefined, logger: silentLogger });
    const db = new Database(log.logFile, { readonly: true });
    try {
      const history = new HistoryStore(log.historyFile, { readonly: true });
      // A day with a checkpoint every 10 minutes of log (200,000 events never reach 100,000 between two).
      expect(history.count()).toBe(log.checkpoints);
      expect(log.checkpoints).toBeGreaterThan(140);
      let seed = 11;
      const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      const moments = Array.from({ length: 12 }, () => Math.floor(log.firstMs + rnd() * (log.lastMs - log.firstMs))).sort((a, b) => a - b);
      // One fold from the start, compared at each moment in turn.
      const index = new LogIndex(db);
      const folded = emptyPicture();
      for (const atMs of moments) {
        const found = await service.seek(atMs);
        const seq = index.seqAt(atMs);
        expect(found.seq).toBe(seq);
        // From the newest checkpoint at or before it: at most 10 minutes of log (about 1,400 events) folded.
        expect(found.fromSeq).toBe(history.atOrBeforeSeq(seq)?.seq ?? 0);
        expect(found.seq - found.fromSeq).toBeLessThan(2000);
        for (let after = folded.seq; after < seq; ) {
          const rows = index.read(after, seq, 10_000);
          applyEventsInPlace(folded, rows.map((r) => JSON.parse(r.json) as PictureEvent));
          after = rows[rows.length - 1].seq;
        }
        expect(JSON.parse(found.json)).toEqual(JSON.parse(JSON.stringify(folded)));
      }
      history.close();
    } finally {
      db.close();
      await service.close();
      tmp.cleanup();
    }
  }, 180_000);
});

// Seeking in the event log (server/replay, issue 16): which seq stood at a moment (a binary search on
// the primary key: `time_ms` is stamped at append, so it never decreases with seq, P1), and the
// picture at a seq (the newest checkpoint at or before it plus the log after it, folded). Synchronous:
// run on the seek thread (seek-thread.ts) or in tools, never on the server's main thread for a fold.
import type Database from 'better-sqlite3';
import { applyEventsInPlace, emptyPicture, pictureFromJson, type Picture, type PictureEvent } from '@corridor/protocol';
import { checkpointText, type HistoryStore } from './history-store.js';

/** Statements on a connection to the log (read-only is enough), made once per connection. */
export class LogIndex {
  private readonly timeAt: Database.Statement;
  private readonly firstStmt: Database.Statement;
  private readonly lastStmt: Database.Statement;
  private readonly page: Database.Statement;

  constructor(readonly db: Database.Database) {
    // `seq >= ?` rather than `seq = ?`: correct even if the log ever had a gap.
    this.timeAt = db.prepare('SELECT seq, time_ms AS timeMs FROM events WHERE seq >= ? ORDER BY seq LIMIT 1');
    this.firstStmt = db.prepare('SELECT seq, time_ms AS timeMs FROM events ORDER BY seq LIMIT 1');
    this.lastStmt = db.prepare('SELECT seq, time_ms AS timeMs FROM events ORDER BY seq DESC LIMIT 1');
    this.page = db.prepare('SELECT seq, type, body AS json FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
  }

  /** The first and last events' seq and time, or undefined for an empty log. */
  bounds(): { first: { seq: number; timeMs: number }; last: { seq: number; timeMs: number } } | undefined {
    const first = this.firstStmt.get() as { seq: number; timeMs: number } | undefined;
    const last = this.lastStmt.get() as { seq: number; timeMs: number } | undefined;
    return first && last ? { first, last } : undefined;
  }

  /**
   * The seq of the last event with `time_ms <= atMs` (0 before the first event): a binary search on
   * seq, about 24 lookups by primary key for 10 million events, never a scan.
   * @example index.seqAt(Date.now()) // the last seq
   */
  seqAt(atMs: number): number {
    const b = this.bounds();
    if (!b || b.first.timeMs > atMs) return 0;
    if (b.last.timeMs <= atMs) return b.last.seq;
    // Invariant: the event at lo has time <= atMs, the one at hi has time > atMs.
    let lo = b.first.seq;
    let hi = b.last.seq;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const row = this.timeAt.get(mid) as { seq: number; timeMs: number };
      if (row.seq >= hi) {
        hi = mid; // a gap from mid up to hi: nothing in it
        continue;
      }
      if (row.timeMs <= atMs) lo = row.seq;
      else hi = row.seq;
    }
    return lo;
  }

  /** Stored events with `after < seq <= upTo`, at most `limit`, in order. */
  read(after: number, upTo: number, limit: number): { seq: number; type: string; json: string }[] {
    return this.page.all(after, upTo, limit) as { seq: number; type: string; json: string }[];
  }
}

/** Events parsed and folded per page. */
const FOLD_PAGE = 5000;

/** A seek that would fold more of the log than allowed (a moment older than the checkpoints kept). */
export class SeekTooFarError extends Error {
  constructor(
    readonly events: number,
    readonly limit: number,
  ) {
    super(`the picture at that moment would be rebuilt from ${events} events of the log, more than the ${limit} allowed: the replay history keeps checkpoints only for its retention (CORRIDOR_HISTORY_DAYS); choose a later moment`);
  }
}

/** What a seek found: the picture at `seq`, where it started and how much it folded. */
export interface SeekResult {
  picture: Picture;
  /** The checkpoint it started from (0: the empty picture). */
  fromSeq: number;
  folded: number;
}

/**
 * The picture after the event `seq` (the empty picture at 0): the newest checkpoint at or before it,
 * or the empty picture, with the log after it folded in. Refuses with {@link SeekTooFarError} when
 * that is more than `maxFold` events.
 */
export function pictureAtSeq(log: LogIndex, history: HistoryStore | undefined, seq: number, maxFold = Number.POSITIVE_INFINITY): SeekResult {
  const checkpoint = seq > 0 ? history?.atOrBeforeSeq(seq) : undefined;
  const picture = checkpoint ? pictureFromJson(JSON.parse(checkpointText(checkpoint.body)) as Picture) : emptyPicture();
  const fromSeq = picture.seq;
  if (seq - fromSeq > maxFold) throw new SeekTooFarError(seq - fromSeq, maxFold);
  let after = fromSeq;
  while (after < seq) {
    const rows = log.read(after, seq, FOLD_PAGE);
    if (rows.length === 0) break;
    const events = new Array<PictureEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) events[i] = JSON.parse(rows[i].json) as PictureEvent;
    applyEventsInPlace(picture, events);
    after = rows[rows.length - 1].seq;
  }
  return { picture, fromSeq, folded: after - fromSeq };
}

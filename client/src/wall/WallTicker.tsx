// The wall's ticker (client/src/wall, issue 17): the latest significant events, newest first, worded in the
// page's language (ticker.ts), fed by the live stream, seeded from the log when the wall opens, and by the
// units that go stale. Holds at most TICKER_MAX lines however long it runs.
import { useEffect, useRef, useState } from 'react';
import type { PictureEvent } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { onLiveEvents } from '../net/live-events.js';
import { UNLISTED_TYPES } from '../replay/replay-logic.js';
import { pictureStore, usePicture } from '../state/hooks.js';
import type { CorridorHooks } from '../test-hooks.js';
import { addLines, staleLines, tickerLine, type TickerItem } from './ticker.js';

/** Lines shown, one each under the map: the newest three read at a glance. */
const SHOWN = 3;
/** How far back the log is read for the lines the wall opens with, seqs. */
const SEED_SEQS = 5000;

export function WallTicker({ now, hooks }: { now: number; hooks: CorridorHooks }) {
  const w = useWords();
  const [items, setItems] = useState<TickerItem[]>([]);
  const stale = useRef<ReadonlySet<string> | null>(null);
  const hasSnapshot = usePicture((s) => s.hasSnapshot);
  const units = usePicture((s) => s.picture.units);
  const staleAfterMs = usePicture((s) => s.staleAfterMs);
  const offset = usePicture((s) => s.clockOffsetMs);

  // Live events, as they are folded.
  useEffect(
    () =>
      onLiveEvents((events, before, after) => {
        const lines = events.map((e) => tickerLine(e, before, after, w)).filter((l): l is TickerItem => l !== null);
        if (lines.length) setItems((prev) => addLines(prev, lines));
      }),
    [w],
  );

  // The lines the wall opens with: the latest facts of the log (not the stream of positions), once.
  const seeded = useRef(false);
  useEffect(() => {
    if (!hasSnapshot || seeded.current) return;
    seeded.current = true;
    const seq = pictureStore.getState().picture.seq;
    const since = Math.max(0, seq - SEED_SEQS);
    fetch(`/api/events?since=${since}&limit=500&skip=${UNLISTED_TYPES.join(',')}`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<{ events: PictureEvent[] }>) : { events: [] }))
      .then(({ events }) => {
        const p = pictureStore.getState().picture;
        const lines = events.map((e) => tickerLine(e, p, p, w)).filter((l): l is TickerItem => l !== null);
        // Older than anything heard live meanwhile: addLines orders by time.
        if (lines.length) setItems((prev) => addLines(prev, lines));
      })
      .catch(() => {
        // No seed: the ticker fills as events come.
      });
  }, [hasSnapshot, w]);

  // Units gone stale since the last tick (none at the first look: those already were when the wall opened).
  useEffect(() => {
    if (!hasSnapshot) return;
    const r = staleLines(units, { nowMs: now + offset, staleAfterMs }, stale.current ?? new Set(), w);
    if (stale.current && r.lines.length) setItems((prev) => addLines(prev, r.lines));
    stale.current = r.stale;
  }, [now, units, staleAfterMs, offset, hasSnapshot, w]);

  useEffect(() => {
    hooks.wall = { ...(hooks.wall ?? { focus: null, candidates: 0 }), ticker: items.length, tickerTexts: items.map((i) => i.text) };
  }, [items, hooks]);

  return (
    <section className="wall-ticker" data-testid="ticker" aria-live="polite">
      <h2>{w.t('wall.tickerTitle')}</h2>
      {items.length === 0 ? (
        <p className="wall-empty">{w.t('wall.tickerEmpty')}</p>
      ) : (
        <ol>
          {items.slice(0, SHOWN).map((i) => (
            <li key={`${i.key}@${i.timeMs}`} className={`tick tick-${i.kind}`} data-kind={i.kind}>
              <time>{w.fmt.utcTime(i.timeMs)}</time> <span>{i.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

// The replay timeline (client/src/replay, issue 16): a slider over the whole log with marks for zones,
// re-routes, holds and alerts; play, pause, next event and speeds; the events listed beside it (clicking one
// shows the picture then); exports of a window as CSV and GeoJSON; and the way back to live.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { pictureStore, useNow, usePicture } from '../state/hooks.js';
import { errorText } from '../ui/error-text.js';
import { describeEvent } from './event-text.js';
import type { Replay } from './replay-controller.js';
import { exportQuery, markOf, SPEEDS, timelineShare, type MarkKind } from './replay-logic.js';
import { useReplay } from './use-replay.js';

/** Export windows offered, ms (null: the whole log). */
const WINDOWS: { spanMs: number | null; word: MessageKey }[] = [
  { spanMs: 15 * 60_000, word: 'replay.window15m' },
  { spanMs: 3_600_000, word: 'replay.window1h' },
  { spanMs: 6 * 3_600_000, word: 'replay.window6h' },
  // The server exports at most 24 h at a time (README, Replay).
  { spanMs: 24 * 3_600_000, word: 'replay.window24h' },
];
const MARK_WORDS: Record<MarkKind, MessageKey> = { zone: 'replay.markZone', reroute: 'replay.markReroute', hold: 'replay.markHold', alert: 'replay.markAlert' };
/** Lines of the list shown before and after the shown moment. */
const LIST_BEFORE = 150;
const LIST_AFTER = 60;
/** Most marks drawn on the slider. */
const MAX_MARKS = 600;

const OPEN_KEY = 'corridor.replay.open';

/** Whether the user left the timeline open last time (storage may be unavailable: then folded). */
function storedOpen(): boolean {
  try {
    return window.localStorage.getItem(OPEN_KEY) === '1';
  } catch {
    return false;
  }
}

function rememberOpen(open: boolean): void {
  try {
    window.localStorage.setItem(OPEN_KEY, open ? '1' : '0');
  } catch {
    // the choice lasts this page only
  }
}

export function ReplayDock({ replay }: { replay: Replay }) {
  const w = useWords();
  const nowMs = useNow(1000);
  const offset = useStore(pictureStore, (s) => s.clockOffsetMs);
  const mode = useReplay(replay, (s) => s.mode);
  const range = useReplay(replay, (s) => s.range);
  const shownMs = useReplay(replay, (s) => s.shownMs);
  const playing = useReplay(replay, (s) => s.clock.playing);
  const speed = useReplay(replay, (s) => s.clock.speed);
  const seeking = useReplay(replay, (s) => s.seeking);
  const error = useReplay(replay, (s) => s.error);
  const events = useReplay(replay, (s) => s.listed);
  const capped = useReplay(replay, (s) => s.listCapped);
  const context = useReplay(replay, (s) => s.context);
  const picture = usePicture((s) => s.picture);
  // Folded to one row by default, so the live map keeps its room; opened by the user (remembered) or
  // with `?replay=1`, and always open while the page shows the past.
  const [opened, setOpened] = useState(() => new URLSearchParams(window.location.search).get('replay') === '1' || storedOpen());
  const [windowIndex, setWindowIndex] = useState(1);
  const [dragMs, setDragMs] = useState<number | null>(null);
  const past = mode === 'past';
  const open = opened || past;
  const toggle = () => {
    setOpened(!open);
    rememberOpen(!open);
  };
  const presentMs = nowMs + offset;
  const firstMs = range?.firstMs ?? presentMs - 3_600_000;
  const atMs = dragMs ?? (past ? shownMs : presentMs);

  // Dragging the slider seeks once it rests a moment, not at every pixel.
  useEffect(() => {
    if (dragMs === null) return;
    const t = setTimeout(() => {
      void replay.seek(dragMs).finally(() => setDragMs(null));
    }, 250);
    return () => clearTimeout(t);
  }, [dragMs, replay]);

  const marks = useMemo(() => {
    const out: { seq: number; share: number; kind: MarkKind }[] = [];
    for (const e of events) {
      const kind = markOf(e);
      if (kind) out.push({ seq: e.seq, share: timelineShare(e.timeMs, firstMs, presentMs), kind });
    }
    return out.slice(-MAX_MARKS);
    // Marks move with the present only every few seconds: recomputed when the events or those seconds change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [events, firstMs, Math.floor(presentMs / 5000)]);

  // The list around the shown moment: what happened just before it, and what comes next.
  const cut = useMemo(() => {
    let i = events.findIndex((e) => e.timeMs > atMs);
    if (i < 0) i = events.length;
    return i;
  }, [events, atMs]);
  const lines = events.slice(Math.max(0, cut - LIST_BEFORE), cut + LIST_AFTER).map((e) => describeEvent(e, context, picture, w));
  const currentSeq = cut > 0 ? events[cut - 1].seq : null;
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const list = listRef.current;
    const current = list?.querySelector<HTMLElement>('[aria-current="true"]');
    if (list && current) list.scrollTop = Math.max(0, current.offsetTop - list.clientHeight / 2);
  }, [currentSeq]);

  const win = WINDOWS[windowIndex];
  const query = exportQuery(atMs, win.spanMs, firstMs);
  const play = () => {
    if (past) replay.setPlaying(!playing);
    // From live, play starts at the beginning of the export window (the last hour by default).
    else void replay.seek(win.spanMs === null ? firstMs : Math.max(firstMs, presentMs - win.spanMs)).then(() => replay.setPlaying(true));
  };
  return (
    <section className={`replay${past ? ' replay-past' : ''}${open ? '' : ' replay-folded'}`} data-testid="replay" data-mode={mode} data-open={open} aria-label={w.t('replay.title')}>
      <div className="replay-main">
        <div className="replay-controls">
          <span className={`replay-mode replay-mode-${mode}`} data-testid="replay-mode">
            {w.t(past ? 'replay.modePast' : 'replay.modeLive')}
          </span>
          <button type="button" className="act act-small" data-testid="replay-play" onClick={play} aria-pressed={past && playing}>
            {w.t(past && playing ? 'replay.pause' : 'replay.play')}
          </button>
          <button type="button" className="act act-small" data-testid="replay-next" disabled={!past} onClick={() => void replay.next()}>
            {w.t('replay.next')}
          </button>
          <span className="replay-speeds" role="radiogroup" aria-label={w.t('replay.speed')}>
            {SPEEDS.map((s) => (
              <button key={s} type="button" role="radio" aria-checked={speed === s} className={`act act-small${speed === s ? ' act-approved' : ''}`} data-testid={`replay-speed-${s}`} onClick={() => replay.setSpeed(s)}>
                {w.t('replay.speedValue', { n: w.fmt.number(s) })}
              </button>
            ))}
          </span>
          <span className="replay-time" data-testid="replay-time" dir="ltr">
            {w.fmt.utcDate(atMs)} {w.fmt.utcTime(atMs)}
          </span>
          {seeking && <span className="replay-note">{w.t('replay.loading')}</span>}
          {past && (
            <button type="button" className="act act-small replay-live" data-testid="replay-live" onClick={() => replay.backToLive()}>
              {w.t('replay.backToLive')}
            </button>
          )}
          {!past && (
            <button type="button" className="act act-small replay-toggle" data-testid="replay-toggle" aria-expanded={open} onClick={toggle}>
              {w.t(open ? 'replay.fold' : 'replay.unfold')}
            </button>
          )}
        </div>
        {open && (
          <>
            <div className="replay-track">
              <div className="replay-marks" aria-hidden="true">
                {marks.map((m) => (
                  <span key={m.seq} className={`replay-mark replay-mark-${m.kind}`} style={{ insetInlineStart: `${m.share * 100}%` }} />
                ))}
              </div>
              <input
                type="range"
                className="replay-slider"
                data-testid="replay-slider"
                aria-label={w.t('replay.slider')}
                aria-valuetext={`${w.fmt.utcDate(atMs)} ${w.fmt.utcTime(atMs)}`}
                min={Math.floor(firstMs / 1000) * 1000}
                max={Math.ceil(presentMs / 1000) * 1000}
                step={1000}
                value={Math.round(atMs / 1000) * 1000}
                disabled={!range}
                onChange={(e) => setDragMs(Number(e.target.value))}
              />
            </div>
            <div className="replay-legend">
              {(Object.keys(MARK_WORDS) as MarkKind[]).map((k) => (
                <span key={k}>
                  <span className={`replay-mark replay-mark-${k}`} aria-hidden="true" /> {w.t(MARK_WORDS[k])}
                </span>
              ))}
              <span className="replay-export">
                <label>
                  {w.t('replay.window')}{' '}
                  <select data-testid="replay-window" value={windowIndex} onChange={(e) => setWindowIndex(Number(e.target.value))}>
                    {WINDOWS.map((x, i) => (
                      <option key={i} value={i}>
                        {w.t(x.word)}
                      </option>
                    ))}
                  </select>
                </label>{' '}
                <a className="button" data-testid="replay-csv" href={`/api/replay/events.csv?${query}`} download>
                  {w.t('replay.csv')}
                </a>{' '}
                <a className="button" data-testid="replay-geojson" href={`/api/replay/tracks.geojson?${query}`} download>
                  {w.t('replay.geojson')}
                </a>
              </span>
            </div>
          </>
        )}
        {error && (
          <div className="error" role="alert" data-testid="replay-error">
            {error.code === 'outside_window' ? w.t('replay.tooOld') : error.code === 'unavailable' || error.code === 'rate_limited' ? w.t('replay.busy') : w.t('replay.failed', { what: errorText(error, w) })}
          </div>
        )}
      </div>
      {open && (
        <div className="replay-side">
          <h2>{w.t('replay.events')}</h2>
          {capped && <p className="meta">{w.t('replay.capped', { n: w.fmt.number(events.length) })}</p>}
          {lines.length === 0 && <p className="empty">{w.t('replay.noEvents')}</p>}
          <ol className="replay-events" data-testid="replay-events" ref={listRef}>
            {lines.map((l) => (
              <li key={l.seq} className={`${l.timeMs <= atMs ? 'done' : 'ahead'}${l.mark ? ` replay-line-${l.mark}` : ''}`} aria-current={l.seq === currentSeq}>
                <button type="button" data-testid="replay-event" data-seq={l.seq} data-ms={l.timeMs} onClick={() => void replay.seek(l.timeMs)}>
                  <span className="when" dir="ltr">
                    {w.fmt.utcTime(l.timeMs)}
                  </span>{' '}
                  <span className="who">{l.who ?? w.t('replay.system')}</span> <span className="what">{l.what}</span>
                </button>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

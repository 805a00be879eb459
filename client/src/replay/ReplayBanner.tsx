// The past-mode banner (client/src/replay, issue 16): says plainly that the page shows the past, when (UTC and
// local time), whether it plays, and gives the way back to live. Shown on the picture and the wall alike.
import { useWords } from '../i18n/use-words.js';
import type { Words } from '../layers/words.js';
import type { Replay } from './replay-controller.js';
import { useReplay } from './use-replay.js';

/** A moment in the viewer's own time zone, with the zone's name: `6 Dec 2026, 17:05:07 CET`. */
export function localTime(ms: number, w: Words): string {
  return new Intl.DateTimeFormat(w.fmt.locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }).format(ms);
}

export function ReplayBanner({ replay }: { replay: Replay | undefined }) {
  const w = useWords();
  const mode = useReplay(replay, (s) => s.mode);
  const shownMs = useReplay(replay, (s) => s.shownMs);
  const playing = useReplay(replay, (s) => s.clock.playing);
  const speed = useReplay(replay, (s) => s.clock.speed);
  const caughtUp = useReplay(replay, (s) => s.caughtUp);
  if (!replay || mode !== 'past') return null;
  const state = caughtUp ? w.t('replay.caughtUp') : playing ? w.t('replay.playingAt', { speed: w.fmt.number(speed) }) : w.t('replay.paused');
  return (
    <div className="replay-banner" role="status" aria-live="polite" data-testid="replay-banner" data-ms={shownMs}>
      <span className="replay-banner-text">
        <b>{w.t('replay.pastLabel')}</b>{' '}
        {w.t('replay.banner', { utc: `${w.fmt.utcDate(shownMs)} ${w.fmt.utcTime(shownMs)}`, local: localTime(shownMs, w) })}
      </span>
      <span className="replay-banner-state">{state}</span>
      <button type="button" className="replay-live" data-testid="replay-banner-live" onClick={() => replay.backToLive()}>
        {w.t('replay.backToLive')}
      </button>
    </div>
  );
}

// Header of the wall display (client/src/wall, issue 17): EXERCISE marks while the exercise runs, the area's
// title in full, units and the time of the last update, the UTC and local clocks, and the link's state.
import { useMemo } from 'react';
import { useWords } from '../i18n/use-words.js';
import { usePicture } from '../state/hooks.js';
import { ConnectionBadge } from '../ui/ConnectionBadge.js';
import { PictureStats, UtcClock } from '../ui/TopBar.js';
import { ExerciseMark, useAreaTitle } from '../ui/ExerciseMarks.js';

/** The local time of day and the local zone's short name, in the page's language (`10:05:07`, `CET`). */
function useLocalClock(ms: number): { time: string; zone: string } {
  const w = useWords();
  const fmt = useMemo(
    () => ({
      time: new Intl.DateTimeFormat(w.fmt.locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }),
      zone: new Intl.DateTimeFormat(w.fmt.locale, { timeZoneName: 'short' }),
    }),
    [w.fmt.locale],
  );
  return { time: fmt.time.format(ms), zone: fmt.zone.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '' };
}

export function WallHeader({ now }: { now: number }) {
  const w = useWords();
  const title = useAreaTitle('page.wall');
  const clockMs = now + usePicture((s) => s.clockOffsetMs);
  const local = useLocalClock(clockMs);
  return (
    <header className="wall-header" data-testid="wall-header">
      <ExerciseMark />
      <div className="wall-title">
        <h1 data-testid="wall-title">{title}</h1>
        <PictureStats now={now} className="wall-stats" />
      </div>
      <UtcClock now={now} />
      <div className="wall-local" data-testid="clock-local">
        <span className="wall-local-time">{local.time}</span>
        <span className="wall-local-zone">{w.t('wall.local', { zone: local.zone })}</span>
      </div>
      <ConnectionBadge now={now} />
      <ExerciseMark hidden />
    </header>
  );
}

// Header of the wall display (client/src/wall, issue 17): EXERCISE marks while the exercise runs, the area's
// title in full, units and the time of the last update, the UTC and local clocks, and the link's state.
import { isStale } from '@corridor/protocol';
import { useMemo } from 'react';
import { Trans } from 'react-i18next';
import { useWords } from '../i18n/use-words.js';
import { unitList } from '../layers/unit-layers.js';
import { counted } from '../layers/words.js';
import { usePicture } from '../state/hooks.js';
import { ConnectionBadge } from '../ui/ConnectionBadge.js';
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
  const units = usePicture((s) => s.picture.units);
  const lastUpdateMs = usePicture((s) => s.lastUpdateMs);
  const staleAfterMs = usePicture((s) => s.staleAfterMs);
  const offset = usePicture((s) => s.clockOffsetMs);
  const clockMs = now + offset;
  const list = unitList(units);
  const stale = list.filter((u) => isStale(u, clockMs, staleAfterMs)).length;
  const local = useLocalClock(clockMs);
  return (
    <header className="wall-header" data-testid="wall-header">
      <ExerciseMark />
      <div className="wall-title">
        <h1 data-testid="wall-title">{title}</h1>
        <div className="wall-stats">
          <span data-testid="unit-count" data-count={list.length}>
            <Trans i18nKey="topbar.units" count={list.length} values={{ n: w.fmt.number(list.length) }} components={{ b: <b /> }} />
            {stale ? <em className="stale-count"> · {w.t('topbar.stale', counted(w, stale))}</em> : null}
          </span>
          <span className="last-update" data-testid="last-update" data-ms={lastUpdateMs}>
            <Trans i18nKey="topbar.lastUpdate" values={{ time: lastUpdateMs ? w.fmt.utcTime(lastUpdateMs) : '—' }} components={{ b: <b /> }} />
          </span>
        </div>
      </div>
      <div className="clock" data-testid="clock" title={w.t('topbar.clock')}>
        <span className="clock-time">{w.fmt.utcTime(clockMs)}</span>
        <span className="clock-date">{w.fmt.utcDate(clockMs)}</span>
      </div>
      <div className="wall-local" data-testid="clock-local">
        <span className="wall-local-time">{local.time}</span>
        <span className="wall-local-zone">{w.t('wall.local', { zone: local.zone })}</span>
      </div>
      <ConnectionBadge now={now} />
      <ExerciseMark hidden />
    </header>
  );
}

// Header of the picture (client/src/ui): EXERCISE marking, title, UTC clock, last update, unit count, connection.
import { isStale } from '@corridor/protocol';
import { unitList } from '../layers/unit-layers.js';
import { usePicture } from '../state/hooks.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { utcClock, utcDate } from './format.js';

export function TopBar({ now, title }: { now: number; title: string }) {
  const units = usePicture((s) => s.picture.units);
  const lastUpdateMs = usePicture((s) => s.lastUpdateMs);
  const staleAfterMs = usePicture((s) => s.staleAfterMs);
  const offset = usePicture((s) => s.clockOffsetMs);
  const list = unitList(units);
  const stale = list.filter((u) => isStale(u, now + offset, staleAfterMs)).length;
  return (
    <header className="topbar">
      <div className="exercise-mark" aria-label="Exercise">EXERCISE</div>
      <div className="title">
        <span className="app">CORRIDOR</span>
        <span className="sep">|</span>
        <span className="op">{title}</span>
      </div>
      <div className="stats">
        <span data-testid="unit-count" data-count={list.length}>
          <b>{list.length}</b> units{stale ? <em className="stale-count"> · {stale} stale</em> : null}
        </span>
        <span className="last-update" data-testid="last-update" data-ms={lastUpdateMs}>
          last update <b>{lastUpdateMs ? utcClock(lastUpdateMs) : '—'}</b>
        </span>
      </div>
      <div className="clock" data-testid="clock">
        <span className="clock-time">{utcClock(now + offset)}</span>
        <span className="clock-date">{utcDate(now + offset)}</span>
      </div>
      <ConnectionBadge now={now} />
      <div className="exercise-mark" aria-hidden="true">EXERCISE</div>
    </header>
  );
}

// Header of the picture (client/src/ui): EXERCISE marking (while the exercise runs), title, UTC clock, last update, unit count, language, connection.
import { isStale } from '@corridor/protocol';
import { Trans } from 'react-i18next';
import { useWords } from '../i18n/use-words.js';
import { unitList } from '../layers/unit-layers.js';
import { counted } from '../layers/words.js';
import { usePicture } from '../state/hooks.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { LanguageSwitcher } from './LanguageSwitcher.js';
import { useMe } from '../net/session.js';
import { ExerciseMark } from './ExerciseMarks.js';

/**
 * Under an information-sharing agreement, says so (issue 13): what other organisations post reaches
 * this user as the agreement allows, some of it withheld, coarsened or without some fields. It never
 * says how much: that would tell what is withheld.
 */
function SharingNotice() {
  const w = useWords();
  const me = useMe();
  if (!me?.agreement) return null;
  return (
    <div className="sharing" data-testid="sharing-notice" title={w.t('topbar.sharingTitle', { agreement: me.agreement.name })}>
      {w.t('topbar.sharing', { org: w.isolate(me.org) })}
    </div>
  );
}

/** Units (and how many are stale) and the time of the last update; the desk's header and the wall's (`className`). */
export function PictureStats({ now, className }: { now: number; className: string }) {
  const w = useWords();
  const units = usePicture((s) => s.picture.units);
  const lastUpdateMs = usePicture((s) => s.lastUpdateMs);
  const staleAfterMs = usePicture((s) => s.staleAfterMs);
  const offset = usePicture((s) => s.clockOffsetMs);
  const list = unitList(units);
  const stale = list.filter((u) => isStale(u, now + offset, staleAfterMs)).length;
  return (
    <div className={className}>
      <span data-testid="unit-count" data-count={list.length}>
        <Trans i18nKey="topbar.units" count={list.length} values={{ n: w.fmt.number(list.length) }} components={{ b: <b /> }} />
        {stale ? <em className="stale-count"> · {w.t('topbar.stale', counted(w, stale))}</em> : null}
      </span>
      <span className="last-update" data-testid="last-update" data-ms={lastUpdateMs}>
        <Trans i18nKey="topbar.lastUpdate" values={{ time: lastUpdateMs ? w.fmt.utcTime(lastUpdateMs) : '—' }} components={{ b: <b /> }} />
      </span>
    </div>
  );
}

/** The server's time now, UTC, with its date; the desk's header and the wall's. */
export function UtcClock({ now }: { now: number }) {
  const w = useWords();
  const clockMs = now + usePicture((s) => s.clockOffsetMs);
  return (
    <div className="clock" data-testid="clock" title={w.t('topbar.clock')}>
      <span className="clock-time">{w.fmt.utcTime(clockMs)}</span>
      <span className="clock-date">{w.fmt.utcDate(clockMs)}</span>
    </div>
  );
}

export function TopBar({ now, title, switcher = true }: { now: number; title: string; switcher?: boolean }) {
  const w = useWords();
  const access = window.location.pathname.replace(/\/+$/, '') === '/access';
  return (
    <header className="topbar">
      <ExerciseMark />
      <div className="title">
        <span className="app" dir="ltr">
          {w.t('app.name')}
        </span>
        <span className="sep">|</span>
        <span className="op">{title}</span>
      </div>
      <PictureStats now={now} className="stats" />
      <UtcClock now={now} />
      <SharingNotice />
      {/* The access view (issue 16) from the desk's picture, and back; not on the wall, which nobody clicks. */}
      {switcher && (
        <a className="topbar-link" data-testid="topbar-access" href={access ? '/' : '/access'}>
          {w.t(access ? 'access.back' : 'page.access')}
        </a>
      )}
      {switcher && <LanguageSwitcher />}
      <ConnectionBadge now={now} />
      <ExerciseMark hidden />
    </header>
  );
}

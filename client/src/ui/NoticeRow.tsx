// A convoy's movement paperwork in its row (client/src/ui, issue 18): its deconfliction notice's reference,
// version and status, marked at a glance when a convoy approved or under way has no acknowledged notice,
// with links to the printable notice and route card and the route's files for devices.
import { lacksAcknowledgedNotice, type Convoy, type NoticeStatus } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { usePicture } from '../state/hooks.js';
import { RouteExports } from './ExportLinks.js';

/** The words of each notice status. */
export const NOTICE_STATUS_WORDS: Record<NoticeStatus, MessageKey> = {
  draft: 'side.noticeDraft',
  sent: 'side.noticeSent',
  acknowledged: 'side.noticeAcknowledged',
  expired: 'side.noticeExpired',
  superseded: 'side.noticeSuperseded',
};

export function NoticeRow({ convoy }: { convoy: Convoy }) {
  const w = useWords();
  const notice = usePicture((s) => s.picture.notices[convoy.id]);
  const hasRoute = usePicture((s) => s.picture.corridors[convoy.id]?.status === 'ok');
  const missing = lacksAcknowledgedNotice(convoy, notice);
  if (!notice && !missing && !hasRoute) return null;
  const id = encodeURIComponent(convoy.id);
  return (
    <div className={`notice-row${missing ? ' missing' : ''}`} data-testid={`notice-${convoy.id}`}>
      {notice ? (
        <span className={`notice-status notice-${notice.status}`}>
          {w.t('side.notice', { reference: w.isolate(notice.reference), version: w.fmt.number(notice.version), status: w.t(NOTICE_STATUS_WORDS[notice.status]) })}
        </span>
      ) : null}
      {missing && <b className="notice-missing">{w.t(notice ? 'side.noticeNotAcknowledged' : 'side.noticeNone')}</b>}
      <span className="notice-links">
        {notice && (
          <a href={`/convoys/${id}/notice`} target="_blank" rel="noopener" data-testid={`notice-link-${convoy.id}`}>
            {w.t('side.noticeOpen')}
          </a>
        )}
        {hasRoute && (
          <a href={`/convoys/${id}/card`} target="_blank" rel="noopener" data-testid={`card-link-${convoy.id}`}>
            {w.t('side.routeCard')}
          </a>
        )}
      </span>
      {hasRoute && <RouteExports convoyId={convoy.id} />}
    </div>
  );
}

/**
 * How many convoys under way (moving or holding) have no acknowledged notice: the figure a planner
 * reads at a glance in the convoys' heading.
 */
export function useUnnotifiedMoving(): number {
  return usePicture((s) => {
    let n = 0;
    for (const c of Object.values(s.picture.convoys)) {
      if ((c.state === 'moving' || c.state === 'holding') && lacksAcknowledgedNotice(c, s.picture.notices[c.id])) n++;
    }
    return n;
  });
}

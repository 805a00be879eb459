// The deconfliction notice, `/convoys/:id/notice` (client/src/paperwork, issue 18): one A4 page made from the
// convoy's notice in the live picture (reference, version, status, who moves where and when, the route and its
// roads, what this version changed, the versions before it), re-rendered when the notice changes. On screen only:
// Send, Record acknowledgement and Print, and a warning a planner cannot miss while the notice is not acknowledged.
import { useState, type FormEvent, type ReactNode } from 'react';
import { lacksAcknowledgedNotice, type Notice } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { VEHICLE_WORDS, type Words } from '../layers/words.js';
import { useLiveConnection } from '../net/use-live-connection.js';
import { usePicture } from '../state/hooks.js';
import { deltaText, whyText } from '../ui/format.js';
import { RouteExports } from '../ui/ExportLinks.js';
import { useExercise } from '../ui/ExerciseMarks.js';
import { clocks, EXPIRY_WORDS, ltr, PART_WORDS, positionText, STATUS_WORDS } from './paper-words.js';
import { PaperMap, PaperMapLegend } from './PaperMap.js';
import { knownZone } from './paperwork-view.js';
import { noticeAction, usePaperwork } from './use-paperwork.js';
import './paperwork.css';

/** A label and its value, on one row of a fact list; nothing when the value is missing. */
function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  if (children === undefined || children === null || children === '' || children === false) return null;
  return (
    <div className="pw-fact" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The page's state when there is nothing to print yet, in words. */
export function PaperMessage({ text, testId }: { text: string; testId: string }) {
  return (
    <div className="paperwork">
      <p className="pw-message" data-testid={testId} role="status">
        {text}
      </p>
    </div>
  );
}

/** The planner's actions: Send (draft), Record acknowledgement (sent), Print; the server's refusal in words. */
function NoticeActions({ notice, w }: { notice: Notice; w: Words }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [acking, setAcking] = useState(false);
  const [by, setBy] = useState('');
  const [remark, setRemark] = useState('');
  const run = async (action: 'send' | 'acknowledge', body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    const refused = await noticeAction(notice.convoyId, action, body, w);
    setBusy(false);
    setError(refused);
    if (!refused) setAcking(false);
  };
  const submitAck = (e: FormEvent) => {
    e.preventDefault();
    if (by.trim() === '') return;
    void run('acknowledge', { version: notice.version, by: by.trim(), ...(remark.trim() ? { remark: remark.trim() } : {}) });
  };
  return (
    <div className="pw-toolbar no-print" data-testid="notice-actions">
      {notice.status === 'draft' && (
        <button type="button" data-testid="notice-send" disabled={busy} onClick={() => void run('send', { version: notice.version })}>
          {busy ? w.t('paperwork.action.sending') : w.t('paperwork.action.send')}
        </button>
      )}
      {notice.status === 'sent' && !acking && (
        <button type="button" data-testid="notice-ack-open" onClick={() => setAcking(true)}>
          {w.t('paperwork.action.recordAck')}
        </button>
      )}
      {notice.status === 'sent' && acking && (
        <form className="pw-ack-form" data-testid="notice-ack-form" onSubmit={submitAck}>
          <label>
            {w.t('paperwork.action.ackByLabel')}
            <input name="by" value={by} required maxLength={200} onChange={(e) => setBy(e.target.value)} />
          </label>
          <label>
            {w.t('paperwork.action.ackRemarkLabel')}
            <input name="remark" value={remark} maxLength={1000} onChange={(e) => setRemark(e.target.value)} />
          </label>
          <button type="submit" data-testid="notice-ack-submit" disabled={busy || by.trim() === ''}>
            {w.t('paperwork.action.ackSubmit')}
          </button>
          <button type="button" onClick={() => setAcking(false)}>
            {w.t('paperwork.action.cancel')}
          </button>
        </form>
      )}
      <button type="button" data-testid="print" onClick={() => window.print()}>
        {w.t('paperwork.page.print')}
      </button>
      {notice.route && <RouteExports convoyId={notice.convoyId} />}
      {error && (
        <p className="pw-error" role="alert" data-testid="notice-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** What this version changed against the one before. */
function Changes({ notice, w }: { notice: Notice; w: Words }) {
  const picture = usePicture((s) => s.picture);
  const c = notice.changes;
  if (!c) return <p className="pw-muted">{w.t('paperwork.notice.firstVersion')}</p>;
  const list = (xs: string[]) => w.fmt.list(xs.map((x) => w.isolate(x)));
  const figures: string[] = [];
  if (c.distanceDeltaM !== undefined && Math.abs(c.distanceDeltaM) >= 1) {
    figures.push(w.t(c.distanceDeltaM > 0 ? 'paperwork.notice.longer' : 'paperwork.notice.shorter', { distance: w.fmt.distance(Math.abs(c.distanceDeltaM)) }));
  }
  if (c.durationDeltaS !== undefined && Math.abs(c.durationDeltaS) >= 5) figures.push(deltaText(c.durationDeltaS, w));
  return (
    <ul className="pw-changes" data-testid="notice-changes">
      <li>{w.t('paperwork.notice.changedParts', { parts: w.fmt.list(c.parts.map((p) => w.t(PART_WORDS[p]))) })}</li>
      {c.roadsAdded?.length ? <li data-testid="roads-added">{w.t('paperwork.notice.roadsAdded', { roads: list(c.roadsAdded) })}</li> : null}
      {c.roadsDropped?.length ? <li data-testid="roads-dropped">{w.t('paperwork.notice.roadsDropped', { roads: list(c.roadsDropped) })}</li> : null}
      {figures.length > 0 && <li>{figures.join(' · ')}</li>}
      {(c.why || c.reason) && <li>{w.t('paperwork.notice.why', { reason: c.why ? whyText(c.why, picture, w) : w.isolate(c.reason!) })}</li>}
    </ul>
  );
}

/** The notice itself: what is printed. */
export function NoticeSheet({ notice, w, exercise }: { notice: Notice; w: Words; exercise: boolean }) {
  const zone = knownZone(notice.window?.timeZone);
  const clock = clocks(w, zone);
  const fp = notice.focalPoint;
  const v = notice.vehicles;
  const isolate = (s: string | undefined) => (s === undefined ? undefined : w.isolate(s));
  const end = (e: Notice['origin']) => (e.place ? w.isolate(e.place) : positionText(e.at, w));
  const windowFrom = notice.window ? Date.parse(notice.window.from) : NaN;
  const windowUntil = notice.window ? Date.parse(notice.window.until) : NaN;
  const departure = notice.departure ? Date.parse(notice.departure) : NaN;
  const acknowledged = notice.status === 'acknowledged' || !!notice.acknowledged;
  return (
    <article className="sheet notice-sheet" data-testid="notice" data-status={notice.status} data-version={notice.version}>
      {exercise && <div className="pw-exercise">{w.t('paperwork.page.exercise')}</div>}
      <header className="pw-head">
        <div>
          <h1 className="pw-title">{w.t('paperwork.title.notice')}</h1>
          <div className="pw-ref" data-testid="notice-reference">
            <span className="pw-ref-label">{w.t('paperwork.notice.reference')}</span> <bdi>{notice.reference}</bdi>
          </div>
        </div>
        <div className="pw-head-end">
          <div className="pw-version" data-testid="notice-version">
            {w.t('paperwork.notice.version', { n: w.fmt.number(notice.version) })}
          </div>
          <div className={`pw-status pw-status-${notice.status}`} data-testid="notice-status">
            {w.t(STATUS_WORDS[notice.status])}
          </div>
        </div>
      </header>
      <p className="pw-dates">
        {[
          w.t('paperwork.notice.drafted', { time: clock.utc(notice.draftedMs) }),
          notice.sentMs !== undefined &&
            (notice.sentBy
              ? w.t('paperwork.notice.sent', { time: clock.utc(notice.sentMs), org: w.isolate(notice.sentBy.org), role: w.isolate(notice.sentBy.role) })
              : w.t('paperwork.notice.sentAt', { time: clock.utc(notice.sentMs) })),
          notice.expiredMs !== undefined &&
            w.t('paperwork.notice.expired', { time: clock.utc(notice.expiredMs), why: notice.expiry ? w.t(EXPIRY_WORDS[notice.expiry]) : '—' }),
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>

      <dl className="pw-facts pw-wide">
        <Fact label={w.t('paperwork.notice.window')} testId="notice-window">
          {notice.window && (
            <>
              <span data-testid="window-zoned">{w.t('paperwork.notice.windowRange', { from: clock.zoned(windowFrom), until: clock.zoned(windowUntil) })}</span>
              {zone !== 'UTC' && (
                <>
                  <br />
                  <span data-testid="window-utc">{w.t('paperwork.notice.windowRange', { from: clock.utc(windowFrom), until: clock.utc(windowUntil) })}</span>
                </>
              )}
            </>
          )}
        </Fact>
        <Fact label={w.t('paperwork.notice.departure')}>{Number.isFinite(departure) ? clock.both(departure) : undefined}</Fact>
      </dl>

      <div className="pw-columns">
        <dl className="pw-facts">
          <Fact label={w.t('paperwork.notice.convoy')}>{w.isolate(notice.convoyName)}</Fact>
          <Fact label={w.t('paperwork.notice.organisation')}>{isolate(notice.organisation)}</Fact>
        </dl>
        <dl className="pw-facts">
          <Fact label={w.t('paperwork.notice.origin')}>{end(notice.origin)}</Fact>
          <Fact label={w.t('paperwork.notice.destination')}>{end(notice.destination)}</Fact>
        </dl>
      </div>
      <dl className="pw-facts pw-wide">
        <Fact label={w.t('paperwork.notice.focalPoint')} testId="notice-focal-point">
          {fp && (
            <>
              <bdi>{fp.name}</bdi>
              {[
                fp.phone && w.t('paperwork.notice.labelled', { label: w.t('paperwork.notice.phone'), value: ltr(fp.phone) }),
                fp.radio && w.t('paperwork.notice.labelled', { label: w.t('paperwork.notice.radio'), value: w.isolate(fp.radio) }),
                fp.email && w.t('paperwork.notice.labelled', { label: w.t('paperwork.notice.email'), value: ltr(fp.email) }),
              ]
                .filter(Boolean)
                .map((x) => ` · ${x}`)
                .join('')}
            </>
          )}
        </Fact>
      </dl>

      <section className="pw-map-block">
        {notice.route ? (
          <>
            <PaperMap
              route={notice.route.coordinates}
              checkpoints={notice.checkpoints.map((c, i) => ({ ...c, n: i + 1 }))}
              width={760}
              height={250}
              testId="notice-map"
            />
            <PaperMapLegend />
          </>
        ) : (
          <p className="pw-muted">{w.t('paperwork.notice.noRoute')}</p>
        )}
      </section>

      <dl className="pw-facts pw-wide">
        <Fact label={w.t('paperwork.notice.route')}>
          {notice.route &&
            w.t('paperwork.notice.routeFigures', { distance: w.fmt.distance(notice.route.distance_m), duration: w.fmt.duration(notice.route.duration_s), version: w.fmt.number(notice.routeVersion) })}
        </Fact>
        <Fact label={w.t('paperwork.notice.roads')} testId="notice-roads">
          {notice.roads.length > 0 && (
            <ol className="pw-inline-list">
              {notice.roads.map((r, i) => (
                <li key={`${r}-${i}`}>
                  <bdi>{r}</bdi>
                </li>
              ))}
            </ol>
          )}
        </Fact>
        <Fact label={w.t('paperwork.notice.places')} testId="notice-places">
          {notice.places.length > 0 && (
            <ol className="pw-inline-list">
              {notice.places.map((p, i) => (
                <li key={`${p}-${i}`}>
                  <bdi>{p}</bdi>
                </li>
              ))}
            </ol>
          )}
        </Fact>
        <Fact label={w.t('paperwork.notice.checkpoints')}>
          {notice.checkpoints.length > 0 && (
            <ol className="pw-numbered">
              {notice.checkpoints.map((c, i) => (
                <li key={`${c.name}-${i}`}>
                  <span className="pw-num">{w.fmt.number(i + 1)}</span> <bdi>{c.name}</bdi>
                  {c.hold ? ` (${w.t('paperwork.notice.holdPoint')})` : ''}
                </li>
              ))}
            </ol>
          )}
        </Fact>
      </dl>

      <div className="pw-columns">
        <dl className="pw-facts">
          <Fact label={w.t('paperwork.notice.vehicles')} testId="notice-vehicles">
            {[v.count !== undefined ? w.t('paperwork.notice.vehicleCount', { count: v.count, n: w.fmt.number(v.count) }) : null, w.t(VEHICLE_WORDS[v.class])].filter(Boolean).join(', ')}
          </Fact>
          <Fact label={w.t('paperwork.notice.vehicleType')}>{isolate(v.type)}</Fact>
          <Fact label={w.t('paperwork.notice.plates')}>{v.plates?.length ? w.fmt.list(v.plates.map((p) => w.isolate(p))) : undefined}</Fact>
          <Fact label={w.t('paperwork.notice.markings')}>{isolate(v.markings)}</Fact>
        </dl>
        <dl className="pw-facts">
          <Fact label={w.t('paperwork.notice.people')}>
            {[
              notice.personnel !== undefined ? w.t('paperwork.notice.personnel', { count: notice.personnel, n: w.fmt.number(notice.personnel) }) : null,
              notice.passengers !== undefined ? w.t('paperwork.notice.passengers', { count: notice.passengers, n: w.fmt.number(notice.passengers) }) : null,
            ]
              .filter(Boolean)
              .join(', ')}
          </Fact>
          <Fact label={w.t('paperwork.notice.cargo')}>{isolate(notice.cargo)}</Fact>
          <Fact label={w.t('paperwork.notice.purpose')}>{isolate(notice.purpose)}</Fact>
        </dl>
      </div>

      <div className="pw-columns pw-boxes">
        <section className={`pw-box ${acknowledged ? '' : 'pw-box-warn'}`} data-testid="notice-ack">
          <h2>{w.t('paperwork.notice.acknowledgement')}</h2>
          {notice.acknowledged ? (
            <>
              <p>{w.t('paperwork.notice.ackBy', { by: w.isolate(notice.acknowledged.by), time: clock.both(notice.acknowledged.atMs) })}</p>
              {notice.acknowledged.remark && <p>{w.t('paperwork.notice.remark', { remark: w.isolate(notice.acknowledged.remark) })}</p>}
              {notice.acknowledged.org && (
                <p className="pw-muted">{w.t('paperwork.notice.ackRecorded', { org: w.isolate(notice.acknowledged.org), role: w.isolate(notice.acknowledged.role ?? '—') })}</p>
              )}
            </>
          ) : (
            <p>
              <strong>{w.t('paperwork.notice.notYet')}</strong>
            </p>
          )}
        </section>
        <section className="pw-box">
          <h2>{w.t('paperwork.notice.changes', { n: w.fmt.number(notice.version) })}</h2>
          <Changes notice={notice} w={w} />
        </section>
      </div>

      {notice.history && notice.history.length > 0 && (
        <section className="pw-history">
          <h2>{w.t('paperwork.notice.history')}</h2>
          <table data-testid="notice-history">
            <thead>
              <tr>
                <th>{w.t('paperwork.notice.historyVersion')}</th>
                <th>{w.t('paperwork.notice.historyReached')}</th>
                <th>{w.t('paperwork.notice.historyEnded')}</th>
                <th>{w.t('paperwork.notice.historyWhen')}</th>
              </tr>
            </thead>
            <tbody>
              {[...notice.history].reverse().map((h) => (
                <tr key={h.version} data-version={h.version} data-status={h.status}>
                  <td>{w.fmt.number(h.version)}</td>
                  <td>
                    {w.t(STATUS_WORDS[h.reached])}
                    {h.acknowledged ? ` · ${w.isolate(h.acknowledged.by)}` : ''}
                  </td>
                  <td>{w.t(STATUS_WORDS[h.status])}</td>
                  <td>{clock.utc(h.endedMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </article>
  );
}

/** `/convoys/:id/notice`. */
export function NoticePage({ convoyId }: { convoyId: string }) {
  useLiveConnection();
  const w = useWords();
  const exercise = useExercise();
  const { ready, signedOut, convoy, notice } = usePaperwork(convoyId);
  if (signedOut) return <PaperMessage text={w.t('paperwork.page.signedOut')} testId="paper-signed-out" />;
  if (!ready) return <PaperMessage text={w.t('paperwork.page.loading')} testId="paper-loading" />;
  if (!notice) return <PaperMessage text={w.t(convoy ? 'paperwork.page.noNotice' : 'paperwork.page.noConvoy', { id: w.isolate(convoyId) })} testId="paper-missing" />;
  // What a planner must see at a glance (issue 18): a convoy cleared or under way without an acknowledged notice.
  const unacknowledged = convoy ? lacksAcknowledgedNotice(convoy, notice) : notice.status === 'draft' || notice.status === 'sent';
  return (
    <div className="paperwork" data-testid="notice-page" data-ready="true">
      {unacknowledged && (
        <div className="pw-banner no-print" role="alert" data-testid="notice-not-acknowledged">
          {w.t('paperwork.notice.notAcknowledged')}
        </div>
      )}
      <NoticeActions notice={notice} w={w} />
      <NoticeSheet notice={notice} w={w} exercise={exercise} />
    </div>
  );
}

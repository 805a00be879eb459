// The field page `/field` (client/src/field, issue 15): a field unit's phone, held in one hand, outdoors,
// on a bad connection. It shares the phone's position at the interval the user picks, sends standard
// reports (each kind with its fixed form), shows the unit's convoy, what is around it and the alerts
// for it, and keeps everything it sends in a queue on the phone until the server has it.
import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { NEEDS, REPORT_KINDS, type FieldAlert, type FieldConstraint, type FieldConvoy, type FieldItem, type FieldProgress, type FieldReport, type FieldZone, type Need, type ReportKind } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { ALERT_KIND_WORDS, CONVOY_STATE_WORDS, NEED_WORDS, REPORT_KIND_WORDS, REPORT_STATUS_WORDS, type Words } from '../layers/words.js';
import { useNow } from '../state/hooks.js';
import { LanguageSwitcher } from '../ui/LanguageSwitcher.js';
import { errorText } from '../ui/error-text.js';
import { FieldLink, type FieldState } from './field-link.js';
import { FieldMap } from './FieldMap.js';
import { positionCommand, SHARE_INTERVALS, storedInterval, storeInterval, useGeolocation, useSharing, type Fix, type ShareInterval } from './geolocation.js';
import { indexedDbStore, memoryStore, type Queued } from './outbox-queue.js';
import { registerFieldWorker } from './install.js';

const INTERVAL_WORDS: Record<ShareInterval, MessageKey> = { 10: 'field.location.every10', 30: 'field.location.every30', 120: 'field.location.every120', 0: 'field.location.off' };
const RADII_M = [1_000, 2_000, 5_000, 10_000, 20_000] as const;

/** Who the page is for: the unit of its token (kept on the phone for a reload without network). */
interface FieldUser {
  unit: string;
  org: string;
}
const USER_KEY = 'corridor.field.user';

function useFieldUser(): FieldUser | null | 'none' {
  const [user, setUser] = useState<FieldUser | null | 'none'>(() => {
    try {
      return JSON.parse(localStorage.getItem(USER_KEY) ?? 'null') as FieldUser | null;
    } catch {
      return null;
    }
  });
  useEffect(() => {
    fetch('/api/me', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((me: { unit: string | null; org: string } | null) => {
        if (!me) return;
        if (!me.unit) {
          localStorage.removeItem(USER_KEY);
          setUser('none');
          return;
        }
        const u = { unit: me.unit, org: me.org };
        localStorage.setItem(USER_KEY, JSON.stringify(u));
        setUser(u);
      })
      .catch(() => undefined);
  }, []);
  return user;
}

export function FieldPage() {
  const w = useWords();
  const user = useFieldUser();
  useEffect(() => {
    registerFieldWorker();
  }, []);
  if (user === 'none') {
    return (
      <div className="page field-page">
        <header className="field-bar">
          <h1>{w.t('page.field')}</h1>
          <LanguageSwitcher />
        </header>
        <p className="field-note" role="alert">
          {w.t('field.noUnit')}
        </p>
      </div>
    );
  }
  if (!user) return <div className="page field-page map-loading">{w.t('connection.connecting')}</div>;
  return <FieldUnitPage unit={user.unit} />;
}

function FieldUnitPage({ unit }: { unit: string }) {
  const w = useWords();
  const now = useNow(1000);
  const [radiusM, setRadiusM] = useState<number>(() => Number(localStorage.getItem('corridor.field.radiusM')) || 5_000);
  const [units, setUnits] = useState(() => localStorage.getItem('corridor.field.units') === '1');
  const [link, setLink] = useState<FieldLink | null>(null);
  useEffect(() => {
    let live: FieldLink | undefined;
    let gone = false;
    indexedDbStore(unit)
      .catch(() => memoryStore())
      .then((queue) => {
        if (gone) return;
        live = new FieldLink({ unit, queue, radiusM, units });
        const store = live.store;
        // Read-only hooks for the browser tests: the queue's msgIds in order, the link, the view's keys.
        (window as unknown as { __field?: unknown }).__field = {
          queue: () => store.getState().queue.map((q) => q.msgId),
          link: () => store.getState().link,
          keys: () => Object.keys(store.getState().items),
        };
        setLink(live);
        void live.start();
      });
    return () => {
      gone = true;
      live?.stop();
    };
    // One link per unit; the area changes through setArea.
  }, [unit]);
  useEffect(() => {
    link?.setArea(radiusM, units);
    localStorage.setItem('corridor.field.radiusM', String(radiusM));
    localStorage.setItem('corridor.field.units', units ? '1' : '0');
  }, [link, radiusM, units]);

  const { fix, problem } = useGeolocation();
  const [everyS, setEveryS] = useState<ShareInterval>(storedInterval);
  // Shared once the link (and its queue) is there: a fix before it waits for it.
  useSharing(link ? fix : null, everyS, (f) => void link?.enqueue(positionCommand(unit, f), 'position'));
  const [form, setForm] = useState<ReportKind | null>(null);
  const [picked, setPicked] = useState<[number, number] | null>(null);
  const [where, setWhere] = useState<'here' | 'picked'>('here');

  if (!link) return <div className="page field-page map-loading">{w.t('connection.connecting')}</div>;
  return (
    <FieldView link={link} unit={unit} now={now}>
      {(state) => (
        <>
          <section className="field-map" aria-label={w.t('field.area.title')}>
            <FieldMap
              items={state.items}
              fix={fix}
              picked={form && where === 'picked' ? picked : null}
              onPick={
                form
                  ? (at) => {
                      setPicked(at);
                      setWhere('picked');
                    }
                  : undefined
              }
            />
          </section>
          {form ? (
            <ReportForm
              kind={form}
              fix={fix}
              where={where}
              picked={picked}
              onWhere={setWhere}
              onCancel={() => {
                setForm(null);
                setPicked(null);
                setWhere('here');
              }}
              onSend={async (report) => {
                await link.enqueue({ type: 'report.upsert', report: { unitId: unit, ...report } } as never, 'report', form);
                setForm(null);
                setPicked(null);
                setWhere('here');
              }}
            />
          ) : (
            <section className="field-card field-reports" aria-label={w.t('field.report.title')}>
              <h2>{w.t('field.report.title')}</h2>
              <div className="report-buttons">
                {REPORT_KINDS.map((k) => (
                  <button key={k} type="button" className={`report-button report-${k}`} onClick={() => setForm(k)}>
                    {w.t(REPORT_KIND_WORDS[k])}
                  </button>
                ))}
              </div>
            </section>
          )}
          <QueueCard state={state} now={now} onClear={() => void link.clearRefused()} />
          <ConvoyCard items={state.items} ordersChangedMs={state.ordersChangedMs} />
          <AlertsCard items={state.items} />
          <LocationCard fix={fix} problem={problem} everyS={everyS} state={state} now={now} onEvery={(s) => (setEveryS(s), storeInterval(s))} />
          <AreaCard items={state.items} radiusM={radiusM} units={units} onRadius={setRadiusM} onUnits={setUnits} />
          <MyReports items={state.items} />
        </>
      )}
    </FieldView>
  );
}

/** The page frame: its bar (unit, link, queue, language) and the offline warning, around the link's state. */
function FieldView({ link, unit, now, children }: { link: FieldLink; unit: string; now: number; children: (s: FieldState) => React.ReactNode }) {
  const w = useWords();
  const state = useStore(link.store);
  const badge: Record<FieldState['link'], MessageKey> = { connecting: 'connection.connecting', live: 'connection.live', offline: 'connection.offline', 'signed-out': 'connection.signedOut' };
  return (
    <div className="page field-page" data-link={state.link}>
      <div className="field-top">
        <header className="field-bar">
          <h1>
            <bdi>{w.t('field.title', { unit })}</bdi>
          </h1>
          <span className={`field-link field-link-${state.link}`} role="status" data-field-link={state.link}>
            {w.t(badge[state.link])}
          </span>
          <LanguageSwitcher />
        </header>
        <QueueLine state={state} now={now} />
        {state.link !== 'live' && (
          <p className="field-offline" role="alert">
            {state.link === 'signed-out' ? w.t('connection.signIn') : w.t('field.offline')}
          </p>
        )}
      </div>
      <main className="field-body">{children(state)}</main>
    </div>
  );
}

/** Always in sight, under the bar: how many items wait to be sent and since when. */
function QueueLine({ state, now }: { state: FieldState; now: number }) {
  const w = useWords();
  const n = state.queue.length;
  const oldest = state.queue[0];
  return (
    <p className={`field-queue-line ${n > 0 ? 'queue-waiting' : 'queue-empty'}`} data-queue-line={n}>
      {n === 0 ? w.t('field.queue.empty') : w.t('field.queue.count', { count: n, n: w.fmt.number(n) })}
      {oldest && ` · ${w.t('field.queue.oldest', { age: ageText(now - oldest.createdMs, w) })}`}
    </p>
  );
}

/** A report as the form makes it, without its unit. */
type ReportFields = { kind: ReportKind; at: [number, number]; accuracy?: number; time: string; casualties?: boolean; needs?: Need[]; people?: number; text?: string };

function ReportForm(props: {
  kind: ReportKind;
  fix: Fix | null;
  where: 'here' | 'picked';
  picked: [number, number] | null;
  onWhere: (w: 'here' | 'picked') => void;
  onCancel: () => void;
  onSend: (report: ReportFields) => Promise<void>;
}) {
  const w = useWords();
  const { kind, fix, where, picked } = props;
  const [casualties, setCasualties] = useState<boolean | null>(null);
  const [needs, setNeeds] = useState<Need[]>([]);
  const [people, setPeople] = useState('');
  const [text, setText] = useState('');
  const [missing, setMissing] = useState<string | null>(null);
  const at = where === 'picked' ? picked : fix ? ([fix.lon, fix.lat] as [number, number]) : null;
  const send = async () => {
    const lack =
      !at ? w.t('field.report.where') : kind === 'incident' && casualties === null ? w.t('field.report.casualties') : kind === 'needs' && needs.length === 0 ? w.t('field.report.needs') : kind === 'displaced' && !(Number(people) >= 0 && people.trim() !== '') ? w.t('field.report.people') : kind === 'note' && text.trim() === '' ? w.t('field.report.note') : null;
    if (lack) return setMissing(lack);
    const report: ReportFields = { kind, at: at!, time: new Date().toISOString() };
    if (where === 'here' && fix) report.accuracy = fix.accuracy;
    if (kind === 'incident') report.casualties = casualties!;
    if (kind === 'needs') report.needs = needs;
    if (kind === 'displaced') report.people = Math.round(Number(people));
    if (text.trim() !== '') report.text = text.trim();
    await props.onSend(report);
  };
  return (
    <section className="field-card report-form" aria-label={w.t(REPORT_KIND_WORDS[kind])}>
      <h2>{w.t(REPORT_KIND_WORDS[kind])}</h2>
      <fieldset>
        <legend>{w.t('field.report.where')}</legend>
        <label className="choice">
          <input type="radio" name="where" checked={where === 'here'} disabled={!fix} onChange={() => props.onWhere('here')} />
          {w.t('field.report.here')}
        </label>
        <label className="choice">
          <input type="radio" name="where" checked={where === 'picked'} onChange={() => props.onWhere('picked')} />
          {w.t('field.report.picked')}
        </label>
        <p className="hint">{!fix && where === 'here' ? w.t('field.report.noFix') : w.t('field.report.pickHint')}</p>
      </fieldset>
      {kind === 'incident' && (
        <fieldset>
          <legend>{w.t('field.report.casualties')}</legend>
          <label className="choice">
            <input type="radio" name="casualties" checked={casualties === true} onChange={() => setCasualties(true)} />
            {w.t('field.report.yes')}
          </label>
          <label className="choice">
            <input type="radio" name="casualties" checked={casualties === false} onChange={() => setCasualties(false)} />
            {w.t('field.report.no')}
          </label>
        </fieldset>
      )}
      {kind === 'needs' && (
        <fieldset>
          <legend>{w.t('field.report.needs')}</legend>
          {NEEDS.map((n) => (
            <label key={n} className="choice">
              <input type="checkbox" checked={needs.includes(n)} onChange={(e) => setNeeds(e.target.checked ? [...needs, n] : needs.filter((x) => x !== n))} />
              {w.t(NEED_WORDS[n])}
            </label>
          ))}
        </fieldset>
      )}
      {kind === 'displaced' && (
        <label className="field-input">
          {w.t('field.report.people')}
          <input type="number" inputMode="numeric" min={0} max={100_000_000} value={people} onChange={(e) => setPeople(e.target.value)} />
        </label>
      )}
      <label className="field-input">
        {kind === 'note' ? w.t('field.report.note') : w.t('field.report.details')}
        <textarea maxLength={500} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      {missing && (
        <p className="field-error" role="alert">
          {w.t('field.report.incomplete', { field: missing })}
        </p>
      )}
      <div className="field-actions">
        <button type="button" className="primary" onClick={() => void send()}>
          {w.t('field.report.send')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {w.t('field.report.cancel')}
        </button>
      </div>
    </section>
  );
}

/** The queue: how many wait and since when, what they are, and what the server refused. */
function QueueCard({ state, now, onClear }: { state: FieldState; now: number; onClear: () => void }) {
  const w = useWords();
  const [open, setOpen] = useState(false);
  const n = state.queue.length;
  const oldest = state.queue[0];
  return (
    <section className="field-card field-queue" aria-label={w.t('field.queue.title')} data-queue={n}>
      <h2>{w.t('field.queue.title')}</h2>
      <p className={n > 0 ? 'queue-waiting' : 'queue-empty'}>
        {n === 0 ? w.t('field.queue.empty') : w.t('field.queue.count', { count: n, n: w.fmt.number(n) })}
        {oldest && ` · ${w.t('field.queue.oldest', { age: ageText(now - oldest.createdMs, w) })}`}
      </p>
      {n > 0 && (
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? w.t('field.queue.hide') : w.t('field.queue.show')}
        </button>
      )}
      {open && (
        <ol className="queue-list">
          {state.queue.map((q) => (
            <li key={q.msgId}>
              {queuedName(q, w)} · {w.t('field.queue.made', { time: w.fmt.utcTime(q.createdMs) })}
            </li>
          ))}
        </ol>
      )}
      {state.refused.length > 0 && (
        <div className="queue-refused" role="alert">
          <h3>{w.t('field.queue.refused')}</h3>
          <ul>
            {state.refused.map((r) => (
              <li key={r.msgId} title={r.message}>
                {queuedName(r, w)}: {errorText({ code: r.code as never, path: '' }, w)}
              </li>
            ))}
          </ul>
          <button type="button" onClick={onClear}>
            {w.t('field.queue.clear')}
          </button>
        </div>
      )}
    </section>
  );
}

function queuedName(q: Queued, w: Words): string {
  return q.what === 'position' ? w.t('field.queue.position') : w.t(REPORT_KIND_WORDS[(q.detail ?? 'note') as ReportKind] ?? 'reportKind.note');
}

/** Seconds, minutes or hours ago, in the page's language. */
function ageText(ms: number, w: Words): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return w.t('age.seconds', { count: s, n: w.fmt.number(s) });
  const m = Math.round(s / 60);
  if (m < 60) return w.t('age.minutes', { count: m, n: w.fmt.number(m) });
  const h = Math.round(m / 60);
  return w.t('age.hours', { count: h, n: w.fmt.number(h) });
}

function ConvoyCard({ items, ordersChangedMs }: { items: Record<string, FieldItem>; ordersChangedMs?: number }) {
  const w = useWords();
  const convoy = items.convoy as FieldConvoy | undefined;
  const progress = items.progress as FieldProgress | undefined;
  if (!convoy) {
    return (
      <section className="field-card" aria-label={w.t('field.convoy.title')}>
        <h2>{w.t('field.convoy.title')}</h2>
        <p>{w.t('field.convoy.none')}</p>
      </section>
    );
  }
  const next = convoy.ahead[0];
  const nextIn = next?.alongM !== undefined && progress ? next.alongM - progress.doneM : undefined;
  return (
    <section className="field-card field-convoy" aria-label={w.t('field.convoy.title')}>
      <h2>
        {w.t('field.convoy.title')}: <bdi>{convoy.name}</bdi> · {w.t(CONVOY_STATE_WORDS[convoy.state])}
      </h2>
      {ordersChangedMs !== undefined && <p className="orders-changed">{w.t('field.convoy.changed', { time: w.fmt.utcTime(ordersChangedMs) })}</p>}
      {convoy.status !== 'ok' && convoy.status !== 'none' && <p className="field-danger">{w.t('field.convoy.noRoute')}</p>}
      {convoy.unsafe && <p className="field-danger">{w.t('field.convoy.unsafe', { names: w.fmt.list(convoy.unsafe.map((n) => w.isolate(n))) })}</p>}
      {convoy.state === 'holding' && (
        <p className="field-danger">
          {w.t('field.convoy.holding', { reason: w.isolate(convoy.reason ?? '—') })}
          {convoy.resumeWhen && (
            <>
              <br />
              {w.t('field.convoy.resumeWhen', { condition: w.isolate(convoy.resumeWhen) })}
            </>
          )}
        </p>
      )}
      {convoy.haven && <p>{w.t('field.convoy.to', { name: w.isolate(convoy.haven.name) })}</p>}
      {next && <p className="field-next">{nextIn !== undefined && nextIn > 0 ? w.t('field.convoy.nextIn', { name: w.isolate(next.name), distance: w.fmt.distance(nextIn) }) : w.t('field.convoy.next', { name: w.isolate(next.name) })}</p>}
      {convoy.distanceM !== undefined && convoy.durationS !== undefined && <p>{w.t('field.convoy.route', { distance: w.fmt.distance(convoy.distanceM), duration: w.fmt.duration(convoy.durationS) })}</p>}
      {progress && (
        <p>
          {w.t('field.convoy.left', { distance: w.fmt.distance(progress.leftM) })}
          {progress.etaMs !== undefined && ` · ${w.t('field.convoy.eta', { time: w.fmt.utcTime(progress.etaMs) })}`}
        </p>
      )}
      {/* The leader's route card (issue 18): a full page with the map, the turns and the radio plan, to print or keep open. */}
      {convoy.status === 'ok' && (
        <p>
          <a href={`/convoys/${encodeURIComponent(convoy.id)}/card`} data-testid="field-route-card">
            {w.t('field.convoy.card')}
          </a>
        </p>
      )}
    </section>
  );
}

function AlertsCard({ items }: { items: Record<string, FieldItem> }) {
  const w = useWords();
  const alerts = Object.values(items)
    .filter((i): i is FieldAlert => i.k === 'alert')
    .sort((a, b) => b.raisedMs - a.raisedMs);
  return (
    <section className="field-card field-alerts" aria-label={w.t('field.alerts.title')}>
      <h2>{w.t('field.alerts.title')}</h2>
      {alerts.length === 0 ? (
        <p>{w.t('field.alerts.none')}</p>
      ) : (
        <ul>
          {alerts.map((a) => (
            <li key={a.id} className={a.acknowledged ? '' : 'field-danger'}>
              <b>{w.t(ALERT_KIND_WORDS[a.kind])}</b> · {w.t('alert.raised', { time: w.fmt.utcTime(a.raisedMs) })}
              {a.text && <> · <bdi>{a.text}</bdi></>}
              {a.acknowledged && ` · ${w.t('field.alerts.acknowledged')}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function LocationCard(props: { fix: Fix | null; problem: ReturnType<typeof useGeolocation>['problem']; everyS: ShareInterval; state: FieldState; now: number; onEvery: (s: ShareInterval) => void }) {
  const w = useWords();
  const { fix, problem, everyS, state } = props;
  const waiting = state.queue.some((q) => q.what === 'position');
  const sent = state.lastSent.position;
  return (
    <section className="field-card field-location" aria-label={w.t('field.location.title')}>
      <h2>{w.t('field.location.title')}</h2>
      <label className="field-input">
        {w.t('field.location.share')}
        <select value={everyS} onChange={(e) => props.onEvery(Number(e.target.value) as ShareInterval)}>
          {SHARE_INTERVALS.map((s) => (
            <option key={s} value={s}>
              {w.t(INTERVAL_WORDS[s])}
            </option>
          ))}
        </select>
      </label>
      {problem?.kind === 'denied' && (
        <p className="field-error" role="alert">
          {w.t('field.location.denied')}
        </p>
      )}
      {problem?.kind === 'unavailable' && <p className="field-error">{w.t('field.location.unavailable', { message: problem.message })}</p>}
      {!fix && !problem && <p>{w.t('field.location.waiting')}</p>}
      {fix && (
        <p className="field-fix" data-fix={`${fix.lon},${fix.lat}`}>
          <span dir="ltr">{w.t('field.location.fix', { lat: w.fmt.number(fix.lat, 5), lon: w.fmt.number(fix.lon, 5), accuracy: w.fmt.distance(fix.accuracy) })}</span>
          <br />
          {w.t('field.location.fixAt', { time: w.fmt.utcTime(fix.timeMs) })} ·{' '}
          {everyS === 0 ? w.t('field.location.notShared') : waiting || !sent ? w.t('field.location.waitingToSend') : w.t('field.location.sentAt', { time: w.fmt.utcTime(sent.atMs) })}
        </p>
      )}
    </section>
  );
}

function AreaCard(props: { items: Record<string, FieldItem>; radiusM: number; units: boolean; onRadius: (m: number) => void; onUnits: (on: boolean) => void }) {
  const w = useWords();
  const zones = Object.values(props.items).filter((i): i is FieldZone => i.k === 'zone');
  const constraints = Object.values(props.items).filter((i): i is FieldConstraint => i.k === 'constraint');
  return (
    <section className="field-card field-area" aria-label={w.t('field.area.title')}>
      <h2>{w.t('field.area.title')}</h2>
      <p>{w.t('field.area.summary', { zones: w.fmt.number(zones.length), constraints: w.fmt.number(constraints.length), distance: w.fmt.distance(props.radiusM) })}</p>
      <label className="field-input">
        {w.t('field.area.radius')}
        <select value={props.radiusM} onChange={(e) => props.onRadius(Number(e.target.value))}>
          {RADII_M.map((m) => (
            <option key={m} value={m}>
              {w.fmt.distance(m)}
            </option>
          ))}
        </select>
      </label>
      <label className="choice">
        <input type="checkbox" checked={props.units} onChange={(e) => props.onUnits(e.target.checked)} />
        {w.t('field.area.units')}
      </label>
    </section>
  );
}

function MyReports({ items }: { items: Record<string, FieldItem> }) {
  const w = useWords();
  const reports = useMemo(
    () =>
      Object.values(items)
        .filter((i): i is FieldReport => i.k === 'report')
        .sort((a, b) => b.timeMs - a.timeMs),
    [items],
  );
  return (
    <section className="field-card field-mine" aria-label={w.t('field.mine.title')}>
      <h2>{w.t('field.mine.title')}</h2>
      {reports.length === 0 ? (
        <p>{w.t('field.mine.none')}</p>
      ) : (
        <ul>
          {reports.map((r) => (
            <li key={r.id} className={`report-${r.status}`}>
              {w.t(REPORT_KIND_WORDS[r.kind])} · {w.fmt.utcTime(r.timeMs)} · <b>{w.t(REPORT_STATUS_WORDS[r.status])}</b>
              {r.remark && <> · {w.t('field.mine.remark', { remark: w.isolate(r.remark) })}</>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// Field reports in the side panel (client/src/ui, issue 15): every report not dismissed, unverified first,
// with what its form says; an analyst confirms it, corrects its form, dismisses it, or (a road blocked)
// confirms it and closes the road in one step: a closed access constraint over the point, and the
// review that names it. Planners and viewers see the reports without the buttons.
import { useState } from 'react';
import { circle } from '@turf/turf';
import { NEEDS, type ClientCommand, type ErrorMessage, type Need, type Polygonal, type Report, type ReportChanges } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { NEED_WORDS, REPORT_KIND_WORDS, reportLines } from '../layers/words.js';
import { mayDo, sendCommand, useMe, type Me } from '../net/session.js';
import { usePicture } from '../state/hooks.js';
import { errorText } from './error-text.js';

const RANK = { unverified: 0, confirmed: 1, dismissed: 2 } as const;
/** Radius of the closed area a blocked road becomes, metres: the road through the point, not the streets beside it. */
export const CLOSURE_RADIUS_M = 25;

/** The two commands of "confirm and close the road": the closed constraint over the point, then the review naming it. */
export function closeRoadCommands(report: Report, by: string, reason: string, nowMs: number): [ClientCommand, ClientCommand] {
  const id = `ac-${report.id}`;
  const area = circle(report.at, CLOSURE_RADIUS_M, { steps: 16, units: 'meters' }).geometry as Polygonal;
  return [
    {
      type: 'constraint.upsert',
      msgId: `close-${report.id}`,
      constraint: { id, status: 'closed', category: 'physical-environment', reason, geometry: area, verifiedAt: new Date(nowMs).toISOString(), verifiedBy: by },
    } as ClientCommand,
    { type: 'report.review', msgId: `review-close-${report.id}`, reportId: report.id, status: 'confirmed', constraintId: id },
  ];
}

export function ReportsPanel() {
  const w = useWords();
  const me = useMe();
  const reports = usePicture((s) => s.picture.reports);
  const list = Object.values(reports)
    .filter((r) => r.status !== 'dismissed')
    .sort((a, b) => RANK[a.status] - RANK[b.status] || b.timeMs - a.timeMs);
  const unverified = list.filter((r) => r.status === 'unverified').length;
  return (
    <section data-testid="reports-panel">
      <h2>
        {w.t('reports.title')} <span className={`count${unverified > 0 ? ' count-alert' : ''}`}>{w.fmt.number(unverified)}</span>
      </h2>
      {list.length === 0 && <p className="empty">{w.t('reports.none')}</p>}
      <ul className="reports">
        {list.map((r) => (
          <ReportRow key={`${r.id}-${r.updatedMs}`} report={r} me={me} />
        ))}
      </ul>
    </section>
  );
}

function ReportRow({ report, me }: { report: Report; me: Me | null }) {
  const w = useWords();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const [correcting, setCorrecting] = useState(false);
  const [remark, setRemark] = useState('');
  const lines = reportLines(report, w);
  const send = async (commands: ClientCommand[]) => {
    setBusy(true);
    setFailed(null);
    try {
      for (const c of commands) await sendCommand(c);
    } catch (e) {
      setFailed(errorText(e as ErrorMessage, w));
    } finally {
      setBusy(false);
    }
  };
  const review = (status: Report['status'], changes?: ReportChanges) =>
    send([{ type: 'report.review', msgId: `review-${report.id}-${Date.now()}`, reportId: report.id, status, ...(changes ? { changes } : {}), ...(remark.trim() ? { remark: remark.trim() } : {}) } as ClientCommand]);
  const closeRoad = () => {
    const reason = w.t('reports.closeRoadReason', { unit: report.unitId ?? '—' }) + (report.text ? `: ${report.text}` : '');
    return send(closeRoadCommands(report, me?.org ?? '', reason.slice(0, 500), Date.now()));
  };
  return (
    <li className={`report report-${report.status}`} data-testid={`report-${report.id}`}>
      <b>{lines[0]}</b>
      {lines.slice(1).map((l, i) => (
        <div key={i} className="meta">
          {l}
        </div>
      ))}
      {mayDo(me, 'review') && !correcting && (
        <div className="report-actions">
          <input className="remark" aria-label={w.t('reports.remark')} placeholder={w.t('reports.remark')} maxLength={500} value={remark} onChange={(e) => setRemark(e.target.value)} />
          {report.status !== 'confirmed' && (
            <button type="button" className="act act-small" disabled={busy} onClick={() => void review('confirmed')}>
              {w.t('reports.confirm')}
            </button>
          )}
          <button type="button" className="act act-small" disabled={busy} onClick={() => setCorrecting(true)}>
            {w.t('reports.correct')}
          </button>
          <button type="button" className="act act-small act-aborted" disabled={busy} onClick={() => void review('dismissed')}>
            {w.t('reports.dismiss')}
          </button>
          {report.kind === 'road-blocked' && !report.review?.constraintId && mayDo(me, 'constraints') && (
            <button type="button" className="act act-small act-holding" disabled={busy} onClick={() => void closeRoad()}>
              {w.t('reports.closeRoad')}
            </button>
          )}
        </div>
      )}
      {correcting && <CorrectForm report={report} busy={busy} onCancel={() => setCorrecting(false)} onSave={(changes) => void review('confirmed', changes).then(() => setCorrecting(false))} />}
      {failed && (
        <div className="form-error" role="alert">
          {w.t('reports.failed', { message: failed })}
        </div>
      )}
    </li>
  );
}

/** The report's form as an analyst corrects it: only the fields its kind has. */
function CorrectForm({ report, busy, onCancel, onSave }: { report: Report; busy: boolean; onCancel: () => void; onSave: (changes: ReportChanges) => void }) {
  const w = useWords();
  const [text, setText] = useState(report.text ?? '');
  const [casualties, setCasualties] = useState(report.casualties ?? false);
  const [needs, setNeeds] = useState<Need[]>(report.needs ?? []);
  const [people, setPeople] = useState(String(report.people ?? ''));
  const save = () => {
    const changes: ReportChanges = {};
    if (text.trim() !== (report.text ?? '')) changes.text = text.trim();
    if (report.kind === 'incident') changes.casualties = casualties;
    if (report.kind === 'needs' && needs.length > 0) changes.needs = needs;
    if (report.kind === 'displaced' && people.trim() !== '' && Number(people) >= 0) changes.people = Math.round(Number(people));
    onSave(changes);
  };
  return (
    <div className="report-correct">
      <b>{w.t(REPORT_KIND_WORDS[report.kind])}</b>
      {report.kind === 'incident' && (
        <label>
          <input type="checkbox" checked={casualties} onChange={(e) => setCasualties(e.target.checked)} /> {w.t('reports.casualties')}
        </label>
      )}
      {report.kind === 'needs' &&
        NEEDS.map((n) => (
          <label key={n}>
            <input type="checkbox" checked={needs.includes(n)} onChange={(e) => setNeeds(e.target.checked ? [...needs, n] : needs.filter((x) => x !== n))} /> {w.t(NEED_WORDS[n])}
          </label>
        ))}
      {report.kind === 'displaced' && (
        <label>
          {w.t('field.report.people')} <input type="number" min={0} value={people} onChange={(e) => setPeople(e.target.value)} />
        </label>
      )}
      <label>
        {w.t('field.report.note')} <textarea maxLength={500} rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="report-actions">
        <button type="button" className="act act-small" disabled={busy} onClick={save}>
          {w.t('reports.saveConfirm')}
        </button>
        <button type="button" className="act act-small" onClick={onCancel}>
          {w.t('reports.cancel')}
        </button>
      </div>
    </div>
  );
}

// What a planner does to a convoy from its row (client/src/ui, P20): approve a planned one, start an
// approved one, hold a moving one (with the reason and the condition to go on), resume a holding one,
// abort any not finished (with a reason). Only for users whose role runs convoys.
import { useState } from 'react';
import type { Convoy, ConvoyState, ErrorMessage } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { errorText } from './error-text.js';
import { sendCommand } from '../net/session.js';

/** The changes offered from each state, and the words of their buttons. */
const OFFERED: Record<ConvoyState, { to: ConvoyState; word: MessageKey }[]> = {
  planned: [{ to: 'approved', word: 'action.approve' }, { to: 'aborted', word: 'action.abort' }],
  approved: [{ to: 'moving', word: 'action.start' }, { to: 'aborted', word: 'action.abort' }],
  moving: [{ to: 'holding', word: 'action.hold' }, { to: 'aborted', word: 'action.abort' }],
  holding: [{ to: 'moving', word: 'action.resume' }, { to: 'aborted', word: 'action.abort' }],
  arrived: [],
  aborted: [],
};

export function ConvoyActions({ convoy }: { convoy: Convoy }) {
  const w = useWords();
  const [asking, setAsking] = useState<ConvoyState | null>(null);
  const [reason, setReason] = useState('');
  const [resumeWhen, setResumeWhen] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const offered = OFFERED[convoy.state];
  if (offered.length === 0) return null;
  const send = (to: ConvoyState) => {
    setBusy(true);
    setFailed(null);
    const said = (t: string) => (t.trim() ? t.trim() : undefined);
    sendCommand({ type: 'convoy.state', convoyId: convoy.id, to, ...(said(reason) ? { reason: said(reason) } : {}), ...(to === 'holding' && said(resumeWhen) ? { resumeWhen: said(resumeWhen) } : {}) })
      .then(() => {
        setAsking(null);
        setReason('');
        setResumeWhen('');
      })
      .catch((e: ErrorMessage) => setFailed(errorText(e, w)))
      .finally(() => setBusy(false));
  };
  // Holding and aborting ask why first (and holding when it may go on); the others go at once.
  const click = (to: ConvoyState) => (to === 'holding' || to === 'aborted' ? setAsking(to) : send(to));
  return (
    <div className="convoy-actions" data-testid={`convoy-actions-${convoy.id}`}>
      {!asking && (
        <div className="buttons">
          {offered.map((o) => (
            <button key={o.to} type="button" className={`act act-${o.to}`} disabled={busy} onClick={() => click(o.to)} aria-label={w.t('action.label', { action: w.t(o.word), convoy: w.isolate(convoy.name) })}>
              {w.t(o.word)}
            </button>
          ))}
        </div>
      )}
      {asking && (
        <form
          className="ask"
          onSubmit={(e) => {
            e.preventDefault();
            send(asking);
          }}
        >
          <label>
            {w.t('action.reason')}
            <input required value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} name="reason" />
          </label>
          {asking === 'holding' && (
            <label>
              {w.t('action.resumeWhen')}
              <input required value={resumeWhen} maxLength={500} onChange={(e) => setResumeWhen(e.target.value)} name="resumeWhen" />
            </label>
          )}
          <div className="buttons">
            <button type="submit" className={`act act-${asking}`} disabled={busy}>
              {w.t('action.confirm')} · {w.t(OFFERED[convoy.state].find((o) => o.to === asking)!.word)}
            </button>
            <button type="button" className="act" onClick={() => setAsking(null)}>
              {w.t('action.cancel')}
            </button>
          </div>
        </form>
      )}
      {failed && (
        <div className="error" role="alert">
          {w.t('action.failed', { message: failed })}
        </div>
      )}
    </div>
  );
}

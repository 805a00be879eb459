// The alerts panel (client/src/ui, P21): every alert still shown, unacknowledged first, each with its
// convoy, what raised it and when, whether its cause has ended, who acknowledged it, and for a user who
// runs convoys the button that acknowledges it.
import { useState } from 'react';
import type { Alert, ErrorMessage } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { errorText } from './error-text.js';
import { mayDo, sendCommand, useMe } from '../net/session.js';
import { usePicture } from '../state/hooks.js';
import { alertsInOrder, alertWords } from './track-text.js';

export function AlertsPanel() {
  const w = useWords();
  const alerts = usePicture((s) => s.picture.alerts);
  const convoys = usePicture((s) => s.picture.convoys);
  const threats = usePicture((s) => s.picture.threats);
  const havens = usePicture((s) => s.picture.havens);
  const constraints = usePicture((s) => s.picture.constraints);
  const me = useMe();
  const ordered = alertsInOrder(alerts);
  const open = ordered.filter((a) => a.acknowledged === undefined).length;
  return (
    <section className="alerts" data-testid="alerts-panel" aria-live="polite">
      <h2>
        {w.t('alert.title')} <span className={`count${open > 0 ? ' count-alert' : ''}`}>{w.fmt.number(open)}</span>
      </h2>
      {ordered.length === 0 && <p className="empty">{w.t('alert.none')}</p>}
      <ul>
        {ordered.map((a) => (
          <AlertItem key={a.id} alert={a} convoyName={a.convoyId !== undefined ? (convoys[a.convoyId]?.name ?? a.convoyId) : (a.detail.callsign ?? a.unitId ?? '')} words={alertWords(a, { threats, havens, constraints }, w)} canAck={mayDo(me, 'convoys')} />
        ))}
      </ul>
    </section>
  );
}

function AlertItem({ alert, convoyName, words, canAck }: { alert: Alert; convoyName: string; words: { kind: string; detail: string }; canAck: boolean }) {
  const w = useWords();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const acknowledge = () => {
    setBusy(true);
    setFailed(null);
    sendCommand({ type: 'alert.ack', alertId: alert.id })
      .catch((e: ErrorMessage) => setFailed(errorText(e, w)))
      .finally(() => setBusy(false));
  };
  const acked = alert.acknowledged;
  return (
    <li className={`alert alert-${alert.kind}${acked ? ' acked' : ''}${alert.clearedMs !== undefined ? ' cleared' : ''}`} data-testid={`alert-${alert.id}`} data-kind={alert.kind}>
      <div className="row">
        <b className="alert-kind">{words.kind}</b>
        <bdi className="name">{convoyName}</bdi>
      </div>
      <div className="detail">{words.detail}</div>
      <div className="meta">
        {w.t('alert.raised', { time: w.fmt.utcTime(alert.raisedMs) })}
        {alert.clearedMs !== undefined && ` · ${w.t('alert.cleared', { time: w.fmt.utcTime(alert.clearedMs) })}`}
        {acked && ` · ${w.t('alert.acknowledgedBy', { who: w.isolate(acked.by.org), time: w.fmt.utcTime(acked.atMs) })}`}
      </div>
      {!acked && canAck && (
        <button type="button" className="ack" disabled={busy} onClick={acknowledge} aria-label={w.t('alert.ackLabel', { kind: words.kind, convoy: w.isolate(convoyName) })}>
          {w.t('alert.ack')}
        </button>
      )}
      {failed && (
        <div className="error" role="alert">
          {w.t('alert.ackFailed', { message: failed })}
        </div>
      )}
    </li>
  );
}

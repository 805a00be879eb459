// Editing a threat zone or an access constraint already on the picture (client/src/ui, issue 12): its
// severity or status and category, label or reason, source and validity, keeping its shape; posted under
// its id, so every screen changes at once and the audit trail says who changed it. Only for users whose
// role may post them.
import { useState } from 'react';
import type { ClientCommand, Constraint, ErrorMessage, ThreatZone } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { SEVERITY_WORDS } from '../layers/words.js';
import { sendCommand, type Me } from '../net/session.js';
import { CATEGORY_WORDS } from './DrawOnMap.js';
import { errorText } from './error-text.js';
import type { MessageKey } from '@corridor/protocol/i18n';

const SEVERITIES = ['no-go', 'danger', 'advisory'] as const;
const STATUSES = ['closed', 'restricted', 'open'] as const;

/** The command that posts a zone again with what the form changed; `validForMin` blank keeps its validity. */
export function zoneEdit(zone: ThreatZone, change: { severity: ThreatZone['severity']; label: string; source: string; validForMin: string }, nowMs: number): ClientCommand {
  const until = Number(change.validForMin) > 0 ? new Date(nowMs + Number(change.validForMin) * 60_000).toISOString() : zone.validUntilMs !== undefined ? new Date(zone.validUntilMs).toISOString() : undefined;
  return {
    type: 'threat.upsert',
    msgId: `edit-${zone.id}-${nowMs}`,
    feature: {
      type: 'Feature',
      geometry: zone.geometry,
      properties: {
        id: zone.id,
        severity: change.severity,
        ...(change.label.trim() ? { label: change.label.trim() } : {}),
        ...(change.source.trim() ? { source: change.source.trim() } : {}),
        ...(zone.radiusM !== undefined ? { radius_m: zone.radiusM } : {}),
        ...(zone.standoffM !== undefined ? { standoff_m: zone.standoffM } : {}),
        ...(until ? { validUntil: until } : {}),
      },
    },
  } as ClientCommand;
}

/** The command that posts a constraint again with what the form changed, verified now by `by`. */
export function constraintEdit(c: Constraint, change: { status: Constraint['status']; category: string; reason: string }, by: string, nowMs: number): ClientCommand {
  const { updatedMs: _u, reason: _r, ...rest } = c;
  return {
    type: 'constraint.upsert',
    msgId: `edit-${c.id}-${nowMs}`,
    constraint: {
      ...rest,
      status: change.status,
      category: change.category as Constraint['category'],
      ...(change.reason.trim() ? { reason: change.reason.trim() } : {}),
      verifiedAt: new Date(nowMs).toISOString(),
      verifiedBy: by,
    },
  } as ClientCommand;
}

export function EditZone({ zone, constraint, me }: { zone?: ThreatZone; constraint?: Constraint; me: Me | null }) {
  const w = useWords();
  const [open, setOpen] = useState(false);
  const [severity, setSeverity] = useState<ThreatZone['severity']>(zone?.severity ?? 'danger');
  const [status, setStatus] = useState<Constraint['status']>(constraint?.status ?? 'closed');
  const [category, setCategory] = useState<string>(constraint?.category ?? 'physical-environment');
  const [label, setLabel] = useState(zone?.label ?? constraint?.reason ?? '');
  const [source, setSource] = useState(zone?.source ?? '');
  const [validFor, setValidFor] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const name = zone ? (zone.label ?? zone.id) : (constraint?.reason ?? constraint?.id ?? '');
  if (!open) {
    return (
      <button type="button" className="act act-small" aria-label={w.t('draw.editLabel', { name: w.isolate(name) })} onClick={() => setOpen(true)}>
        {w.t('draw.edit')}
      </button>
    );
  }
  const save = () => {
    const nowMs = Date.now();
    const cmd = zone ? zoneEdit(zone, { severity, label, source, validForMin: validFor }, nowMs) : constraintEdit(constraint!, { status, category, reason: label }, me?.org ?? constraint!.verifiedBy ?? constraint!.owner ?? 'planner', nowMs);
    setBusy(true);
    setFailed(null);
    sendCommand(cmd)
      .then(() => setOpen(false))
      .catch((e: ErrorMessage) => setFailed(errorText(e, w)))
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="plan draw"
      data-testid={`edit-${zone?.id ?? constraint?.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      {zone ? (
        <label>
          {w.t('draw.severity')}
          <select name="severity" value={severity} onChange={(e) => setSeverity(e.target.value as ThreatZone['severity'])}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {w.t(SEVERITY_WORDS[s].name)}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <div className="two">
          <label>
            {w.t('draw.status')}
            <select name="status" value={status} onChange={(e) => setStatus(e.target.value as Constraint['status'])}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {w.t(`accessStatus.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {w.t('draw.category')}
            <select name="category" value={category} onChange={(e) => setCategory(e.target.value)}>
              {Object.entries(CATEGORY_WORDS).map(([c, key]) => (
                <option key={c} value={c}>
                  {w.t(key)}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      <label>
        {w.t(zone ? 'draw.label' : 'draw.reason')}
        <input name="label" maxLength={200} value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      {zone && (
        <label>
          {w.t('draw.source')}
          <input name="source" maxLength={200} value={source} onChange={(e) => setSource(e.target.value)} />
        </label>
      )}
      {zone && (
        <label>
          {w.t('draw.validForEdit')}
          <input name="validFor" type="number" min={0} value={validFor} onChange={(e) => setValidFor(e.target.value)} />
        </label>
      )}
      <div className="buttons">
        <button type="submit" className="act act-approved" disabled={busy}>
          {w.t('draw.save')}
        </button>
        <button type="button" className="act" onClick={() => setOpen(false)}>
          {w.t('draw.cancel')}
        </button>
      </div>
      {failed && (
        <div className="error" role="alert">
          {w.t('draw.failed', { message: failed })}
        </div>
      )}
    </form>
  );
}

// Drawing threat zones and access constraints on the map (client/src/ui, issue 12): a circle (centre,
// then a point on the edge) or an area for a zone, with its severity, label, source and how long it
// holds; an area or a road line for a constraint, with its status, category and reason. Posted through
// the page's connection, so it is on every screen at once, the audit trail saying who drew it. Only
// for users whose role may post them.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { ClientCommand, ErrorMessage, Polygonal } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { errorText } from './error-text.js';
import { circleRadiusM } from '../layers/draft-layers.js';
import { ACCESS_CATEGORY_WORDS, SEVERITY_WORDS } from '../layers/words.js';
import { sendCommand, type Me } from '../net/session.js';
import { drawing, startDrawing, stopDrawing, undoPoint, type DrawTool } from '../state/drawing.js';

const SEVERITIES = ['no-go', 'danger', 'advisory'] as const;
const STATUSES = ['closed', 'restricted', 'open'] as const;
/** Constraint categories and their words (layers/words.ts). */
export const CATEGORY_WORDS = ACCESS_CATEGORY_WORDS;
const HINTS: Record<DrawTool, MessageKey> = { circle: 'draw.hintCircle', polygon: 'draw.hintPolygon', line: 'draw.hintLine' };

/** Whether the points drawn make the shape: a circle's two, an area's three, a line's two. */
function complete(tool: DrawTool, n: number): boolean {
  return tool === 'polygon' ? n >= 3 : n >= 2;
}

export function DrawOnMap({ what, me }: { what: 'zone' | 'constraint'; me: Me | null }) {
  const w = useWords();
  const draft = useStore(drawing);
  const [open, setOpen] = useState(false);
  const [severity, setSeverity] = useState<(typeof SEVERITIES)[number]>('no-go');
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('closed');
  const [category, setCategory] = useState('physical-environment');
  const [label, setLabel] = useState('');
  const [source, setSource] = useState('');
  const [validFor, setValidFor] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const tools: DrawTool[] = what === 'zone' ? ['circle', 'polygon'] : ['polygon', 'line'];
  const mine = open && draft.tool !== null && tools.includes(draft.tool);
  if (!open) {
    return (
      <button type="button" className="draw-open" data-testid={`draw-${what}-open`} onClick={() => (setOpen(true), startDrawing(tools[0]))}>
        {w.t(what === 'zone' ? 'draw.zoneOpen' : 'draw.constraintOpen')}
      </button>
    );
  }
  const close = () => {
    stopDrawing();
    setOpen(false);
    setLabel('');
    setFailed(null);
  };
  const post = () => {
    const tool = draft.tool!;
    const pts = draft.points;
    const nowMs = Date.now();
    const until = Number(validFor) > 0 ? new Date(nowMs + Number(validFor) * 60_000).toISOString() : undefined;
    const ring = (): Polygonal => ({ type: 'Polygon', coordinates: [[...pts, pts[0]]] });
    let cmd: ClientCommand;
    if (what === 'zone') {
      const geometry = tool === 'circle' ? { type: 'Point' as const, coordinates: pts[0] } : ring();
      cmd = {
        type: 'threat.upsert',
        msgId: `draw-${nowMs}`,
        feature: {
          type: 'Feature',
          geometry,
          properties: {
            severity,
            ...(label.trim() ? { label: label.trim() } : {}),
            ...(source.trim() ? { source: source.trim() } : {}),
            ...(tool === 'circle' ? { radius_m: Math.max(1, circleRadiusM(pts)) } : {}),
            ...(until ? { validUntil: until } : {}),
          },
        },
      } as ClientCommand;
    } else {
      cmd = {
        type: 'constraint.upsert',
        msgId: `draw-${nowMs}`,
        constraint: {
          status,
          category: category as never,
          ...(label.trim() ? { reason: label.trim() } : {}),
          geometry: tool === 'line' ? { type: 'LineString', coordinates: pts } : ring(),
          verifiedAt: new Date(nowMs).toISOString(),
          verifiedBy: source.trim() || me?.org || 'planner',
          ...(until ? { validUntil: until } : {}),
        },
      } as ClientCommand;
    }
    setBusy(true);
    setFailed(null);
    sendCommand(cmd)
      .then(close)
      .catch((e: ErrorMessage) => setFailed(errorText(e, w)))
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="plan draw"
      data-testid={`draw-${what}-form`}
      onSubmit={(e) => {
        e.preventDefault();
        post();
      }}
    >
      <h3>{w.t(what === 'zone' ? 'draw.zoneOpen' : 'draw.constraintOpen')}</h3>
      <div className="buttons" role="radiogroup">
        {tools.map((t) => (
          <button key={t} type="button" role="radio" aria-checked={draft.tool === t} className={`act${draft.tool === t ? ' act-approved' : ''}`} onClick={() => startDrawing(t)}>
            {w.t(t === 'circle' ? 'draw.circle' : t === 'polygon' ? 'draw.polygon' : 'draw.line')}
          </button>
        ))}
      </div>
      {mine && (
        <div className="meta" data-testid="draw-hint">
          {w.t(HINTS[draft.tool!])} {draft.tool === 'circle' && draft.points.length >= 2 ? w.t('draw.radius', { distance: w.fmt.distance(circleRadiusM(draft.points)) }) : w.t('draw.points', { n: w.fmt.number(draft.points.length) })}
        </div>
      )}
      {what === 'zone' ? (
        <label>
          {w.t('draw.severity')}
          <select name="severity" value={severity} onChange={(e) => setSeverity(e.target.value as typeof severity)}>
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
            <select name="status" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
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
        {w.t(what === 'zone' ? 'draw.label' : 'draw.reason')}
        <input name="label" maxLength={200} value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      <label>
        {w.t('draw.source')}
        <input name="source" maxLength={200} value={source} onChange={(e) => setSource(e.target.value)} />
      </label>
      <label>
        {w.t('draw.validFor')}
        <input name="validFor" type="number" min={1} value={validFor} onChange={(e) => setValidFor(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" className="act act-approved" disabled={busy || !mine || !complete(draft.tool!, draft.points.length)} data-testid={`draw-${what}-post`}>
          {w.t('draw.post')}
        </button>
        <button type="button" className="act" disabled={!mine || draft.points.length === 0} onClick={undoPoint}>
          {w.t('draw.undo')}
        </button>
        <button type="button" className="act" onClick={close}>
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

/** A delete button that asks first, for an entity every screen would lose. */
export function DeleteButton({ name, command }: { name: string; command: ClientCommand }) {
  const w = useWords();
  const [asking, setAsking] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  if (!asking) {
    return (
      <button type="button" className="act act-small" aria-label={w.t('draw.deleteLabel', { name: w.isolate(name) })} onClick={() => setAsking(true)}>
        {w.t('draw.delete')}
      </button>
    );
  }
  return (
    <span className="confirm" role="alertdialog">
      {w.t('draw.confirmDelete', { name: w.isolate(name) })}{' '}
      <button type="button" className="act act-aborted act-small" onClick={() => sendCommand(command).catch((e: ErrorMessage) => setFailed(errorText(e, w)))}>
        {w.t('draw.yes')}
      </button>{' '}
      <button type="button" className="act act-small" onClick={() => setAsking(false)}>
        {w.t('draw.no')}
      </button>
      {failed && <span className="error">{w.t('draw.failed', { message: failed })}</span>}
    </span>
  );
}

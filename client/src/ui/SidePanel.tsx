// Side panel (client/src/ui): convoys in their map colour with state (why a holding one holds), corridor status and latest re-route reason, threat zones, havens, sites.
import { useWords } from '../i18n/use-words.js';
import { holdOf } from '../layers/convoy-hold.js';
import { convoyMarks, corridorStatusText } from '../layers/corridor-layers.js';
import { havenList } from '../layers/haven-layers.js';
import { occupancyColor, SEVERITY_COLORS } from '../layers/palette.js';
import { DisplacementPanel } from './DisplacementPanel.js';
import { CONVOY_STATE_WORDS, counted, HAVEN_STATUS_WORDS, SEVERITY_WORDS, VEHICLE_WORDS } from '../layers/words.js';
import { useNow, usePicture } from '../state/hooks.js';
import { AlertsPanel } from './AlertsPanel.js';
import { ReportsPanel } from './ReportsPanel.js';
import { havenBook } from '@corridor/protocol';
import { mayDo, useMe } from '../net/session.js';
import { routeFigures } from '../layers/tooltip.js';
import { ConvoyActions } from './ConvoyActions.js';
import { NoticeRow, useUnnotifiedMoving } from './NoticeRow.js';
import { PictureExports } from './ExportLinks.js';
import { DeleteButton, DrawOnMap } from './DrawOnMap.js';
import { accessCategoryWord } from '../layers/words.js';
import type { MessageKey } from '@corridor/protocol/i18n';
import { PlanConvoy } from './PlanConvoy.js';
import { EvacuationPlans } from './EvacuationPlans.js';
import { EditZone } from './EditZone.js';
import { useStore } from 'zustand';
import { selection, toggleConvoy } from '../state/selection.js';
import { checkpointMarks } from '../layers/proposal-layers.js';
import { useState } from 'react';
import type { Convoy, ErrorMessage, Picture } from '@corridor/protocol';
import { sendCommand } from '../net/session.js';
import { errorText } from './error-text.js';
import type { Words } from '../layers/words.js';
import { ProposalBlock } from './ProposalBlock.js';
import { trackLines, unsafeText } from './track-text.js';
import { corridorReason, deltaText } from './format.js';

const SEVERITY_RANK = { 'no-go': 0, danger: 1, advisory: 2 } as const;

/** A tracked convoy's progress bar, ETA and next checkpoint (P21). */
function TrackRow({ convoyId }: { convoyId: string }) {
  const w = useWords();
  const now = useNow(5000);
  const convoy = usePicture((s) => s.picture.convoys[convoyId]);
  const track = usePicture((s) => s.picture.tracks[convoyId]);
  const callsign = usePicture((s) => (track ? s.picture.units[track.unitId]?.callsign : undefined));
  if (!convoy || (convoy.state !== 'moving' && convoy.state !== 'holding')) return null;
  if (!convoy.leadUnitId) return <div className="track meta">{w.t('track.noLead')}</div>;
  const lines = trackLines(convoy, track, callsign, now, w);
  if (!lines) return <div className="track meta">{w.t('track.waiting', { unit: w.isolate(convoy.leadUnitId) })}</div>;
  return (
    <div className="track" data-testid={`track-${convoyId}`}>
      <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(lines.share * 100)} aria-valuetext={lines.progress}>
        <span style={{ width: `${lines.share * 100}%` }} />
      </div>
      <div className="meta">{lines.progress}</div>
      {lines.eta && <div className="meta eta">{lines.eta}</div>}
      {lines.next && <div className="meta">{lines.next}</div>}
      <div className="meta">{lines.lead}</div>
    </div>
  );
}

/** A convoy's place in its evacuation plan: the plan, priority, people by group, departure and window. */
function planLine(convoy: Convoy, plans: Picture['plans'], w: Words): string | undefined {
  const plan = convoy.planId !== undefined ? plans[convoy.planId] : undefined;
  const parts: string[] = [];
  if (plan) parts.push(w.t('evac.inPlan', { plan: w.isolate(plan.name), priority: w.fmt.number(convoy.priority ?? 3) }));
  if (plan && convoy.peopleByGroup) {
    for (const g of plan.targetGroups) {
      const n = convoy.peopleByGroup[g.id];
      if (n) parts.push(`${w.isolate(g.name)} ${w.fmt.number(n)}`);
    }
  }
  if (convoy.departure) parts.push(w.t('evac.departure', { time: w.fmt.utcTime(Date.parse(convoy.departure)) }));
  if (convoy.window) parts.push(w.t('evac.window', { from: w.fmt.utcTime(Date.parse(convoy.window.from)), until: w.fmt.utcTime(Date.parse(convoy.window.until)) }));
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** A button that makes one of a planned or approved convoy's alternatives its route (issue 12). */
function ChooseRoute({ convoy, route }: { convoy: Convoy; route: number }) {
  const w = useWords();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const choose = () => {
    setBusy(true);
    setFailed(null);
    sendCommand({ type: 'convoy.route', convoyId: convoy.id, route })
      .catch((e: ErrorMessage) => setFailed(errorText(e, w)))
      .finally(() => setBusy(false));
  };
  return (
    <>
      {' '}
      <button type="button" className="act act-small" disabled={busy} onClick={choose} aria-label={w.t('plan.chooseRouteLabel', { n: w.fmt.number(route + 1), convoy: w.isolate(convoy.name) })}>
        {w.t('plan.chooseRoute')}
      </button>
      {failed && <span className="error"> {w.t('action.failed', { message: failed })}</span>}
    </>
  );
}

/** The selected convoy's checkpoints, in order, each with when it was passed. */
function CheckpointList({ convoyId }: { convoyId: string }) {
  const w = useWords();
  const convoys = usePicture((s) => s.picture.convoys);
  const corridors = usePicture((s) => s.picture.corridors);
  const tracks = usePicture((s) => s.picture.tracks);
  const marks = checkpointMarks(convoyId, convoys, corridors, tracks);
  if (marks.length === 0) return null;
  return (
    <div className="checkpoints-list" data-testid={`checkpoints-${convoyId}`}>
      <div className="meta">{w.t('side.checkpointsTitle')}</div>
      <ol>
        {marks.map((m, i) => (
          <li key={i} className={m.passedMs !== undefined ? 'passed' : undefined}>
            {m.end === 'origin' ? w.t('track.origin') : m.end === 'destination' && !m.name ? w.t('track.destination') : <bdi>{m.name}</bdi>}
            {m.passedMs !== undefined ? <span className="meta"> · {w.t('tooltip.checkpointPassed', { time: w.fmt.utcTime(m.passedMs) })}</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** A planned or approved convoy's Edit button, and its form in place of the button while editing. */
function EditConvoy({ convoy }: { convoy: Convoy }) {
  const w = useWords();
  const [editing, setEditing] = useState(false);
  if (editing) return <PlanConvoy editing={convoy} onDone={() => setEditing(false)} />;
  return (
    <button type="button" className="act act-small" aria-label={w.t('plan.editLabel', { convoy: w.isolate(convoy.name) })} onClick={() => setEditing(true)} data-testid={`edit-${convoy.id}`}>
      {w.t('plan.edit')}
    </button>
  );
}

export function SidePanel() {
  const w = useWords();
  const convoys = usePicture((s) => s.picture.convoys);
  const corridors = usePicture((s) => s.picture.corridors);
  const threats = usePicture((s) => s.picture.threats);
  const havens = usePicture((s) => s.picture.havens);
  const constraints = usePicture((s) => s.picture.constraints);
  const picture = usePicture((s) => s.picture);
  const proposals = usePicture((s) => s.picture.proposals);
  const evacPlans = usePicture((s) => s.picture.plans);
  const unnotified = useUnnotifiedMoving();
  const selected = useStore(selection, (s) => s.convoyId);
  const me = useMe();
  const plans = mayDo(me, 'convoys');
  const book = havenBook(picture);
  const collator = new Intl.Collator(w.fmt.locale);
  // Blocked convoys first: they are what the operations centre must act on.
  const marks = [...convoyMarks(convoys, corridors)].sort((a, b) => Number(b.blocked) - Number(a.blocked) || collator.compare(a.convoy.name, b.convoy.name));
  const zones = Object.values(threats).sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const count = (n: number) => <span className="count">{w.fmt.number(n)}</span>;
  return (
    <aside className="side" data-testid="side-panel" aria-label={w.t('side.label')}>
      <AlertsPanel />
      <ReportsPanel />
      <EvacuationPlans />
      <section>
        <h2>
          {w.t('side.convoys')} {count(marks.length)}
          {unnotified > 0 && (
            <span className="notice-missing" data-testid="convoys-unnotified">
              {' '}
              {w.t('side.unnotified', counted(w, unnotified))}
            </span>
          )}
        </h2>
        {plans && <PlanConvoy />}
        {marks.length === 0 && <p className="empty">{w.t('side.noConvoys')}</p>}
        <ul className="convoys">
          {marks.map(({ convoy, corridor, blocked, hex }) => {
            const best = corridor?.status === 'ok' ? corridor.routes[0] : undefined;
            const hold = holdOf(convoy);
            return (
              <li
                key={convoy.id}
                className={`cv-${convoy.state}${blocked ? ' blocked' : ''}${selected === convoy.id ? ' selected' : ''}`}
                // The convoy's colour on the map (convoy-look.ts); a blocked convoy keeps the red of styles.css.
                style={blocked ? undefined : { borderInlineStartColor: hex }}
                data-testid={`convoy-${convoy.id}`}
              >
                <div className="row">
                  <button
                    type="button"
                    className="name select"
                    aria-pressed={selected === convoy.id}
                    aria-label={w.t('side.selectLabel', { convoy: w.isolate(convoy.name) })}
                    onClick={() => toggleConvoy(convoy.id)}
                    data-testid={`select-${convoy.id}`}
                  >
                    <bdi>{convoy.name}</bdi>
                  </button>
                  <span className={`state state-${convoy.state}`}>{w.t(CONVOY_STATE_WORDS[convoy.state])}</span>
                </div>
                {selected === convoy.id && <CheckpointList convoyId={convoy.id} />}
                {hold && (
                  <div className="hold" data-testid={`convoy-hold-${convoy.id}`}>
                    <span className="when">{w.fmt.utcTime(hold.sinceMs)}</span> {w.t('side.holdingReason', { reason: w.isolate(hold.reason) })}
                    {hold.resumeWhen && <div>{w.t('side.resumeWhen', { condition: w.isolate(hold.resumeWhen) })}</div>}
                  </div>
                )}
                <div className={`corridor-status ${blocked ? 'bad' : 'ok'}`}>
                  {corridorStatusText(corridor, w)}
                  {best && (
                    <span className="figures">
                      {' · '}
                      {w.fmt.distance(best.distance_m)} · {w.fmt.duration(best.duration_s)}
                      {best.exposure_m > 0 ? ` · ${w.t('side.inDanger', { distance: w.fmt.distance(best.exposure_m) })}` : ''}
                    </span>
                  )}
                  {blocked && corridor?.blockedBy?.length ? (
                    <span className="figures">
                      {' · '}
                      {w.t('side.cutBy', { zones: w.fmt.list(corridor.blockedBy.map(w.isolate)) })}
                    </span>
                  ) : null}
                </div>
                {corridor?.reason && (
                  <div className="reason">
                    <span className="when">{w.fmt.utcTime(corridor.computedMs)}</span> {corridorReason(corridor, picture, w)}
                    {corridor.deltaS ? <b> ({deltaText(corridor.deltaS, w)})</b> : null}
                  </div>
                )}
                {corridor?.endangeredBy?.length ? (
                  <div className="unsafe" data-testid={`convoy-unsafe-${convoy.id}`}>
                    {unsafeText(corridor.endangeredBy, picture, w)}
                  </div>
                ) : null}
                {proposals[convoy.id] && <ProposalBlock proposal={proposals[convoy.id]} convoyName={convoy.name} />}
                <TrackRow convoyId={convoy.id} />
                {(convoy.state === 'planned' || convoy.state === 'approved') && corridor?.status === 'ok' && corridor.routes.length > 1 && (
                  <ol className="routes-compare" data-testid={`routes-${convoy.id}`}>
                    {corridor.routes.map((r, i) => (
                      <li key={i}>
                        {routeFigures(r, i, w).join(' · ')}
                        {i === 0 && corridor.chosen ? <b> · {w.t('plan.chosenRoute')}</b> : null}
                        {i > 0 && plans ? <ChooseRoute convoy={convoy} route={i} /> : null}
                      </li>
                    ))}
                  </ol>
                )}
                {plans && <ConvoyActions convoy={convoy} />}
                <NoticeRow convoy={convoy} />
                {convoy.people ? (
                  <div className="meta">
                    {w.t('side.people', counted(w, convoy.people))} · {w.t(VEHICLE_WORDS[convoy.vehicleClass])}
                  </div>
                ) : null}
                {planLine(convoy, evacPlans, w) && (
                  <div className="meta" data-testid={`convoy-plan-${convoy.id}`}>
                    {planLine(convoy, evacPlans, w)}
                  </div>
                )}
                {plans && (convoy.state === 'planned' || convoy.state === 'approved') && <EditConvoy convoy={convoy} />}
              </li>
            );
          })}
        </ul>
      </section>
      <section>
        <h2>
          {w.t('side.zones')} {count(zones.length)}
        </h2>
        {mayDo(me, 'threats') && <DrawOnMap what="zone" me={me} />}
        <ul className="zones">
          {zones.map((z) => (
            <li key={z.id} data-testid={`zone-${z.id}`}>
              <span className={`sev sev-${z.severity}`} style={{ borderColor: `rgb(${SEVERITY_COLORS[z.severity].line.slice(0, 3).join(',')})` }}>
                {w.t(SEVERITY_WORDS[z.severity].tag)}
              </span>
              <bdi className="zone-label">{z.label ?? z.id}</bdi>
              {z.source && (
                <span className="meta">
                  {' · '}
                  <bdi>{z.source}</bdi>
                </span>
              )}
              {z.validUntilMs && <span className="meta"> · {w.t('side.until', { time: w.fmt.utcTime(z.validUntilMs) })}</span>}
              {mayDo(me, 'threats') && (
                <>
                  {' '}
                  <EditZone key={z.updatedMs} zone={z} me={me} />{' '}
                  <DeleteButton name={z.label ?? z.id} command={{ type: 'threat.remove', msgId: `del-${z.id}-${z.updatedMs}`, id: z.id }} />
                </>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h2>
          {w.t('side.constraints')} {count(Object.keys(constraints).length)}
        </h2>
        {mayDo(me, 'constraints') && <DrawOnMap what="constraint" me={me} />}
        <ul className="zones">
          {Object.values(constraints).map((c) => (
            <li key={c.id} data-testid={`constraint-${c.id}`}>
              <span className={`sev sev-${c.status === 'closed' ? 'no-go' : c.status === 'restricted' ? 'danger' : 'advisory'}`}>{w.t(`accessStatus.${c.status}` as MessageKey)}</span>
              <bdi className="zone-label">{c.reason ?? c.id}</bdi>
              <span className="meta">
                {' · '}
                {w.t(accessCategoryWord(c.category))}
                {c.verifiedBy !== undefined ? <> · <bdi>{c.verifiedBy}</bdi></> : null}
              </span>
              {mayDo(me, 'constraints') && (
                <>
                  {' '}
                  <EditZone key={c.updatedMs} constraint={c} me={me} />{' '}
                  <DeleteButton name={c.reason ?? c.id} command={{ type: 'constraint.remove', msgId: `del-${c.id}-${c.updatedMs}`, id: c.id }} />
                </>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h2>
          {w.t('side.havens')} {count(havenList(havens).length)}
        </h2>
        <ul className="havens">
          {havenList(havens).map((h) => {
            const frac = h.capacity > 0 ? h.occupancy / h.capacity : 1;
            return (
              <li key={h.id}>
                <div className="row">
                  <bdi className="name">{h.name}</bdi>
                  <span className={`hstatus hstatus-${h.status}`}>{w.t(HAVEN_STATUS_WORDS[h.status])}</span>
                </div>
                <div className="bar" role="meter" aria-label={w.t('side.occupancy', { name: h.name })} aria-valuemin={0} aria-valuemax={h.capacity} aria-valuenow={h.occupancy}>
                  <span style={{ width: `${Math.min(100, frac * 100)}%`, background: occupancyColor(frac) }} />
                  {book[h.id]?.reserved ? <span className="reserved" style={{ width: `${Math.max(0, Math.min(100 - frac * 100, (book[h.id].reserved / Math.max(1, h.capacity)) * 100))}%` }} /> : null}
                </div>
                <div className="meta">{w.t('side.havenFigures', { occupancy: w.fmt.number(h.occupancy), capacity: w.fmt.number(h.capacity), percent: w.fmt.percent(frac) })}</div>
                {book[h.id]?.reserved ? (
                  <div className="meta" data-testid={`haven-book-${h.id}`}>
                    {w.t('side.havenBook', { occupied: w.fmt.number(h.occupancy), reserved: w.fmt.number(book[h.id].reserved), free: w.fmt.number(Math.max(0, book[h.id].free)) })}
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      </section>
      <DisplacementPanel />
      <section className="picture-exports">
        <PictureExports />
      </section>
    </aside>
  );
}

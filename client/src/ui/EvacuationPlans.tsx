// Evacuation plans in the side panel (client/src/ui, issue 12): each plan's people by target group
// (waiting, under way, brought in), its convoys in the order they leave (and which one each waits for),
// its havens; planners make, edit and delete plans here. The figures are protocol/plan-book.ts's, as
// `GET /api/plans` gives them.
import { useState } from 'react';
import { OTHER_GROUP, planFigures, type ErrorMessage, type Plan, type PlanInput } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { CONVOY_STATE_WORDS } from '../layers/words.js';
import { mayDo, sendCommand, useMe } from '../net/session.js';
import { usePicture } from '../state/hooks.js';
import { DeleteButton } from './DrawOnMap.js';
import { errorText } from './error-text.js';

/**
 * A target group's id from its name: lower case ASCII letters, digits and dashes; a number when the
 * name has none of them (an Arabic name), and unique among `taken`.
 * @example groupId('Medical cases', new Set()) // 'medical-cases'
 */
export function groupId(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'group';
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

/** The groups a planner typed, one per line, keeping the ids of groups whose names did not change. */
export function groupsOf(text: string, before: Plan['targetGroups'] = []): Plan['targetGroups'] {
  const names = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const taken = new Set<string>();
  return names.map((name) => {
    const kept = before.find((g) => g.name === name && !taken.has(g.id));
    const id = kept ? kept.id : groupId(name, new Set([...taken, ...before.map((g) => g.id)]));
    taken.add(id);
    return { id, name };
  });
}

function PlanForm({ editing, onDone }: { editing?: Plan; onDone: () => void }) {
  const w = useWords();
  const havens = usePicture((s) => s.picture.havens);
  const [name, setName] = useState(editing?.name ?? '');
  const [organisation, setOrganisation] = useState(editing?.organisation ?? '');
  const [groups, setGroups] = useState((editing?.targetGroups ?? []).map((g) => g.name).join('\n'));
  const [chosen, setChosen] = useState<Set<string>>(new Set(editing?.havenIds ?? []));
  const [autoAccept, setAutoAccept] = useState(editing?.autoAcceptMinutes !== undefined ? String(editing.autoAcceptMinutes) : '');
  const [note, setNote] = useState(editing?.note ?? '');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const collator = new Intl.Collator(w.fmt.locale);
  const submit = () => {
    const targetGroups = groupsOf(groups, editing?.targetGroups);
    if (targetGroups.length === 0) return setFailed(w.t('evac.needGroup'));
    const input: PlanInput = {
      ...(editing ? { id: editing.id } : {}),
      name: name.trim(),
      targetGroups,
      ...(organisation.trim() ? { organisation: organisation.trim() } : {}),
      ...(chosen.size > 0 ? { havenIds: [...chosen].filter((id) => havens[id]) } : {}),
      ...(autoAccept ? { autoAcceptMinutes: Math.max(0, Number(autoAccept)) } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    setBusy(true);
    setFailed(null);
    sendCommand({ type: 'plan.upsert', plan: input })
      .then(onDone)
      .catch((e: ErrorMessage) => setFailed(errorText(e, w)))
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="plan"
      data-testid={editing ? `evac-form-${editing.id}` : 'evac-form'}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3>{editing ? w.t('evac.editTitle', { plan: w.isolate(editing.name) }) : w.t('evac.newTitle')}</h3>
      <label>
        {w.t('evac.name')}
        <input name="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {w.t('evac.organisation')}
        <input name="organisation" maxLength={200} value={organisation} onChange={(e) => setOrganisation(e.target.value)} />
      </label>
      <label>
        {w.t('evac.groups')}
        <textarea name="groups" rows={4} required value={groups} onChange={(e) => setGroups(e.target.value)} />
      </label>
      <fieldset className="havens-pick">
        <legend>{w.t('evac.havens')}</legend>
        {Object.values(havens)
          .sort((a, b) => collator.compare(a.name, b.name))
          .map((h) => (
            <label key={h.id} className="check">
              <input
                type="checkbox"
                name={`haven-${h.id}`}
                checked={chosen.has(h.id)}
                onChange={(e) =>
                  setChosen((s) => {
                    const next = new Set(s);
                    if (e.target.checked) next.add(h.id);
                    else next.delete(h.id);
                    return next;
                  })
                }
              />
              <bdi>{h.name}</bdi>
            </label>
          ))}
      </fieldset>
      <label>
        {w.t('evac.autoAccept')}
        <input name="autoAccept" type="number" min={0} max={240} value={autoAccept} onChange={(e) => setAutoAccept(e.target.value)} />
      </label>
      <label>
        {w.t('evac.note')}
        <textarea name="note" rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" className="act act-approved" disabled={busy} data-testid="evac-submit">
          {w.t('evac.save')}
        </button>
        <button type="button" className="act" onClick={onDone}>
          {w.t('evac.cancel')}
        </button>
      </div>
      {failed && (
        <div className="error" role="alert">
          {w.t('evac.failed', { message: failed })}
        </div>
      )}
    </form>
  );
}

/** One plan: its havens, its people by group and its convoys in order. */
function PlanCard({ plan, planner }: { plan: Plan; planner: boolean }) {
  const w = useWords();
  const convoys = usePicture((s) => s.picture.convoys);
  const havens = usePicture((s) => s.picture.havens);
  const [editing, setEditing] = useState(false);
  const figures = planFigures(plan, { convoys });
  if (editing) return <PlanForm editing={plan} onDone={() => setEditing(false)} />;
  const havenNames = (plan.havenIds ?? []).map((id) => w.isolate(havens[id]?.name ?? id));
  return (
    <li className="evac" data-testid={`evac-${plan.id}`}>
      <div className="row">
        <bdi className="name">{plan.name}</bdi>
        {plan.organisation && (
          <span className="meta">
            <bdi>{plan.organisation}</bdi>
          </span>
        )}
      </div>
      <div className="meta">{havenNames.length > 0 ? w.t('evac.havensList', { havens: w.fmt.list(havenNames) }) : w.t('evac.anyHaven')}</div>
      <table className="groups" data-testid={`evac-groups-${plan.id}`}>
        <tbody>
          {figures.groups.map((g) => (
            <tr key={g.id}>
              <th scope="row">
                <bdi>{g.id === OTHER_GROUP ? w.t('evac.otherGroup') : g.name}</bdi>
              </th>
              <td>
                {w.t('evac.groupFigures', { waiting: w.fmt.number(g.waiting), underWay: w.fmt.number(g.underWay), arrived: w.fmt.number(g.arrived) })}
                {g.aborted > 0 ? ` · ${w.t('evac.abortedFigures', { aborted: w.fmt.number(g.aborted) })}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {figures.order.length > 0 && (
        <>
          <div className="meta">{w.t('evac.order')}</div>
          <ol className="order" data-testid={`evac-order-${plan.id}`}>
            {figures.order.map((id) => {
              const c = convoys[id];
              const first = figures.waitingFor[id];
              return (
                <li key={id}>
                  <bdi>{c.name}</bdi> <span className={`state state-${c.state}`}>{w.t(CONVOY_STATE_WORDS[c.state])}</span>
                  {first && convoys[first] ? <span className="meta"> · {w.t('evac.waitsFor', { convoy: w.isolate(convoys[first].name) })}</span> : null}
                </li>
              );
            })}
          </ol>
        </>
      )}
      {planner && (
        <div className="buttons">
          <button type="button" className="act act-small" aria-label={w.t('evac.editLabel', { plan: w.isolate(plan.name) })} onClick={() => setEditing(true)}>
            {w.t('evac.edit')}
          </button>{' '}
          <DeleteButton name={plan.name} command={{ type: 'plan.remove', msgId: `del-${plan.id}-${plan.updatedMs}`, id: plan.id }} />
        </div>
      )}
    </li>
  );
}

export function EvacuationPlans() {
  const w = useWords();
  const plans = usePicture((s) => s.picture.plans);
  const me = useMe();
  const planner = mayDo(me, 'convoys');
  const [creating, setCreating] = useState(false);
  const collator = new Intl.Collator(w.fmt.locale);
  const list = Object.values(plans).sort((a, b) => collator.compare(a.name, b.name));
  if (list.length === 0 && !planner) return null;
  return (
    <section data-testid="evac-plans">
      <h2>
        {w.t('evac.title')} <span className="count">{w.fmt.number(list.length)}</span>
      </h2>
      {planner &&
        (creating ? (
          <PlanForm onDone={() => setCreating(false)} />
        ) : (
          <button type="button" className="draw-open" onClick={() => setCreating(true)} data-testid="evac-open">
            {w.t('evac.open')}
          </button>
        ))}
      {list.length === 0 && <p className="empty">{w.t('evac.none')}</p>}
      <ul className="evacs">
        {list.map((p) => (
          <PlanCard key={p.id} plan={p} planner={planner} />
        ))}
      </ul>
    </section>
  );
}

// Planning or editing a convoy on the map (client/src/ui, issue 12): its name, its origin clicked on the map,
// its destination (a haven with room, or the nearest open haven with room, among its plan's havens), its
// evacuation plan with its people by target group, priority, the convoy it leaves after, departure and
// movement window, its vehicles, lead unit and checkpoints picked on the map. Posted planned: the router
// lays its corridor and alternatives at once, shown in its row with their figures, and the planner
// approves it there. Editing posts it again under its id and keeps its state. Only for users whose role
// runs convoys.
import { useState } from 'react';
import { useStore } from 'zustand';
import { boundHaven, mayUse, type CheckpointInput, type Convoy, type ConvoyInput, type ErrorMessage, type VehicleClass } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { VEHICLE_WORDS } from '../layers/words.js';
import { sendCommand } from '../net/session.js';
import { usePicture } from '../state/hooks.js';
import { cancelPick, mapPick, pickOnMap } from '../state/map-pick.js';
import { errorText } from './error-text.js';
import { PaperworkFields, paperworkOf, paperworkText } from './PaperworkFields.js';

const VEHICLE_CLASSES = Object.keys(VEHICLE_WORDS) as VehicleClass[];
const PRIORITIES = [1, 2, 3, 4, 5] as const;
/** The destination select's value for a convoy's own point that is no haven (kept as it is when editing). */
const KEEP_POINT = 'keep-point';

/** `YYYY-MM-DDTHH:mm` of a datetime-local input, read as UTC, to ISO 8601; '' → undefined. */
export function utcInputToIso(value: string): string | undefined {
  return value ? `${value}:00Z` : undefined;
}

/** ISO 8601 to a datetime-local input's value in UTC. */
export function isoToUtcInput(iso: string | undefined): string {
  return iso ? new Date(iso).toISOString().slice(0, 16) : '';
}

/** What picks on the map: the origin, or a checkpoint. */
type Picking = 'origin' | 'checkpoint' | null;

export function PlanConvoy({ editing, onDone }: { editing?: Convoy; onDone?: () => void }) {
  const w = useWords();
  const havens = usePicture((s) => s.picture.havens);
  const units = usePicture((s) => s.picture.units);
  const plans = usePicture((s) => s.picture.plans);
  const convoys = usePicture((s) => s.picture.convoys);
  const corridors = usePicture((s) => s.picture.corridors);
  const initialDestination = () => {
    if (!editing) return 'nearest-haven';
    if (editing.destination === 'nearest-haven') return 'nearest-haven';
    return boundHaven(editing, corridors[editing.id], havens) ?? KEEP_POINT;
  };
  const [open, setOpen] = useState(editing !== undefined);
  const [name, setName] = useState(editing?.name ?? '');
  const [origin, setOrigin] = useState<[number, number] | null>(editing?.origin ?? null);
  const [destination, setDestination] = useState(initialDestination);
  const [vehicleClass, setVehicleClass] = useState<VehicleClass>(editing?.vehicleClass ?? '4wd');
  const [vehicles, setVehicles] = useState(String(editing?.vehicles ?? 1));
  const [people, setPeople] = useState(editing?.people !== undefined ? String(editing.people) : '');
  const [planId, setPlanId] = useState(editing?.planId ?? '');
  const [byGroup, setByGroup] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(editing?.peopleByGroup ?? {}).map(([g, n]) => [g, String(n)])));
  const [priority, setPriority] = useState(String(editing?.priority ?? 3));
  const [after, setAfter] = useState(editing?.after ?? '');
  const [departure, setDeparture] = useState(isoToUtcInput(editing?.departure));
  const [windowFrom, setWindowFrom] = useState(isoToUtcInput(editing?.window?.from));
  const [windowUntil, setWindowUntil] = useState(isoToUtcInput(editing?.window?.until));
  const [organisation, setOrganisation] = useState(editing?.organisation ?? '');
  const [contact, setContact] = useState(editing?.contact ?? '');
  const [lead, setLead] = useState(editing?.leadUnitId ?? '');
  const [autoAccept, setAutoAccept] = useState(editing?.autoAcceptMinutes !== undefined ? String(editing.autoAcceptMinutes) : '');
  const [checkpoints, setCheckpoints] = useState<CheckpointInput[]>(editing?.checkpoints ?? []);
  const [paperwork, setPaperwork] = useState(() => paperworkText(editing));
  const [picking, setPicking] = useState<Picking>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const waiting = useStore(mapPick, (s) => s.waiting !== null);
  const pickingNow = waiting ? picking : null;

  if (!open) {
    return (
      <button type="button" className="plan-open" onClick={() => setOpen(true)} data-testid="plan-open">
        {w.t('plan.open')}
      </button>
    );
  }
  const plan = planId && plans[planId] ? plans[planId] : undefined;
  const reset = () => {
    cancelPick();
    setOpen(false);
    setName('');
    setOrigin(null);
    setPeople('');
    setByGroup({});
    setCheckpoints([]);
    setPaperwork(paperworkText(undefined));
    setFailed(null);
    onDone?.();
  };
  const pick = (what: Exclude<Picking, null>) => {
    if (pickingNow === what) return cancelPick();
    setPicking(what);
    pickOnMap((at) => {
      if (what === 'origin') setOrigin(at);
      else setCheckpoints((list) => [...list, { name: w.t('plan.checkpointName', { n: w.fmt.number(list.length + 1) }), at }]);
    });
  };
  const submit = () => {
    if (!origin) return setFailed(w.t('plan.needOrigin'));
    const haven = havens[destination];
    const groups = plan
      ? Object.fromEntries(
          plan.targetGroups
            .map((g) => [g.id, Math.max(0, Math.round(Number(byGroup[g.id]) || 0))] as const)
            .filter(([, n]) => n > 0),
        )
      : undefined;
    const from = utcInputToIso(windowFrom);
    const until = utcInputToIso(windowUntil);
    const input: ConvoyInput = {
      ...(editing ? { id: editing.id } : {}),
      name: name.trim(),
      origin,
      destination: haven ? [haven.lon, haven.lat] : destination === KEEP_POINT && editing ? editing.destination : 'nearest-haven',
      vehicleClass,
      vehicles: Math.max(1, Math.round(Number(vehicles) || 1)),
      ...(groups && Object.keys(groups).length > 0 ? { peopleByGroup: groups } : people ? { people: Math.max(0, Math.round(Number(people))) } : {}),
      ...(plan ? { planId: plan.id, priority: Number(priority) } : {}),
      ...(plan && after ? { after } : {}),
      ...(utcInputToIso(departure) ? { departure: utcInputToIso(departure) } : {}),
      ...(from && until ? { window: { from, until } } : {}),
      ...(organisation.trim() ? { organisation: organisation.trim() } : {}),
      ...(contact.trim() ? { contact: contact.trim() } : {}),
      ...(lead ? { leadUnitId: lead } : {}),
      ...(autoAccept ? { autoAcceptMinutes: Math.max(0, Number(autoAccept)) } : {}),
      ...(checkpoints.length > 0 ? { checkpoints: checkpoints.map((c, i) => ({ ...c, name: c.name.trim() || w.t('plan.checkpointName', { n: w.fmt.number(i + 1) }) })) } : {}),
      ...(editing?.unitIds ? { unitIds: editing.unitIds } : {}),
      ...(editing?.marking !== undefined ? { marking: editing.marking } : {}),
      ...paperworkOf(paperwork),
    };
    setBusy(true);
    setFailed(null);
    sendCommand({ type: 'convoy.upsert', convoy: input })
      .then(reset)
      .catch((e: ErrorMessage) => setFailed(errorText(e, w)))
      .finally(() => setBusy(false));
  };
  const free = (id: string) => Math.max(0, havens[id].capacity - havens[id].occupancy);
  const collator = new Intl.Collator(w.fmt.locale);
  const allowed = mayUse({ ...(plan ? { planId: plan.id } : {}) }, plans);
  const testid = editing ? `plan-form-${editing.id}` : 'plan-form';
  return (
    <form
      className="plan"
      data-testid={testid}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3>{editing ? w.t('plan.editTitle', { convoy: w.isolate(editing.name) }) : w.t('plan.title')}</h3>
      <label>
        {w.t('plan.name')}
        <input name="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <div className="field">
        <span>{w.t('plan.origin')}</span>
        <button type="button" className={`pick${pickingNow === 'origin' ? ' picking' : ''}`} onClick={() => pick('origin')} data-testid="plan-pick-origin">
          {pickingNow === 'origin' ? w.t('plan.picking') : origin ? w.t('plan.picked', { lat: w.fmt.number(origin[1], 5), lon: w.fmt.number(origin[0], 5) }) : w.t('plan.pick')}
        </button>
      </div>
      <label>
        {w.t('plan.evacPlan')}
        <select name="plan" value={planId} onChange={(e) => setPlanId(e.target.value)}>
          <option value="">{w.t('plan.noEvacPlan')}</option>
          {Object.values(plans)
            .sort((a, b) => collator.compare(a.name, b.name))
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </select>
      </label>
      <label>
        {w.t('plan.destination')}
        <select name="destination" value={destination} onChange={(e) => setDestination(e.target.value)}>
          <option value="nearest-haven">{w.t('plan.nearest')}</option>
          {destination === KEEP_POINT && editing && editing.destination !== 'nearest-haven' && (
            <option value={KEEP_POINT}>{w.t('plan.picked', { lat: w.fmt.number(editing.destination[1], 5), lon: w.fmt.number(editing.destination[0], 5) })}</option>
          )}
          {Object.values(havens)
            .filter((h) => (h.status === 'open' && allowed(h.id)) || h.id === destination)
            .sort((a, b) => collator.compare(a.name, b.name))
            .map((h) => (
              <option key={h.id} value={h.id}>
                {w.t('plan.havenOption', { name: h.name, free: w.fmt.number(free(h.id)) })}
              </option>
            ))}
        </select>
      </label>
      {plan ? (
        <fieldset className="groups" data-testid="plan-groups">
          <legend>{w.t('plan.people')}</legend>
          {plan.targetGroups.map((g) => (
            <label key={g.id}>
              {w.t('plan.peopleOf', { group: w.isolate(g.name) })}
              <input name={`group-${g.id}`} type="number" min={0} value={byGroup[g.id] ?? ''} onChange={(e) => setByGroup((b) => ({ ...b, [g.id]: e.target.value }))} />
            </label>
          ))}
        </fieldset>
      ) : null}
      {plan ? (
        <div className="two">
          <label>
            {w.t('plan.priority')}
            <select name="priority" value={priority} onChange={(e) => setPriority(e.target.value)}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p === 1 ? w.t('plan.priorityFirst') : p === 5 ? w.t('plan.priorityLast') : w.fmt.number(p)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {w.t('plan.after')}
            <select name="after" value={after} onChange={(e) => setAfter(e.target.value)}>
              <option value="">{w.t('plan.afterNone')}</option>
              {Object.values(convoys)
                .filter((c) => c.planId === plan.id && c.id !== editing?.id)
                .sort((a, b) => collator.compare(a.name, b.name))
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
            </select>
          </label>
        </div>
      ) : null}
      <label>
        {w.t('plan.vehicle')}
        <select name="vehicleClass" value={vehicleClass} onChange={(e) => setVehicleClass(e.target.value as VehicleClass)}>
          {VEHICLE_CLASSES.map((v) => (
            <option key={v} value={v}>
              {w.t(VEHICLE_WORDS[v])}
            </option>
          ))}
        </select>
      </label>
      <div className="two">
        <label>
          {w.t('plan.vehicles')}
          <input name="vehicles" type="number" min={1} max={10000} value={vehicles} onChange={(e) => setVehicles(e.target.value)} />
        </label>
        {!plan && (
          <label>
            {w.t('plan.people')}
            <input name="people" type="number" min={0} value={people} onChange={(e) => setPeople(e.target.value)} />
          </label>
        )}
      </div>
      <label>
        {w.t('plan.departure')}
        <input name="departure" type="datetime-local" value={departure} onChange={(e) => setDeparture(e.target.value)} />
      </label>
      <div className="two">
        <label>
          {w.t('plan.windowFrom')}
          <input name="windowFrom" type="datetime-local" value={windowFrom} onChange={(e) => setWindowFrom(e.target.value)} />
        </label>
        <label>
          {w.t('plan.windowUntil')}
          <input name="windowUntil" type="datetime-local" value={windowUntil} onChange={(e) => setWindowUntil(e.target.value)} />
        </label>
      </div>
      <label>
        {w.t('plan.lead')}
        <select name="lead" value={lead} onChange={(e) => setLead(e.target.value)}>
          <option value="">{w.t('plan.noLead')}</option>
          {Object.values(units)
            .sort((a, b) => collator.compare(a.callsign ?? a.unitId, b.callsign ?? b.unitId))
            .map((u) => (
              <option key={u.unitId} value={u.unitId}>
                {u.callsign ?? u.unitId}
              </option>
            ))}
        </select>
      </label>
      <div className="two">
        <label>
          {w.t('plan.organisation')}
          <input name="organisation" maxLength={200} value={organisation} onChange={(e) => setOrganisation(e.target.value)} />
        </label>
        <label>
          {w.t('plan.contact')}
          <input name="contact" maxLength={300} value={contact} onChange={(e) => setContact(e.target.value)} />
        </label>
      </div>
      <fieldset className="checkpoints">
        <legend>{w.t('plan.checkpoints')}</legend>
        {checkpoints.map((c, i) => (
          <div className="checkpoint" key={i}>
            <input
              name={`checkpoint-${i}`}
              maxLength={200}
              value={c.name}
              onChange={(e) => setCheckpoints((list) => list.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
            />
            <label className="hold" title={w.t('plan.holdPointHelp')}>
              <input
                type="checkbox"
                name={`checkpoint-hold-${i}`}
                checked={c.hold === true}
                onChange={(e) => setCheckpoints((list) => list.map((x, j) => (j !== i ? x : e.target.checked ? { ...x, hold: true } : { name: x.name, at: x.at })))}
              />
              {w.t('plan.holdPoint')}
            </label>
            <button type="button" className="act act-small" aria-label={w.t('plan.removeCheckpoint', { name: c.name })} onClick={() => setCheckpoints((list) => list.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" className={`pick${pickingNow === 'checkpoint' ? ' picking' : ''}`} onClick={() => pick('checkpoint')} data-testid="plan-add-checkpoint">
          {pickingNow === 'checkpoint' ? w.t('plan.pickCheckpoint') : w.t('plan.addCheckpoint')}
        </button>
      </fieldset>
      <PaperworkFields value={paperwork} onChange={setPaperwork} />
      <label>
        {w.t('plan.autoAccept')}
        <input name="autoAccept" type="number" min={0} max={240} value={autoAccept} onChange={(e) => setAutoAccept(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" className="act act-approved" disabled={busy} data-testid="plan-submit">
          {editing ? w.t('plan.save') : w.t('plan.submit')}
        </button>
        <button type="button" className="act" onClick={reset}>
          {w.t('plan.cancel')}
        </button>
      </div>
      {failed && (
        <div className="error" role="alert">
          {w.t('plan.failed', { message: failed })}
        </div>
      )}
    </form>
  );
}

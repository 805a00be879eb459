// Planning a convoy on the map (client/src/ui, issue 12): its name, its origin clicked on the map, its
// destination (a haven with room, or the nearest open haven with room), its vehicles, people and lead
// unit. Posted planned: the router lays its corridor and alternatives at once, shown in its row with
// their figures, and the planner approves it there. Only for users whose role runs convoys.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { ConvoyInput, ErrorMessage, VehicleClass } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { VEHICLE_WORDS } from '../layers/words.js';
import { sendCommand } from '../net/session.js';
import { usePicture } from '../state/hooks.js';
import { cancelPick, mapPick, pickOnMap } from '../state/map-pick.js';

const VEHICLE_CLASSES = Object.keys(VEHICLE_WORDS) as VehicleClass[];

export function PlanConvoy() {
  const w = useWords();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [origin, setOrigin] = useState<[number, number] | null>(null);
  const [destination, setDestination] = useState('nearest-haven');
  const [vehicleClass, setVehicleClass] = useState<VehicleClass>('4wd');
  const [vehicles, setVehicles] = useState('1');
  const [people, setPeople] = useState('');
  const [lead, setLead] = useState('');
  const [autoAccept, setAutoAccept] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const havens = usePicture((s) => s.picture.havens);
  const units = usePicture((s) => s.picture.units);
  const picking = useStore(mapPick, (s) => s.waiting !== null);

  if (!open) {
    return (
      <button type="button" className="plan-open" onClick={() => setOpen(true)} data-testid="plan-open">
        {w.t('plan.open')}
      </button>
    );
  }
  const reset = () => {
    cancelPick();
    setOpen(false);
    setName('');
    setOrigin(null);
    setPeople('');
    setFailed(null);
  };
  const submit = () => {
    if (!origin) return setFailed(w.t('plan.needOrigin'));
    const haven = havens[destination];
    const input: ConvoyInput = {
      name: name.trim(),
      origin,
      destination: haven ? [haven.lon, haven.lat] : 'nearest-haven',
      vehicleClass,
      vehicles: Math.max(1, Math.round(Number(vehicles) || 1)),
      ...(people ? { people: Math.max(0, Math.round(Number(people))) } : {}),
      ...(lead ? { leadUnitId: lead } : {}),
      ...(autoAccept ? { autoAcceptMinutes: Math.max(0, Number(autoAccept)) } : {}),
    };
    setBusy(true);
    setFailed(null);
    sendCommand({ type: 'convoy.upsert', convoy: input })
      .then(reset)
      .catch((e: ErrorMessage) => setFailed(e.message))
      .finally(() => setBusy(false));
  };
  const free = (id: string) => Math.max(0, havens[id].capacity - havens[id].occupancy);
  const collator = new Intl.Collator(w.fmt.locale);
  return (
    <form
      className="plan"
      data-testid="plan-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3>{w.t('plan.title')}</h3>
      <label>
        {w.t('plan.name')}
        <input name="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <div className="field">
        <span>{w.t('plan.origin')}</span>
        <button type="button" className={`pick${picking ? ' picking' : ''}`} onClick={() => (picking ? cancelPick() : pickOnMap(setOrigin))} data-testid="plan-pick-origin">
          {picking ? w.t('plan.picking') : origin ? w.t('plan.picked', { lat: w.fmt.number(origin[1], 5), lon: w.fmt.number(origin[0], 5) }) : w.t('plan.pick')}
        </button>
      </div>
      <label>
        {w.t('plan.destination')}
        <select name="destination" value={destination} onChange={(e) => setDestination(e.target.value)}>
          <option value="nearest-haven">{w.t('plan.nearest')}</option>
          {Object.values(havens)
            .filter((h) => h.status === 'open')
            .sort((a, b) => collator.compare(a.name, b.name))
            .map((h) => (
              <option key={h.id} value={h.id}>
                {w.t('plan.havenOption', { name: h.name, free: w.fmt.number(free(h.id)) })}
              </option>
            ))}
        </select>
      </label>
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
        <label>
          {w.t('plan.people')}
          <input name="people" type="number" min={0} value={people} onChange={(e) => setPeople(e.target.value)} />
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
      <label>
        {w.t('plan.autoAccept')}
        <input name="autoAccept" type="number" min={0} max={240} value={autoAccept} onChange={(e) => setAutoAccept(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" className="act act-approved" disabled={busy} data-testid="plan-submit">
          {w.t('plan.submit')}
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

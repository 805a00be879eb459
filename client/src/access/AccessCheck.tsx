// "Can we get from A to B now?" (client/src/access, issue 16): two points picked on the map or chosen among
// the sites and havens, a vehicle class; asks `GET /api/access/check` and says the answer: the route with its
// distance, time and restricted stretches, or what cuts every path and what lift would open one.
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { Picture, VehicleClass } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { VEHICLE_WORDS, type Words } from '../layers/words.js';
import { cancelPick, mapPick, pickOnMap } from '../state/map-pick.js';
import { blockedText, namingPicture, refName, type AccessRef, type CheckAnswer, type CheckError } from './access-check.js';
import { checkQuery, type AccessRow } from './access-view.js';

const VEHICLE_CLASSES = Object.keys(VEHICLE_WORDS) as VehicleClass[];

/** Where the check stands: not asked, asking, an answer, or an error of the server. */
export type CheckState = { kind: 'idle' } | { kind: 'busy' } | { kind: 'answer'; answer: CheckAnswer } | { kind: 'error'; error: CheckError };

type End = 'A' | 'B';

function pointText(at: [number, number], w: Words): string {
  return w.t('access.check.point', { lat: w.fmt.number(at[1], 5), lon: w.fmt.number(at[0], 5) });
}

/** A place (site or haven) chosen as an end: its select value `site:<id>` / `haven:<id>`. */
function placeAt(value: string, picture: Pick<Picture, 'sites' | 'havens'>): [number, number] | null {
  const [kind, id] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
  const p = kind === 'site' ? picture.sites[id] : kind === 'haven' ? picture.havens[id] : undefined;
  return p ? [p.lon, p.lat] : null;
}

export interface AccessCheckProps {
  picture: Picture;
  rows: readonly AccessRow[];
  ends: { A: [number, number] | null; B: [number, number] | null };
  onEnds(ends: { A: [number, number] | null; B: [number, number] | null }): void;
  state: CheckState;
  onState(state: CheckState): void;
  /** Selects a constraint named in the answer. */
  onSelect(id: string): void;
}

export function AccessCheck({ picture, rows, ends, onEnds, state, onState, onSelect }: AccessCheckProps) {
  const w = useWords();
  const [vehicleClass, setVehicleClass] = useState<VehicleClass>('4wd');
  const [picking, setPicking] = useState<End | null>(null);
  const [places, setPlaces] = useState<Record<End, string>>({ A: '', B: '' });
  const waiting = useStore(mapPick, (s) => s.waiting !== null);
  const pickingNow = waiting ? picking : null;
  const collator = new Intl.Collator(w.fmt.locale);
  const sites = Object.values(picture.sites).sort((a, b) => collator.compare(a.name, b.name));
  const havens = Object.values(picture.havens).sort((a, b) => collator.compare(a.name, b.name));
  const naming = namingPicture(picture, rows);

  const pick = (end: End) => {
    if (pickingNow === end) return cancelPick();
    setPicking(end);
    pickOnMap((at) => {
      setPlaces((p) => ({ ...p, [end]: '' }));
      onEnds({ ...ends, [end]: at });
    });
  };
  const choose = (end: End, value: string) => {
    setPlaces((p) => ({ ...p, [end]: value }));
    onEnds({ ...ends, [end]: value ? placeAt(value, picture) : null });
  };
  /** The question of the answer shown, asked again when the picture's zones or constraints change. */
  const asked = useRef<string | null>(null);
  const run = async (query?: string) => {
    if (!query && (!ends.A || !ends.B)) return onState({ kind: 'error', error: { code: 'need_points', message: '', path: !ends.A ? 'from' : 'to' } });
    const q = query ?? checkQuery(ends.A!, ends.B!, vehicleClass);
    asked.current = q;
    onState({ kind: 'busy' });
    try {
      const r = await fetch(`/api/access/check?${q}`, { credentials: 'same-origin' });
      if (asked.current !== q) return;
      const body = (await r.json()) as CheckAnswer | { error: CheckError };
      if ('error' in body) onState({ kind: 'error', error: body.error });
      else onState({ kind: 'answer', answer: body });
    } catch (err) {
      onState({ kind: 'error', error: { code: 'network', message: String((err as Error).message ?? err), path: '' } });
    }
  };
  // The answer stays live: a zone or constraint posted, changed or lifted asks the same question again.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (state.kind === 'answer' && asked.current) void run(asked.current);
    // Only the picture's zones and constraints trigger it.
  }, [picture.threats, picture.constraints]);

  const refButton = (ref: AccessRef) =>
    ref.kind === 'zone' ? (
      <span key={`${ref.kind}:${ref.id}`}>{refName(ref, naming, w)}</span>
    ) : (
      <button type="button" className="link" key={`${ref.kind}:${ref.id}`} onClick={() => onSelect(ref.id)}>
        {refName(ref, naming, w)}
      </button>
    );
  const joined = (refs: readonly AccessRef[]) => refs.flatMap((r, i) => (i === 0 ? [refButton(r)] : [<span key={`sep-${i}`}> · </span>, refButton(r)]));

  const endField = (end: End) => (
    <div className="access-end" key={end}>
      <span className={`access-end-mark end-${end}`}>{end}</span>
      <button type="button" className={`pick${pickingNow === end ? ' picking' : ''}`} data-testid={`access-pick-${end}`} onClick={() => pick(end)}>
        {pickingNow === end ? w.t('access.check.picking') : ends[end] ? pointText(ends[end]!, w) : w.t('access.check.pick')}
      </button>
      <select aria-label={w.t(end === 'A' ? 'access.check.fromPlace' : 'access.check.toPlace')} data-testid={`access-place-${end}`} value={places[end]} onChange={(e) => choose(end, e.target.value)}>
        <option value="">{w.t('access.check.orPlace')}</option>
        {sites.length > 0 && (
          <optgroup label={w.t('access.check.sites')}>
            {sites.map((s) => (
              <option key={s.id} value={`site:${s.id}`}>
                {s.name}
              </option>
            ))}
          </optgroup>
        )}
        {havens.length > 0 && (
          <optgroup label={w.t('access.check.havens')}>
            {havens.map((h) => (
              <option key={h.id} value={`haven:${h.id}`}>
                {h.name}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </div>
  );

  return (
    <section className="access-check" data-testid="access-check" aria-label={w.t('access.check.title')}>
      <h2>{w.t('access.check.title')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        {endField('A')}
        {endField('B')}
        <div className="access-check-run">
          <label>
            {w.t('access.check.vehicle')}
            <select value={vehicleClass} data-testid="access-vehicle" onChange={(e) => setVehicleClass(e.target.value as VehicleClass)}>
              {VEHICLE_CLASSES.map((v) => (
                <option key={v} value={v}>
                  {w.t(VEHICLE_WORDS[v])}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" data-testid="access-check-run" disabled={state.kind === 'busy'}>
            {w.t(state.kind === 'busy' ? 'access.check.busy' : 'access.check.run')}
          </button>
        </div>
      </form>
      <div className="access-check-answer" data-testid="access-check-answer" data-state={state.kind === 'answer' ? (state.answer.ok ? 'route' : 'none') : state.kind} aria-live="polite">
        {state.kind === 'error' ? (
          <p className="bad" role="alert">
            {state.error.code === 'need_points'
              ? w.t('access.check.needPoints')
              : state.error.code === 'off_network'
                ? w.t(state.error.path === 'to' ? 'access.check.offNetworkTo' : 'access.check.offNetworkFrom')
                : w.t('access.check.failed', { what: w.isolate(state.error.message || state.error.code) })}
          </p>
        ) : null}
        {state.kind === 'answer' && state.answer.ok ? (
          <>
            <p className="ok" data-testid="access-route">
              {w.t('access.check.route', { distance: w.fmt.distance(state.answer.route.distance_m), duration: w.fmt.duration(state.answer.route.duration_s) })}
            </p>
            <p>{state.answer.restricted.length > 0 ? <>{w.t('access.check.restricted')} {joined(state.answer.restricted)}</> : w.t('access.check.restrictedNone')}</p>
          </>
        ) : null}
        {state.kind === 'answer' && !state.answer.ok ? (
          <>
            <p className="bad" data-testid="access-no-route">
              <b>{w.t('access.check.noRoute')}</b> {state.answer.blockedBy.length > 0 ? blockedText(state.answer.blockedBy, naming, w) : w.isolate(state.answer.message)}
            </p>
            <p data-testid="access-opens-if">
              {state.answer.opensIf === null
                ? w.t('access.check.opensIfNone')
                : 'withheld' in state.answer.opensIf
                  ? w.t('access.check.opensIfWithheld')
                  : w.t('access.check.opensIf', {
                      what: refName(state.answer.opensIf.ref, naming, w),
                      distance: w.fmt.distance(state.answer.opensIf.route.distance_m),
                      duration: w.fmt.duration(state.answer.opensIf.route.duration_s),
                    })}
            </p>
          </>
        ) : null}
      </div>
    </section>
  );
}

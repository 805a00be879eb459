// What a convoy's movement paperwork needs besides its route (client/src/ui, issue 18): the focal point,
// its vehicles as the parties will see them, its staff, cargo and purpose, the time zone its window is
// said in, its radio plan and what its leader does on an alert. A part of the convoy form, folded away
// until opened; what it holds goes into the convoy as posted, and from there into the deconfliction
// notice and the route card.
import type { ConvoyInput, RadioNet } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';

/** The convoy's fields this part edits. */
export type Paperwork = Pick<ConvoyInput, 'focalPoint' | 'vehicleType' | 'markings' | 'plates' | 'personnel' | 'cargo' | 'purpose' | 'timeZone' | 'radioPlan' | 'onAlert'>;

/** The form's text of each field (inputs hold text; empty means absent). */
export interface PaperworkText {
  focalName: string;
  focalPhone: string;
  focalRadio: string;
  vehicleType: string;
  markings: string;
  plates: string;
  personnel: string;
  cargo: string;
  purpose: string;
  timeZone: string;
  radioPlan: RadioNet[];
  onAlert: string;
}

/**
 * A convoy's paperwork as the form's text.
 * @example paperworkText({ plates: ['UN 1', 'UN 2'] }).plates // 'UN 1, UN 2'
 */
export function paperworkText(p: Paperwork | undefined): PaperworkText {
  return {
    focalName: p?.focalPoint?.name ?? '',
    focalPhone: p?.focalPoint?.phone ?? '',
    focalRadio: p?.focalPoint?.radio ?? '',
    vehicleType: p?.vehicleType ?? '',
    markings: p?.markings ?? '',
    plates: (p?.plates ?? []).join(', '),
    personnel: p?.personnel !== undefined ? String(p.personnel) : '',
    cargo: p?.cargo ?? '',
    purpose: p?.purpose ?? '',
    timeZone: p?.timeZone ?? '',
    radioPlan: p?.radioPlan ?? [],
    onAlert: p?.onAlert ?? '',
  };
}

/**
 * The form's text as the convoy's fields: blanks left out, plates split at commas, a focal point only
 * with a name, radio nets only with a net and a channel.
 * @example paperworkOf({ ...paperworkText(undefined), plates: 'UN 1, , UN 2' }).plates // ['UN 1', 'UN 2']
 */
export function paperworkOf(t: PaperworkText): Paperwork {
  const out: Paperwork = {};
  const said = (s: string) => s.trim() !== '';
  if (said(t.focalName)) {
    out.focalPoint = { name: t.focalName.trim(), ...(said(t.focalPhone) ? { phone: t.focalPhone.trim() } : {}), ...(said(t.focalRadio) ? { radio: t.focalRadio.trim() } : {}) };
  }
  if (said(t.vehicleType)) out.vehicleType = t.vehicleType.trim();
  if (said(t.markings)) out.markings = t.markings.trim();
  const plates = t.plates.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (plates.length > 0) out.plates = plates;
  if (said(t.personnel) && Number.isFinite(Number(t.personnel))) out.personnel = Math.max(0, Math.round(Number(t.personnel)));
  if (said(t.cargo)) out.cargo = t.cargo.trim();
  if (said(t.purpose)) out.purpose = t.purpose.trim();
  if (said(t.timeZone)) out.timeZone = t.timeZone.trim();
  const nets = t.radioPlan
    .map((n) => ({ net: n.net.trim(), channel: n.channel.trim(), ...(n.callsign?.trim() ? { callsign: n.callsign.trim() } : {}), ...(n.use?.trim() ? { use: n.use.trim() } : {}) }))
    .filter((n) => n.net !== '' && n.channel !== '');
  if (nets.length > 0) out.radioPlan = nets;
  if (said(t.onAlert)) out.onAlert = t.onAlert.trim();
  return out;
}

/** The IANA time zones the browser knows, for the time zone's suggestions. */
function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return ['UTC', ...(intl.supportedValuesOf?.('timeZone') ?? [])];
  } catch {
    return ['UTC'];
  }
}

export function PaperworkFields({ value, onChange }: { value: PaperworkText; onChange: (next: PaperworkText) => void }) {
  const w = useWords();
  const set = <K extends keyof PaperworkText>(key: K, v: PaperworkText[K]) => onChange({ ...value, [key]: v });
  const setNet = (i: number, field: keyof RadioNet, v: string) => set('radioPlan', value.radioPlan.map((n, j) => (j === i ? { ...n, [field]: v } : n)));
  return (
    <details className="paperwork" data-testid="plan-paperwork">
      <summary>{w.t('plan.paperwork')}</summary>
      <fieldset>
        <legend>{w.t('plan.focalPoint')}</legend>
        <label>
          {w.t('plan.focalName')}
          <input name="focalName" maxLength={200} value={value.focalName} onChange={(e) => set('focalName', e.target.value)} />
        </label>
        <div className="two">
          <label>
            {w.t('plan.focalPhone')}
            <input name="focalPhone" type="tel" maxLength={40} value={value.focalPhone} onChange={(e) => set('focalPhone', e.target.value)} />
          </label>
          <label>
            {w.t('plan.focalRadio')}
            <input name="focalRadio" maxLength={80} value={value.focalRadio} onChange={(e) => set('focalRadio', e.target.value)} />
          </label>
        </div>
      </fieldset>
      <label>
        {w.t('plan.vehicleType')}
        <input name="vehicleType" maxLength={200} value={value.vehicleType} onChange={(e) => set('vehicleType', e.target.value)} />
      </label>
      <label>
        {w.t('plan.markings')}
        <input name="markings" maxLength={300} value={value.markings} onChange={(e) => set('markings', e.target.value)} />
      </label>
      <label>
        {w.t('plan.plates')}
        <input name="plates" value={value.plates} onChange={(e) => set('plates', e.target.value)} />
      </label>
      <label>
        {w.t('plan.personnel')}
        <input name="personnel" type="number" min={0} value={value.personnel} onChange={(e) => set('personnel', e.target.value)} />
      </label>
      <label>
        {w.t('plan.cargo')}
        <input name="cargo" maxLength={500} value={value.cargo} onChange={(e) => set('cargo', e.target.value)} />
      </label>
      <label>
        {w.t('plan.purpose')}
        <textarea name="purpose" maxLength={500} rows={2} value={value.purpose} onChange={(e) => set('purpose', e.target.value)} />
      </label>
      <label>
        {w.t('plan.timeZone')}
        <input name="timeZone" list="plan-time-zones" maxLength={64} value={value.timeZone} onChange={(e) => set('timeZone', e.target.value)} />
        <datalist id="plan-time-zones">
          {knownZones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </label>
      <fieldset className="radio-plan">
        <legend>{w.t('plan.radioPlan')}</legend>
        {value.radioPlan.map((n, i) => (
          <div className="radio-net" key={i}>
            <input name={`net-${i}`} aria-label={w.t('plan.radioNet')} placeholder={w.t('plan.radioNet')} maxLength={80} value={n.net} onChange={(e) => setNet(i, 'net', e.target.value)} />
            <input name={`channel-${i}`} aria-label={w.t('plan.radioChannel')} placeholder={w.t('plan.radioChannel')} maxLength={80} value={n.channel} onChange={(e) => setNet(i, 'channel', e.target.value)} />
            <input name={`callsign-${i}`} aria-label={w.t('plan.radioCallsign')} placeholder={w.t('plan.radioCallsign')} maxLength={40} value={n.callsign ?? ''} onChange={(e) => setNet(i, 'callsign', e.target.value)} />
            <input name={`use-${i}`} aria-label={w.t('plan.radioUse')} placeholder={w.t('plan.radioUse')} maxLength={200} value={n.use ?? ''} onChange={(e) => setNet(i, 'use', e.target.value)} />
            <button type="button" className="act act-small" aria-label={w.t('plan.removeRadioNet', { net: n.net })} onClick={() => set('radioPlan', value.radioPlan.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        ))}
        {value.radioPlan.length < 12 && (
          <button type="button" className="act act-small" onClick={() => set('radioPlan', [...value.radioPlan, { net: '', channel: '' }])}>
            {w.t('plan.addRadioNet')}
          </button>
        )}
      </fieldset>
      <label>
        {w.t('plan.onAlert')}
        <textarea name="onAlert" maxLength={1000} rows={3} value={value.onAlert} onChange={(e) => set('onAlert', e.target.value)} />
      </label>
    </details>
  );
}

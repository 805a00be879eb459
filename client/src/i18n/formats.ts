// Numbers, times, distances and durations in one language (client/src/i18n): Intl formatters built once per locale, units worded by the catalogue where CLDR's short forms are not the operations' ones.
import type { Formats, Translate } from '../layers/words.js';

/**
 * The formats of `locale`; `t` words the UTC mark (`time.utc`) and the duration units (`duration.*`): CLDR's
 * English short units are `sec` and `hr`, where operations write `s` and `h`, so durations come from the
 * catalogue with Intl's figures; distances and speeds are Intl's units (`km`, `m`, `km/h`; `كم`, `م`, `كم/س`).
 * @example createFormats('fr', t).distance(12_400) // '12,4 km'
 * @example createFormats('ar-u-nu-arab', t).number(2150) // '٢٬١٥٠'
 */
export function createFormats(locale: string, t: Translate): Formats {
  const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const decimals = new Map<number, Intl.NumberFormat>();
  const twoDigits = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const km = new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilometer', unitDisplay: 'short', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const m = new Intl.NumberFormat(locale, { style: 'unit', unit: 'meter', unitDisplay: 'short', maximumFractionDigits: 0 });
  const kmh = new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilometer-per-hour', unitDisplay: 'short', maximumFractionDigits: 0 });
  const degree = new Intl.NumberFormat(locale, { style: 'unit', unit: 'degree', unitDisplay: 'narrow', maximumFractionDigits: 0 });
  // Operations clocks run on 24 hours in every language; the time zone is always UTC, said by `time.utc`.
  const time = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const date = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
  const list = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });

  const number = (n: number, maxFractionDigits = 0): string => {
    if (maxFractionDigits === 0) return whole.format(n);
    let f = decimals.get(maxFractionDigits);
    if (!f) decimals.set(maxFractionDigits, (f = new Intl.NumberFormat(locale, { maximumFractionDigits: maxFractionDigits })));
    return f.format(n);
  };

  return {
    locale,
    number,
    percent: (fraction) => percent.format(fraction),
    distance: (metres) => (Math.abs(metres) < 999.5 ? m.format(Math.round(metres)) : km.format(metres / 1000)),
    duration: (s) => {
      const seconds = Math.max(0, s);
      if (seconds < 59.5) return t('duration.seconds', { n: whole.format(Math.round(seconds)) });
      const min = Math.round(seconds / 60);
      if (min < 60) return t('duration.minutes', { n: whole.format(min) });
      return t('duration.hoursMinutes', { h: whole.format(Math.floor(min / 60)), min: twoDigits.format(min % 60) });
    },
    speed: (mps) => kmh.format(Math.round(mps * 3.6)),
    degrees: (deg) => degree.format(Math.round(deg)),
    utcTime: (ms) => t('time.utc', { time: time.format(ms) }),
    utcDate: (ms) => date.format(ms),
    day: (iso) => {
      const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
      const ms = d ? Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) : NaN;
      // Date.UTC rolls 2026-02-30 over into March: only a day that reads back the same is a calendar day.
      const real = Number.isFinite(ms) && new Date(ms).getUTCMonth() === Number(d![2]) - 1 && new Date(ms).getUTCDate() === Number(d![3]);
      return real ? date.format(ms) : iso;
    },
    list: (items) => list.format(items),
  };
}

// Dates as displacement files write them (server/displacement, issue 17), read into the calendar date
// of the figure (`YYYY-MM-DD`): ISO dates and times with or without a zone (the date as written),
// `1 March 2015`, `March 1, 2015`, month and year alone (`Septembre 2012`: the 1st), month names in
// English, French, Spanish and Portuguese with or without accents, and numeric `d/m/yyyy` read day first
// unless the column shows it is month first. Pure.
import { dateProblem } from '@corridor/protocol/validate';

/** Month names, without accents, lower case, each language's, by month (1–12). */
const MONTH_NAMES: readonly (readonly string[])[] = [
  ['january', 'janvier', 'enero', 'janeiro'],
  ['february', 'fevrier', 'febrero', 'fevereiro'],
  ['march', 'mars', 'marzo', 'marco'],
  ['april', 'avril', 'abril'],
  ['may', 'mai', 'mayo', 'maio'],
  ['june', 'juin', 'junio', 'junho'],
  ['july', 'juillet', 'julio', 'julho'],
  ['august', 'aout', 'agosto'],
  ['september', 'septembre', 'septiembre', 'setiembre', 'setembro'],
  ['october', 'octobre', 'octubre', 'outubro'],
  ['november', 'novembre', 'noviembre', 'novembro'],
  ['december', 'decembre', 'diciembre', 'dezembro'],
];

/** Text without accents, lower case: `Février` → `fevrier`. */
function plain(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The month (1–12) a word names: a whole name, or the start of one of at least three letters that
 * names one month only (`sept`, `dic`, `juil`), in any of the four languages; undefined otherwise.
 * @example monthOf('Février') // 2
 */
export function monthOf(word: string): number | undefined {
  const w = plain(word).replace(/\.$/, '');
  if (w.length < 3 || !/^[a-z]+$/.test(w)) return undefined;
  let found: number | undefined;
  for (let m = 0; m < 12; m++) {
    if (!MONTH_NAMES[m].some((name) => name === w || name.startsWith(w))) continue;
    if (found !== undefined && found !== m + 1) return undefined;
    found = m + 1;
  }
  return found;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` when the parts make a real date (from 1900), else undefined. */
function isoOf(year: number, month: number, day: number): string | undefined {
  const iso = `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
  return dateProblem(iso, false) === undefined ? iso : undefined;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const YEAR_MONTH = /^(\d{4})-(\d{1,2})$/;
const YMD_SLASH = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;
const NUMERIC = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;

/**
 * Whether a column's numeric dates are written day first: a value whose first number is over 12 says
 * yes, one whose second is says no; with neither (every day up to the 12th) day first, as most of the
 * world and the humanitarian data sets write them.
 * @example dayFirstOf(['1/9/2014', '20/10/2014']) // true
 */
export function dayFirstOf(values: Iterable<string>): boolean {
  for (const v of values) {
    const m = NUMERIC.exec(v.trim());
    if (!m) continue;
    if (Number(m[1]) > 12) return true;
    if (Number(m[2]) > 12) return false;
  }
  return true;
}

/**
 * The calendar date a cell names, as `YYYY-MM-DD`, or undefined when it names none.
 * @example readDate('2010-11-30T00:00:00') // '2010-11-30'
 * @example readDate('1 March 2015') // '2015-03-01'
 * @example readDate('Mars  2013') // '2013-03-01'
 * @example readDate('20/10/2014') // '2014-10-20'
 */
export function readDate(text: string, dayFirst = true): string | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t === '') return undefined;
  let m = ISO.exec(t);
  if (m) {
    if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59))) return undefined;
    return isoOf(Number(m[1]), Number(m[2]), Number(m[3]));
  }
  if ((m = YEAR_MONTH.exec(t))) return isoOf(Number(m[1]), Number(m[2]), 1);
  if ((m = YMD_SLASH.exec(t))) return isoOf(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = NUMERIC.exec(t))) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    const year = m[3].length === 2 ? (Number(m[3]) < 50 ? 2000 : 1900) + Number(m[3]) : Number(m[3]);
    const dayFirstHere = a > 12 ? true : b > 12 ? false : dayFirst;
    return dayFirstHere ? isoOf(year, b, a) : isoOf(year, a, b);
  }
  return wordsDate(t);
}

/**
 * A date of words and numbers: a month name, a four-digit year and at most one day (`1st`, `1er`),
 * in any order and separated by spaces, commas, dots, slashes or dashes (`1-Mar-2015`). No day: the 1st.
 */
function wordsDate(t: string): string | undefined {
  const tokens = t.split(/[\s,/-]+|\.(?=\s|$)|\.(?=\d)/).filter((x) => x !== '' && !/^(de|del|of|the)$/i.test(x));
  let month: number | undefined;
  let year: number | undefined;
  let day: number | undefined;
  for (const token of tokens) {
    const n = /^(\d{1,4})(?:st|nd|rd|th|er|e|º|°)?$/i.exec(token);
    if (n) {
      const v = Number(n[1]);
      if (n[1].length === 4 && year === undefined) year = v;
      else if (n[1].length <= 2 && day === undefined && v >= 1 && v <= 31) day = v;
      else return undefined;
      continue;
    }
    const mo = monthOf(token);
    if (mo === undefined || month !== undefined) return undefined;
    month = mo;
  }
  if (month === undefined || year === undefined) return undefined;
  return isoOf(year, month, day ?? 1);
}

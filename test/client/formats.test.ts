// Numbers, times and language choice in each language (test/client → client/src/i18n): digits, separators, UTC clocks, durations, lists, and which language and locale a page gets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseLanguage, DEFAULT_LOCALES, formatLocale, LANGUAGES, matchLanguage, type Lang } from '../../client/src/i18n/languages.js';
import { createI18n, wordsFor } from '../../client/src/i18n/setup.js';
import { createWords } from '../../client/src/i18n/words.js';
import { createFormats } from '../../client/src/i18n/formats.js';
import type { Formats, Translate, Words } from '../../client/src/layers/words.js';

/** The Words a page in `lang` gets, with the browser's languages `browser`. */
const wordsOf = (lang: Lang, browser: readonly string[] = []): Words => wordsFor(createI18n(lang, browser));
const fmt = (lang: Lang, browser: readonly string[] = []): Formats => wordsOf(lang, browser).fmt;

const ASCII_DIGIT = /[0-9]/;
const ARABIC_INDIC_DIGIT = /[\u0660-\u0669]/;
/** No-break spaces: U+00A0, and the narrow one (U+202F) CLDR gives French. */
const NBSP = '[\u00a0\u202f]';

/** Arabic-Indic digits → ASCII, to read a figure back. */
const toAscii = (s: string) => s.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660));

const T = Date.UTC(2026, 10, 21, 21, 5, 7); // 21 Nov 2026, 21:05:07 UTC

describe('Arabic writes Arabic-Indic digits', () => {
  const ar = fmt('ar');

  it('in numbers, percentages, distances, speeds, angles, durations, times and dates', () => {
    const texts = [
      ar.number(2150),
      ar.number(12.345, 1),
      ar.percent(0.68),
      ar.distance(12_400),
      ar.distance(850),
      ar.speed(10),
      ar.degrees(92),
      ar.duration(40),
      ar.duration(14 * 60),
      ar.duration(3900),
      ar.utcTime(T),
      ar.utcDate(T),
      ar.day('2026-03-04'),
    ];
    for (const text of texts) {
      expect(text, text).not.toMatch(ASCII_DIGIT);
      expect(text, text).toMatch(ARABIC_INDIC_DIGIT);
    }
    expect(ar.number(2150)).toBe('٢٬١٥٠');
    expect(ar.utcTime(T)).toContain('٢١:٠٥:٠٧');
    expect(toAscii(ar.distance(12_400))).toContain('12٫4');
  });

  it('in the figures of plural messages, and picks the Arabic plural form', () => {
    const w = wordsOf('ar');
    const n = (count: number) => ({ count, n: w.fmt.number(count) });
    expect(w.t('side.people', n(5))).toBe('٥ أشخاص');
    expect(w.t('side.people', n(11))).toBe('١١ شخصاً');
    expect(w.t('side.people', n(2))).not.toMatch(/[0-9\u0660-\u0669]/); // 'two' names the pair: شخصان
  });

  it('property: no finite number, at any precision, has an ASCII digit', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 3 }), (n, decimals) => {
        const text = ar.number(n, decimals);
        return !ASCII_DIGIT.test(text) && ARABIC_INDIC_DIGIT.test(text);
      }),
    );
  });

  it('but a browser in a region that writes Latin digits (ar-MA) keeps them', () => {
    expect(fmt('ar', ['ar-MA']).number(12_345.6, 1)).toBe('12.345,6');
  });
});

describe('French', () => {
  const fr = fmt('fr');

  it('groups with a narrow no-break space and writes a decimal comma', () => {
    expect(fr.number(1_234_567)).toBe('1\u202f234\u202f567');
    expect(fr.number(12.345, 2)).toBe('12,35');
  });

  it('writes distances with a comma and a no-break space before the unit', () => {
    expect(fr.distance(12_400)).toMatch(new RegExp(`^12,4${NBSP}km$`));
    expect(fr.distance(850)).toMatch(new RegExp(`^850${NBSP}m$`));
    expect(fr.percent(0.68)).toMatch(new RegExp(`^68${NBSP}%$`));
  });

  it('writes durations with no-break spaces: 1 h 05', () => {
    expect(fr.duration(3900)).toBe('1\u00a0h\u00a005');
    expect(fr.duration(40)).toBe('40\u00a0s');
  });
});

describe('English (en-GB) and Spanish (es-419)', () => {
  it('en-GB writes the day before the month', () => {
    expect(fmt('en').utcDate(T)).toBe('21 Nov 2026');
    expect(fmt('en').day('2026-03-04')).toBe('4 Mar 2026');
  });

  it('the date is the UTC date, whatever the hour', () => {
    expect(fmt('en').utcDate(Date.UTC(2026, 10, 21, 23, 59))).toBe('21 Nov 2026');
    expect(fmt('en').utcDate(Date.UTC(2026, 10, 21, 0, 1))).toBe('21 Nov 2026');
  });

  it('day() gives text that is not a YYYY-MM-DD date back as it is', () => {
    for (const lang of LANGUAGES) expect(fmt(lang).day('last week')).toBe('last week');
    expect(fmt('en').day('04/03/2026')).toBe('04/03/2026');
  });

  it('day() gives a date that is no calendar day (month 13, 30 February) back as it is, not another day', () => {
    expect(fmt('en').day('2026-13-45')).toBe('2026-13-45');
    expect(fmt('en').day('2026-02-30')).toBe('2026-02-30');
  });

  it('es-419 writes Latin American figures (12,345.6), a browser in Colombia its own (12.345,6)', () => {
    expect(fmt('es').locale).toBe('es-419');
    expect(fmt('es').number(12_345.6, 1)).toBe('12,345.6');
    expect(fmt('es', ['es-CO', 'en']).number(12_345.6, 1)).toBe('12.345,6');
    expect(fmt('es').utcDate(T)).toMatch(/^21 nov\.? 2026$/);
  });

  it('distances switch from metres to kilometres with one decimal', () => {
    const en = fmt('en');
    expect(en.distance(850)).toBe('850 m');
    expect(en.distance(999.4)).toBe('999 m');
    expect(en.distance(999.6)).toBe('1.0 km');
    expect(en.distance(12_400)).toBe('12.4 km');
    expect(en.speed(10)).toBe('36 km/h');
    expect(en.degrees(92.4)).toBe('92°');
  });
});

describe('utcTime: a 24-hour clock in every language, marked as UTC', () => {
  it.each([...LANGUAGES])('%s', (lang) => {
    const f = fmt(lang);
    const evening = toAscii(f.utcTime(T));
    const midnight = toAscii(f.utcTime(Date.UTC(2026, 10, 21, 0, 5, 7)));
    expect(evening).toContain('21:05:07');
    expect(midnight).toContain('00:05:07');
    for (const text of [evening, midnight]) {
      expect(text).toMatch(/Z$|UTC/);
      // Nothing but the clock and its UTC mark: no AM/PM, ص/م, a. m. in any script.
      expect(text.replace(/UTC|Z$/, '')).not.toMatch(/\p{L}/u);
    }
  });

  it('property: every language shows the same UTC clock as the ISO time', () => {
    const formats = LANGUAGES.map((l) => fmt(l));
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const iso = new Date(ms).toISOString().slice(11, 19);
        return formats.every((f) => toAscii(f.utcTime(ms)).includes(iso));
      }),
    );
  });
});

describe('durations', () => {
  const en = fmt('en');

  it('seconds under a minute, minutes under an hour, then hours and minutes', () => {
    expect(en.duration(0)).toBe('0 s');
    expect(en.duration(40)).toBe('40 s');
    expect(en.duration(59.4)).toBe('59 s');
    expect(en.duration(59.6)).toBe('1 min');
    expect(en.duration(14 * 60)).toBe('14 min');
    expect(en.duration(3599)).toBe('1 h 00');
    expect(en.duration(3900)).toBe('1 h 05');
    expect(en.duration(26 * 3600)).toBe('26 h 00');
  });

  it('a negative duration reads as none', () => {
    expect(en.duration(-30)).toBe('0 s');
  });

  it('each language words them', () => {
    expect(fmt('es').duration(3900)).toBe('1 h 05 min');
    expect(fmt('ar').duration(3900)).toBe('١ س ٠٥ د');
  });

  it('property: for any non-negative seconds, in any language, a duration is whole text', () => {
    const formats = LANGUAGES.map((l) => fmt(l));
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 10 * 24 * 3600 })), (s) =>
        formats.every((f) => {
          const text = f.duration(s);
          return text.length > 0 && !/undefined|NaN|\{\{|\}\}/.test(text);
        }),
      ),
    );
  });
});

describe('lists', () => {
  it.each([
    ['en', 'a, b and c'],
    ['fr', 'a, b et c'],
    ['es', 'a, b y c'],
    ['ar', 'a وb وc'],
  ] as const)('%s: %s', (lang, expected) => {
    expect(fmt(lang).list(['a', 'b', 'c'])).toBe(expected);
  });

  it('one item is itself, none is empty', () => {
    expect(fmt('fr').list(['tz-3'])).toBe('tz-3');
    expect(fmt('fr').list([])).toBe('');
  });
});

describe('createFormats and createWords take the words of their catalogue', () => {
  it('the UTC mark and the duration units come from the `t` given', () => {
    const t: Translate = (key, values) => `[${key}${values ? ` ${Object.values(values).join(' ')}` : ''}]`;
    const f = createFormats('en-GB', t);
    expect(f.utcTime(T)).toBe('[time.utc 21:05:07]');
    expect(f.duration(40)).toBe('[duration.seconds 40]');
    expect(f.duration(3900)).toBe('[duration.hoursMinutes 1 05]');
  });

  it('createWords formats with the language’s default locale unless given one', () => {
    const t: Translate = (key) => key;
    expect(createWords('ar', t, 'rtl').fmt.locale).toBe(DEFAULT_LOCALES.ar);
    expect(createWords('es', t, 'ltr', 'es-MX').fmt.locale).toBe('es-MX');
  });

  it('isolate wraps text in a first-strong isolate', () => {
    expect(wordsOf('ar').isolate('tz-3')).toBe('\u2068tz-3\u2069');
  });

  it('each language has its direction', () => {
    expect(LANGUAGES.map((l) => wordsOf(l).dir)).toEqual(LANGUAGES.map((l) => (l === 'ar' ? 'rtl' : 'ltr')));
  });
});

describe('matchLanguage', () => {
  it.each([
    ['fr', 'fr'],
    ['fr-HT', 'fr'],
    [' FR-ca ', 'fr'],
    ['es_CO', 'es'],
    ['ar-Arab-IQ', 'ar'],
    ['EN', 'en'],
    ['pt-BR', null],
    ['de', null],
    ['', null],
    ['frr', null],
    [null, null],
    [undefined, null],
  ] as const)('%j → %j', (tag, expected) => {
    expect(matchLanguage(tag)).toBe(expected);
  });
});

describe('chooseLanguage: ?lang, then the remembered choice, then the browser, then English', () => {
  it('?lang= comes first', () => {
    expect(chooseLanguage({ query: 'ar', stored: 'fr', browser: ['es-CO'] })).toBe('ar');
  });

  it('then the language remembered', () => {
    expect(chooseLanguage({ query: null, stored: 'fr', browser: ['es-CO'] })).toBe('fr');
  });

  it('then the first browser language we have', () => {
    expect(chooseLanguage({ browser: ['de-DE', 'pt', 'es-CO', 'fr'] })).toBe('es');
  });

  it('else English', () => {
    expect(chooseLanguage({})).toBe('en');
    expect(chooseLanguage({ query: '', stored: '', browser: [] })).toBe('en');
    expect(chooseLanguage({ browser: ['de', 'zh-Hans'] })).toBe('en');
  });

  it('a value we do not have is skipped, at every level', () => {
    expect(chooseLanguage({ query: 'de', stored: 'ar', browser: ['fr'] })).toBe('ar');
    expect(chooseLanguage({ query: 'xx', stored: 'klingon', browser: ['de-DE', 'fr-FR'] })).toBe('fr');
  });

  it('property: the result is always one of ours, and ?lang= of ours always wins', () => {
    const tag = fc.oneof(fc.constantFrom('en', 'fr-CA', 'ar', 'es-419', 'de', 'pt-BR', '', 'AR'), fc.string());
    fc.assert(
      fc.property(fc.option(tag), fc.option(tag), fc.array(tag, { maxLength: 4 }), (query, stored, browser) => {
        const lang = chooseLanguage({ query, stored, browser });
        const ours = matchLanguage(query);
        return (LANGUAGES as readonly string[]).includes(lang) && (ours === null || lang === ours);
      }),
    );
  });
});

describe('formatLocale: the browser’s regional form of the language, else our default', () => {
  it.each([
    ['es', ['es-CO', 'en'], 'es-CO'],
    ['es', ['en-US', 'es-MX'], 'es-MX'],
    ['es', ['es_AR'], 'es-AR'],
    ['fr', ['fr-CA'], 'fr-CA'],
    ['fr', ['fr'], 'fr'],
    ['ar', ['en-US'], 'ar-u-nu-arab'],
    ['ar', ['ar'], 'ar-u-nu-arab'],
    ['ar', ['ar-MA'], 'ar-MA'],
    ['en', ['en-US'], 'en-US'],
    ['en', [], 'en-GB'],
    ['es', ['es'], 'es-419'],
    ['es', ['es-!!', 'es-CL'], 'es-CL'],
    ['fr', ['es-CO'], 'fr'],
  ] as const)('%s with %j → %s', (lang, browser, expected) => {
    expect(formatLocale(lang, browser)).toBe(expected);
  });

  it('the page formats with it', () => {
    expect(fmt('fr', ['fr-CA']).locale).toBe('fr-CA');
    expect(fmt('en', ['en-US']).utcDate(T)).toBe('Nov 21, 2026');
  });
});

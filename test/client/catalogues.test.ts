// Catalogue completeness (test/client → client/src/i18n): every language has English's keys and no others, the plural forms i18next picks, the same {{variables}} and <tags>, nothing empty or left in English, and the glossary's terms.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EN_CATALOGUE as en, PLURAL_CATEGORIES, type Catalogue } from '@corridor/protocol/i18n';
import { LANGUAGES, type Lang } from '../../client/src/i18n/languages.js';
import { CATALOGUES, createI18n } from '../../client/src/i18n/setup.js';

/**
 * Messages that may read exactly as in English, by language, each with its reason. A message with nothing to
 * translate (only `{{variables}}`, tags, figures and punctuation, like `{{occupancy}} / {{capacity}}`) is never
 * flagged and needs no entry. Keep this list short: an entry no message uses fails the test below.
 */
const SAME_AS_ENGLISH: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  fr: {
    CORRIDOR: 'the product name',
    DANGER: 'the same word in French (zone tag)',
    'zone {{id}}': 'the same word in French',
    'zone {{id}} ({{label}})': 'the same word in French',
    destination: 'the same word in French (a convoy\'s last checkpoint)',
    Destination: 'the same word in French (the planning form)',
    Source: 'the same word in French (the drawing form)',
    Organisation: 'the same word in French (the plan and convoy forms)',
    Note: 'the same word in French (the plan form)',
    '{{lat}} N, {{lon}} E': 'the compass letters are the same in French',
  },
  es: {
    CORRIDOR: 'the product name',
    '{{lat}} N, {{lon}} E': 'the compass letters are the same in Spanish (E for este)',
    civil: 'the same adjective in Spanish (affiliation)',
    '{{n}} s': 'SI symbol of the second',
    '{{n}} min': 'symbol of the minute',
    Token: 'the word Latin American Spanish uses for an access token (sign-in page)',
    '{{n}} kB': 'SI symbol of the kilobyte (a file\'s size, import page)',
    '{{n}} MB': 'SI symbol of the megabyte (a file\'s size, import page)',
  },
  ar: {
    CORRIDOR: 'the product name, in Latin letters as on the map and in the title',
  },
};

/** Counts that reach every CLDR category of our languages (ar: zero, one, two, few 3–10, many 11–99, other 100…; fr/es: many for round millions). */
const COUNTS = [0, 1, 2, 3, 5, 11, 99, 100, 101, 103, 111, 1_000_000, 2_000_000];

const PLURAL_SUFFIX = new RegExp(`^(.+)_(${PLURAL_CATEGORIES.join('|')})$`);
const VARIABLE = /\{\{\s*([^{}\s,]+)\s*\}\}/g;
const TAG = /<(\/?)([A-Za-z][\w-]*)\s*(\/?)>/g;

/**
 * Dotted paths of a catalogue's messages.
 * @example flatten({ a: { b: 'x' } }) // Map { 'a.b' => 'x' }
 */
function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(catalogue)) {
    if (typeof v === 'string') out.set(`${prefix}${k}`, v);
    else if (v && typeof v === 'object') for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, v as unknown as string); // not a string: reported by the checker
  }
  return out;
}

/**
 * The `{{variables}}` of a message, as a set of names.
 * @example variablesOf('{{n}} of {{total}}') // Set { 'n', 'total' }
 */
function variablesOf(text: string): Set<string> {
  return new Set([...text.matchAll(VARIABLE)].map((m) => m[1]));
}

/**
 * The tags of a message, opening and closing, sorted (a multiset, so an unclosed tag shows).
 * @example tagsOf('last <b>{{time}}</b>') // ['</b>', '<b>']
 */
function tagsOf(text: string): string[] {
  return [...text.matchAll(TAG)].map((m) => `<${m[1]}${m[2]}${m[3]}>`).sort();
}

/** Whether a message has words to translate: a letter outside its variables and tags. */
function hasWords(text: string): boolean {
  return /\p{L}/u.test(text.replace(VARIABLE, '').replace(TAG, ''));
}

/** The Intl plural categories `lang` has: the suffixes i18next looks up with `count` (it asks Intl.PluralRules). */
function pluralCategoriesOf(lang: string): string[] {
  return [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort();
}

interface Message {
  /** Key without the plural suffix. */
  base: string;
  /** Plural category, or null for a message without plural forms. */
  category: string | null;
}

const fmtSet = (s: Iterable<string>) => `[${[...s].sort().join(', ')}]`;

/**
 * Everything wrong with `catalogue` as the `lang` version of `reference` (English): missing and extra keys,
 * plural forms other than those `Intl.PluralRules(lang)` has, variables or tags that differ, empty messages,
 * and messages left in English (unless `sameAsEnglish` names them). One line per problem; none for a good one.
 * @example checkCatalogue('fr', { ...fr, map: {} }) // ['fr: missing key map.loading', 'fr: missing key map.error']
 */
function checkCatalogue(
  lang: string,
  catalogue: Catalogue,
  reference: Catalogue = en,
  sameAsEnglish: Readonly<Record<string, string>> = SAME_AS_ENGLISH[lang] ?? {},
): string[] {
  const problems: string[] = [];
  const report = (p: string) => problems.push(`${lang}: ${p}`);
  const ref = flatten(reference);
  const mine = flatten(catalogue);

  // English's messages, plural ones grouped by their base key.
  const refPlural = new Map<string, Map<string, string>>();
  const refPlain = new Map<string, string>();
  for (const [key, text] of ref) {
    const m = PLURAL_SUFFIX.exec(key);
    if (m) {
      if (!refPlural.has(m[1])) refPlural.set(m[1], new Map());
      refPlural.get(m[1])!.set(m[2], text);
    } else refPlain.set(key, text);
  }

  const classify = (key: string): Message | null => {
    if (refPlain.has(key)) return { base: key, category: null };
    const m = PLURAL_SUFFIX.exec(key);
    return m && refPlural.has(m[1]) ? { base: m[1], category: m[2] } : null;
  };

  for (const key of refPlain.keys()) if (!mine.has(key)) report(`missing key ${key}`);

  const required = pluralCategoriesOf(lang);
  for (const [base] of refPlural) {
    const present: string[] = PLURAL_CATEGORIES.filter((c) => mine.has(`${base}_${c}`));
    for (const c of required) if (!present.includes(c)) report(`missing plural form ${base}_${c} (Intl.PluralRules('${lang}') has ${fmtSet(required)})`);
    for (const c of present) if (!required.includes(c)) report(`extra plural form ${base}_${c}: '${lang}' has no '${c}' category, i18next never picks it`);
  }

  // Per base key, the variables of all of this language's forms (for the plural check below).
  const formsVars = new Map<string, Set<string>>();

  for (const [key, text] of mine) {
    const msg = classify(key);
    if (!msg) {
      report(`extra key ${key} (not in English)`);
      continue;
    }
    if (typeof text !== 'string') {
      report(`${key} is not a string`);
      continue;
    }
    if (text.trim() === '') {
      report(`${key} is empty`);
      continue;
    }
    const braces = (text.match(/\{\{|\}\}/g) ?? []).length;
    if (braces !== 2 * [...text.matchAll(VARIABLE)].length) report(`${key} has a malformed {{variable}}: ${JSON.stringify(text)}`);

    const refTexts = msg.category === null ? [refPlain.get(msg.base)!] : [...refPlural.get(msg.base)!.values()];
    const refVars = new Set(refTexts.flatMap((t) => [...variablesOf(t)]));
    const vars = variablesOf(text);
    if (msg.category === null) {
      if (fmtSet(vars) !== fmtSet(refVars)) report(`${key} has variables ${fmtSet(vars)}, English has ${fmtSet(refVars)}`);
    } else {
      // A plural form may leave out the figure (Arabic 'one' and 'two' name the thing: وحدة واحدة، وحدتان).
      const unknown = [...vars].filter((v) => !refVars.has(v));
      const lacking = [...refVars].filter((v) => v !== 'n' && v !== 'count' && !vars.has(v));
      if (unknown.length) report(`${key} has variables English does not: ${fmtSet(unknown)}`);
      if (lacking.length) report(`${key} lacks variables ${fmtSet(lacking)}`);
      if (!formsVars.has(msg.base)) formsVars.set(msg.base, new Set());
      for (const v of vars) formsVars.get(msg.base)!.add(v);
    }

    const refTags = new Set(refTexts.map((t) => tagsOf(t).join('')));
    const tags = tagsOf(text).join('');
    if (!refTags.has(tags)) report(`${key} has tags ${JSON.stringify(tags)}, English has ${[...refTags].map((t) => JSON.stringify(t)).join(' or ')}`);

    if (catalogue !== reference && refTexts.includes(text) && hasWords(text) && !(text in sameAsEnglish)) {
      report(`${key} is the English text ${JSON.stringify(text)} (translate it, or add it to SAME_AS_ENGLISH with a reason)`);
    }
  }

  // Some form of a plural message must still show each of English's variables (the figure included).
  for (const [base, forms] of refPlural) {
    const refVars = new Set([...forms.values()].flatMap((t) => [...variablesOf(t)]));
    const seen = formsVars.get(base);
    if (!seen) continue; // already reported as missing
    const never = [...refVars].filter((v) => !seen.has(v));
    if (never.length) report(`${base}: no plural form shows ${fmtSet(never)}`);
  }
  return problems;
}

/** `text` with each `{{name}}` replaced from `values`, as i18next interpolates (escaping is off, see setup.ts). */
function interpolate(text: string, values: Record<string, string | number>): string {
  return text.replace(VARIABLE, (_, name: string) => String(values[name]));
}

/** A value per variable that shows where it landed: `⟦name⟧`. */
function markers(texts: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of texts) for (const v of variablesOf(t)) out[v] = `⟦${v}⟧`;
  return out;
}

/** The problems `broken` has that `original` has not: the self-tests hold whatever the catalogues' state. */
function introduced(lang: string, broken: Catalogue, original: Catalogue): string[] {
  const before = new Set(checkCatalogue(lang, original));
  return checkCatalogue(lang, broken).filter((p) => !before.has(p));
}

/** A deep copy of a catalogue to break. */
function copy(c: Catalogue): Record<string, Record<string, string>> {
  return structuredClone(c) as Record<string, Record<string, string>>;
}

describe('catalogues', () => {
  it('English plural messages have exactly the forms English needs', () => {
    expect(checkCatalogue('en', en)).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has every English key, no other, the right plural forms, variables and tags, and is translated', (lang) => {
    expect(checkCatalogue(lang, CATALOGUES[lang])).toEqual([]);
  });

  it('the catalogues are the languages of @corridor/protocol', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual([...LANGUAGES].sort());
  });

  it('every SAME_AS_ENGLISH entry is still used (the list stays short)', () => {
    for (const [lang, entries] of Object.entries(SAME_AS_ENGLISH)) {
      const texts = new Set(flatten(CATALOGUES[lang as Lang]).values());
      for (const text of Object.keys(entries)) expect(texts.has(text), `${lang}: ${JSON.stringify(text)} is no message`).toBe(true);
    }
  });

  describe('i18next picks each language’s own form (no raw key, no English fallback)', () => {
    const refFlat = flatten(en);
    const pluralBases = [...new Set([...refFlat.keys()].map((k) => PLURAL_SUFFIX.exec(k)?.[1]).filter((b): b is string => !!b))];
    const plainKeys = [...refFlat.keys()].filter((k) => !PLURAL_SUFFIX.test(k));

    it.each([...LANGUAGES])('%s: plural messages', (lang) => {
      const t = createI18n(lang).getFixedT(lang) as unknown as (key: string, values?: Record<string, unknown>) => string;
      const mine = flatten(CATALOGUES[lang]);
      const rules = new Intl.PluralRules(lang);
      const failures: string[] = [];
      for (const base of pluralBases) {
        const forms = PLURAL_CATEGORIES.map((c) => mine.get(`${base}_${c}`)).filter((x): x is string => x !== undefined);
        const values = markers([...forms, ...PLURAL_CATEGORIES.map((c) => refFlat.get(`${base}_${c}`) ?? '')]);
        for (const count of COUNTS) {
          const category = count === 0 && mine.has(`${base}_zero`) ? 'zero' : rules.select(count);
          const own = mine.get(`${base}_${category}`);
          const got = t(base, { ...values, count });
          if (got === base) failures.push(`${base} (count ${count}): raw key`);
          else if (own === undefined) failures.push(`${base} (count ${count}): no ${base}_${category}, i18next gave ${JSON.stringify(got)}`);
          else if (got !== interpolate(own, values)) failures.push(`${base} (count ${count}): ${JSON.stringify(got)}, expected ${base}_${category}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it.each([...LANGUAGES])('%s: every other message', (lang) => {
      const t = createI18n(lang).getFixedT(lang) as unknown as (key: string, values?: Record<string, unknown>) => string;
      const mine = flatten(CATALOGUES[lang]);
      const failures: string[] = [];
      for (const key of plainKeys) {
        const own = mine.get(key);
        const values = markers([own ?? '', refFlat.get(key)!]);
        const got = t(key, values);
        if (own === undefined || got !== interpolate(own, values)) failures.push(`${key}: ${JSON.stringify(got)}`);
      }
      expect(failures).toEqual([]);
    });
  });

  describe('the checker reports a broken catalogue (self-test)', () => {
    const fr = CATALOGUES.fr;
    const ar = CATALOGUES.ar;

    it('a removed key', () => {
      const broken = copy(fr);
      delete broken.legend.title;
      expect(introduced('fr', broken, fr)).toEqual(['fr: missing key legend.title']);
    });

    it('a key English does not have', () => {
      const broken = copy(fr);
      broken.legend.extra = 'Supplément';
      expect(introduced('fr', broken, fr)).toEqual(['fr: extra key legend.extra (not in English)']);
    });

    it('a missing plural form, and one the language never uses', () => {
      const broken = copy(ar);
      delete broken.topbar.units_few;
      const frBroken = copy(fr);
      frBroken.topbar.units_two = '<b>{{n}}</b> unités';
      delete frBroken.topbar.units_many;
      expect(introduced('ar', broken, ar)).toEqual([expect.stringMatching(/^ar: missing plural form topbar\.units_few /)]);
      expect(introduced('fr', frBroken, fr)).toEqual([
        expect.stringMatching(/^fr: missing plural form topbar\.units_many /),
        expect.stringMatching(/^fr: extra plural form topbar\.units_two: /),
      ]);
    });

    it('a renamed, added or lost variable', () => {
      const broken = copy(fr);
      broken.side.occupancy = 'Occupation de {{nom}}';
      broken.reason.computed = 'couloir calculé : {{distance}}';
      broken.map.error = 'Fond de carte indisponible : {{error}';
      const arBroken = copy(ar);
      arBroken.topbar.units_one = '<b>وحدة {{x}}</b>';
      arBroken.side.displacedTotal_few = 'نازحين في المواقع المعروفة';
      expect(introduced('fr', broken, fr)).toEqual([
        'fr: side.occupancy has variables [nom], English has [name]',
        'fr: reason.computed has variables [distance], English has [distance, duration]',
        expect.stringMatching(/^fr: map\.error has a malformed \{\{variable\}\}/),
        'fr: map.error has variables [], English has [error]',
      ]);
      // Leaving out {{n}} in one form is allowed; a variable English lacks is not.
      expect(introduced('ar', arBroken, ar)).toEqual(['ar: topbar.units_one has variables English does not: [x]']);
    });

    it('a plural message whose forms all drop the figure', () => {
      const broken = copy(fr);
      for (const c of ['one', 'many', 'other']) broken.side[`people_${c}`] = 'des personnes';
      expect(introduced('fr', broken, fr)).toEqual(['fr: side.people: no plural form shows [n]']);
    });

    it('a lost or unclosed tag', () => {
      const broken = copy(fr);
      broken.topbar.lastUpdate = 'dernière mise à jour {{time}}';
      broken.topbar.units_one = '<b>{{n}} unité';
      expect(introduced('fr', broken, fr)).toEqual([
        'fr: topbar.units_one has tags "<b>", English has "</b><b>"',
        'fr: topbar.lastUpdate has tags "", English has "</b><b>"',
      ]);
    });

    it('an empty message, and one left in English', () => {
      const broken = copy(fr);
      broken.map.loading = ' ';
      broken.legend.heading = 'Heading';
      expect(introduced('fr', broken, fr)).toEqual([
        'fr: legend.heading is the English text "Heading" (translate it, or add it to SAME_AS_ENGLISH with a reason)',
        'fr: map.loading is empty',
      ]);
    });

    it('a text allowed in one language is flagged in another', () => {
      const broken = copy(ar);
      (broken.severity as unknown as Record<string, Record<string, string>>).danger.tag = 'DANGER';
      expect(introduced('ar', broken, ar)).toEqual([expect.stringMatching(/^ar: severity\.danger\.tag is the English text "DANGER"/)]);
    });
  });
});

/** The glossary's table rows: header cells → cells, for rows that name catalogue keys. */
function glossaryRows(markdown: string): { term: string; keys: string[]; cells: Record<string, string> }[] {
  const lines = markdown.split('\n').filter((l) => l.trim().startsWith('|'));
  const rows: { term: string; keys: string[]; cells: Record<string, string> }[] = [];
  let header: string[] | null = null;
  for (const line of lines) {
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    if (cells[0] === 'Term') {
      header = cells;
      continue;
    }
    if (!header) continue;
    const byName = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    const keys = [...(byName.Keys ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    rows.push({ term: cells[0], keys, cells: byName });
  }
  return rows;
}

describe('docs/glossary.md agrees with the catalogues', () => {
  const rows = () => glossaryRows(readFileSync(new URL('../../docs/glossary.md', import.meta.url), 'utf8'));

  it('has rows, and each names catalogue keys that exist', () => {
    const keys = new Set([...flatten(en).keys()].map((k) => PLURAL_SUFFIX.exec(k)?.[1] ?? k));
    expect(rows().filter((r) => r.keys.length).length).toBeGreaterThan(20);
    for (const r of rows()) for (const k of r.keys) expect(keys.has(k), `${r.term}: no key ${k}`).toBe(true);
  });

  it.each([...LANGUAGES])('%s: the term of each row is what the messages at its keys say', (lang) => {
    const mine = flatten(CATALOGUES[lang]);
    const failures: string[] = [];
    for (const r of rows()) {
      // The cell's term, before any note in parentheses or italics.
      const term = r.cells[lang]?.split(/\s+[(_*]/)[0].trim();
      if (!term || !r.keys.length) continue;
      for (const k of r.keys) {
        const texts = [...mine].filter(([key]) => key === k || PLURAL_SUFFIX.exec(key)?.[1] === k).map(([, t]) => t);
        if (!texts.some((t) => t.toLocaleLowerCase(lang).includes(term.toLocaleLowerCase(lang)))) failures.push(`${r.term}: ${k} does not say "${term}" (${JSON.stringify(texts[0])})`);
      }
    }
    expect(failures).toEqual([]);
  });
});

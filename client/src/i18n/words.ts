// One language's Words (client/src/i18n): i18next's `t` fixed to that language plus its Intl formats, the object the layers' and panels' text functions take.
import type { Translate, Words } from '../layers/words.js';
import { createFormats } from './formats.js';
import { DEFAULT_LOCALES, type Lang } from './languages.js';

/** Marks of a first-strong isolate (U+2068 FSI … U+2069 PDI). */
const FSI = '\u2068';
const PDI = '\u2069';

/**
 * The Words of `lang`: `t` looks messages up in that language's catalogue (i18next's `getFixedT(lang)`), numbers
 * and times are formatted with `locale`.
 * @example createWords('fr', i18n.getFixedT('fr'), 'ltr').fmt.utcTime(Date.UTC(2026, 10, 21, 9, 5, 7)) // '09:05:07 UTC'
 */
export function createWords(lang: Lang, t: Translate, dir: 'ltr' | 'rtl', locale: string = DEFAULT_LOCALES[lang]): Words {
  return {
    lang,
    dir,
    t,
    fmt: createFormats(locale, t),
    isolate: (text) => `${FSI}${text}${PDI}`,
  };
}

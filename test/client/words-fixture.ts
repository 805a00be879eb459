// Words of each language for the client tests (test/client): the page's own i18next set-up and catalogues.
import { createI18n, wordsFor } from '../../client/src/i18n/setup.js';
import type { Lang } from '../../client/src/i18n/languages.js';
import type { Words } from '../../client/src/layers/words.js';

const cache = new Map<Lang, Words>();

/** The Words of `lang` as the page makes them, with the default locale of the language. */
export function wordsOf(lang: Lang): Words {
  let w = cache.get(lang);
  if (!w) cache.set(lang, (w = wordsFor(createI18n(lang))));
  return w;
}

/** English, the language most tests read. */
export const EN = wordsOf('en');

/** Text without the first-strong isolates (U+2068, U+2069) the panels put around names. */
export const plain = (text: string | null) => text?.replace(/[\u2068\u2069]/g, '') ?? null;

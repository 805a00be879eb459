// The page's i18next (client/src/i18n): one instance with the four catalogues, the Words of each language, and switching language in place.
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LANGUAGE_COOKIE } from '@corridor/protocol';
import { CATALOGUES } from '@corridor/protocol/i18n';
import type { Translate, Words } from '../layers/words.js';
import { formatLocale, LANGUAGE_STORAGE_KEY, LANGUAGES, matchLanguage, type Lang } from './languages.js';
import { createWords } from './words.js';

export { CATALOGUES };

/** The browser's languages each instance was made with: they refine the Intl locale (languages.ts formatLocale). */
const browserOf = new WeakMap<I18n, readonly string[]>();
const wordsOf = new WeakMap<I18n, Map<Lang, Words>>();

/**
 * An i18next instance in `lang`, ready at once (the catalogues are bundled, nothing loads), wired to React.
 * A key missing in a language falls back to English; the catalogue test keeps that from happening.
 */
export function createI18n(lang: Lang, browser: readonly string[] = []): I18n {
  const i18n = i18next.createInstance();
  i18n.use(initReactI18next);
  void i18n.init({
    lng: lang,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: CATALOGUES[l] }])),
    // React escapes text itself; i18next escaping too would show `&amp;` in names.
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
    react: { useSuspense: false },
  });
  browserOf.set(i18n, browser);
  return i18n;
}

/** The instance's current language. */
export function currentLanguage(i18n: I18n): Lang {
  return matchLanguage(i18n.resolvedLanguage ?? i18n.language) ?? 'en';
}

/**
 * The Words of `lang` (the instance's current language by default): the same object for the same language, so
 * memoised layers and labels are re-made only when the language changes.
 */
export function wordsFor(i18n: I18n, lang: Lang = currentLanguage(i18n)): Words {
  let byLang = wordsOf.get(i18n);
  if (!byLang) wordsOf.set(i18n, (byLang = new Map()));
  let w = byLang.get(lang);
  if (!w) {
    const fixed = i18n.getFixedT(lang);
    const t: Translate = (key, values) => String(fixed(key, values));
    w = createWords(lang, t, i18n.dir(lang), formatLocale(lang, browserOf.get(i18n)));
    byLang.set(lang, w);
  }
  return w;
}

/** `<html lang dir>` and the document's title in the instance's language, EXERCISE-marked only while the exercise runs (issue 17). */
export function applyDocumentLanguage(i18n: I18n, doc: Document = document, exercise = false): void {
  const lang = currentLanguage(i18n);
  doc.documentElement.lang = lang;
  doc.documentElement.dir = i18n.dir(lang);
  doc.title = wordsFor(i18n, lang).t(exercise ? 'document.title' : 'document.titlePlain');
}

/** Reads the remembered language; null where storage is unavailable (private mode, a sandboxed frame). */
export function storedLanguage(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): string | null {
  try {
    return storage?.getItem(LANGUAGE_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** Remembers the language for the next visit (localStorage, and a cookie for the server's pages); a storage that refuses is no fault. */
export function rememberLanguage(lang: Lang, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(LANGUAGE_STORAGE_KEY, lang);
  } catch {
    // Nothing to do: the choice lasts for this page only.
  }
  // The server's own pages (sign-in) read the choice from a cookie: a year, this site only.
  if (typeof document !== 'undefined') document.cookie = `${LANGUAGE_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

/**
 * Switches the page to `lang` in place: no reload, so the WebSocket and the picture stay. Remembers it, and
 * rewrites an explicit `?lang=` in the address (without navigating) so that a reload keeps the new choice.
 */
export async function switchLanguage(i18n: I18n, lang: Lang): Promise<void> {
  rememberLanguage(lang);
  if (typeof window !== 'undefined') {
    const url = new URL(window.location.href);
    if (url.searchParams.has('lang')) {
      url.searchParams.set('lang', lang);
      window.history.replaceState(window.history.state, '', url);
    }
  }
  await i18n.changeLanguage(lang);
}

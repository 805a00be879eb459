// The page's languages (client/src/i18n): how one is chosen (?lang=, remembered, browser), its name, and the Intl locale it formats with.
import { LANGUAGES, type Language } from '@corridor/protocol';

/** The languages of the catalogues, in the switcher's order (@corridor/protocol's list: the basemap's names follow it too). */
export { LANGUAGES };
export type Lang = Language;

/** Each language named in itself, for the switcher (the same in every language). */
export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', fr: 'Français', ar: 'العربية', es: 'Español' };

/** Where the page remembers the language chosen (localStorage). */
export const LANGUAGE_STORAGE_KEY = 'corridor.lang';

/**
 * Intl locale each language formats numbers, dates and units with, unless the browser names a region of it
 * (see `formatLocale`).
 * - `en-GB`: day-month-year dates and 24-hour times, as UN English writes them.
 * - `es-419`: Latin American Spanish (our users are there), not Spain's.
 * - `ar-u-nu-arab`: Arabic-Indic digits (٠١٢٣…), as Iraq and Yemen write them (CLDR's `ar-IQ` and `ar-YE` use
 *   them too). Plain `ar` is not left to Intl: recent CLDR data (the ICU 78 of Node 20.20, for one) gives it
 *   Latin digits where older data gave Arabic-Indic ones, so the choice is made here, the same in every browser.
 */
export const DEFAULT_LOCALES: Record<Lang, string> = { en: 'en-GB', fr: 'fr', ar: 'ar-u-nu-arab', es: 'es-419' };

/**
 * The catalogue language of a BCP 47 tag, or null when there is none: region, script and case do not matter.
 * @example matchLanguage('fr-HT') // 'fr'
 * @example matchLanguage('pt-BR') // null
 */
export function matchLanguage(tag: string | null | undefined): Lang | null {
  if (!tag) return null;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Lang) : null;
}

/** Where a language can come from, strongest first. */
export interface LanguageSources {
  /** `?lang=` of the page's address. */
  query?: string | null;
  /** The language remembered from an earlier choice (localStorage). */
  stored?: string | null;
  /** The browser's languages, most preferred first (`navigator.languages`). */
  browser?: readonly string[];
}

/**
 * The page's language: `?lang=` if it names one of ours, else the one remembered, else the first of the
 * browser's languages that we have, else English. A value we do not have (`?lang=de`) is skipped, not an error.
 * @example chooseLanguage({ query: 'ar', stored: 'fr', browser: ['es-CO'] }) // 'ar'
 * @example chooseLanguage({ query: 'de', stored: null, browser: ['de-DE', 'fr-FR'] }) // 'fr'
 */
export function chooseLanguage(s: LanguageSources): Lang {
  return matchLanguage(s.query) ?? matchLanguage(s.stored) ?? (s.browser ?? []).map(matchLanguage).find((l) => l !== null) ?? 'en';
}

/**
 * The Intl locale to format with in `lang`: the browser's own tag when it is a regional form of that language
 * (`es-CO` formats 12.345,6 where `es-419` writes 12,345.6; `ar-MA` keeps Latin digits), else `DEFAULT_LOCALES`.
 * @example formatLocale('es', ['es-CO', 'en']) // 'es-CO'
 * @example formatLocale('ar', ['en-US']) // 'ar-u-nu-arab'
 */
export function formatLocale(lang: Lang, browser: readonly string[] = []): string {
  for (const tag of browser) {
    if (matchLanguage(tag) !== lang || !/[-_]/.test(tag)) continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(tag.replace(/_/g, '-'));
      if (canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length) return canonical;
    } catch {
      // Not a valid tag: keep looking.
    }
  }
  return DEFAULT_LOCALES[lang];
}

// The languages the picture is offered in (@corridor/protocol): the catalogues (i18n/), the names of places
// the basemap carries besides the local one (OpenStreetMap's `name:<code>` tags), and how a choice is remembered.

/** Language codes (BCP 47), the first the fallback. */
export const LANGUAGES = ['en', 'fr', 'ar', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Whether a string is one of {@link LANGUAGES}.
 * @example isLanguage('ar') // true
 * @example isLanguage('de') // false
 */
export function isLanguage(code: unknown): code is Language {
  return typeof code === 'string' && (LANGUAGES as readonly string[]).includes(code);
}

/** Cookie holding the language a browser chose, so that the server's own pages (sign-in) speak it too. */
export const LANGUAGE_COOKIE = 'corridor_lang';

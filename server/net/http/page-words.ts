// The language of the server's own pages (server/net/http): sign-in and account switch, worded from the same catalogues as the client.
import i18next, { type TFunction } from 'i18next';
import { isLanguage, LANGUAGE_COOKIE, LANGUAGES, type Language } from '@corridor/protocol';
import { CATALOGUES, type MessageKey } from '@corridor/protocol/i18n';
import type { Request } from 'express';
import { parseCookies } from '../../auth/session.js';

const i18n = i18next.createInstance();
void i18n.init({
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: CATALOGUES[l] }])),
  // Values (organisation names, unit ids) are escaped for HTML; the catalogue's own markup (<b>) is not.
  interpolation: { escapeValue: true },
  initAsync: false,
});

/**
 * The language of a page request: `?lang=`, else the language the browser chose before (cookie), else the
 * first of `Accept-Language` we speak, else English.
 */
export function pageLanguage(req: Pick<Request, 'query' | 'headers' | 'acceptsLanguages'>): Language {
  const query = typeof req.query.lang === 'string' ? req.query.lang.toLowerCase() : undefined;
  if (query && isLanguage(query)) return query;
  const cookie = parseCookies(req.headers.cookie).get(LANGUAGE_COOKIE);
  if (cookie && isLanguage(cookie)) return cookie;
  const accepted = req.acceptsLanguages(...LANGUAGES);
  return accepted && isLanguage(accepted) ? accepted : 'en';
}

/** What a server page needs of a language: its code, direction, and `t` (values HTML-escaped). */
export interface PageWords {
  lang: Language;
  dir: 'ltr' | 'rtl';
  t(key: MessageKey, values?: Record<string, string | number>): string;
}

const fixed = new Map<Language, TFunction>();

/** The words of `lang` for a server page. */
export function pageWords(lang: Language): PageWords {
  let t = fixed.get(lang);
  if (!t) fixed.set(lang, (t = i18n.getFixedT(lang)));
  const ft = t;
  return { lang, dir: i18n.dir(lang) === 'rtl' ? 'rtl' : 'ltr', t: (key, values) => String(ft(key, values)) };
}

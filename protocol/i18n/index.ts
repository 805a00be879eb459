// The message catalogues of every page (protocol/i18n): English, French, Arabic and Spanish, shared by the browser client and the server's own pages.
import type { Language } from '../languages.js';
import ar from './ar.js';
import en from './en.js';
import es from './es.js';
import fr from './fr.js';
import type { Catalogue } from './keys.js';

export { PLURAL_CATEGORIES, type Catalogue, type MessageKey, type PluralCategory } from './keys.js';

/** The catalogues by language (i18next JSON v4; one namespace, `translation`). */
export const CATALOGUES: Record<Language, Catalogue> = { en, fr, ar, es };

/** English, whose shape is every catalogue's key set. */
export const EN_CATALOGUE = en;

// Catalogue keys as types (protocol/i18n): the English catalogue's shape is every language's key set, so tsc refuses a key no catalogue has.
import type en from './en.js';

/** A catalogue: nested groups of messages (ICU-free i18next JSON v4: `{{var}}`, `<tag>…</tag>`, `key_one`…). */
export interface Catalogue {
  [key: string]: string | Catalogue;
}

/** Plural categories of `Intl.PluralRules`, the suffixes i18next looks up with `count` (`key_one`, `key_other`, ...). */
export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
export type PluralCategory = (typeof PLURAL_CATEGORIES)[number];

type StripPlural<K extends string> = K extends `${infer Base}_${PluralCategory}` ? Base : K;
type Leaves<T, P extends string = ''> = { [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`> }[keyof T & string];

/** A message of the catalogues, as `t` takes it: dotted path, without the plural suffix. */
export type MessageKey = StripPlural<Leaves<typeof en>>;

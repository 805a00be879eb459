// Language switcher (client/src/ui): changes the page's language in place; the picture and its connection stay.
import { useTranslation } from 'react-i18next';
import { LANGUAGE_NAMES, LANGUAGES, matchLanguage } from '../i18n/languages.js';
import { currentLanguage, switchLanguage } from '../i18n/setup.js';
import { useWords } from '../i18n/use-words.js';

/** A select of the four languages, each named in itself; the choice is remembered (i18n/setup.ts). */
export function LanguageSwitcher() {
  const { i18n } = useTranslation();
  const w = useWords();
  return (
    <label className="lang-switch">
      <span className="visually-hidden">{w.t('language.label')}</span>
      <select
        data-testid="language"
        value={currentLanguage(i18n)}
        onChange={(e) => {
          const lang = matchLanguage(e.target.value);
          if (lang) void switchLanguage(i18n, lang);
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l} dir={l === 'ar' ? 'rtl' : 'ltr'}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

// React binding of the page's language (client/src/i18n): the Words of the current language, re-rendering on a switch.
import { useTranslation } from 'react-i18next';
import type { Words } from '../layers/words.js';
import { wordsFor } from './setup.js';

/** The Words of the page's current language; the component renders again when the language changes. */
export function useWords(): Words {
  const { i18n } = useTranslation();
  return wordsFor(i18n);
}

// Browser entry (client/src): chooses the language, picks the page from the path and mounts it.
import '@fontsource/noto-sans/400.css';
import '@fontsource/noto-sans/600.css';
import '@fontsource/noto-sans/700.css';
import '@fontsource/noto-sans-arabic/400.css';
import '@fontsource/noto-sans-arabic/600.css';
import '@fontsource/noto-sans-arabic/700.css';
import 'maplibre-gl/dist/maplibre-gl.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { chooseLanguage } from './i18n/languages.js';
import { applyDocumentLanguage, createI18n, rememberLanguage, storedLanguage } from './i18n/setup.js';
import { installTestHooks } from './test-hooks.js';
import { pictureStore } from './state/hooks.js';
import { AccessPage } from './access/AccessPage.js';
import { AuditPage } from './ui/AuditPage.js';
import { FieldPage } from './field/FieldPage.js';
import { ImportPage } from './displacement/ImportPage.js';
import { ComingSoon, PicturePage } from './ui/PicturePage.js';
import { WallPage } from './wall/WallPage.js';
import { NoticePage } from './paperwork/NoticePage.js';
import { RouteCardPage } from './paperwork/RouteCardPage.js';

const hooks = installTestHooks();

const browser = navigator.languages?.length ? navigator.languages : [navigator.language];
const lang = chooseLanguage({ query: new URLSearchParams(window.location.search).get('lang'), stored: storedLanguage(), browser });
const i18n = createI18n(lang, browser);
// A language named in the address is a choice: remember it for the next visit.
if (new URLSearchParams(window.location.search).has('lang')) rememberLanguage(lang);
// The title says EXERCISE only while the server says the exercise runs (its snapshot's `exercise`).
const applyDocument = () => applyDocumentLanguage(i18n, document, pictureStore.getState().exercise);
applyDocument();
i18n.on('languageChanged', applyDocument);
pictureStore.subscribe((s, prev) => {
  if (s.exercise !== prev.exercise) applyDocument();
});

function pageFor(pathname: string) {
  const path = pathname.replace(/\/+$/, '') || '/';
  switch (path) {
    case '/':
      return <PicturePage hooks={hooks} />;
    case '/wall':
      return <WallPage hooks={hooks} />;
    case '/access':
      return <AccessPage hooks={hooks} />;
    case '/field':
      return <FieldPage />;
    case '/audit':
      return <AuditPage />;
    case '/import':
      return <ImportPage />;
    default: {
      // The movement paperwork of one convoy (issue 18): /convoys/:id/notice and /convoys/:id/card.
      const paper = /^\/convoys\/([^/]+)\/(notice|card)$/.exec(path);
      if (paper?.[2] === 'notice') return <NoticePage convoyId={decodeURIComponent(paper[1])} />;
      if (paper?.[2] === 'card') return <RouteCardPage convoyId={decodeURIComponent(paper[1])} />;
      return <ComingSoon name="page.notFound" />;
    }
  }
}

// Label placement measures text with the fonts the map draws labels with; wait for them first.
const fonts = ['600 16px "Noto Sans"', '700 16px "Noto Sans"', '600 16px "Noto Sans Arabic"', '700 16px "Noto Sans Arabic"'];
Promise.allSettled(fonts.map((f) => document.fonts.load(f, 'Aب'))).then(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>{pageFor(window.location.pathname)}</I18nextProvider>
    </StrictMode>,
  );
});

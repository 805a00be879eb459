// Browser entry (client/src): picks the page from the path and mounts it.
import '@fontsource/noto-sans/400.css';
import '@fontsource/noto-sans/600.css';
import '@fontsource/noto-sans/700.css';
import 'maplibre-gl/dist/maplibre-gl.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installTestHooks } from './test-hooks.js';
import { ComingSoon, PicturePage } from './ui/PicturePage.js';

const hooks = installTestHooks();

function pageFor(pathname: string) {
  const path = pathname.replace(/\/+$/, '') || '/';
  switch (path) {
    case '/':
      return <PicturePage wall={false} hooks={hooks} />;
    case '/wall':
      return <PicturePage wall hooks={hooks} />;
    case '/access':
      return <ComingSoon name="Access view" />;
    case '/field':
      return <ComingSoon name="Field unit page" />;
    default:
      return <ComingSoon name="Page not found" />;
  }
}

// deck.gl measures text with the page's fonts when it builds its label atlas; wait for them first.
Promise.allSettled([document.fonts.load('600 16px "Noto Sans"'), document.fonts.load('700 16px "Noto Sans"')]).then(() => {
  createRoot(document.getElementById('root')!).render(<StrictMode>{pageFor(window.location.pathname)}</StrictMode>);
});

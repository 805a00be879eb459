// Makes `/field` an installable page that loads without network once visited (client/src/field,
// issue 15): its web app manifest, and its service worker (client/public/field-sw.js) for `/field`.
import mapWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

/** Adds the manifest and registers the service worker; harmless where either is not supported. */
export function registerFieldWorker(): void {
  if (!document.querySelector('link[rel="manifest"]')) {
    const link = document.createElement('link');
    link.rel = 'manifest';
    link.href = '/field.webmanifest';
    // Every request but /healthz needs the session: the manifest is fetched with it.
    link.crossOrigin = 'use-credentials';
    document.head.appendChild(link);
    const theme = document.createElement('meta');
    theme.name = 'theme-color';
    theme.content = '#0b1f33';
    document.head.appendChild(theme);
  }
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker
    .register('/field-sw.js', { scope: '/field' })
    .then(() => navigator.serviceWorker.ready)
    .then((reg) => {
      // What this load fetched before the worker controlled the page (the first visit): the worker keeps it.
      // The map's worker is not among the resources a page lists: named here.
      const loaded = performance.getEntriesByType('resource').map((e) => e.name);
      reg.active?.postMessage({ type: 'keep', urls: ['/field', mapWorkerUrl, ...loaded] });
      // The map asks for its archive and glyphs later: named again once it has drawn.
      setTimeout(() => reg.active?.postMessage({ type: 'keep', urls: performance.getEntriesByType('resource').map((e) => e.name) }), 15_000);
    })
    .catch((err: unknown) => {
      console.warn('the field page works online only: its service worker could not be registered', err);
    });
}

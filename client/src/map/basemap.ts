// Basemap plumbing (client/src/map): MapLibre worker URL, the pmtiles:// protocol, and loading the server's style.
import { addProtocol, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { Protocol } from 'pmtiles';
import { absolutizeStyle } from './style-urls.js';

let ready = false;

/**
 * Must run before the first map is made: bundled MapLibre cannot find its worker on its own (STACK.md),
 * and the offline basemap is a PMTiles archive read over HTTP Range through the `pmtiles://` protocol.
 */
export function prepareMapLibre(): void {
  if (ready) return;
  ready = true;
  setWorkerUrl(workerUrl);
  const protocol = new Protocol();
  addProtocol('pmtiles', protocol.tile);
}

/**
 * Loads the map's worker from a script the page itself fetched (a service worker may answer it from its
 * cache) and runs it from memory: a page loaded offline has no other way to start it, as a worker's own
 * script request is not always put before the service worker. Before the first map is made.
 */
export async function workerFromCache(): Promise<void> {
  try {
    const res = await fetch(workerUrl);
    if (!res.ok) return;
    setWorkerUrl(URL.createObjectURL(new Blob([await res.text()], { type: 'text/javascript' })));
  } catch {
    // Not fetched: the worker loads from its own address, as it does online.
  }
}

/** Fetches `/basemap/style.json` (or where it redirects, for an online style) and makes its URLs absolute. */
export async function loadBasemapStyle(path = '/basemap/style.json'): Promise<StyleSpecification> {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  const style = (await res.json()) as StyleSpecification;
  return absolutizeStyle(style, res.url || new URL(path, window.location.href).href);
}

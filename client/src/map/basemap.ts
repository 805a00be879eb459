// Basemap plumbing (client/src/map): MapLibre worker URL, the pmtiles:// protocol, and loading the server's style.
import { addProtocol, removeProtocol, setWorkerUrl, type Map as MapLibreMap, type StyleSpecification } from 'maplibre-gl';
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
  addProtocol('pmtiles', new Protocol().tile);
}

/**
 * Reads the basemap afresh after the server was away (issue 17: a wall's basemap vanished for good after a
 * restart). A new PMTiles protocol forgets what the old one cached, failures included (its cache keeps a
 * failed directory read as a rejected promise), and every tile of the map's tiled sources is asked for again.
 */
export function refreshBasemap(map: MapLibreMap): void {
  removeProtocol('pmtiles');
  addProtocol('pmtiles', new Protocol().tile);
  for (const [id, source] of Object.entries(map.getStyle()?.sources ?? {})) {
    if (source.type === 'vector' || source.type === 'raster' || source.type === 'raster-dem') map.refreshTiles(id);
  }
}

/**
 * The extent a style's tiled sources declare, [west, south, east, north] degrees (the offline basemap's is the
 * loaded road network's): what the wall frames while the picture holds nothing. Null when none declares one.
 * @example styleBounds({ version: 8, sources: { r: { type: 'vector', bounds: [1, 2, 3, 4] } }, layers: [] }) // [1, 2, 3, 4]
 */
export function styleBounds(style: Pick<StyleSpecification, 'sources'>): [number, number, number, number] | null {
  for (const source of Object.values(style.sources)) {
    const b = (source as { bounds?: number[] }).bounds;
    if (Array.isArray(b) && b.length === 4 && b.every(Number.isFinite) && b[0] < b[2] && b[1] < b[3]) return [b[0], b[1], b[2], b[3]];
  }
  return null;
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

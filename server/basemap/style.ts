// MapLibre style for the offline basemap (server/basemap): dark, neutral roads so threat colours stand out.
import type { FontFace } from './fonts.js';
import { BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM, ROADS_LAYER, type RoadClass } from './build-tiles.js';
import { LABEL_FONT } from './fonts.js';

/** Credit the OSM licence requires on the map (ODbL). */
export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';

export interface StyleOptions {
  /** [west, south, east, north], degrees. */
  bbox: [number, number, number, number];
  /** URL of the archive as MapLibre should fetch it, e.g. `pmtiles:///basemap/roads.pmtiles`. */
  pmtilesUrl: string;
  fontFaces: Record<string, FontFace[]>;
}

type Stops = [number, number][];
const interpolate = (stops: Stops) => ['interpolate', ['exponential', 1.6], ['zoom'], ...stops.flat()];

/** Colour and width (px at zoom 10 → 18) per class, most important last so it draws on top. */
const CLASSES: { cls: RoadClass; color: string; width: Stops; casing?: string; dash?: number[] }[] = [
  { cls: 'path', color: '#313a44', width: [[15, 0.6], [18, 1.6]], dash: [2, 1.5] },
  { cls: 'service', color: '#2f3841', width: [[14, 0.5], [18, 4]] },
  { cls: 'minor', color: '#3d4753', width: [[13, 0.6], [15, 2], [18, 9]] },
  { cls: 'tertiary', color: '#4f5b68', width: [[12, 0.7], [15, 3], [18, 11]] },
  { cls: 'secondary', color: '#5f6c7a', width: [[11, 0.8], [15, 3.6], [18, 13]] },
  { cls: 'primary', color: '#76838f', width: [[10, 0.9], [15, 4.2], [18, 15]], casing: '#0b1015' },
  { cls: 'trunk', color: '#8a96a3', width: [[10, 1.1], [15, 4.8], [18, 17]], casing: '#0b1015' },
  { cls: 'motorway', color: '#9aa6b3', width: [[10, 1.3], [15, 5.4], [18, 19]], casing: '#0b1015' },
];

/** Background colour of the basemap (the client's panels use the same tone). */
export const BASEMAP_BACKGROUND = '#11171d';

/**
 * Builds the offline style: one PMTiles vector source, a line layer per road class, and road-name labels
 * drawn with fonts from `font-faces` (no glyph server).
 * @example basemapStyle({ bbox, pmtilesUrl: 'pmtiles:///basemap/roads.pmtiles', fontFaces: {} }).layers.length // 13
 */
export function basemapStyle(opts: StyleOptions): Record<string, unknown> {
  const [w, s, e, n] = opts.bbox;
  const layers: Record<string, unknown>[] = [{ id: 'background', type: 'background', paint: { 'background-color': BASEMAP_BACKGROUND } }];
  for (const c of CLASSES) {
    if (!c.casing) continue;
    layers.push({
      id: `road-${c.cls}-casing`,
      type: 'line',
      source: 'roads',
      'source-layer': ROADS_LAYER,
      filter: ['==', ['get', 'class'], c.cls],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': c.casing, 'line-width': interpolate(c.width.map(([z, px]) => [z, px + 2])) },
    });
  }
  for (const c of CLASSES) {
    const paint: Record<string, unknown> = { 'line-color': c.color, 'line-width': interpolate(c.width) };
    if (c.dash) paint['line-dasharray'] = c.dash;
    layers.push({
      id: `road-${c.cls}`,
      type: 'line',
      source: 'roads',
      'source-layer': ROADS_LAYER,
      filter: ['==', ['get', 'class'], c.cls],
      layout: { 'line-cap': c.dash ? 'butt' : 'round', 'line-join': 'round' },
      paint,
    });
  }
  const label = (id: string, classes: RoadClass[], minzoom: number, size: Stops, color: string) => ({
    id,
    type: 'symbol',
    source: 'roads',
    'source-layer': ROADS_LAYER,
    minzoom,
    filter: ['all', ['has', 'name'], ['in', ['get', 'class'], ['literal', classes]]],
    layout: {
      'symbol-placement': 'line',
      'text-field': ['get', 'name'],
      'text-font': [LABEL_FONT],
      'text-size': ['interpolate', ['linear'], ['zoom'], ...size.flat()],
      'text-max-angle': 35,
      'symbol-spacing': 320,
      'text-padding': 4,
    },
    paint: { 'text-color': color, 'text-halo-color': BASEMAP_BACKGROUND, 'text-halo-width': 1.6 },
  });
  layers.push(label('label-minor', ['minor', 'service'], 14, [[14, 10], [18, 14]], '#8e99a5'));
  layers.push(label('label-major', ['motorway', 'trunk', 'primary', 'secondary', 'tertiary'], 12, [[12, 10.5], [18, 16]], '#b8c2cc'));
  return {
    version: 8,
    name: 'Corridor offline roads',
    center: [(w + e) / 2, (s + n) / 2],
    zoom: 13,
    // Required by the validator whenever a layer has `text-field`; never fetched, font-faces cover all code points.
    glyphs: '/basemap/glyphs/{fontstack}/{range}.pbf',
    'font-faces': opts.fontFaces,
    sources: {
      roads: {
        type: 'vector',
        url: opts.pmtilesUrl,
        bounds: [w, s, e, n],
        minzoom: BASEMAP_MIN_ZOOM,
        maxzoom: BASEMAP_MAX_ZOOM,
        attribution: OSM_ATTRIBUTION,
      },
    },
    layers,
  };
}

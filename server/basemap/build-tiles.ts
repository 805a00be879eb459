// Cuts the road network into Mapbox Vector Tiles (server/basemap): one `roads` layer, classes thinned by zoom.
import { gzipSync } from 'node:zlib';
import { GeoJSONVT, type GeoJSONVTTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, FeatureCollection, LineString } from 'geojson';
import type { RoadWay } from '../../routing/types.js';
import type { TileInput } from './pmtiles-writer.js';
import { LANGUAGES } from '@corridor/protocol';

/** Zoom range of the archive; MapLibre overzooms beyond `BASEMAP_MAX_ZOOM`. */
export const BASEMAP_MIN_ZOOM = 10;
export const BASEMAP_MAX_ZOOM = 16;
/** Name of the single vector layer. */
export const ROADS_LAYER = 'roads';

/** Road classes the style draws, from most to least important. */
export type RoadClass = 'motorway' | 'trunk' | 'primary' | 'secondary' | 'tertiary' | 'minor' | 'service' | 'path';

/** First zoom at which each class is put in tiles, so low zooms stay small and legible. */
export const CLASS_MIN_ZOOM: Record<RoadClass, number> = {
  motorway: 10,
  trunk: 10,
  primary: 10,
  secondary: 11,
  tertiary: 12,
  minor: 13,
  service: 14,
  path: 15,
};

/**
 * Maps an OSM `highway` value to the style's road class; `_link` roads take their parent's class.
 * @example roadClass('primary_link') // 'primary'
 */
export function roadClass(highway: string): RoadClass {
  const base = highway.replace(/_link$/, '');
  switch (base) {
    case 'motorway':
    case 'trunk':
    case 'primary':
    case 'secondary':
    case 'tertiary':
      return base;
    case 'unclassified':
    case 'residential':
    case 'living_street':
    case 'road':
      return 'minor';
    case 'service':
      return 'service';
    default:
      return 'path';
  }
}

/** Bounding box of the ways, [west, south, east, north] in degrees. */
export function waysBbox(ways: readonly RoadWay[]): [number, number, number, number] {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const way of ways) {
    for (const [lon, lat] of way.coordinates) {
      if (lon < w) w = lon;
      if (lon > e) e = lon;
      if (lat < s) s = lat;
      if (lat > n) n = lat;
    }
  }
  return [w, s, e, n];
}

/** Tile x/y range covering a bbox at zoom z (Web Mercator, XYZ scheme). */
export function tileRange(bbox: [number, number, number, number], z: number): { x0: number; x1: number; y0: number; y1: number } {
  const n = 2 ** z;
  const x = (lon: number) => Math.min(n - 1, Math.max(0, Math.floor(((lon + 180) / 360) * n)));
  const y = (lat: number) => {
    const r = (lat * Math.PI) / 180;
    return Math.min(n - 1, Math.max(0, Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)));
  };
  return { x0: x(bbox[0]), x1: x(bbox[2]), y0: y(bbox[3]), y1: y(bbox[1]) };
}

/** Progress of a tile build: tiles examined so far and the total to examine. */
export type TileProgress = (done: number, total: number) => void;

/**
 * Cuts ways into gzip-compressed MVT tiles, zooms {@link BASEMAP_MIN_ZOOM}–{@link BASEMAP_MAX_ZOOM}.
 * Each feature carries `class` ({@link RoadClass}), `highway` (raw OSM value), `name` when it has one, and
 * `name:<code>` for each language of the picture ({@link LANGUAGES}) the way is named in.
 * @example buildRoadTiles(ways).length // number of non-empty tiles
 */
export function buildRoadTiles(ways: readonly RoadWay[], onProgress?: TileProgress): TileInput[] {
  const features: Feature<LineString>[] = [];
  for (const way of ways) {
    if (way.coordinates.length < 2) continue;
    const properties: Record<string, string> = { class: roadClass(way.highway), highway: way.highway };
    if (way.name) properties.name = way.name;
    for (const lang of LANGUAGES) {
      const local = way.tags[`name:${lang}`];
      if (local) properties[`name:${lang}`] = local;
    }
    features.push({ type: 'Feature', properties, geometry: { type: 'LineString', coordinates: way.coordinates } });
  }
  const collection: FeatureCollection<LineString> = { type: 'FeatureCollection', features };
  const index = new GeoJSONVT(collection, { maxZoom: BASEMAP_MAX_ZOOM, indexMaxZoom: 6, tolerance: 3, extent: 4096, buffer: 64 });
  const bbox = waysBbox(ways);
  const ranges = [];
  let total = 0;
  for (let z = BASEMAP_MIN_ZOOM; z <= BASEMAP_MAX_ZOOM; z++) {
    const r = tileRange(bbox, z);
    ranges.push({ z, ...r });
    total += (r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1);
  }
  const tiles: TileInput[] = [];
  let done = 0;
  for (const { z, x0, x1, y0, y1 } of ranges) {
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        done++;
        const tile = index.getTile(z, x, y);
        if (!tile) continue;
        const kept = tile.features.filter((f) => z >= CLASS_MIN_ZOOM[(f.tags?.class as RoadClass) ?? 'path']);
        if (!kept.length) continue;
        const pbf = fromGeojsonVt({ [ROADS_LAYER]: { ...tile, features: kept } as unknown as GeoJSONVTTile }, { version: 2, extent: 4096 });
        tiles.push({ z, x, y, data: gzipSync(pbf) });
      }
      onProgress?.(done, total);
    }
  }
  return tiles;
}

// The access list's output formats (server/access, issue 16): pure functions from list items to text.
// CSV (RFC 4180, via server/out/csv.ts: BOM, CRLF, formula-safe cells) with each geometry as WKT and its
// centroid, and GeoJSON (RFC 7946: WGS84 lon/lat, polygons wound counter-clockwise outside).
import { geojsonToWKT } from '@terraformer/wkt';
import { centroid, rewind } from '@turf/turf';
import type { Geometry } from 'geojson';
import { toCsv } from '../out/csv.js';
import type { AccessItem } from './list.js';

/** The CSV columns, in order. */
export const ACCESS_CSV_COLUMNS = [
  'id',
  'status',
  'category',
  'indicator',
  'reason',
  'source',
  'verified_by',
  'verified_at',
  'in_force_since',
  'valid_until',
  'origin',
  'wkt',
  'lon',
  'lat',
] as const;

/**
 * The reason of a row: the constraint's own, or for a network road its assessment tags as
 * `key=value` pairs (`practicability=4wd_less_than_3.5mt; surface=dirt`).
 * @example reasonCell({ reasonTags: { surface: 'mud' } } as AccessItem) // 'surface=mud'
 */
export function reasonCell(item: AccessItem): string {
  if (item.reason !== undefined) return item.reason;
  return Object.entries(item.reasonTags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7;
}

/**
 * The list as CSV, one row per item.
 * @example accessCsv(items).split('\r\n')[0] // '\uFEFFid,status,category,indicator,reason,...'
 */
export function accessCsv(items: readonly AccessItem[]): string {
  return toCsv(
    ACCESS_CSV_COLUMNS,
    items.map((i) => {
      const [lon, lat] = centroid(i.geometry as Geometry).geometry.coordinates;
      return {
        id: i.id,
        status: i.status,
        category: i.category,
        indicator: i.indicator,
        reason: reasonCell(i),
        source: i.source,
        verified_by: i.verifiedBy,
        verified_at: i.verifiedAt,
        in_force_since: i.sinceMs === null ? '' : new Date(i.sinceMs).toISOString(),
        valid_until: i.validUntil,
        origin: i.origin,
        wkt: geojsonToWKT(i.geometry as Geometry),
        lon: round7(lon),
        lat: round7(lat),
      };
    }),
  );
}

/** The list as an RFC 7946 FeatureCollection: each item a feature with its id and every other field as properties. */
export function accessGeoJson(items: readonly AccessItem[], seq: number): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    seq,
    features: items.map(({ geometry, ...properties }) => ({
      type: 'Feature',
      id: properties.id,
      geometry: geometry.type === 'Polygon' || geometry.type === 'MultiPolygon' ? rewind(geometry as Geometry) : geometry,
      properties,
    })),
  });
}

// The displacement picture's output formats (server/displacement, issue 17): pure functions from the
// sites and flows a recipient may see to text. HXL-tagged CSV (RFC 4180 via out/csv.ts: BOM, CRLF,
// formula-safe cells; a header row, then the hashtag row), which this server's import reads back as it
// wrote it, and GeoJSON (RFC 7946: sites as Points, flows as LineStrings from origin to site).
import type { Flow, Site } from '@corridor/protocol';
import { toCsv } from '../out/csv.js';

/** The sites CSV's columns: header and HXL hashtag. */
export const SITE_COLUMNS = [
  ['name', '#loc+name'],
  ['id', '#loc+code'],
  ['lat', '#geo+lat'],
  ['lon', '#geo+lon'],
  ['population', '#affected+idps+ind'],
  ['date', '#date+reported'],
  ['pcode', '#adm+code'],
  ['admin', '#adm+name'],
  ['kind', '#loc+type'],
  ['placed', '#meta+placed'],
  ['source', '#meta+source'],
  ['previous_population', '#affected+idps+ind+previous'],
  ['previous_date', '#date+reported+previous'],
  ['owner', '#org+code'],
  ['updated', '#date+updated'],
] as const;

/** The flows CSV's columns: header and HXL hashtag. */
export const FLOW_COLUMNS = [
  ['id', '#meta+id'],
  ['origin_lat', '#geo+lat+origin'],
  ['origin_lon', '#geo+lon+origin'],
  ['lat', '#geo+lat'],
  ['lon', '#geo+lon'],
  ['people', '#affected+idps+ind'],
  ['date', '#date+reported'],
  ['source', '#meta+source'],
  ['owner', '#org+code'],
  ['updated', '#date+updated'],
] as const;

/** Degrees to 6 decimals (about 0.1 m): the precision of every position exported (and 0, not -0). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6 || 0;
}

/** The start of an HXL CSV file: byte-order mark, header row and hashtag row. */
function hxlHead<C extends string>(columns: readonly (readonly [C, string])[]): string {
  const tags = Object.fromEntries(columns.map(([c, t]) => [c, t])) as Record<C, string>;
  return toCsv(
    columns.map(([c]) => c),
    [tags],
  );
}

/**
 * A text that already begins with the apostrophe a spreadsheet guard would add (`'=x`) gets one more,
 * so the import, which drops one such apostrophe, gives it back as it was (table.ts `cellText`).
 */
function unambiguous(value: unknown): unknown {
  return typeof value === 'string' && /^'+[=+\-@]/.test(value) ? `'${value}` : value;
}

/** Rows of an HXL CSV without its head (each part of a file written a part at a time). */
function hxlRows<C extends string>(columns: readonly (readonly [C, string])[], rows: Partial<Record<C, unknown>>[]): string {
  if (rows.length === 0) return '';
  const names = columns.map(([c]) => c);
  const safe = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, unambiguous(v)])) as Partial<Record<C, unknown>>);
  return toCsv(names, safe).slice(toCsv(names, []).length);
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The start of the sites CSV: byte-order mark, header row, hashtag row. */
export const SITES_CSV_HEAD = hxlHead(SITE_COLUMNS);
/** The start of the flows CSV. */
export const FLOWS_CSV_HEAD = hxlHead(FLOW_COLUMNS);

/**
 * Sites as rows of the sites CSV (no head): each one's name, id, position (6 decimals), figure and
 * date, P-code, admin area, kind, how it was placed, source, the previous figure and date, owner and
 * last change.
 */
export function sitesCsvRows(sites: readonly Site[]): string {
  return hxlRows(
    SITE_COLUMNS,
    sites.map((s) => ({
      name: s.name,
      id: s.id,
      lat: round6(s.lat),
      lon: round6(s.lon),
      population: s.population,
      date: s.date,
      pcode: s.pcode,
      admin: s.admin,
      kind: s.kind,
      placed: s.placed,
      source: s.source,
      previous_population: s.previous?.population,
      previous_date: s.previous?.date,
      owner: s.owner,
      updated: new Date(s.updatedMs).toISOString(),
    })),
  );
}

/**
 * Sites as HXL-tagged CSV, in id order.
 * @example sitesCsv([]).split('\r\n')[1] // '#loc+name,#loc+code,#geo+lat,...'
 */
export function sitesCsv(sites: readonly Site[]): string {
  return SITES_CSV_HEAD + sitesCsvRows([...sites].sort(byId));
}

/** Flows as rows of the flows CSV (no head): origin and destination (6 decimals), people, date, source. */
export function flowsCsvRows(flows: readonly Flow[]): string {
  return hxlRows(
    FLOW_COLUMNS,
    flows.map((f) => ({
      id: f.id,
      origin_lat: round6(f.from[1]),
      origin_lon: round6(f.from[0]),
      lat: round6(f.to[1]),
      lon: round6(f.to[0]),
      people: f.people,
      date: f.date,
      source: f.source,
      owner: f.owner,
      updated: new Date(f.updatedMs).toISOString(),
    })),
  );
}

/**
 * Flows as HXL-tagged CSV, in id order.
 * @example flowsCsv([]).split('\r\n')[0] // '\uFEFFid,origin_lat,origin_lon,lat,lon,people,...'
 */
export function flowsCsv(flows: readonly Flow[]): string {
  return FLOWS_CSV_HEAD + flowsCsvRows([...flows].sort(byId));
}

/** A site as an RFC 7946 Point feature: `id` its id, every other field a property. */
export function siteFeature({ lon, lat, ...properties }: Site): string {
  return JSON.stringify({ type: 'Feature', id: properties.id, geometry: { type: 'Point', coordinates: [round6(lon), round6(lat)] }, properties });
}

/** A flow as an RFC 7946 LineString feature from its origin to its site. */
export function flowFeature({ from, to, ...properties }: Flow): string {
  return JSON.stringify({ type: 'Feature', id: properties.id, geometry: { type: 'LineString', coordinates: [from.map(round6), to.map(round6)] }, properties });
}

/** Sites and flows as an RFC 7946 FeatureCollection, sites (Points) then flows (LineStrings), each in id order. */
export function displacementGeoJson(sites: readonly Site[], flows: readonly Flow[], seq: number): string {
  const features = [...[...sites].sort(byId).map(siteFeature), ...[...flows].sort(byId).map(flowFeature)];
  return `{"type":"FeatureCollection","seq":${seq},"features":[${features.join(',')}]}`;
}

// Which column holds which figure (server/displacement, issue 17): a mapping guessed from the HXL
// hashtags (1.x, and the pre-1.0 beta tags such as `#idp_num`, `#period_date`) and, for columns with
// none, from header names (`Latitude`, `total`, `Place`, the IOM DTM API's `numPresentIdpInd`), and
// the analyst's own mapping read against the columns (a header, a hashtag, or `#<index>`). Pure.
import { parseTag, type Column } from './table.js';

/** The fields a column can be mapped to. */
export const FIELDS = ['name', 'lat', 'lon', 'population', 'date', 'pcode', 'admin', 'kind', 'source', 'id', 'placed', 'originLat', 'originLon', 'originPcode'] as const;
export type Field = (typeof FIELDS)[number];
/** A mapping: field → column index. */
export type Mapping = Partial<Record<Field, number>>;

/** Attributes that say a column is not the figure itself: a part of it, an earlier one, where people came from. */
const NOT_THE_FIGURE = ['previous', 'origin', 'f', 'm', 'hh', 'households', 'children', 'adults', 'elderly', 'infants', 'adolescents', 'pct', 'change', 'refugees', 'returnees', 'targeted', 'reached'];
/** Attributes that say a date column is not the figure's date. */
const NOT_THE_DATE = ['previous', 'year', 'month', 'week', 'created', 'updated', 'end', 'origin'];

type Tag = { base: string; attrs: string[] };
/** How well a hashtag fits a field: 0 not at all, higher better. */
type Scorer = (tag: Tag) => number;

const has = (tag: Tag, ...attrs: string[]) => attrs.every((a) => tag.attrs.includes(a));
const none = (tag: Tag, attrs: readonly string[]) => !tag.attrs.some((a) => attrs.includes(a));
/** The admin level of a `#adm1`..`#adm5` base (0 for `#adm`), or undefined. */
const admLevel = (base: string) => (/^adm[1-5]?$/.test(base) ? Number(base.slice(3) || 0) : undefined);
/** The admin level of a beta tag `#adm1_code` / `#adm1_id` / `#adm1_name`. */
const betaAdm = (base: string, suffix: string) => {
  const m = new RegExp(`^adm([1-5])_${suffix}$`).exec(base);
  return m ? Number(m[1]) : undefined;
};

/** Per field, how hashtags fit it. Beta tags score below their 1.x forms. */
const TAG_SCORES: Record<Field, Scorer> = {
  population: (t) => {
    if (!none(t, NOT_THE_FIGURE)) return 0;
    if (t.base === 'affected' && has(t, 'idps')) return 100 + (has(t, 'ind') ? 5 : 0);
    if (t.base === 'affected' && has(t, 'displaced')) return 90;
    if (t.base === 'population' && has(t, 'idps')) return 85;
    if (t.base === 'idp_num' || t.base === 'idps_num') return 80;
    if (t.base === 'affected' && none(t, ['injured', 'killed', 'dead', 'missing', 'infected'])) return 60;
    if (t.base === 'population') return 50;
    if (t.base === 'aff_num' || t.base === 'affected_num' || t.base === 'pop_num') return 40;
    return 0;
  },
  lat: (t) => (!none(t, ['origin', 'previous']) ? 0 : t.base === 'geo' && has(t, 'lat') ? 100 : t.base === 'lat_deg' ? 80 : t.base === 'lat' ? 70 : 0),
  lon: (t) => (!none(t, ['origin', 'previous']) ? 0 : t.base === 'geo' && has(t, 'lon') ? 100 : t.base === 'lon_deg' ? 80 : ['lon', 'long', 'lng'].includes(t.base) ? 70 : 0),
  originLat: (t) => (t.base === 'geo' && has(t, 'lat', 'origin') ? 100 : 0),
  originLon: (t) => (t.base === 'geo' && has(t, 'lon', 'origin') ? 100 : 0),
  originPcode: (t) => {
    const level = admLevel(t.base);
    return level !== undefined && has(t, 'code', 'origin') ? 90 + level : 0;
  },
  date: (t) => {
    if (!none(t, NOT_THE_DATE)) return 0;
    if (t.base === 'date' && has(t, 'reported')) return 100;
    if (t.base === 'date' && t.attrs.length === 0) return 90;
    if (t.base === 'date' && (has(t, 'displacement') || has(t, 'occurred') || has(t, 'survey') || has(t, 'assessment'))) return 80;
    if (t.base === 'period_date' || t.base === 'report_date' || t.base === 'date_reported') return 70;
    if (t.base === 'date' && !has(t, 'start')) return 50;
    return t.base === 'date' ? 30 : 0;
  },
  name: (t) => {
    if (!none(t, ['origin', 'previous'])) return 0;
    if (t.base === 'loc' && has(t, 'name')) return 100;
    if (t.base === 'loc' && t.attrs.length === 0) return 90;
    if (t.base === 'loc' && none(t, ['code', 'type', 'id'])) return 60;
    if (t.base === 'loc_name' || t.base === 'site_name') return 70;
    if (t.base === 'event' && has(t, 'name')) return 30;
    return 0;
  },
  id: (t) => (!none(t, ['origin', 'previous']) ? 0 : t.base === 'loc' && has(t, 'code') ? 100 : t.base === 'loc_id' || t.base === 'site_id' ? 70 : 0),
  pcode: (t) => {
    if (!none(t, ['origin', 'previous'])) return 0;
    const level = admLevel(t.base);
    if (level !== undefined && has(t, 'code')) return 80 + level;
    const beta = betaAdm(t.base, 'code') ?? betaAdm(t.base, 'id');
    return beta !== undefined ? 60 + beta : 0;
  },
  admin: (t) => {
    if (!none(t, ['origin', 'previous', 'code'])) return 0;
    const level = admLevel(t.base);
    if (level !== undefined && has(t, 'name')) return 80 + level;
    if (level !== undefined && t.attrs.length === 0) return 70 + level;
    const beta = betaAdm(t.base, 'name');
    return beta !== undefined ? 60 + beta : 0;
  },
  kind: (t) => (t.base === 'loc' && has(t, 'type') ? 100 : 0),
  source: (t) => (t.base === 'meta' && has(t, 'source') ? 100 : 0),
  placed: (t) => (t.base === 'meta' && has(t, 'placed') ? 100 : 0),
};

/**
 * Header names (lower case, letters and digits only) per field, best first: the names of untagged
 * CSV files (UNHCR's `Place`, `Latitude`, `total`; camp lists' `Individual`), and the IOM DTM API's keys.
 */
const HEADER_NAMES: Record<Field, readonly string[]> = {
  name: ['name', 'sitename', 'site', 'place', 'placename', 'location', 'locationname', 'locname', 'camp', 'campname', 'settlement', 'settlementname'],
  lat: ['lat', 'latitude', 'geolat', 'gpslatitude', 'decimallatitude', 'latdeg', 'y'],
  lon: ['lon', 'lng', 'long', 'longitude', 'geolon', 'gpslongitude', 'decimallongitude', 'londeg', 'x'],
  population: [
    'population', 'idps', 'idpindividuals', 'idpsindividuals', 'numpresentidpind', 'totalidps', 'idppopulation', 'idpind', 'individuals',
    'individual', 'totalindividuals', 'numberofidps', 'total', 'displaced', 'persons', 'people', 'pop',
  ],
  date: ['date', 'reportingdate', 'reportdate', 'datereported', 'surveydate', 'assessmentdate', 'asof', 'rounddate'],
  pcode: ['admin3pcode', 'adm3pcode', 'admin2pcode', 'adm2pcode', 'admin1pcode', 'adm1pcode', 'pcode', 'adminpcode'],
  admin: ['admin3name', 'adm3name', 'subdistrict', 'admin2name', 'adm2name', 'district', 'commune', 'admin1name', 'adm1name', 'governorate', 'province', 'department', 'region', 'admin', 'adminname'],
  kind: ['kind', 'sitetype', 'locationtype'],
  source: ['source', 'datasource'],
  id: ['siteid', 'placeid', 'locationid', 'sitecode', 'loccode', 'locationcode', 'campid'],
  placed: ['placed'],
  originLat: ['originlat', 'originlatitude'],
  originLon: ['originlon', 'originlng', 'originlongitude'],
  originPcode: ['originpcode', 'idporiginadmin2pcode', 'idporiginadmin1pcode', 'originadmin2pcode', 'originadmin1pcode'],
};

/** A header as compared with the names above: lower case, letters and digits only. */
export function headerKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * The mapping a file's columns suggest: per field, the column whose hashtag fits it best; for fields no
 * hashtag fits, the untagged column whose header is the best-ranked name for it. A column may serve
 * two fields (an admin name is also the site's name when the file has no other).
 * @example guessMapping([{ index: 0, header: 'Latitude' }, { index: 1, header: 'Longitude' }]) // { lat: 0, lon: 1 }
 */
export function guessMapping(columns: readonly Column[]): Mapping {
  const mapping: Mapping = {};
  const tags = columns.map((c) => (c.tag ? parseTag(c.tag) : undefined));
  for (const field of FIELDS) {
    let best = 0;
    for (const c of columns) {
      const tag = tags[c.index];
      const score = tag ? TAG_SCORES[field](tag) : 0;
      if (score > best) {
        best = score;
        mapping[field] = c.index;
      }
    }
    if (mapping[field] !== undefined) continue;
    const names = HEADER_NAMES[field];
    let rank = Infinity;
    for (const c of columns) {
      if (tags[c.index]) continue;
      const at = names.indexOf(headerKey(c.header));
      if (at >= 0 && at < rank) {
        rank = at;
        mapping[field] = c.index;
      }
    }
  }
  return mapping;
}

/** A column the analyst named that the file does not have, or a field that does not exist: said as such. */
export class MappingError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** A tag's text in one form: lower case, no spaces, the attributes in order. */
function tagKey(tag: { base: string; attrs: string[] }): string {
  return `#${[tag.base, ...[...tag.attrs].sort()].join('+')}`;
}

/**
 * The column a spec names: `#<index>` (0-based), a hashtag (the column with exactly that tag, else the
 * first whose tag has its base and all its attributes), or a header (case and spaces aside).
 * @example columnOf([{ index: 0, header: 'IDPs', tag: '#affected+idps+ind' }], '#affected+idps') // 0
 */
export function columnOf(columns: readonly Column[], spec: string): number | undefined {
  const s = spec.trim();
  const index = /^#(\d+)$/.exec(s);
  if (index) return Number(index[1]) < columns.length ? Number(index[1]) : undefined;
  const wanted = s.startsWith('#') ? parseTag(s) : undefined;
  if (wanted) {
    const key = tagKey(wanted);
    const parsed = columns.map((c) => (c.tag ? parseTag(c.tag) : undefined));
    const exact = columns.find((c, i) => parsed[i] && tagKey(parsed[i]!) === key);
    if (exact) return exact.index;
    const loose = columns.find((c, i) => parsed[i]?.base === wanted.base && wanted.attrs.every((a) => parsed[i]!.attrs.includes(a)));
    if (loose) return loose.index;
  }
  const header = s.toLowerCase().replace(/\s+/g, ' ');
  return columns.find((c) => c.header.toLowerCase().replace(/\s+/g, ' ') === header)?.index;
}

/**
 * The mapping to read the file with: the guess, with the analyst's fields put over it (`""` maps a
 * field to no column). Throws {@link MappingError} naming the field for an unknown field or column.
 */
export function resolveMapping(columns: readonly Column[], asked: Readonly<Record<string, string>> | undefined): Mapping {
  const mapping = guessMapping(columns);
  for (const [field, spec] of Object.entries(asked ?? {})) {
    if (!(FIELDS as readonly string[]).includes(field)) {
      throw new MappingError(`mapping.${field}`, `mapping.${field}: "${field.slice(0, 40)}" is not a field that can be mapped (fields: ${FIELDS.join(', ')})`);
    }
    if (spec.trim() === '') {
      delete mapping[field as Field];
      continue;
    }
    const at = columnOf(columns, spec);
    if (at === undefined) {
      const named = columns.map((c) => c.tag ?? c.header).filter((n) => n !== '').slice(0, 30);
      throw new MappingError(`mapping.${field}`, `mapping.${field}: the file has no column ${JSON.stringify(spec.slice(0, 80))} (its columns: ${named.join(', ')}; or give #<index> from 0)`);
    }
    mapping[field as Field] = at;
  }
  return mapping;
}

/**
 * How a mapping names its columns for the analyst to read and send back: each column's hashtag when
 * no other column has the same, else its header when unique, else `#<index>`.
 */
export function mappingSpecs(columns: readonly Column[], mapping: Mapping): Partial<Record<Field, string>> {
  const count = (pick: (c: Column) => string | undefined, v: string) => columns.filter((c) => pick(c)?.toLowerCase() === v.toLowerCase()).length;
  const out: Partial<Record<Field, string>> = {};
  for (const field of FIELDS) {
    const at = mapping[field];
    if (at === undefined) continue;
    const c = columns[at];
    if (c.tag && count((x) => x.tag, c.tag) === 1) out[field] = c.tag;
    else if (c.header !== '' && !c.header.startsWith('#') && count((x) => x.header, c.header) === 1) out[field] = c.header;
    else out[field] = `#${at}`;
  }
  return out;
}

// The named places of a road file and the name of the area it covers (routing/): one pass over an OSM
// extract's `place=*` nodes (or a GeoJSON file's place points) gives both the places a route passes
// (issue 18, places.ts) and the picture's title when no setting names it (issue 17): the extract's
// most important place inside it, else the file's own name made readable.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OSMTransform } from 'osm-pbf-parser-node';

/**
 * Places that name an area, most important first (OSM `place=*`). A suburb or a village does not: an
 * extract of a city's centre often holds a dozen of them and no city node, and a suburb's name as the
 * title would mislead; the file's name is better then.
 */
const PLACE_RANK = ['city', 'town', 'municipality'];

/** A named place of a road file, `[lon, lat]`. */
export interface NamedPlace {
  name: string;
  place: string;
  at: [number, number];
}

/**
 * The place that names an area: of the highest rank present, the one nearest the centre of `bbox`
 * (`[west, south, east, north]`); undefined when there is none of a rank that names an area.
 * @example pickAreaPlace([{ name: 'Legazpi', place: 'city', at: [123.73, 13.14] }], [123.6, 13, 123.9, 13.3])?.name // 'Legazpi'
 */
export function pickAreaPlace(places: NamedPlace[], bbox: [number, number, number, number]): NamedPlace | undefined {
  const [w, s, e, n] = bbox;
  const cx = (w + e) / 2;
  const cy = (s + n) / 2;
  const inside = places.filter((p) => p.at[0] >= w && p.at[0] <= e && p.at[1] >= s && p.at[1] <= n);
  for (const rank of PLACE_RANK) {
    const of = inside.filter((p) => p.place === rank);
    if (!of.length) continue;
    return of.reduce((a, b) => (Math.hypot(a.at[0] - cx, a.at[1] - cy) <= Math.hypot(b.at[0] - cx, b.at[1] - cy) ? a : b));
  }
  return undefined;
}

/** Words that stay lower case inside a place name made from a file name. */
const SMALL_WORDS = new Set(['au', 'aux', 'de', 'del', 'des', 'du', 'la', 'le', 'les', 'of', 'el', 'al', 'da', 'do', 'y', 'en', 'sur']);

/**
 * A readable name from a road file's name: the extension and trailing dates or `latest` dropped, each
 * word capitalised but the small ones, hyphens kept (`port-au-prince-2021-08-14.osm.pbf` → `Port-au-Prince`).
 * @example areaFromFileName('legazpi-2025-08.osm.pbf') // 'Legazpi'
 */
export function areaFromFileName(file: string): string {
  let base = path.basename(file).replace(/\.(osm\.pbf|pbf|geojson|json)$/i, '');
  base = base.replace(/([-_. ](\d{4}([-_.]\d{1,2}){0,2}|latest|extract|highways|roads))+$/i, '');
  const words = base.split(/([-_ ]+)/);
  const out = words.map((part, i) => {
    if (/^[-_ ]+$/.test(part)) return part.includes('-') ? '-' : ' ';
    const lower = part.toLowerCase();
    return i > 0 && SMALL_WORDS.has(lower) ? lower : lower.charAt(0).toUpperCase() + lower.slice(1);
  });
  return out.join('').trim() || path.basename(file);
}

/** The named places of an OSM PBF (nodes tagged `place` and `name`, of any kind), read in one pass. */
export async function readPbfPlaces(file: string): Promise<NamedPlace[]> {
  const places: NamedPlace[] = [];
  const items = createReadStream(file).pipe(new OSMTransform({ withTags: { node: ['place', 'name'], way: false, relation: false }, withInfo: false }));
  for await (const chunk of items as AsyncIterable<{ type: string; lat?: number; lon?: number; tags?: Record<string, string> }[]>) {
    for (const item of chunk) {
      if (item.type === 'node' && item.tags?.place && item.tags.name && item.lon !== undefined && item.lat !== undefined) {
        places.push({ name: item.tags.name, place: item.tags.place, at: [item.lon, item.lat] });
      }
    }
  }
  return places;
}

/**
 * The named places of a GeoJSON road file: its Point features with `place` and `name` properties
 * (an overpass export of roads holds none; one made with `node[place]` does).
 * @example (await readGeoJsonPlaces('roads.geojson')).length // 0 for a roads-only export
 */
export async function readGeoJsonPlaces(file: string): Promise<NamedPlace[]> {
  const doc = JSON.parse(await readFile(file, 'utf8')) as { features?: { geometry?: { type?: string; coordinates?: unknown }; properties?: Record<string, unknown> | null }[] };
  const places: NamedPlace[] = [];
  for (const f of doc.features ?? []) {
    const g = f.geometry;
    const props = f.properties ?? {};
    if (g?.type !== 'Point' || !Array.isArray(g.coordinates) || typeof props.place !== 'string' || typeof props.name !== 'string' || !props.name) continue;
    const [lon, lat] = g.coordinates as number[];
    if (Number.isFinite(lon) && Number.isFinite(lat)) places.push({ name: props.name, place: props.place, at: [lon, lat] });
  }
  return places;
}

/** The named places of a road file, PBF or GeoJSON, by its extension. */
export function readPlaces(file: string): Promise<NamedPlace[]> {
  return /\.pbf$/i.test(file) ? readPbfPlaces(file) : readGeoJsonPlaces(file);
}

/**
 * The named places of a road file (every `place=*` kind with a name), kept in `cacheDir` under the
 * network's `key`, so a large extract is read for them once. A file whose places cannot be read has none.
 * @example const places = await networkPlaces(roadsFile, { dir: 'var/cache', key: network.key });
 */
export async function networkPlaces(file: string, cache?: { dir: string; key: string }): Promise<NamedPlace[]> {
  const cached = cache && path.join(cache.dir, `places-${cache.key.slice(0, 32)}.json`);
  if (cached) {
    try {
      const kept = JSON.parse(await readFile(cached, 'utf8')) as { places?: unknown };
      if (Array.isArray(kept.places)) return kept.places as NamedPlace[];
    } catch {
      // not made yet
    }
  }
  let places: NamedPlace[] = [];
  try {
    places = await readPlaces(file);
  } catch {
    // the graph was read from this file; a place pass that fails leaves no places
  }
  if (cached) {
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(cached, JSON.stringify({ places }));
  }
  return places;
}

/**
 * The area a road file covers, named: its most important place (PBF), else the file's name. The answer
 * is kept in `cacheDir` under the network's `key` (with the file's places, {@link networkPlaces}), so a
 * large extract is read for it once.
 * @example await networkAreaName('port-au-prince-2021-08-14.osm.pbf', bbox) // 'Port-au-Prince'
 */
export async function networkAreaName(file: string, bbox: [number, number, number, number], cache?: { dir: string; key: string }): Promise<string> {
  const cached = cache && path.join(cache.dir, `area-${cache.key.slice(0, 32)}.json`);
  if (cached) {
    try {
      const kept = JSON.parse(await readFile(cached, 'utf8')) as { name?: unknown };
      if (typeof kept.name === 'string' && kept.name) return kept.name;
    } catch {
      // not made yet
    }
  }
  // Only an OSM extract's places name the area: a GeoJSON file's name says more than a stray point.
  const name = (/\.pbf$/i.test(file) ? pickAreaPlace(await networkPlaces(file, cache), bbox)?.name : undefined) ?? areaFromFileName(file);
  if (cached) {
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(cached, JSON.stringify({ name }));
  }
  return name;
}

// The name of the area a road network covers (routing/): the title of the picture when no setting names
// it (issue 17). An OSM extract's most important place inside it, else the file's own name made readable.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/** The named places of an OSM PBF (nodes tagged `place` and `name`), read in one pass. */
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
 * The area a road file covers, named: its most important place (PBF), else the file's name. The answer
 * is kept in `cacheDir` under the network's `key`, so a large extract is read for it once.
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
  let name: string | undefined;
  if (/\.pbf$/i.test(file)) {
    try {
      name = pickAreaPlace(await readPbfPlaces(file), bbox)?.name;
    } catch {
      // the graph was read from this file; a place pass that fails leaves the file's name
    }
  }
  name ??= areaFromFileName(file);
  if (cached) {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(cached, JSON.stringify({ name }));
  }
  return name;
}

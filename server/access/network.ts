// The road network's own access constraints (server/access, issue 16): ways its assessment tags
// (IOM `operational_status`) closed or restricted, as read-only access constraints with stable ids,
// computed once per loaded network (and cached beside its prepared graph) and served as they are.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OSMTransform } from 'osm-pbf-parser-node';
import { accessIndicator, type AccessCategory, type Lineal } from '@corridor/protocol';
import { readRoadWays, roadWaysFromGeoJson } from '../../routing/read-roads.js';
import { operationalStatus, STATUS_CLOSED, STATUS_RESTRICTED } from '../../routing/profile.js';
import type { NetworkWay, RoadWay } from '../../routing/types.js';
import type { AccessItem } from './list.js';

/** Where the network's constraints come from, as the list says it. */
export const NETWORK_SOURCE = 'OpenStreetMap road assessment';

/** Bumped when what {@link networkAccessItems} makes changes, so cached lists made before are remade. */
const FORMAT_VERSION = 1;

/** The tags of a way that say why it is closed or restricted: given raw, for the client to word. */
export const REASON_TAGS = ['practicability', 'surface', 'smoothness', 'operational_status_quality'] as const;

/**
 * The stable id of a network way's constraint: `ac-osm-w<wayId>` for `way/<wayId>` (pieces of one way,
 * `way/<id>#<n>`, are one constraint), other ids with what is not a letter or digit made a dash.
 * @example networkConstraintId('way/48552350#1') // 'ac-osm-w48552350'
 */
export function networkConstraintId(wayId: string): string {
  const base = wayId.replace(/#\d+$/, '');
  const m = /^(way|relation|node)\/(\d+)$/.exec(base);
  if (m) return `ac-osm-${m[1][0]}${m[2]}`;
  return `ac-osm-${base.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

/**
 * The access category a way's tags support: explosive hazards and checkpoints when tagged so, the
 * physical environment (the road's state) otherwise.
 * @example networkCategory({ operational_status: 'closed', hazard: 'minefield' }) // 'explosive-hazards'
 */
export function networkCategory(tags: Readonly<Record<string, string>>): AccessCategory {
  const hazard = `${tags.hazard ?? ''};${tags['hazard:type'] ?? ''}`.toLowerCase();
  if (/mine|explosive|uxo|unexploded/.test(hazard)) return 'explosive-hazards';
  if (tags.barrier === 'checkpoint' || tags.military === 'checkpoint' || tags.checkpoint !== undefined) return 'movement-restriction';
  return 'physical-environment';
}

/**
 * The network's closed and restricted ways as access-list items, one per way (its pieces merged into
 * a MultiLineString), sorted by id. `stampMs`: each way's last edit (OSM timestamp), by way id without
 * its piece suffix, when the file carries them: then its `verifiedAt` and `sinceMs`.
 * @example networkAccessItems(ways).filter((i) => i.status === 'closed').length
 */
export function networkAccessItems(ways: readonly RoadWay[], stampMs: ReadonlyMap<string, number> = new Map()): AccessItem[] {
  const byId = new Map<string, { way: RoadWay; status: number; lines: [number, number][][] }>();
  for (const w of ways) {
    const status = operationalStatus(w.tags);
    if (status !== STATUS_CLOSED && status !== STATUS_RESTRICTED) continue;
    const id = networkConstraintId(w.id);
    const known = byId.get(id);
    if (known) known.lines.push(w.coordinates);
    else byId.set(id, { way: w, status, lines: [w.coordinates] });
  }
  const items: AccessItem[] = [];
  for (const [id, { way, status, lines }] of byId) {
    const category = networkCategory(way.tags);
    const stamp = stampMs.get(way.id.replace(/#\d+$/, ''));
    const reasonTags: Record<string, string> = {};
    for (const t of REASON_TAGS) if (way.tags[t] !== undefined) reasonTags[t] = way.tags[t];
    const geometry: Lineal = lines.length === 1 ? { type: 'LineString', coordinates: lines[0] } : { type: 'MultiLineString', coordinates: lines };
    items.push({
      id,
      origin: 'network',
      status: status === STATUS_CLOSED ? 'closed' : 'restricted',
      category,
      indicator: accessIndicator(category)!,
      reasonTags,
      road: { wayId: way.id.replace(/#\d+$/, ''), highway: way.highway, ...(way.name ? { name: way.name } : {}), operationalStatus: way.tags.operational_status },
      source: NETWORK_SOURCE,
      ...(stamp !== undefined ? { verifiedAt: new Date(stamp).toISOString() } : {}),
      sinceMs: stamp ?? null,
      geometry,
    });
  }
  return items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Last-edit times of a road file's ways that carry `operational_status`, ms since epoch, by way id
 * (`way/<id>`): the PBF's object info, or GeoJSON's `@timestamp` (epoch seconds or ISO 8601, as
 * overpass and osmium write them). Empty when the file has none.
 */
export async function readWayStamps(file: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (/\.pbf$/i.test(file)) {
    const items = createReadStream(file).pipe(new OSMTransform({ withTags: { node: false, way: true, relation: false }, withInfo: true }));
    for await (const chunk of items as AsyncIterable<{ type: string; id: number; tags?: Record<string, string>; info?: { timestamp?: number } }[]>) {
      for (const item of chunk) {
        if (item.type !== 'way' || !item.tags?.operational_status) continue;
        const t = item.info?.timestamp;
        if (typeof t === 'number' && t > 0) out.set(`way/${item.id}`, t);
      }
    }
    return out;
  }
  return stampsOfGeoJson(JSON.parse(await readFile(file, 'utf8')));
}

function stampsOfGeoJson(json: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const features = (json as { features?: { id?: unknown; properties?: Record<string, unknown> | null }[] }).features ?? [];
  for (const f of features) {
    const p = f.properties ?? {};
    if (p.operational_status === undefined) continue;
    const raw = p['@timestamp'] ?? p.timestamp;
    const ms = typeof raw === 'number' ? raw * 1000 : typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (!Number.isFinite(ms) || ms <= 0) continue;
    const rawId = p['@id'] ?? f.id ?? p.id;
    if (rawId === undefined) continue;
    out.set(typeof rawId === 'number' || /^\d+$/.test(String(rawId)) ? `way/${rawId}` : String(rawId), ms);
  }
  return out;
}

/**
 * The network's access constraints, made once per loaded network: its list items, its ways for the
 * router, and the GeoJSON served with its ETag.
 */
export class NetworkAccess {
  readonly items: readonly AccessItem[];
  /** The closed and restricted ways, as the router names them (NetworkWay). */
  readonly ways: NetworkWay[];
  /** `GET /api/access/network`'s body: an RFC 7946 FeatureCollection, one feature per way. */
  readonly geojson: string;
  /** A strong ETag of {@link geojson}. */
  readonly etag: string;

  constructor(items: readonly AccessItem[]) {
    this.items = items;
    this.ways = items.map((i) => ({ id: i.id, status: i.status as NetworkWay['status'], geometry: i.geometry as Lineal, ...(i.road ? { highway: i.road.highway } : {}) }));
    this.geojson = JSON.stringify({
      type: 'FeatureCollection',
      features: items.map(({ geometry, ...properties }) => ({ type: 'Feature', id: properties.id, geometry, properties })),
    });
    this.etag = `"${createHash('sha256').update(this.geojson).digest('base64url').slice(0, 27)}"`;
  }

  /** A network without assessed roads. */
  static readonly none = new NetworkAccess([]);

  /**
   * The constraints of a road file: from the cache folder when it holds them for this network's key,
   * otherwise read (from `ways` when the caller has them, the file otherwise) and cached.
   */
  static async load(opts: { file: string; cacheDir: string; key: string; ways?: readonly RoadWay[] }): Promise<NetworkAccess> {
    const cached = path.join(opts.cacheDir, `access-${opts.key}-v${FORMAT_VERSION}.json`);
    if (existsSync(cached)) {
      try {
        const stored = JSON.parse(readFileSync(cached, 'utf8')) as { format: number; items: AccessItem[] };
        if (stored.format === FORMAT_VERSION && Array.isArray(stored.items)) return new NetworkAccess(stored.items);
      } catch {
        // A damaged cache file is made again below.
      }
    }
    let ways = opts.ways;
    let stamps: Map<string, number>;
    if (!/\.pbf$/i.test(opts.file)) {
      // GeoJSON: one parse gives the ways (as the router's reader makes them) and their timestamps.
      const json = JSON.parse(await readFile(opts.file, 'utf8')) as unknown;
      ways ??= roadWaysFromGeoJson(json);
      stamps = stampsOfGeoJson(json);
    } else {
      ways ??= await readRoadWays(opts.file);
      stamps = await readWayStamps(opts.file);
    }
    const items = networkAccessItems(ways, stamps);
    mkdirSync(opts.cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT_VERSION, items }));
    renameSync(tmp, cached);
    return new NetworkAccess(items);
  }
}

// Admin-level figures placed by P-code (server/displacement, issue 17): the boundaries the analyst gives
// (a GeoJSON FeatureCollection of the admin areas) indexed by the property holding their P-codes, guessed
// when not named (`ADM2_PCODE`, `A1Code`, `admin1Pcode`, anything `*pcode*`), and each area's point: its
// centroid when that lies inside it, else a point on it (a crescent's centroid lies outside); a P-code
// of a coarser level the areas also carry (an adm2 file's ADM1_PCODE) is placed on its areas together. Pure.
import { area, booleanPointInPolygon, centroid, pointOnFeature } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';

/**
 * A P-code as compared: upper case, letters and digits only, so `IQ-G01` and `IQG01`, `ht0111` and
 * `HT0111` are one (boundary files and figure files write them differently).
 * @example pcodeKey(' iq-g01 ') // 'IQG01'
 */
export function pcodeKey(pcode: string): string {
  return pcode.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** A boundary file that cannot be used: which part (`boundaries`, `pcodeProperty`) and why. */
export class BoundaryError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

type Area = Feature<Polygon | MultiPolygon, Record<string, unknown>>;

/** Property names that hold P-codes, by how likely (a name matching none is not a candidate). */
function candidateRank(name: string): number | undefined {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  let m = /^adm(\d)pcode$/.exec(n) ?? /^admin(\d)pcode$/.exec(n);
  if (m) return 100 + Number(m[1]);
  if ((m = /^a(\d)code$/.exec(n))) return 90 + Number(m[1]);
  if (n.includes('pcode')) return 50;
  return undefined;
}

/** Areas by P-code key, the property they were read from, and each area's point once asked for. */
export class Boundaries {
  private readonly points = new Map<string, [number, number]>();

  private constructor(
    private readonly areas: Map<string, Area>,
    /**
     * P-codes of other levels the areas carry (`ADM1_PCODE` in an adm2 file), each with its areas:
     * an origin or a figure given for a coarser unit than the boundaries is placed on them together.
     */
    private readonly groups: Map<string, Area[]>,
    /** The property of the features that holds the P-code. */
    readonly property: string,
  ) {}

  /**
   * Indexes a FeatureCollection's polygons by P-code: by `property` when given, else by the candidate
   * property that matches most of `wanted` (the figures' P-codes; ties: the more detailed admin level).
   * Throws {@link BoundaryError} when it is not a FeatureCollection of polygons or has no such property.
   */
  static read(collection: unknown, property: string | undefined, wanted: Iterable<string>): Boundaries {
    const fc = collection as { type?: unknown; features?: unknown } | null;
    if (!fc || typeof fc !== 'object' || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
      throw new BoundaryError('boundaries', 'boundaries must be a GeoJSON FeatureCollection of the admin areas (Polygon or MultiPolygon features with their P-codes in a property)');
    }
    const areas: Area[] = [];
    for (const f of fc.features as unknown[]) {
      const feature = f as Partial<Area> | null;
      const g = feature?.geometry;
      if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon') || !Array.isArray(g.coordinates)) continue;
      areas.push({ type: 'Feature', geometry: g, properties: feature.properties && typeof feature.properties === 'object' ? feature.properties : {} });
    }
    if (areas.length === 0) throw new BoundaryError('boundaries', 'boundaries holds no Polygon or MultiPolygon feature');
    const names = new Set<string>();
    for (const a of areas) for (const k of Object.keys(a.properties)) names.add(k);
    let chosen = property;
    if (chosen !== undefined && !names.has(chosen)) {
      throw new BoundaryError('pcodeProperty', `pcodeProperty: no boundary feature has a property "${chosen.slice(0, 80)}" (they have: ${[...names].slice(0, 30).join(', ')})`);
    }
    if (chosen === undefined) {
      const keys = new Set([...wanted].map(pcodeKey));
      let best: { name: string; hits: number; rank: number } | undefined;
      for (const name of names) {
        const rank = candidateRank(name);
        if (rank === undefined) continue;
        let hits = 0;
        const seen = new Set<string>();
        for (const a of areas) {
          const v = a.properties[name];
          if (typeof v !== 'string' && typeof v !== 'number') continue;
          const key = pcodeKey(String(v));
          if (keys.has(key) && !seen.has(key)) {
            seen.add(key);
            hits++;
          }
        }
        if (!best || hits > best.hits || (hits === best.hits && rank > best.rank)) best = { name, hits, rank };
      }
      if (!best) {
        throw new BoundaryError('pcodeProperty', `pcodeProperty: no property of the boundary features looks like a P-code (ADM1_PCODE, A1Code, …); name it (they have: ${[...names].slice(0, 30).join(', ')})`);
      }
      chosen = best.name;
    }
    const index = new Map<string, Area>();
    const groups = new Map<string, Area[]>();
    for (const a of areas) {
      for (const [name, v] of Object.entries(a.properties)) {
        if (typeof v !== 'string' && typeof v !== 'number') continue;
        const key = pcodeKey(String(v));
        if (key === '') continue;
        if (name === chosen) {
          if (!index.has(key)) index.set(key, a);
        } else if (candidateRank(name) !== undefined) {
          // Another level's P-code the areas carry (an adm2 file's ADM1_PCODE): its areas together.
          const group = groups.get(key);
          if (group) group.push(a);
          else groups.set(key, [a]);
        }
      }
    }
    for (const key of index.keys()) groups.delete(key);
    return new Boundaries(index, groups, chosen);
  }

  /** Whether an area (or areas together, by another level's P-code) has this P-code. */
  has(pcode: string): boolean {
    const key = pcodeKey(pcode);
    return this.areas.has(key) || this.groups.has(key);
  }

  /** How many areas have a P-code. */
  get size(): number {
    return this.areas.size;
  }

  /**
   * The point an admin-level figure is placed at: the area's centroid when it lies inside the area,
   * else a point on the area; coordinates to 6 decimals (about 0.1 m). Undefined for an unknown P-code.
   * @example boundaries.placeOf('HT0111') // [-72.3, 18.5]
   */
  placeOf(pcode: string): [number, number] | undefined {
    const key = pcodeKey(pcode);
    const cached = this.points.get(key);
    if (cached) return cached;
    const area = this.areas.get(key);
    const group = area ? [area] : this.groups.get(key);
    if (!group) return undefined;
    let point: [number, number];
    try {
      point = group.length === 1 ? pointIn(group[0]) : pointInAll(group);
    } catch {
      return undefined;
    }
    if (!Number.isFinite(point[0]) || !Number.isFinite(point[1]) || Math.abs(point[0]) > 180 || Math.abs(point[1]) > 90) return undefined;
    this.points.set(key, point);
    return point;
  }
}

/** An area's centroid when inside it, else a point on it, to 6 decimals. */
function pointIn(area: Area): [number, number] {
  const c = centroid(area);
  const [lon, lat] = (booleanPointInPolygon(c, area) ? c : pointOnFeature(area)).geometry.coordinates;
  return [round6(lon), round6(lat)];
}

/**
 * Areas together (the communes of a département): the mean of their centroids weighted by their area
 * when it lies inside one of them, else the point of the largest.
 */
function pointInAll(group: readonly Area[]): [number, number] {
  let sumLon = 0;
  let sumLat = 0;
  let total = 0;
  let largest = group[0];
  let largestArea = -1;
  for (const a of group) {
    const w = area(a);
    const [lon, lat] = centroid(a).geometry.coordinates;
    sumLon += lon * w;
    sumLat += lat * w;
    total += w;
    if (w > largestArea) {
      largestArea = w;
      largest = a;
    }
  }
  const mean: [number, number] = [sumLon / total, sumLat / total];
  if (total > 0 && group.some((a) => booleanPointInPolygon(mean, a))) return [round6(mean[0]), round6(mean[1])];
  return pointIn(largest);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

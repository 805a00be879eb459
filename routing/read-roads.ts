// Reads a road file (GeoJSON/JSON FeatureCollection or OSM PBF) into RoadWays; the router's input stage.
import { readFile, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { OSMTransform } from 'osm-pbf-parser-node';
import type { LoadProgress, RoadWay } from './types.js';

type Progress = ((p: LoadProgress) => void) | undefined;

/**
 * Reads the ways of a road file that carry a `highway` tag, with their tags, reporting progress.
 * GeoJSON: LineString and MultiLineString features (Polygons such as `area=yes` squares are not
 * lines and are skipped). PBF: ways are joined to their nodes; a way whose node references are
 * missing (a bounding-box clip) is split at each gap and pieces of fewer than 2 nodes dropped.
 * @example const ways = await readRoadWays('roads.geojson', (p) => console.log(p.phase, p.done));
 */
export async function readRoadWays(file: string, onProgress?: (p: LoadProgress) => void): Promise<RoadWay[]> {
  if (/\.pbf$/i.test(file)) return readPbf(file, onProgress);
  return readGeoJson(file, onProgress);
}

interface GeoFeature {
  id?: string | number;
  geometry?: { type: string; coordinates: unknown } | null;
  properties?: Record<string, unknown> | null;
}

/** Parses GeoJSON text already in memory into RoadWays (see {@link readRoadWays}). */
export function roadWaysFromGeoJson(json: unknown, onProgress?: Progress): RoadWay[] {
  const features = (json as { features?: GeoFeature[] }).features;
  if (!Array.isArray(features)) throw new Error('road file is not a GeoJSON FeatureCollection');
  const ways: RoadWay[] = [];
  const total = features.length;
  for (let i = 0; i < total; i++) {
    if (onProgress && i % 5000 === 0) onProgress({ phase: 'parse', done: i, total });
    const f = features[i];
    const g = f.geometry;
    if (!g || (g.type !== 'LineString' && g.type !== 'MultiLineString')) continue;
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.properties ?? {})) {
      if (k.startsWith('@') || v === null || v === undefined || typeof v === 'object') continue;
      tags[k] = String(v);
    }
    // Shapefile-derived exports (InaSAFE) carry the class as OSM_TYPE instead of highway.
    if (!tags.highway && tags.OSM_TYPE) tags.highway = tags.OSM_TYPE;
    if (!tags.highway) continue;
    const props = f.properties ?? {};
    const rawId = props['@id'] ?? f.id ?? props.id ?? `feature/${i}`;
    const baseId = typeof rawId === 'number' || /^\d+$/.test(String(rawId)) ? `way/${rawId}` : String(rawId);
    const lines = (g.type === 'LineString' ? [g.coordinates] : g.coordinates) as number[][][];
    lines.forEach((line, part) => {
      const coordinates = line.filter((c) => Number.isFinite(c[0]) && Number.isFinite(c[1])).map((c) => [c[0], c[1]] as [number, number]);
      if (coordinates.length < 2) return;
      ways.push({
        id: lines.length > 1 ? `${baseId}#${part}` : baseId,
        highway: tags.highway,
        ...(tags.name ? { name: tags.name } : {}),
        coordinates,
        tags,
      });
    });
  }
  onProgress?.({ phase: 'parse', done: total, total });
  return ways;
}

async function readGeoJson(file: string, onProgress: Progress): Promise<RoadWay[]> {
  const size = (await stat(file)).size;
  onProgress?.({ phase: 'read', done: 0, total: size });
  const text = await readFile(file, 'utf8');
  onProgress?.({ phase: 'read', done: size, total: size });
  return roadWaysFromGeoJson(JSON.parse(text), onProgress);
}

interface PbfItem {
  type: string;
  id: number;
  lat?: number;
  lon?: number;
  refs?: number[];
  tags?: Record<string, string>;
}

async function readPbf(file: string, onProgress: Progress): Promise<RoadWay[]> {
  const size = (await stat(file)).size;
  // Node coordinates by id; PBF files put nodes before ways, but ways are joined after the whole
  // file is read so any order works.
  const nodeLon = new Map<number, number>();
  const nodeLat = new Map<number, number>();
  const rawWays: { id: number; refs: number[]; tags: Record<string, string> }[] = [];
  let read = 0;
  const stream = createReadStream(file);
  stream.on('data', (chunk) => {
    read += chunk.length;
    onProgress?.({ phase: 'read', done: read, total: size });
  });
  const items = stream.pipe(new OSMTransform({ withTags: { node: false, way: true, relation: false }, withInfo: false }));
  for await (const chunk of items as AsyncIterable<PbfItem[]>) {
    for (const item of chunk) {
      if (item.type === 'node') {
        nodeLon.set(item.id, item.lon as number);
        nodeLat.set(item.id, item.lat as number);
      } else if (item.type === 'way' && item.tags?.highway && item.refs) {
        rawWays.push({ id: item.id, refs: item.refs, tags: item.tags });
      }
    }
  }
  const ways: RoadWay[] = [];
  rawWays.forEach((w, i) => {
    if (onProgress && i % 5000 === 0) onProgress({ phase: 'parse', done: i, total: rawWays.length });
    // Split at gaps: a bbox clip leaves refs to nodes that are not in the file.
    const pieces: [number, number][][] = [];
    let current: [number, number][] = [];
    for (const ref of w.refs) {
      const lon = nodeLon.get(ref);
      if (lon === undefined) {
        if (current.length) pieces.push(current);
        current = [];
        continue;
      }
      current.push([lon, nodeLat.get(ref) as number]);
    }
    if (current.length) pieces.push(current);
    const kept = pieces.filter((p) => p.length >= 2);
    kept.forEach((coordinates, part) => {
      ways.push({
        id: kept.length > 1 ? `way/${w.id}#${part}` : `way/${w.id}`,
        highway: w.tags.highway,
        ...(w.tags.name ? { name: w.tags.name } : {}),
        coordinates,
        tags: w.tags,
      });
    });
  });
  onProgress?.({ phase: 'parse', done: rawWays.length, total: rawWays.length });
  return ways;
}

// The router's public entry: read road files, load (or prepare and cache) the graph, make the engine.
import { createRequire } from 'node:module';
import { networkPlaces } from './area-name.js';
import { cachePath, readGraphCache, roadFileKey, writeGraphCache } from './graph-cache.js';
import { PlaceIndex } from './places.js';
import { readRoadWays } from './read-roads.js';
import { buildRoadGraph, type RoadGraph } from './road-graph.js';
import { Router, type RouterOptions } from './router.js';
import type { CorridorEngine, LoadProgress, RoadWay } from './types.js';

export { readRoadWays, roadWaysFromGeoJson } from './read-roads.js';
export { areaFromFileName, networkAreaName, networkPlaces, pickAreaPlace, type NamedPlace } from './area-name.js';
export { PlaceIndex, placesAlong } from './places.js';
export { buildRoadGraph, RoadGraph } from './road-graph.js';
export { Router, type RouterOptions } from './router.js';
export type { CorridorEngine, LoadProgress, RoadWay, RouteAnswer, RouteQuery } from './types.js';

const require = createRequire(import.meta.url);

/**
 * The default road network: OSM roads of central Gothenburg shipped in the npm package
 * `geojson-path-finder@2.1.0` (an overpass-turbo export), resolved from node_modules.
 */
export const DEFAULT_ROADS_FILE: string = require.resolve('geojson-path-finder/test/large-network.json');
/** The area the default road network covers, for the picture's title (issue 17). */
export const DEFAULT_ROADS_AREA = 'Gothenburg';

/** What {@link loadRoadNetwork} returns. */
export interface LoadedNetwork {
  engine: CorridorEngine;
  /** The engine's concrete type, for callers that need the graph (benchmarks, basemap). */
  router: Router;
  graph: RoadGraph;
  /** Content hash of the source file and profile version, for other caches. */
  key: string;
  nodeCount: number;
  edgeCount: number;
  fromCache: boolean;
  /**
   * The road ways read to build the graph, handed out once (then released), so another consumer of
   * the same file (the basemap) need not read and parse it again; undefined when the graph came
   * from the cache or the ways were already taken.
   */
  takeWays(): RoadWay[] | undefined;
}

/**
 * Loads the prepared graph of a road file from `cacheDir` when it holds one for the file's content,
 * otherwise reads, builds and caches it; returns the corridor engine.
 * @example const { engine } = await loadRoadNetwork(DEFAULT_ROADS_FILE, { cacheDir: 'var/cache' });
 */
export async function loadRoadNetwork(
  file: string,
  opts: { cacheDir: string; onProgress?: (p: LoadProgress) => void; dangerFactor?: number } & RouterOptions,
): Promise<LoadedNetwork> {
  const { cacheDir, onProgress, ...routerOptions } = opts;
  const key = await roadFileKey(file);
  const cached = cachePath(cacheDir, key);
  let graph = readGraphCache(cached);
  const fromCache = graph !== null;
  let ways: RoadWay[] | undefined;
  if (!graph) {
    ways = await readRoadWays(file, onProgress);
    graph = buildRoadGraph(ways, (done, total) => onProgress?.({ phase: 'build', done, total }));
    onProgress?.({ phase: 'cache', done: 0, total: 1 });
    writeGraphCache(cached, graph);
    onProgress?.({ phase: 'cache', done: 1, total: 1 });
  }
  onProgress?.({ phase: 'index', done: graph.edgeCount, total: graph.edgeCount });
  const router = new Router(graph, routerOptions);
  const takeWays = () => {
    const taken = ways;
    ways = undefined;
    return taken;
  };
  return { engine: router, router, graph, key, nodeCount: graph.nodeCount, edgeCount: graph.edgeCount, fromCache, takeWays };
}

/** What {@link prepareRoadNetwork} returns: the prepared graph's cache file and its figures, without the graph. */
export interface PreparedNetwork {
  /** The cache file holding the prepared graph, for the routing thread to load. */
  cacheFile: string;
  /** Content hash of the source file and profile version. */
  key: string;
  bbox: [number, number, number, number];
  nodeCount: number;
  edgeCount: number;
  fromCache: boolean;
  /** The road ways read to prepare the graph, handed out once; undefined when it came from the cache. */
  takeWays(): RoadWay[] | undefined;
}

/**
 * Prepares a road file's graph in `cacheDir` (reading and building it when the cache has none for the
 * file's content) and returns where it is, for a routing thread to load: the caller keeps no graph.
 * @example const { cacheFile } = await prepareRoadNetwork(DEFAULT_ROADS_FILE, { cacheDir: 'var/cache' });
 */
export async function prepareRoadNetwork(file: string, opts: { cacheDir: string; onProgress?: (p: LoadProgress) => void }): Promise<PreparedNetwork> {
  const network = await loadRoadNetwork(file, opts);
  const { graph } = network;
  return {
    cacheFile: cachePath(opts.cacheDir, network.key),
    key: network.key,
    bbox: graph.bbox,
    nodeCount: graph.nodeCount,
    edgeCount: graph.edgeCount,
    fromCache: network.fromCache,
    takeWays: network.takeWays,
  };
}

/**
 * The named places of a road file in an index, for the places a route passes (issue 18): read once
 * (one pass over a PBF's `place=*` nodes, or a GeoJSON file's place points) and kept in `cacheDir` under
 * the network's `key`, beside its area name.
 * @example
 * const places = await loadPlaceIndex(roadsFile, { cacheDir: 'var/cache', key: network.key });
 * places.placesAlong(corridor.routes[0].coordinates) // ['Martissant', 'Bizoton']
 */
export async function loadPlaceIndex(file: string, opts: { cacheDir: string; key: string }): Promise<PlaceIndex> {
  return new PlaceIndex(await networkPlaces(file, { dir: opts.cacheDir, key: opts.key }));
}

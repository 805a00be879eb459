// Road loading and the default vehicle profile: GeoJSON and PBF readers (bbox clips split at gaps),
// the prepared-graph cache, and the IOM assessment tags on the Port-au-Prince network.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRoadGraph, DEFAULT_ROADS_FILE, loadRoadNetwork, readRoadWays, roadWaysFromGeoJson, Router } from '../../routing/index.js';
import { onewayOf, practicabilityRank, speedMps, vehicleRank } from '../../routing/profile.js';
import type { RoadGraph } from '../../routing/road-graph.js';
import type { LoadProgress } from '../../routing/types.js';
import { HAITI_DIR, hasHaiti, plainDijkstra, SHARED_DATA } from './helpers.js';

describe('default vehicle profile', () => {
  it('reads the IOM practicability scale as the heaviest vehicle class a road takes', () => {
    expect(practicabilityRank({ practicability: 'non_motorized' })).toBe(0);
    expect(practicabilityRank({ practicability: 'motorbike' })).toBe(vehicleRank('motorbike'));
    expect(practicabilityRank({ practicability: '4wd_less_than_3.5mt' })).toBe(vehicleRank('4wd'));
    expect(practicabilityRank({ practicability: 'light_truck_less_than_10mt' })).toBe(vehicleRank('light_truck'));
    expect(practicabilityRank({ practicability: 'heavy_truck_less_than_20mt' })).toBe(vehicleRank('heavy_truck'));
    expect(practicabilityRank({ practicability: 'truck_+_trailer_greater_than_20mt' })).toBe(vehicleRank('truck_trailer'));
    expect(practicabilityRank({})).toBe(vehicleRank('truck_trailer'));
    expect(practicabilityRank({ practicability: '4wd_less_than_3.5mt;heavy_truck_less_than_20mt' })).toBe(vehicleRank('heavy_truck'));
  });

  it('oneway: tags, -1, and implied for motorways and roundabouts (contract)', () => {
    expect(onewayOf({ highway: 'residential', oneway: 'yes' })).toBe(1);
    expect(onewayOf({ highway: 'residential', oneway: '-1' })).toBe(-1);
    expect(onewayOf({ highway: 'motorway' })).toBe(1);
    expect(onewayOf({ highway: 'motorway', oneway: 'no' })).toBe(0);
    expect(onewayOf({ highway: 'primary', junction: 'roundabout' })).toBe(1);
    expect(onewayOf({ highway: 'primary' })).toBe(0);
  });

  it('speed from maxspeed where present, else the class, slowed by surface', () => {
    expect(speedMps({ highway: 'residential' })).toBeCloseTo(25 / 3.6);
    expect(speedMps({ highway: 'residential', maxspeed: '30 mph' })).toBeCloseTo((30 * 1.609344) / 3.6);
    expect(speedMps({ highway: 'primary', surface: 'mud' })).toBeLessThan(speedMps({ highway: 'primary', surface: 'asphalt' }));
  });

  it('routable classes only; access=no/private and area=yes squares are not roads', () => {
    const ways = roadWaysFromGeoJson({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { highway: 'residential' }, geometry: { type: 'LineString', coordinates: [[0, 0], [0.001, 0]] } },
        { type: 'Feature', properties: { highway: 'footway' }, geometry: { type: 'LineString', coordinates: [[0, 0], [0, 0.001]] } },
        { type: 'Feature', properties: { highway: 'service', access: 'private' }, geometry: { type: 'LineString', coordinates: [[0, 0], [-0.001, 0]] } },
        { type: 'Feature', properties: { highway: 'pedestrian', area: 'yes' }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } },
      ],
    });
    expect(ways).toHaveLength(3);
    const g = buildRoadGraph(ways);
    expect(g.edgeCount).toBe(1);
    expect(g.nodeCount).toBe(2);
  });
});

describe('Gothenburg network (default, from node_modules)', () => {
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'corridor-cache-test-'));
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('skips the 107 area=yes polygons and builds about 14k nodes and 17k edges', async () => {
    const ways = await readRoadWays(DEFAULT_ROADS_FILE);
    expect(ways).toHaveLength(20_120);
    const g = buildRoadGraph(ways);
    expect(g.nodeCount).toBeGreaterThan(13_000);
    expect(g.nodeCount).toBeLessThan(15_000);
    expect(g.edgeCount).toBeGreaterThan(16_000);
    expect(g.edgeCount).toBeLessThan(18_500);
  });

  it('caches the prepared graph: the second load comes from the cache and is identical; the first hands its ways over once', async () => {
    const phases = new Set<string>();
    const onProgress = (p: LoadProgress) => phases.add(p.phase);
    const first = await loadRoadNetwork(DEFAULT_ROADS_FILE, { cacheDir, onProgress });
    expect(first.fromCache).toBe(false);
    expect([...phases]).toEqual(expect.arrayContaining(['read', 'parse', 'build', 'cache']));
    // The ways read on the first load are handed over once (the basemap reuses them), then released.
    expect(first.takeWays()).toHaveLength(20_120);
    expect(first.takeWays()).toBeUndefined();
    const second = await loadRoadNetwork(DEFAULT_ROADS_FILE, { cacheDir });
    expect(second.fromCache).toBe(true);
    expect(second.takeWays()).toBeUndefined();
    expect(second.key).toBe(first.key);
    for (const k of Object.keys(first.graph.data) as (keyof RoadGraph['data'])[]) {
      expect(Array.from(second.graph.data[k] as ArrayLike<number>), k).toEqual(Array.from(first.graph.data[k] as ArrayLike<number>));
    }
    const q = { from: [11.9487, 57.7] as [number, number], to: [12.005, 57.728] as [number, number], alternatives: 1 };
    expect(second.engine.route(q)).toEqual(first.engine.route(q));
  });
});

describe.skipIf(!hasHaiti)('Port-au-Prince network (needs ../shared/data: absent, skipped)', () => {
  let geo: RoadGraph;
  beforeAll(async () => {
    geo = buildRoadGraph(await readRoadWays(path.join(HAITI_DIR, 'port-au-prince-2021-08-14-highways.geojson')));
  });

  it('the PBF (a bbox clip with missing node refs) reads: ways split at gaps, none under 2 nodes', async () => {
    const ways = await readRoadWays(path.join(HAITI_DIR, 'port-au-prince-2021-08-14.osm.pbf'));
    expect(ways.some((w) => w.id.includes('#'))).toBe(true);
    expect(ways.every((w) => w.coordinates.length >= 2 && w.coordinates.every((c) => Number.isFinite(c[0]) && Number.isFinite(c[1])))).toBe(true);
    const g = buildRoadGraph(ways);
    // The GeoJSON export is the same data with truncated ways: the graphs are of the same size.
    expect(g.edgeCount).toBeGreaterThan(geo.edgeCount * 0.9);
    expect(g.edgeCount).toBeLessThan(geo.edgeCount * 1.3);
    expect(Array.from(g.data.edgeStatus).filter((s) => s === 2).length).toBeGreaterThan(10);
  });

  it('operational_status=closed roads have no arcs: no route ever uses them', () => {
    const closed = Array.from(geo.data.edgeStatus).map((s, e) => (s === 2 ? e : -1)).filter((e) => e >= 0);
    expect(closed.length).toBeGreaterThan(20);
    const arcEdges = new Set(Array.from(geo.adjArc, (a) => a >> 1));
    for (const e of closed) expect(arcEdges.has(e)).toBe(false);
    // And a query from a closed road's middle snaps to an open one.
    const router = new Router(geo);
    const mid = geo.edgeCoords(closed[0])[1] ?? geo.edgeCoords(closed[0])[0];
    const s = router.snap(mid, 1).snap;
    if (s) expect(geo.data.edgeStatus[s.edge]).not.toBe(2);
  });

  it('vehicle class decides which roads a convoy may use (practicability)', () => {
    const router = new Router(geo);
    const costs = router.costs[0];
    let longerForTrucks = 0;
    let cutForTrucks = 0;
    for (let i = 0; i < 150; i++) {
      const a = (i * 7919) % geo.nodeCount;
      const b = (i * 104729 + 13) % geo.nodeCount;
      const bike = router.searcher.routeNodes(costs, vehicleRank('motorbike'), a, b);
      const truck = router.searcher.routeNodes(costs, vehicleRank('truck_trailer'), a, b);
      for (const arc of truck.arcs) expect(geo.data.edgeRank[arc >> 1]).toBeGreaterThanOrEqual(vehicleRank('truck_trailer'));
      for (const arc of bike.arcs) expect(geo.data.edgeRank[arc >> 1]).toBeGreaterThanOrEqual(vehicleRank('motorbike'));
      expect(truck.cost).toBeGreaterThanOrEqual(bike.cost);
      expect(truck.cost).toBe(plainDijkstra(geo, costs, vehicleRank('truck_trailer'), a, b));
      if (bike.cost < Infinity && truck.cost === Infinity) cutForTrucks++;
      else if (truck.cost > bike.cost + 1e-9) longerForTrucks++;
    }
    // The tags matter on this network: some trips are longer or impossible for a truck with trailer.
    expect(longerForTrucks + cutForTrucks).toBeGreaterThan(10);
  });

  it('restricted roads cost more than open ones of the same length and speed', () => {
    const router = new Router(geo);
    const restricted = Array.from(geo.data.edgeStatus).findIndex((s) => s === 1);
    expect(restricted).toBeGreaterThanOrEqual(0);
    expect(router.costs[0].factor[restricted]).toBe(2);
  });
});

describe.skipIf(!hasHaiti)('Legazpi network (needs ../shared/data: absent, skipped)', () => {
  it('the GeoJSON and the PBF give the same graph size', async () => {
    const dir = path.join(SHARED_DATA, 'philippines-legazpi-albay');
    const a = buildRoadGraph(await readRoadWays(path.join(dir, 'legazpi-2025-08-highways.geojson')));
    const b = buildRoadGraph(await readRoadWays(path.join(dir, 'legazpi-2025-08.osm.pbf')));
    expect(a.nodeCount).toBeGreaterThan(3000);
    expect(b.edgeCount).toBe(a.edgeCount);
  });
});

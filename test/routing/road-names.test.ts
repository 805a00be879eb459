// Road names and named places on real networks (issue 18, movement paperwork): a Port-au-Prince route
// lists the roads it follows and the places it passes, checked against the ways and places as read
// from the OSM extract (read in place from ../shared/data, never copied here); a Gothenburg route
// lists its roads; and names survive the graph cache.
import { existsSync } from 'node:fs';
import path from 'node:path';
import CheapRuler from 'cheap-ruler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteLeg } from '@corridor/protocol';
import { readPbfPlaces, type NamedPlace } from '../../routing/area-name.js';
import { DEFAULT_ROADS_FILE, loadPlaceIndex, loadRoadNetwork, readRoadWays, type LoadedNetwork, type PlaceIndex } from '../../routing/index.js';
import type { RoadWay } from '../../routing/types.js';
import { tempDir } from '../server/helpers.js';
import { HAITI_DIR, hasHaiti, loadGothenburg } from './helpers.js';

const PAP_PBF = path.join(HAITI_DIR, 'port-au-prince-2021-08-14.osm.pbf');

/** The stretches of a leg as `name|ref` (an empty side when the way has none). */
const labels = (leg: RouteLeg) => leg.roads!.map((s) => `${s.name ?? ''}|${s.ref ?? ''}`);

/** Whether every segment of each stretch lies (within 1 m) on a way of the file with its name and ref. */
function stretchesOnWays(leg: RouteLeg, ways: RoadWay[]): string[] {
  const ruler = new CheapRuler(leg.coordinates[0][1], 'meters');
  const wrong: string[] = [];
  leg.roads!.forEach((s, i) => {
    const end = i + 1 < leg.roads!.length ? leg.roads![i + 1].from : leg.coordinates.length - 1;
    const named = ways.filter((w) => (w.name ?? '') === (s.name ?? '') && (w.tags.ref ?? '') === (s.ref ?? ''));
    for (let k = s.from; k < end; k++) {
      const [a, b] = [leg.coordinates[k], leg.coordinates[k + 1]];
      const mid: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      if (!named.some((w) => ruler.distance(mid, ruler.pointOnLine(w.coordinates, mid).point) < 1)) wrong.push(`stretch ${i} segment ${k}`);
    }
  });
  return wrong;
}

describe.skipIf(!hasHaiti)('Port-au-Prince (needs ../shared/data: absent, skipped)', () => {
  const tmp = tempDir();
  let network: LoadedNetwork;
  let ways: RoadWay[];
  let places: NamedPlace[];
  let index: PlaceIndex;
  beforeAll(async () => {
    network = await loadRoadNetwork(PAP_PBF, { cacheDir: tmp.dir });
    ways = network.takeWays()!;
    places = await readPbfPlaces(PAP_PBF);
    index = await loadPlaceIndex(PAP_PBF, { cacheDir: tmp.dir, key: network.key });
  });
  afterAll(() => tmp.cleanup());

  // From Nanraguette in the west across to Tabarre: up Route Nationale 1 (way tags `name=Route
  // Nationale # 1`, `ref=RN 1`), east along Boulevard 15 Octobre, and into Rue J. Nazaire.
  const from: [number, number] = [-72.32, 18.575];
  const to: [number, number] = [-72.27, 18.58];

  it('lists the roads a route follows, in order, each as the ways under it are named', () => {
    const answer = network.engine.route({ from, to });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const leg = answer.routes[0];
    expect(labels(leg)).toEqual(['Route Nationale # 1|RN 1', 'Boulevard 15 Octobre (Route de Tabarre)|', 'Rue J. Nazaire|']);
    expect(stretchesOnWays(leg, ways)).toEqual([]);
    // RN 1 is the first half of the way, the boulevard the second.
    const [rn1, boulevard] = leg.roads!;
    expect(rn1.distance_m).toBeGreaterThan(2500);
    expect(boulevard.distance_m).toBeGreaterThan(2500);
  });

  it('names unnamed ways by nothing, and a longer route across town the same way', () => {
    const answer = network.engine.route({ from: [-72.318, 18.6], to: [-72.275, 18.57] });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const leg = answer.routes[0];
    expect(stretchesOnWays(leg, ways)).toEqual([]);
    const named = leg.roads!.filter((s) => s.name).map((s) => s.name);
    for (const road of ['Route de Blanchard', 'Rue Hubert', 'Route Nationale # 1', 'Boulevard des Industries', 'Avenue Maïs Gaté', 'Avenue Gérard Théodat']) expect(named).toContain(road);
    expect(named.indexOf('Rue Hubert')).toBeLessThan(named.indexOf('Avenue Maïs Gaté'));
    // A way with neither name nor ref gives a stretch with neither field.
    const bare = leg.roads!.find((s) => !s.name && !s.ref);
    expect(bare && Object.keys(bare).sort()).toEqual(['distance_m', 'duration_s', 'from']);
  });

  it('gives the places a route passes, in order, from the extract', () => {
    const answer = network.engine.route({ from, to });
    if (!answer.ok) throw new Error(answer.message);
    const line = answer.routes[0].coordinates;
    const along = index.placesAlong(line);
    expect(along).toEqual(['Nanraguette', 'Terre Noire', 'Cazeau', 'Tabarre 14', 'Carrefour Clercine', 'Bo Rutha']);
    // Each is a place of the file within 1.5 km of the route, and they come in the order the route passes them.
    const ruler = new CheapRuler(18.58, 'meters');
    const positions = along.map((name) => {
      const p = places.find((q) => q.name === name)!;
      expect(p).toBeDefined();
      const on = ruler.pointOnLine(line, p.at);
      expect(ruler.distance(p.at, on.point)).toBeLessThanOrEqual(1500);
      return on.index + on.t;
    });
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // About one per kilometre at most (6.4 km), never the same twice.
    expect(along.length).toBeLessThanOrEqual(Math.ceil(answer.routes[0].distance_m / 1000));
    expect(new Set(along).size).toBe(along.length);
    // The ends, as a notice names them: near the end, the suburb Carrefour Clercine (740 m) says more
    // than the neighbourhood Bo Rutha (600 m).
    expect(index.near(from)).toBe('Nanraguette');
    expect(index.near(to)).toBe('Carrefour Clercine');
    // A narrower band keeps fewer.
    expect(index.placesAlong(line, 300).length).toBeLessThan(along.length);
  });

  it('keeps names and places through the caches', async () => {
    const again = await loadRoadNetwork(PAP_PBF, { cacheDir: tmp.dir });
    expect(again.fromCache).toBe(true);
    expect(again.graph.data.names).toEqual(network.graph.data.names);
    expect(Array.from(again.graph.data.edgeName)).toEqual(Array.from(network.graph.data.edgeName));
    expect(Array.from(again.graph.data.edgeRef)).toEqual(Array.from(network.graph.data.edgeRef));
    expect(again.engine.route({ from, to })).toEqual(network.engine.route({ from, to }));
    // Places come from the cache file now: a missing road file under the same key still has them.
    const kept = await loadPlaceIndex('/nonexistent/roads.osm.pbf', { cacheDir: tmp.dir, key: network.key });
    expect(kept.size).toBe(index.size);
    expect(index.size).toBeGreaterThan(20);
  });
});

describe('Gothenburg (the default network): roads only', () => {
  let network: LoadedNetwork;
  beforeAll(async () => {
    network = await loadGothenburg();
  });

  it('lists the roads from Första Långgatan through the Göta tunnel (E 45) to Waterloogatan', () => {
    const answer = network.engine.route({ from: [11.9487, 57.7], to: [12.005, 57.728] });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const leg = answer.routes[0];
    expect(labels(leg)).toEqual([
      'Första Långgatan|',
      'Värmlandsgatan|',
      'Första Långgatan|',
      'Nordhemsgatan|',
      '|',
      'Götatunneln|E 45',
      '|E 45',
      '|',
      'Slakthusgatan|',
      'Waterloogatan|',
      'Walckesgatan|',
      'Waterloogatan|',
    ]);
    const sum = leg.roads!.reduce((a, s) => a + s.distance_m, 0);
    expect(sum).toBeCloseTo(leg.distance_m, 6);
  });

  it('every segment of that route lies on a way of its stretch name in the file', async () => {
    const answer = network.engine.route({ from: [11.9487, 57.7], to: [12.005, 57.728] });
    if (!answer.ok) throw new Error(answer.message);
    const line = answer.routes[0].coordinates;
    const [w, s, e, n] = [Math.min(...line.map((c) => c[0])), Math.min(...line.map((c) => c[1])), Math.max(...line.map((c) => c[0])), Math.max(...line.map((c) => c[1]))];
    const ways = (await readRoadWays(DEFAULT_ROADS_FILE)).filter((way) => way.coordinates.some((c) => c[0] >= w && c[0] <= e && c[1] >= s && c[1] <= n));
    expect(stretchesOnWays(answer.routes[0], ways)).toEqual([]);
  });

  it('has no place points in its GeoJSON file, so no places (and the network still loads)', async () => {
    const tmp = tempDir();
    try {
      const index = await loadPlaceIndex(DEFAULT_ROADS_FILE, { cacheDir: tmp.dir, key: network.key });
      expect(index.size).toBe(0);
      expect(index.placesAlong([[11.95, 57.7], [12, 57.72]])).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });
});

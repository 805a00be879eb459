// Property tests of the compact A*'s lower bounds and early answers (routing/search.ts, landmarks.ts):
// landmarks, target trees and the "target cut off" answer never change a least cost, against a plain Dijkstra.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRoadGraph, Router } from '../../routing/index.js';
import { computeLandmarks, LANDMARK_COUNT, type Landmarks } from '../../routing/landmarks.js';
import { STATUS_CLOSED } from '../../routing/profile.js';
import { DIR_BACKWARD, DIR_FORWARD, haversineM, type RoadGraph, type Snap } from '../../routing/road-graph.js';
import type { EdgeCosts, SearchResult, TargetTree } from '../../routing/search.js';
import type { RoadWay } from '../../routing/types.js';
import type { ThreatZone } from '@corridor/protocol';
import type { Polygonal } from '@corridor/protocol';
import { convoy, latticeWay, Log, loadGothenburg, plainDijkstra, polygonZone, zone } from './helpers.js';

const SEED = Number(process.env.FC_SEED ?? 20261122);
console.log(`heuristics property: fast-check seed ${SEED} (FC_SEED=... to replay)`);

// ------------------------------------------------------------------ oracles (no code shared with search.ts)

/** Directed arcs of the roads that are not closed, read straight from the raw edge arrays (CSR). */
interface ArcIndex {
  /** Arcs of node v: `[start[v], start[v + 1])`, by tail (forward) or by head (backward). */
  start: Int32Array;
  /** The arc's other end: its head (forward) or its tail (backward). */
  other: Int32Array;
  edge: Int32Array;
}

const arcCache = new WeakMap<RoadGraph, [ArcIndex, ArcIndex]>();

function arcIndex(graph: RoadGraph, backward: boolean): ArcIndex {
  let both = arcCache.get(graph);
  if (!both) {
    const d = graph.data;
    const tails: number[] = [];
    const heads: number[] = [];
    const edges: number[] = [];
    for (let e = 0; e < graph.edgeCount; e++) {
      if (d.edgeStatus[e] === STATUS_CLOSED) continue;
      if (d.edgeDir[e] & DIR_FORWARD) tails.push(d.edgeFrom[e]), heads.push(d.edgeTo[e]), edges.push(e);
      if (d.edgeDir[e] & DIR_BACKWARD) tails.push(d.edgeTo[e]), heads.push(d.edgeFrom[e]), edges.push(e);
    }
    const build = (key: number[], other: number[]): ArcIndex => {
      const n = graph.nodeCount;
      const start = new Int32Array(n + 1);
      for (const k of key) start[k + 1]++;
      for (let v = 0; v < n; v++) start[v + 1] += start[v];
      const fill = start.slice(0, n);
      const out = new Int32Array(key.length);
      const edge = new Int32Array(key.length);
      key.forEach((k, i) => {
        out[fill[k]] = other[i];
        edge[fill[k]++] = edges[i];
      });
      return { start, other: out, edge };
    };
    both = [build(tails, heads), build(heads, tails)];
    arcCache.set(graph, both);
  }
  return both[backward ? 1 : 0];
}

/**
 * Dijkstra from seed nodes (each with a starting cost) over `arcs`, edge weights from `weight`
 * (Infinity: unusable). Backward arcs give the cost from every node to the seeds.
 */
function dijkstra(graph: RoadGraph, arcs: ArcIndex, weight: (e: number) => number, seeds: [number, number][]): Float64Array {
  const dist = new Float64Array(graph.nodeCount).fill(Infinity);
  const done = new Uint8Array(graph.nodeCount);
  const heap: [number, number][] = [];
  const push = (key: number, v: number) => {
    heap.push([key, v]);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (heap[p][0] <= heap[i][0]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ; ) {
        let c = 2 * i + 1;
        if (c >= heap.length) break;
        if (c + 1 < heap.length && heap[c + 1][0] < heap[c][0]) c++;
        if (heap[i][0] <= heap[c][0]) break;
        [heap[c], heap[i]] = [heap[i], heap[c]];
        i = c;
      }
    }
    return top;
  };
  for (const [v, c] of seeds) {
    if (c < dist[v]) {
      dist[v] = c;
      push(c, v);
    }
  }
  while (heap.length) {
    const [du, u] = pop();
    if (done[u]) continue;
    done[u] = 1;
    for (let k = arcs.start[u]; k < arcs.start[u + 1]; k++) {
      const w = weight(arcs.edge[k]);
      if (w === Infinity) continue;
      const v = arcs.other[k];
      if (du + w < dist[v]) {
        dist[v] = du + w;
        push(du + w, v);
      }
    }
  }
  return dist;
}

/** Base travel time per edge, seconds, as landmarks.ts defines it (length / speed). */
function baseTimes(graph: RoadGraph): Float64Array {
  const d = graph.data;
  return Float64Array.from(d.edgeLenM, (len, e) => len / d.edgeSpeedMps[e]);
}

/** Costs with every factor 1 and nothing blocked: what landmark tables and target trees measure. */
function plainCosts(graph: RoadGraph, base: Float64Array): EdgeCosts {
  return {
    base,
    factor: new Float64Array(graph.edgeCount).fill(1),
    blocked: new Uint16Array(graph.edgeCount),
    rank: graph.data.edgeRank,
    marked: new Uint8Array(graph.edgeCount),
    heuristicPerM: 0,
  };
}

/**
 * Least cost between two snapped points by plain Dijkstra between nodes; the partial first and
 * last pieces are priced by the search's own cost model (`pieceCost`, not under test here).
 */
function oracleCost(router: Router, costs: EdgeCosts, rank: number, from: Snap, to: Snap, penalty?: Float64Array): number {
  const g = router.graph;
  const d = g.data;
  const piece = (e: number, a: number, b: number) => router.searcher.pieceCost(costs, rank, e, a, b, penalty);
  let best = from.edge === to.edge ? piece(from.edge, from.offsetM, to.offsetM) : Infinity;
  const weight = (e: number) => (costs.blocked[e] > 0 || costs.rank[e] < rank ? Infinity : costs.base[e] * costs.factor[e] * (penalty ? penalty[e] : 1));
  const seeds: [number, number][] = [
    [d.edgeFrom[from.edge], piece(from.edge, from.offsetM, 0)],
    [d.edgeTo[from.edge], piece(from.edge, from.offsetM, d.edgeLenM[from.edge])],
  ];
  const dist = dijkstra(g, arcIndex(g, false), weight, seeds.filter(([, c]) => c < Infinity));
  best = Math.min(best, dist[d.edgeFrom[to.edge]] + piece(to.edge, 0, to.offsetM), dist[d.edgeTo[to.edge]] + piece(to.edge, d.edgeLenM[to.edge], to.offsetM));
  return best;
}

const close = (a: number, b: number, rel = 1e-9) => (a === Infinity || b === Infinity ? a === b : Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)));

/** A found path must run from `from` to `to` through edge ends and cost what the search says. */
function checkPath(router: Router, costs: EdgeCosts, rank: number, from: Snap, to: Snap, r: SearchResult, penalty?: Float64Array): void {
  if (r.cost === Infinity) return expect(r.pieces).toEqual([]);
  const d = router.graph.data;
  const p = r.pieces;
  expect(p.length).toBeGreaterThan(0);
  expect([p[0].edge, p[0].fromM]).toEqual([from.edge, from.offsetM]);
  expect([p[p.length - 1].edge, p[p.length - 1].toM]).toEqual([to.edge, to.offsetM]);
  const nodeAt = (e: number, m: number) => (m === 0 ? d.edgeFrom[e] : m === d.edgeLenM[e] ? d.edgeTo[e] : -1);
  for (let i = 0; i + 1 < p.length; i++) {
    const a = nodeAt(p[i].edge, p[i].toM);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(nodeAt(p[i + 1].edge, p[i + 1].fromM)).toBe(a);
  }
  const sum = p.reduce((s, q) => s + router.searcher.pieceCost(costs, rank, q.edge, q.fromM, q.toM, penalty), 0);
  expect(close(sum, r.cost), `path sums to ${sum}, search says ${r.cost}`).toBe(true);
}

// ------------------------------------------------------------------ zones

/**
 * A no-go ring around `center` (metres): an outer circle with a hole, or with `gapDeg` > 0 a "C"
 * open towards the bearing `gapAtDeg` (no hole, one polygon), so the centre may stay reachable.
 *
 *       .-~~-.            .-~~    <- gap
 *     /  .--. \         /  .--'
 *    |  | c  | |       |  | c
 *     \  '--' /         \  '--.
 *       '-__-'            '-__-'
 */
function ringZone(id: string, center: [number, number], innerM: number, outerM: number, gapDeg = 0, gapAtDeg = 45): ThreatZone {
  const ky = 111_320;
  const kx = ky * Math.cos((center[1] * Math.PI) / 180);
  const at = (r: number, deg: number): [number, number] => [center[0] + (r * Math.sin((deg * Math.PI) / 180)) / kx, center[1] + (r * Math.cos((deg * Math.PI) / 180)) / ky];
  const arc = (r: number, a: number, b: number, steps: number) => Array.from({ length: steps + 1 }, (_, i) => at(r, a + ((b - a) * i) / steps));
  let area: Polygonal;
  if (gapDeg > 0) {
    // Clockwise from the gap's end round to its start on the outer circle, back on the inner one.
    const a = gapAtDeg + gapDeg / 2;
    const b = gapAtDeg + 360 - gapDeg / 2;
    const ring = [...arc(outerM, a, b, 48), ...arc(innerM, b, a, 48)];
    area = { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
  } else {
    const outer = arc(outerM, 0, 360, 64);
    const inner = arc(innerM, 360, 0, 64);
    area = { type: 'Polygon', coordinates: [outer, inner] };
  }
  return polygonZone(id, area);
}

// ------------------------------------------------------------------ random lattice graphs

const HIGHWAYS = ['primary', 'secondary', 'residential', 'service', 'motorway', 'footway'];

/**
 * Random road ways on a 6 × 6 lattice (as in search-oracle), with closed and restricted roads too;
 * most ways join lattice neighbours (east, north, the diagonals), so dense draws are well connected.
 */
function latticeWays(minLength: number, maxLength: number): fc.Arbitrary<RoadWay[]> {
  return fc
    .array(
      fc.record({
        a: fc.integer({ min: 0, max: 35 }),
        b: fc.integer({ min: 0, max: 35 }),
        near: fc.integer({ min: 0, max: 4 }),
        bend: fc.boolean(),
        highway: fc.constantFrom(...HIGHWAYS),
        oneway: fc.constantFrom(undefined, undefined, 'yes', '-1', 'no'),
        practicability: fc.constantFrom(undefined, undefined, 'motorbike', 'heavy_truck_less_than_20mt', 'non_motorized'),
        status: fc.constantFrom(undefined, undefined, undefined, undefined, 'restricted', 'closed'),
      }),
      { minLength, maxLength },
    )
    .map((specs) =>
      specs
        .map((s) => {
          // near 0..3: the neighbour east, north, north-east or north-west when on the lattice; 4: anywhere.
          const step = [1, 6, 7, 5][s.near];
          const col = s.a % 6;
          const onLattice = s.near < 4 && s.a + step < 36 && (step === 6 || (step === 5 ? col > 0 : col < 5));
          return { ...s, b: onLattice ? s.a + step : s.b };
        })
        .filter((s) => s.a !== s.b)
        .map(latticeWay),
    );
}
/** Sparse graphs (many parts, one-way spurs) and dense ones (mostly one connected city). */
const arbLatticeWays = fc.oneof(latticeWays(5, 80), { weight: 3, arbitrary: latticeWays(60, 150) });

/** Integers scaled to [0, 1] (fast-check's doubles lean to the extremes). */
const unit = fc.integer({ min: 0, max: 1000 }).map((v) => v / 1000);
const latticePoint = fc.tuple(unit, unit).map(([x, y]): [number, number] => [9.9995 + x * 0.011, 49.9995 + y * 0.0085]);

/** Penalty factors ≥ 1, as the alternatives search makes them (cycled over the edges). */
const arbPenalty = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 40 });
function penaltyOf(graph: RoadGraph, values: number[]): Float64Array {
  return Float64Array.from({ length: graph.edgeCount }, (_, e) => 1 + values[e % values.length] / 10);
}

// ------------------------------------------------------------------ landmark checks

/**
 * Checks a landmark table against exact distances: every column equals a Dijkstra from / to its
 * landmark over base times (closed roads absent, one-way respected), landmarks are distinct and
 * mutually reachable.
 */
function checkLandmarkTables(graph: RoadGraph, lm: Landmarks, base: Float64Array): void {
  const k = lm.nodes.length;
  const n = graph.nodeCount;
  expect(lm.fromL.length).toBe(n * k);
  expect(lm.toL.length).toBe(n * k);
  expect(new Set(lm.nodes).size).toBe(k);
  const w = (e: number) => base[e];
  for (let l = 0; l < k; l++) {
    const from = dijkstra(graph, arcIndex(graph, false), w, [[lm.nodes[l], 0]]);
    const to = dijkstra(graph, arcIndex(graph, true), w, [[lm.nodes[l], 0]]);
    for (let v = 0; v < n; v++) {
      if (!close(lm.fromL[v * k + l], from[v])) expect.fail(`fromL[${v}*k+${l}] = ${lm.fromL[v * k + l]}, Dijkstra from landmark ${lm.nodes[l]} says ${from[v]}`);
      if (!close(lm.toL[v * k + l], to[v])) expect.fail(`toL[${v}*k+${l}] = ${lm.toL[v * k + l]}, Dijkstra to landmark ${lm.nodes[l]} says ${to[v]}`);
    }
    // Landmarks lie in one strongly connected part.
    for (const m of lm.nodes) expect(Number.isFinite(from[m]) && Number.isFinite(to[m])).toBe(true);
  }
}

/**
 * The two triangle-inequality bounds of every landmark against true base distances D(v, ·) from
 * `sources`: fromL[t] − fromL[v] ≤ D and toL[v] − toL[t] ≤ D (NaN, from two unreachable ends, bounds
 * nothing). Returns the share of reachable pairs whose best bound is at least half of D.
 */
function checkLandmarkBounds(graph: RoadGraph, lm: Landmarks, base: Float64Array, sources: number[]): number {
  const k = lm.nodes.length;
  let pairs = 0;
  let useful = 0;
  for (const v of sources) {
    const D = dijkstra(graph, arcIndex(graph, false), (e) => base[e], [[v, 0]]);
    for (let t = 0; t < graph.nodeCount; t++) {
      const tol = 1e-9 * Math.max(1, D[t] === Infinity ? 1 : D[t]);
      let bound = 0;
      for (let l = 0; l < k; l++) {
        const a = lm.fromL[t * k + l] - lm.fromL[v * k + l];
        const b = lm.toL[v * k + l] - lm.toL[t * k + l];
        if (a > D[t] + tol || b > D[t] + tol) {
          expect.fail(`landmark ${l} (node ${lm.nodes[l]}) bounds D(${v}, ${t}) = ${D[t]} by ${a} / ${b}`);
        }
        if (a > bound) bound = a;
        if (b > bound) bound = b;
      }
      if (Number.isFinite(D[t]) && D[t] > 0) {
        pairs++;
        if (bound >= 0.5 * D[t]) useful++;
      }
    }
  }
  return pairs ? useful / pairs : 1;
}

// ------------------------------------------------------------------ tests

/** The Gothenburg network, loaded once; tests that add zones or convoys reset its router after. */
let loadedGothenburg: Awaited<ReturnType<typeof loadGothenburg>>;
beforeAll(async () => {
  loadedGothenburg = await loadGothenburg();
  loadedGothenburg.router.init(new Log().picture);
});

describe('landmarks (computeLandmarks)', () => {
  it('random lattice graphs: exact tables, valid bounds, one strongly connected core, min(16, core) landmarks', () => {
    fc.assert(
      fc.property(arbLatticeWays, fc.nat(), fc.nat(), (ways, i, j) => {
        const graph = buildRoadGraph(ways);
        if (graph.nodeCount < 2) return;
        const base = baseTimes(graph);
        const lm = computeLandmarks(graph);
        expect(lm.nodes.length).toBeLessThanOrEqual(LANDMARK_COUNT);
        checkLandmarkTables(graph, lm, base);
        const all = Array.from({ length: graph.nodeCount }, (_, v) => v);
        checkLandmarkBounds(graph, lm, base, all);
        if (graph.adjArc.length > 0) {
          // The core is the strongly connected part of the first landmark; it takes min(16, its size).
          expect(lm.nodes.length).toBeGreaterThan(0);
          const from = dijkstra(graph, arcIndex(graph, false), (e) => base[e], [[lm.nodes[0], 0]]);
          const to = dijkstra(graph, arcIndex(graph, true), (e) => base[e], [[lm.nodes[0], 0]]);
          const core = all.filter((v) => Number.isFinite(from[v]) && Number.isFinite(to[v])).length;
          expect(lm.nodes.length).toBe(Math.min(LANDMARK_COUNT, core));
        }
        // The test's own Dijkstra agrees with the helpers' plain one.
        const v = i % graph.nodeCount;
        const t = j % graph.nodeCount;
        const D = dijkstra(graph, arcIndex(graph, false), (e) => base[e], [[v, 0]]);
        expect(close(D[t], plainDijkstra(graph, plainCosts(graph, base), 0, v, t))).toBe(true);
      }),
      { seed: SEED, numRuns: 250 },
    );
  });

  describe('Gothenburg', () => {
    let graph: RoadGraph;
    let router: Router;
    let fresh: Landmarks;
    let base: Float64Array;
    beforeAll(() => {
      ({ graph, router } = loadedGothenburg);
      // computeLandmarks itself: landmarksOf(graph) may come from a disk cache that an older landmark
      // picker wrote (the cache key covers the road file and profile, not the picker).
      fresh = computeLandmarks(graph);
      base = baseTimes(graph);
    });

    it('16 distinct landmarks, spread out (every two > 300 m apart), with exact distance tables', () => {
      const d = graph.data;
      expect(fresh.nodes.length).toBe(16);
      expect(new Set(fresh.nodes).size).toBe(16);
      for (let i = 0; i < 16; i++) {
        for (let j = i + 1; j < 16; j++) {
          const [a, b] = [fresh.nodes[i], fresh.nodes[j]];
          expect(haversineM(d.nodeLon[a], d.nodeLat[a], d.nodeLon[b], d.nodeLat[b]), `landmarks ${a} and ${b}`).toBeGreaterThan(300);
        }
      }
      checkLandmarkTables(graph, fresh, base);
      // The router's time costs are the base times the tables measure.
      expect(router.costs[0].base).toEqual(base);
    });

    it('fromL[t] − fromL[v] ≤ D(v, t) and toL[v] − toL[t] ≤ D(v, t), fresh tables and the ones the router uses', () => {
      const rnd = fc.sample(fc.nat({ max: graph.nodeCount - 1 }), { seed: SEED, numRuns: 12 });
      // The router's tables may come from the disk cache (landmarksOf(graph)): they must bound too.
      for (const [name, lm] of [['computeLandmarks', fresh], ['router', router.costs[0].landmarks!]] as const) {
        const useful = checkLandmarkBounds(graph, lm, base, rnd);
        console.log(`heuristics property (landmarks): ${name}: ${(100 * useful).toFixed(1)} % of pairs bounded to at least half their distance`);
        // Bounds that bound nothing would pass as well: most pairs must get a useful one.
        if (lm === fresh) expect(useful).toBeGreaterThan(0.8);
      }
      // And against the helpers' plain Dijkstra for a few pairs.
      const costs = plainCosts(graph, base);
      const k = fresh.nodes.length;
      const pairs = fc.sample(fc.tuple(fc.nat({ max: graph.nodeCount - 1 }), fc.nat({ max: graph.nodeCount - 1 })), { seed: SEED + 1, numRuns: 3 });
      for (const [v, t] of pairs) {
        const D = plainDijkstra(graph, costs, 0, v, t);
        for (let l = 0; l < k; l++) {
          expect(fresh.fromL[t * k + l] - fresh.fromL[v * k + l]).not.toBeGreaterThan(D + 1e-9);
          expect(fresh.toL[v * k + l] - fresh.toL[t * k + l]).not.toBeGreaterThan(D + 1e-9);
        }
      }
    });
  });
});

describe('A* with landmarks, target trees and cut-off answers gives the least cost', () => {
  /** Every way of searching that must agree, for one query. */
  function searchAll(router: Router, costs: EdgeCosts, rank: number, a: Snap, b: Snap, penalty: Float64Array | undefined, tiny: { radius: number; maxNodes: number }) {
    const s = router.searcher;
    const big = s.targetTree(costs, b, Infinity, Number.MAX_SAFE_INTEGER);
    const small = s.targetTree(costs, b, tiny.radius, tiny.maxNodes);
    const straight = { ...costs, landmarks: undefined };
    const results: [string, SearchResult][] = [
      ['landmarks', s.route(costs, rank, a, b, penalty)],
      ['straight line', s.route(straight, rank, a, b, penalty)],
      ['whole tree', s.route(costs, rank, a, b, penalty, big)],
      ['small tree', s.route(costs, rank, a, b, penalty, small)],
      ['small tree, no landmarks', s.route(straight, rank, a, b, penalty, small)],
    ];
    return { results, big, small };
  }

  function expectAllEqual(router: Router, costs: EdgeCosts, rank: number, a: Snap, b: Snap, penalty: Float64Array | undefined, results: [string, SearchResult][]): number {
    const oracle = oracleCost(router, costs, rank, a, b, penalty);
    for (const [name, r] of results) {
      expect(close(r.cost, oracle), `${name}: ${r.cost}, plain Dijkstra: ${oracle} (penalty ${penalty ? 'on' : 'off'})`).toBe(true);
      checkPath(router, costs, rank, a, b, r, penalty);
    }
    return oracle;
  }

  it('random lattice graphs with random no-go zones: same cost, with and without penalties, Infinity alike', () => {
    const stats = { queries: 0, unreachable: 0, outsideTree: 0, withZones: 0 };
    fc.assert(
      fc.property(
        arbLatticeWays,
        fc.array(fc.tuple(latticePoint, fc.integer({ min: 15, max: 90 })), { maxLength: 2 }),
        // A ring round the destination in a quarter of the runs.
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(null) },
          fc.record({ inner: fc.integer({ min: 30, max: 200 }), width: fc.integer({ min: 20, max: 150 }), gap: fc.constantFrom(0, 0, 60), gapAt: fc.integer({ min: 0, max: 359 }) }),
        ),
        latticePoint,
        latticePoint,
        fc.constantFrom(1, 1, 1, 2, 3, 5),
        fc.constantFrom(0, 1),
        arbPenalty,
        fc.record({ radius: fc.integer({ min: 0, max: 40 }), maxNodes: fc.integer({ min: 0, max: 8 }) }),
        (ways, discs, ring, pa, pb, rank, weight, pen, tiny) => {
          const graph = buildRoadGraph(ways);
          if (graph.edgeCount === 0) return;
          const router = new Router(graph);
          const log = new Log();
          const zones = discs.map(([c, r], k) => zone(`tz-${k}`, c, r));
          if (ring) zones.push(ringZone('tz-ring', pb, ring.inner, ring.inner + ring.width, ring.gap, ring.gapAt));
          if (zones.length) router.onEvents(log.append(...zones.map((z) => ({ type: 'threat.upserted' as const, zone: z }))), log.picture);
          const a = router.snap(pa, rank).snap;
          const b = router.snap(pb, rank).snap;
          if (!a || !b) return;
          const costs = router.costs[weight];
          if (weight === 0) expect(costs.landmarks).toBeDefined();
          if (costs.blocked.some((x) => x > 0)) stats.withZones++;
          for (const penalty of [undefined, penaltyOf(graph, pen)]) {
            const { results, big, small } = searchAll(router, costs, rank, a, b, penalty, tiny);
            const cost = expectAllEqual(router, costs, rank, a, b, penalty, results);
            stats.queries++;
            if (cost === Infinity) stats.unreachable++;
            if (small.nodes.length < big.nodes.length) stats.outsideTree++;
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
    console.log(`heuristics property (lattice): ${JSON.stringify(stats)}`);
    // The interesting branches must have been taken, or the property proves little.
    expect(stats.unreachable).toBeGreaterThan(50);
    expect(stats.queries - stats.unreachable).toBeGreaterThan(120);
    expect(stats.outsideTree).toBeGreaterThan(50);
    expect(stats.withZones).toBeGreaterThan(50);
  });

  describe('Gothenburg', () => {
    let router: Router;
    let graph: RoadGraph;
    beforeAll(() => {
      ({ router, graph } = loadedGothenburg);
    });

    it('random ends and zones (discs, rings round the destination, rings with a gap): same cost as plain Dijkstra', () => {
      const [w, s, e, n] = graph.bbox;
      const at = (x: number, y: number): [number, number] => [w + (0.2 + 0.6 * x) * (e - w), s + (0.2 + 0.6 * y) * (n - s)];
      const stats = { queries: 0, unreachable: 0, cutOff: 0, outsideTree: 0 };
      const settled = { landmarks: 0, straight: 0, tree: 0 };
      fc.assert(
        fc.property(
          fc.array(fc.tuple(unit, unit, fc.integer({ min: 80, max: 600 })), { maxLength: 3 }),
          fc.option(fc.record({ inner: fc.integer({ min: 60, max: 400 }), width: fc.integer({ min: 40, max: 200 }), gap: fc.constantFrom(0, 0, 45), gapAt: fc.integer({ min: 0, max: 359 }) }), { freq: 2 }),
          unit, unit, unit, unit,
          fc.integer({ min: 1, max: 5 }),
          arbPenalty,
          fc.record({ radius: fc.integer({ min: 5, max: 120 }), maxNodes: fc.integer({ min: 20, max: 3000 }) }),
          (discs, ring, x1, y1, x2, y2, rank, pen, tiny) => {
            const log = new Log();
            const pb = at(x2, y2);
            const zones = discs.map(([x, y, r], k) => zone(`tz-${k}`, at(x, y), r));
            if (ring) zones.push(ringZone('tz-ring', pb, ring.inner, ring.inner + ring.width, ring.gap, ring.gapAt));
            log.append(...zones.map((z) => ({ type: 'threat.upserted' as const, zone: z })));
            router.init(log.picture);
            const a = router.snap(at(x1, y1), rank).snap;
            const b = router.snap(pb, rank).snap;
            if (!a || !b) return;
            const costs = router.costs[0];
            expect(costs.landmarks).toBeDefined();
            for (const penalty of [undefined, penaltyOf(graph, pen)]) {
              const { results, big, small } = searchAll(router, costs, rank, a, b, penalty, tiny);
              const cost = expectAllEqual(router, costs, rank, a, b, penalty, results);
              stats.queries++;
              if (small.nodes.length < big.nodes.length) stats.outsideTree++;
              if (cost === Infinity) {
                stats.unreachable++;
                // Answered "cut off" after a short search although the target edge is usable.
                router.searcher.route(costs, rank, a, b, penalty);
                if (costs.blocked[b.edge] === 0 && router.searcher.settled < 5000) stats.cutOff++;
              } else if (!penalty) {
                router.searcher.route(costs, rank, a, b);
                settled.landmarks += router.searcher.settled;
                router.searcher.route({ ...costs, landmarks: undefined }, rank, a, b);
                settled.straight += router.searcher.settled;
                router.searcher.route(costs, rank, a, b, undefined, big);
                settled.tree += router.searcher.settled;
              }
            }
          },
        ),
        { seed: SEED, numRuns: 40 },
      );
      router.init(new Log().picture);
      console.log(`heuristics property (Gothenburg): ${JSON.stringify(stats)}, nodes settled ${JSON.stringify(settled)}`);
      expect(stats.unreachable).toBeGreaterThan(3);
      expect(stats.cutOff).toBeGreaterThan(2);
      expect(stats.queries - stats.unreachable).toBeGreaterThan(30);
      expect(stats.outsideTree).toBeGreaterThan(30);
      // Bounds that changed nothing would pass the equalities: they must also save work.
      expect(settled.landmarks).toBeLessThan(0.7 * settled.straight);
      expect(settled.tree).toBeLessThan(0.7 * settled.landmarks);
    });
  });
});

describe('targetTree (Gothenburg)', () => {
  let router: Router;
  let graph: RoadGraph;
  beforeAll(() => {
    ({ router, graph } = loadedGothenburg);
  });

  it('exact base distances to the snapped point inside the tree; every node left out is at least `radius` away', () => {
    const [w, s, e, n] = graph.bbox;
    const d = graph.data;
    const seen = { cutByBudget: 0, cutByRadius: 0, whole: 0 };
    fc.assert(
      fc.property(unit, unit, fc.integer({ min: 10, max: 400 }), fc.integer({ min: 1, max: 3000 }), fc.nat(), (x, y, radius, maxNodes, pick) => {
        const b = router.snap([w + (0.2 + 0.6 * x) * (e - w), s + (0.2 + 0.6 * y) * (n - s)], 1).snap;
        if (!b) return;
        // A zone changes nothing: trees measure base costs, every zone and vehicle limit lifted.
        const log = new Log();
        log.append({ type: 'threat.upserted', zone: zone('tz-1', b.point, 200) });
        router.init(log.picture);
        const costs = router.costs[0];
        // Cut by radius, cut by node budget, and whole.
        const asked: [number, number][] = [
          [radius, 40_000],
          [Infinity, maxNodes],
          [Infinity, Number.MAX_SAFE_INTEGER],
        ];
        const trees = asked.map(([r, m]) => router.searcher.targetTree(costs, b, r, m));
        router.init(new Log().picture);
        // Oracle: backward Dijkstra from both ends of the target edge, seeded with the partial piece, direction ignored.
        const te = b.edge;
        const frac = d.edgeLenM[te] > 0 ? b.offsetM / d.edgeLenM[te] : 0;
        const extraFrom = costs.base[te] * frac;
        const extraTo = costs.base[te] * (1 - frac);
        const truth = dijkstra(graph, arcIndex(graph, true), (k) => costs.base[k], [
          [d.edgeFrom[te], extraFrom],
          [d.edgeTo[te], extraTo],
        ]);
        const reachable = truth.filter((t) => Number.isFinite(t)).length;
        trees.forEach((tree: TargetTree, j) => {
          const [askedRadius, askedNodes] = asked[j];
          expect(tree.nodes.length).toBe(tree.dist.length);
          expect(tree.nodes.length).toBeLessThanOrEqual(askedNodes);
          expect(new Set(tree.nodes).size).toBe(tree.nodes.length);
          const inTree = new Uint8Array(graph.nodeCount);
          for (let i = 0; i < tree.nodes.length; i++) {
            const v = tree.nodes[i];
            inTree[v] = 1;
            if (Math.abs(tree.dist[i] - truth[v]) > 1e-6) expect.fail(`tree.dist of node ${v} is ${tree.dist[i]}, true distance ${truth[v]}`);
            expect(tree.dist[i]).toBeLessThanOrEqual(askedRadius);
            expect(tree.dist[i]).toBeLessThanOrEqual(tree.radius);
          }
          for (let v = 0; v < graph.nodeCount; v++) {
            if (!inTree[v] && truth[v] < tree.radius - 1e-9) expect.fail(`node ${v} left out at ${truth[v]} < tree.radius ${tree.radius}`);
          }
          // Infinity says "nothing else reaches the point": then the tree holds every node that does.
          if (tree.radius === Infinity) expect(tree.nodes.length).toBe(reachable);
          // Not cut by its budget: it stopped beyond the radius asked for, or ran out of nodes.
          if (tree.nodes.length < askedNodes) expect(tree.radius === Infinity || tree.radius > askedRadius).toBe(true);
          if (tree.radius === Infinity) seen.whole++;
          else if (tree.nodes.length === askedNodes) seen.cutByBudget++;
          else seen.cutByRadius++;
        });
        // A few tree nodes against the helpers' plain Dijkstra, as "min over the end nodes T of D(v, T) + piece".
        const ones = plainCosts(graph, costs.base);
        const tree = trees[0];
        for (let k = 0; k < 3 && tree.nodes.length > 0; k++) {
          const i = (pick + k * 7919) % tree.nodes.length;
          const v = tree.nodes[i];
          const viaFrom = plainDijkstra(graph, ones, 0, v, d.edgeFrom[te]) + extraFrom;
          const viaTo = plainDijkstra(graph, ones, 0, v, d.edgeTo[te]) + extraTo;
          expect(Math.abs(tree.dist[i] - Math.min(viaFrom, viaTo))).toBeLessThan(1e-6);
        }
      }),
      { seed: SEED, numRuns: 10 },
    );
    console.log(`heuristics property (targetTree): ${JSON.stringify(seen)}`);
    expect(seen.cutByBudget).toBeGreaterThan(5);
    expect(seen.cutByRadius).toBeGreaterThan(5);
    expect(seen.whole).toBeGreaterThan(5);
  });
});

describe('target tree radius (Gothenburg)', () => {
  it('nodes outside a tree are bounded by its radius: a tree reaching 70 % of the cost saves most of the search', () => {
    const { router } = loadedGothenburg;
    const s = router.searcher;
    const costs = router.costs[0];
    const straight = { ...costs, landmarks: undefined };
    const a = router.snap([11.9487, 57.7], 1).snap!;
    const b = router.snap([12.005, 57.728], 1).snap!;
    const cost = s.route(straight, 1, a, b).cost;
    const alone = s.settled;
    const tree = s.targetTree(costs, b, 0.7 * cost, 40_000);
    // The start lies outside the tree: only the radius bound keeps the search from the whole ball.
    expect(tree.radius).toBeLessThan(cost);
    const r = s.route(straight, 1, a, b, undefined, tree);
    expect(close(r.cost, cost)).toBe(true);
    expect(s.settled).toBeLessThan(0.4 * alone);
  });
});

describe('target cut off (Gothenburg, through the Router)', () => {
  let router: Router;
  let graph: RoadGraph;
  // Järntorget → Gamlestaden, as in corridors.test.ts.
  const A: [number, number] = [11.9487, 57.7];
  const B: [number, number] = [12.005, 57.728];
  beforeAll(() => {
    ({ router, graph } = loadedGothenburg);
  });

  /** Inner radius of a ring whose hole holds the destination's whole road edge, so the search itself must answer. */
  function innerRadius(to: Snap): number {
    const far = Math.max(...graph.edgeCoords(to.edge).map(([x, y]) => haversineM(B[0], B[1], x, y)));
    return Math.max(150, far + 30);
  }

  it('a ring round the destination: no_safe_route after a short search, the ring in `touched`; lifting it restores the corridor', () => {
    const log = new Log();
    router.init(log.picture);
    const rank = 2; // 4wd, the convoy's class
    router.onEvents(log.append({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }), log.picture);
    expect(router.corridorOf('cv-1')?.status).toBe('ok');
    const from = router.snap(A, rank).snap!;
    const to = router.snap(B, rank).snap!;

    const inner = innerRadius(to);
    router.onEvents(log.append({ type: 'threat.upserted', zone: ringZone('tz-ring', B, inner, inner + 120) }), log.picture);
    expect(router.corridorOf('cv-1')?.status).toBe('no_safe_route');
    expect(router.corridorOf('cv-1')?.blockedBy).toEqual(['tz-ring']);

    const costs = router.costs[0];
    // The destination's own road is open: the search runs, and must stop early.
    expect(costs.blocked[to.edge]).toBe(0);
    expect(oracleCost(router, costs, rank, from, to)).toBe(Infinity);
    // A search that floods its side first, so `settled` below is this search's own figure.
    router.searcher.route({ ...costs, blocked: new Uint16Array(graph.edgeCount) }, rank, from, to);
    const r = router.searcher.route(costs, rank, from, to);
    expect(r.cost).toBe(Infinity);
    expect(graph.nodeCount).toBeGreaterThan(10_000);
    expect(router.searcher.settled).toBeGreaterThan(0);
    expect(router.searcher.settled).toBeLessThan(5000);
    // Same answer, as early, with the destination's target tree.
    const tree = router.searcher.targetTree(costs, to, 600, 40_000);
    expect(router.searcher.route(costs, rank, from, to, undefined, tree).cost).toBe(Infinity);
    expect(router.searcher.settled).toBeLessThan(5000);

    // Every marked edge entering what can still reach the destination was seen (what the walk met).
    const d = graph.data;
    const usable = (e: number) => (costs.blocked[e] > 0 || costs.rank[e] < rank ? Infinity : 1);
    const back = dijkstra(graph, arcIndex(graph, true), usable, [
      [d.edgeFrom[to.edge], 0],
      [d.edgeTo[to.edge], 0],
    ]);
    const touched = new Set(r.touched);
    const rev = arcIndex(graph, true);
    const expected = new Set<number>();
    for (let v = 0; v < graph.nodeCount; v++) {
      if (back[v] === Infinity) continue;
      for (let k = rev.start[v]; k < rev.start[v + 1]; k++) if (costs.marked[rev.edge[k]]) expected.add(rev.edge[k]);
    }
    expect(expected.size).toBeGreaterThan(0);
    for (const e of expected) expect(touched.has(e), `ring edge ${e} next to the destination not in touched`).toBe(true);
    // ... and they are the ring's blocked edges.
    for (const e of expected) expect(costs.blocked[e]).toBeGreaterThan(0);

    router.onEvents(log.append({ type: 'threat.removed', id: 'tz-ring', reason: 'deleted' }), log.picture);
    expect(router.corridorOf('cv-1')?.status).toBe('ok');
    expect(router.searcher.route(costs, rank, from, to).cost).toBeLessThan(Infinity);
    router.init(new Log().picture);
  });

  it('a ring with a gap is no cut: the corridor goes through the gap, at the least cost', () => {
    const log = new Log();
    router.init(log.picture);
    const rank = 2;
    const from = router.snap(A, rank).snap!;
    const to = router.snap(B, rank).snap!;
    router.onEvents(log.append({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }), log.picture);
    const before = router.corridorOf('cv-1')!.routes[0];
    // The gap faces where the unobstructed corridor enters the ring's middle circle.
    const inner = innerRadius(to);
    const mid = inner + 60;
    const entry = before.coordinates.find(([x, y]) => haversineM(B[0], B[1], x, y) <= mid)!;
    const ky = 111_320;
    const kx = ky * Math.cos((B[1] * Math.PI) / 180);
    const bearing = (Math.atan2((entry[0] - B[0]) * kx, (entry[1] - B[1]) * ky) * 180) / Math.PI;
    router.onEvents(log.append({ type: 'threat.upserted', zone: ringZone('tz-ring', B, inner, inner + 120, 60, bearing) }), log.picture);
    expect(router.corridorOf('cv-1')?.status).toBe('ok');
    expect(router.corridorOf('cv-1')!.routes[0].duration_s).toBeGreaterThanOrEqual(before.duration_s);
    const costs = router.costs[0];
    const r = router.searcher.route(costs, rank, from, to);
    expect(close(r.cost, oracleCost(router, costs, rank, from, to))).toBe(true);
    router.init(new Log().picture);
  });
});

describe('ends exactly on a node', () => {
  // Two snaps of the same point P1 must give the same answer. The zero-length piece "from P1 to P1"
  // goes nowhere, so a oneway=-1 edge must not stop a start at its offset 0 from leaving by W1.
  //
  //   P0 ======= P1 <------- P2        W1 = P0–P1 two-way; W2 = P1→P2 drawn, travelled P2→P1 (oneway=-1)
  //        x                            x: the destination, half-way along W1
  it('a start on a node, snapped to a oneway=-1 edge at offset 0, can still leave by another road', () => {
    const p = (i: number): [number, number] => [10 + i * 0.002, 50];
    const graph = buildRoadGraph([
      { id: 'way/1', highway: 'residential', coordinates: [p(0), p(1)], tags: { highway: 'residential' } },
      { id: 'way/2', highway: 'residential', coordinates: [p(1), p(2)], tags: { highway: 'residential', oneway: '-1' } },
    ]);
    const router = new Router(graph);
    const d = graph.data;
    expect([d.edgeFrom[0], d.edgeTo[0], d.edgeFrom[1]]).toEqual([0, 1, 1]);
    const onW1: Snap = { edge: 0, offsetM: d.edgeLenM[0], distanceM: 0, point: p(1) };
    const onW2: Snap = { edge: 1, offsetM: 0, distanceM: 0, point: p(1) };
    const to: Snap = { edge: 0, offsetM: d.edgeLenM[0] / 2, distanceM: 0, point: [10.001, 50] };
    const costs = router.costs[0];
    const expected = router.searcher.route(costs, 1, onW1, to).cost;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(Infinity);
    // Actual: Infinity.
    expect(router.searcher.route(costs, 1, onW2, to).cost).toBeCloseTo(expected, 9);
  });
});

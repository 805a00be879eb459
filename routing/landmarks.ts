// Landmark lower bounds (ALT: A*, landmarks, triangle inequality) for the time weight, prepared once
// per graph and cached with it, so re-routing after a zone settles a corridor, not a third of the city.
//
//        L                 For any landmark L and travel times d(·,·) that can only grow (zones
//       / \                block, danger and restriction multiply by ≥ 1, alternatives penalise by
//      /   \               ≥ 1), the triangle inequality gives two lower bounds of d(v, t):
//     v ---- t               d(v, t) ≥ d(L, t) − d(L, v)      and      d(v, t) ≥ d(v, L) − d(t, L).
//
// Distances are computed on the plain base times (length / speed), every road allowed whatever
// its status or vehicle rank, one-way streets respected: the least any query can pay.
import type { RoadGraph } from './road-graph.js';
import { Searcher } from './search.js';

/** Distances between every node and a few landmark nodes, seconds (node-major: `v * count + l`). */
export interface Landmarks {
  /** Landmark node ids. */
  nodes: Int32Array;
  /** `fromL[v * count + l]`: base travel time from landmark l to node v; Infinity when unreachable. */
  fromL: Float64Array;
  /** `toL[v * count + l]`: base travel time from node v to landmark l; Infinity when unreachable. */
  toL: Float64Array;
}

/**
 * A graph's landmark tables: those stored with it (from its cache file), or computed now and kept
 * in its data so the cache writer stores them.
 */
export function landmarksOf(graph: RoadGraph): Landmarks {
  const d = graph.data;
  if (!d.lmNodes || !d.lmFromL || !d.lmToL) {
    const lm = computeLandmarks(graph);
    d.lmNodes = lm.nodes;
    d.lmFromL = lm.fromL;
    d.lmToL = lm.toL;
  }
  return { nodes: d.lmNodes, fromL: d.lmFromL!, toL: d.lmToL! };
}

/** Landmarks per graph: 16 bound a city network well (the usual figure in the ALT literature). */
export const LANDMARK_COUNT = 16;

/**
 * Picks landmarks by the farthest method (each new one the node farthest by travel time from those
 * already chosen, within the largest strongly connected part) and computes both distance tables.
 * @example const lm = computeLandmarks(graph); lm.nodes.length // 16 (fewer on tiny graphs)
 */
export function computeLandmarks(graph: RoadGraph, count = LANDMARK_COUNT): Landmarks {
  const n = graph.nodeCount;
  const base = baseTimes(graph);
  const searcher = new Searcher(graph);
  const k = Math.max(0, Math.min(count, n));
  const nodes: number[] = [];
  const fromCols: Float64Array[] = [];
  const toCols: Float64Array[] = [];
  // Landmarks come from the largest strongly connected part (both ways reachable from a seed): a
  // node only reachable one way (a one-way spur, an island) would look "far" and bound nothing.
  const core = largestCore(graph, searcher, base);
  if (core && k > 0) {
    const nearest = new Float64Array(n).fill(Infinity);
    let next = farthest(core.seedFrom, core.member, new Set());
    while (nodes.length < k && next >= 0) {
      nodes.push(next);
      const from = dijkstra(searcher, base, next, false);
      const to = dijkstra(searcher, base, next, true);
      fromCols.push(from);
      toCols.push(to);
      // "Far" means far both ways, so one-way detours do not attract every landmark.
      for (let v = 0; v < n; v++) nearest[v] = Math.min(nearest[v], from[v], to[v]);
      next = farthest(nearest, core.member, new Set(nodes));
    }
  }
  const m = nodes.length;
  const fromL = new Float64Array(n * m);
  const toL = new Float64Array(n * m);
  for (let l = 0; l < m; l++) {
    const f = fromCols[l];
    const t = toCols[l];
    for (let v = 0; v < n; v++) {
      fromL[v * m + l] = f[v];
      toL[v * m + l] = t[v];
    }
  }
  return { nodes: Int32Array.from(nodes), fromL, toL };
}

/** Node of `member` with the largest finite value of `score` (ties: lowest id), not in `skip`; -1 when none. */
function farthest(score: Float64Array, member: Uint8Array, skip: Set<number>): number {
  let best = -1;
  let bestD = -1;
  for (let v = 0; v < score.length; v++) {
    const d = score[v];
    if (member[v] && Number.isFinite(d) && d > bestD && !skip.has(v)) {
      bestD = d;
      best = v;
    }
  }
  return best;
}

/**
 * The largest strongly connected part found from up to 8 seeds spread over the node list: its
 * members, and travel times from the seed that found it. Null on a graph without roads.
 */
function largestCore(graph: RoadGraph, searcher: Searcher, base: Float64Array): { member: Uint8Array; seedFrom: Float64Array } | null {
  const n = graph.nodeCount;
  let best: { member: Uint8Array; seedFrom: Float64Array; size: number } | null = null;
  for (let i = 0; i < 8; i++) {
    let seed = Math.floor((i * n) / 8);
    while (seed < n && graph.adjStart[seed + 1] === graph.adjStart[seed]) seed++;
    if (seed >= n || best?.member[seed]) continue;
    const from = dijkstra(searcher, base, seed, false);
    const to = dijkstra(searcher, base, seed, true);
    const member = new Uint8Array(n);
    let size = 0;
    for (let v = 0; v < n; v++) {
      if (Number.isFinite(from[v]) && Number.isFinite(to[v])) {
        member[v] = 1;
        size++;
      }
    }
    if (!best || size > best.size) best = { member, seedFrom: from, size };
    if (size > n / 2) break;
  }
  return best;
}

/** Base travel time per edge, seconds: the least any overlay or vehicle can make it cost. */
function baseTimes(graph: RoadGraph): Float64Array {
  const d = graph.data;
  const out = new Float64Array(graph.edgeCount);
  for (let e = 0; e < graph.edgeCount; e++) out[e] = d.edgeLenM[e] / d.edgeSpeedMps[e];
  return out;
}

/** Base travel times from (or, `backward`, towards) one node to every other; Infinity where unreached. */
function dijkstra(searcher: Searcher, base: Float64Array, source: number, backward: boolean): Float64Array {
  const dist = new Float64Array(searcher.nodes).fill(Infinity);
  searcher.sweep(base, [source, 0], backward, Infinity, Infinity, (v, d) => {
    dist[v] = d;
  });
  return dist;
}

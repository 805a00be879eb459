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

/** Distances between every node and a few landmark nodes, seconds (node-major: `v * count + l`). */
export interface Landmarks {
  /** Landmark node ids. */
  nodes: Int32Array;
  /** `fromL[v * count + l]`: base travel time from landmark l to node v; Infinity when unreachable. */
  fromL: Float64Array;
  /** `toL[v * count + l]`: base travel time from node v to landmark l; Infinity when unreachable. */
  toL: Float64Array;
}

/** Landmarks per graph: 16 bound a city network well (the usual figure in the ALT literature). */
export const LANDMARK_COUNT = 16;

/**
 * Picks landmarks by the farthest method (each new one the node farthest by travel time from those
 * already chosen, within the component the first one reaches) and computes both distance tables.
 * @example const lm = computeLandmarks(graph); lm.nodes.length // 16 (fewer on tiny graphs)
 */
export function computeLandmarks(graph: RoadGraph, count = LANDMARK_COUNT): Landmarks {
  const n = graph.nodeCount;
  const base = baseTimes(graph);
  const reverse = graph.inArcs;
  const k = Math.max(0, Math.min(count, n));
  const nodes: number[] = [];
  const fromCols: Float64Array[] = [];
  const toCols: Float64Array[] = [];
  // Landmarks come from the largest strongly connected part (both ways reachable from a seed): a
  // node only reachable one way (a one-way spur, an island) would look "far" and bound nothing.
  const core = largestCore(graph, base, reverse);
  if (core && k > 0) {
    const nearest = new Float64Array(n).fill(Infinity);
    let next = farthest(core.seedFrom, core.member, new Set());
    while (nodes.length < k && next >= 0) {
      nodes.push(next);
      const from = dijkstra(graph, base, reverse, next, false);
      const to = dijkstra(graph, base, reverse, next, true);
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
function largestCore(graph: RoadGraph, base: Float64Array, reverse: { start: Int32Array; arcs: Int32Array }): { member: Uint8Array; seedFrom: Float64Array } | null {
  const n = graph.nodeCount;
  let best: { member: Uint8Array; seedFrom: Float64Array; size: number } | null = null;
  for (let i = 0; i < 8; i++) {
    let seed = Math.floor((i * n) / 8);
    while (seed < n && graph.adjStart[seed + 1] === graph.adjStart[seed]) seed++;
    if (seed >= n || best?.member[seed]) continue;
    const from = dijkstra(graph, base, reverse, seed, false);
    const to = dijkstra(graph, base, reverse, seed, true);
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

/** Plain Dijkstra from (or, `backward`, towards) one node over base times; Infinity where unreached. */
function dijkstra(graph: RoadGraph, base: Float64Array, reverse: { start: Int32Array; arcs: Int32Array }, source: number, backward: boolean): Float64Array {
  const n = graph.nodeCount;
  const d = graph.data;
  const dist = new Float64Array(n).fill(Infinity);
  const done = new Uint8Array(n);
  const start = backward ? reverse.start : graph.adjStart;
  const arcs = backward ? reverse.arcs : graph.adjArc;
  let keys = new Float64Array(1024);
  let items = new Int32Array(1024);
  let size = 0;
  const push = (v: number, key: number) => {
    if (size === keys.length) {
      const k2 = new Float64Array(size * 2);
      k2.set(keys);
      keys = k2;
      const i2 = new Int32Array(size * 2);
      i2.set(items);
      items = i2;
    }
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      keys[i] = keys[p];
      items[i] = items[p];
      i = p;
    }
    keys[i] = key;
    items[i] = v;
  };
  const pop = () => {
    const top = items[0];
    const key = keys[--size];
    const item = items[size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && keys[c + 1] < keys[c]) c++;
      if (keys[c] >= key) break;
      keys[i] = keys[c];
      items[i] = items[c];
      i = c;
    }
    keys[i] = key;
    items[i] = item;
    return top;
  };
  dist[source] = 0;
  push(source, 0);
  while (size > 0) {
    const u = pop();
    if (done[u]) continue;
    done[u] = 1;
    const du = dist[u];
    for (let k = start[u]; k < start[u + 1]; k++) {
      const arc = arcs[k];
      const e = arc >> 1;
      // Forward: the arc leaves u; backward: the arc enters u, so its tail is the neighbour.
      const v = (arc & 1) === (backward ? 1 : 0) ? d.edgeTo[e] : d.edgeFrom[e];
      const nd = du + base[e];
      if (nd < dist[v]) {
        dist[v] = nd;
        push(v, nd);
      }
    }
  }
  return dist;
}

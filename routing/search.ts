// Compact A* over the prepared graph's typed arrays: the router's production search (ngraph.path is
// kept as the test oracle, as the issue asks, since it measured 5-7x slower here; see docs/bench-routing.md).
import type { Landmarks } from './landmarks.js';
import { EARTH_RADIUS_M, type RoadGraph, type Snap } from './road-graph.js';

const RAD = Math.PI / 180;

/** Per-edge costs and closures the search reads; the router keeps them current as overlays. */
export interface EdgeCosts {
  /** Base cost per edge: seconds (`time`) or metres (`distance`). */
  base: Float64Array;
  /** Multiplier ≥ 1 per edge (restricted roads, danger zones). */
  factor: Float64Array;
  /** > 0: the edge is impassable (no-go zones, closed constraints). */
  blocked: Uint16Array;
  /** Heaviest vehicle rank per edge (0..5); the query's rank must not exceed it. */
  rank: Uint8Array;
  /** 1 for edges any overlay touches: crossing them is recorded in {@link SearchResult.touched}. */
  marked: Uint8Array;
  /** Lower bound of cost per metre of straight line (1/maxSpeed for time, 1 for distance). */
  heuristicPerM: number;
  /**
   * Landmark distances in the same unit as `base`, when every cost is at least `base` (factors and
   * penalties ≥ 1): the search then takes the larger of the straight-line and landmark bounds.
   */
  landmarks?: Landmarks;
}

/**
 * Exact base-cost distances to one target point from every node within `radius` of it (a backward
 * search with every zone and vehicle limit lifted): the tightest lower bound a search towards that
 * point can use while costs never fall below base. Standing corridors keep one per destination, so
 * re-routing after a zone explores the detour, not the city (see Router).
 */
export interface TargetTree {
  nodes: Int32Array;
  /** `dist[i]`: base cost from `nodes[i]` to the target point. */
  dist: Float64Array;
  /** Every node not in the tree is at least this far (the search stopped here or ran out of nodes). */
  radius: number;
}

/**
 * Base cost from each end node of edge `te` to the point `offsetM` along it, direction ignored: a
 * lower bound of what the last piece of a path costs (bounds only, never a path's real cost).
 */
function baseExtras(costs: EdgeCosts, len: number, te: number, offsetM: number): [number, number] {
  const frac = len > 0 ? offsetM / len : 0;
  return [costs.base[te] * frac, costs.base[te] * (1 - frac)];
}

/** Settled nodes before a search first checks whether its target is cut off (doubling after). */
const CUT_CHECK_FIRST = 512;

/** Most landmarks a search uses; on Gothenburg all 16 settled fewest nodes (4 or 8 saved no time). Those bounding nothing at the start are left out. */
const ACTIVE_LANDMARKS = 16;

/** A piece of a path: edge `edge` walked from offset `fromM` to `toM` (metres from its `from` node). */
export interface PathPiece {
  edge: number;
  fromM: number;
  toM: number;
}

export interface SearchResult {
  /** Total cost (seconds or metres, with factors and penalties), or Infinity when unreachable. */
  cost: number;
  pieces: PathPiece[];
  /** Marked edges the search relaxed or stood on (blocked ones included): what it "saw" of the overlays. */
  touched: number[];
}

/**
 * Reusable A* state for one graph (typed arrays, a generation stamp instead of clearing, a lazy
 * binary heap). Not reentrant: one search at a time, which is how the synchronous router uses it.
 */
export class Searcher {
  private readonly g: RoadGraph;
  private readonly dist: Float64Array;
  /** Heuristic of each node opened by the current search (valid where `stamp` is the search's). */
  private readonly hOf: Float64Array;
  private readonly prevArc: Int32Array;
  private readonly stamp: Uint32Array;
  private readonly closed: Uint32Array;
  private readonly edgeStamp: Uint32Array;
  private readonly targetExtra: Float64Array;
  private readonly targetStamp: Uint32Array;
  private gen = 0;
  /** Current target as a unit vector, and metres-to-cost scale of the heuristic. */
  private tx = 0;
  private ty = 0;
  private tz = 0;
  private hScale = 0;
  private touched: number[] = [];
  private heapKey: Float64Array;
  private heapNode: Int32Array;
  private heapSize = 0;
  /** Active landmarks of the current search: table rows, and their per-target constants (see setLandmarks). */
  private lmCount = 0;
  private lmStride = 0;
  private readonly lmCol = new Int32Array(ACTIVE_LANDMARKS);
  private readonly lmA = new Float64Array(ACTIVE_LANDMARKS);
  private readonly lmB = new Float64Array(ACTIVE_LANDMARKS);
  private lmFrom: Float64Array | null = null;
  private lmTo: Float64Array | null = null;
  /** The target tree scattered into `treeDist` (nodes stamped `treeId`), and its radius. */
  private readonly treeDist: Float64Array;
  private readonly treeStamp: Uint32Array;
  private treeId = 0;
  private treeOf: TargetTree | null = null;
  private useTree = false;
  private treeRadius = 0;
  /** Target nodes of the current search, and the backward walk's state (see targetCutOff). */
  private targetNodes: number[] = [];
  private readonly backStamp: Uint32Array;
  private readonly backQueue: Int32Array;
  private backGen = 0;
  /** Nodes settled by the last search (for the benchmark's work figures). */
  settled = 0;

  /** Nodes of the graph searched. */
  get nodes(): number {
    return this.g.nodeCount;
  }

  constructor(graph: RoadGraph) {
    this.g = graph;
    const n = graph.nodeCount;
    this.dist = new Float64Array(n);
    this.hOf = new Float64Array(n);
    this.prevArc = new Int32Array(n);
    this.stamp = new Uint32Array(n);
    this.closed = new Uint32Array(n);
    this.edgeStamp = new Uint32Array(graph.edgeCount);
    this.targetExtra = new Float64Array(n);
    this.targetStamp = new Uint32Array(n);
    this.heapKey = new Float64Array(1024);
    this.heapNode = new Int32Array(1024);
    this.backStamp = new Uint32Array(n);
    this.backQueue = new Int32Array(n);
    this.treeDist = new Float64Array(n);
    this.treeStamp = new Uint32Array(n);
  }

  /** Cost of walking an edge between two offsets (metres), or Infinity when not allowed. */
  pieceCost(costs: EdgeCosts, vehicleRank: number, edge: number, fromM: number, toM: number, penalty?: Float64Array): number {
    const d = this.g.data;
    if (costs.blocked[edge] > 0 || costs.rank[edge] < vehicleRank) return Infinity;
    // A piece of no length (an end exactly on a node) goes nowhere: one-way does not apply.
    const dir = toM >= fromM ? 1 : 2;
    if (toM !== fromM && !(d.edgeDir[edge] & dir)) return Infinity;
    const len = d.edgeLenM[edge];
    const frac = len > 0 ? Math.abs(toM - fromM) / len : 0;
    return costs.base[edge] * costs.factor[edge] * (penalty ? penalty[edge] : 1) * frac;
  }

  /**
   * Least-cost path between two snapped points. `penalty` multiplies edge costs (alternatives);
   * `tree` is the target's tree (heuristic); a path costing `maxCost` or more counts as none, so a
   * search that cannot find anything cheaper stops there. Ends on a blocked or vehicle-barred edge
   * cannot be left or reached.
   */
  route(costs: EdgeCosts, vehicleRank: number, from: Snap, to: Snap, penalty?: Float64Array, tree?: TargetTree, maxCost = Infinity): SearchResult {
    const g = this.g;
    const d = g.data;
    const gen = ++this.gen;
    const touched: number[] = [];
    this.touched = touched;
    this.targetNodes = [];
    this.settled = 0;
    for (const e of [from.edge, to.edge]) {
      if (costs.marked[e] && this.edgeStamp[e] !== gen) {
        this.edgeStamp[e] = gen;
        touched.push(e);
      }
    }
    const tLon = to.point[0] * RAD;
    const tLat = to.point[1] * RAD;
    this.tx = Math.cos(tLat) * Math.cos(tLon);
    this.ty = Math.cos(tLat) * Math.sin(tLon);
    this.tz = Math.sin(tLat);
    this.hScale = EARTH_RADIUS_M * costs.heuristicPerM;
    // Best complete path so far: a direct walk when both ends are on the same edge.
    let best = Infinity;
    let bestNode = -1;
    let direct: PathPiece | null = null;
    if (from.edge === to.edge) {
      const c = this.pieceCost(costs, vehicleRank, from.edge, from.offsetM, to.offsetM, penalty);
      if (c < best && c < maxCost) {
        best = c;
        direct = { edge: from.edge, fromM: from.offsetM, toM: to.offsetM };
      }
    }
    // Target: the two end nodes of the target edge, with the cost of the last partial piece.
    const te = to.edge;
    const tLen = d.edgeLenM[te];
    const toFrom = this.pieceCost(costs, vehicleRank, te, 0, to.offsetM, penalty);
    const toTo = this.pieceCost(costs, vehicleRank, te, tLen, to.offsetM, penalty);
    if (toFrom < Infinity) this.setTarget(d.edgeFrom[te], toFrom, gen);
    if (toTo < Infinity) this.setTarget(d.edgeTo[te], toTo, gen);
    if (this.targetNodes.length === 0 && best === Infinity) return { cost: Infinity, pieces: [], touched };
    this.heapSize = 0;
    const se = from.edge;
    const sLen = d.edgeLenM[se];
    const startFrom = this.pieceCost(costs, vehicleRank, se, from.offsetM, 0, penalty);
    const startTo = this.pieceCost(costs, vehicleRank, se, from.offsetM, sLen, penalty);
    // Landmark constants from base costs to the target point, so they never exceed the tree's figures.
    const [bxFrom, bxTo] = baseExtras(costs, d.edgeLenM[te], te, to.offsetM);
    this.setLandmarks(
      costs,
      [d.edgeFrom[te], bxFrom, d.edgeTo[te], bxTo],
      [startFrom < Infinity ? d.edgeFrom[se] : -1, startTo < Infinity ? d.edgeTo[se] : -1],
    );
    this.setTree(tree);
    // prevArc -2 / -3: reached straight from the start point towards the edge's from / to node.
    if (startFrom < Infinity) this.open(d.edgeFrom[se], startFrom, -2, gen);
    if (startTo < Infinity) this.open(d.edgeTo[se], startTo, -3, gen);
    const found = this.run(costs, vehicleRank, gen, Math.min(best, maxCost), penalty);
    if (found.node >= 0) {
      best = found.cost;
      bestNode = found.node;
      direct = null;
    }
    if (best === Infinity) return { cost: Infinity, pieces: [], touched };
    if (direct) return { cost: best, pieces: [direct], touched };
    const pieces: PathPiece[] = [];
    const tn = bestNode;
    pieces.push(
      tn === d.edgeFrom[te] && this.targetExtra[tn] === toFrom
        ? { edge: te, fromM: 0, toM: to.offsetM }
        : { edge: te, fromM: tLen, toM: to.offsetM },
    );
    let n = tn;
    for (;;) {
      const arc = this.prevArc[n];
      if (arc === -2) {
        pieces.push({ edge: se, fromM: from.offsetM, toM: 0 });
        break;
      }
      if (arc === -3) {
        pieces.push({ edge: se, fromM: from.offsetM, toM: sLen });
        break;
      }
      const e = arc >> 1;
      const len = d.edgeLenM[e];
      pieces.push(arc & 1 ? { edge: e, fromM: len, toM: 0 } : { edge: e, fromM: 0, toM: len });
      n = arc & 1 ? d.edgeTo[e] : d.edgeFrom[e];
    }
    pieces.reverse();
    return { cost: best, pieces, touched };
  }

  /**
   * Least cost between two nodes (no partial edges), and the arcs of the path: the form the
   * oracle tests compare against plain Dijkstra and ngraph.path.
   */
  routeNodes(costs: EdgeCosts, vehicleRank: number, from: number, to: number): { cost: number; arcs: number[] } {
    const gen = ++this.gen;
    const xyz = this.g.nodeXyz;
    this.hScale = EARTH_RADIUS_M * costs.heuristicPerM;
    this.tx = xyz[3 * to];
    this.ty = xyz[3 * to + 1];
    this.tz = xyz[3 * to + 2];
    this.touched = [];
    this.targetNodes = [];
    this.setTarget(to, 0, gen);
    this.setLandmarks(costs, [to, 0], [from]);
    this.setTree(undefined);
    this.heapSize = 0;
    this.open(from, 0, -2, gen);
    const found = this.run(costs, vehicleRank, gen, Infinity);
    if (found.node < 0) return { cost: Infinity, arcs: [] };
    const arcs: number[] = [];
    for (let n = to; this.prevArc[n] >= 0; ) {
      const arc = this.prevArc[n];
      arcs.push(arc);
      const e = arc >> 1;
      n = arc & 1 ? this.g.data.edgeTo[e] : this.g.data.edgeFrom[e];
    }
    return { cost: found.cost, arcs: arcs.reverse() };
  }

  /** The A* loop: settles nodes until no open node can beat `best`; returns the best target reached. */
  private run(
    costs: EdgeCosts,
    vehicleRank: number,
    gen: number,
    bestSoFar: number,
    penalty?: Float64Array,
  ): { cost: number; node: number } {
    const g = this.g;
    const d = g.data;
    let best = bestSoFar;
    let bestNode = -1;
    const { adjStart, adjArc } = g;
    const { base, factor, blocked, rank, marked } = costs;
    const edgeStamp = this.edgeStamp;
    const touched = this.touched;
    let settled = 0;
    const dist = this.dist;
    const stamp = this.stamp;
    const closed = this.closed;
    const hOf = this.hOf;
    const { edgeFrom, edgeTo } = d;
    // With no path found yet, check now and then whether the target is cut off (see targetCutOff).
    let nextCheck = CUT_CHECK_FIRST;
    while (this.heapSize > 0) {
      const key = this.heapKey[0];
      const u = this.pop();
      if (key >= best) break;
      if (settled >= nextCheck && bestNode < 0) {
        if (this.targetCutOff(costs, vehicleRank, gen, settled)) break;
        nextCheck *= 2;
      }
      if (closed[u] === gen) continue;
      closed[u] = gen;
      settled++;
      const du = dist[u];
      if (this.targetStamp[u] === gen) {
        const c = du + this.targetExtra[u];
        if (c < best) {
          best = c;
          bestNode = u;
        }
      }
      for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
        const arc = adjArc[k];
        const e = arc >> 1;
        if (marked[e] && edgeStamp[e] !== gen) {
          edgeStamp[e] = gen;
          touched.push(e);
        }
        if (blocked[e] > 0 || rank[e] < vehicleRank) continue;
        const v = arc & 1 ? edgeFrom[e] : edgeTo[e];
        if (closed[v] === gen) continue;
        const nd = du + base[e] * factor[e] * (penalty ? penalty[e] : 1);
        if (stamp[v] === gen) {
          if (nd >= dist[v]) continue;
          // Reached again, cheaper: the heuristic is the same as when it was first opened.
          dist[v] = nd;
          this.prevArc[v] = arc;
          this.push(v, nd + hOf[v]);
        } else {
          this.open(v, nd, arc, gen);
        }
      }
    }
    this.settled = settled;
    return { cost: best, node: bestNode };
  }

  /**
   * Whether the target is cut off from everything the forward search has reached: a breadth-first
   * walk backwards from the target nodes over usable arcs (same closures and vehicle limits), at most
   * `budget` nodes, that runs out of nodes without meeting the forward search. Without it a search
   * towards an encircled target would flood the whole network before answering "unreachable".
   * The marked edges it meets join `touched`, so lifting what encircles the target re-routes.
   */
  private targetCutOff(costs: EdgeCosts, vehicleRank: number, gen: number, budget: number): boolean {
    const d = this.g.data;
    const { start, arcs } = this.g.inArcs;
    const { blocked, rank, marked } = costs;
    const bgen = ++this.backGen;
    const queue = this.backQueue;
    let head = 0;
    let tail = 0;
    for (const t of this.targetNodes) {
      if (this.backStamp[t] === bgen) continue;
      if (this.stamp[t] === gen) return false;
      this.backStamp[t] = bgen;
      queue[tail++] = t;
    }
    while (head < tail) {
      if (tail > budget) return false;
      const v = queue[head++];
      for (let k = start[v]; k < start[v + 1]; k++) {
        const arc = arcs[k];
        const e = arc >> 1;
        if (marked[e] && this.edgeStamp[e] !== gen) {
          this.edgeStamp[e] = gen;
          this.touched.push(e);
        }
        if (blocked[e] > 0 || rank[e] < vehicleRank) continue;
        const u = arc & 1 ? d.edgeTo[e] : d.edgeFrom[e];
        if (this.backStamp[u] === bgen) continue;
        if (this.stamp[u] === gen) return false;
        this.backStamp[u] = bgen;
        queue[tail++] = u;
      }
    }
    return true;
  }

  private setTarget(node: number, extra: number, gen: number): void {
    this.targetNodes.push(node);
    if (this.targetStamp[node] !== gen || extra < this.targetExtra[node]) {
      this.targetStamp[node] = gen;
      this.targetExtra[node] = extra;
    }
  }

  /** Makes `tree` the heuristic of the next searches (scattered once, kept while it stays the same). */
  private setTree(tree: TargetTree | undefined): void {
    this.useTree = tree !== undefined;
    if (!tree || tree === this.treeOf) return;
    const id = ++this.treeId;
    for (let i = 0; i < tree.nodes.length; i++) {
      this.treeStamp[tree.nodes[i]] = id;
      this.treeDist[tree.nodes[i]] = tree.dist[i];
    }
    this.treeOf = tree;
    this.treeRadius = tree.radius;
  }

  /**
   * Base-cost distances to a snapped point from the nodes within `radius` of it, at most `maxNodes`
   * of them (Dijkstra over arcs backwards; zones, penalties and vehicle limits ignored, so each
   * figure is a lower bound of any search's cost from that node).
   */
  targetTree(costs: EdgeCosts, to: Snap, radius: number, maxNodes: number): TargetTree {
    const d = this.g.data;
    const te = to.edge;
    const [bxFrom, bxTo] = baseExtras(costs, d.edgeLenM[te], te, to.offsetM);
    const nodes: number[] = [];
    const dist: number[] = [];
    const reach = this.sweep(costs.base, [d.edgeFrom[te], bxFrom, d.edgeTo[te], bxTo], true, radius, maxNodes, (u, du) => {
      nodes.push(u);
      dist.push(du);
    });
    return { nodes: Int32Array.from(nodes), dist: Float64Array.from(dist), radius: reach };
  }

  /**
   * Plain Dijkstra over `base` costs (no overlays, no vehicle limits) from seeds `[node, cost, …]`,
   * along arcs or (`backward`) against them, settling nodes within `radius`, at most `maxNodes` of them;
   * `visit` gets each settled node and its distance in order. Returns how far every node left out is
   * at least: Infinity when nothing more is reachable.
   */
  sweep(
    base: Float64Array,
    seeds: number[],
    backward: boolean,
    radius: number,
    maxNodes: number,
    visit: (node: number, dist: number) => void,
  ): number {
    const d = this.g.data;
    const { start, arcs } = backward ? this.g.inArcs : { start: this.g.adjStart, arcs: this.g.adjArc };
    const gen = ++this.gen;
    this.heapSize = 0;
    const { stamp, closed } = this;
    const dist = this.dist;
    const reach = (v: number, c: number) => {
      if (stamp[v] === gen && c >= dist[v]) return;
      stamp[v] = gen;
      dist[v] = c;
      this.push(v, c);
    };
    for (let i = 0; i < seeds.length; i += 2) reach(seeds[i], seeds[i + 1]);
    let settled = 0;
    while (this.heapSize > 0) {
      const key = this.heapKey[0];
      const u = this.pop();
      if (closed[u] === gen) continue;
      if (key > radius || settled >= maxNodes) return key;
      closed[u] = gen;
      settled++;
      visit(u, key);
      for (let k = start[u]; k < start[u + 1]; k++) {
        const arc = arcs[k];
        const e = arc >> 1;
        // Forward: the arc leaves u, its head is the neighbour; backward: it enters u, its tail is.
        const v = (arc & 1) === (backward ? 1 : 0) ? d.edgeTo[e] : d.edgeFrom[e];
        if (closed[v] !== gen) reach(v, key + base[e]);
      }
    }
    return Infinity;
  }

  /**
   * Chooses the landmarks for a search. With targets T (cost `extra_T` from T to the target point)
   * and base distances d, the target is at least `A_l − fromL[v]` and `toL[v] − B_l` away from v, where
   * `A_l = min_T (fromL[T] + extra_T)` and `B_l = max_T (toL[T] − extra_T)` (triangle inequality;
   * each is a feasible potential, so the bound stays consistent). Keeps the landmarks that bound
   * the start nodes best. `targets` is [node, extra, node, extra…]; Infinity extras and -1 starts are skipped.
   */
  private setLandmarks(costs: EdgeCosts, targets: number[], starts: number[]): void {
    this.lmCount = 0;
    const lm = costs.landmarks;
    if (!lm || lm.nodes.length === 0) return;
    const k = lm.nodes.length;
    const { fromL, toL } = lm;
    const score: number[] = [];
    const as: number[] = [];
    const bs: number[] = [];
    for (let l = 0; l < k; l++) {
      let a = Infinity;
      let b = -Infinity;
      for (let i = 0; i < targets.length; i += 2) {
        const t = targets[i];
        const extra = targets[i + 1];
        if (!(extra < Infinity)) continue;
        a = Math.min(a, fromL[t * k + l] + extra);
        b = Math.max(b, toL[t * k + l] - extra);
      }
      let sc = 0;
      for (const s of starts) {
        if (s < 0) continue;
        const x = Math.max(a - fromL[s * k + l], toL[s * k + l] - b);
        if (x > sc) sc = x;
      }
      score.push(sc);
      as.push(a);
      bs.push(b);
    }
    const order = score.map((_, l) => l).sort((x, y) => score[y] - score[x] || x - y);
    for (const l of order.slice(0, ACTIVE_LANDMARKS)) {
      if (!(score[l] > 0)) break;
      this.lmCol[this.lmCount] = l;
      this.lmA[this.lmCount] = as[l];
      this.lmB[this.lmCount] = bs[l];
      this.lmCount++;
    }
    this.lmStride = k;
    this.lmFrom = fromL;
    this.lmTo = toL;
  }

  /**
   * Lower bound from a node to the current target, in cost units: the straight line at top speed,
   * raised by the active landmarks' bounds (NaN terms, from unreachable landmarks, never win).
   */
  private heuristic(n: number): number {
    if (this.useTree && this.treeStamp[n] === this.treeId) return this.treeDist[n];
    const xyz = this.g.nodeXyz;
    const dx = xyz[3 * n] - this.tx;
    const dy = xyz[3 * n + 1] - this.ty;
    const dz = xyz[3 * n + 2] - this.tz;
    let h = Math.sqrt(dx * dx + dy * dy + dz * dz) * this.hScale;
    if (this.useTree && this.treeRadius > h) h = this.treeRadius;
    const count = this.lmCount;
    if (count > 0) {
      const row = n * this.lmStride;
      const from = this.lmFrom!;
      const to = this.lmTo!;
      for (let i = 0; i < count; i++) {
        const col = row + this.lmCol[i];
        const a = this.lmA[i] - from[col];
        if (a > h) h = a;
        const b = to[col] - this.lmB[i];
        if (b > h) h = b;
      }
    }
    return h;
  }

  private open(v: number, cost: number, arc: number, gen: number): void {
    if (this.stamp[v] === gen) {
      if (cost >= this.dist[v]) return;
      this.dist[v] = cost;
      this.prevArc[v] = arc;
      this.push(v, cost + this.hOf[v]);
      return;
    }
    this.stamp[v] = gen;
    this.dist[v] = cost;
    this.prevArc[v] = arc;
    const h = this.heuristic(v);
    this.hOf[v] = h;
    this.push(v, cost + h);
  }

  private push(node: number, key: number): void {
    if (this.heapSize === this.heapKey.length) {
      const k = new Float64Array(this.heapSize * 2);
      k.set(this.heapKey);
      const n = new Int32Array(this.heapSize * 2);
      n.set(this.heapNode);
      this.heapKey = k;
      this.heapNode = n;
    }
    const keys = this.heapKey;
    const nodes = this.heapNode;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      keys[i] = keys[p];
      nodes[i] = nodes[p];
      i = p;
    }
    keys[i] = key;
    nodes[i] = node;
  }

  private pop(): number {
    const keys = this.heapKey;
    const nodes = this.heapNode;
    const top = nodes[0];
    const size = --this.heapSize;
    if (size > 0) {
      const key = keys[size];
      const node = nodes[size];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && keys[c + 1] < keys[c]) c++;
        if (keys[c] >= key) break;
        keys[i] = keys[c];
        nodes[i] = nodes[c];
        i = c;
      }
      keys[i] = key;
      nodes[i] = node;
    }
    return top;
  }
}

// The router (routing/): ties the prepared graph, its overlays (overlays.ts) and havens (havens.ts)
// together; answers route queries and keeps every convoy's corridor current, recomputing only what
// a change can affect (impact.ts), each with its structured reason (reasons.ts).
import { formatDistance, mayUse, reasonText, routeKey, type Convoy, type Corridor, type Haven, type Picture, type PictureEvent, type ReasonNames, type RouteLeg, type VehicleClass, type ZoneRef } from '@corridor/protocol';
import { lengthInsideM, polylineAreaDistance, type ProjectedArea } from './geometry.js';
import { Havens } from './havens.js';
import { applyBatch, needsCorridor } from './impact.js';
import { landmarksOf } from './landmarks.js';
import { CLEARANCE_HORIZON_M, overlayOfConstraint, overlayOfThreat, Overlays, zoneRefOf } from './overlays.js';
import { CLASS_SPEED_KMH, STATUS_RESTRICTED, VEHICLE_CLASSES, vehicleRank } from './profile.js';
import { clearanceWhy, cutWhy, offNetworkWhy, reasonNames, recomputedWhy, sameRoutes, type FailureWhy, type RecomputeMode } from './reasons.js';
import { DIR_BACKWARD, DIR_FORWARD, type RoadGraph, type Snap } from './road-graph.js';
import { Searcher, type EdgeCosts, type PathPiece, type SearchResult, type TargetTree } from './search.js';
import { edgesBox, type Tracked } from './tracked.js';
import type { AccessAnswer, AccessQuery, CorridorEngine, NetworkWay, Opener, RouteAnswer, RouteQuery } from './types.js';
import { edgesAlongLine } from './zone-effects.js';

export { CLEARANCE_HORIZON_M } from './overlays.js';

/** Tunables of the router; every one has a default. */
export interface RouterOptions {
  /** Cost multiplier for crossing a danger zone (default 4). */
  dangerFactor?: number;
  /** Cost multiplier for a restricted road or area (default 2). */
  restrictedFactor?: number;
  /** Largest distance from a query end to a usable road, metres (contract: 1 km). */
  maxSnapM?: number;
  /** Alternatives kept for each standing corridor besides the best route (default 1: the best alternative). */
  corridorAlternatives?: number;
  /** Longest alternative accepted, as a multiple of the best route's cost (default 1.4). */
  maxStretch?: number;
  /** Largest share of an alternative's length it may have in common with a better route (default 0.6). */
  maxShared?: number;
  /** Clock for `computedMs`, ms since epoch (tests pin it). */
  now?: () => number;
}

/** What a computation found: routes and what its searches saw, or why there are none. */
interface Computed {
  status: Corridor['status'];
  legs: RouteLeg[];
  cost: number;
  edges: Set<number>;
  best?: SearchResult;
  seen: Set<string>;
  nearest?: string;
  blockedBy?: string[];
  /** Why there is no route: set with every status but `ok`. */
  why?: FailureWhy;
  havenId?: string;
  /** Snap key of the destination whose target tree the searches used. */
  treeKey?: string;
}

/** States whose route only a decision changes (P22). */
const UNDER_WAY: ReadonlySet<string> = new Set(['moving', 'holding']);

/** Reach of a corridor's target tree as a multiple of its first best route's cost: beyond its alternatives and most detours. */
const TREE_REACH = 3;
/** Most nodes a target tree holds (12 bytes each), so trees stay small on large graphs. */
const TREE_MAX_NODES = 40_000;

/** Snaps remembered before the cache starts over (convoy ends, havens, recent queries). */
const SNAP_CACHE_SIZE = 10_000;

const TIME = 0;
const DIST = 1;

/**
 * Most zones and constraints an access check lifts one at a time to find what opens a way (issue 16):
 * each costs one search. Only those that border both what the start reaches and what reaches the end
 * are candidates at all, which on real networks leaves a handful.
 */
export const MAX_OPENER_TRIES = 24;

/**
 * The corridor engine over one prepared graph. Zones and constraints are overlays on per-edge
 * arrays (block counts, cost factors): a change costs work proportional to the edges it touches,
 * and the graph itself is never rebuilt (issue: "Changing the picture never rebuilds the graph").
 */
export class Router implements CorridorEngine {
  readonly graph: RoadGraph;
  readonly bbox: [number, number, number, number];
  readonly searcher: Searcher;
  readonly costs: [EdgeCosts, EdgeCosts];
  private readonly opts: Required<RouterOptions>;
  /** Zones and constraints on the edges; their per-edge arrays are the ones {@link costs} reads. */
  private readonly overlays: Overlays;
  private readonly havens: Havens;
  /** The picture's evacuation plans: a convoy of one goes only to the havens it names (issue 12). */
  private plans: Picture['plans'] = {};
  /** Alternative penalties per edge, 1 outside a search for alternatives. */
  private readonly penalty: Float64Array;
  private readonly tracked = new Map<string, Tracked>();
  /** How reasons name zones and havens (reasonText). */
  private readonly names: ReasonNames;
  /** Snaps by point and vehicle rank (see snap). */
  private readonly snaps = new Map<string, { snap: Snap | null; distanceM: number }>();
  /** Target trees of standing corridors' destinations, by snap key (shared by corridors to one haven). */
  private readonly trees = new Map<string, TargetTree>();
  /** The network's own restricted roads (IOM `operational_status`) by edge: their access-constraint ids (issue 16). */
  private readonly networkWayOf = new Map<number, string>();

  constructor(graph: RoadGraph, options: RouterOptions = {}) {
    this.graph = graph;
    this.bbox = graph.bbox;
    this.opts = {
      dangerFactor: options.dangerFactor ?? 4,
      restrictedFactor: options.restrictedFactor ?? 2,
      maxSnapM: options.maxSnapM ?? 1000,
      corridorAlternatives: options.corridorAlternatives ?? 1,
      maxStretch: options.maxStretch ?? 1.4,
      maxShared: options.maxShared ?? 0.6,
      now: options.now ?? Date.now,
    };
    const e = graph.edgeCount;
    const d = graph.data;
    const timeBase = new Float64Array(e);
    for (let i = 0; i < e; i++) timeBase[i] = d.edgeLenM[i] / d.edgeSpeedMps[i];
    this.overlays = new Overlays(graph, this.opts);
    this.penalty = new Float64Array(e).fill(1);
    const { factor, blockCount, marked } = this.overlays;
    const shared = { factor, blocked: blockCount, rank: d.edgeRank, marked };
    // Landmark bounds hold while no cost can fall below its base time (every factor ≥ 1).
    const landmarks = this.opts.dangerFactor >= 1 && this.opts.restrictedFactor >= 1 ? landmarksOf(graph) : undefined;
    this.costs = [
      { ...shared, base: timeBase, heuristicPerM: 1 / graph.maxSpeedMps, landmarks },
      { ...shared, base: d.edgeLenM, heuristicPerM: 1 },
    ];
    this.searcher = new Searcher(graph);
    this.havens = new Havens(this.tracked, this.costs[TIME].heuristicPerM);
    this.names = reasonNames(this.overlays, this.havens);
  }

  // ------------------------------------------------------------------ queries

  /** Answers `GET /api/route`: best route first, then up to `alternatives` acceptable ones. */
  route(query: RouteQuery): RouteAnswer {
    const rank = vehicleRank(query.vehicleClass);
    const from = this.snap(query.from, rank);
    if (!from.snap) return offNetwork('from', from.distanceM);
    const to = this.snap(query.to, rank);
    if (!to.snap) return offNetwork('to', to.distanceM);
    const alternatives = Math.max(0, Math.min(5, Math.floor(query.alternatives ?? 0)));
    const c = this.compute(from.snap, to.snap, query.weight === 'distance' ? DIST : TIME, rank, alternatives);
    if (c.status === 'ok') {
      const found = c.legs.length - 1;
      if (found >= alternatives) return { ok: true, routes: c.legs };
      // Say why there are fewer: no other route was within the limits an alternative must keep.
      return { ok: true, routes: c.legs, fewerAlternatives: { asked: alternatives, found, maxStretch: this.opts.maxStretch, maxShared: this.opts.maxShared } };
    }
    return {
      ok: false,
      code: 'no_safe_route',
      message: c.why ? reasonText(c.why, this.names) : 'no road path avoids the no-go zones',
      blockedBy: c.blockedBy ?? [],
    };
  }

  /**
   * Names the network's own restricted and closed roads (their access-constraint ids, issue 16), so an
   * access check says which of them a route uses. Each way is matched to the graph's restricted edges
   * along its line (only ways of a class the router routes on); closed ones are not roads it uses at all.
   */
  setNetworkWays(ways: readonly NetworkWay[]): void {
    this.networkWayOf.clear();
    const status = this.graph.data.edgeStatus;
    for (const w of ways) {
      if (w.status !== 'restricted' || (w.highway !== undefined && !Object.hasOwn(CLASS_SPEED_KMH, w.highway))) continue;
      for (const e of edgesAlongLine(this.graph, w.geometry)) if (status[e] === STATUS_RESTRICTED && !this.networkWayOf.has(e)) this.networkWayOf.set(e, w.id);
    }
  }

  /**
   * Answers `GET /api/access/check` (issue 16): the best route now with the restricted constraints it
   * uses; or, when every path is cut, what cuts them and each zone or constraint whose lifting alone
   * gives a route, cheapest route first (at most {@link MAX_OPENER_TRIES} searched; SPEC P34).
   */
  check(query: AccessQuery): AccessAnswer {
    const rank = vehicleRank(query.vehicleClass);
    const from = this.snap(query.from, rank);
    if (!from.snap) return offNetwork('from', from.distanceM);
    const to = this.snap(query.to, rank);
    if (!to.snap) return offNetwork('to', to.distanceM);
    const costs = this.costs[query.weight === 'distance' ? DIST : TIME];
    const best = this.searcher.route(costs, rank, from.snap, to.snap);
    if (best.cost < Infinity) {
      const leg = this.leg(best.pieces);
      this.setClearance([leg]);
      return { ok: true, route: leg, restricted: this.restrictedOn(best.pieces) };
    }
    const cut = this.blockingOverlays(costs, rank, from.snap, to.snap);
    const why = cutWhy(cut, cut === null ? this.lighterPasses(costs, rank, from.snap, to.snap) : undefined);
    const { openers, candidates, tried } = cut === null ? { openers: [], candidates: 0, tried: 0 } : this.openers(costs, rank, from.snap, to.snap, cut);
    return {
      ok: false,
      code: 'no_safe_route',
      message: reasonText(why, this.names),
      why: why as Extract<AccessAnswer, { code: 'no_safe_route' }>['why'],
      blockedBy: (cut ?? []).map(zoneRefOf),
      openers,
      candidates,
      tried,
    };
  }

  /** The restricted constraints a path uses, in the order met: the picture's, then the network's own roads. */
  private restrictedOn(pieces: PathPiece[]): ZoneRef[] {
    const out: ZoneRef[] = [];
    const seen = new Set<string>();
    const add = (ref: ZoneRef) => {
      const k = `${ref.kind}:${ref.id}`;
      if (seen.has(k)) return;
      seen.add(k);
      out.push(ref);
    };
    for (const p of pieces) {
      if (p.fromM === p.toM) continue;
      for (const k of this.overlays.onEdge(p.edge) ?? []) {
        const o = this.overlays.get(k);
        if (o?.kind === 'constraint' && o.effect === 'restrict') add(zoneRefOf(k));
      }
      const way = this.networkWayOf.get(p.edge);
      if (way !== undefined) add({ kind: 'constraint', id: way });
    }
    return out;
  }

  /**
   * Every blocking zone or constraint whose lifting alone reconnects two ends, cheapest resulting route
   * first. A path that crosses only X's blocked edges leaves what the start reaches by an edge of X and
   * enters what reaches the end by one, so only overlays on both borders are searched (those on the
   * path the block-free search takes, `onPath`, first).
   */
  private openers(costs: EdgeCosts, rank: number, from: Snap, to: Snap, onPath: readonly string[]): { openers: Opener[]; candidates: number; tried: number } {
    const fwd = this.border(rank, from, true);
    const bwd = this.border(rank, to, false);
    const first = onPath.filter((k) => fwd.has(k) && bwd.has(k));
    const rest = [...fwd].filter((k) => bwd.has(k) && !first.includes(k)).sort();
    const candidates = [...first, ...rest];
    const { blockCount } = this.overlays;
    const found: { key: string; cost: number; pieces: PathPiece[] }[] = [];
    const tries = candidates.slice(0, MAX_OPENER_TRIES);
    for (const key of tries) {
      const o = this.overlays.get(key)!;
      for (const e of o.edges) blockCount[e]--;
      try {
        const r = this.searcher.route(costs, rank, from, to);
        if (r.cost < Infinity) found.push({ key, cost: r.cost, pieces: r.pieces });
      } finally {
        for (const e of o.edges) blockCount[e]++;
      }
    }
    found.sort((a, b) => a.cost - b.cost || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const openers = found.map((f) => {
      const route = this.leg(f.pieces);
      this.setClearance([route]);
      return { ref: zoneRefOf(f.key), route, cost: round1(f.cost) };
    });
    return { openers, candidates: candidates.length, tried: tries.length };
  }

  /**
   * The blocking overlays on the border of what a snapped end reaches (forward: from it; backward: to
   * it) for a vehicle rank with every block in place: the keys of the blocked edges met. An end on a
   * blocked edge reaches nothing: the border is that edge's blocks.
   */
  private border(rank: number, end: Snap, forward: boolean): Set<string> {
    const g = this.graph;
    const d = g.data;
    const { blockCount } = this.overlays;
    const keys = new Set<string>();
    const addKeys = (e: number) => {
      for (const k of this.overlays.onEdge(e) ?? []) if (this.overlays.get(k)?.effect === 'block') keys.add(k);
    };
    const e0 = end.edge;
    if (blockCount[e0] > 0) {
      addKeys(e0);
      return keys;
    }
    const seen = new Uint8Array(g.nodeCount);
    const queue: number[] = [];
    const visit = (n: number) => {
      if (seen[n]) return;
      seen[n] = 1;
      queue.push(n);
    };
    // Leaving the start along its edge reaches its `to` node when the edge runs forward; an end is
    // reached from its edge's `from` node the same way.
    if (d.edgeDir[e0] & DIR_FORWARD) visit(forward ? d.edgeTo[e0] : d.edgeFrom[e0]);
    if (d.edgeDir[e0] & DIR_BACKWARD) visit(forward ? d.edgeFrom[e0] : d.edgeTo[e0]);
    const { start, arcs } = forward ? { start: g.adjStart, arcs: g.adjArc } : g.inArcs;
    while (queue.length > 0) {
      const n = queue.pop()!;
      for (let k = start[n]; k < start[n + 1]; k++) {
        const arc = arcs[k];
        const e = arc >> 1;
        if (d.edgeRank[e] < rank) continue;
        if (blockCount[e] > 0) {
          addKeys(e);
          continue;
        }
        // Forward: the arc's head; backward: its tail (arc & 1 walks against the drawing).
        const along = (arc & 1) === 0;
        visit(forward === along ? d.edgeTo[e] : d.edgeFrom[e]);
      }
    }
    return keys;
  }

  /** Nearest usable road to a point for a vehicle rank, or how far the nearest one is. */
  snap(point: [number, number], rank: number): { snap: Snap | null; distanceM: number } {
    // Roads, their status and vehicle limits never change after loading: a point snaps the same way.
    const key = `${point[0]},${point[1]},${rank}`;
    const known = this.snaps.get(key);
    if (known) return known;
    const found = this.snapNow(point, rank);
    if (this.snaps.size >= SNAP_CACHE_SIZE) this.snaps.clear();
    this.snaps.set(key, found);
    return found;
  }

  private snapNow(point: [number, number], rank: number): { snap: Snap | null; distanceM: number } {
    const d = this.graph.data;
    const accept = (e: number) => d.edgeStatus[e] !== 2 && d.edgeRank[e] >= rank;
    const s = this.graph.snap(point[0], point[1], this.opts.maxSnapM, accept);
    if (s) return { snap: s, distanceM: s.distanceM };
    const far = this.graph.snap(point[0], point[1], 200_000, accept);
    return { snap: null, distanceM: far ? Math.round(far.distanceM) : Infinity };
  }

  /** Best route and alternatives between two snapped ends; see {@link Computed}. */
  private compute(from: Snap, to: Snap, weight: number, rank: number, alternatives: number, reuse?: SearchResult, standing = false): Computed {
    const costs = this.costs[weight];
    const s = this.searcher;
    const seenEdges = new Set<number>();
    // A search by time uses its destination's target tree when a standing corridor built one (exact
    // base distances: a lower bound whatever the zones, so the answer is the same, found sooner). Re-route
    // proposals go where the convoys' corridors go, so they find their trees.
    let tree = weight === TIME ? this.trees.get(snapKey(to)) : undefined;
    // Costs only rose off the best path: it is still the best, only alternatives need a new search.
    const first = reuse ?? s.route(costs, rank, from, to, undefined, tree);
    if (standing && first.cost < Infinity) tree = this.treeFor(to, TREE_REACH * first.cost);
    first.touched.forEach((e) => seenEdges.add(e));
    if (first.cost === Infinity) {
      const cut = this.blockingOverlays(costs, rank, from, to);
      const seen = this.overlays.onEdges(seenEdges);
      cut?.forEach((k) => seen.add(k));
      return {
        status: 'no_safe_route',
        legs: [],
        cost: Infinity,
        edges: new Set(),
        seen,
        blockedBy: (cut ?? []).map((k) => this.overlays.get(k)!.id),
        why: cutWhy(cut, cut === null ? this.lighterPasses(costs, rank, from, to) : undefined),
      };
    }
    const found: SearchResult[] = [first];
    const realCosts: number[] = [first.cost];
    const penalised: number[] = [];
    let last = first;
    let worst = 1;
    for (let iter = 0; found.length <= alternatives && iter < alternatives + 2; iter++) {
      // Penalty method: make the roads already used dearer, so the next search looks elsewhere.
      for (const p of last.pieces) {
        if (this.penalty[p.edge] === 1) penalised.push(p.edge);
        this.penalty[p.edge] *= 1.5;
        if (this.penalty[p.edge] > worst) worst = this.penalty[p.edge];
      }
      // Penalties multiply by at most `worst`: a candidate dearer than stretch × worst × best is
      // surely over the stretch limit, so the search need not look further (same answer, less work).
      const cand = s.route(costs, rank, from, to, this.penalty, tree, this.opts.maxStretch * worst * first.cost * (1 + 1e-9));
      cand.touched.forEach((e) => seenEdges.add(e));
      if (cand.cost === Infinity) break;
      last = cand;
      const real = this.pathCost(costs, rank, cand.pieces);
      if (real > this.opts.maxStretch * first.cost) break;
      const len = piecesLength(cand.pieces);
      const acceptable = found.every((f) => sharedLength(cand.pieces, f.pieces) < this.opts.maxShared * len);
      if (acceptable) {
        found.push(cand);
        realCosts.push(real);
      }
    }
    for (const e of penalised) this.penalty[e] = 1;
    const order = found.map((_, i) => i).sort((a, b) => realCosts[a] - realCosts[b]);
    const edges = new Set<number>();
    for (const f of found) for (const p of f.pieces) edges.add(p.edge);
    const legs = order.map((i) => this.leg(found[i].pieces));
    const nearest = this.setClearance(legs);
    return { status: 'ok', legs, cost: first.cost, edges, best: first, seen: this.overlays.onEdges(seenEdges), nearest, treeKey: standing ? snapKey(to) : undefined };
  }

  /**
   * The target tree of a destination, built on first use to `reach` (or its node budget). A tree
   * stays valid whatever happens later, since costs never fall below base; it is not rebuilt when a
   * detour outgrows it: nodes beyond fall back to landmark bounds.
   */
  private treeFor(to: Snap, reach: number): TargetTree {
    const key = snapKey(to);
    let tree = this.trees.get(key);
    if (!tree) {
      tree = this.searcher.targetTree(this.costs[TIME], to, reach, TREE_MAX_NODES);
      this.trees.set(key, tree);
    }
    return tree;
  }

  /** Drops the target trees no standing corridor uses any more. */
  private sweepTrees(): void {
    if (this.trees.size <= this.tracked.size) return;
    const used = new Set<string>();
    for (const t of this.tracked.values()) if (t.treeKey) used.add(t.treeKey);
    for (const key of this.trees.keys()) if (!used.has(key)) this.trees.delete(key);
  }

  /** Cost of a path without alternative penalties. */
  private pathCost(costs: EdgeCosts, rank: number, pieces: PathPiece[]): number {
    let c = 0;
    for (const p of pieces) c += this.searcher.pieceCost(costs, rank, p.edge, p.fromM, p.toM);
    return c;
  }

  /**
   * When no road joins two ends for a vehicle even without zones: the vehicle's class if the lightest
   * vehicle could pass (its roads do not take this one), undefined if the network does not join them.
   */
  private lighterPasses(costs: EdgeCosts, rank: number, from: Snap, to: Snap): VehicleClass | undefined {
    if (rank <= 1) return undefined;
    const free: EdgeCosts = { ...costs, blocked: new Uint16Array(this.graph.edgeCount) };
    return this.searcher.route(free, 1, from, to).cost < Infinity ? VEHICLE_CLASSES[rank - 1] : undefined;
  }

  /**
   * The blocking overlays that cut every path: those on the best path with every block lifted,
   * reduced to the ones whose lifting is needed to reconnect (each is re-checked by a search). Their
   * keys, sorted; null when no road path joins the ends for the vehicle even without zones.
   */
  private blockingOverlays(costs: EdgeCosts, rank: number, from: Snap, to: Snap): string[] | null {
    const free: EdgeCosts = { ...costs, blocked: new Uint16Array(this.graph.edgeCount) };
    const open = this.searcher.route(free, rank, from, to);
    if (open.cost === Infinity) return null;
    const { blockCount } = this.overlays;
    let keys = new Set<string>();
    for (const p of open.pieces) {
      if (blockCount[p.edge] === 0) continue;
      for (const k of this.overlays.onEdge(p.edge) ?? []) if (this.overlays.get(k)?.effect === 'block') keys.add(k);
    }
    // Drop any overlay whose lifting is not needed once the others are lifted.
    if (keys.size <= 8) {
      for (const k of [...keys]) {
        const rest = [...keys].filter((x) => x !== k);
        const blocked = blockCount.slice();
        for (const r of rest) for (const e of this.overlays.get(r)!.edges) blocked[e]--;
        if (this.searcher.route({ ...costs, blocked }, rank, from, to).cost < Infinity) keys = new Set(rest);
      }
    }
    return [...keys].sort();
  }

  /**
   * Builds the wire form of a path: coordinates, distance, duration, exposure (clearance later) and the
   * roads it follows (issue 18), pieces of one name and ref merged into one stretch:
   *
   *     coordinates  0 ──── 1 ──── 2 ──── 3 ──── 4 ──── 5
   *     pieces         Rue A  Rue A   RN 1 ──────────────
   *     roads        { name: 'Rue A', from: 0 }, { ref: 'RN 1', from: 2 }
   *
   * A piece too short to add a vertex of its own (under 1e-7°) goes to the stretch beside it, so each
   * stretch begins at a vertex of its own and `from` strictly increases.
   */
  private leg(pieces: PathPiece[]): RouteLeg {
    const d = this.graph.data;
    const coordinates: [number, number][] = [];
    let distance = 0;
    let duration = 0;
    let exposure = 0;
    const geom = d.geomCoords;
    const { dangerCount } = this.overlays;
    const add = (lon: number, lat: number) => {
      const x = round7(lon);
      const y = round7(lat);
      const prev = coordinates[coordinates.length - 1];
      if (!prev || prev[0] !== x || prev[1] !== y) coordinates.push([x, y]);
    };
    /** Stretches as made: name and ref ids, first vertex, and the distance and duration before it (unrounded). */
    const roads: { name: number; ref: number; from: number; atM: number; atS: number }[] = [];
    for (const p of pieces) {
      const edgeLen = d.edgeLenM[p.edge];
      const len = Math.abs(p.toM - p.fromM);
      const name = d.edgeName[p.edge];
      const ref = d.edgeRef[p.edge];
      let last = roads.length > 0 ? roads[roads.length - 1] : undefined;
      if ((len > 0 || !last) && (!last || last.name !== name || last.ref !== ref)) {
        const from = coordinates.length > 0 ? coordinates.length - 1 : 0;
        let atM = distance;
        let atS = duration;
        // The stretch before added no vertex: this piece's road takes its place (and its figures).
        if (last && last.from >= from) {
          atM = last.atM;
          atS = last.atS;
          roads.pop();
          last = roads.length > 0 ? roads[roads.length - 1] : undefined;
        }
        if (!last || last.name !== name || last.ref !== ref) roads.push({ name, ref, from, atM, atS });
      }
      distance += len;
      duration += len / d.edgeSpeedMps[p.edge];
      const whole = len === edgeLen && Math.min(p.fromM, p.toM) === 0;
      if (whole && dangerCount[p.edge] === 0) {
        // A whole edge outside danger: its vertices as stored, in the direction walked.
        const a = d.geomOffset[p.edge];
        const b = d.geomOffset[p.edge + 1];
        if (p.fromM <= p.toM) for (let k = a; k < b; k++) add(geom[2 * k], geom[2 * k + 1]);
        else for (let k = b - 1; k >= a; k--) add(geom[2 * k], geom[2 * k + 1]);
        continue;
      }
      const part = this.graph.edgeSlice(p.edge, p.fromM, p.toM);
      if (dangerCount[p.edge] > 0) {
        const areas: ProjectedArea[] = [];
        for (const k of this.overlays.onEdge(p.edge) ?? []) {
          const o = this.overlays.get(k);
          if (o?.effect === 'danger' && o.area) areas.push(o.area);
        }
        exposure += Math.min(len, lengthInsideM(areas, part));
      }
      for (const c of part) add(c[0], c[1]);
    }
    if (coordinates.length === 1) coordinates.push(coordinates[0]);
    // A last stretch that added no vertex (a few millimetres onto the next road) belongs to the one before.
    if (roads.length > 1 && roads[roads.length - 1].from >= coordinates.length - 1) roads.pop();
    return {
      coordinates,
      distance_m: round1(distance),
      duration_s: round1(duration),
      exposure_m: round1(exposure),
      min_clearance_m: null,
      roads: roads.map((r, i) => {
        const next = i + 1 < roads.length ? roads[i + 1] : undefined;
        // Rounded at the boundaries, so the stretches add up to the leg's own rounded figures.
        const distance_m = round1(round1(next ? next.atM : distance) - round1(r.atM));
        const duration_s = round1(round1(next ? next.atS : duration) - round1(r.atS));
        const { from } = r;
        // One literal per shape (no spreads: a leg has dozens of stretches, a route query several legs).
        if (r.name >= 0 && r.ref >= 0) return { name: d.names[r.name], ref: d.names[r.ref], from, distance_m, duration_s };
        if (r.name >= 0) return { name: d.names[r.name], from, distance_m, duration_s };
        if (r.ref >= 0) return { ref: d.names[r.ref], from, distance_m, duration_s };
        return { from, distance_m, duration_s };
      }),
    };
  }

  /**
   * Sets each leg's `min_clearance_m`: metres to the nearest no-go or danger zone within
   * {@link CLEARANCE_HORIZON_M}, null when none is that close. Returns the nearest zone's key.
   */
  private setClearance(legs: RouteLeg[]): string | undefined {
    let nearestKey: string | undefined;
    let nearest = Infinity;
    for (const leg of legs) {
      let best = CLEARANCE_HORIZON_M;
      let key: string | undefined;
      for (const [k, o] of this.overlays.entries()) {
        if (!o.area || (o.severity !== 'no-go' && o.severity !== 'danger')) continue;
        const dm = polylineAreaDistance(o.area, leg.coordinates, best);
        if (dm < best || (dm === best && key === undefined && dm < CLEARANCE_HORIZON_M)) {
          best = dm;
          key = k;
        }
      }
      leg.min_clearance_m = key === undefined ? null : round1(best);
      if (key !== undefined && best < nearest) {
        nearest = best;
        nearestKey = key;
      }
    }
    return nearestKey;
  }

  // ------------------------------------------------------------------ standing corridors

  /**
   * Sets overlays, havens and convoys from a picture (start-up, after replay) and returns the
   * corridors that differ from the ones the picture holds (new convoys, stale routes).
   */
  init(picture: Picture): Corridor[] {
    this.plans = picture.plans;
    this.overlays.clear();
    this.tracked.clear();
    this.havens.clear();
    for (const z of Object.values(picture.threats)) this.overlays.add(`z:${z.id}`, overlayOfThreat(this.graph, z));
    for (const c of Object.values(picture.constraints)) this.overlays.add(`c:${c.id}`, overlayOfConstraint(this.graph, c));
    for (const h of Object.values(picture.havens)) this.havens.set(h);
    const out: Corridor[] = [];
    for (const convoy of sortedById(Object.values(picture.convoys))) {
      if (!needsCorridor(convoy)) continue;
      const previous = picture.corridors[convoy.id];
      const c = this.recompute(convoy, previous, [], 'init', undefined, previous?.chosen && previous.routes.length > 0 ? routeKey(previous.routes[0]) : undefined);
      if (!previous || !sameCorridor(previous, c)) out.push(c);
      else this.tracked.get(convoy.id)!.corridor = previous;
    }
    this.sweepTrees();
    return out;
  }

  /**
   * Applies a batch of events (already folded into `picture`) and returns the corridors to append:
   * exactly those whose route, alternatives, haven or figures the change can affect (impact.ts decides
   * which, and how much of each to recompute).
   */
  onEvents(events: readonly PictureEvent[], picture: Picture): Corridor[] {
    this.plans = picture.plans;
    // A planner's choice of route: held first from now on, and the corridor said again (a corridor the
    // router computed before it heard of the choice may have replaced it meanwhile; the same is dropped).
    const chosen: Corridor[] = [];
    for (const ev of events) {
      if (ev.type !== 'convoy.route-chosen') continue;
      const t = this.tracked.get(ev.convoyId);
      if (!t || ev.corridor.routes.length === 0) continue;
      t.corridor = ev.corridor;
      t.chosenKey = routeKey(ev.corridor.routes[0]);
      chosen.push(ev.corridor);
    }
    const { reroute, clearance, lowered, fullClearance, full } = applyBatch(events, picture, { graph: this.graph, overlays: this.overlays, havens: this.havens, tracked: this.tracked });
    const out: Corridor[] = [];
    for (const cid of [...reroute.keys()].sort()) {
      const convoy = picture.convoys[cid];
      if (!convoy || !needsCorridor(convoy)) continue;
      // A moving or holding convoy's route is changed by a decision on a proposal made from where it
      // is (P22), not here: its corridor keeps the route it has (a first one is still laid).
      if (UNDER_WAY.has(convoy.state) && this.tracked.has(cid)) continue;
      const prev = this.tracked.get(cid)?.corridor ?? picture.corridors[cid];
      const reuse = full.has(cid) ? undefined : this.tracked.get(cid)?.best;
      out.push(this.recompute(convoy, prev, [...reroute.get(cid)!], 'change', reuse));
    }
    for (const cid of [...clearance.keys()].sort()) {
      if (reroute.has(cid)) continue;
      const c = this.refreshClearance(cid, [...clearance.get(cid)!], fullClearance.has(cid) ? undefined : lowered.get(cid));
      if (c) out.push(c);
    }
    this.sweepTrees();
    for (const c of chosen) if (!out.some((o) => o.convoyId === c.convoyId) && this.tracked.get(c.convoyId)?.corridor === c) out.push(c);
    return out;
  }

  /** Corridors currently held, by convoy id (for tests and diagnostics). */
  corridorOf(convoyId: string): Corridor | undefined {
    return this.tracked.get(convoyId)?.corridor;
  }

  /** People assigned to a haven by the corridors held, individuals. */
  load(havenId: string): number {
    return this.havens.load(havenId);
  }

  /**
   * Computes a convoy's corridor, holds it, and returns it with its reason against `prev` (`causes`:
   * overlay keys, haven or convoy ids; `reuse`: a best route still optimal, only alternatives searched).
   */
  private recompute(convoy: Convoy, prev: Corridor | undefined, causes: string[], mode: RecomputeMode, reuse?: SearchResult, chosenKey?: string): Corridor {
    const before = this.tracked.get(convoy.id);
    const keep = chosenKey ?? before?.chosenKey;
    this.tracked.delete(convoy.id);
    const rank = vehicleRank(convoy.vehicleClass);
    const people = convoy.people ?? 0;
    let c: Computed;
    const from = this.snap(convoy.origin, rank);
    if (!from.snap) {
      c = { status: 'off_network', legs: [], cost: Infinity, edges: new Set(), seen: new Set(), why: offNetworkWhy('origin', from.distanceM) };
    } else if (convoy.destination === 'nearest-haven') {
      c = this.toNearestHaven(convoy, from.snap, rank, people);
    } else {
      const to = this.snap(convoy.destination, rank);
      c = to.snap
        ? this.compute(from.snap, to.snap, TIME, rank, this.opts.corridorAlternatives, reuse, true)
        : { status: 'off_network', legs: [], cost: Infinity, edges: new Set(), seen: new Set(), why: offNetworkWhy('destination', to.distanceM) };
    }
    const corridor: Corridor = {
      convoyId: convoy.id,
      status: c.status,
      routes: c.legs,
      ...(c.havenId ? { havenId: c.havenId } : {}),
      ...(c.status === 'no_safe_route' ? { blockedBy: c.blockedBy ?? [] } : {}),
      reason: '',
      computedMs: this.opts.now(),
    };
    // The planner's route stays first while the search still finds it.
    const at = keep !== undefined && c.status === 'ok' ? c.legs.findIndex((l) => routeKey(l) === keep) : -1;
    if (at >= 0) {
      corridor.routes = [c.legs[at], ...c.legs.filter((_, i) => i !== at)];
      corridor.chosen = true;
    }
    if (prev?.status === 'ok' && c.status === 'ok') corridor.deltaS = round1(corridor.routes[0].duration_s - prev.routes[0].duration_s);
    const causeIds = causes.map((k) => (k.startsWith('z:') || k.startsWith('c:') ? k.slice(2) : k));
    if (causeIds.length) corridor.cause = causeIds;
    const prevBestEdges = prev?.status === 'ok' ? before?.bestEdges : undefined;
    const why = recomputedWhy({ convoyId: convoy.id, prev, next: corridor, causes, failure: c.why, mode, ...(prevBestEdges ? { prevBestEdges } : {}) }, this.overlays, this.havens);
    corridor.why = why;
    corridor.reason = reasonText(why, this.names);
    // A reused best path keeps what its original search saw.
    if (reuse && before) before.seen.forEach((k) => c.seen.add(k));
    const t: Tracked = {
      convoy,
      corridor,
      cost: c.cost,
      edges: c.edges,
      best: c.best,
      bestEdges: new Set(c.best?.pieces.map((p) => p.edge) ?? []),
      seen: c.seen,
      nearest: c.nearest,
      havenId: c.havenId,
      people: c.havenId ? people : 0,
      treeKey: c.treeKey,
      box: c.edges.size > 0 ? edgesBox(this.graph, c.edges) : undefined,
      ...(at >= 0 ? { chosenKey: keep } : {}),
    };
    this.tracked.set(convoy.id, t);
    return corridor;
  }

  /** The corridor to the open haven with room that is nearest by travel time (lower bounds prune candidates). */
  private toNearestHaven(convoy: Convoy, from: Snap, rank: number, people: number): Computed {
    const allowed = mayUse(convoy, this.plans);
    const candidates = [...this.havens.values()]
      .filter((h) => h.status === 'open' && this.havens.room(h, convoy.id) >= people && allowed(h.id))
      .map((h) => ({ h, lb: this.havens.lowerBound(convoy.origin, [h.lon, h.lat]) }))
      .sort((a, b) => a.lb - b.lb || (a.h.id < b.h.id ? -1 : 1));
    if (candidates.length === 0) {
      return {
        status: 'no_haven',
        legs: [],
        cost: Infinity,
        edges: new Set(),
        seen: new Set(),
        why: { code: 'no_haven', people },
      };
    }
    let best: { h: Haven; to: Snap; cost: number } | null = null;
    const seenEdges = new Set<number>();
    let firstReachable: Snap | null = null;
    for (const { h, lb } of candidates) {
      if (best && lb >= best.cost) break;
      const to = this.snap([h.lon, h.lat], rank).snap;
      if (!to) continue;
      firstReachable ??= to;
      const r = this.searcher.route(this.costs[TIME], rank, from, to, undefined, this.trees.get(snapKey(to)));
      r.touched.forEach((e) => seenEdges.add(e));
      if (r.cost < (best?.cost ?? Infinity)) best = { h, to, cost: r.cost };
    }
    if (!best) {
      if (!firstReachable) {
        return { status: 'no_haven', legs: [], cost: Infinity, edges: new Set(), seen: new Set(), why: { code: 'no_haven_near_road' } };
      }
      const c = this.compute(from, firstReachable, TIME, rank, 0, undefined, true);
      this.overlays.onEdges(seenEdges).forEach((k) => c.seen.add(k));
      return c;
    }
    const c = this.compute(from, best.to, TIME, rank, this.opts.corridorAlternatives, undefined, true);
    this.overlays.onEdges(seenEdges).forEach((k) => c.seen.add(k));
    c.havenId = best.h.id;
    return c;
  }

  /** Refreshes a corridor's clearance figures and reason, its routes kept (P11: a `corridor.refreshed`). */
  private refreshClearance(cid: string, causes: string[], lowered?: RouteLeg[]): Corridor | null {
    const t = this.tracked.get(cid);
    if (!t || t.corridor.status !== 'ok') return null;
    // Lowered by added zones only: already exact. Otherwise (nearest zone lifted) recompute.
    const routes: RouteLeg[] = lowered ?? t.corridor.routes.map((r) => ({ ...r }));
    if (!lowered) t.nearest = this.setClearance(routes);
    // The nearest zone is named only while its overlay stands.
    const nearest = t.nearest && this.overlays.get(t.nearest) ? t.nearest : undefined;
    const why = clearanceWhy(nearest, routes[0].min_clearance_m);
    const corridor: Corridor = {
      ...t.corridor,
      routes,
      cause: causes.map((k) => k.slice(2)),
      reason: reasonText(why, this.names),
      why,
      computedMs: this.opts.now(),
    };
    delete corridor.deltaS;
    t.corridor = corridor;
    return corridor;
  }
}

function offNetwork(path: 'from' | 'to', distanceM: number): Extract<RouteAnswer, { code: 'off_network' }> {
  const far = Number.isFinite(distanceM) ? formatDistance(distanceM) : 'far';
  return {
    ok: false,
    code: 'off_network',
    message: `${path === 'from' ? 'start' : 'end'} is ${far} from the nearest usable road (limit 1 km)`,
    path,
    distanceM,
  };
}

/** Identity of a snapped point, for caches keyed by destination. */
function snapKey(s: Snap): string {
  return `${s.edge}:${s.offsetM}`;
}

function sortedById<T extends { id: string }>(xs: T[]): T[] {
  return xs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function piecesLength(pieces: PathPiece[]): number {
  let s = 0;
  for (const p of pieces) s += Math.abs(p.toM - p.fromM);
  return s;
}

/** Length of `a` on edges that `b` also uses, metres. */
function sharedLength(a: PathPiece[], b: PathPiece[]): number {
  const used = new Set(b.map((p) => p.edge));
  let s = 0;
  for (const p of a) if (used.has(p.edge)) s += Math.abs(p.toM - p.fromM);
  return s;
}

/**
 * Whether a corridor the picture holds can stand for a new one: same routes, haven and cuts. A held
 * corridor without road names (logged before issue 18) does not stand for one with them, so a start
 * on an older log says its corridors again once, with their roads.
 */
function sameCorridor(a: Corridor, b: Corridor): boolean {
  return (
    a.status === b.status &&
    a.routes.every((r, i) => r.roads !== undefined || b.routes[i]?.roads === undefined) &&
    a.havenId === b.havenId &&
    JSON.stringify(a.blockedBy ?? []) === JSON.stringify(b.blockedBy ?? []) &&
    sameRoutes(a.routes, b.routes)
  );
}

function round1(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 10) / 10 : x;
}
function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7;
}

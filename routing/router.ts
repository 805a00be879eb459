// The router: holds the prepared graph and its overlays (zones, constraints), answers route queries
// and keeps every convoy's corridor current, recomputing only what a change can affect.
import type { Constraint, Convoy, Corridor, Haven, Picture, PictureEvent, RouteLeg, ThreatZone } from '@corridor/protocol';
import { lengthInsideM, polylineAreaDistance, projectArea, type ProjectedArea } from './geometry.js';
import { landmarksOf } from './landmarks.js';
import { STATUS_RESTRICTED, vehicleRank } from './profile.js';
import { EARTH_RADIUS_M, type RoadGraph, type Snap } from './road-graph.js';
import { Searcher, type EdgeCosts, type PathPiece, type SearchResult, type TargetTree } from './search.js';
import type { CorridorEngine, RouteAnswer, RouteQuery } from './types.js';
import { edgesOfGeometry, edgesTouchingArea } from './zone-effects.js';

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

/** One zone or constraint as the router applies it. */
interface Overlay {
  /** Picture id (`tz-3`, a constraint id). */
  id: string;
  /** What it does to the edges it touches. */
  effect: 'block' | 'danger' | 'restrict' | 'none';
  /** Threat severity, for clearance (no-go and danger only). */
  severity?: ThreatZone['severity'];
  label?: string;
  kind: 'zone' | 'constraint';
  area?: ProjectedArea;
  edges: Int32Array;
  /** The picture object it was made from: identity says whether it changed. */
  ref: ThreatZone | Constraint;
}

interface Tracked {
  convoy: Convoy;
  corridor: Corridor;
  /** Best route's search cost (seconds, with factors), for haven pruning; Infinity when no route. */
  cost: number;
  /** Edges of every route shown. */
  edges: Set<number>;
  /** The best route's search result, reused when a change can only affect the alternatives. */
  best?: SearchResult;
  /** Edges of the best route. */
  bestEdges: Set<number>;
  /** Overlay keys the searches saw: removing one of them can change the answer. */
  seen: Set<string>;
  /** Overlay key of the zone nearest the routes (clearance). */
  nearest?: string;
  /** Haven assigned and the people counted against it. */
  havenId?: string;
  people: number;
  /** Key of the target tree it searches with. */
  treeKey?: string;
  /** Box of {@link edges}, degrees: a zone's edges are looked up only in corridors whose box meets theirs. */
  box?: [number, number, number, number];
}

interface Computed {
  status: Corridor['status'];
  legs: RouteLeg[];
  cost: number;
  edges: Set<number>;
  best?: SearchResult;
  seen: Set<string>;
  nearest?: string;
  blockedBy?: string[];
  message?: string;
  havenId?: string;
  offBy?: { path: 'from' | 'to'; distanceM: number };
  /** Snap key of the destination whose target tree the searches used. */
  treeKey?: string;
}

/** Reach of a corridor's target tree as a multiple of its first best route's cost: beyond its alternatives and most detours. */
const TREE_REACH = 3;
/** Most nodes a target tree holds (12 bytes each), so trees stay small on large graphs. */
const TREE_MAX_NODES = 40_000;

/** Snaps remembered before the cache starts over (convoy ends, havens, recent queries). */
const SNAP_CACHE_SIZE = 10_000;

/** Farthest zone that counts for `min_clearance_m`, metres; beyond it the figure is null. */
export const CLEARANCE_HORIZON_M = 5000;

const TIME = 0;
const DIST = 1;

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
  private readonly staticFactor: Float64Array;
  private readonly blockCount: Uint16Array;
  private readonly dangerCount: Uint16Array;
  private readonly restrictCount: Uint16Array;
  private readonly penalty: Float64Array;
  /** Overlay keys per touched edge. */
  private readonly edgeOverlays = new Map<number, string[]>();
  private readonly overlays = new Map<string, Overlay>();
  private readonly havens = new Map<string, Haven>();
  private readonly tracked = new Map<string, Tracked>();
  /** Snaps by point and vehicle rank (see snap). */
  private readonly snaps = new Map<string, { snap: Snap | null; distanceM: number }>();
  /** Target trees of standing corridors' destinations, by snap key (shared by corridors to one haven). */
  private readonly trees = new Map<string, TargetTree>();

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
    this.staticFactor = new Float64Array(e);
    const factor = new Float64Array(e);
    const timeBase = new Float64Array(e);
    for (let i = 0; i < e; i++) {
      this.staticFactor[i] = d.edgeStatus[i] === STATUS_RESTRICTED ? this.opts.restrictedFactor : 1;
      factor[i] = this.staticFactor[i];
      timeBase[i] = d.edgeLenM[i] / d.edgeSpeedMps[i];
    }
    this.blockCount = new Uint16Array(e);
    this.dangerCount = new Uint16Array(e);
    this.restrictCount = new Uint16Array(e);
    this.penalty = new Float64Array(e).fill(1);
    const marked = new Uint8Array(e);
    const shared = { factor, blocked: this.blockCount, rank: d.edgeRank, marked };
    // Landmark bounds hold while no cost can fall below its base time (every factor ≥ 1).
    const landmarks = this.opts.dangerFactor >= 1 && this.opts.restrictedFactor >= 1 ? landmarksOf(graph) : undefined;
    this.costs = [
      { ...shared, base: timeBase, heuristicPerM: 1 / graph.maxSpeedMps, landmarks },
      { ...shared, base: d.edgeLenM, heuristicPerM: 1 },
    ];
    this.searcher = new Searcher(graph);
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
    if (c.status === 'ok') return { ok: true, routes: c.legs };
    return {
      ok: false,
      code: 'no_safe_route',
      message: c.message ?? 'no road path avoids the no-go zones',
      blockedBy: c.blockedBy ?? [],
    };
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
    // A standing corridor searches with its destination's target tree (exact base distances).
    let tree = standing ? this.trees.get(snapKey(to)) : undefined;
    // Costs only rose off the best path: it is still the best, only alternatives need a new search.
    const first = reuse ?? s.route(costs, rank, from, to, undefined, tree);
    if (standing && first.cost < Infinity) tree = this.treeFor(to, TREE_REACH * first.cost);
    first.touched.forEach((e) => seenEdges.add(e));
    if (first.cost === Infinity) {
      const cut = this.blockingOverlays(costs, rank, from, to);
      const seen = this.overlaysOf(seenEdges);
      cut.ids.forEach((k) => seen.add(k));
      return {
        status: 'no_safe_route',
        legs: [],
        cost: Infinity,
        edges: new Set(),
        seen,
        blockedBy: cut.ids.map((k) => this.overlays.get(k)!.id),
        message: cut.message,
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
    return { status: 'ok', legs, cost: first.cost, edges, best: first, seen: this.overlaysOf(seenEdges), nearest, treeKey: standing ? snapKey(to) : undefined };
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

  /** Bounding box of some edges' geometry, degrees [west, south, east, north]. */
  private edgesBox(edges: Iterable<number>): [number, number, number, number] {
    const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const e of edges) {
      const [w, s, east, n] = this.graph.edgeBbox(e);
      box[0] = Math.min(box[0], w);
      box[1] = Math.min(box[1], s);
      box[2] = Math.max(box[2], east);
      box[3] = Math.max(box[3], n);
    }
    return box;
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
   * The blocking overlays that cut every path: those on the best path with every block lifted,
   * reduced to the ones whose lifting is needed to reconnect (each is re-checked by a search).
   */
  private blockingOverlays(costs: EdgeCosts, rank: number, from: Snap, to: Snap): { ids: string[]; message: string } {
    const free: EdgeCosts = { ...costs, blocked: new Uint16Array(this.graph.edgeCount) };
    const open = this.searcher.route(free, rank, from, to);
    if (open.cost === Infinity) {
      return { ids: [], message: 'no road path joins the two ends for this vehicle, even without zones' };
    }
    let keys = new Set<string>();
    for (const p of open.pieces) {
      if (this.blockCount[p.edge] === 0) continue;
      for (const k of this.edgeOverlays.get(p.edge) ?? []) if (this.overlays.get(k)?.effect === 'block') keys.add(k);
    }
    // Drop any overlay whose lifting is not needed once the others are lifted.
    if (keys.size <= 8) {
      for (const k of [...keys]) {
        const rest = [...keys].filter((x) => x !== k);
        const blocked = this.blockCount.slice();
        for (const r of rest) for (const e of this.overlays.get(r)!.edges) blocked[e]--;
        if (this.searcher.route({ ...costs, blocked }, rank, from, to).cost < Infinity) keys = new Set(rest);
      }
    }
    const ids = [...keys].sort();
    const names = ids.map((k) => this.describe(this.overlays.get(k)!)).join(', ');
    return { ids, message: `no safe route: every path is cut by ${names}` };
  }

  /** Builds the wire form of a path: coordinates, distance, duration and exposure (clearance later). */
  private leg(pieces: PathPiece[]): RouteLeg {
    const d = this.graph.data;
    const coordinates: [number, number][] = [];
    let distance = 0;
    let duration = 0;
    let exposure = 0;
    const geom = d.geomCoords;
    const add = (lon: number, lat: number) => {
      const x = round7(lon);
      const y = round7(lat);
      const prev = coordinates[coordinates.length - 1];
      if (!prev || prev[0] !== x || prev[1] !== y) coordinates.push([x, y]);
    };
    for (const p of pieces) {
      const edgeLen = d.edgeLenM[p.edge];
      const len = Math.abs(p.toM - p.fromM);
      distance += len;
      duration += len / d.edgeSpeedMps[p.edge];
      const whole = len === edgeLen && Math.min(p.fromM, p.toM) === 0;
      if (whole && this.dangerCount[p.edge] === 0) {
        // A whole edge outside danger: its vertices as stored, in the direction walked.
        const a = d.geomOffset[p.edge];
        const b = d.geomOffset[p.edge + 1];
        if (p.fromM <= p.toM) for (let k = a; k < b; k++) add(geom[2 * k], geom[2 * k + 1]);
        else for (let k = b - 1; k >= a; k--) add(geom[2 * k], geom[2 * k + 1]);
        continue;
      }
      const part = this.graph.edgeSlice(p.edge, p.fromM, p.toM);
      if (this.dangerCount[p.edge] > 0) {
        const areas: ProjectedArea[] = [];
        for (const k of this.edgeOverlays.get(p.edge) ?? []) {
          const o = this.overlays.get(k);
          if (o?.effect === 'danger' && o.area) areas.push(o.area);
        }
        exposure += Math.min(len, lengthInsideM(areas, part));
      }
      for (const c of part) add(c[0], c[1]);
    }
    if (coordinates.length === 1) coordinates.push(coordinates[0]);
    return {
      coordinates,
      distance_m: round1(distance),
      duration_s: round1(duration),
      exposure_m: round1(exposure),
      min_clearance_m: null,
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
      for (const [k, o] of this.overlays) {
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

  private overlaysOf(edges: Iterable<number>): Set<string> {
    const out = new Set<string>();
    for (const e of edges) for (const k of this.edgeOverlays.get(e) ?? []) out.add(k);
    return out;
  }

  private describe(o: Overlay): string {
    return `${o.kind} ${o.id}${o.label ? ` (${o.label})` : ''}`;
  }

  // ------------------------------------------------------------------ overlays

  private addOverlay(key: string, o: Overlay): void {
    this.overlays.set(key, o);
    const marked = this.costs[0].marked;
    for (const e of o.edges) {
      if (o.effect === 'block') this.blockCount[e]++;
      else if (o.effect === 'danger') this.dangerCount[e]++;
      else if (o.effect === 'restrict') this.restrictCount[e]++;
      const list = this.edgeOverlays.get(e);
      if (list) list.push(key);
      else this.edgeOverlays.set(e, [key]);
      marked[e] = 1;
      this.refreshFactor(e);
    }
  }

  private removeOverlay(key: string): Overlay | undefined {
    const o = this.overlays.get(key);
    if (!o) return undefined;
    this.overlays.delete(key);
    const marked = this.costs[0].marked;
    for (const e of o.edges) {
      if (o.effect === 'block') this.blockCount[e]--;
      else if (o.effect === 'danger') this.dangerCount[e]--;
      else if (o.effect === 'restrict') this.restrictCount[e]--;
      const list = this.edgeOverlays.get(e);
      if (list) {
        const i = list.indexOf(key);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) {
          this.edgeOverlays.delete(e);
          marked[e] = 0;
        }
      }
      this.refreshFactor(e);
    }
    return o;
  }

  private refreshFactor(e: number): void {
    this.costs[0].factor[e] =
      this.staticFactor[e] *
      (this.dangerCount[e] > 0 ? this.opts.dangerFactor : 1) *
      (this.restrictCount[e] > 0 ? this.opts.restrictedFactor : 1);
  }

  private overlayOfThreat(z: ThreatZone): Overlay {
    const area = projectArea(z.area);
    const effect = z.severity === 'no-go' ? 'block' : z.severity === 'danger' ? 'danger' : 'none';
    // Issue: a no-go zone blocks every edge it intersects "plus an optional stand-off distance".
    const edges = effect === 'none' ? new Int32Array(0) : edgesTouchingArea(this.graph, area, effect === 'block' ? (z.standoffM ?? 0) : 0);
    return { id: z.id, effect, severity: z.severity, label: z.label, kind: 'zone', area, edges, ref: z };
  }

  private overlayOfConstraint(c: Constraint): Overlay {
    const effect = c.status === 'closed' ? 'block' : c.status === 'restricted' ? 'restrict' : 'none';
    const edges = effect === 'none' ? new Int32Array(0) : edgesOfGeometry(this.graph, c.geometry);
    return { id: c.id, effect, label: c.reason, kind: 'constraint', edges, ref: c };
  }

  // ------------------------------------------------------------------ standing corridors

  /**
   * Sets overlays, havens and convoys from a picture (start-up, after replay) and returns the
   * corridors that differ from the ones the picture holds (new convoys, stale routes).
   */
  init(picture: Picture): Corridor[] {
    for (const key of [...this.overlays.keys()]) this.removeOverlay(key);
    this.tracked.clear();
    this.havens.clear();
    for (const z of Object.values(picture.threats)) this.addOverlay(`z:${z.id}`, this.overlayOfThreat(z));
    for (const c of Object.values(picture.constraints)) this.addOverlay(`c:${c.id}`, this.overlayOfConstraint(c));
    for (const h of Object.values(picture.havens)) this.havens.set(h.id, h);
    const out: Corridor[] = [];
    for (const convoy of sortedById(Object.values(picture.convoys))) {
      if (!needsCorridor(convoy)) continue;
      const previous = picture.corridors[convoy.id];
      const c = this.recompute(convoy, previous, [], 'init');
      if (!previous || !sameCorridor(previous, c)) out.push(c);
      else this.tracked.get(convoy.id)!.corridor = previous;
    }
    this.sweepTrees();
    return out;
  }

  /**
   * Applies a batch of events (already folded into `picture`) and returns the corridors to append:
   * exactly those whose route, alternatives, haven or figures the change can affect.
   */
  onEvents(events: readonly PictureEvent[], picture: Picture): Corridor[] {
    const overlayKeys = new Set<string>();
    const havenIds = new Set<string>();
    const convoyIds = new Set<string>();
    for (const ev of events) {
      switch (ev.type) {
        case 'threat.upserted':
          overlayKeys.add(`z:${ev.zone.id}`);
          break;
        case 'threat.removed':
          overlayKeys.add(`z:${ev.id}`);
          break;
        case 'constraint.upserted':
          overlayKeys.add(`c:${ev.constraint.id}`);
          break;
        case 'constraint.removed':
          overlayKeys.add(`c:${ev.id}`);
          break;
        case 'haven.upserted':
          havenIds.add(ev.haven.id);
          break;
        case 'haven.removed':
          havenIds.add(ev.id);
          break;
        case 'convoy.upserted':
          convoyIds.add(ev.convoy.id);
          break;
        case 'convoy.removed':
          convoyIds.add(ev.id);
          break;
        default:
          break;
      }
    }
    /** Convoy id → causes (overlay keys, haven or convoy ids): full recomputation, or clearance only. */
    const reroute = new Map<string, Set<string>>();
    const clearance = new Map<string, Set<string>>();
    /** Legs with clearance already lowered by an added zone (no full recomputation needed). */
    const lowered = new Map<string, RouteLeg[]>();
    /** Corridors whose nearest zone was lifted: clearance is recomputed against every zone. */
    const fullClearance = new Set<string>();
    /** Corridors whose best route itself can change (otherwise only alternatives are searched again). */
    const full = new Set<string>();
    const flag = (m: Map<string, Set<string>>, id: string, cause: string) => {
      const s = m.get(id);
      if (s) s.add(cause);
      else m.set(id, new Set([cause]));
    };

    for (const key of overlayKeys) {
      const id = key.slice(2);
      const next = key.startsWith('z:') ? picture.threats[id] : picture.constraints[id];
      const old = this.overlays.get(key);
      if (old && old.ref === next) continue;
      if (old) {
        this.removeOverlay(key);
        // Lifting costs only matters to searches that saw this overlay (exact: see Searcher.touched).
        for (const [cid, t] of this.tracked) {
          if (t.seen.has(key)) {
            flag(reroute, cid, key);
            full.add(cid);
          } else if (t.nearest === key) {
            flag(clearance, cid, key);
            fullClearance.add(cid);
          }
        }
      }
      if (next) {
        const o = key.startsWith('z:') ? this.overlayOfThreat(next as ThreatZone) : this.overlayOfConstraint(next as Constraint);
        this.addOverlay(key, o);
        // Raising costs only matters to corridors whose routes use the edges it touches.
        if (o.edges.length > 0) {
          const box = this.edgesBox(o.edges);
          for (const [cid, t] of this.tracked) {
            if (!t.box || t.box[0] > box[2] || t.box[2] < box[0] || t.box[1] > box[3] || t.box[3] < box[1]) continue;
            let hit = false;
            for (const e of o.edges) {
              if (!t.edges.has(e)) continue;
              hit = true;
              if (t.bestEdges.has(e)) {
                full.add(cid);
                break;
              }
            }
            if (hit) flag(reroute, cid, key);
          }
        }
        if (o.area && (o.severity === 'no-go' || o.severity === 'danger')) {
          // A new zone can only lower clearance: each leg's figure becomes min(old, distance to it).
          for (const [cid, t] of this.tracked) {
            if (reroute.has(cid) || t.corridor.status !== 'ok') continue;
            let closer = false;
            const legs = t.corridor.routes.map((r) => {
              const current = r.min_clearance_m ?? CLEARANCE_HORIZON_M;
              const dm = polylineAreaDistance(o.area!, r.coordinates, current);
              if (dm >= current) return r;
              closer = true;
              return { ...r, min_clearance_m: round1(dm) };
            });
            if (!closer) continue;
            const best = Math.min(...legs.map((r) => r.min_clearance_m ?? Infinity));
            if (best <= Math.min(...t.corridor.routes.map((r) => r.min_clearance_m ?? Infinity))) t.nearest = key;
            flag(clearance, cid, key);
            lowered.set(cid, legs);
          }
        }
      }
    }

    for (const hid of havenIds) {
      const next = picture.havens[hid];
      const old = this.havens.get(hid);
      if (old === next) continue;
      if (next) this.havens.set(hid, next);
      else this.havens.delete(hid);
      for (const [cid, t] of this.tracked) {
        if (t.convoy.destination !== 'nearest-haven') continue;
        if (t.havenId === hid) {
          if (!next || next.status !== 'open' || moved(old, next) || next.capacity - next.occupancy < this.load(hid)) flag(reroute, cid, hid);
          continue;
        }
        // A haven that opens or gains room can serve convoys without one, or nearer ones.
        if (next && next.status === 'open' && this.room(next, cid) >= t.people) {
          if (t.corridor.status !== 'ok' || this.lowerBound(t.convoy.origin, [next.lon, next.lat]) < t.cost) flag(reroute, cid, hid);
        }
      }
    }

    for (const cid of convoyIds) {
      const next = picture.convoys[cid];
      const t = this.tracked.get(cid);
      if (t && next === t.convoy) continue;
      if (!next || !needsCorridor(next)) {
        if (t) {
          this.drop(cid);
          if (t.havenId) this.flagNoHaven(reroute, t.havenId);
        }
        continue;
      }
      if (t && !routeInputsChanged(t.convoy, next)) {
        t.convoy = next;
        continue;
      }
      flag(reroute, cid, cid);
    }

    const out: Corridor[] = [];
    for (const cid of [...reroute.keys()].sort()) {
      const convoy = picture.convoys[cid];
      if (!convoy || !needsCorridor(convoy)) continue;
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
    return out;
  }

  /** Corridors currently held, by convoy id (for tests and diagnostics). */
  corridorOf(convoyId: string): Corridor | undefined {
    return this.tracked.get(convoyId)?.corridor;
  }

  /** People assigned to a haven by the corridors held, individuals. */
  load(havenId: string): number {
    let n = 0;
    for (const t of this.tracked.values()) if (t.havenId === havenId) n += t.people;
    return n;
  }

  private room(h: Haven, exceptConvoy?: string): number {
    let assigned = 0;
    for (const [cid, t] of this.tracked) if (t.havenId === h.id && cid !== exceptConvoy) assigned += t.people;
    return h.capacity - h.occupancy - assigned;
  }

  private flagNoHaven(m: Map<string, Set<string>>, havenId: string): void {
    for (const [cid, t] of this.tracked) {
      if (t.corridor.status === 'no_haven') {
        const s = m.get(cid) ?? new Set<string>();
        s.add(havenId);
        m.set(cid, s);
      }
    }
  }

  /** Lower bound of the travel time between two points, seconds. */
  private lowerBound(a: [number, number], b: [number, number]): number {
    const R = Math.PI / 180;
    const v = (p: [number, number]) => [Math.cos(p[1] * R) * Math.cos(p[0] * R), Math.cos(p[1] * R) * Math.sin(p[0] * R), Math.sin(p[1] * R)];
    const [x1, y1, z1] = v(a);
    const [x2, y2, z2] = v(b);
    return Math.hypot(x1 - x2, y1 - y2, z1 - z2) * EARTH_RADIUS_M * this.costs[TIME].heuristicPerM;
  }

  private drop(cid: string): void {
    this.tracked.delete(cid);
  }

  private recompute(convoy: Convoy, prev: Corridor | undefined, causes: string[], why: 'init' | 'change', reuse?: SearchResult): Corridor {
    const before = this.tracked.get(convoy.id);
    this.drop(convoy.id);
    const rank = vehicleRank(convoy.vehicleClass);
    const people = convoy.people ?? 0;
    let c: Computed;
    const from = this.snap(convoy.origin, rank);
    if (!from.snap) {
      c = { status: 'off_network', legs: [], cost: Infinity, edges: new Set(), seen: new Set(), offBy: { path: 'from', distanceM: from.distanceM } };
    } else if (convoy.destination === 'nearest-haven') {
      c = this.toNearestHaven(convoy, from.snap, rank, people);
    } else {
      const to = this.snap(convoy.destination, rank);
      c = to.snap
        ? this.compute(from.snap, to.snap, TIME, rank, this.opts.corridorAlternatives, reuse, true)
        : { status: 'off_network', legs: [], cost: Infinity, edges: new Set(), seen: new Set(), offBy: { path: 'to', distanceM: to.distanceM } };
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
    if (prev?.status === 'ok' && c.status === 'ok') corridor.deltaS = round1(c.legs[0].duration_s - prev.routes[0].duration_s);
    const causeIds = causes.map((k) => (k.startsWith('z:') || k.startsWith('c:') ? k.slice(2) : k));
    if (causeIds.length) corridor.cause = causeIds;
    corridor.reason = this.reasonFor(convoy, prev, corridor, causes, c, why);
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
      box: c.edges.size > 0 ? this.edgesBox(c.edges) : undefined,
    };
    this.tracked.set(convoy.id, t);
    return corridor;
  }

  private toNearestHaven(convoy: Convoy, from: Snap, rank: number, people: number): Computed {
    const candidates = [...this.havens.values()]
      .filter((h) => h.status === 'open' && this.room(h, convoy.id) >= people)
      .map((h) => ({ h, lb: this.lowerBound(convoy.origin, [h.lon, h.lat]) }))
      .sort((a, b) => a.lb - b.lb || (a.h.id < b.h.id ? -1 : 1));
    if (candidates.length === 0) {
      return {
        status: 'no_haven',
        legs: [],
        cost: Infinity,
        edges: new Set(),
        seen: new Set(),
        message: `no open haven with room for ${people} people`,
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
        return { status: 'no_haven', legs: [], cost: Infinity, edges: new Set(), seen: new Set(), message: 'no open haven with room is near a usable road' };
      }
      const c = this.compute(from, firstReachable, TIME, rank, 0, undefined, true);
      this.overlaysOf(seenEdges).forEach((k) => c.seen.add(k));
      return c;
    }
    const c = this.compute(from, best.to, TIME, rank, this.opts.corridorAlternatives, undefined, true);
    this.overlaysOf(seenEdges).forEach((k) => c.seen.add(k));
    c.havenId = best.h.id;
    return c;
  }

  private refreshClearance(cid: string, causes: string[], lowered?: RouteLeg[]): Corridor | null {
    const t = this.tracked.get(cid);
    if (!t || t.corridor.status !== 'ok') return null;
    // Lowered by added zones only: already exact. Otherwise (nearest zone lifted) recompute.
    const routes: RouteLeg[] = lowered ?? t.corridor.routes.map((r) => ({ ...r }));
    if (!lowered) t.nearest = this.setClearance(routes);
    const o = t.nearest ? this.overlays.get(t.nearest) : undefined;
    const best = routes[0].min_clearance_m;
    const corridor: Corridor = {
      ...t.corridor,
      routes,
      cause: causes.map((k) => k.slice(2)),
      reason:
        best === null || !o
          ? 'route unchanged; no no-go or danger zone remains'
          : `route unchanged; nearest zone is ${this.describe(o)} at ${formatDistance(best)}`,
      computedMs: this.opts.now(),
    };
    delete corridor.deltaS;
    t.corridor = corridor;
    return corridor;
  }

  private reasonFor(convoy: Convoy, prev: Corridor | undefined, next: Corridor, causes: string[], c: Computed, why: 'init' | 'change'): string {
    if (next.status === 'off_network') {
      return `${c.offBy?.path === 'to' ? 'destination' : 'origin'} is ${formatDistance(c.offBy?.distanceM ?? Infinity)} from the nearest usable road`;
    }
    if (next.status === 'no_haven') return c.message ?? 'no open haven with room';
    if (next.status === 'no_safe_route') return c.message ?? 'no safe route';
    const leg = next.routes[0];
    const summary = `${formatDistance(leg.distance_m)}, ${formatDuration(leg.duration_s)}`;
    if (!prev || prev.status !== 'ok' || why === 'init') {
      const to = next.havenId ? ` to haven ${this.havenName(next.havenId)}` : '';
      return prev && prev.status !== 'ok' ? `route found again${to}: ${summary}` : `corridor computed${to}: ${summary}`;
    }
    const delta = next.deltaS ?? 0;
    const sign = `${delta >= 0 ? '+' : '−'}${formatDuration(Math.abs(delta))}`;
    if (next.havenId !== prev.havenId && next.havenId) {
      const was = prev.havenId ? this.havens.get(prev.havenId) : undefined;
      const whyHaven = prev.havenId ? `haven ${prev.havenId} ${was ? (was.status === 'open' ? 'has no room' : was.status) : 'removed'}` : 'haven changed';
      return `${whyHaven}: now to haven ${this.havenName(next.havenId)}, ${sign}`;
    }
    const added: string[] = [];
    const lifted: string[] = [];
    for (const k of causes) {
      const o = this.overlays.get(k);
      if (o && o.effect !== 'none') added.push(this.describe(o));
      else if (!o && (k.startsWith('z:') || k.startsWith('c:'))) lifted.push(`${k.startsWith('z:') ? 'zone' : 'constraint'} ${k.slice(2)}`);
    }
    const same = sameRoutes(prev.routes, next.routes);
    if (same) return `route unchanged (${summary})`;
    if (convoy.id && causes.includes(convoy.id)) return `convoy changed: ${summary}`;
    if (added.length) return `re-routed around ${added.join(', ')}: ${sign}`;
    if (lifted.length) return `${lifted.join(', ')} lifted: ${sign}`;
    return `re-routed: ${sign}`;
  }

  private havenName(id: string): string {
    const h = this.havens.get(id);
    return h ? `${id} (${h.name})` : id;
  }
}

function offNetwork(path: 'from' | 'to', distanceM: number): RouteAnswer {
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

function needsCorridor(c: Convoy): boolean {
  return c.state !== 'cancelled' && c.state !== 'arrived';
}

function routeInputsChanged(a: Convoy, b: Convoy): boolean {
  return (
    a.origin[0] !== b.origin[0] ||
    a.origin[1] !== b.origin[1] ||
    JSON.stringify(a.destination) !== JSON.stringify(b.destination) ||
    a.vehicleClass !== b.vehicleClass ||
    (a.people ?? 0) !== (b.people ?? 0)
  );
}

function moved(a: Haven | undefined, b: Haven): boolean {
  return !a || a.lon !== b.lon || a.lat !== b.lat;
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

function sameRoutes(a: RouteLeg[], b: RouteLeg[]): boolean {
  return a.length === b.length && a.every((r, i) => sameLeg(r, b[i]));
}

function sameLeg(a: RouteLeg, b: RouteLeg): boolean {
  if (
    a.distance_m !== b.distance_m ||
    a.duration_s !== b.duration_s ||
    a.exposure_m !== b.exposure_m ||
    a.min_clearance_m !== b.min_clearance_m ||
    a.coordinates.length !== b.coordinates.length
  ) {
    return false;
  }
  return a.coordinates.every((c, i) => c[0] === b.coordinates[i][0] && c[1] === b.coordinates[i][1]);
}

function sameCorridor(a: Corridor, b: Corridor): boolean {
  return (
    a.status === b.status &&
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

/** "850 m", "12.4 km". */
export function formatDistance(m: number): string {
  if (!Number.isFinite(m)) return 'unknown distance';
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

/** "40 s", "4 min", "1 h 05 min". */
export function formatDuration(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

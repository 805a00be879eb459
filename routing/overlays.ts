// Zones and access constraints as overlays on the prepared graph (routing/): per-edge block, danger and
// restrict counts and the cost factors the searches read, changed in place; the graph is never rebuilt.
import type { Constraint, ThreatZone, ZoneRef } from '@corridor/protocol';
import { projectArea, type ProjectedArea } from './geometry.js';
import { STATUS_RESTRICTED } from './profile.js';
import type { RoadGraph } from './road-graph.js';
import { edgesOfGeometry, edgesTouchingArea } from './zone-effects.js';

/** Farthest zone that counts for `min_clearance_m`, metres; beyond it the figure is null. */
export const CLEARANCE_HORIZON_M = 5000;

/** One zone or constraint as the router applies it, kept under its key (`z:<id>`, `c:<id>`). */
export interface Overlay {
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

/** Cost multipliers the overlays apply (see RouterOptions). */
export interface OverlayFactors {
  dangerFactor: number;
  restrictedFactor: number;
}

/**
 * The overlay of a threat zone: no-go blocks, danger raises costs, advisory does nothing to the roads.
 * @example overlayOfThreat(graph, zone('tz-1', [11.97, 57.71], 200)).effect // 'block'
 */
export function overlayOfThreat(graph: RoadGraph, z: ThreatZone): Overlay {
  const area = projectArea(z.area);
  const effect = z.severity === 'no-go' ? 'block' : z.severity === 'danger' ? 'danger' : 'none';
  // Issue: a no-go zone blocks every edge it intersects "plus an optional stand-off distance".
  const edges = effect === 'none' ? new Int32Array(0) : edgesTouchingArea(graph, area, effect === 'block' ? (z.standoffM ?? 0) : 0);
  return { id: z.id, effect, severity: z.severity, label: z.label, kind: 'zone', area, edges, ref: z };
}

/**
 * The overlay of an access constraint: closed blocks, restricted raises costs, open does nothing.
 * @example overlayOfConstraint(graph, { ...c, status: 'restricted' }).effect // 'restrict'
 */
export function overlayOfConstraint(graph: RoadGraph, c: Constraint): Overlay {
  const effect = c.status === 'closed' ? 'block' : c.status === 'restricted' ? 'restrict' : 'none';
  const edges = effect === 'none' ? new Int32Array(0) : edgesOfGeometry(graph, c.geometry);
  return { id: c.id, effect, label: c.reason, kind: 'constraint', edges, ref: c };
}

/**
 * Whether a cause is an overlay key (the other causes are haven and convoy ids).
 * @example isOverlayKey('z:tz-3') // true
 */
export function isOverlayKey(key: string): boolean {
  return key.startsWith('z:') || key.startsWith('c:');
}

/**
 * The zone reference of an overlay key, as structured reasons carry it.
 * @example zoneRefOf('c:ac-1') // { kind: 'constraint', id: 'ac-1' }
 */
export function zoneRefOf(key: string): ZoneRef {
  return { kind: key.startsWith('z:') ? 'zone' : 'constraint', id: key.slice(2) };
}

/**
 * The overlay key of a zone reference.
 * @example keyOfRef({ kind: 'zone', id: 'tz-3' }) // 'z:tz-3'
 */
export function keyOfRef(ref: ZoneRef): string {
  return `${ref.kind === 'zone' ? 'z' : 'c'}:${ref.id}`;
}

/**
 * The overlays applied to one graph: per-edge arrays that the search costs share (block counts,
 * factors, `marked`), and the overlays by key and by edge. Adding or removing one costs work
 * proportional to the edges it touches.
 */
export class Overlays {
  /** No-go zones and closed constraints on each edge: the searches skip an edge while it is above 0. */
  readonly blockCount: Uint16Array;
  /** Danger zones on each edge. */
  readonly dangerCount: Uint16Array;
  /** Restricted constraints on each edge. */
  readonly restrictCount: Uint16Array;
  /** Cost factor of each edge (≥ 1), shared with the search costs: static factor × danger × restrict. */
  readonly factor: Float64Array;
  /** 1 on edges that carry any overlay, shared with the search costs. */
  readonly marked: Uint8Array;
  /** Factor of the road itself: restricted roads (IOM operational_status) cost more whatever the overlays. */
  private readonly staticFactor: Float64Array;
  private readonly byKey = new Map<string, Overlay>();
  /** Overlay keys per touched edge. */
  private readonly byEdge = new Map<number, string[]>();

  constructor(
    graph: RoadGraph,
    private readonly factors: OverlayFactors,
  ) {
    const e = graph.edgeCount;
    const status = graph.data.edgeStatus;
    this.staticFactor = new Float64Array(e);
    this.factor = new Float64Array(e);
    for (let i = 0; i < e; i++) {
      this.staticFactor[i] = status[i] === STATUS_RESTRICTED ? factors.restrictedFactor : 1;
      this.factor[i] = this.staticFactor[i];
    }
    this.blockCount = new Uint16Array(e);
    this.dangerCount = new Uint16Array(e);
    this.restrictCount = new Uint16Array(e);
    this.marked = new Uint8Array(e);
  }

  get(key: string): Overlay | undefined {
    return this.byKey.get(key);
  }

  /** Every overlay with its key, in the order added. */
  entries(): IterableIterator<[string, Overlay]> {
    return this.byKey.entries();
  }

  /** Keys of the overlays on an edge, or undefined when it has none. */
  onEdge(e: number): readonly string[] | undefined {
    return this.byEdge.get(e);
  }

  /** Keys of the overlays on any of some edges. */
  onEdges(edges: Iterable<number>): Set<string> {
    const out = new Set<string>();
    for (const e of edges) for (const k of this.byEdge.get(e) ?? []) out.add(k);
    return out;
  }

  add(key: string, o: Overlay): void {
    this.byKey.set(key, o);
    const marked = this.marked;
    for (const e of o.edges) {
      if (o.effect === 'block') this.blockCount[e]++;
      else if (o.effect === 'danger') this.dangerCount[e]++;
      else if (o.effect === 'restrict') this.restrictCount[e]++;
      const list = this.byEdge.get(e);
      if (list) list.push(key);
      else this.byEdge.set(e, [key]);
      marked[e] = 1;
      this.refreshFactor(e);
    }
  }

  /** Takes an overlay off its edges; returns it, or undefined when none has that key. */
  remove(key: string): Overlay | undefined {
    const o = this.byKey.get(key);
    if (!o) return undefined;
    this.byKey.delete(key);
    const marked = this.marked;
    for (const e of o.edges) {
      if (o.effect === 'block') this.blockCount[e]--;
      else if (o.effect === 'danger') this.dangerCount[e]--;
      else if (o.effect === 'restrict') this.restrictCount[e]--;
      const list = this.byEdge.get(e);
      if (list) {
        const i = list.indexOf(key);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) {
          this.byEdge.delete(e);
          marked[e] = 0;
        }
      }
      this.refreshFactor(e);
    }
    return o;
  }

  /** Removes every overlay (the per-edge arrays return to the roads' own figures). */
  clear(): void {
    for (const key of [...this.byKey.keys()]) this.remove(key);
  }

  /** The name reasons give a zone or constraint: its overlay's description, or kind and id once lifted. */
  name(ref: ZoneRef): string {
    const o = this.byKey.get(keyOfRef(ref));
    return o ? this.describe(o) : `${ref.kind} ${ref.id}`;
  }

  /** How reasons name an overlay: "zone tz-1 (Sniper fire)", "constraint ac-1". */
  describe(o: Overlay): string {
    return `${o.kind} ${o.id}${o.label ? ` (${o.label})` : ''}`;
  }

  private refreshFactor(e: number): void {
    this.factor[e] =
      this.staticFactor[e] * (this.dangerCount[e] > 0 ? this.factors.dangerFactor : 1) * (this.restrictCount[e] > 0 ? this.factors.restrictedFactor : 1);
  }
}

// The prepared road graph: roads → junction nodes and polyline edges in typed arrays, built once.
// Holds the flatbush edge index (zone lookups in O(log n + k)) and snapping; see STYLE "routing/".
import Flatbush from 'flatbush';
import createGraph, { type Graph } from 'ngraph.graph';
import {
  STATUS_CLOSED,
  isRoutable,
  onewayOf,
  operationalStatus,
  practicabilityRank,
  speedMps,
} from './profile.js';
import { nearestOnSegment } from './geometry.js';
import type { RoadWay } from './types.js';

/** Mean Earth radius, metres (the same for edge lengths and the A* heuristic, so it stays admissible). */
export const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

/** Great-circle distance between two points, metres. */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Direction bits of `edgeDir`: travel along the drawing (from → to) and against it. */
export const DIR_FORWARD = 1;
export const DIR_BACKWARD = 2;

/** The raw arrays of a prepared graph: what the disk cache stores. */
export interface RoadGraphData {
  /** Junction and end nodes, degrees. */
  nodeLon: Float64Array;
  nodeLat: Float64Array;
  /** Edge end nodes, in drawing order. */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  /** Edge length along its geometry, metres. */
  edgeLenM: Float64Array;
  /** Expected speed, metres per second. */
  edgeSpeedMps: Float32Array;
  /** {@link DIR_FORWARD} | {@link DIR_BACKWARD}. */
  edgeDir: Uint8Array;
  /** Heaviest vehicle rank the road takes (0 non-motorised .. 5 truck + trailer), see profile.ts. */
  edgeRank: Uint8Array;
  /** IOM `operational_status`: 0 open, 1 restricted, 2 closed. */
  edgeStatus: Uint8Array;
  /** Edge e's geometry is `geomCoords[2*geomOffset[e] .. 2*geomOffset[e+1])` as lon,lat pairs. */
  geomOffset: Int32Array;
  geomCoords: Float64Array;
  /** The way's `name` and `ref` of each edge (issue 18): indexes into {@link names}, -1 for none. */
  edgeName: Int32Array;
  edgeRef: Int32Array;
  /** The road names and refs the edges use, each once. */
  names: string[];
  /** Landmark tables (see `landmarksOf` in landmarks.ts); computed on first use when absent, and cached with the rest. */
  lmNodes?: Int32Array;
  lmFromL?: Float64Array;
  lmToL?: Float64Array;
}

/** Where a point meets the nearest usable road. */
export interface Snap {
  edge: number;
  /** Metres from the edge's `from` node along its geometry. */
  offsetM: number;
  /** Distance from the query point to the road, metres. */
  distanceM: number;
  point: [number, number];
}

/** Link data of the ngraph.graph form of the network. */
export interface NgraphLink {
  edge: number;
  /** Link cost in the unit of the weight asked for (seconds or metres). */
  cost: number;
}

/**
 * A road network as junction nodes and polyline edges in typed arrays, with a CSR adjacency of
 * directed arcs (`arc = 2 * edge + (0 along the drawing | 1 against it)`) and an edge index.
 */
export class RoadGraph {
  readonly data: RoadGraphData;
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** CSR: arcs leaving node n are `adjArc[adjStart[n] .. adjStart[n+1])`. Closed roads have no arcs. */
  readonly adjStart: Int32Array;
  readonly adjArc: Int32Array;
  /** Node positions as unit vectors, for the chord-length heuristic (chord ≤ arc, so admissible). */
  readonly nodeXyz: Float64Array;
  /** Fastest edge speed in the network, metres per second (time heuristic). */
  readonly maxSpeedMps: number;
  /** Flatbush over edge bounding boxes, degrees. */
  readonly index: Flatbush;
  /** [west, south, east, north], degrees. */
  readonly bbox: [number, number, number, number];

  constructor(data: RoadGraphData) {
    this.data = data;
    this.nodeCount = data.nodeLon.length;
    this.edgeCount = data.edgeFrom.length;
    const n = this.nodeCount;
    const e = this.edgeCount;
    const degree = new Int32Array(n + 1);
    let maxSpeed = 1;
    for (let i = 0; i < e; i++) {
      if (data.edgeStatus[i] === STATUS_CLOSED) continue;
      if (data.edgeDir[i] & DIR_FORWARD) degree[data.edgeFrom[i]]++;
      if (data.edgeDir[i] & DIR_BACKWARD) degree[data.edgeTo[i]]++;
      if (data.edgeSpeedMps[i] > maxSpeed) maxSpeed = data.edgeSpeedMps[i];
    }
    this.maxSpeedMps = maxSpeed;
    const start = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) start[i + 1] = start[i] + degree[i];
    const fill = start.slice(0, n);
    const arcs = new Int32Array(start[n]);
    for (let i = 0; i < e; i++) {
      if (data.edgeStatus[i] === STATUS_CLOSED) continue;
      if (data.edgeDir[i] & DIR_FORWARD) arcs[fill[data.edgeFrom[i]]++] = 2 * i;
      if (data.edgeDir[i] & DIR_BACKWARD) arcs[fill[data.edgeTo[i]]++] = 2 * i + 1;
    }
    this.adjStart = start;
    this.adjArc = arcs;
    const xyz = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const lon = data.nodeLon[i] * RAD;
      const lat = data.nodeLat[i] * RAD;
      xyz[3 * i] = Math.cos(lat) * Math.cos(lon);
      xyz[3 * i + 1] = Math.cos(lat) * Math.sin(lon);
      xyz[3 * i + 2] = Math.sin(lat);
    }
    this.nodeXyz = xyz;
    const index = new Flatbush(Math.max(1, e));
    let w = Infinity;
    let s = Infinity;
    let east = -Infinity;
    let north = -Infinity;
    for (let i = 0; i < e; i++) {
      const [a, b, c, d] = this.edgeBbox(i);
      index.add(a, b, c, d);
      if (a < w) w = a;
      if (b < s) s = b;
      if (c > east) east = c;
      if (d > north) north = d;
    }
    if (e === 0) index.add(0, 0, 0, 0);
    index.finish();
    this.index = index;
    this.bbox = e === 0 ? [0, 0, 0, 0] : [w, s, east, north];
  }

  /** Arcs entering each node, CSR over the same arc numbers as {@link adjArc} (backward searches); built on first use. */
  get inArcs(): { start: Int32Array; arcs: Int32Array } {
    if (!this.reverse) {
      const n = this.nodeCount;
      const d = this.data;
      const { adjStart, adjArc } = this;
      const head = (arc: number) => (arc & 1 ? d.edgeFrom[arc >> 1] : d.edgeTo[arc >> 1]);
      const start = new Int32Array(n + 1);
      for (let k = 0; k < adjArc.length; k++) start[head(adjArc[k]) + 1]++;
      for (let v = 0; v < n; v++) start[v + 1] += start[v];
      const fill = start.slice(0, n);
      const arcs = new Int32Array(adjArc.length);
      for (let k = 0; k < adjArc.length; k++) arcs[fill[head(adjArc[k])]++] = adjArc[k];
      this.reverse = { start, arcs };
    }
    return this.reverse;
  }
  private reverse?: { start: Int32Array; arcs: Int32Array };

  /** Bounding box of an edge's geometry, degrees. */
  edgeBbox(e: number): [number, number, number, number] {
    const g = this.data.geomCoords;
    let w = Infinity;
    let s = Infinity;
    let east = -Infinity;
    let north = -Infinity;
    for (let k = this.data.geomOffset[e]; k < this.data.geomOffset[e + 1]; k++) {
      const x = g[2 * k];
      const y = g[2 * k + 1];
      if (x < w) w = x;
      if (x > east) east = x;
      if (y < s) s = y;
      if (y > north) north = y;
    }
    return [w, s, east, north];
  }

  /** An edge's geometry as [lon, lat] pairs in drawing order. */
  edgeCoords(e: number): [number, number][] {
    const g = this.data.geomCoords;
    const out: [number, number][] = [];
    for (let k = this.data.geomOffset[e]; k < this.data.geomOffset[e + 1]; k++) out.push([g[2 * k], g[2 * k + 1]]);
    return out;
  }

  /**
   * The part of an edge between two offsets from its `from` node, metres, in the order asked for
   * (`fromM > toM` walks against the drawing).
   */
  edgeSlice(e: number, fromM: number, toM: number): [number, number][] {
    const coords = this.edgeCoords(e);
    const forward = fromM <= toM;
    const lo = Math.max(0, Math.min(fromM, toM));
    const hi = Math.max(fromM, toM);
    const out: [number, number][] = [];
    let acc = 0;
    for (let i = 0; i + 1 < coords.length; i++) {
      const [x1, y1] = coords[i];
      const [x2, y2] = coords[i + 1];
      const len = haversineM(x1, y1, x2, y2);
      const a = acc;
      const b = acc + len;
      acc = b;
      if (b < lo || a > hi) continue;
      const t1 = len > 0 ? Math.max(0, (lo - a) / len) : 0;
      const t2 = len > 0 ? Math.min(1, (hi - a) / len) : 1;
      const p1: [number, number] = [x1 + (x2 - x1) * t1, y1 + (y2 - y1) * t1];
      const p2: [number, number] = [x1 + (x2 - x1) * t2, y1 + (y2 - y1) * t2];
      if (out.length === 0) out.push(p1);
      out.push(p2);
    }
    if (out.length === 0) {
      const p = coords[hi <= 0 ? 0 : coords.length - 1];
      out.push(p, p);
    } else if (out.length === 1) out.push(out[0]);
    return forward ? out : out.reverse();
  }

  /**
   * The nearest edge to a point that passes `accept`, within `maxM` metres, or null.
   * Searches growing boxes so a dense city costs a few index probes, not a scan.
   */
  snap(lon: number, lat: number, maxM: number, accept: (edge: number) => boolean): Snap | null {
    const ky = 1 / 111_320;
    const kx = ky / Math.max(0.01, Math.cos(lat * RAD));
    const mx = 1 / kx;
    const my = 1 / ky;
    for (let r = Math.min(100, maxM); ; r = Math.min(r * 4, maxM)) {
      let best: Snap | null = null;
      const hits = this.index.search(lon - r * kx, lat - r * ky, lon + r * kx, lat + r * ky);
      for (const e of hits) {
        if (!accept(e)) continue;
        const g = this.data.geomCoords;
        let acc = 0;
        for (let k = this.data.geomOffset[e]; k + 1 < this.data.geomOffset[e + 1]; k++) {
          const x1 = (g[2 * k] - lon) * mx;
          const y1 = (g[2 * k + 1] - lat) * my;
          const x2 = (g[2 * k + 2] - lon) * mx;
          const y2 = (g[2 * k + 3] - lat) * my;
          const t = nearestOnSegment(x1, y1, x2, y2);
          const px = x1 + t * (x2 - x1);
          const py = y1 + t * (y2 - y1);
          const d = Math.hypot(px, py);
          const segLen = haversineM(g[2 * k], g[2 * k + 1], g[2 * k + 2], g[2 * k + 3]);
          if (!best || d < best.distanceM) {
            best = { edge: e, offsetM: acc + t * segLen, distanceM: d, point: [lon + px / mx, lat + py / my] };
          }
          acc += segLen;
        }
      }
      // Any edge within r crosses the box of half-side r, so a hit within r is the nearest.
      if (best && best.distanceM <= r) return best.distanceM <= maxM ? best : null;
      if (r >= maxM) return null;
    }
  }

  /**
   * The network as an ngraph.graph (multigraph: parallel roads kept, STACK.md), node ids 0..n-1, one
   * directed link per allowed direction with `{ edge, cost }`. `cost` returns null for edges left out.
   */
  toNgraph(cost: (edge: number) => number | null): Graph<unknown, NgraphLink> {
    const graph = createGraph<unknown, NgraphLink>({ multigraph: true });
    for (let i = 0; i < this.nodeCount; i++) graph.addNode(i);
    const d = this.data;
    for (let e = 0; e < this.edgeCount; e++) {
      if (d.edgeStatus[e] === STATUS_CLOSED) continue;
      const c = cost(e);
      if (c === null) continue;
      if (d.edgeDir[e] & DIR_FORWARD) graph.addLink(d.edgeFrom[e], d.edgeTo[e], { edge: e, cost: c });
      if (d.edgeDir[e] & DIR_BACKWARD) graph.addLink(d.edgeTo[e], d.edgeFrom[e], { edge: e, cost: c });
    }
    return graph;
  }
}

/**
 * Builds the prepared graph from road ways under the default vehicle profile: junctions (points
 * shared by several ways, or way ends) become nodes, the road between two junctions one edge.
 * @example const g = buildRoadGraph(await readRoadWays('roads.geojson')); g.nodeCount
 */
export function buildRoadGraph(ways: readonly RoadWay[], onProgress?: (done: number, total: number) => void): RoadGraph {
  const routable = ways.filter((w) => isRoutable(w.tags) && w.coordinates.length >= 2);
  // Vertices are identified by coordinates (GeoJSON has no node ids), to 1e-7 degree as in OSM.
  const key = (c: [number, number]) => `${Math.round(c[0] * 1e7)},${Math.round(c[1] * 1e7)}`;
  const uses = new Map<string, number>();
  for (const w of routable) {
    const n = w.coordinates.length;
    for (let i = 0; i < n; i++) {
      const k = key(w.coordinates[i]);
      const ends = i === 0 || i === n - 1 ? 2 : 1;
      uses.set(k, (uses.get(k) ?? 0) + ends);
    }
  }
  const nodeOf = new Map<string, number>();
  const nodeLon: number[] = [];
  const nodeLat: number[] = [];
  const nodeId = (c: [number, number], k: string) => {
    let id = nodeOf.get(k);
    if (id === undefined) {
      id = nodeLon.length;
      nodeOf.set(k, id);
      nodeLon.push(c[0]);
      nodeLat.push(c[1]);
    }
    return id;
  };
  const edgeFrom: number[] = [];
  const edgeTo: number[] = [];
  const edgeLen: number[] = [];
  const edgeSpeed: number[] = [];
  const edgeDir: number[] = [];
  const edgeRank: number[] = [];
  const edgeStatus: number[] = [];
  const geomOffset: number[] = [0];
  const geom: number[] = [];
  const edgeName: number[] = [];
  const edgeRef: number[] = [];
  // One table for names and refs: a road named by its ref elsewhere (`RN1`) shares the string.
  const names: string[] = [];
  const nameAt = new Map<string, number>();
  const stringId = (text: string | undefined) => {
    const t = text?.trim();
    if (!t) return -1;
    let id = nameAt.get(t);
    if (id === undefined) {
      id = names.length;
      nameAt.set(t, id);
      names.push(t);
    }
    return id;
  };
  const pushEdge = (coords: [number, number][], w: RoadWay) => {
    const a = nodeId(coords[0], key(coords[0]));
    const b = nodeId(coords[coords.length - 1], key(coords[coords.length - 1]));
    let len = 0;
    for (let i = 0; i + 1 < coords.length; i++) len += haversineM(coords[i][0], coords[i][1], coords[i + 1][0], coords[i + 1][1]);
    const oneway = onewayOf(w.tags);
    edgeFrom.push(a);
    edgeTo.push(b);
    edgeLen.push(len);
    edgeSpeed.push(speedMps(w.tags));
    edgeDir.push(oneway === 1 ? DIR_FORWARD : oneway === -1 ? DIR_BACKWARD : DIR_FORWARD | DIR_BACKWARD);
    edgeRank.push(practicabilityRank(w.tags));
    edgeStatus.push(operationalStatus(w.tags));
    edgeName.push(stringId(w.name ?? w.tags.name));
    edgeRef.push(stringId(w.tags.ref));
    for (const c of coords) geom.push(c[0], c[1]);
    geomOffset.push(geom.length / 2);
  };
  routable.forEach((w, wi) => {
    if (onProgress && wi % 5000 === 0) onProgress(wi, routable.length);
    // Drop repeated points so no segment has zero length.
    const pts: [number, number][] = [];
    let last = '';
    for (const c of w.coordinates) {
      const k = key(c);
      if (k !== last) pts.push(c);
      last = k;
    }
    if (pts.length < 2) return;
    let piece: [number, number][] = [pts[0]];
    for (let i = 1; i < pts.length; i++) {
      piece.push(pts[i]);
      const isJunction = i === pts.length - 1 || (uses.get(key(pts[i])) ?? 0) >= 2;
      if (!isJunction) continue;
      if (key(piece[0]) === key(piece[piece.length - 1])) {
        // A loop back to its own start: split it at its middle vertex so it is two real edges.
        if (piece.length >= 3) {
          const mid = Math.floor(piece.length / 2);
          pushEdge(piece.slice(0, mid + 1), w);
          pushEdge(piece.slice(mid), w);
        }
      } else {
        pushEdge(piece, w);
      }
      piece = [pts[i]];
    }
  });
  onProgress?.(routable.length, routable.length);
  return new RoadGraph({
    nodeLon: Float64Array.from(nodeLon),
    nodeLat: Float64Array.from(nodeLat),
    edgeFrom: Int32Array.from(edgeFrom),
    edgeTo: Int32Array.from(edgeTo),
    edgeLenM: Float64Array.from(edgeLen),
    edgeSpeedMps: Float32Array.from(edgeSpeed),
    edgeDir: Uint8Array.from(edgeDir),
    edgeRank: Uint8Array.from(edgeRank),
    edgeStatus: Uint8Array.from(edgeStatus),
    geomOffset: Int32Array.from(geomOffset),
    geomCoords: Float64Array.from(geom),
    edgeName: Int32Array.from(edgeName),
    edgeRef: Int32Array.from(edgeRef),
    names,
  });
}

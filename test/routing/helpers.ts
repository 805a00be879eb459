// Shared setup for the router tests: the Gothenburg graph loaded once (through the disk cache in a
// temporary folder), picture/event builders and a plain Dijkstra used as an independent oracle.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { circle } from '@turf/turf';
import { emptyPicture, type Constraint, type Convoy, type Haven, type Picture, type PictureEvent, type ThreatZone } from '@corridor/protocol';
import type { Polygonal } from '@corridor/protocol';
import { applyEvents } from '@corridor/protocol';
import { DEFAULT_ROADS_FILE, loadRoadNetwork, type LoadedNetwork } from '../../routing/index.js';
import type { RoadGraph } from '../../routing/road-graph.js';
import type { RoadWay } from '../../routing/types.js';
import type { EdgeCosts } from '../../routing/search.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared real-data folder, next to the repo (absent on some machines: tests skip). */
export const SHARED_DATA = path.resolve(repoRoot, '../shared/data');
export const HAITI_DIR = path.join(SHARED_DATA, 'haiti-port-au-prince');
export const hasHaiti = existsSync(HAITI_DIR);
export const CACHE_DIR = path.join(os.tmpdir(), 'corridor-routing-test-cache');

/** Loads the default (Gothenburg) network through the test cache. */
export function loadGothenburg(options: { dangerFactor?: number; now?: () => number } = {}): Promise<LoadedNetwork> {
  return loadRoadNetwork(DEFAULT_ROADS_FILE, { cacheDir: CACHE_DIR, now: () => 1_700_000_000_000, ...options });
}

/** A circular zone of `radiusM` metres around a point, as the server would hold it. */
export function zone(id: string, center: [number, number], radiusM: number, severity: ThreatZone['severity'] = 'no-go', extra: Partial<ThreatZone> = {}): ThreatZone {
  const area = circle(center, radiusM / 1000, { steps: 48, units: 'kilometers' }).geometry as Polygonal;
  return { id, severity, geometry: { type: 'Point', coordinates: center }, area, radiusM, updatedMs: 0, ...extra };
}

export function polygonZone(id: string, area: Polygonal, severity: ThreatZone['severity'] = 'no-go', label?: string): ThreatZone {
  return { id, severity, geometry: area, area, updatedMs: 0, ...(label ? { label } : {}) };
}

export function convoy(id: string, origin: [number, number], destination: Convoy['destination'], extra: Partial<Convoy> = {}): Convoy {
  return { id, name: id, origin, destination, vehicleClass: '4wd', state: 'planned', updatedMs: 0, ...extra };
}

export function haven(id: string, at: [number, number], capacity: number, extra: Partial<Haven> = {}): Haven {
  return { id, name: `Haven ${id}`, lon: at[0], lat: at[1], capacity, occupancy: 0, status: 'open', updatedMs: 0, ...extra };
}

export function constraint(id: string, geometry: Constraint['geometry'], status: Constraint['status']): Constraint {
  return { id, status, category: 'physical-environment', geometry, verifiedAt: '2026-11-21T10:00:00Z', verifiedBy: 'test', updatedMs: 0 };
}

type EventBody = PictureEvent extends infer E ? (E extends PictureEvent ? Omit<E, 'seq' | 'timeMs'> : never) : never;

/** A tiny event log: stamps seq, folds into the picture, like the server does. */
export class Log {
  picture: Picture = emptyPicture();
  private seq = 0;
  append(...bodies: EventBody[]): PictureEvent[] {
    const events = bodies.map((b) => ({ ...b, seq: ++this.seq, timeMs: 0 }) as PictureEvent);
    this.picture = applyEvents(this.picture, events);
    return events;
  }
}

/**
 * Plain Dijkstra from node to node over the graph's arcs with the router's per-edge costs: an
 * oracle sharing no code with the production search (no heuristic, no typed-array heap).
 * Returns Infinity when unreachable.
 */
export function plainDijkstra(graph: RoadGraph, costs: EdgeCosts, vehicleRank: number, from: number, to: number): number {
  const dist = new Map<number, number>([[from, 0]]);
  const done = new Set<number>();
  // A sorted array as the queue: slow, obviously right.
  const queue: [number, number][] = [[0, from]];
  while (queue.length) {
    let mi = 0;
    for (let i = 1; i < queue.length; i++) if (queue[i][0] < queue[mi][0]) mi = i;
    const [d, u] = queue.splice(mi, 1)[0];
    if (done.has(u)) continue;
    done.add(u);
    if (u === to) return d;
    for (let k = graph.adjStart[u]; k < graph.adjStart[u + 1]; k++) {
      const arc = graph.adjArc[k];
      const e = arc >> 1;
      if (costs.blocked[e] > 0 || costs.rank[e] < vehicleRank) continue;
      const v = arc & 1 ? graph.data.edgeFrom[e] : graph.data.edgeTo[e];
      const nd = d + costs.base[e] * costs.factor[e];
      if (nd < (dist.get(v) ?? Infinity)) {
        dist.set(v, nd);
        queue.push([nd, v]);
      }
    }
  }
  return Infinity;
}

/** A snap placed exactly on a node (offset 0 of an edge leaving it, or the end of one entering it). */
export function snapAtNode(graph: RoadGraph, node: number): { edge: number; offsetM: number; distanceM: number; point: [number, number] } | null {
  const d = graph.data;
  for (let e = 0; e < graph.edgeCount; e++) {
    if (d.edgeFrom[e] === node) return { edge: e, offsetM: 0, distanceM: 0, point: [d.nodeLon[node], d.nodeLat[node]] };
    if (d.edgeTo[e] === node) return { edge: e, offsetM: d.edgeLenM[e], distanceM: 0, point: [d.nodeLon[node], d.nodeLat[node]] };
  }
  return null;
}

/** One road of the 6×6 test lattice between points a and b (0..35), optionally bent, with its tags. */
export interface LatticeRoad {
  a: number;
  b: number;
  bend: boolean;
  highway: string;
  oneway?: string;
  practicability?: string;
  status?: string;
}

/** The road way of a {@link LatticeRoad}: lattice points 0.002° apart east, 0.0015° north. */
export function latticeWay(s: LatticeRoad, i: number): RoadWay {
  const p = (k: number): [number, number] => [10 + (k % 6) * 0.002, 50 + Math.floor(k / 6) * 0.0015];
  const [pa, pb] = [p(s.a), p(s.b)];
  const coords: [number, number][] = s.bend ? [pa, [(pa[0] + pb[0]) / 2 + 0.0003, (pa[1] + pb[1]) / 2], pb] : [pa, pb];
  const tags: Record<string, string> = { highway: s.highway };
  if (s.oneway) tags.oneway = s.oneway;
  if (s.practicability) tags.practicability = s.practicability;
  if (s.status) tags.operational_status = s.status;
  return { id: `way/${i}`, highway: s.highway, coordinates: coords, tags };
}

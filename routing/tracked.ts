// A standing corridor as the router holds it (routing/): its convoy, its corridor and what its searches
// saw; read by the router, the haven book-keeping (havens.ts) and the change analysis (impact.ts).
import type { Convoy, Corridor } from '@corridor/protocol';
import type { RoadGraph } from './road-graph.js';
import type { SearchResult } from './search.js';

/** One convoy's standing corridor and what decides whether a change can affect it. */
export interface Tracked {
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
  /** The route a planner chose (routeKey), kept first while a search still finds it (issue 12). */
  chosenKey?: string;
}

/**
 * Bounding box of some edges' geometry, degrees [west, south, east, north]; [∞, ∞, −∞, −∞] for none.
 * @example edgesBox(graph, []) // [Infinity, Infinity, -Infinity, -Infinity]: meets no other box
 */
export function edgesBox(graph: RoadGraph, edges: Iterable<number>): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const e of edges) {
    const [w, s, east, n] = graph.edgeBbox(e);
    box[0] = Math.min(box[0], w);
    box[1] = Math.min(box[1], s);
    box[2] = Math.max(box[2], east);
    box[3] = Math.max(box[3], n);
  }
  return box;
}

// Convoys as the HTTP API answers them (server/net/http): each with its corridor as GeoJSON, the shape of `GET /api/route`, so any GIS tool reads it.
import type { Convoy, Corridor } from '@corridor/protocol';

/** A convoy's corridor as a GeoJSON FeatureCollection of LineStrings, best first, with the corridor's own fields beside. */
export interface CorridorCollection {
  type: 'FeatureCollection';
  status: Corridor['status'];
  reason: string;
  why?: Corridor['why'];
  blockedBy?: string[];
  havenId?: string;
  deltaS?: number;
  computedMs: number;
  /** `computedMs` as ISO 8601. */
  computedAt: string;
  features: {
    type: 'Feature';
    geometry: { type: 'LineString'; coordinates: [number, number][] };
    properties: { rank: number; distance_m: number; duration_s: number; exposure_m: number; min_clearance_m: number | null };
  }[];
}

/** A convoy as `GET /api/convoys` lists it. */
export type ConvoyView = Convoy & {
  /** The haven its corridor leads to, when it leads to one. */
  havenId: string | null;
  corridor: CorridorCollection | null;
};

/**
 * A corridor as GeoJSON: its routes as LineString features (rank 0 the best) with the properties of
 * `GET /api/route`, and its status, reason and figures as members of the collection.
 * @example corridorCollection({ convoyId: 'cv-1', status: 'ok', routes: [leg], reason: 'corridor computed', computedMs: 0 }).features[0].properties.rank // 0
 */
export function corridorCollection(c: Corridor): CorridorCollection {
  return {
    type: 'FeatureCollection',
    status: c.status,
    reason: c.reason,
    ...(c.why ? { why: c.why } : {}),
    ...(c.blockedBy ? { blockedBy: c.blockedBy } : {}),
    ...(c.havenId ? { havenId: c.havenId } : {}),
    ...(c.deltaS !== undefined ? { deltaS: c.deltaS } : {}),
    computedMs: c.computedMs,
    computedAt: new Date(c.computedMs).toISOString(),
    features: c.routes.map((r, rank) => ({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: r.coordinates as [number, number][] },
      properties: { rank, distance_m: r.distance_m, duration_s: r.duration_s, exposure_m: r.exposure_m, min_clearance_m: r.min_clearance_m },
    })),
  };
}

/** A convoy with its corridor, as the API answers it. */
export function convoyView(convoy: Convoy, corridor: Corridor | undefined): ConvoyView {
  return { ...convoy, havenId: corridor?.havenId ?? null, corridor: corridor ? corridorCollection(corridor) : null };
}

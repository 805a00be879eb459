// Convoys as the HTTP API answers them (server/net/http): each with its corridor as GeoJSON, the shape of `GET /api/route`, so any GIS tool reads it.
import type { Actor, Alert, Convoy, Corridor, NoticeStatus, Picture, RerouteProposal, RoadStretch } from '@corridor/protocol';

/** A convoy's corridor as a GeoJSON FeatureCollection of LineStrings, best first, with the corridor's own fields beside. */
export interface CorridorCollection {
  type: 'FeatureCollection';
  status: Corridor['status'];
  reason: string;
  why?: Corridor['why'];
  blockedBy?: string[];
  havenId?: string;
  deltaS?: number;
  /** Zones and closed constraints that cut or endanger the route ahead of the moving convoy (P22). */
  endangeredBy?: Corridor['endangeredBy'];
  /** The first route is the one a planner chose, not the fastest (issue 12). */
  chosen?: boolean;
  /** Its route's version (P36): 1, then one more each time the first route became another line. */
  version?: number;
  computedMs: number;
  /** `computedMs` as ISO 8601. */
  computedAt: string;
  features: {
    type: 'Feature';
    geometry: { type: 'LineString'; coordinates: [number, number][] };
    properties: { rank: number; distance_m: number; duration_s: number; exposure_m: number; min_clearance_m: number | null; roads?: RoadStretch[] };
  }[];
}

/** An open alert as a convoy lists it (P21). */
export interface AlertView {
  id: string;
  kind: Alert['kind'];
  /** ISO 8601. */
  raisedAt: string;
  detail: Alert['detail'];
  /** Who acknowledged it (the token's id and organisation), or null. */
  acknowledgedBy: Actor | null;
  acknowledgedAt: string | null;
  /** When its cause ended, or null while it holds. */
  clearedAt: string | null;
}

/** A convoy as `GET /api/convoys` lists it. */
export type ConvoyView = Convoy & {
  /** The haven its corridor leads to, when it leads to one. */
  havenId: string | null;
  corridor: CorridorCollection | null;
  /** Distance done and left along its corridor, metres, while tracked (moving or holding); else null. */
  progress: { done_m: number; left_m: number } | null;
  /** Expected arrival (ISO 8601) while moving; else null. */
  eta: string | null;
  /** Its checkpoints on the corridor, each with when it was passed (ISO 8601) or null. */
  checkpoints_passed: { name: string; end?: 'origin' | 'destination'; at: [number, number]; along_m: number; passedAt: string | null }[] | null;
  /** The lead unit's last matched report: where, when, how far off the corridor, and its speed along it. */
  position: { at: [number, number]; time: string; offset_m: number; speed_mps: number | null } | null;
  /** Its alerts still shown (not both acknowledged and cleared), oldest first. */
  alerts: AlertView[];
  /** Its open re-route proposal (P22), its routes as a GeoJSON FeatureCollection like the corridor's; null when none. */
  proposal: ProposalView | null;
  /** Its deconfliction notice in brief (issue 18: `GET /api/convoys/:id/notice` gives it whole); null before approval. */
  notice: { reference: string; version: number; status: NoticeStatus } | null;
};

/** A re-route proposal as the API answers it. */
export type ProposalView = Omit<RerouteProposal, 'routes'> & {
  computedAt: string;
  routes: { type: 'FeatureCollection'; features: { type: 'Feature'; geometry: { type: 'LineString'; coordinates: [number, number][] }; properties: { rank: number; distance_m: number; duration_s: number; exposure_m: number; min_clearance_m: number | null; delta_s: number; roads?: RoadStretch[] } }[] };
};

/** A proposal with its routes as GeoJSON. */
export function proposalView(p: RerouteProposal): ProposalView {
  const { routes, ...rest } = p;
  return {
    ...rest,
    computedAt: new Date(p.computedMs).toISOString(),
    routes: {
      type: 'FeatureCollection',
      features: routes.map((r, rank) => ({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: r.coordinates as [number, number][] },
        properties: { rank, distance_m: r.distance_m, duration_s: r.duration_s, exposure_m: r.exposure_m, min_clearance_m: r.min_clearance_m, delta_s: r.delta_s, ...(r.roads ? { roads: r.roads } : {}) },
      })),
    },
  };
}

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
    ...(c.endangeredBy ? { endangeredBy: c.endangeredBy } : {}),
    ...(c.chosen ? { chosen: true } : {}),
    ...(c.version !== undefined ? { version: c.version } : {}),
    computedMs: c.computedMs,
    computedAt: new Date(c.computedMs).toISOString(),
    features: c.routes.map((r, rank) => ({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: r.coordinates as [number, number][] },
      properties: { rank, distance_m: r.distance_m, duration_s: r.duration_s, exposure_m: r.exposure_m, min_clearance_m: r.min_clearance_m, ...(r.roads ? { roads: r.roads } : {}) },
    })),
  };
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** An alert as the API answers it. */
export function alertView(a: Alert): AlertView {
  return {
    id: a.id,
    kind: a.kind,
    raisedAt: new Date(a.raisedMs).toISOString(),
    detail: a.detail,
    acknowledgedBy: a.acknowledged?.by ?? null,
    acknowledgedAt: iso(a.acknowledged?.atMs),
    clearedAt: iso(a.clearedMs),
  };
}

/** A convoy with its corridor, its track and its alerts, as the API answers it. */
export function convoyView(convoy: Convoy, picture: Pick<Picture, 'corridors' | 'tracks' | 'alerts' | 'proposals'> & Partial<Pick<Picture, 'notices'>>): ConvoyView {
  const corridor = picture.corridors[convoy.id];
  const notice = picture.notices && Object.hasOwn(picture.notices, convoy.id) ? picture.notices[convoy.id] : undefined;
  const tracked = convoy.state === 'moving' || convoy.state === 'holding';
  const track = picture.tracks[convoy.id];
  const passedAt = new Map(track?.passed.map((p) => [p.index, p.atMs]) ?? []);
  const alerts = Object.values(picture.alerts)
    .filter((a) => a.convoyId === convoy.id)
    .sort((a, b) => a.raisedMs - b.raisedMs)
    .map(alertView);
  return {
    ...convoy,
    havenId: corridor?.havenId ?? null,
    corridor: corridor ? corridorCollection(corridor) : null,
    progress: tracked && track ? track.progress : null,
    eta: convoy.state === 'moving' ? iso(track?.etaMs) : null,
    checkpoints_passed: track ? track.checkpoints.map((c, i) => ({ ...c, passedAt: iso(passedAt.get(i)) })) : null,
    position: track ? { at: track.at, time: new Date(track.timeMs).toISOString(), offset_m: track.offset_m, speed_mps: track.speed_mps ?? null } : null,
    alerts,
    proposal: picture.proposals[convoy.id] ? proposalView(picture.proposals[convoy.id]) : null,
    notice: notice ? { reference: notice.reference, version: notice.version, status: notice.status } : null,
  };
}

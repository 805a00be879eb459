// What the GIS and field-device exports hold (server/out, issue 18): pure functions from a picture as a
// recipient may see it (the outbox's view, never the stored picture) to a neutral document of named
// routes, points and shapes, which geojson-export.ts, kml-export.ts and gpx-export.ts write as text.
// A convoy's route export holds its corridor (best or chosen route first, then the alternatives), its
// origin, checkpoints in order, destination, the haven it leads to and the zones and constraints within
// 2 km of the route; the picture export holds everything the view holds. Items are made lazily, section
// by section, so a writer can give the event loop a turn between parts of a large picture.
//
//   route export                          picture export
//   ├─ Routes: best/chosen, alternatives  ├─ Routes: each convoy's best route
//   ├─ Points: origin, checkpoints…,      ├─ Havens, Sites, Units (points)
//   │          destination, haven         ├─ Threat zones (polygons)
//   ├─ Threat zones near the route        └─ Access constraints (lines or polygons)
//   └─ Access constraints near the route
import CheapRuler from 'cheap-ruler';
import { booleanIntersects } from '@turf/turf';
import type { Feature, Geometry } from 'geojson';
import type { Constraint, Convoy, Corridor, Haven, Lineal, Notice, Picture, Polygonal, RoadStretch, Site, ThreatZone, Unit } from '@corridor/protocol';

/** How near the route a zone or constraint must come to be in a route export, metres (issue 18). */
export const NEAR_ROUTE_M = 2000;

/** A property value as every format can hold it. */
export type ExportValue = string | number | boolean;
export type ExportProperties = Record<string, ExportValue>;

/** What an item is: decides its style (KML), its symbol and type (GPX) and its `kind` property. */
export type ExportKind = 'route' | 'alternative' | 'origin' | 'checkpoint' | 'hold' | 'destination' | 'haven' | 'site' | 'unit' | 'zone' | 'constraint';

interface ItemBase {
  kind: ExportKind;
  /** The picture's id of what it shows (the convoy's for routes and a convoy's points). */
  id: string;
  /** What a person sees in the device's list or the GIS table. */
  name: string;
  /** A sentence or two: the figures a person wants at a glance. */
  description: string;
  /** Everything else, for GIS tables (snake_case, units in the names). */
  properties: ExportProperties;
}

/** A point: a checkpoint, an end, a haven, a site, a unit. */
export interface ExportPoint extends ItemBase {
  type: 'point';
  at: [number, number];
  /** When it was there, ms since epoch (units). */
  timeMs?: number;
}

/** A route: a line to drive. */
export interface ExportLine extends ItemBase {
  type: 'line';
  coordinates: [number, number][];
  /** Its roads, stretch by stretch (issue 18), when the router named them. */
  roads?: RoadStretch[];
}

/** An area or a road that is not to be driven as a route: a threat zone, an access constraint. */
export interface ExportShape extends ItemBase {
  type: 'shape';
  geometry: Polygonal | Lineal;
  /** Its style: `zone-no-go`, `constraint-closed`, ... (KML). */
  style: string;
}

export type ExportItem = ExportPoint | ExportLine | ExportShape;

/** A part of a document (a KML folder): its title and its items, made when asked for. */
export interface ExportSection {
  title: string;
  items: () => Iterable<ExportItem>;
}

/** A document to write in each format. */
export interface GeoExport {
  /** Its title (the convoy's name, or the picture's). */
  name: string;
  /** What it is, with the route version and the notice it goes with. */
  description: string;
  /** The picture's seq it was made from. */
  seq: number;
  /** When it was made, ms since epoch. */
  madeMs: number;
  /** Document-level figures: `convoy_id`, `route_version`, `notice_reference`, `notice_version`. */
  properties: ExportProperties;
  sections: ExportSection[];
}

// ---------------------------------------------------------------- numbers and geometry

/**
 * Degrees to 7 decimals (about 1 cm), the precision of every position exported; 0, never -0.
 * @example round7(11.96312345678) // 11.9631235
 */
export function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7 || 0;
}

/** A position to 7 decimals. */
export function position7([lon, lat]: readonly number[]): [number, number] {
  return [round7(lon), round7(lat)];
}

/** Twice the signed area of a ring in degrees²: positive when counter-clockwise (x east, y north). */
function signedArea2(ring: readonly (readonly number[])[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return sum;
}

/**
 * A polygon's rings to 7 decimals, wound as RFC 7946 (§3.1.6) wants: the exterior ring
 * counter-clockwise, holes clockwise (KML wants the same). A new array; the input is not changed.
 * @example rewindRings([[[0, 0], [0, 1], [1, 1], [0, 0]]])[0] // [[0, 0], [1, 1], [0, 1], [0, 0]]
 */
export function rewindRings(rings: readonly (readonly (readonly number[])[])[]): [number, number][][] {
  return rings.map((ring, i) => {
    const r = ring.map(position7);
    const ccw = signedArea2(r) > 0;
    return (i === 0) === ccw ? r : r.reverse();
  });
}

/** A geometry to 7 decimals with its polygons rewound (RFC 7946). */
export function geometry7(g: Polygonal | Lineal): Polygonal | Lineal {
  switch (g.type) {
    case 'Polygon':
      return { type: 'Polygon', coordinates: rewindRings(g.coordinates) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: g.coordinates.map(rewindRings) };
    case 'LineString':
      return { type: 'LineString', coordinates: g.coordinates.map(position7) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: g.coordinates.map((l) => l.map(position7)) };
  }
}

// ---------------------------------------------------------------- words

const byId = <T>(id: (t: T) => string) => (a: T, b: T) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);

/** A distance for a sentence: `850 m`, `12.3 km`. */
function km(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

/** A duration for a sentence: `25 min`, `2 h 05 min`. */
function hm(s: number): string {
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** What a route export says of its version and notice: `route version 2; notice DN-2026-0412 version 3`. */
function paperwork(corridor: Corridor | undefined, notice: Notice | undefined): string {
  const parts: string[] = [];
  if (corridor?.version !== undefined) parts.push(`route version ${corridor.version}`);
  if (notice) parts.push(`deconfliction notice ${notice.reference} version ${notice.version} (${notice.status})`);
  return parts.join('; ');
}

/** The document-level figures of a convoy's export. */
function paperworkProperties(corridor: Corridor | undefined, notice: Notice | undefined): ExportProperties {
  return {
    ...(corridor?.version !== undefined ? { route_version: corridor.version } : {}),
    ...(notice ? { notice_reference: notice.reference, notice_version: notice.version, notice_status: notice.status } : {}),
  };
}

// ---------------------------------------------------------------- items

/** A convoy's routes: the first (chosen or best) named after the convoy, then its alternatives. */
function routeLines(convoy: Convoy, corridor: Corridor | undefined, notice: Notice | undefined, only: 'best' | 'all'): ExportLine[] {
  if (!corridor || corridor.status !== 'ok') return [];
  const routes = only === 'best' ? corridor.routes.slice(0, 1) : corridor.routes;
  const papers = paperworkProperties(corridor, notice);
  const said = paperwork(corridor, notice);
  return routes.map((r, rank) => {
    const first = rank === 0;
    const what = first ? (corridor.chosen ? 'Chosen route' : 'Best route') : `Alternative ${rank}`;
    return {
      type: 'line',
      kind: first ? 'route' : 'alternative',
      id: convoy.id,
      name: first ? convoy.name : `${convoy.name} (alternative ${rank})`,
      description: `${what} of convoy ${convoy.name}: ${km(r.distance_m)}, ${hm(r.duration_s)}${r.exposure_m > 0 ? `, ${km(r.exposure_m)} inside danger zones` : ''}${said ? `; ${said}` : ''}.`,
      properties: {
        convoy_id: convoy.id,
        convoy_state: convoy.state,
        rank,
        ...(first && corridor.chosen ? { chosen: true } : {}),
        distance_m: Math.round(r.distance_m),
        duration_s: Math.round(r.duration_s),
        exposure_m: Math.round(r.exposure_m),
        ...(r.min_clearance_m !== null ? { min_clearance_m: Math.round(r.min_clearance_m) } : {}),
        ...papers,
      },
      coordinates: r.coordinates,
      ...(r.roads ? { roads: r.roads } : {}),
    };
  });
}

/** Where a convoy ends: its destination point, else its haven, else the end of its route. */
function destinationOf(convoy: Convoy, corridor: Corridor | undefined, haven: Haven | undefined): [number, number] | undefined {
  if (Array.isArray(convoy.destination)) return convoy.destination as [number, number];
  if (haven) return [haven.lon, haven.lat];
  const line = corridor?.routes[0]?.coordinates;
  return line && line.length > 0 ? line[line.length - 1] : undefined;
}

/** A haven as a point: its capacity, occupancy, status and contact. */
export function havenPoint(h: Haven): ExportPoint {
  return {
    type: 'point',
    kind: 'haven',
    id: h.id,
    name: h.name,
    description: `Safe haven, ${h.status}: ${h.occupancy} of ${h.capacity} places taken${h.contact ? `; contact: ${h.contact}` : ''}.`,
    properties: { haven_id: h.id, status: h.status, capacity: h.capacity, occupancy: h.occupancy, ...(h.contact ? { contact: h.contact } : {}) },
    at: [h.lon, h.lat],
  };
}

/** A displacement site as a point with its population. */
export function sitePoint(s: Site): ExportPoint {
  return {
    type: 'point',
    kind: 'site',
    id: s.id,
    name: s.name,
    description: `Displacement site: ${s.population} people on ${s.date}${s.source !== undefined ? ` (${s.source})` : ''}.`,
    properties: {
      site_id: s.id,
      population: s.population,
      date: s.date,
      ...(s.kind ? { site_kind: s.kind } : {}),
      ...(s.pcode ? { pcode: s.pcode } : {}),
      ...(s.admin ? { admin: s.admin } : {}),
      ...(s.source !== undefined ? { source: s.source } : {}),
    },
    at: [s.lon, s.lat],
  };
}

/** A unit's last fix as a point. */
export function unitPoint(u: Unit): ExportPoint {
  return {
    type: 'point',
    kind: 'unit',
    id: u.unitId,
    name: u.callsign ?? u.unitId,
    description: `Unit ${u.unitId}, last fix ${new Date(u.timeMs).toISOString()}.`,
    properties: {
      unit_id: u.unitId,
      time: new Date(u.timeMs).toISOString(),
      ...(u.affiliation ? { affiliation: u.affiliation } : {}),
      ...(u.heading !== undefined ? { heading_deg: u.heading } : {}),
      ...(u.speed !== undefined ? { speed_mps: u.speed } : {}),
    },
    at: [u.lon, u.lat],
    timeMs: u.timeMs,
  };
}

/** A threat zone as a polygon (a circle for a zone posted as a point), styled by severity. */
export function zoneShape(z: ThreatZone): ExportShape {
  return {
    type: 'shape',
    kind: 'zone',
    id: z.id,
    name: z.label ?? `${z.severity} zone ${z.id}`,
    description: `Threat zone, ${z.severity}${z.label ? `: ${z.label}` : ''}${z.validUntilMs !== undefined ? `; valid until ${new Date(z.validUntilMs).toISOString()}` : ''}.`,
    properties: {
      zone_id: z.id,
      severity: z.severity,
      ...(z.label ? { label: z.label } : {}),
      ...(z.source ? { source: z.source } : {}),
      ...(z.radiusM !== undefined ? { radius_m: z.radiusM } : {}),
      ...(z.validUntilMs !== undefined ? { valid_until: new Date(z.validUntilMs).toISOString() } : {}),
    },
    geometry: z.area,
    style: `zone-${z.severity}`,
  };
}

/** An access constraint as a line or a polygon, styled by status. */
export function constraintShape(c: Constraint): ExportShape {
  return {
    type: 'shape',
    kind: 'constraint',
    id: c.id,
    name: `Access ${c.status}: ${c.reason ?? c.category}`,
    description: `Access constraint, ${c.status} (${c.category})${c.reason ? `: ${c.reason}` : ''}; verified ${c.verifiedAt}${c.verifiedBy ? ` by ${c.verifiedBy}` : ''}.`,
    properties: {
      constraint_id: c.id,
      status: c.status,
      category: c.category,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.source ? { source: c.source } : {}),
      verified_at: c.verifiedAt,
      ...(c.verifiedBy ? { verified_by: c.verifiedBy } : {}),
      ...(c.validUntil ? { valid_until: c.validUntil } : {}),
    },
    geometry: c.geometry,
    style: `constraint-${c.status}`,
  };
}

// ---------------------------------------------------------------- near the route

type BBox = [number, number, number, number];

function bboxOf(points: Iterable<readonly number[]>): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  }
  return b;
}

function* positionsOf(g: Polygonal | Lineal): Iterable<[number, number]> {
  switch (g.type) {
    case 'LineString':
      yield* g.coordinates as [number, number][];
      return;
    case 'MultiLineString':
    case 'Polygon':
      for (const part of g.coordinates) yield* part as [number, number][];
      return;
    case 'MultiPolygon':
      for (const poly of g.coordinates) for (const ring of poly) yield* ring as [number, number][];
  }
}

function linesOf(g: Polygonal | Lineal): [number, number][][] {
  switch (g.type) {
    case 'LineString':
      return [g.coordinates as [number, number][]];
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates as [number, number][][];
    case 'MultiPolygon':
      return g.coordinates.flat() as [number, number][][];
  }
}

/**
 * Whether a geometry comes within `m` metres of a line (or of a lone point): it crosses or holds it,
 * or one's vertex is within `m` of the other. Boxes first, so far zones cost four comparisons.
 */
export function nearLine(line: readonly [number, number][], g: Polygonal | Lineal, m: number): boolean {
  if (line.length === 0) return false;
  const ruler = new CheapRuler(line[0][1], 'meters');
  const [w, s, e, n] = bboxOf(line);
  const [gw, gs, ge, gn] = bboxOf(positionsOf(g));
  const sw = ruler.offset([w, s], -m, -m);
  const ne = ruler.offset([e, n], m, m);
  if (ge < sw[0] || gw > ne[0] || gn < sw[1] || gs > ne[1]) return false;
  const path = line.length === 1 ? [line[0], line[0]] : (line as [number, number][]);
  const lineFeature: Feature<Geometry> = { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: path } };
  if (booleanIntersects(lineFeature, { type: 'Feature', properties: {}, geometry: g } as Feature<Geometry>)) return true;
  for (const p of positionsOf(g)) if (ruler.distance(p, ruler.pointOnLine(path, p).point) <= m) return true;
  for (const part of linesOf(g)) {
    if (part.length < 2) continue;
    for (const p of path) if (ruler.distance(p, ruler.pointOnLine(part, p).point) <= m) return true;
  }
  return false;
}

// ---------------------------------------------------------------- documents

/**
 * A convoy's route export from the picture as the recipient may see it; undefined when the view holds
 * no such convoy. Before a route is known it holds the convoy's points, and the zones near them.
 * @example routeExport(view, 'cv-1', Date.now())?.sections.map((s) => s.title) // ['Routes', 'Points', 'Threat zones', 'Access constraints']
 */
export function routeExport(view: Picture, convoyId: string, madeMs: number): GeoExport | undefined {
  const convoy = Object.hasOwn(view.convoys, convoyId) ? view.convoys[convoyId] : undefined;
  if (!convoy) return undefined;
  const corridor = Object.hasOwn(view.corridors, convoyId) ? view.corridors[convoyId] : undefined;
  const notice = Object.hasOwn(view.notices ?? {}, convoyId) ? view.notices[convoyId] : undefined;
  // The haven only when the recipient may see it (the corridor may name one it may not).
  const haven = corridor?.havenId && Object.hasOwn(view.havens, corridor.havenId) ? view.havens[corridor.havenId] : undefined;
  const lines = routeLines(convoy, corridor, notice, 'all');

  const points: ExportPoint[] = [];
  const base = { convoy_id: convoy.id };
  points.push({ type: 'point', kind: 'origin', id: convoy.id, name: `${convoy.name}: origin`, description: `Where convoy ${convoy.name} starts.`, properties: { ...base, order: 0 }, at: convoy.origin as [number, number] });
  (convoy.checkpoints ?? []).forEach((c, i) => {
    points.push({
      type: 'point',
      kind: c.hold ? 'hold' : 'checkpoint',
      id: convoy.id,
      name: c.name,
      description: `${c.hold ? 'Hold point' : 'Checkpoint'} ${i + 1} of convoy ${convoy.name}${c.hold ? ': the convoy waits here on an alert until told to go on' : ''}.`,
      properties: { ...base, order: i + 1, hold: c.hold === true },
      at: c.at as [number, number],
    });
  });
  const end = destinationOf(convoy, corridor, haven);
  if (end) {
    points.push({ type: 'point', kind: 'destination', id: convoy.id, name: `${convoy.name}: destination`, description: `Where convoy ${convoy.name} ends${haven ? `: safe haven ${haven.name}` : ''}.`, properties: { ...base, order: (convoy.checkpoints?.length ?? 0) + 1 }, at: end });
  }
  if (haven) points.push(havenPoint(haven));

  // Near the best route; before there is one, near the convoy's own points in order.
  const along: [number, number][] = lines[0]?.coordinates ?? points.filter((p) => p.kind !== 'haven').map((p) => p.at);
  const near = <T extends { id: string }>(items: Record<string, T>, geometry: (t: T) => Polygonal | Lineal) =>
    Object.values(items)
      .filter((t) => nearLine(along, geometry(t), NEAR_ROUTE_M))
      .sort(byId((t: T) => t.id));
  const zones = near(view.threats, (z) => z.area);
  const constraints = near(view.constraints, (c) => c.geometry);

  const said = paperwork(corridor, notice);
  const status = !corridor ? 'not yet routed' : corridor.status === 'ok' ? `${corridor.routes.length} route${corridor.routes.length === 1 ? '' : 's'}` : `no route (${corridor.status})`;
  return {
    name: convoy.name,
    description: `Convoy ${convoy.name} (${convoy.id}), ${convoy.state}: ${status}${said ? `; ${said}` : ''}. Zones and access constraints within ${NEAR_ROUTE_M / 1000} km of the route.`,
    seq: view.seq,
    madeMs,
    properties: { convoy_id: convoy.id, convoy_state: convoy.state, ...paperworkProperties(corridor, notice) },
    sections: [
      { title: 'Routes', items: () => lines },
      { title: 'Points', items: () => points },
      { title: 'Threat zones', items: () => zones.map(zoneShape) },
      { title: 'Access constraints', items: () => constraints.map(constraintShape) },
    ],
  };
}

/**
 * Items of a record in the picture's order (the order the log made them in, the same on every read),
 * made one at a time. Neither sorted nor copied whole: for 100,000 sites, sorting held the event loop
 * 120 ms and `Object.values` 55 ms before the first byte; the ids alone take about 18 ms, and each item
 * is then read when its turn comes (one gone meanwhile is left out).
 */
function* inOrder<T>(items: Record<string, T>, make: (t: T) => ExportItem | ExportItem[]): Iterable<ExportItem> {
  for (const id of Object.keys(items)) {
    if (!Object.hasOwn(items, id)) continue;
    const made = make(items[id]);
    if (Array.isArray(made)) yield* made;
    else yield made;
  }
}

/**
 * The whole picture as the recipient may see it: each convoy's best route, havens, sites, units, threat
 * zones and access constraints, each section in the picture's order.
 * @example pictureExport(view, Date.now()).sections.length // 6
 */
export function pictureExport(view: Picture, madeMs: number): GeoExport {
  const notices = view.notices ?? {};
  return {
    name: `Corridor picture (seq ${view.seq})`,
    description: `The operations picture at seq ${view.seq}, ${new Date(madeMs).toISOString()}, as shared with the recipient: convoys' best routes, safe havens, displacement sites, units, threat zones and access constraints.`,
    seq: view.seq,
    madeMs,
    properties: { seq: view.seq },
    sections: [
      { title: 'Routes', items: () => inOrder(view.convoys, (c) => routeLines(c, Object.hasOwn(view.corridors, c.id) ? view.corridors[c.id] : undefined, Object.hasOwn(notices, c.id) ? notices[c.id] : undefined, 'best')) },
      { title: 'Safe havens', items: () => inOrder(view.havens, havenPoint) },
      { title: 'Displacement sites', items: () => inOrder(view.sites, sitePoint) },
      { title: 'Units', items: () => inOrder(view.units, unitPoint) },
      { title: 'Threat zones', items: () => inOrder(view.threats, zoneShape) },
      { title: 'Access constraints', items: () => inOrder(view.constraints, constraintShape) },
    ],
  };
}

/** Every item of a document, section by section. */
export function* exportItems(doc: GeoExport): Iterable<ExportItem> {
  for (const s of doc.sections) yield* s.items();
}

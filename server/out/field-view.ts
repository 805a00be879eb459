// A field unit's view of the picture (server/out, issue 15): from the picture as its audience may see
// it (the outbox's), only what concerns the unit: its convoy with the route, haven and checkpoints
// ahead, the zones and constraints within its radius or cutting its way ahead, the alerts for it or
// its convoy, its own reports, and other units near it when asked. Pure: a picture in, items out.
import CheapRuler from 'cheap-ruler';
import {
  encodeLine,
  type Alert,
  type Constraint,
  type Convoy,
  type FieldAlert,
  type FieldConstraint,
  type FieldConvoy,
  type FieldItem,
  type FieldProgress,
  type FieldReport,
  type FieldUnit,
  type FieldZone,
  type Picture,
  type ThreatZone,
} from '@corridor/protocol';

export interface FieldViewOptions {
  /** The unit the field token is bound to. */
  unitId: string;
  /** Zones and constraints within this many metres of the unit. */
  radiusM: number;
  /** Other units within the radius too. */
  units: boolean;
}

/**
 * A standing access constraint of the road network itself (a road its assessment tagged closed or
 * restricted, server/access/network.ts): sent to a unit within its radius like a posted one.
 */
export interface NetworkConstraint {
  id: string;
  status: Constraint['status'];
  category: string;
  geometry: Constraint['geometry'];
}

/** Most of its own reports a unit is sent the status of (the latest). */
export const FIELD_OWN_REPORTS = 20;
/** Most other units a field client is sent (the nearest). */
export const FIELD_MAX_UNITS = 50;

const ACTIVE = new Set(['planned', 'approved', 'moving', 'holding']);

/** The bounding box of a geometry's positions, kept per geometry object (items are replaced, never changed). */
const boxes = new WeakMap<object, [number, number, number, number]>();
function bboxOf(geometry: { coordinates: unknown }): [number, number, number, number] {
  let box = boxes.get(geometry);
  if (box) return box;
  box = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (v: unknown): void => {
    if (!Array.isArray(v)) return;
    if (typeof v[0] === 'number') {
      box![0] = Math.min(box![0], v[0]);
      box![1] = Math.min(box![1], v[1] as number);
      box![2] = Math.max(box![2], v[0]);
      box![3] = Math.max(box![3], v[1] as number);
      return;
    }
    for (const x of v) walk(x);
  };
  walk(geometry.coordinates);
  boxes.set(geometry, box);
  return box;
}

/** Metres from a point to a box (0 inside). */
function distanceToBox(ruler: CheapRuler, [lon, lat]: readonly number[], [w, s, e, n]: readonly number[]): number {
  return ruler.distance([lon, lat], [Math.max(w, Math.min(e, lon)), Math.max(s, Math.min(n, lat))]);
}

/** The convoy a unit travels with: one it leads or escorts, under way first, then the latest planned. */
export function convoyOfUnit(picture: Picture, unitId: string): Convoy | undefined {
  let best: Convoy | undefined;
  const rank = (c: Convoy) => (c.state === 'moving' || c.state === 'holding' ? 2 : 1);
  for (const convoy of Object.values(picture.convoys)) {
    if (!ACTIVE.has(convoy.state)) continue;
    if (convoy.leadUnitId !== unitId && !convoy.unitIds?.includes(unitId)) continue;
    if (!best || rank(convoy) > rank(best) || (rank(convoy) === rank(best) && convoy.updatedMs > best.updatedMs)) best = convoy;
  }
  return best;
}

/** Outer rings of a zone's area. */
function ringsOf(zone: ThreatZone): string[] {
  const a = zone.area;
  return a.type === 'Polygon' ? [encodeLine(a.coordinates[0])] : a.coordinates.map((p) => encodeLine(p[0]));
}

function constraintItem(c: Pick<Constraint, 'id' | 'status' | 'category' | 'reason' | 'geometry'> | NetworkConstraint): FieldConstraint {
  const item: FieldConstraint = { k: 'constraint', id: c.id, status: c.status, category: c.category };
  if ('reason' in c && c.reason !== undefined) item.reason = c.reason;
  const g = c.geometry;
  if (g.type === 'LineString') item.lines = [encodeLine(g.coordinates)];
  else if (g.type === 'MultiLineString') item.lines = g.coordinates.map((l) => encodeLine(l));
  else if (g.type === 'Polygon') item.rings = [encodeLine(g.coordinates[0])];
  else item.rings = g.coordinates.map((p) => encodeLine(p[0]));
  return item;
}

function convoyItem(picture: Picture, convoy: Convoy, name: (kind: 'zone' | 'constraint', id: string) => string | undefined): FieldConvoy {
  const corridor = picture.corridors[convoy.id];
  const track = picture.tracks[convoy.id];
  const best = corridor?.status === 'ok' ? corridor.routes[0] : undefined;
  const item: FieldConvoy = { k: 'convoy', id: convoy.id, name: convoy.name, state: convoy.state, status: corridor?.status ?? 'none', ahead: [] };
  const last = convoy.stateHistory?.[convoy.stateHistory.length - 1];
  if (convoy.state === 'holding' && last?.to === 'holding') {
    if (last.reason !== undefined) item.reason = last.reason;
    if (last.resumeWhen !== undefined) item.resumeWhen = last.resumeWhen;
  }
  if (best) {
    item.route = encodeLine(best.coordinates);
    item.distanceM = Math.round(best.distance_m);
    item.durationS = Math.round(best.duration_s);
  }
  const unsafe = (corridor?.endangeredBy ?? []).map((z) => name(z.kind, z.id)).filter((n): n is string => n !== undefined);
  if (unsafe.length > 0) item.unsafe = [...new Set(unsafe)];
  const haven = corridor?.havenId !== undefined ? picture.havens[corridor.havenId] : undefined;
  if (haven) item.haven = { name: haven.name, at: [haven.lon, haven.lat], status: haven.status };
  if (track) {
    const passed = new Set(track.passed.map((p) => p.index));
    track.checkpoints.forEach((c, i) => {
      if (i === 0 || passed.has(i)) return;
      item.ahead.push({ name: c.name || (c.end === 'destination' ? (haven?.name ?? '') : ''), at: c.at, alongM: Math.round(c.along_m) });
    });
  } else {
    for (const c of convoy.checkpoints ?? []) item.ahead.push({ name: c.name, at: c.at });
  }
  return item;
}

function alertItem(alert: Alert): FieldAlert {
  const item: FieldAlert = { k: 'alert', id: alert.id, kind: alert.kind, raisedMs: alert.raisedMs };
  if (alert.convoyId !== undefined) item.convoyId = alert.convoyId;
  if (alert.detail.text !== undefined) item.text = alert.detail.text;
  if (alert.acknowledged) item.acknowledged = true;
  return item;
}

/**
 * What a field unit is sent, by key, from the picture its audience may see. Zones and constraints
 * the picture withholds from it are not there to be sent; those cutting its way ahead are named as
 * the picture names them (a withheld one is left out). The road network's tagged roads within the
 * radius come too (`network`).
 */
export function fieldView(picture: Picture, opts: FieldViewOptions, network: readonly NetworkConstraint[] = []): Map<string, FieldItem> {
  const out = new Map<string, FieldItem>();
  const me = picture.units[opts.unitId];
  const convoy = convoyOfUnit(picture, opts.unitId);
  const ruler = new CheapRuler(me?.lat ?? 0, 'meters');
  const near = (geometry: { coordinates: unknown }) => me !== undefined && distanceToBox(ruler, [me.lon, me.lat], bboxOf(geometry)) <= opts.radiusM;
  const ahead = new Set((convoy ? picture.corridors[convoy.id]?.endangeredBy ?? [] : []).map((z) => `${z.kind}:${z.id}`));

  const label = (kind: 'zone' | 'constraint', id: string) => {
    if (kind === 'zone') {
      const z = picture.threats[id];
      return z ? (z.label ?? z.id) : undefined;
    }
    const c = picture.constraints[id];
    return c ? (c.reason ?? c.id) : undefined;
  };
  if (convoy) {
    out.set('convoy', convoyItem(picture, convoy, label));
    const track = picture.tracks[convoy.id];
    if (track) {
      const step = (m: number, by: number) => Math.round(m / by) * by;
      const progress: FieldProgress = { k: 'progress', convoyId: convoy.id, doneM: step(track.progress.done_m, 50), leftM: step(track.progress.left_m, 50) };
      if (track.etaMs !== undefined && convoy.state === 'moving') progress.etaMs = step(track.etaMs, 30_000);
      out.set('progress', progress);
    }
  }

  for (const zone of Object.values(picture.threats)) {
    if (!ahead.has(`zone:${zone.id}`) && !near(zone.area)) continue;
    const item: FieldZone = { k: 'zone', id: zone.id, severity: zone.severity, rings: ringsOf(zone) };
    if (zone.label !== undefined) item.label = zone.label;
    if (zone.validUntilMs !== undefined) item.validUntilMs = zone.validUntilMs;
    out.set(`z:${zone.id}`, item);
  }
  for (const c of Object.values(picture.constraints)) {
    if (!ahead.has(`constraint:${c.id}`) && !near(c.geometry)) continue;
    out.set(`c:${c.id}`, constraintItem(c));
  }
  // The network's own tagged roads near the unit (they never change: each is sent once).
  for (const c of network) if (near(c.geometry)) out.set(`c:${c.id}`, constraintItem(c));
  for (const alert of Object.values(picture.alerts)) {
    if (alert.clearedMs !== undefined) continue;
    if (alert.unitId !== opts.unitId && (convoy === undefined || alert.convoyId !== convoy.id)) continue;
    out.set(`a:${alert.id}`, alertItem(alert));
  }
  const own = Object.values(picture.reports)
    .filter((r) => r.unitId === opts.unitId)
    .sort((a, b) => b.timeMs - a.timeMs)
    .slice(0, FIELD_OWN_REPORTS);
  for (const r of own) {
    const item: FieldReport = { k: 'report', id: r.id, kind: r.kind, status: r.status, timeMs: r.timeMs };
    if (r.review?.remark !== undefined) item.remark = r.review.remark;
    out.set(`r:${r.id}`, item);
  }
  if (opts.units && me) {
    const others: [number, FieldUnit][] = [];
    for (const u of Object.values(picture.units)) {
      if (u.unitId === opts.unitId) continue;
      const d = ruler.distance([me.lon, me.lat], [u.lon, u.lat]);
      if (d > opts.radiusM) continue;
      const item: FieldUnit = { k: 'unit', id: u.unitId, at: [u.lon, u.lat], timeMs: u.timeMs };
      if (u.callsign !== undefined) item.callsign = u.callsign;
      if (u.affiliation !== undefined) item.affiliation = u.affiliation;
      others.push([d, item]);
    }
    others.sort((a, b) => a[0] - b[0]);
    for (const [, item] of others.slice(0, FIELD_MAX_UNITS)) out.set(`u:${item.id}`, item);
  }
  return out;
}

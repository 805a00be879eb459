// fast-check arbitraries of valid client commands of every type (protocol/messages.ts), for
// the validator's property tests. Times are at or before NOW_MS so none is "in the future" (P6).
import fc from 'fast-check';
import type { ClientCommand, ClientCommandType } from '@corridor/protocol';
import { ACCESS_CATEGORIES } from '@corridor/protocol';

/** The server clock the property tests validate against, ms since epoch. */
export const NOW_MS = Date.UTC(2026, 10, 21, 10, 0, 0);
const PAST_MS = Date.UTC(2000, 0, 1);

export const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,30}$/);
export const msgId = fc.string({ minLength: 1, maxLength: 60 });
export const lon = fc.double({ min: -180, max: 180, noNaN: true });
export const lat = fc.double({ min: -90, max: 90, noNaN: true });
export const position2 = fc.tuple(lon, lat);
export const isoTime = fc.integer({ min: PAST_MS, max: NOW_MS }).map((ms) => new Date(ms).toISOString());
export const isoDate = fc.integer({ min: PAST_MS, max: NOW_MS }).map((ms) => new Date(ms).toISOString().slice(0, 10));
const count = fc.integer({ min: 0, max: 100_000_000 });
const text = (max: number) => fc.string({ maxLength: max });
const name = fc.string({ minLength: 1, maxLength: 200 });

/**
 * A simple (non-self-intersecting) closed ring: vertices at increasing angles around a centre,
 * each in its own sector, so no two edges cross (star-shaped polygon).
 */
export const ring = fc
  .record({
    cx: fc.double({ min: -170, max: 170, noNaN: true }),
    cy: fc.double({ min: -80, max: 80, noNaN: true }),
    n: fc.integer({ min: 3, max: 12 }),
    jitter: fc.array(fc.double({ min: 0, max: 0.8, noNaN: true }), { minLength: 12, maxLength: 12 }),
    radii: fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }),
  })
  .map(({ cx, cy, n, jitter, radii }) => {
    const sector = (2 * Math.PI) / n;
    const pts: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = sector * (i + jitter[i]);
      pts.push([cx + radii[i] * Math.cos(a), cy + radii[i] * Math.sin(a)]);
    }
    pts.push([pts[0][0], pts[0][1]]);
    return pts;
  });

const polygon = ring.map((r) => ({ type: 'Polygon' as const, coordinates: [r] }));
const multiPolygon = fc.array(ring, { minLength: 1, maxLength: 3 }).map((rs) => ({ type: 'MultiPolygon' as const, coordinates: rs.map((r) => [r]) }));
const lineString = fc.array(position2, { minLength: 2, maxLength: 8 }).map((c) => ({ type: 'LineString' as const, coordinates: c }));
const multiLineString = fc
  .array(fc.array(position2, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 3 })
  .map((c) => ({ type: 'MultiLineString' as const, coordinates: c }));
const severity = fc.constantFrom('no-go' as const, 'danger' as const, 'advisory' as const);

const threatProperties = fc.record(
  {
    id,
    severity,
    label: text(200),
    source: text(200),
    validUntil: isoTime,
    radius_m: fc.double({ min: 0.5, max: 200_000, noNaN: true }),
    standoff_m: fc.double({ min: 0, max: 50_000, noNaN: true }),
  },
  { requiredKeys: ['severity'] },
);
export const threatFeature = fc.oneof(
  fc.record({ type: fc.constant('Feature' as const), geometry: fc.oneof(polygon, multiPolygon), properties: threatProperties }),
  fc.record({
    type: fc.constant('Feature' as const),
    geometry: position2.map((c) => ({ type: 'Point' as const, coordinates: c })),
    properties: fc
      .tuple(threatProperties, fc.double({ min: 0.5, max: 200_000, noNaN: true }))
      .map(([p, radius_m]) => ({ ...p, radius_m })),
  }),
);

const report = fc.record(
  {
    unitId: id,
    lon,
    lat,
    time: isoTime,
    heading: fc.double({ min: 0, max: 360, noNaN: true }),
    speed: fc.double({ min: 0, max: 400, noNaN: true }),
    accuracy: fc.double({ min: 0, max: 100_000, noNaN: true }),
    callsign: text(64),
    affiliation: fc.constantFrom('military' as const, 'humanitarian' as const, 'civil' as const),
    msgId,
  },
  { requiredKeys: ['unitId', 'lon', 'lat'] },
);

const haven = fc
  .record(
    { id, name, lon, lat, capacity: count, occupancy: fc.double({ min: 0, max: 1, noNaN: true }), status: fc.constantFrom('open' as const, 'full' as const, 'closed' as const) },
    { requiredKeys: ['name', 'lon', 'lat', 'capacity', 'status'] },
  )
  // Occupancy is at most capacity (issue 9): drawn as a share of it.
  .map(({ occupancy, ...h }) => (occupancy === undefined ? h : { ...h, occupancy: Math.floor(occupancy * h.capacity) }));
const site = fc.record(
  {
    id,
    name,
    lon,
    lat,
    population: count,
    date: fc.oneof(isoDate, isoTime),
    source: fc.string({ minLength: 1, maxLength: 200 }),
    kind: fc.constantFrom('camp' as const, 'collective-centre' as const, 'informal' as const, 'host-community' as const),
  },
  { requiredKeys: ['name', 'lon', 'lat', 'population', 'date', 'source'] },
);
const flow = fc.record(
  { id, from: position2, to: position2, people: count, date: isoDate, source: fc.string({ minLength: 1, maxLength: 200 }) },
  { requiredKeys: ['from', 'to', 'people', 'date', 'source'] },
);
const constraint = fc.record(
  {
    id,
    status: fc.constantFrom('open' as const, 'restricted' as const, 'closed' as const),
    category: fc.constantFrom(...ACCESS_CATEGORIES.map((c) => c.code)),
    source: fc.string({ minLength: 1, maxLength: 200 }),
    reason: text(500),
    geometry: fc.oneof(lineString, multiLineString, polygon, multiPolygon),
    verifiedAt: isoTime,
    verifiedBy: fc.string({ minLength: 1, maxLength: 200 }),
    validUntil: isoTime,
  },
  { requiredKeys: ['status', 'category', 'geometry', 'verifiedAt', 'verifiedBy'] },
);
const convoy = fc.record(
  {
    id,
    name,
    origin: position2,
    destination: fc.oneof(position2, fc.constant('nearest-haven' as const)),
    vehicleClass: fc.constantFrom('motorbike' as const, '4wd' as const, 'light_truck' as const, 'heavy_truck' as const, 'truck_trailer' as const),
    people: count,
    leadUnitId: id,
    unitIds: fc.array(id, { maxLength: 3 }),
    checkpoints: fc.array(fc.record({ name, at: position2, hold: fc.boolean() }, { requiredKeys: ['name', 'at'] }), { maxLength: 3 }),
    organisation: name,
    vehicleType: name,
    markings: name,
    personnel: count,
    cargo: name,
    purpose: name,
    focalPoint: fc.record({ name, phone: fc.constantFrom('+249 912 345 678', '0031 70 123 4567'), radio: fc.constantFrom('VHF ch 4', 'HF 7.650 MHz'), email: fc.constant('ops@example.org') }, { requiredKeys: ['name'] }),
    timeZone: fc.constantFrom('UTC', 'Africa/Khartoum', 'Europe/Stockholm', 'America/Port-au-Prince', 'Asia/Manila'),
    radioPlan: fc.array(fc.record({ net: fc.string({ minLength: 1, maxLength: 80 }), channel: fc.string({ minLength: 1, maxLength: 80 }), callsign: fc.constantFrom('Papa 1', 'Convoy Lead'), use: name }, { requiredKeys: ['net', 'channel'] }), { maxLength: 3 }),
    onAlert: name,
    contact: name,
    autoAcceptMinutes: fc.integer({ min: 0, max: 240 }),
    planId: id,
    priority: fc.integer({ min: 1, max: 5 }),
    departure: isoTime,
    plates: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 3 }),
    state: fc.constantFrom('planned' as const, 'approved' as const, 'moving' as const, 'holding' as const, 'arrived' as const, 'aborted' as const),
  },
  { requiredKeys: ['name', 'origin', 'destination'] },
);

const plan = fc.record(
  {
    id,
    name,
    organisation: name,
    targetGroups: fc.uniqueArray(fc.record({ id, name }), { minLength: 1, maxLength: 5, selector: (g) => g.id }),
    havenIds: fc.uniqueArray(id, { minLength: 1, maxLength: 4 }),
    autoAcceptMinutes: fc.integer({ min: 0, max: 240 }),
    note: text(500),
  },
  { requiredKeys: ['name', 'targetGroups'] },
);

/** A field report (issue 15): each kind with the fields of its form. */
const reportForm = fc.oneof(
  fc.record({ kind: fc.constantFrom('road-blocked' as const, 'checkpoint' as const), text: text(500) }, { requiredKeys: ['kind'] }),
  fc.record({ kind: fc.constant('incident' as const), casualties: fc.boolean(), text: text(500) }, { requiredKeys: ['kind', 'casualties'] }),
  fc.record({ kind: fc.constant('needs' as const), needs: fc.uniqueArray(fc.constantFrom('water' as const, 'food' as const, 'medical' as const, 'shelter' as const), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('displaced' as const), people: count }),
  fc.record({ kind: fc.constant('note' as const), text: fc.string({ minLength: 1, maxLength: 500 }).filter((t) => t.trim().length > 0) }),
);
const fieldReport = fc
  .tuple(reportForm, fc.record({ id, unitId: id, at: position2, accuracy: fc.integer({ min: 0, max: 5000 }), time: isoTime }, { requiredKeys: ['unitId', 'at'] }))
  .map(([form, rest]) => ({ ...rest, ...form }));

/** Something said: not only blanks (a reason, a condition to resume, P20). */
const said = fc.string({ minLength: 1, maxLength: 120 }).filter((s) => s.trim().length > 0);
/** A change of a convoy's state with what its target needs (P20). */
const convoyStateChange = fc.oneof(
  fc.record({ to: fc.constantFrom('approved' as const, 'moving' as const, 'arrived' as const, 'planned' as const), reason: said }, { requiredKeys: ['to'] }),
  fc.record({ to: fc.constant('holding' as const), reason: said, resumeWhen: said }),
  fc.record({ to: fc.constant('aborted' as const), reason: said }),
);

/** A valid command of each type, by type. */
export const commandOf: { [K in ClientCommandType]: fc.Arbitrary<Extract<ClientCommand, { type: K }>> } = {
  position: fc.tuple(report, msgId).map(([r, m]) => ({ ...r, type: 'position' as const, msgId: m })),
  positions: fc.record({ type: fc.constant('positions' as const), msgId, reports: fc.array(report, { minLength: 1, maxLength: 5 }) }),
  'threat.upsert': fc.record({ type: fc.constant('threat.upsert' as const), msgId, feature: threatFeature }),
  'threat.remove': fc.record({ type: fc.constant('threat.remove' as const), msgId, id }),
  'haven.upsert': fc.record({ type: fc.constant('haven.upsert' as const), msgId, haven }),
  'haven.remove': fc.record({ type: fc.constant('haven.remove' as const), msgId, id }),
  'site.upsert': fc.record({ type: fc.constant('site.upsert' as const), msgId, site }),
  'site.remove': fc.record({ type: fc.constant('site.remove' as const), msgId, id }),
  'flow.upsert': fc.record({ type: fc.constant('flow.upsert' as const), msgId, flow }),
  'flow.remove': fc.record({ type: fc.constant('flow.remove' as const), msgId, id }),
  'constraint.upsert': fc.record({ type: fc.constant('constraint.upsert' as const), msgId, constraint }),
  'constraint.remove': fc.record({ type: fc.constant('constraint.remove' as const), msgId, id }),
  'convoy.upsert': fc.record({ type: fc.constant('convoy.upsert' as const), msgId, convoy }),
  'convoy.remove': fc.record({ type: fc.constant('convoy.remove' as const), msgId, id }),
  'plan.upsert': fc.record({ type: fc.constant('plan.upsert' as const), msgId, plan }),
  'plan.remove': fc.record({ type: fc.constant('plan.remove' as const), msgId, id }),
  'report.upsert': fc.record({ type: fc.constant('report.upsert' as const), msgId, report: fieldReport }),
  'report.remove': fc.record({ type: fc.constant('report.remove' as const), msgId, id }),
  'report.review': fc.record(
    { type: fc.constant('report.review' as const), msgId, reportId: id, status: fc.constantFrom('unverified' as const, 'confirmed' as const, 'dismissed' as const), remark: text(500), constraintId: id },
    { requiredKeys: ['type', 'msgId', 'reportId', 'status'] },
  ),
  'notice.send': fc.record({ type: fc.constant('notice.send' as const), msgId, convoyId: id, version: fc.integer({ min: 1, max: 50 }) }, { requiredKeys: ['type', 'msgId', 'convoyId'] }),
  'notice.ack': fc.record({ type: fc.constant('notice.ack' as const), msgId, convoyId: id, version: fc.integer({ min: 1, max: 50 }), by: said, remark: said }, { requiredKeys: ['type', 'msgId', 'convoyId', 'by'] }),
  'alert.ack': fc.record({ type: fc.constant('alert.ack' as const), msgId, alertId: id, remark: said }, { requiredKeys: ['type', 'msgId', 'alertId'] }),
  'unit.alert': fc.record(
    { type: fc.constant('unit.alert' as const), msgId, unitId: id, kind: fc.constantFrom('emergency' as const, 'casevac' as const), at: position2, text: said, callsign: fc.string({ maxLength: 64 }), cancel: fc.boolean() },
    { requiredKeys: ['type', 'msgId', 'unitId', 'kind', 'at'] },
  ),
  'convoy.reroute': fc.record({ type: fc.constant('convoy.reroute' as const), msgId, convoyId: id, proposalId: id, route: fc.integer({ min: 0, max: 5 }) }, { requiredKeys: ['type', 'msgId', 'convoyId', 'proposalId'] }),
  'convoy.route': fc.record({ type: fc.constant('convoy.route' as const), msgId, convoyId: id, route: fc.integer({ min: 0, max: 5 }) }),
  'convoy.state': fc.tuple(msgId, id, convoyStateChange).map(([m, convoyId, change]) => ({ type: 'convoy.state' as const, msgId: m, convoyId, ...change })),
  // An import (issue 17): each id at most once in it (the validator refuses an id given twice).
  'sites.import': fc.record(
    {
      type: fc.constant('sites.import' as const),
      msgId,
      import: fc.record({ name, rows: count, skipped: count }),
      sites: fc.uniqueArray(site, { minLength: 1, maxLength: 4, selector: (s) => s.id ?? '' }),
      flows: fc.uniqueArray(flow, { maxLength: 3, selector: (f) => f.id ?? '' }),
    },
    { requiredKeys: ['type', 'msgId', 'import', 'sites'] },
  ),
  resync: fc.record({ type: fc.constant('resync' as const), since: fc.nat() }),
  ping: fc.record({ type: fc.constant('ping' as const), msgId }, { requiredKeys: ['type'] }),
};

/** A valid command of any type. */
export const anyCommand: fc.Arbitrary<ClientCommand> = fc.oneof(...Object.values(commandOf)) as fc.Arbitrary<ClientCommand>;

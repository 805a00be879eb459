// Everything the server sends (@corridor/protocol): schemas of every server → client message and of
// the events and entities inside them, the protocol version, and the structured reasons of corridors
// that each client words in its own language. The types in events.ts are held equal to these schemas.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Actor, Corridor, CorridorRefresh, Haven, Picture, Site, SitesImport, Flow, Constraint, Convoy, Plan, Report, StateChange, ThreatZone, Unit } from './events.js';
import type { ConvoyState } from './convoy-states.js';
import { ALERT_KINDS, type Alert, type ConvoyTrack } from './tracking.js';
import type { RerouteProposal } from './reroute.js';
import { NOTICE_PARTS, NOTICE_STATUSES, type Notice } from './notice.js';
import {
  AccessStatusSchema,
  ConstraintCategorySchema,
  ConvoyStateSchema,
  FocalPointSchema,
  HavenStatusSchema,
  IdSchema,
  LineStringSchema,
  MultiLineStringSchema,
  MultiPolygonSchema,
  NEEDS,
  PointSchema,
  REPORT_KINDS,
  REPORT_STATUSES,
  PolygonSchema,
  SeveritySchema,
  VehicleClassSchema,
} from './messages.js';

/**
 * The version of the wire protocol. A client says which it speaks (`/ws?v=2`) and the server says
 * which it speaks in every snapshot; a page that finds another asks to be reloaded. Raised when a
 * message changes in a way an older client would misread (6: `sites.imported`, which an older fold
 * does not know, issue 17; 7: the `notice.*` events and the picture's `notices`, issue 18).
 */
export const PROTOCOL_VERSION = 7;

const strict = { additionalProperties: false } as const;
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const Num = Type.Number();
const Ms = Type.Number();
const Text = Type.String();
const Position2 = Type.Tuple([Num, Num]);

// ---------------------------------------------------------------- structured reasons of corridors

/** A zone or an access constraint, as a reason names it (its label comes from the picture). */
export const ZoneRefSchema = Type.Object({ kind: Type.Union([Type.Literal('zone'), Type.Literal('constraint')]), id: Text }, strict);
export type ZoneRef = Static<typeof ZoneRefSchema>;

/**
 * Why a corridor is as it is, as a code and its figures (distances in metres, durations and their
 * change in seconds, + slower): each client words it in its language; `reason` keeps an English
 * sentence for API users.
 */
export const CorridorWhySchema = Type.Union([
  Type.Object({ code: Type.Literal('computed'), havenId: Opt(Text), distanceM: Num, durationS: Num }, strict),
  Type.Object({ code: Type.Literal('found_again'), havenId: Opt(Text), distanceM: Num, durationS: Num }, strict),
  Type.Object({ code: Type.Literal('unchanged'), distanceM: Num, durationS: Num }, strict),
  Type.Object({ code: Type.Literal('convoy_changed'), distanceM: Num, durationS: Num }, strict),
  Type.Object(
    {
      code: Type.Literal('haven_changed'),
      havenId: Text,
      previousHavenId: Opt(Text),
      /** What became of the previous haven. */
      previous: Opt(Type.Union([Type.Literal('no_room'), Type.Literal('full'), Type.Literal('closed'), Type.Literal('removed')])),
      deltaS: Num,
    },
    strict,
  ),
  Type.Object({ code: Type.Literal('rerouted_around'), zones: Type.Array(ZoneRefSchema), deltaS: Num }, strict),
  Type.Object({ code: Type.Literal('lifted'), zones: Type.Array(ZoneRefSchema), deltaS: Num }, strict),
  Type.Object({ code: Type.Literal('rerouted'), deltaS: Num }, strict),
  Type.Object({ code: Type.Literal('off_network'), end: Type.Union([Type.Literal('origin'), Type.Literal('destination')]), distanceM: Type.Union([Num, Type.Null()]) }, strict),
  Type.Object({ code: Type.Literal('no_haven'), people: Num }, strict),
  Type.Object({ code: Type.Literal('no_haven_near_road') }, strict),
  Type.Object({ code: Type.Literal('no_safe_route'), blockedBy: Type.Array(ZoneRefSchema) }, strict),
  /**
   * No road joins the two ends even without zones: the network does not connect them, or, with
   * `vehicleClass`, its roads between them do not take that vehicle (a lighter one could pass).
   */
  Type.Object({ code: Type.Literal('no_road_path'), vehicleClass: Opt(VehicleClassSchema) }, strict),
  /** The routes stay; the nearest no-go or danger zone is this one, this far (a refresh, P11). */
  Type.Object({ code: Type.Literal('nearest_zone'), zone: ZoneRefSchema, distanceM: Num }, strict),
  /** The routes stay; no no-go or danger zone remains near them (a refresh, P11). */
  Type.Object({ code: Type.Literal('clear_of_zones') }, strict),
]);
export type CorridorWhy = Static<typeof CorridorWhySchema>;
export type CorridorWhyCode = CorridorWhy['code'];

// ---------------------------------------------------------------- entities as stored and sent

export const UnitSchema = Type.Object(
  {
    unitId: Text,
    lon: Num,
    lat: Num,
    timeMs: Ms,
    seenMs: Ms,
    heading: Opt(Num),
    speed: Opt(Num),
    accuracy: Opt(Num),
    callsign: Opt(Text),
    affiliation: Opt(Type.Union([Type.Literal('military'), Type.Literal('humanitarian'), Type.Literal('civil')])),
    owner: Opt(Text),
    marking: Opt(Text),
    cotType: Opt(Text),
    staleMs: Opt(Ms),
  },
  strict,
);
export const ThreatZoneSchema = Type.Object(
  {
    id: Text,
    severity: SeveritySchema,
    label: Opt(Text),
    source: Opt(Text),
    validUntilMs: Opt(Ms),
    radiusM: Opt(Num),
    standoffM: Opt(Num),
    geometry: Type.Union([PolygonSchema, MultiPolygonSchema, PointSchema]),
    area: Type.Union([PolygonSchema, MultiPolygonSchema]),
    owner: Opt(Text),
    marking: Opt(Text),
    updatedMs: Ms,
  },
  strict,
);
export const HavenSchema = Type.Object(
  { id: Text, name: Text, lon: Num, lat: Num, capacity: Num, occupancy: Num, status: HavenStatusSchema, contact: Opt(Text), owner: Opt(Text),
    marking: Opt(Text),
    updatedMs: Ms },
  strict,
);
export const SiteSchema = Type.Object(
  {
    id: Text,
    name: Text,
    lon: Num,
    lat: Num,
    population: Num,
    date: Text,
    /** Absent when the sharing agreement withholds it (issue 13). */
    source: Opt(Text),
    kind: Opt(Type.Union([Type.Literal('camp'), Type.Literal('collective-centre'), Type.Literal('informal'), Type.Literal('host-community')])),
    pcode: Opt(Text),
    admin: Opt(Text),
    placed: Opt(Type.Union([Type.Literal('point'), Type.Literal('area')])),
    owner: Opt(Text),
    marking: Opt(Text),
    updatedMs: Ms,
    /** The figure before the last one of another date (set by the fold, P35). */
    previous: Opt(Type.Object({ population: Num, date: Text }, strict)),
  },
  strict,
);
/** An import of displacement figures as the log holds it (issue 17, P35). */
export const SitesImportSchema = Type.Object(
  { id: Text, name: Text, by: Text, rows: Type.Integer({ minimum: 0 }), sites: Type.Integer({ minimum: 0 }), flows: Type.Integer({ minimum: 0 }), skipped: Type.Integer({ minimum: 0 }) },
  strict,
);
export const FlowSchema = Type.Object({ id: Text, from: Position2, to: Position2, people: Num, date: Text, source: Opt(Text), owner: Opt(Text), marking: Opt(Text), updatedMs: Ms }, strict);
export const ConstraintSchema = Type.Object(
  {
    id: Text,
    status: AccessStatusSchema,
    category: ConstraintCategorySchema,
    reason: Opt(Text),
    /** Absent when the sharing agreement withholds it (issue 13). */
    source: Opt(Text),
    geometry: Type.Union([LineStringSchema, MultiLineStringSchema, PolygonSchema, MultiPolygonSchema]),
    verifiedAt: Text,
    /** Absent when the sharing agreement withholds it (issue 13). */
    verifiedBy: Opt(Text),
    validUntil: Opt(Text),
    owner: Opt(Text),
    marking: Opt(Text),
    updatedMs: Ms,
    /** Since when its current status holds (set by the fold, P32). */
    sinceMs: Opt(Ms),
    /** Its last changes, oldest first (set by the fold, P32). */
    history: Opt(
      Type.Array(
        Type.Object(
          { atMs: Ms, status: AccessStatusSchema, category: Text, reason: Opt(Text), verifiedBy: Opt(Text), verifiedAtMs: Ms, org: Opt(Text), role: Opt(Text) },
          strict,
        ),
      ),
    ),
  },
  strict,
);
export const ActorSchema = Type.Object({ tokenId: Text, org: Text, role: Text }, strict);
/** The fields of a change of a convoy's state (P20). */
const transitionFields = { from: ConvoyStateSchema, to: ConvoyStateSchema, reason: Opt(Text), resumeWhen: Opt(Text) };
export const StateChangeSchema = Type.Object({ ...transitionFields, atMs: Ms, by: Opt(ActorSchema) }, strict);
export const ConvoySchema = Type.Object(
  {
    id: Text,
    name: Text,
    origin: Position2,
    destination: Type.Union([Position2, Type.Literal('nearest-haven')]),
    vehicleClass: VehicleClassSchema,
    people: Opt(Num),
    vehicles: Opt(Num),
    leadUnitId: Opt(Text),
    unitIds: Opt(Type.Array(Text)),
    checkpoints: Opt(Type.Array(Type.Object({ name: Text, at: Position2, hold: Opt(Type.Boolean()) }, strict))),
    organisation: Opt(Text),
    contact: Opt(Text),
    autoAcceptMinutes: Opt(Num),
    planId: Opt(Text),
    peopleByGroup: Opt(Type.Record(Type.String(), Num)),
    priority: Opt(Num),
    departure: Opt(Text),
    window: Opt(Type.Object({ from: Text, until: Text }, strict)),
    after: Opt(Text),
    plates: Opt(Type.Array(Text)),
    vehicleType: Opt(Text),
    markings: Opt(Text),
    personnel: Opt(Num),
    cargo: Opt(Text),
    purpose: Opt(Text),
    focalPoint: Opt(FocalPointSchema),
    timeZone: Opt(Text),
    radioPlan: Opt(Type.Array(Type.Object({ net: Text, channel: Text, callsign: Opt(Text), use: Opt(Text) }, strict))),
    onAlert: Opt(Text),
    state: ConvoyStateSchema,
    stateHistory: Opt(Type.Array(StateChangeSchema)),
    owner: Opt(Text),
    marking: Opt(Text),
    updatedMs: Ms,
  },
  strict,
);
export const PlanSchema = Type.Object(
  {
    id: Text,
    name: Text,
    organisation: Opt(Text),
    targetGroups: Type.Array(Type.Object({ id: Text, name: Text }, strict)),
    havenIds: Opt(Type.Array(Text)),
    autoAcceptMinutes: Opt(Num),
    note: Opt(Text),
    owner: Opt(Text),
    marking: Opt(Text),
    updatedMs: Ms,
  },
  strict,
);
/** A field unit's report as held in the picture (issue 15). */
export const ReportSchema = Type.Object(
  {
    id: Text,
    kind: Type.Union(REPORT_KINDS.map((k) => Type.Literal(k))),
    /** Absent when the sharing agreement withholds it (a protected source). */
    unitId: Opt(Text),
    at: Position2,
    accuracy: Opt(Num),
    casualties: Opt(Type.Boolean()),
    needs: Opt(Type.Array(Type.Union(NEEDS.map((n) => Type.Literal(n))))),
    people: Opt(Num),
    text: Opt(Text),
    timeMs: Ms,
    receivedMs: Ms,
    status: Type.Union(REPORT_STATUSES.map((s) => Type.Literal(s))),
    review: Opt(Type.Object({ org: Text, role: Text, atMs: Ms, remark: Opt(Text), constraintId: Opt(Text) }, strict)),
    owner: Opt(Text),
    marking: Opt(Text),
    updatedMs: Ms,
  },
  strict,
);
/** One stretch of a route along one road (issue 18). */
export const RoadStretchSchema = Type.Object({ name: Opt(Text), ref: Opt(Text), from: Type.Integer({ minimum: 0 }), distance_m: Num, duration_s: Num }, strict);
export const RouteLegSchema = Type.Object(
  {
    coordinates: Type.Array(Position2),
    distance_m: Num,
    duration_s: Num,
    exposure_m: Num,
    min_clearance_m: Type.Union([Num, Type.Null()]),
    roads: Opt(Type.Array(RoadStretchSchema)),
  },
  strict,
);
export const CorridorSchema = Type.Object(
  {
    convoyId: Text,
    status: Type.Union([Type.Literal('ok'), Type.Literal('no_safe_route'), Type.Literal('off_network'), Type.Literal('no_haven')]),
    routes: Type.Array(RouteLegSchema),
    havenId: Opt(Text),
    blockedBy: Opt(Type.Array(Text)),
    reason: Text,
    /** Absent only in corridors stored before reasons had codes. */
    why: Opt(CorridorWhySchema),
    deltaS: Opt(Num),
    cause: Opt(Type.Array(Text)),
    computedMs: Ms,
    endangeredBy: Opt(Type.Array(ZoneRefSchema)),
    chosen: Opt(Type.Boolean()),
    version: Opt(Type.Integer({ minimum: 1 })),
  },
  strict,
);
export const CorridorRefreshSchema = Type.Object(
  { convoyId: Text, clearance: Type.Array(Type.Union([Num, Type.Null()])), reason: Text, why: Opt(CorridorWhySchema), cause: Opt(Type.Array(Text)), computedMs: Ms },
  strict,
);

/** Where a tracked convoy is on its corridor (P21, tracking.ts). */
export const ConvoyTrackSchema = Type.Object(
  {
    convoyId: Text,
    unitId: Text,
    at: Position2,
    timeMs: Ms,
    progress: Type.Object({ done_m: Num, left_m: Num }, strict),
    doneBefore_m: Num,
    offset_m: Num,
    etaMs: Opt(Ms),
    speed_mps: Opt(Num),
    checkpoints: Type.Array(Type.Object({ name: Text, end: Opt(Type.Union([Type.Literal('origin'), Type.Literal('destination')])), at: Position2, along_m: Num, offset_m: Num }, strict)),
    passed: Type.Array(Type.Object({ index: Type.Integer({ minimum: 0 }), name: Text, atMs: Ms }, strict)),
    recent: Type.Array(Type.Tuple([Ms, Num])),
    offSinceMs: Opt(Ms),
    stillSinceMs: Opt(Ms),
    stillAt: Opt(Position2),
    routeKey: Text,
    trail: Opt(Type.Array(Position2)),
  },
  strict,
);
export const AlertKindSchema = Type.Union(ALERT_KINDS.map((k) => Type.Literal(k)));
/** An alert about a convoy (P21, tracking.ts), or raised by a field unit (an emergency, a CASEVAC request, issue 14). */
export const AlertSchema = Type.Object(
  {
    id: Text,
    convoyId: Opt(Text),
    unitId: Opt(Text),
    owner: Opt(Text),
    kind: AlertKindSchema,
    raisedMs: Ms,
    detail: Type.Object(
      { distance_m: Opt(Num), zoneId: Opt(Text), zones: Opt(Type.Array(Text)), sinceMs: Opt(Ms), havenId: Opt(Text), people: Opt(Num), at: Opt(Position2), text: Opt(Text), callsign: Opt(Text) },
      strict,
    ),
    acknowledged: Opt(Type.Object({ by: ActorSchema, atMs: Ms, remark: Opt(Text) }, strict)),
    clearedMs: Opt(Ms),
  },
  strict,
);

/** A route of a re-route proposal (P22, reroute.ts). */
export const ProposedRouteSchema = Type.Object(
  { coordinates: Type.Array(Position2), distance_m: Num, duration_s: Num, exposure_m: Num, min_clearance_m: Type.Union([Num, Type.Null()]), roads: Opt(Type.Array(RoadStretchSchema)), delta_s: Num },
  strict,
);
export const RerouteProposalSchema = Type.Object(
  {
    id: Text,
    convoyId: Text,
    cause: Type.Object(
      {
        zones: Type.Array(ZoneRefSchema),
        havenId: Opt(Text),
        havenNow: Opt(Type.Union([Type.Literal('full'), Type.Literal('closed'), Type.Literal('no_room'), Type.Literal('removed')])),
      },
      strict,
    ),
    from: Position2,
    fromReport: Type.Boolean(),
    status: Type.Union([Type.Literal('ok'), Type.Literal('no_safe_route'), Type.Literal('no_haven'), Type.Literal('off_network')]),
    routes: Type.Array(ProposedRouteSchema),
    havenId: Opt(Text),
    blockedBy: Opt(Type.Array(Text)),
    computedMs: Ms,
  },
  strict,
);

// ---------------------------------------------------------------- deconfliction notices (issue 18, P36)
const NoticeStatusSchema = Type.Union(NOTICE_STATUSES.map((s) => Type.Literal(s)));
const NoticeExpirySchema = Type.Union([Type.Literal('window_ended'), Type.Literal('convoy_ended')]);
const NoticeAckSchema = Type.Object({ by: Text, atMs: Ms, remark: Opt(Text), org: Opt(Text), role: Opt(Text) }, strict);
const NoticeEndSchema = Type.Object({ at: Position2, place: Opt(Text), havenId: Opt(Text) }, strict);
export const NoticeSchema = Type.Object(
  {
    convoyId: Text,
    reference: Text,
    version: Type.Integer({ minimum: 1 }),
    status: NoticeStatusSchema,
    convoyName: Text,
    organisation: Opt(Text),
    focalPoint: Opt(FocalPointSchema),
    window: Opt(Type.Object({ from: Text, until: Text, timeZone: Text }, strict)),
    departure: Opt(Text),
    origin: NoticeEndSchema,
    destination: NoticeEndSchema,
    route: Type.Union([Type.Object({ coordinates: Type.Array(Position2), distance_m: Num, duration_s: Num }, strict), Type.Null()]),
    roads: Type.Array(Text),
    places: Type.Array(Text),
    checkpoints: Type.Array(Type.Object({ name: Text, at: Position2, hold: Opt(Type.Boolean()) }, strict)),
    vehicles: Type.Object({ count: Opt(Num), class: VehicleClassSchema, type: Opt(Text), plates: Opt(Type.Array(Text)), markings: Opt(Text) }, strict),
    personnel: Opt(Num),
    passengers: Opt(Num),
    cargo: Opt(Text),
    purpose: Opt(Text),
    routeVersion: Type.Integer({ minimum: 1 }),
    changes: Opt(
      Type.Object(
        {
          parts: Type.Array(Type.Union(NOTICE_PARTS.map((p) => Type.Literal(p)))),
          roadsAdded: Opt(Type.Array(Text)),
          roadsDropped: Opt(Type.Array(Text)),
          distanceDeltaM: Opt(Num),
          durationDeltaS: Opt(Num),
          reason: Opt(Text),
          why: Opt(CorridorWhySchema),
        },
        strict,
      ),
    ),
    draftedMs: Ms,
    sentMs: Opt(Ms),
    sentBy: Opt(Type.Object({ org: Text, role: Text }, strict)),
    acknowledged: Opt(NoticeAckSchema),
    expiredMs: Opt(Ms),
    expiry: Opt(NoticeExpirySchema),
    history: Opt(
      Type.Array(
        Type.Object(
          { version: Type.Integer({ minimum: 1 }), status: NoticeStatusSchema, reached: NoticeStatusSchema, draftedMs: Ms, sentMs: Opt(Ms), acknowledged: Opt(NoticeAckSchema), endedMs: Ms, roads: Type.Array(Text) },
          strict,
        ),
      ),
    ),
    owner: Opt(Text),
    marking: Opt(Text),
  },
  strict,
);

const record = <T extends TSchema>(schema: T) => Type.Record(Type.String(), schema);
export const PictureSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 0 }),
    units: record(UnitSchema),
    threats: record(ThreatZoneSchema),
    havens: record(HavenSchema),
    sites: record(SiteSchema),
    flows: record(FlowSchema),
    constraints: record(ConstraintSchema),
    convoys: record(ConvoySchema),
    plans: record(PlanSchema),
    reports: record(ReportSchema),
    corridors: record(CorridorSchema),
    tracks: record(ConvoyTrackSchema),
    alerts: record(AlertSchema),
    proposals: record(RerouteProposalSchema),
    notices: record(NoticeSchema),
  },
  strict,
);

// ---------------------------------------------------------------- events and messages

const head = { seq: Type.Integer({ minimum: 1 }), timeMs: Ms, msgId: Opt(Text), actor: Opt(ActorSchema) };
const event = <K extends string, T extends Record<string, TSchema>>(type: K, fields: T) => Type.Object({ ...head, type: Type.Literal(type), ...fields }, strict);
const Reason = Type.Union([Type.Literal('deleted'), Type.Literal('expired')]);
/** Who owned an entity and how it was marked before the event (issue 13). */
const Was = Opt(Type.Object({ owner: Opt(Text), marking: Opt(Text) }, strict));

/** A fix as a row of numbers (P14): `[unitId, lon, lat, time, seen, heading, speed, accuracy]`, trailing nulls left off. */
export const FixRowSchema = Type.Array(Type.Union([Text, Num, Type.Null()]), { minItems: 5, maxItems: 8 });

/** Every event as stored (`GET /api/events`) and as it travels in frames (P12, P14). */
export const PictureEventSchema = Type.Union([
  event('position.reported', { units: Type.Array(UnitSchema) }),
  event('position.reported', { fixes: Type.Array(Type.Union([FixRowSchema, UnitSchema])) }),
  event('threat.upserted', { zone: ThreatZoneSchema, was: Was }),
  event('threat.removed', { id: Text, reason: Reason, was: Was }),
  event('haven.upserted', { haven: HavenSchema, was: Was }),
  event('haven.removed', { id: Text, was: Was }),
  event('site.upserted', { site: SiteSchema, was: Was }),
  event('site.removed', { id: Text, was: Was }),
  event('flow.upserted', { flow: FlowSchema, was: Was }),
  event('flow.removed', { id: Text, was: Was }),
  event('constraint.upserted', { constraint: ConstraintSchema, was: Was }),
  event('constraint.removed', { id: Text, reason: Reason, was: Was }),
  event('convoy.upserted', { convoy: ConvoySchema, was: Was }),
  event('convoy.removed', { id: Text, was: Was }),
  event('plan.upserted', { plan: PlanSchema, was: Was }),
  event('plan.removed', { id: Text, was: Was }),
  event('report.upserted', { report: ReportSchema, was: Was }),
  event('report.removed', { id: Text, was: Was }),
  event('convoy.state-changed', { convoyId: Text, ...transitionFields }),
  event('corridor.recomputed', { corridor: CorridorSchema }),
  event('corridor.refreshed', { refresh: CorridorRefreshSchema }),
  event('convoy.tracked', { track: ConvoyTrackSchema }),
  event('alert.raised', { alert: AlertSchema }),
  event('alert.acknowledged', { id: Text, remark: Opt(Text) }),
  event('alert.cleared', { id: Text, reason: Type.Union([Type.Literal('cause_ended'), Type.Literal('convoy_ended')]) }),
  event('corridor.endangered', { convoyId: Text, endangeredBy: Type.Array(ZoneRefSchema) }),
  event('reroute.proposed', { proposal: RerouteProposalSchema, more: Opt(Type.Boolean()) }),
  event('reroute.decided', { convoyId: Text, proposalId: Text, route: Type.Integer({ minimum: 0 }), auto: Opt(Type.Boolean()), corridor: CorridorSchema }),
  event('convoy.route-chosen', { convoyId: Text, route: Type.Integer({ minimum: 0 }), corridor: CorridorSchema }),
  event('reroute.withdrawn', { convoyId: Text, proposalId: Text, reason: Type.Union([Type.Literal('convoy_ended'), Type.Literal('no_longer_needed')]) }),
  event('agreement.changed', { name: Text, digest: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
  event('audit.read', { query: Type.Record(Type.String({ maxLength: 32 }), Type.String({ maxLength: 200 })), rows: Type.Integer({ minimum: 0 }) }),
  event('notice.drafted', { convoyId: Text, notice: NoticeSchema }),
  event('notice.sent', { convoyId: Text, version: Type.Integer({ minimum: 1 }) }),
  event('notice.acknowledged', { convoyId: Text, version: Type.Integer({ minimum: 1 }), by: Text, remark: Opt(Text) }),
  event('notice.expired', { convoyId: Text, version: Type.Integer({ minimum: 1 }), reason: NoticeExpirySchema }),
  event('sites.imported', {
    import: SitesImportSchema,
    sites: Type.Array(SiteSchema),
    flows: Type.Array(FlowSchema),
    was: Opt(Type.Record(Type.String(), Type.Object({ owner: Opt(Text), marking: Opt(Text) }, strict))),
    removed: Opt(Type.Object({ sites: Opt(Type.Array(Text)), flows: Opt(Type.Array(Text)) }, strict)),
  }),
]);

const ErrorCodeSchema = Type.String({ pattern: '^[a-z_]+$' });

/** Every message the server sends on the WebSocket, by type. */
// ---------------------------------------------------------------- the field stream (field.ts, issue 15)
const FieldItemSchema = Type.Union([
  Type.Object(
    {
      k: Type.Literal('convoy'),
      id: Text,
      name: Text,
      state: ConvoyStateSchema,
      reason: Opt(Text),
      resumeWhen: Opt(Text),
      status: Type.Union(['ok', 'no_safe_route', 'off_network', 'no_haven', 'none'].map((s) => Type.Literal(s))),
      route: Opt(Text),
      distanceM: Opt(Num),
      durationS: Opt(Num),
      unsafe: Opt(Type.Array(Text)),
      haven: Opt(Type.Object({ name: Text, at: Position2, status: Text }, strict)),
      ahead: Type.Array(Type.Object({ name: Text, at: Position2, alongM: Opt(Num) }, strict)),
    },
    strict,
  ),
  Type.Object({ k: Type.Literal('progress'), convoyId: Text, doneM: Num, leftM: Num, etaMs: Opt(Ms) }, strict),
  Type.Object({ k: Type.Literal('zone'), id: Text, severity: SeveritySchema, label: Opt(Text), rings: Type.Array(Text), validUntilMs: Opt(Ms) }, strict),
  Type.Object({ k: Type.Literal('constraint'), id: Text, status: AccessStatusSchema, category: Text, reason: Opt(Text), lines: Opt(Type.Array(Text)), rings: Opt(Type.Array(Text)) }, strict),
  Type.Object({ k: Type.Literal('alert'), id: Text, kind: Type.Union(ALERT_KINDS.map((a) => Type.Literal(a))), raisedMs: Ms, convoyId: Opt(Text), text: Opt(Text), acknowledged: Opt(Type.Boolean()) }, strict),
  Type.Object({ k: Type.Literal('report'), id: Text, kind: Type.Union(REPORT_KINDS.map((r) => Type.Literal(r))), status: Type.Union(REPORT_STATUSES.map((r) => Type.Literal(r))), timeMs: Ms, remark: Opt(Text) }, strict),
  Type.Object({ k: Type.Literal('unit'), id: Text, at: Position2, timeMs: Ms, callsign: Opt(Text), affiliation: Opt(Text) }, strict),
]);

export const ServerMessageSchemas = {
  field: Type.Object(
    { type: Type.Literal('field'), seq: Type.Integer({ minimum: 0 }), full: Opt(Type.Literal(true)), set: Type.Record(Type.String(), FieldItemSchema), drop: Opt(Type.Array(Text)), serverTimeMs: Ms },
    strict,
  ),
  snapshot: Type.Object(
    { type: Type.Literal('snapshot'), protocol: Type.Integer(), seq: Type.Integer({ minimum: 0 }), staleAfterMs: Num, serverTimeMs: Ms, area: Opt(Text), exercise: Opt(Type.Boolean()), picture: PictureSchema },
    strict,
  ),
  delta: Type.Object({ type: Type.Literal('delta'), since: Type.Integer({ minimum: 0 }), seq: Type.Integer({ minimum: 0 }), events: Type.Array(PictureEventSchema) }, strict),
  ack: Type.Object({ type: Type.Literal('ack'), msgId: Text, seq: Type.Integer({ minimum: 1 }) }, strict),
  error: Type.Object({ type: Type.Literal('error'), msgId: Opt(Text), code: ErrorCodeSchema, message: Text, path: Text }, strict),
  pong: Type.Object({ type: Type.Literal('pong'), msgId: Opt(Text), serverTimeMs: Ms }, strict),
  'resync-required': Type.Object({ type: Type.Literal('resync-required'), seq: Type.Integer({ minimum: 0 }) }, strict),
  orders: Type.Object(
    {
      type: Type.Literal('orders'),
      seq: Type.Integer({ minimum: 1 }),
      cause: Type.Union([Type.Literal('rerouted'), Type.Literal('state'), Type.Literal('route_chosen')]),
      convoyId: Text,
      name: Text,
      state: ConvoyStateSchema,
      reason: Opt(Text),
      resumeWhen: Opt(Text),
      route: Type.Union([Type.Object({ coordinates: Type.Array(Position2), distance_m: Num, duration_s: Num }, strict), Type.Null()]),
      havenId: Opt(Text),
      checkpoints: Type.Array(Type.Object({ name: Text, at: Position2 }, strict)),
    },
    strict,
  ),
} as const;
export type ServerMessageType = keyof typeof ServerMessageSchemas;

// ---------------------------------------------------------------- the types of events.ts, held to these schemas

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** Compile-time: each interface of events.ts is exactly what its schema says (a change to one fails the typecheck until the other follows). */
export type SchemasMatchTypes = [
  Holds<Same<Static<typeof UnitSchema>, Unit>>,
  Holds<Same<Static<typeof ThreatZoneSchema>, ThreatZone>>,
  Holds<Same<Static<typeof HavenSchema>, Haven>>,
  Holds<Same<Static<typeof SiteSchema>, Site>>,
  Holds<Same<Static<typeof SitesImportSchema>, SitesImport>>,
  Holds<Same<Static<typeof FlowSchema>, Flow>>,
  Holds<Same<Static<typeof ConstraintSchema>, Constraint>>,
  Holds<Same<Static<typeof ConvoySchema>, Convoy>>,
  Holds<Same<Static<typeof PlanSchema>, Plan>>,
  Holds<Same<Static<typeof ReportSchema>, Report>>,
  Holds<Same<Static<typeof StateChangeSchema>, StateChange>>,
  Holds<Same<Static<typeof ConvoyStateSchema>, ConvoyState>>,
  Holds<Same<Static<typeof CorridorSchema>, Corridor>>,
  Holds<Same<Static<typeof CorridorRefreshSchema>, CorridorRefresh>>,
  Holds<Same<Static<typeof ActorSchema>, Actor>>,
  Holds<Same<Static<typeof ConvoyTrackSchema>, ConvoyTrack>>,
  Holds<Same<Static<typeof AlertSchema>, Alert>>,
  Holds<Same<Static<typeof RerouteProposalSchema>, RerouteProposal>>,
  Holds<Same<Static<typeof NoticeSchema>, Notice>>,
  Holds<Same<keyof Static<typeof PictureSchema>, keyof Picture>>,
];

// The wire contract: every input and output message, as TypeBox schemas shared by server and client.
// No Node or server imports here (STYLE: client/ imports this file). Rule numbers refer to SPEC.md.
import { Type, type Static, type TLiteral, type TObject, type TSchema } from '@sinclair/typebox';
import { KIND_NAMES, KINDS, type InputOf, type Kind } from './kinds.js';

/** What an id may hold: it names the entity in paths (`DELETE /api/threats/:id`) and on the wire. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
export const IdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: ID_PATTERN });
const Id = IdSchema;
/** An opaque key chosen by the sender (P8); any characters but control ones and lone surrogates. */
const MsgId = Type.String({ minLength: 1, maxLength: 128, format: 'line' });
/**
 * One line of text a person reads (a label, a name, a callsign): no control characters, no
 * bidirectional embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069), which could make
 * text on a screen read otherwise than it is stored, and no lone surrogates (see validate.ts).
 */
const Text = (maxLength: number) => Type.String({ maxLength, format: 'line' });
/** {@link Text} that may also hold line breaks and tabs (a reason, a note). */
const Prose = (maxLength: number) => Type.String({ maxLength, format: 'prose' });
/** A name: one line of 1 to `maxLength` characters. */
const Name = (maxLength = 200) => Type.String({ minLength: 1, maxLength, format: 'line' });
/** ISO 8601 date-time with a zone, e.g. `2026-11-21T10:00:00Z`. */
const IsoTime = Type.String({ format: 'date-time', maxLength: 40 });
/** ISO 8601 date (`2026-11-21`) or date-time. */
const IsoDate = Type.String({ format: 'date-or-time', maxLength: 40 });
const Lon = Type.Number({ minimum: -180, maximum: 180 });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Position2 = Type.Tuple([Lon, Lat]);
const Count = Type.Integer({ minimum: 0, maximum: 100_000_000 });
const strict = { additionalProperties: false } as const;

// ---------------------------------------------------------------- geometry (GeoJSON, RFC 7946)
/**
 * Most positions one geometry may hold, over all its rings or lines. Real zones and constraints are
 * drawn by hand or simplified from boundaries (tens to a few thousand positions); the limit keeps the
 * checks of one message (schema, closed rings, no crossing) within a few milliseconds (P7).
 */
export const MAX_GEOMETRY_POSITIONS = 10_000;
/**
 * One ring or line may hold as many positions as a message can carry; the limit that counts is
 * {@link MAX_GEOMETRY_POSITIONS} over the whole geometry (validate.ts), with one message for both.
 */
const MAX_PART_POSITIONS = 1_000_000;
const Ring = Type.Array(Position2, { minItems: 4, maxItems: MAX_PART_POSITIONS });
export const PolygonSchema = Type.Object(
  { type: Type.Literal('Polygon'), coordinates: Type.Array(Ring, { minItems: 1, maxItems: 1000 }) },
  strict,
);
export const MultiPolygonSchema = Type.Object(
  {
    type: Type.Literal('MultiPolygon'),
    coordinates: Type.Array(Type.Array(Ring, { minItems: 1, maxItems: 1000 }), { minItems: 1, maxItems: 1000 }),
  },
  strict,
);
export const PointSchema = Type.Object({ type: Type.Literal('Point'), coordinates: Position2 }, strict);
export const LineStringSchema = Type.Object(
  { type: Type.Literal('LineString'), coordinates: Type.Array(Position2, { minItems: 2, maxItems: MAX_PART_POSITIONS }) },
  strict,
);
export const MultiLineStringSchema = Type.Object(
  {
    type: Type.Literal('MultiLineString'),
    coordinates: Type.Array(Type.Array(Position2, { minItems: 2, maxItems: MAX_PART_POSITIONS }), { minItems: 1, maxItems: 1000 }),
  },
  strict,
);
export type Polygonal = Static<typeof PolygonSchema> | Static<typeof MultiPolygonSchema>;
export type Lineal = Static<typeof LineStringSchema> | Static<typeof MultiLineStringSchema>;

// ---------------------------------------------------------------- position reports
/** A CoT atom type: `a-` then the identity letter and up to 12 more parts (`a-f-G-U-C-I`). */
export const COT_TYPE_PATTERN = '^a-[a-z](-[A-Za-z0-9]{1,8}){0,12}$';

export const PositionReportSchema = Type.Object(
  {
    unitId: Id,
    lon: Lon,
    lat: Lat,
    /** When the fix was taken (ISO 8601). Defaults to the server's time of receipt. */
    time: Type.Optional(IsoTime),
    /** Degrees clockwise from true north. */
    heading: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
    /** Metres per second. */
    speed: Type.Optional(Type.Number({ minimum: 0, maximum: 400 })),
    /** Horizontal accuracy in metres. */
    accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
    callsign: Type.Optional(Text(64)),
    /** Who the unit belongs to, for the map symbol. */
    affiliation: Type.Optional(Type.Union([Type.Literal('military'), Type.Literal('humanitarian'), Type.Literal('civil')])),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
    /**
     * Its Cursor-on-Target type (`a-f-G-U-C`: atom, friendly, ground unit, combat), as a TAK device
     * gives it (issue 14): its identity and symbol on the map (MIL-STD-2525 via cotSidc).
     */
    cotType: Type.Optional(Type.String({ pattern: COT_TYPE_PATTERN, maxLength: 64 })),
    /** When the sender says this fix goes stale (ISO 8601): the unit is stale at the earlier of this and the server's setting. */
    stale: Type.Optional(IsoTime),
    msgId: Type.Optional(MsgId),
  },
  strict,
);
export type PositionReport = Static<typeof PositionReportSchema>;
/**
 * Most reports in one batch. A gateway relaying a thousand units sends a batch a second; a larger
 * batch would cost the server tens of milliseconds in one go, during which no socket is read (issue 9).
 */
export const MAX_BATCH_REPORTS = 1000;
export const PositionBatchSchema = Type.Array(PositionReportSchema, { minItems: 1, maxItems: MAX_BATCH_REPORTS });

// ---------------------------------------------------------------- threat zones
export const SeveritySchema = Type.Union([Type.Literal('no-go'), Type.Literal('danger'), Type.Literal('advisory')]);
export type Severity = Static<typeof SeveritySchema>;
export const ThreatPropertiesSchema = Type.Object(
  {
    id: Type.Optional(Id),
    severity: SeveritySchema,
    label: Type.Optional(Text(200)),
    source: Type.Optional(Text(200)),
    validUntil: Type.Optional(IsoTime),
    /** Radius in metres; required when the geometry is a Point. */
    radius_m: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 200_000 })),
    /** Extra stand-off distance around a no-go zone, metres (default 0). */
    standoff_m: Type.Optional(Type.Number({ minimum: 0, maximum: 50_000 })),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
  },
  strict,
);
export const ThreatFeatureSchema = Type.Object(
  {
    type: Type.Literal('Feature'),
    /** GeoJSON allows a number; a whole number from 0 is taken as its decimal text (validate.ts). */
    id: Type.Optional(Type.Union([Id, Type.Number()])),
    geometry: Type.Union([PolygonSchema, MultiPolygonSchema, PointSchema]),
    properties: ThreatPropertiesSchema,
  },
  strict,
);
export type ThreatFeature = Static<typeof ThreatFeatureSchema>;

// ---------------------------------------------------------------- safe havens
export const HavenStatusSchema = Type.Union([Type.Literal('open'), Type.Literal('full'), Type.Literal('closed')]);
export const HavenInputSchema = Type.Object(
  {
    id: Type.Optional(Id),
    name: Name(),
    lon: Lon,
    lat: Lat,
    /** People the haven can shelter. */
    capacity: Count,
    occupancy: Type.Optional(Count),
    status: HavenStatusSchema,
    /** Who to call there: a name, a phone, a radio channel (printed on route cards, issue 18). */
    contact: Type.Optional(Name(300)),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
  },
  strict,
);
export type HavenInput = Static<typeof HavenInputSchema>;

// ---------------------------------------------------------------- displacement
export const SiteInputSchema = Type.Object(
  {
    id: Type.Optional(Id),
    name: Name(),
    lon: Lon,
    lat: Lat,
    /** Displaced people present, individuals. */
    population: Count,
    /** Date of the figure (ISO 8601). */
    date: IsoDate,
    source: Name(),
    kind: Type.Optional(
      Type.Union([Type.Literal('camp'), Type.Literal('collective-centre'), Type.Literal('informal'), Type.Literal('host-community')]),
    ),
    /** The administrative P-code the figure belongs to (`HT0111`, `IQG01`), issue 17. */
    pcode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, format: 'line' })),
    /** The name of that administrative area (issue 17). */
    admin: Type.Optional(Name()),
    /**
     * How it was placed (issue 17): `point`, a real site's location; `area`, an admin-level figure
     * placed at its area's centre by the P-code join, not where anyone is.
     */
    placed: Type.Optional(Type.Union([Type.Literal('point'), Type.Literal('area')])),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
  },
  strict,
);
export type SiteInput = Static<typeof SiteInputSchema>;

export const FlowInputSchema = Type.Object(
  {
    id: Type.Optional(Id),
    from: Position2,
    to: Position2,
    /** Individuals moving over the period. */
    people: Count,
    date: IsoDate,
    source: Name(),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
  },
  strict,
);
export type FlowInput = Static<typeof FlowInputSchema>;

// ---------------------------------------------------------------- access constraints
export const AccessStatusSchema = Type.Union([Type.Literal('open'), Type.Literal('restricted'), Type.Literal('closed')]);
/**
 * The access-constraint typology of OCHA's access monitoring and reporting framework, as ACAPS lists its
 * nine indicators in three pillars: (1) access of people in need to aid, (2) access of humanitarian
 * actors to people in need, (3) security and physical constraints. Each has a stable code (what the API
 * and the log carry) and its indicator number; labels live in the catalogues (`accessCategory.*`).
 */
export const ACCESS_CATEGORIES = [
  { code: 'denial-of-needs', indicator: 1, pillar: 1 },
  { code: 'restriction-of-services', indicator: 2, pillar: 1 },
  { code: 'entry-impediments', indicator: 3, pillar: 2 },
  { code: 'movement-restriction', indicator: 4, pillar: 2 },
  { code: 'interference', indicator: 5, pillar: 2 },
  { code: 'violence-against-personnel', indicator: 6, pillar: 2 },
  { code: 'hostilities', indicator: 7, pillar: 3 },
  { code: 'explosive-hazards', indicator: 8, pillar: 3 },
  { code: 'physical-environment', indicator: 9, pillar: 3 },
] as const;
export type AccessCategory = (typeof ACCESS_CATEGORIES)[number]['code'];
/** The indicator number (1–9) of a category code; undefined for a code outside the typology. */
export function accessIndicator(code: string): number | undefined {
  return ACCESS_CATEGORIES.find((c) => c.code === code)?.indicator;
}
/**
 * Codes of the earlier, shorter list and the indicator each now counts under: a log written before the
 * typology still folds, and a client still sending them is understood. `other` had no indicator: it is
 * read as physical constraints in the environment only in old logs; new input must name one of the nine.
 */
export const LEGACY_ACCESS_CATEGORIES: Readonly<Record<string, AccessCategory>> = { bureaucratic: 'movement-restriction', other: 'physical-environment' };
export const ConstraintCategorySchema = Type.Union(ACCESS_CATEGORIES.map((c) => Type.Literal(c.code)));
export const ConstraintInputSchema = Type.Object(
  {
    id: Type.Optional(Id),
    status: AccessStatusSchema,
    category: ConstraintCategorySchema,
    /** Why, in a sentence a person understands. */
    reason: Type.Optional(Prose(500)),
    /** Where the information comes from (an assessment, a report, a liaison officer). */
    source: Type.Optional(Name()),
    /** A road (line) or an area (polygon). */
    geometry: Type.Union([LineStringSchema, MultiLineStringSchema, PolygonSchema, MultiPolygonSchema]),
    verifiedAt: IsoTime,
    verifiedBy: Name(),
    validUntil: Type.Optional(IsoTime),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
  },
  strict,
);
export type ConstraintInput = Static<typeof ConstraintInputSchema>;

// ---------------------------------------------------------------- field reports (issue 15)
/** The standard reports a field unit sends; each has a fixed form (validate.ts says which fields). */
export const REPORT_KINDS = ['road-blocked', 'checkpoint', 'incident', 'needs', 'displaced', 'note'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
/** What a `needs` report may ask for. */
export const NEEDS = ['water', 'food', 'medical', 'shelter'] as const;
export type Need = (typeof NEEDS)[number];
/** Where a report stands: as sent, confirmed by an analyst, or dismissed by one. */
export const REPORT_STATUSES = ['unverified', 'confirmed', 'dismissed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
/** The fields of a report's form that an analyst may correct when reviewing it. */
export const ReportChangesSchema = Type.Object(
  {
    at: Type.Optional(Position2),
    /** Incident: were people hurt or killed. */
    casualties: Type.Optional(Type.Boolean()),
    /** Needs: what is needed, each once. */
    needs: Type.Optional(Type.Array(Type.Union(NEEDS.map((n) => Type.Literal(n))), { minItems: 1, maxItems: NEEDS.length, uniqueItems: true })),
    /** Displaced people seen: a rough count of individuals. */
    people: Type.Optional(Count),
    /** The note (a `note` report), or a few words on any other kind. */
    text: Type.Optional(Prose(500)),
  },
  strict,
);
export type ReportChanges = Static<typeof ReportChangesSchema>;
export const ReportInputSchema = Type.Object(
  {
    id: Type.Optional(Id),
    kind: Type.Union(REPORT_KINDS.map((k) => Type.Literal(k))),
    /** The unit that reports (a token bound to a unit reports only for it). */
    unitId: Id,
    ...ReportChangesSchema.properties,
    at: Position2,
    /** How far off `at` may be, metres (the device's accuracy), when it comes from a fix. */
    accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
    /** When it was seen (ISO 8601); the server's receipt when absent. A report queued offline keeps its own time. */
    time: Type.Optional(IsoTime),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
  },
  strict,
);
export type ReportInput = Static<typeof ReportInputSchema>;
/**
 * An analyst's review of a field report (`POST /api/reports/:id/review`, and the `report.review`
 * command): its new status, corrections to its form, a remark, and the access constraint it became.
 */
export const ReportReviewSchema = Type.Object(
  {
    status: Type.Union(REPORT_STATUSES.map((s) => Type.Literal(s))),
    changes: Type.Optional(ReportChangesSchema),
    remark: Type.Optional(Prose(500)),
    /** The access constraint made from this report (a confirmed road blocked), which must exist. */
    constraintId: Type.Optional(Id),
  },
  strict,
);
export type ReportReview = Static<typeof ReportReviewSchema>;

// ---------------------------------------------------------------- convoys (standing corridors)
/** Heaviest vehicle in the convoy, after the IOM road `practicability` scale. */
export const VehicleClassSchema = Type.Union([
  Type.Literal('motorbike'),
  Type.Literal('4wd'),
  Type.Literal('light_truck'),
  Type.Literal('heavy_truck'),
  Type.Literal('truck_trailer'),
]);
export type VehicleClass = Static<typeof VehicleClassSchema>;
/** A convoy's state (convoy-states.ts, P20). */
export const ConvoyStateSchema = Type.Union([
  Type.Literal('planned'),
  Type.Literal('approved'),
  Type.Literal('moving'),
  Type.Literal('holding'),
  Type.Literal('arrived'),
  Type.Literal('aborted'),
]);
/** Most target groups an evacuation plan may name. */
export const MAX_TARGET_GROUPS = 20;
/** A target group of an evacuation plan: a stable id (the key of a convoy's `peopleByGroup`) and its name. */
export const TargetGroupSchema = Type.Object({ id: Id, name: Name() }, strict);
export type TargetGroup = Static<typeof TargetGroupSchema>;
/**
 * An evacuation plan (issue 12): target groups in priority order (names are the plan's own), the
 * havens its convoys may use, and its rule for re-routes; its convoys name it by `planId`.
 */
export const PlanInputSchema = Type.Object(
  {
    id: Type.Optional(Id),
    name: Name(),
    organisation: Type.Optional(Name()),
    /** Highest priority first; ids unique within the plan. */
    targetGroups: Type.Array(TargetGroupSchema, { minItems: 1, maxItems: MAX_TARGET_GROUPS }),
    /** The havens its convoys may be sent to (also by `nearest-haven`); absent: any haven. */
    havenIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 500 })),
    /** Re-routes of its convoys costing at most this many minutes, outside every danger zone, are taken by themselves (P22). */
    autoAcceptMinutes: Type.Optional(Type.Number({ minimum: 0, maximum: 240 })),
    /** What it is for, who decided it. */
    note: Type.Optional(Prose(2000)),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
  },
  strict,
);
export type PlanInput = Static<typeof PlanInputSchema>;

/** A person to call about a movement: a name, and how to reach them (issue 18). */
export const FocalPointSchema = Type.Object(
  { name: Name(), phone: Type.Optional(Text(40)), radio: Type.Optional(Text(80)), email: Type.Optional(Text(200)) },
  strict,
);
export type FocalPoint = Static<typeof FocalPointSchema>;
/** Most nets a convoy's radio plan may name. */
export const MAX_RADIO_NETS = 12;
/** One net of a radio plan: its name, channel or frequency, the convoy's call sign on it and what it is for. */
export const RadioNetSchema = Type.Object(
  { net: Name(80), channel: Name(80), callsign: Type.Optional(Text(40)), use: Type.Optional(Text(200)) },
  strict,
);
export type RadioNet = Static<typeof RadioNetSchema>;
/** An IANA time-zone name (`Europe/Stockholm`, `UTC`); validate.ts checks it is one the runtime knows. */
const TimeZone = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$', format: 'time-zone' });

/** Most checkpoints a convoy may name besides its ends. */
export const MAX_CHECKPOINTS = 50;
/** A named point on a convoy's corridor (a bridge, a crossing, a fuel stop). */
export const CheckpointInputSchema = Type.Object(
  {
    name: Name(),
    at: Position2,
    /** A hold point: where the convoy waits on an alert until told to go on (printed on the route card, issue 18). */
    hold: Type.Optional(Type.Boolean()),
  },
  strict,
);
export type CheckpointInput = Static<typeof CheckpointInputSchema>;
export const ConvoyInputSchema = Type.Object(
  {
    id: Type.Optional(Id),
    name: Name(),
    origin: Position2,
    /** A point, or `nearest-haven`: the nearest open haven with room for `people`. */
    destination: Type.Union([Position2, Type.Literal('nearest-haven')]),
    vehicleClass: Type.Optional(VehicleClassSchema),
    /** Evacuees carried, individuals. */
    people: Type.Optional(Count),
    /** How many vehicles it has (its heaviest is `vehicleClass`). */
    vehicles: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    /** The field unit whose reports track the convoy against its corridor (P21). */
    leadUnitId: Type.Optional(Id),
    /** Other units travelling with it (escort, further vehicles). */
    unitIds: Type.Optional(Type.Array(Id, { maxItems: 50 })),
    /** Named points on its corridor, in the order it passes them; its ends are always checkpoints too. */
    checkpoints: Type.Optional(Type.Array(CheckpointInputSchema, { maxItems: MAX_CHECKPOINTS })),
    /** The organisation that runs it. */
    organisation: Type.Optional(Name()),
    /** Who to call about it: a name, a phone, a radio channel. */
    contact: Type.Optional(Name(300)),
    /**
     * Re-routes that cost at most this many minutes and stay outside every danger zone are accepted
     * without a planner (recorded as automatic, P22); absent: its plan's rule, else every re-route
     * waits for a planner.
     */
    autoAcceptMinutes: Type.Optional(Type.Number({ minimum: 0, maximum: 240 })),
    /** The evacuation plan it belongs to (its target groups, havens and rule for re-routes). */
    planId: Type.Optional(Id),
    /**
     * Its people by the plan's target group id (`{"medical": 12, "children": 30}`); `people` is their
     * sum. Needs `planId`; every key is one of the plan's groups.
     */
    peopleByGroup: Type.Optional(Type.Record(Type.String({ pattern: ID_PATTERN, maxLength: 64 }), Count, { maxProperties: MAX_TARGET_GROUPS })),
    /** 1 (first) to 5 (last): the order in which convoys are planned, shown and re-routed. */
    priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    /** Planned departure. */
    departure: Type.Optional(IsoTime),
    /** The movement window: it may depart (move) only within it. */
    window: Type.Optional(Type.Object({ from: IsoTime, until: IsoTime }, strict)),
    /** A convoy of the same plan that must have departed before this one may (the plan's sequence). */
    after: Type.Optional(Id),
    /** Registration plates of its vehicles, optional. */
    plates: Type.Optional(Type.Array(Name(20), { maxItems: 200 })),
    /** Its vehicles' types, as the parties will see them ("2 Land Cruiser, 1 truck 10 t"), for the deconfliction notice (issue 18). */
    vehicleType: Type.Optional(Name(200)),
    /** Its vehicles' markings ("white, UN emblem on roof and doors, blue flag"). */
    markings: Type.Optional(Name(300)),
    /** Staff travelling with it (drivers, escort, team); `people` are the passengers it carries. */
    personnel: Type.Optional(Count),
    /** What it carries besides people. */
    cargo: Type.Optional(Prose(500)),
    /** Why it moves, as the deconfliction notice says it. */
    purpose: Type.Optional(Prose(500)),
    /** The organisation's focal point for this movement: who the parties call about it. */
    focalPoint: Type.Optional(FocalPointSchema),
    /** The IANA time zone its window is said in on the notice and the route card (`Africa/Khartoum`); UTC when absent. */
    timeZone: Type.Optional(TimeZone),
    /** Its radio plan: the nets and channels it is reached on. */
    radioPlan: Type.Optional(Type.Array(RadioNetSchema, { maxItems: MAX_RADIO_NETS })),
    /** What its leader does on an alert, besides the hold points ("stop at the nearest hold point, report on net 1"). */
    onAlert: Type.Optional(Prose(1000)),
    /** The marking of the sharing agreement it is posted under (issue 13); its organisation's default when absent. */
    marking: Type.Optional(Id),
    /**
     * Absent: a new convoy is planned, an existing one keeps its state. Another state than the
     * convoy's is a change of state, allowed only as the machine allows it without a reason (P20).
     */
    state: Type.Optional(ConvoyStateSchema),
  },
  strict,
);
export type ConvoyInput = Static<typeof ConvoyInputSchema>;

/**
 * A change of a convoy's state (`POST /api/convoys/:id/state`, and the `convoy.state` command):
 * the target, why, and for `holding` the condition on which it may move again (P20).
 */
export const ConvoyStateChangeSchema = Type.Object(
  {
    to: ConvoyStateSchema,
    reason: Type.Optional(Prose(500)),
    resumeWhen: Type.Optional(Prose(500)),
  },
  strict,
);
export type ConvoyStateChange = Static<typeof ConvoyStateChangeSchema>;

/**
 * An alert a field unit raises about itself (issue 14: a TAK device's emergency or CASEVAC request),
 * or its cancellation: `unit.alert`. One alert per unit and kind is open at a time.
 */
export const UnitAlertSchema = Type.Object(
  {
    unitId: Id,
    kind: Type.Union([Type.Literal('emergency'), Type.Literal('casevac')]),
    /** Where the unit is. */
    at: Position2,
    /** What it says: the emergency's type, the request's summary. */
    text: Type.Optional(Prose(500)),
    callsign: Type.Optional(Text(64)),
    /** Ends the unit's open alert of this kind instead of raising one. */
    cancel: Type.Optional(Type.Boolean()),
  },
  strict,
);
export type UnitAlert = Static<typeof UnitAlertSchema>;

/** An acknowledgement of an alert (`POST /api/alerts/:id/ack`, and the `alert.ack` command): what the planner says, optionally (P21). */
export const AlertAckSchema = Type.Object({ remark: Type.Optional(Prose(500)) }, strict);
export type AlertAck = Static<typeof AlertAckSchema>;

/**
 * A planner's acceptance of a re-route proposal (`POST /api/convoys/:id/reroute`, and the
 * `convoy.reroute` command): which proposal, and which of its routes (0, the best, by default) (P22).
 */
export const RerouteDecisionSchema = Type.Object({ proposalId: Id, route: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })) }, strict);
export type RerouteDecision = Static<typeof RerouteDecisionSchema>;

/**
 * A planner's choice among a planned or approved convoy's routes (`POST /api/convoys/:id/route`, and
 * the `convoy.route` command): which route of its corridor it takes, 0 the fastest (issue 12).
 */
export const RouteChoiceSchema = Type.Object({ route: Type.Integer({ minimum: 0, maximum: 5 }) }, strict);
export type RouteChoice = Static<typeof RouteChoiceSchema>;

/**
 * A deconfliction notice sent to the parties (`POST /api/convoys/:id/notice/send`, and the
 * `notice.send` command, issue 18): which version, so a notice superseded meanwhile is not sent by mistake.
 */
export const NoticeSendSchema = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }, strict);
export type NoticeSend = Static<typeof NoticeSendSchema>;
/**
 * A party's acknowledgement of a sent notice (`POST /api/convoys/:id/notice/acknowledge`, and the
 * `notice.ack` command): who acknowledged it (a name and their party), and what they said.
 */
export const NoticeAckSchema = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1 })), by: Name(200), remark: Type.Optional(Prose(1000)) },
  strict,
);
export type NoticeAck = Static<typeof NoticeAckSchema>;

// ---------------------------------------------------------------- imports of displacement figures (issue 17)
/**
 * Most sites, and most flows, one import may hold. A file of 100,000 rows is read in a few seconds
 * (docs/bench-import.md); the limit keeps one import, a single event, within what the log, the fold
 * and a client's picture take in one go.
 */
export const MAX_IMPORT_ITEMS = 250_000;
/** What an import says of itself: the file's name, the rows read from it and the rows it skipped. */
export const SitesImportInputSchema = Type.Object(
  {
    /** The import's id (`im-…`); made by the server when absent. */
    id: Type.Optional(Id),
    /** The file's name, as the analyst gave it. */
    name: Name(),
    /** Data rows (or records) read from the file, merged ones included. */
    rows: Count,
    /** Rows that could not be read and were left out (`skipInvalid`). */
    skipped: Count,
  },
  strict,
);
export type SitesImportInput = Static<typeof SitesImportInputSchema>;

// ---------------------------------------------------------------- client → server (WebSocket)
const cmd = <K extends string, T extends Record<string, TSchema>>(type: K, fields: T) =>
  Type.Object({ type: Type.Literal(type), msgId: MsgId, ...fields }, strict);

/** What a client posts for each kind of entity (the upsert command's `input` field, kinds.ts). */
export const INPUT_SCHEMAS = {
  threat: ThreatFeatureSchema,
  haven: HavenInputSchema,
  site: SiteInputSchema,
  flow: FlowInputSchema,
  constraint: ConstraintInputSchema,
  convoy: ConvoyInputSchema,
  plan: PlanInputSchema,
  report: ReportInputSchema,
} as const satisfies Record<Kind, TSchema>;

type UpsertSchema<K extends Kind> = TObject<{ type: TLiteral<`${K}.upsert`>; msgId: typeof MsgId } & { [F in InputOf<K>]: (typeof INPUT_SCHEMAS)[K] }>;
type RemoveSchema<K extends Kind> = TObject<{ type: TLiteral<`${K}.remove`>; msgId: typeof MsgId; id: typeof Id }>;
type KindCommandSchemas = { [K in Kind as `${K}.upsert`]: UpsertSchema<K> } & { [K in Kind as `${K}.remove`]: RemoveSchema<K> };

/** The upsert and remove command of every kind of the registry. */
function kindCommandSchemas(): KindCommandSchemas {
  const out: Record<string, TSchema> = {};
  for (const kind of KIND_NAMES) {
    out[`${kind}.upsert`] = cmd(`${kind}.upsert`, { [KINDS[kind].input]: INPUT_SCHEMAS[kind] });
    out[`${kind}.remove`] = cmd(`${kind}.remove`, { id: Id });
  }
  return out as KindCommandSchemas;
}

export const ClientCommandSchemas = {
  position: Type.Object(
    { ...PositionReportSchema.properties, type: Type.Literal('position'), msgId: MsgId },
    strict,
  ),
  positions: cmd('positions', { reports: PositionBatchSchema }),
  ...kindCommandSchemas(),
  'convoy.state': cmd('convoy.state', { convoyId: Id, ...ConvoyStateChangeSchema.properties }),
  'alert.ack': cmd('alert.ack', { alertId: Id, ...AlertAckSchema.properties }),
  'unit.alert': cmd('unit.alert', UnitAlertSchema.properties),
  'convoy.reroute': cmd('convoy.reroute', { convoyId: Id, ...RerouteDecisionSchema.properties }),
  'convoy.route': cmd('convoy.route', { convoyId: Id, ...RouteChoiceSchema.properties }),
  'report.review': cmd('report.review', { reportId: Id, ...ReportReviewSchema.properties }),
  'notice.send': cmd('notice.send', { convoyId: Id, ...NoticeSendSchema.properties }),
  'notice.ack': cmd('notice.ack', { convoyId: Id, ...NoticeAckSchema.properties }),
  /**
   * An import of displacement figures (issue 17): its sites (and the flows to them) as one event,
   * `sites.imported`, so nothing is ever half-imported. The HTTP carrier reads the file and sends this.
   */
  'sites.import': cmd('sites.import', {
    import: SitesImportInputSchema,
    sites: Type.Array(SiteInputSchema, { minItems: 1, maxItems: MAX_IMPORT_ITEMS }),
    flows: Type.Optional(Type.Array(FlowInputSchema, { maxItems: MAX_IMPORT_ITEMS })),
  }),
  resync: Type.Object({ type: Type.Literal('resync'), since: Type.Integer({ minimum: 0 }) }, strict),
  ping: Type.Object({ type: Type.Literal('ping'), msgId: Type.Optional(MsgId) }, strict),
};
export type ClientCommandType = keyof typeof ClientCommandSchemas;
export type ClientCommand = { [K in ClientCommandType]: Static<(typeof ClientCommandSchemas)[K]> }[ClientCommandType];
export type ClientCommandOf<K extends ClientCommandType> = Static<(typeof ClientCommandSchemas)[K]>;

/** Largest WebSocket message or HTTP body accepted, bytes (P7). */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/**
 * WebSocket close code of a session whose token was revoked while it was open (private range,
 * RFC 6455 §7.4.2): the client should not retry, every new socket would be refused (401).
 */
export const CLOSE_TOKEN_REVOKED = 4401;

/** How far ahead of the server's clock a report's time may be, ms (P6). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

// ---------------------------------------------------------------- errors
/** Stable machine words of the contract's error shape. */
export type ErrorCode =
  | 'bad_json'
  | 'invalid'
  | 'invalid_geometry'
  | 'time_in_future'
  | 'payload_too_large'
  | 'unknown_type'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  /** A change of a convoy's state that the machine forbids (P20). */
  | 'invalid_transition'
  /** An alert someone already acknowledged (P21). */
  | 'already_acknowledged'
  /** A re-route proposal that is no longer the convoy's open one (decided, replaced or withdrawn) (P22). */
  | 'stale_proposal'
  /** An approval that would overfill the convoy's haven, counting every reservation (P23). */
  | 'no_room'
  /** A departure before the convoy its plan's sequence puts first has departed (issue 12). */
  | 'out_of_sequence'
  /** A departure outside the convoy's movement window (issue 12). */
  | 'outside_window'
  /** A removal of what others still name (an evacuation plan with convoys) (issue 12). */
  | 'in_use'
  /** An import with rows that could not be read, refused whole (issue 17): the report names each row and why. */
  | 'invalid_rows'
  | 'no_safe_route'
  | 'off_network'
  /** A sharing agreement that cannot be read or checked; the one in force stays (issue 13). */
  | 'invalid_agreement'
  /** A msgId (or Idempotency-Key) this sender already used for a different message (P8). */
  | 'conflict'
  /** The sender's token is over its rate of updates (P15). */
  | 'rate_limited'
  /** The sender's token has as many open sockets as it may (P15). */
  | 'too_many_connections'
  /** The request's header section is larger than the server reads. */
  | 'headers_too_large'
  /** The request did not arrive whole in time. */
  | 'timeout'
  | 'unavailable'
  | 'internal';
export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /** The offending field, as a JSON path like `feature.geometry.coordinates[0]`. */
  path?: string;
}

// Log events (past-tense facts) and the picture they fold into; shared by server and client reducers.
// The events and slices of the entity kinds come from the registry (kinds.ts). Rule numbers: SPEC.md.
import { currentStateName, type ConvoyState, type Transition } from './convoy-states.js';
import { KIND_NAMES, KINDS, type ExpiringKind, type FieldOf, type Kind, type SliceOf } from './kinds.js';
import type { CorridorWhy } from './server-messages.js';
import type { Alert, AlertClearReason, ConvoyTrack } from './tracking.js';
import type { RerouteProposal } from './reroute.js';
import type { ZoneRef } from './server-messages.js';
import { accessIndicator } from './messages.js';
import type { Notice, NoticeExpiry, RoadStretch } from './notice.js';
import type {
  AccessCategory,
  ConstraintInput,
  ConvoyInput,
  FlowInput,
  HavenInput,
  Lineal,
  PlanInput,
  Polygonal,
  ReportInput,
  ReportStatus,
  ProtocolError,
  SiteInput,
  ThreatFeature,
  VehicleClass,
} from './messages.js';

/** A unit's last accepted fix. `time` is the fix time (ms since epoch), `seenMs` the server's receipt time. */
export interface Unit {
  unitId: string;
  lon: number;
  lat: number;
  timeMs: number;
  seenMs: number;
  heading?: number;
  speed?: number;
  accuracy?: number;
  callsign?: string;
  affiliation?: 'military' | 'humanitarian' | 'civil';
  /** The organisation whose token reported it (issue 13). */
  owner?: string;
  /** The marking it was reported under; its owner's default when absent (issue 13). */
  marking?: string;
  /** Its Cursor-on-Target type (`a-f-G-U-C`), when a TAK device reports it (issue 14). */
  cotType?: string;
  /** When its sender says this fix goes stale, ms since epoch (a CoT event's `stale`). */
  staleMs?: number;
}

/** A threat zone as held in the picture: the analyst's feature plus its polygon (a Point is buffered by radius_m). */
export interface ThreatZone {
  id: string;
  severity: 'no-go' | 'danger' | 'advisory';
  label?: string;
  source?: string;
  /** ms since epoch, or undefined for no expiry. */
  validUntilMs?: number;
  radiusM?: number;
  standoffM?: number;
  /** The geometry as posted. */
  geometry: ThreatFeature['geometry'];
  /** The area the router uses: the polygon, or the circle for a Point. */
  area: Polygonal;
  /** The organisation that posted it, and the marking it was posted under (issue 13). */
  owner?: string;
  marking?: string;
  updatedMs: number;
}

export interface Haven extends Required<Omit<HavenInput, 'occupancy' | 'marking' | 'contact'>> {
  occupancy: number;
  /** Who to call there (issue 18). */
  contact?: string;
  marking?: string;
  /** The organisation that posted it (issue 13). */
  owner?: string;
  updatedMs: number;
}
export interface Site extends Omit<SiteInput, 'source'> {
  id: string;
  /** Where its figures come from; absent when the sharing agreement withholds it from the recipient. */
  source?: string;
  /** The organisation that posted it (issue 13). */
  owner?: string;
  updatedMs: number;
  /**
   * The figure it held before the last one of another date (set by the fold, P35): the next round's
   * import keeps the last round's population here, a correction of the same date keeps what was here.
   */
  previous?: { population: number; date: string };
}

/** An import of displacement figures as the log holds it (issue 17, P35). */
export interface SitesImport {
  /** `im-…`, made by the server. */
  id: string;
  /** The file's name. */
  name: string;
  /** The organisation that imported it. */
  by: string;
  /** Data rows (or records) read from the file, merged ones included. */
  rows: number;
  /** Sites and flows it holds (as a recipient receives it: those the recipient may see). */
  sites: number;
  flows: number;
  /** Rows that could not be read and were left out. */
  skipped: number;
}
export interface Flow extends Omit<FlowInput, 'source'> {
  id: string;
  /** Where its figures come from; absent when the sharing agreement withholds it from the recipient. */
  source?: string;
  /** The organisation that posted it (issue 13). */
  owner?: string;
  updatedMs: number;
}
export interface Constraint extends Omit<ConstraintInput, 'verifiedBy' | 'category'> {
  id: string;
  /** Its indicator in the access typology (messages.ts); the fold maps a legacy code of a log from before the typology. */
  category: AccessCategory;
  /** Who verified it; absent when the sharing agreement withholds it from the recipient. */
  verifiedBy?: string;
  /** The organisation that posted it (issue 13). */
  owner?: string;
  updatedMs: number;
  /** Since when its current status holds, ms: set by the fold (P32), from when its status last changed. */
  sinceMs?: number;
  /** Its last changes, oldest first, at most MAX_CONSTRAINT_HISTORY: set by the fold (P32). */
  history?: ConstraintChange[];
}
/** Changes of an access constraint kept with it (its history), newest last. */
export const MAX_CONSTRAINT_HISTORY = 20;
/** One change of an access constraint: what it said from then on, and who changed it. */
export interface ConstraintChange {
  /** Server time of the change, ms since epoch. */
  atMs: number;
  status: Constraint['status'];
  category: string;
  reason?: string;
  verifiedBy?: string;
  verifiedAtMs: number;
  /** The organisation and role of who changed it; absent for changes stored without an actor. */
  org?: string;
  role?: string;
}
/** One row of the access list (issue 16): a picture constraint or a network road, as `GET /api/access/constraints` gives it. */
export interface AccessItem {
  id: string;
  /** `picture`: posted by a party (may change); `network`: the loaded road file's own assessment (read-only). */
  origin: 'picture' | 'network';
  status: Constraint['status'];
  category: AccessCategory;
  /** Its indicator (1–9) in the access typology. */
  indicator: number;
  reason?: string;
  /** Network roads: the raw tag values that say why (`practicability`, `surface`, ...), for the client to word. */
  reasonTags?: Record<string, string>;
  /** Network roads: the way it is, as the road file has it. */
  road?: { wayId: string; highway: string; name?: string; operationalStatus?: string };
  /** Where the information comes from. */
  source?: string;
  verifiedBy?: string;
  /** When it was last verified, ISO 8601 (a network road: its last edit, when the file says). */
  verifiedAt?: string;
  /** Since when its current status holds, ms since epoch; null when not known (a road file without timestamps). */
  sinceMs: number | null;
  validUntil?: string;
  /** The organisation that posted it. */
  owner?: string;
  geometry: Lineal | Polygonal;
  /** Its last changes, oldest first (picture constraints). */
  history?: ConstraintChange[];
}

/**
 * A picture constraint as a list item.
 * @example itemOfConstraint(picture.constraints['ac-1']).indicator // 7 for `hostilities`
 */
export function itemOfConstraint(c: Constraint): AccessItem {
  return {
    id: c.id,
    origin: 'picture',
    status: c.status,
    category: c.category,
    indicator: accessIndicator(c.category) ?? 9,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.source !== undefined ? { source: c.source } : {}),
    ...(c.verifiedBy !== undefined ? { verifiedBy: c.verifiedBy } : {}),
    verifiedAt: c.verifiedAt,
    sinceMs: c.sinceMs ?? c.updatedMs,
    ...(c.validUntil !== undefined ? { validUntil: c.validUntil } : {}),
    ...(c.owner !== undefined ? { owner: c.owner } : {}),
    geometry: c.geometry,
    // As the outbox gave it: the agreement's removed fields are out of each change too (policy.ts).
    ...(c.history ? { history: c.history } : {}),
  };
}

export interface Convoy extends Omit<ConvoyInput, 'id' | 'state'> {
  id: string;
  vehicleClass: VehicleClass;
  state: ConvoyState;
  /** Its changes of state, the latest last, at most MAX_STATE_HISTORY (P20); absent before the first. */
  stateHistory?: StateChange[];
  /** The organisation that posted it (issue 13). */
  owner?: string;
  updatedMs: number;
}

/** An evacuation plan as held in the picture (issue 12). */
export interface Plan extends Omit<PlanInput, 'id'> {
  id: string;
  /** The organisation that posted it (issue 13). */
  owner?: string;
  updatedMs: number;
}

/**
 * A field unit's report as held in the picture (issue 15): its form, when it was seen and received,
 * and where an analyst's review left it.
 */
export interface Report extends Omit<ReportInput, 'id' | 'time' | 'unitId'> {
  id: string;
  /** The reporting unit; absent when the sharing agreement withholds it from the recipient (a protected source). */
  unitId?: string;
  /** When it was seen (the device's time), ms since epoch. */
  timeMs: number;
  /** When the server received it, ms since epoch. */
  receivedMs: number;
  status: ReportStatus;
  /** The last review: by which organisation and role, when, with what remark, and the constraint it became. */
  review?: { org: string; role: string; atMs: number; remark?: string; constraintId?: string };
  /** The organisation that posted it (issue 13). */
  owner?: string;
  updatedMs: number;
}

/** One change of a convoy's state, as the audit trail records it: who, when (server time) and why (P20). */
export interface StateChange extends Transition {
  /** Server time of the change, ms since epoch. */
  atMs: number;
  /** Who changed it; absent only for changes of events stored without an actor. */
  by?: Actor;
}

/** One computed route, the same shape as a `GET /api/route` feature's properties plus its line. */
export interface RouteLeg {
  coordinates: [number, number][];
  distance_m: number;
  duration_s: number;
  exposure_m: number;
  min_clearance_m: number | null;
  /** The roads it follows, in order (issue 18): absent from routers without road names and in older logs. */
  roads?: RoadStretch[];
}

/** The current corridor of a convoy, kept by the router. */
export interface Corridor {
  convoyId: string;
  status: 'ok' | 'no_safe_route' | 'off_network' | 'no_haven';
  /** Best route first; empty unless status is `ok`. */
  routes: RouteLeg[];
  /** Haven the corridor leads to, when the destination is `nearest-haven`. */
  havenId?: string;
  /** Zone ids that cut every path, when status is `no_safe_route`. */
  blockedBy?: string[];
  /** What changed and why, in an English sentence ("re-routed around zone tz-3: +4 min"), for API users. */
  reason: string;
  /** The same as a code and its figures, for each client to word in its language (absent in old logs). */
  why?: CorridorWhy;
  /** Change of the best route's duration against the previous corridor, seconds: + is slower, − faster. */
  deltaS?: number;
  /** Ids of the zones/constraints whose change caused this computation. */
  cause?: string[];
  computedMs: number;
  /**
   * Zones and closed constraints that cut or endanger the route still ahead of its moving or holding
   * convoy (P22): the route is no longer safe, and a re-route proposal is (being) made.
   */
  endangeredBy?: ZoneRef[];
  /**
   * The first route is the one a planner chose among the alternatives, not the fastest; the router
   * keeps it first while it is still among the routes it finds (issue 12).
   */
  chosen?: boolean;
  /**
   * Its route's version (P36): 1 for the convoy's first corridor, one more each time its first route
   * became another line. Set by the fold; route cards and notices print it.
   */
  version?: number;
}

/**
 * A corridor whose routes stay as they are while its figures change (a zone came or went nearby,
 * so `min_clearance_m` moved): sent instead of the whole corridor, a few dozen bytes instead of
 * every route's coordinates (P11).
 */
export interface CorridorRefresh {
  convoyId: string;
  /** `min_clearance_m` of each route, in the corridor's order. */
  clearance: (number | null)[];
  reason: string;
  why?: CorridorWhy;
  cause?: string[];
  computedMs: number;
}

/** The entity each kind's slice holds. */
export interface Entities {
  threat: ThreatZone;
  haven: Haven;
  site: Site;
  flow: Flow;
  constraint: Constraint;
  convoy: Convoy;
  plan: Plan;
  report: Report;
}

/** The slices of the registry's kinds, each id → entity. */
export type KindSlices = { [K in Kind as SliceOf<K>]: Record<string, Entities[K]> };

export type Picture = {
  /** Seq of the last event folded in (P1). */
  seq: number;
  units: Record<string, Unit>;
  corridors: Record<string, Corridor>;
  /** Where each tracked convoy is on its corridor, by convoy id (P21). */
  tracks: Record<string, ConvoyTrack>;
  /** Alerts not yet both acknowledged and cleared, by alert id (P21). */
  alerts: Record<string, Alert>;
  /** The open re-route proposal of each moving or holding convoy, by convoy id (P22). */
  proposals: Record<string, RerouteProposal>;
  /** The deconfliction notice of each approved convoy, by convoy id (P36, issue 18). */
  notices: Record<string, Notice>;
} & KindSlices;

/** One change of one item in the audit trail (`GET /api/audit`, issue 13). */
export interface AuditRow {
  seq: number;
  /** ISO 8601, UTC, ms. */
  time: string;
  /** The event's type. */
  type: string;
  /** The item's kind and id (`agreement` and `audit` for the server's own facts). */
  kind: string;
  item: string;
  tokenId: string;
  org: string;
  role: string;
  /** The item as the picture held it before the change, and after; null when absent. */
  before: unknown;
  after: unknown;
}

/** Who caused an event (for the audit trail). */
export interface Actor {
  tokenId: string;
  org: string;
  role: string;
}

/** Why a zone or constraint went: removed by someone, or past its `validUntil`. */
export type RemovalReason = 'deleted' | 'expired';

/** Event payloads by type. Each event is a fact already validated and normalised. */
export type EventPayloads = {
  'position.reported': { units: Unit[] };
  'corridor.recomputed': { corridor: Corridor };
  'corridor.refreshed': { refresh: CorridorRefresh };
  /** A convoy's state changed as the machine allows (P20): who and when are the event's `actor` and `timeMs`. */
  'convoy.state-changed': { convoyId: string } & Transition;
  /** The convoy's lead unit reported and was matched to the corridor (P21). */
  'convoy.tracked': { track: ConvoyTrack };
  'alert.raised': { alert: Alert };
  /** Someone (the event's `actor`) acknowledged an alert. */
  'alert.acknowledged': { id: string; remark?: string };
  'alert.cleared': { id: string; reason: AlertClearReason };
  /** The route ahead of a convoy is cut or endangered by these (empty: safe again) (P22). */
  'corridor.endangered': { convoyId: string; endangeredBy: ZoneRef[] };
  /**
   * A proposal; `more` when it adds the alternatives to the open proposal of that id (made a moment
   * after its best route), folded only while that proposal is still the convoy's open one.
   */
  'reroute.proposed': { proposal: RerouteProposal; more?: boolean };
  /** A proposal decided: its route `route` becomes the convoy's corridor; `auto` when the plan accepted it by itself. */
  'reroute.decided': { convoyId: string; proposalId: string; route: number; auto?: boolean; corridor: Corridor };
  /** A planner chose route `route` of a planned or approved convoy's corridor: `corridor` holds it first (`chosen`). */
  'convoy.route-chosen': { convoyId: string; route: number; corridor: Corridor };
  /** A proposal no longer open without a decision: the convoy stopped, or the route ahead is safe again. */
  'reroute.withdrawn': { convoyId: string; proposalId: string; reason: 'convoy_ended' | 'no_longer_needed' };
  /**
   * The information-sharing agreement in force changed (issue 13): its name and the SHA-256 of its
   * file's text. Every client is sent the picture it may see under it at once.
   */
  'agreement.changed': { name: string; digest: string };
  /** An administrator read the audit trail (issue 13): the filter asked for and the rows it gave. Only administrators receive it. */
  'audit.read': { query: Record<string, string>; rows: number };
  /**
   * An import of displacement figures (issue 17, P35): each site and flow upserted as by its own
   * upsert, in one event. `was` (inside the server, by item id) as a kind event's; `removed` only in
   * what a recipient receives: items it saw that it may no longer see (P29).
   */
  /** A notice's new version (P36): the convoy's first, or one that supersedes the held one (which goes to its history). */
  'notice.drafted': { convoyId: string; notice: Notice };
  /** The held version was sent to the parties (the event's `actor` sent it). */
  'notice.sent': { convoyId: string; version: number };
  /** A party acknowledged the held version: `by` is who, as recorded by the event's `actor`. */
  'notice.acknowledged': { convoyId: string; version: number; by: string; remark?: string };
  /** The held version's window ended, or its convoy arrived or was aborted. */
  'notice.expired': { convoyId: string; version: number; reason: NoticeExpiry };
  'sites.imported': { import: SitesImport; sites: Site[]; flows: Flow[]; was?: Record<string, Was>; removed?: { sites?: string[]; flows?: string[] } };
} & { [K in Kind as `${K}.upserted`]: { [F in FieldOf<K>]: Entities[K] } & { was?: Was } } & {
  [K in Kind as `${K}.removed`]: (K extends ExpiringKind ? { id: string; reason: RemovalReason } : { id: string }) & { was?: Was };
};

/**
 * Who owned an entity and how it was marked before this event (issue 13): on a removal, what is
 * removed; on an upsert, what it was when its owner or marking changes. The sharing policy tells from
 * it, without any memory of its own, whether a recipient saw the entity before: a removal goes only to
 * those who did, and an entity marked beyond a recipient's reach is removed from its picture.
 */
export interface Was {
  owner?: string;
  marking?: string;
}
export type EventType = keyof EventPayloads;

/** An event as stored in the log and sent on the wire (`seq` strictly increases, P1). */
export type PictureEvent = {
  [K in EventType]: {
    seq: number;
    /** Server time of append, ms since epoch. */
    timeMs: number;
    type: K;
    msgId?: string;
    actor?: Actor;
  } & EventPayloads[K];
}[EventType];
export type EventOf<K extends EventType> = Extract<PictureEvent, { type: K }>;
/** An event before the log stamps it. */
export type NewEvent = PictureEvent extends infer E
  ? E extends PictureEvent
    ? Omit<E, 'seq' | 'timeMs'>
    : never
  : never;

// ---------------------------------------------------------------- server → client (WebSocket)
export interface SnapshotMessage {
  type: 'snapshot';
  /** The protocol version the server speaks (PROTOCOL_VERSION). */
  protocol: number;
  seq: number;
  picture: Picture;
  /** After how long without a report a unit counts as stale, ms. */
  staleAfterMs: number;
  serverTimeMs: number;
  /** The area of operations' name, the picture's title (issue 17). */
  area?: string;
  /** Whether the built-in exercise is running: pages mark EXERCISE only then (issue 17). */
  exercise?: boolean;
}
/** One frame of events (coalesced, P4): events in (`since`, `seq`], strictly increasing. */
export interface DeltaMessage {
  type: 'delta';
  seq: number;
  since: number;
  events: PictureEvent[];
}
export interface AckMessage {
  type: 'ack';
  msgId: string;
  seq: number;
}
export interface ErrorMessage extends ProtocolError {
  type: 'error';
  msgId?: string;
}
export interface PongMessage {
  type: 'pong';
  msgId?: string;
  serverTimeMs: number;
}
/** Sent to a client that fell behind (P10); a fresh snapshot follows once its socket drains. */
export interface ResyncRequiredMessage {
  type: 'resync-required';
  seq: number;
}
/**
 * A convoy's orders for the devices of its lead unit (P27): sent at once, to its sockets of either
 * kind (`stream=none` too), when the convoy's state or route changes: where to drive now.
 */
export interface OrdersMessage {
  type: 'orders';
  /** Seq of the event that made these orders. */
  seq: number;
  /** What changed: a re-route taken, a change of state, a route chosen. */
  cause: 'rerouted' | 'state' | 'route_chosen';
  convoyId: string;
  name: string;
  state: ConvoyState;
  /** Why it holds, and when it moves again, while holding. */
  reason?: string;
  resumeWhen?: string;
  /** The route to drive: the corridor's first route; null when there is none (no safe route). */
  route: { coordinates: [number, number][]; distance_m: number; duration_s: number } | null;
  /** The haven it leads to, when it leads to one. */
  havenId?: string;
  /** Its named checkpoints. */
  checkpoints: { name: string; at: [number, number] }[];
}
export type ServerMessage =
  | SnapshotMessage
  | DeltaMessage
  | AckMessage
  | ErrorMessage
  | PongMessage
  | ResyncRequiredMessage
  | OrdersMessage;

/**
 * An id-keyed collection without a prototype, optionally filled from `from`: `units['constructor']`
 * is a unit of that name or undefined, never a member of `Object.prototype` (issue 9). Every slice of
 * a picture is one, on the server and in the client.
 * @example idRecord<number>({ toString: 1 }).toString // 1
 */
export function idRecord<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  if (from) Object.assign(record, from);
  return record;
}

/** The slices of a picture: each an {@link idRecord}. */
export const PICTURE_SLICES = ['units', ...KIND_NAMES.map((k) => KINDS[k].slice), 'corridors', 'tracks', 'alerts', 'proposals', 'notices'] as ReadonlyArray<Exclude<keyof Picture, 'seq'>>;

export function emptyPicture(): Picture {
  const picture = { seq: 0 } as Picture;
  for (const slice of PICTURE_SLICES) (picture as Record<string, unknown>)[slice] = idRecord();
  return picture;
}

/**
 * A picture parsed from JSON (a stored snapshot, a snapshot message) with prototype-free slices; a
 * slice missing from an older snapshot is empty. The parsed object is taken over, not copied deeply.
 */
export function pictureFromJson(parsed: Picture): Picture {
  const picture = emptyPicture();
  picture.seq = parsed.seq;
  for (const slice of PICTURE_SLICES) if (parsed[slice]) Object.assign(picture[slice], parsed[slice]);
  // A snapshot stored before issue 12 names convoy states as they were then (P20).
  for (const [id, convoy] of Object.entries(picture.convoys)) {
    const state = currentStateName(convoy.state);
    if (state !== convoy.state) picture.convoys[id] = { ...convoy, state };
  }
  return picture;
}

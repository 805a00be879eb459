// Movement paperwork (@corridor/protocol, issue 18, P36): the deconfliction notice an organisation sends
// the parties before a convoy moves, made from the convoy and its routed corridor, and what a route says
// road by road. Pure: the server's notice keeper makes notices with it, the pages print them.
import type { Convoy, Corridor, RouteLeg } from './events.js';
import type { CorridorWhy } from './server-messages.js';
import type { FocalPoint, VehicleClass } from './messages.js';

/**
 * A notice's life (P36):
 *
 *     draft → sent → acknowledged → expired (the window ended, or the convoy arrived or was aborted)
 *       └──────┴──────────┴─→ superseded (the route or the movement changed: a new version, a draft)
 *
 * The picture holds each convoy's current version; versions it replaced are in its `history`.
 */
export const NOTICE_STATUSES = ['draft', 'sent', 'acknowledged', 'expired', 'superseded'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/** Why a notice expired. */
export type NoticeExpiry = 'window_ended' | 'convoy_ended';

/** The parts of a notice a new version may change. */
export const NOTICE_PARTS = ['route', 'window', 'origin', 'destination', 'checkpoints', 'vehicles', 'people', 'cargo', 'purpose', 'organisation', 'focalPoint'] as const;
export type NoticePart = (typeof NOTICE_PARTS)[number];

/**
 * One stretch of a route along one road (issue 18): consecutive edges of the same name and ref
 * merged. `from` is the index in the route's coordinates where it begins; a road with neither name
 * nor ref has neither field.
 */
export interface RoadStretch {
  name?: string;
  ref?: string;
  from: number;
  distance_m: number;
  duration_s: number;
}

/** Where a notice's movement starts or ends. */
export interface NoticeEnd {
  at: [number, number];
  /** The nearest named place, or the haven's name. */
  place?: string;
  havenId?: string;
}

/** What a notice says: everything but its reference, version, status and dates. */
export interface NoticeContent {
  convoyName: string;
  organisation?: string;
  focalPoint?: FocalPoint;
  /** The movement window as planned; `timeZone` is the zone it is said in (UTC when the convoy names none). */
  window?: { from: string; until: string; timeZone: string };
  /** Planned departure, when set apart from the window. */
  departure?: string;
  origin: NoticeEnd;
  destination: NoticeEnd;
  /** The route as a line, with its length and expected duration; null while no safe route is known. */
  route: { coordinates: [number, number][]; distance_m: number; duration_s: number } | null;
  /** The ordered list of the roads it follows, by name (or ref), each once per stretch. */
  roads: string[];
  /** The named places it passes, in order: checkpoints, places of the road file, the haven. */
  places: string[];
  checkpoints: { name: string; at: [number, number]; hold?: boolean }[];
  vehicles: { count?: number; class: VehicleClass; type?: string; plates?: string[]; markings?: string };
  personnel?: number;
  /** People it carries (the convoy's `people`). */
  passengers?: number;
  cargo?: string;
  purpose?: string;
  /** The corridor's route version it was made from (P36). */
  routeVersion: number;
}

/** What a new version changed against the version it supersedes. */
export interface NoticeChange {
  parts: NoticePart[];
  /** Roads the route follows now and did not, and roads it no longer follows. */
  roadsAdded?: string[];
  roadsDropped?: string[];
  /** Change of length and duration, metres and seconds (+ longer). */
  distanceDeltaM?: number;
  durationDeltaS?: number;
  /** Why the route changed, as the corridor says it (an English sentence, and its code). */
  reason?: string;
  why?: CorridorWhy;
}

/** An acknowledgement by a party. */
export interface NoticeAcknowledgement {
  /** Who acknowledged (a name and their party), as the one who recorded it wrote it. */
  by: string;
  atMs: number;
  remark?: string;
  /** Who recorded it in the system. */
  org?: string;
  role?: string;
}

/** A version a notice replaced, as its history keeps it. */
export interface NoticeVersionSummary {
  version: number;
  /** How it ended: `superseded`, or `expired`. */
  status: NoticeStatus;
  /** What it was before it ended: was it sent, acknowledged? */
  reached: NoticeStatus;
  draftedMs: number;
  sentMs?: number;
  acknowledged?: NoticeAcknowledgement;
  endedMs: number;
  roads: string[];
}

/** A convoy's deconfliction notice as the picture holds it (`GET /api/convoys/:id/notice`). */
export interface Notice extends NoticeContent {
  convoyId: string;
  /** The organisation's reference, the same for every version (`DN-2026-0412`). */
  reference: string;
  version: number;
  status: NoticeStatus;
  /** What this version changed against the last, absent on version 1. */
  changes?: NoticeChange;
  draftedMs: number;
  sentMs?: number;
  sentBy?: { org: string; role: string };
  acknowledged?: NoticeAcknowledgement;
  expiredMs?: number;
  expiry?: NoticeExpiry;
  /** Earlier versions, oldest first (at most {@link MAX_NOTICE_HISTORY}). */
  history?: NoticeVersionSummary[];
  /** The organisation that posted the convoy (the notice follows its convoy, issue 13). */
  owner?: string;
  marking?: string;
}

/** Earlier versions a notice keeps in its history. */
export const MAX_NOTICE_HISTORY = 20;

/** The convoy states a notice exists in: from approval on (P36). */
export const NOTICE_STATES: ReadonlySet<Convoy['state']> = new Set(['approved', 'moving', 'holding', 'arrived', 'aborted']);

/** A road's refs as OSM gives them (`155;E 6.21`): each one, spaces as written. */
function refsOf(ref: string | undefined): string[] {
  return (ref ?? '').split(';').map((r) => r.trim()).filter((r) => r !== '');
}
/** A name or ref compared as a reader would: spaces and case aside (`E6` is `E 6`). */
const key = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/**
 * A road stretch's label: its name, else its refs; both when both ("Avenue John Brown (RN1)"). Several
 * refs of one way (OSM's `155;E 6.21`) read "155 / E 6.21".
 * @example roadLabel({ name: 'Avenue John Brown', ref: 'RN1', from: 0, distance_m: 1, duration_s: 1 }) // 'Avenue John Brown (RN1)'
 * @example roadLabel({ ref: '155;E 6.21' }) // '155 / E 6.21'
 */
export function roadLabel(s: Pick<RoadStretch, 'name' | 'ref'>): string | undefined {
  const refs = refsOf(s.ref).join(' / ');
  if (s.name && refs && key(s.name) !== key(refs)) return `${s.name} (${refs})`;
  return s.name ?? (refs || undefined);
}

/**
 * Whether two consecutive stretches are one road to a reader: the same name (spaces and case aside), or,
 * where one has no name, a ref in common (a stretch of the E 6 without its name, then the E 6 named as
 * a tunnel); two stretches without name or ref are one unnamed road.
 * @example sameRoad({ name: 'Lundbyleden', ref: 'E 6.21' }, { ref: '155;E6.21' }) // true
 */
export function sameRoad(a: Pick<RoadStretch, 'name' | 'ref'>, b: Pick<RoadStretch, 'name' | 'ref'>): boolean {
  if (a.name && b.name) return key(a.name) === key(b.name);
  const ra = refsOf(a.ref).map(key);
  const rb = refsOf(b.ref).map(key);
  if (ra.length === 0 && rb.length === 0) return !a.name && !b.name;
  return ra.some((r) => rb.includes(r));
}

/**
 * The ordered list of the roads a route follows: each road once per time the route is on it, a road left
 * and taken again named again. Consecutive stretches of one road ({@link sameRoad}) are one entry, named
 * by the fullest label among them (the E 6 is "Tingstadstunneln (E 6)" where the tunnel is named).
 * Unnamed stretches are left out.
 * @example routeRoads({ roads: [{ name: 'A', from: 0, distance_m: 10, duration_s: 1 }, { from: 3, distance_m: 5, duration_s: 1 }, { name: 'B', from: 4, distance_m: 9, duration_s: 1 }] } as RouteLeg) // ['A', 'B']
 */
export function routeRoads(leg: Pick<RouteLeg, 'roads'> | undefined): string[] {
  const out: { stretch: Pick<RoadStretch, 'name' | 'ref'>; label: string }[] = [];
  for (const s of leg?.roads ?? []) {
    const label = roadLabel(s);
    if (label === undefined) continue;
    const last = out[out.length - 1];
    if (last && sameRoad(last.stretch, s)) {
      // The same road: named by the stretch that names it, if the entry had no name.
      if (!last.stretch.name && s.name) out[out.length - 1] = { stretch: s, label };
      continue;
    }
    out.push({ stretch: s, label });
  }
  return out.map((r) => r.label);
}

/**
 * Whether a moving, holding or approved convoy still lacks an acknowledged notice: what a planner must
 * see at a glance before it moves (issue 18).
 * @example lacksAcknowledgedNotice({ state: 'moving' } as Convoy, undefined) // true
 */
export function lacksAcknowledgedNotice(convoy: Pick<Convoy, 'state'>, notice: Pick<Notice, 'status'> | undefined): boolean {
  if (convoy.state !== 'approved' && convoy.state !== 'moving' && convoy.state !== 'holding') return false;
  return notice?.status !== 'acknowledged';
}

/**
 * What changed between two versions' contents; undefined when nothing a party would read did.
 * `corridor` is the corridor the new one was made from (its reason says why the route changed).
 */
export function noticeChanges(before: NoticeContent, after: NoticeContent, corridor?: Pick<Corridor, 'reason' | 'why'>): NoticeChange | undefined {
  const parts: NoticePart[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const routeChanged = !sameRoute(before.route, after.route) || !same(before.roads, after.roads);
  if (routeChanged) parts.push('route');
  if (!same(before.window, after.window) || !same(before.departure, after.departure)) parts.push('window');
  if (!same(before.origin.at, after.origin.at)) parts.push('origin');
  if (!same(before.destination.at, after.destination.at) || before.destination.havenId !== after.destination.havenId) parts.push('destination');
  if (!same(before.checkpoints, after.checkpoints)) parts.push('checkpoints');
  if (!same(before.vehicles, after.vehicles)) parts.push('vehicles');
  if (before.personnel !== after.personnel || before.passengers !== after.passengers) parts.push('people');
  if (before.cargo !== after.cargo) parts.push('cargo');
  if (before.purpose !== after.purpose) parts.push('purpose');
  if (before.organisation !== after.organisation) parts.push('organisation');
  if (!same(before.focalPoint, after.focalPoint)) parts.push('focalPoint');
  if (parts.length === 0) return undefined;
  const change: NoticeChange = { parts };
  if (routeChanged) {
    Object.assign(change, roadsDiff(before.roads, after.roads));
    if (before.route && after.route) {
      change.distanceDeltaM = Math.round(after.route.distance_m - before.route.distance_m);
      change.durationDeltaS = Math.round(after.route.duration_s - before.route.duration_s);
    }
    if (corridor?.reason) change.reason = corridor.reason;
    if (corridor?.why) change.why = corridor.why;
  }
  return change;
}

/**
 * The roads one list has and another has not, each once in the order of its list: what a new route
 * added and what it dropped. Fields only where there are some.
 * @example roadsDiff(['A', 'B'], ['A', 'C', 'C']) // { roadsAdded: ['C'], roadsDropped: ['B'] }
 */
export function roadsDiff(before: readonly string[], after: readonly string[]): Pick<NoticeChange, 'roadsAdded' | 'roadsDropped'> {
  const only = (list: readonly string[], other: readonly string[]) => {
    const there = new Set(other);
    return [...new Set(list)].filter((r) => !there.has(r));
  };
  const added = only(after, before);
  const dropped = only(before, after);
  return { ...(added.length > 0 ? { roadsAdded: added } : {}), ...(dropped.length > 0 ? { roadsDropped: dropped } : {}) };
}

/** Whether two notice routes are the same line (to the metre). */
function sameRoute(a: NoticeContent['route'], b: NoticeContent['route']): boolean {
  if (a === null || b === null) return a === b;
  if (Math.round(a.distance_m) !== Math.round(b.distance_m) || a.coordinates.length !== b.coordinates.length) return false;
  for (let i = 0; i < a.coordinates.length; i++) {
    if (Math.abs(a.coordinates[i][0] - b.coordinates[i][0]) > 1e-5 || Math.abs(a.coordinates[i][1] - b.coordinates[i][1]) > 1e-5) return false;
  }
  return true;
}

/**
 * The version number of a corridor that replaces `held` (P36): the same while its first route is the
 * same line, one more when it changed; 1 for a convoy's first corridor.
 */
export function nextRouteVersion(held: Pick<Corridor, 'routes' | 'version'> | undefined, next: Pick<Corridor, 'routes'>): number {
  if (!held) return 1;
  const was = held.version ?? 1;
  const a = held.routes[0];
  const b = next.routes[0];
  if (!a || !b) return a === b ? was : was + 1;
  if (a.coordinates.length !== b.coordinates.length) return was + 1;
  for (let i = 0; i < a.coordinates.length; i++) {
    if (a.coordinates[i][0] !== b.coordinates[i][0] || a.coordinates[i][1] !== b.coordinates[i][1]) return was + 1;
  }
  return was;
}

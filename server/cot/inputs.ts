// What the picture should do with one CoT event (server/cot), before any permission check: a unit
// position, a threat zone, a delete, an alert, a ping, a protocol step, or nothing. Pure.
import { cotSidc } from '@corridor/protocol';
import type { CotEvent, CotLatLon, TakControl } from './parse.js';
import { MAX_REMARKS_CHARS } from './limits.js';

/** `[lon, lat]`, degrees, as in GeoJSON. */
export type LonLat = [number, number];

/**
 * Standard identity, from the affiliation atom of an `a-*` type (its third character, MIL-STD-2525):
 * `f` friend, `a` assumed friend, `n` neutral, `u` unknown, `p` pending, `s` suspect, `h` hostile,
 * `j` joker and `k` faker (exercise tracks: friendly units playing hostile), `o` none specified.
 * Any other letter reads as unknown.
 */
export type CotIdentity = 'friend' | 'assumed-friend' | 'neutral' | 'unknown' | 'pending' | 'suspect' | 'hostile' | 'joker' | 'faker' | 'none';

/**
 * The four affiliations the picture draws (issue 14): friend and assumed friend are friend; hostile,
 * suspect, joker and faker are hostile (2525 draws joker and faker in the hostile frame); neutral is
 * neutral; unknown, pending and none are unknown.
 */
export type CotAffiliation = 'friend' | 'hostile' | 'neutral' | 'unknown';

/** Threat-zone severities (CONTRACT.md): no-go blocks routes, danger costs, advisory informs. */
export type ZoneSeverity = 'no-go' | 'danger' | 'advisory';

/** A zone's shape: a GeoJSON Polygon (outer ring only, closed, [lon, lat]) or a circle. */
export type ZoneGeometry = { type: 'Polygon'; coordinates: LonLat[][] } | { type: 'Circle'; center: LonLat; radiusM: number };

/** Why an event is accepted and ignored, as a word for logs and metrics. */
export type IgnoredWhat =
  | 'chat'
  | 'chat-receipt'
  | 'route'
  | 'marker'
  | 'drawing'
  | 'open-line'
  | 'bad-shape'
  | 'no-fix'
  | 'pong'
  | 'delete-without-target'
  | 'other';

/** What the picture should do with one event. */
export type CotInput =
  | {
      kind: 'position';
      /** The CoT uid: the unit id. */
      uid: string;
      callsign?: string;
      lon: number;
      lat: number;
      /** Height above the ellipsoid, metres. */
      haeM?: number;
      timeMs: number;
      staleMs: number;
      /** Course over ground, degrees from true north [0, 360). */
      courseDeg?: number;
      /** Speed over ground, metres per second (CoT's `track@speed` unit). */
      speedMps?: number;
      /** `point@ce`: horizontal accuracy (circular error), metres. */
      accuracyM?: number;
      /** The whole CoT type, e.g. `a-f-G-U-C`. */
      cotType: string;
      identity: CotIdentity;
      affiliation: CotAffiliation;
      /** MIL-STD-2525B symbol code for milsymbol, when the type maps to one (e.g. `SFGPUC---------`). */
      sidc?: string;
      /** `<__group>`: the TAK team colour and role. */
      group?: { name?: string; role?: string };
      /**
       * The device that placed this item (`<link relation="p-p">`), when it is not a self-report: a marker
       * for a hostile or unknown track dropped by a TAK user carries its creator here.
       */
      placedBy?: { uid?: string; callsign?: string };
    }
  | {
      kind: 'zone';
      uid: string;
      cotType: string;
      /** `contact@callsign`: the shape's name on the TAK device. */
      label?: string;
      severity: ZoneSeverity;
      geometry: ZoneGeometry;
      remarks?: string;
      timeMs: number;
      staleMs: number;
    }
  | { kind: 'delete'; uid: string; uids: string[]; timeMs: number; force: boolean }
  | {
      kind: 'emergency';
      /** The alert's uid (ATAK: `<device>-9-1-1`); a cancel carries the same uid. */
      uid: string;
      callsign?: string;
      /** `emergency@type` ("911 Alert", "In Contact", …), else the type's ATAK name. */
      emergencyType: string;
      cancel: boolean;
      lon: number;
      lat: number;
      /** False when the sender had no fix (0,0): raise the alert without a place. */
      positionKnown: boolean;
      timeMs: number;
      staleMs: number;
      cotType: string;
      /** The device that raised it (`<link relation="p-p">`). */
      senderUid?: string;
    }
  | {
      kind: 'casevac';
      uid: string;
      callsign?: string;
      lon: number;
      lat: number;
      positionKnown: boolean;
      timeMs: number;
      staleMs: number;
      /** The 9-line fields worth showing, in one line (title; precedence counts; litter/ambulatory; …). */
      summary: string;
      senderUid?: string;
    }
  | { kind: 'ping'; uid: string; timeMs: number }
  | { kind: 'takcontrol'; uid: string; control: TakControl }
  | { kind: 'ignore'; what: IgnoredWhat; why: string };

const IDENTITY: Readonly<Record<string, CotIdentity>> = {
  f: 'friend',
  a: 'assumed-friend',
  n: 'neutral',
  u: 'unknown',
  p: 'pending',
  s: 'suspect',
  h: 'hostile',
  j: 'joker',
  k: 'faker',
  o: 'none',
};

const AFFILIATION: Readonly<Record<CotIdentity, CotAffiliation>> = {
  friend: 'friend',
  'assumed-friend': 'friend',
  neutral: 'neutral',
  unknown: 'unknown',
  pending: 'unknown',
  none: 'unknown',
  suspect: 'hostile',
  hostile: 'hostile',
  joker: 'hostile',
  faker: 'hostile',
};

/** ATAK's names for the emergency types (ATAK-CIV `EmergencyType.java`). */
const EMERGENCY_NAMES: Readonly<Record<string, string>> = {
  'b-a-o-tbl': '911 Alert',
  'b-a-o-can': 'Cancel Alert',
  'b-a-g': 'Geo-fence Breached',
  'b-a-o-pan': 'Ring The Bell',
  'b-a-o-opn': 'In Contact',
  'b-a-o-c': 'Custom',
};

/** Whether `type` is `prefix` or starts with `prefix-`. */
const isType = (type: string, prefix: string) => type === prefix || type.startsWith(prefix + '-');

/**
 * The identity of an `a-*` type from its third character.
 * @example cotIdentity('a-h-G') // 'hostile'
 */
export function cotIdentity(type: string): CotIdentity {
  return IDENTITY[type.charAt(2).toLowerCase()] ?? 'unknown';
}

/** The MIL-STD-2525 symbol of an `a-*` type: the one the map draws (protocol/cot-type.ts). */
export { cotSidc };

const SEVERITY_TAG = /#(no-go|danger|advisory)\b/gi;
const SEVERITY_RANK: Readonly<Record<ZoneSeverity, number>> = { 'no-go': 3, danger: 2, advisory: 1 };

/**
 * The severity of a drawn shape, by this project's convention (issue 14, server/cot/README.md):
 * 1. a `<severity value="no-go|danger|advisory"/>` detail wins (case-insensitive; another value is
 *    passed over);
 * 2. else the remarks' hashtags `#no-go`, `#danger`, `#advisory` (case-insensitive; when several, the most
 *    severe);
 * 3. else `danger`: a shape drawn on a TAK device and sent to the picture is presumed a hazard, and
 *    danger makes routes avoid it where they can without closing roads as no-go would.
 * @example zoneSeverity(undefined, 'bridge out #NO-GO') // 'no-go'
 */
export function zoneSeverity(severityDetail: string | undefined, remarks: string | undefined): ZoneSeverity {
  const s = severityDetail?.trim().toLowerCase();
  if (s === 'no-go' || s === 'danger' || s === 'advisory') return s;
  let best: ZoneSeverity | undefined;
  for (const m of (remarks ?? '').slice(0, MAX_REMARKS_CHARS).matchAll(SEVERITY_TAG)) {
    const tag = m[1]!.toLowerCase() as ZoneSeverity;
    if (!best || SEVERITY_RANK[tag] > SEVERITY_RANK[best]) best = tag;
  }
  return best ?? 'danger';
}

const same = (a: CotLatLon, b: CotLatLon) => a.lat === b.lat && a.lon === b.lon;
const toLonLat = (p: CotLatLon): LonLat => [p.lon, p.lat];

/**
 * A closed GeoJSON ring from vertices, or why not. `closeIt` closes an open list (rectangles); otherwise
 * an open list is an open line.
 */
function ring(vertices: CotLatLon[], closeIt: boolean): { ring: LonLat[] } | { what: IgnoredWhat; why: string } {
  if (vertices.length === 0) return { what: 'bad-shape', why: 'the shape has no vertices' };
  const closed = vertices.length > 1 && same(vertices[0]!, vertices[vertices.length - 1]!);
  if (!closed && !closeIt) return { what: 'open-line', why: 'the line is not closed (its last vertex is not its first): an open polyline, not an area' };
  const points = closed ? vertices : [...vertices, vertices[0]!];
  const distinct = new Set(points.map((p) => `${p.lat},${p.lon}`)).size;
  if (distinct < 3) return { what: 'bad-shape', why: `the shape has ${distinct} distinct vertices: not an area` };
  return { ring: points.map(toLonLat) };
}

/** The `p-p` link: the device that created this item. */
function parentLink(event: CotEvent) {
  return event.detail.links.find((l) => l.relation === 'p-p');
}

/**
 * What the picture should do with one parsed event, independent of who sent it (the gateway checks
 * permissions). See README.md for the table; in short:
 * - `a-*` → position (a fix of exactly 0,0 means "no fix" and is ignored);
 * - `u-d-f` (closed), `u-d-f-m` (closed freehand), `u-d-r`, `u-d-c-c` → zone, severity by `zoneSeverity`;
 * - `t-x-d-d` → delete of the linked uid(s); `b-a-o-*`, `b-a-g` → emergency; `b-r-f-h-c` → casevac;
 * - `t-x-c-t` → ping (answer with `pongEvent`); `t-x-takp-v/q/r` → takcontrol;
 * - everything else → ignore, with a word and a sentence why.
 * @example cotInput(parsedPingEvent) // { kind: 'ping', uid: 'ANDROID-…-ping', timeMs: … }
 */
export function cotInput(event: CotEvent): CotInput {
  const { type, detail, point } = event;
  const callsign = detail.contact?.callsign;

  if (detail.takControl) return { kind: 'takcontrol', uid: event.uid, control: detail.takControl };
  if (type === 't-x-c-t') return { kind: 'ping', uid: event.uid, timeMs: event.timeMs };
  if (type === 't-x-c-t-r') return { kind: 'ignore', what: 'pong', why: 'a pong (t-x-c-t-r) needs no answer' };

  if (type.startsWith('a-')) {
    if (point.lat === 0 && point.lon === 0) return { kind: 'ignore', what: 'no-fix', why: 'position 0,0 is what TAK clients send without a fix' };
    const identity = cotIdentity(type);
    const input: Extract<CotInput, { kind: 'position' }> = {
      kind: 'position',
      uid: event.uid,
      lon: point.lon,
      lat: point.lat,
      timeMs: event.timeMs,
      staleMs: event.staleMs,
      cotType: type,
      identity,
      affiliation: AFFILIATION[identity],
    };
    if (callsign !== undefined) input.callsign = callsign;
    if (point.hae !== undefined) input.haeM = point.hae;
    if (detail.track?.courseDeg !== undefined) input.courseDeg = detail.track.courseDeg;
    if (detail.track?.speedMps !== undefined) input.speedMps = detail.track.speedMps;
    if (point.ce !== undefined) input.accuracyM = point.ce;
    const sidc = cotSidc(type);
    if (sidc) input.sidc = sidc;
    if (detail.group) input.group = detail.group;
    const parent = parentLink(event);
    if (parent && parent.uid !== event.uid) {
      input.placedBy = {};
      if (parent.uid !== undefined) input.placedBy.uid = parent.uid;
      if (parent.parentCallsign !== undefined) input.placedBy.callsign = parent.parentCallsign;
    }
    return input;
  }

  if (isType(type, 'u-d-f') || isType(type, 'u-d-r') || isType(type, 'u-d-c-c')) return zoneInput(event);

  if (isType(type, 't-x-d-d')) {
    const uids = detail.links.flatMap((l) => (l.uid ? [l.uid] : []));
    if (uids.length === 0) return { kind: 'ignore', what: 'delete-without-target', why: 't-x-d-d names no item (no <link uid=…>)' };
    return { kind: 'delete', uid: uids[0]!, uids, timeMs: event.timeMs, force: detail.forceDelete };
  }

  if (isType(type, 'b-a-o') || isType(type, 'b-a-g')) {
    const cancel = type === 'b-a-o-can' || detail.emergency?.cancel === true;
    const input: Extract<CotInput, { kind: 'emergency' }> = {
      kind: 'emergency',
      uid: event.uid,
      emergencyType: detail.emergency?.type ?? EMERGENCY_NAMES[type] ?? type,
      cancel,
      lon: point.lon,
      lat: point.lat,
      positionKnown: !(point.lat === 0 && point.lon === 0),
      timeMs: event.timeMs,
      staleMs: event.staleMs,
      cotType: type,
    };
    // ATAK names the alert "<callsign>-Alert" and puts the sender's callsign in the element's text.
    const who = callsign ?? detail.emergency?.text;
    if (who !== undefined) input.callsign = who;
    const sender = parentLink(event)?.uid;
    if (sender !== undefined) input.senderUid = sender;
    return input;
  }

  if (isType(type, 'b-r-f-h-c')) {
    const input: Extract<CotInput, { kind: 'casevac' }> = {
      kind: 'casevac',
      uid: event.uid,
      lon: point.lon,
      lat: point.lat,
      positionKnown: !(point.lat === 0 && point.lon === 0),
      timeMs: event.timeMs,
      staleMs: event.staleMs,
      summary: casevacSummary(detail.medevac ?? {}, detail.remarks),
    };
    if (callsign !== undefined) input.callsign = callsign;
    const sender = parentLink(event)?.uid;
    if (sender !== undefined) input.senderUid = sender;
    return input;
  }

  return { kind: 'ignore', ...ignoredKind(type) };
}

function zoneInput(event: CotEvent): CotInput {
  const { type, detail, point } = event;
  let geometry: ZoneGeometry;
  if (isType(type, 'u-d-c-c')) {
    const radiusM = detail.shape?.ellipse?.majorM;
    if (radiusM === undefined) return { kind: 'ignore', what: 'bad-shape', why: 'a circle (u-d-c-c) without <shape><ellipse major=…/>' };
    if (!(radiusM > 0)) return { kind: 'ignore', what: 'bad-shape', why: 'a circle (u-d-c-c) with a radius of 0' };
    geometry = { type: 'Circle', center: [point.lon, point.lat], radiusM };
  } else {
    let vertices: CotLatLon[];
    let closeIt = false;
    if (isType(type, 'u-d-r')) {
      // ATAK writes a rectangle's four corners, not closed.
      vertices = detail.links.flatMap((l) => (l.point ? [l.point] : []));
      const n = vertices.length > 1 && same(vertices[0]!, vertices[vertices.length - 1]!) ? vertices.length - 1 : vertices.length;
      if (n !== 4) return { kind: 'ignore', what: 'bad-shape', why: `a rectangle (u-d-r) with ${n} corners, not 4` };
      closeIt = true;
    } else if (type === 'u-d-f-m' || type.startsWith('u-d-f-m-')) {
      // Freehand: one embedded line; ATAK draws a closed one only when the user closes it.
      const lines = detail.links.flatMap((l) => (l.line ? [l.line] : []));
      if (lines.length !== 1) return { kind: 'ignore', what: 'drawing', why: `a freehand drawing (u-d-f-m) of ${lines.length} lines, not one` };
      vertices = lines[0]!;
    } else {
      vertices = detail.links.flatMap((l) => (l.point ? [l.point] : []));
      if (vertices.length === 0 && detail.shape?.polyline) {
        vertices = detail.shape.polyline.vertices;
        closeIt = detail.shape.polyline.closed;
      }
    }
    const r = ring(vertices, closeIt);
    if ('what' in r) return { kind: 'ignore', what: r.what, why: `${type}: ${r.why}` };
    geometry = { type: 'Polygon', coordinates: [r.ring] };
  }
  const input: Extract<CotInput, { kind: 'zone' }> = {
    kind: 'zone',
    uid: event.uid,
    cotType: type,
    severity: zoneSeverity(detail.severity, detail.remarks),
    geometry,
    timeMs: event.timeMs,
    staleMs: event.staleMs,
  };
  if (detail.contact?.callsign !== undefined) input.label = detail.contact.callsign;
  if (detail.remarks !== undefined) input.remarks = detail.remarks;
  return input;
}

/** The word and sentence for an event the picture has no use for. */
function ignoredKind(type: string): { what: IgnoredWhat; why: string } {
  if (type === 'b-t-f-d' || type === 'b-t-f-r' || type.startsWith('b-t-f-d-') || type.startsWith('b-t-f-r-')) {
    return { what: 'chat-receipt', why: `a chat receipt (${type}): the picture keeps no chat` };
  }
  if (isType(type, 'b-t-f')) return { what: 'chat', why: `a GeoChat message (${type}): the picture keeps no chat` };
  if (isType(type, 'b-m-r')) return { what: 'route', why: 'a route (b-m-r) from a TAK device: corridors are planned on the picture' };
  if (isType(type, 'b-m-p') || isType(type, 'b-i')) return { what: 'marker', why: `a map point (${type}): the picture has no layer for it` };
  if (type.startsWith('u-')) return { what: 'drawing', why: `a drawing (${type}) that is not a zone shape` };
  return { what: 'other', why: `type ${type}: nothing the picture shows` };
}

/** Count attributes of `_medevac_` read as non-negative integers; others are skipped. */
function count(m: Readonly<Record<string, string>>, key: string): number | undefined {
  const v = m[key]?.trim();
  return v !== undefined && /^\d{1,4}$/.test(v) && Number(v) > 0 ? Number(v) : undefined;
}

/**
 * One line from ATAK's 9-line MEDEVAC fields (`_medevac_`, names as ATAK-CIV writes them): title; line 3
 * precedence counts; line 5 litter/ambulatory; line 4 equipment; line 2 frequency; line 6 security; line 7
 * marking; remarks. Absent fields are left out.
 * @example casevacSummary({ title: 'Bravo', urgent: '1', litter: '1' }, undefined) // 'Bravo; 1 urgent; 1 litter'
 */
export function casevacSummary(m: Readonly<Record<string, string>>, remarks: string | undefined): string {
  const parts: string[] = [];
  const text = (key: string) => m[key]?.trim().replace(/\s+/g, ' ').slice(0, 200) || undefined;
  const title = text('title');
  if (title) parts.push(title);
  const counted = (keys: [string, string][]) =>
    keys.flatMap(([key, name]) => {
      const n = count(m, key);
      return n === undefined ? [] : [`${n} ${name}`];
    });
  const precedence = counted([
    ['urgent', 'urgent'],
    ['urgent_surgical', 'urgent surgical'],
    ['priority', 'priority'],
    ['routine', 'routine'],
    ['convenience', 'convenience'],
  ]);
  if (precedence.length) parts.push(precedence.join(', '));
  const carried = counted([
    ['litter', 'litter'],
    ['ambulatory', 'ambulatory'],
  ]);
  if (carried.length) parts.push(carried.join(', '));
  const equipment = [
    ['hoist', 'hoist'],
    ['extraction_equipment', 'extraction equipment'],
    ['ventilator', 'ventilator'],
  ].flatMap(([key, name]) => (m[key!]?.trim().toLowerCase() === 'true' ? [name!] : []));
  const otherEquipment = m.equipment_other?.trim().toLowerCase() === 'true' ? text('equipment_detail') : undefined;
  if (otherEquipment) equipment.push(otherEquipment);
  if (equipment.length) parts.push(`equipment: ${equipment.join(', ')}`);
  const freq = text('freq');
  if (freq) parts.push(`freq ${freq}`);
  const enemy = text('enemy');
  if (enemy) parts.push(`security: ${enemy}`);
  const marked = text('marked_by');
  if (marked) parts.push(`marked by ${marked}`);
  const notes = [text('medline_remarks'), remarks?.trim().replace(/\s+/g, ' ').slice(0, 400)].filter((x): x is string => !!x);
  if (notes.length) parts.push(`remarks: ${notes.join(' / ')}`);
  return parts.length ? parts.join('; ') : 'CASEVAC request';
}

// CoT XML the server sends to TAK clients (server/cot): convoy corridors as routes, threat zones as
// shapes, havens and sites as markers, units, deletes, the pong and the TAK protocol offer/answer.
// Pure functions from plain data (lon/lat arrays, labels) to one `<event>` string each.
import { escapeAttr, escapeText } from './xml.js';

/** `[lon, lat]`, degrees, as in GeoJSON. */
export type LonLat = readonly [number, number];

/** Times every writer takes: ms since the epoch. `staleMs` is when a device that hears nothing more drops the item. */
export interface CotTimes {
  timeMs: number;
  /** Defaults to `timeMs`. */
  startMs?: number;
  staleMs: number;
}

/** The XML declaration TAK streaming puts before every event (`toStreamXml`). */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

/**
 * An event in TAK's streaming wire form: the declaration, a line feed, the event, nothing after
 * (ATAK-CIV `takproto/README.md`: TAK servers want no newline after `</event>`).
 * @example toStreamXml(pongEvent({ timeMs: 0, staleMs: 20_000 })).startsWith('<?xml') // true
 */
export function toStreamXml(eventXml: string): string {
  return `${XML_DECLARATION}\n${eventXml}`;
}

/** Severity colours, ARGB (signed 32-bit as ATAK writes them): red, orange, yellow; fill at about 38 % opacity. */
export const ZONE_COLORS: Readonly<Record<'no-go' | 'danger' | 'advisory', { stroke: number; fill: number }>> = {
  'no-go': { stroke: argb(0xff, 0xff, 0x00, 0x00), fill: argb(0x60, 0xff, 0x00, 0x00) },
  danger: { stroke: argb(0xff, 0xff, 0x8c, 0x00), fill: argb(0x60, 0xff, 0x8c, 0x00) },
  advisory: { stroke: argb(0xff, 0xff, 0xd7, 0x00), fill: argb(0x60, 0xff, 0xd7, 0x00) },
};

/**
 * Marker colours (ARGB, signed) for `markerEvent`: ATAK draws a spot-map marker (`b-m-p-s-m`) as a dot of
 * this colour with its label.
 */
export const MARKER_COLORS = {
  havenOpen: argb(0xff, 0x2e, 0x7d, 0x32),
  havenFull: argb(0xff, 0xff, 0x8c, 0x00),
  havenClosed: argb(0xff, 0x75, 0x75, 0x75),
  displacedSite: argb(0xff, 0x15, 0x65, 0xc0),
} as const;

/** Corridor colour (ARGB, signed): ATAK's route blue. */
export const ROUTE_COLOR = argb(0xff, 0x00, 0x7f, 0xff);

/**
 * A colour as ATAK writes it: ARGB packed into a signed 32-bit integer.
 * @example argb(0xff, 0xff, 0, 0) // -65536
 */
export function argb(a: number, r: number, g: number, b: number): number {
  return ((a & 0xff) << 24) | ((r & 0xff) << 16) | ((g & 0xff) << 8) | (b & 0xff);
}

// ---- checks and formatting -------------------------------------------------------------------------

/** Writers are given data by the server, so bad data is a bug there: a RangeError naming the field. */
function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

function checkId(uid: string, what: string): void {
  check(typeof uid === 'string' && uid.trim() !== '' && uid.length <= 512, `${what} must be a non-empty id of at most 512 characters`);
}

function checkLonLat(p: LonLat, what: string): void {
  check(Array.isArray(p) && p.length >= 2, `${what} must be [lon, lat]`);
  const [lon, lat] = p;
  check(Number.isFinite(lon) && lon >= -180 && lon <= 180, `${what}: lon ${lon} is not within -180..180`);
  check(Number.isFinite(lat) && lat >= -90 && lat <= 90, `${what}: lat ${lat} is not within -90..90`);
}

function checkTimes(t: CotTimes): void {
  for (const k of ['timeMs', 'startMs', 'staleMs'] as const) {
    const v = t[k];
    if (k === 'startMs' && v === undefined) continue;
    check(Number.isFinite(v) && Math.abs(v!) < 8.64e15, `${k} must be a time in ms since the epoch`);
  }
}

/** Degrees at 7 decimals (about 1 cm), never in exponent form, `-0` written as `0`. */
function deg(x: number): string {
  const n = Math.round(x * 1e7);
  return (n === 0 ? 0 : n / 1e7).toFixed(7);
}
const iso = (ms: number) => new Date(ms).toISOString();
/** A point attribute value: `lat,lon` at 7 decimals, as ATAK writes link points. */
const latLon = (p: LonLat) => `${deg(p[1])},${deg(p[0])}`;

/** One decimal at least, as ATAK writes metres (`3.0`). */
function metres(x: number): string {
  const s = String(Math.round(x * 1000) / 1000);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** `name="value"` pairs, escaped, skipping undefined values. */
function attrs(pairs: Record<string, string | number | undefined>): string {
  let out = '';
  for (const [k, v] of Object.entries(pairs)) if (v !== undefined) out += ` ${k}="${escapeAttr(String(v))}"`;
  return out;
}

const UNKNOWN = '9999999.0';

interface EventHead extends CotTimes {
  uid: string;
  type: string;
  how: string;
}

/** Wraps a detail in an `<event version="2.0">` with its `<point>` (ATAK's order: point, then detail). */
function eventXml(head: EventHead, point: { lon: number; lat: number; hae?: number; ce?: number }, detail: string): string {
  checkId(head.uid, 'uid');
  checkTimes(head);
  const start = head.startMs ?? head.timeMs;
  return (
    `<event${attrs({ version: '2.0', uid: head.uid, type: head.type, how: head.how, time: iso(head.timeMs), start: iso(start), stale: iso(head.staleMs) })}>` +
    `<point${attrs({
      lat: deg(point.lat),
      lon: deg(point.lon),
      hae: point.hae === undefined ? UNKNOWN : metres(point.hae),
      ce: point.ce === undefined ? UNKNOWN : metres(point.ce),
      le: UNKNOWN,
    })}/>` +
    `<detail>${detail}</detail></event>`
  );
}

const contact = (callsign: string | undefined) => (callsign ? `<contact${attrs({ callsign })}/>` : '');
const remarksXml = (text: string | undefined) => (text ? `<remarks>${escapeText(text)}</remarks>` : '<remarks/>');

// ---- writers ---------------------------------------------------------------------------------------

/** A convoy corridor for `routeEvent`. */
export interface RouteOut extends CotTimes {
  /** The route's uid (the convoy or corridor id); its points get `<uid>.<index>`. */
  uid: string;
  /** Shown as the route's name. */
  name: string;
  /** The corridor, [lon, lat], start to end; at least 2 points. */
  line: readonly LonLat[];
  /** Names of the first and last waypoints (ATAK shows them and announces them when navigating). */
  startName?: string;
  endName?: string;
  remarks?: string;
  /** ATAK's travel method: how it navigates the route. */
  method?: 'Driving' | 'Walking' | 'Flying' | 'Swimming' | 'Watercraft';
  colorArgb?: number;
}

/**
 * A convoy corridor as a `b-m-r` route, the form ATAK's route tool writes (see
 * `route-b-m-r-atak.xml`): ordered `<link relation="c" point="lat,lon">` children, `b-m-p-w` waypoints
 * at the ends (named, announced when navigating) and `b-m-p-c` control points between (every corridor
 * vertex would otherwise be announced as a checkpoint), `<link_attr>` with the travel method, and
 * `<__routeinfo><__navcues/></__routeinfo>` so that ATAK can navigate it. The event's point is the start.
 * Link uids are `<uid>.<index>`, so a re-sent corridor replaces its points rather than adding more.
 * @example routeEvent({ uid: 'cv-1', name: 'Convoy 1', line: [[-72.3, 18.5], [-72.2, 18.6]], timeMs: 0, staleMs: 600_000 })
 */
export function routeEvent(route: RouteOut): string {
  check(Array.isArray(route.line) && route.line.length >= 2, 'route.line must have at least 2 points');
  route.line.forEach((p, i) => checkLonLat(p, `route.line[${i}]`));
  const color = route.colorArgb ?? ROUTE_COLOR;
  const last = route.line.length - 1;
  const links = route.line
    .map((p, i) => {
      const end = i === 0 || i === last;
      const callsign = i === 0 ? (route.startName ?? `${route.name} start`) : i === last ? (route.endName ?? `${route.name} end`) : '';
      return `<link${attrs({ uid: `${route.uid}.${i}`, callsign, type: end ? 'b-m-p-w' : 'b-m-p-c', point: latLon(p), remarks: '', relation: 'c' })}/>`;
    })
    .join('');
  const method = route.method ?? 'Driving';
  const detail =
    links +
    `<link_attr${attrs({
      planningmethod: 'Infil',
      color,
      method,
      prefix: 'CP',
      type: method === 'Walking' ? 'On Foot' : 'Vehicle',
      stroke: 3,
      direction: 'Infil',
      routetype: 'Primary',
      order: 'Ascending Check Points',
    })}/>` +
    `<strokeColor${attrs({ value: color })}/><strokeWeight value="3.0"/>` +
    `<__routeinfo><__navcues/></__routeinfo>` +
    contact(route.name) +
    remarksXml(route.remarks) +
    `<labels_on value="false"/><color${attrs({ value: color })}/>`;
  return eventXml({ uid: route.uid, type: 'b-m-r', how: 'h-e', ...times(route) }, { lon: route.line[0]![0], lat: route.line[0]![1] }, detail);
}

/** A threat zone for `zoneEvent`: a ring of [lon, lat] or a circle. */
export interface ZoneOut extends CotTimes {
  uid: string;
  label?: string;
  severity: 'no-go' | 'danger' | 'advisory';
  /** The outer ring, [lon, lat], closed or not (it is closed here); holes cannot be drawn in CoT and are the caller's to drop. */
  ring?: readonly LonLat[];
  circle?: { center: LonLat; radiusM: number };
  remarks?: string;
}

/**
 * A threat zone as a drawn shape ATAK shows and keeps until `stale`: a polygon as `u-d-f` with one
 * `<link point="lat,lon"/>` per vertex, the first repeated last (as ATAK writes a closed shape); a circle
 * as `u-d-c-c` with `<shape><ellipse major minor angle/></shape>` (radius in metres). Coloured by
 * severity (`ZONE_COLORS`: no-go red, danger orange, advisory yellow) with ARGB `strokeColor` and
 * `fillColor`. The severity is written twice, so that this project reads it back and a TAK user sees it:
 * as `<severity value>` and as a `#no-go`/`#danger`/`#advisory` tag at the start of the remarks (tags
 * already in `remarks` are dropped, so a zone that came from a TAK device goes back out with one tag).
 * The event's point is the polygon's vertex average or the circle's centre.
 * @example zoneEvent({ uid: 'tz-1', severity: 'no-go', circle: { center: [-72.3, 18.5], radiusM: 500 }, timeMs: 0, staleMs: 600_000 })
 */
export function zoneEvent(zone: ZoneOut): string {
  check((zone.ring === undefined) !== (zone.circle === undefined), 'zone needs exactly one of ring and circle');
  const colors = ZONE_COLORS[zone.severity];
  check(colors !== undefined, `zone.severity ${String(zone.severity)} is not no-go, danger or advisory`);
  // Tags already in the remarks (a zone drawn on a TAK device with "#no-go …") are not repeated.
  const remarks = zone.remarks?.replace(/#(no-go|danger|advisory)\b/gi, '').replace(/\s+/g, ' ').trim();
  const style =
    `<strokeColor${attrs({ value: colors.stroke })}/><strokeWeight value="3.0"/><fillColor${attrs({ value: colors.fill })}/>` +
    contact(zone.label) +
    remarksXml(`#${zone.severity}${remarks ? ` ${remarks}` : ''}`) +
    `<severity${attrs({ value: zone.severity })}/><labels_on value="true"/>`;
  if (zone.circle) {
    const { center, radiusM } = zone.circle;
    checkLonLat(center, 'zone.circle.center');
    check(Number.isFinite(radiusM) && radiusM > 0, 'zone.circle.radiusM must be a positive number of metres');
    const r = metres(radiusM);
    const detail = `<shape><ellipse${attrs({ major: r, minor: r, angle: 360 })}/></shape>` + style;
    return eventXml({ uid: zone.uid, type: 'u-d-c-c', how: 'h-e', ...times(zone) }, { lon: center[0], lat: center[1] }, detail);
  }
  zone.ring!.forEach((p, i) => checkLonLat(p, `zone.ring[${i}]`));
  // Vertices as written (7 decimals), repeats in a row dropped, so that what is sent is an area.
  const open: LonLat[] = [];
  for (const p of zone.ring!) {
    const q: LonLat = [Number(deg(p[0])), Number(deg(p[1]))];
    const last = open[open.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) open.push(q);
  }
  while (open.length > 1 && open[0]![0] === open[open.length - 1]![0] && open[0]![1] === open[open.length - 1]![1]) open.pop();
  check(new Set(open.map((p) => `${p[0]},${p[1]}`)).size >= 3, 'zone.ring must have at least 3 distinct vertices at 7 decimals');
  const points = [...open, open[0]!];
  const detail = points.map((p) => `<link${attrs({ point: latLon(p) })}/>`).join('') + style;
  const centre = { lon: open.reduce((s, p) => s + p[0], 0) / open.length, lat: open.reduce((s, p) => s + p[1], 0) / open.length };
  return eventXml({ uid: zone.uid, type: 'u-d-f', how: 'h-e', ...times(zone) }, centre, detail);
}

/** An access constraint on a road for `lineEvent`: a line of [lon, lat], drawn open. */
export interface LineOut extends CotTimes {
  uid: string;
  label?: string;
  /** The road, [lon, lat], at least 2 points. */
  line: readonly LonLat[];
  colorArgb: number;
  remarks?: string;
}

/**
 * A line (an access constraint on a road) as an open `u-d-f` drawing: one `<link point>` per vertex,
 * the first not repeated, so ATAK draws a polyline, not an area; stroke only. This project reads an open
 * `u-d-f` back as nothing (inputs.ts), so a device that sends it back does not make a zone of it.
 * @example lineEvent({ uid: 'ac-1', line: [[-72.3, 18.5], [-72.2, 18.6]], colorArgb: ZONE_COLORS['no-go'].stroke, timeMs: 0, staleMs: 600_000 })
 */
export function lineEvent(l: LineOut): string {
  check(Array.isArray(l.line) && l.line.length >= 2, 'line must have at least 2 points');
  l.line.forEach((p, i) => checkLonLat(p, `line[${i}]`));
  const first = l.line[0]!;
  const last = l.line[l.line.length - 1]!;
  // Ends that meet would read as a closed shape: the last point is left out then.
  const points = first[0] === last[0] && first[1] === last[1] ? l.line.slice(0, -1) : l.line;
  const detail =
    points.map((p) => `<link${attrs({ point: latLon(p) })}/>`).join('') +
    `<strokeColor${attrs({ value: l.colorArgb })}/><strokeWeight value="4.0"/><fillColor value="0"/>` +
    contact(l.label) +
    remarksXml(l.remarks) +
    `<labels_on value="true"/>`;
  return eventXml({ uid: l.uid, type: 'u-d-f', how: 'h-e', ...times(l) }, { lon: first[0], lat: first[1] }, detail);
}

/** A haven or displaced site for `markerEvent`. */
export interface MarkerOut extends CotTimes {
  uid: string;
  label: string;
  lon: number;
  lat: number;
  remarks?: string;
  /** ARGB (signed), e.g. one of `MARKER_COLORS`; default the open-haven green. */
  colorArgb?: number;
  /** Default `b-m-p-s-m` (spot-map marker). */
  cotType?: string;
}

/**
 * A haven or displaced site as a spot-map marker (`b-m-p-s-m`): a coloured dot with a label that every
 * TAK client draws, with `<color argb>` and ATAK's spot-map icon path for that colour. Chosen over a
 * MIL-STD-2525 type because these are civilian places, not military units, and 2525B has no symbol for
 * a shelter that ATAK, WinTAK and iTAK all draw alike; the colour carries the status (`MARKER_COLORS`).
 * @example markerEvent({ uid: 'hv-1', label: 'Shelter A (open)', lon: -72.3, lat: 18.5, colorArgb: MARKER_COLORS.havenOpen, timeMs: 0, staleMs: 600_000 })
 */
export function markerEvent(marker: MarkerOut): string {
  checkLonLat([marker.lon, marker.lat], 'marker');
  const color = marker.colorArgb ?? MARKER_COLORS.havenOpen;
  const type = marker.cotType ?? 'b-m-p-s-m';
  check(/^[A-Za-z0-9._-]{1,100}$/.test(type), 'marker.cotType is not a CoT type');
  const detail =
    contact(marker.label) +
    remarksXml(marker.remarks) +
    `<color${attrs({ argb: color })}/>` +
    `<usericon${attrs({ iconsetpath: `COT_MAPPING_SPOTMAP/b-m-p-s-m/${color}` })}/>`;
  return eventXml({ uid: marker.uid, type, how: 'h-e', ...times(marker) }, marker, detail);
}

/** A unit for `unitEvent`. */
export interface UnitOut extends CotTimes {
  uid: string;
  callsign: string;
  /** The unit's own CoT type, `a-…` (e.g. `a-f-G-U-C`). */
  cotType: string;
  lon: number;
  lat: number;
  haeM?: number;
  /** Horizontal accuracy, metres (`point@ce`). */
  accuracyM?: number;
  courseDeg?: number;
  speedMps?: number;
  group?: { name: string; role: string };
  remarks?: string;
  /** How the position was made: `m-g` (machine, GPS; default) or `h-e` (entered by a person). */
  how?: string;
}

/**
 * A unit as a position event of its own type (`a-f-G-U-C`, …), with `<contact callsign>`, `<track>`
 * (course in degrees, speed in m/s) and `<__group>` when given. `how` defaults to `m-g`.
 * @example unitEvent({ uid: 'u-7', callsign: 'Medic 7', cotType: 'a-f-G-U-C', lon: -72.3, lat: 18.5, timeMs: 0, staleMs: 120_000 })
 */
export function unitEvent(unit: UnitOut): string {
  checkLonLat([unit.lon, unit.lat], 'unit');
  check(/^a-[A-Za-z0-9._-]{1,98}$/.test(unit.cotType), `unit.cotType ${unit.cotType} is not an a-… CoT type`);
  check(unit.courseDeg === undefined || Number.isFinite(unit.courseDeg), 'unit.courseDeg must be finite');
  check(unit.speedMps === undefined || (Number.isFinite(unit.speedMps) && unit.speedMps >= 0), 'unit.speedMps must be a finite number ≥ 0');
  check(unit.accuracyM === undefined || (Number.isFinite(unit.accuracyM) && unit.accuracyM >= 0), 'unit.accuracyM must be a finite number ≥ 0');
  check(unit.haeM === undefined || Number.isFinite(unit.haeM), 'unit.haeM must be finite');
  let detail = contact(unit.callsign);
  if (unit.group) detail += `<__group${attrs({ name: unit.group.name, role: unit.group.role })}/>`;
  if (unit.courseDeg !== undefined || unit.speedMps !== undefined) {
    const course = unit.courseDeg === undefined ? undefined : String(Math.round((((unit.courseDeg % 360) + 360) % 360) * 100) / 100);
    const speed = unit.speedMps === undefined ? undefined : String(Math.round(unit.speedMps * 100) / 100);
    detail += `<track${attrs({ course, speed })}/>`;
  }
  if (unit.remarks) detail += remarksXml(unit.remarks);
  const point: { lon: number; lat: number; hae?: number; ce?: number } = { lon: unit.lon, lat: unit.lat };
  if (unit.haeM !== undefined) point.hae = unit.haeM;
  if (unit.accuracyM !== undefined) point.ce = unit.accuracyM;
  return eventXml({ uid: unit.uid, type: unit.cotType, how: unit.how ?? 'm-g', ...times(unit) }, point, detail);
}

/**
 * A forced delete (`t-x-d-d`) of the item `targetUid`, as ATAK's `CotDeleteImporter` documents it:
 * `<link uid relation="none" type="none"/><__forcedelete/>`. The delete's own uid defaults to
 * `<targetUid>.delete` (ATAK does not keep it).
 * @example deleteEvent({ targetUid: 'tz-1', timeMs: 0, staleMs: 60_000 })
 */
export function deleteEvent(d: CotTimes & { targetUid: string; uid?: string }): string {
  checkId(d.targetUid, 'targetUid');
  const detail = `<link${attrs({ uid: d.targetUid, relation: 'none', type: 'none' })}/><__forcedelete/>`;
  return eventXml({ uid: d.uid ?? `${d.targetUid}.delete`, type: 't-x-d-d', how: 'm-g', ...times(d) }, { lon: 0, lat: 0 }, detail);
}

/**
 * The answer to a client's ping (`t-x-c-t`): `t-x-c-t-r`, uid `takPong` as TAK servers send it.
 * @example pongEvent({ timeMs: Date.now(), staleMs: Date.now() + 20_000 })
 */
export function pongEvent(t: CotTimes & { uid?: string }): string {
  return eventXml({ uid: t.uid ?? 'takPong', type: 't-x-c-t-r', how: 'h-g-i-g-o', ...times(t) }, { lon: 0, lat: 0, hae: 0 }, '');
}

/**
 * The server's offer of TAK protocol versions (`t-x-takp-v`), sent at most once per connection after
 * sign-in. `uid` names the negotiation; the client's request and the server's answer reuse it.
 * @example takProtocolSupportEvent({ uid: 'takp-42', versions: [1], timeMs: 0, staleMs: 60_000 })
 */
export function takProtocolSupportEvent(o: CotTimes & { uid: string; versions: readonly number[] }): string {
  check(o.versions.length > 0 && o.versions.every((v) => Number.isInteger(v) && v >= 1), 'versions must be positive integers');
  const detail = `<TakControl>${o.versions.map((v) => `<TakProtocolSupport${attrs({ version: v })}/>`).join('')}</TakControl>`;
  return eventXml({ uid: o.uid, type: 't-x-takp-v', how: 'm-g', ...times(o) }, { lon: 0, lat: 0, hae: 0 }, detail);
}

/**
 * The server's answer to a client's `t-x-takp-q` (`t-x-takp-r`): `status` true switches both sides to
 * protobuf streaming right after it.
 * @example takProtocolResponseEvent({ uid: 'takp-42', status: true, timeMs: 0, staleMs: 60_000 })
 */
export function takProtocolResponseEvent(o: CotTimes & { uid: string; status: boolean }): string {
  const detail = `<TakControl><TakResponse${attrs({ status: String(o.status) })}/></TakControl>`;
  return eventXml({ uid: o.uid, type: 't-x-takp-r', how: 'm-g', ...times(o) }, { lon: 0, lat: 0, hae: 0 }, detail);
}

/** Just the times of a writer's input (so that other fields never leak into the head). */
function times(t: CotTimes): CotTimes {
  const out: CotTimes = { timeMs: t.timeMs, staleMs: t.staleMs };
  if (t.startMs !== undefined) out.startMs = t.startMs;
  return out;
}

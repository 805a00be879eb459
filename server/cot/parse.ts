// Reads one CoT XML message (server/cot): `<auth>`, `<event>` or a TAK protocol negotiation event, into
// plain data, refusing DTDs and entities outright and naming what is wrong. Pure: no I/O, no state.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MAX_COT_MESSAGE_BYTES, MAX_LABEL_CHARS, MAX_REMARKS_CHARS, MAX_UID_CHARS, MAX_XML_DEPTH } from './limits.js';
import { child, childrenNamed, decodeEntities, firstNonXmlChar, XmlContentError, type XmlElement } from './xml.js';

export { MAX_COT_MESSAGE_BYTES } from './limits.js';

/** A position as CoT writes it: degrees, and metres for the rest. */
export interface CotLatLon {
  lat: number;
  lon: number;
  /** Height above the WGS84 ellipsoid, metres; absent when unknown. */
  hae?: number;
}

/**
 * The event's `<point>`. ATAK writes 9999999 (the protobuf comments say 999999) for "unknown" `hae`, `ce`
 * and `le`: any value of 999999 or more is read as unknown (undefined); no real height or error is that
 * large.
 */
export interface CotPoint extends CotLatLon {
  /** Circular error (horizontal accuracy, radius), metres. */
  ce?: number;
  /** Linear error (vertical accuracy), metres. */
  le?: number;
}

/** One `<link>` of the detail: a relation to another item, or a vertex of a shape or route. */
export interface CotLink {
  uid?: string;
  type?: string;
  relation?: string;
  callsign?: string;
  parentCallsign?: string;
  /** `point="lat,lon[,hae]"`: a vertex of a `u-d-f`/`u-d-r` shape or a `b-m-r` route. */
  point?: CotLatLon;
  /** `line="<escaped CoT event>"` (ATAK freehand, `u-d-f-m`): the vertices of the embedded event. */
  line?: CotLatLon[];
}

/** `<shape>`: an ellipse (circles, `u-d-c-c`) and/or a polyline of vertices. */
export interface CotShape {
  /** Semi-axes in metres (a circle's radius is `majorM`), rotation in degrees. */
  ellipse?: { majorM: number; minorM: number; angleDeg?: number };
  polyline?: { closed: boolean; vertices: CotLatLon[] };
}

/**
 * The TAK protocol negotiation (ATAK-CIV `takproto/README.md`, "Streaming Connection Protocol
 * Negotiation"): the server's offer (`t-x-takp-v`, `<TakProtocolSupport version>` one or more times),
 * the client's request (`t-x-takp-q`, one `<TakRequest version>`), the server's answer (`t-x-takp-r`,
 * `<TakResponse status>`); and the mesh form carried in a protobuf `TakMessage.takControl`.
 */
export type TakControl =
  | { kind: 'support'; versions: number[]; serverVersion?: string }
  | { kind: 'request'; version: number }
  | { kind: 'response'; status: boolean }
  | { kind: 'mesh'; minProtoVersion: number; maxProtoVersion: number; contactUid?: string };

/** The parts of `<detail>` the picture uses, read and checked; everything else stays in `elements`. */
export interface CotDetail {
  contact?: { callsign?: string; endpoint?: string; phone?: string };
  /** `<track>`: course in degrees from true north [0, 360), speed in metres per second (CoT's unit). */
  track?: { courseDeg?: number; speedMps?: number };
  remarks?: string;
  /** `<__group name role>`: the team colour and role of a TAK user. */
  group?: { name?: string; role?: string };
  links: CotLink[];
  shape?: CotShape;
  /** `<emergency type cancel>text</emergency>`; `text` is usually the sender's callsign. */
  emergency?: { type?: string; cancel: boolean; text?: string };
  /** ARGB as a signed 32-bit integer, as ATAK writes it (`-65536` is opaque red). */
  strokeColor?: number;
  fillColor?: number;
  /** `<severity value>` as written (this project's convention for zones, see inputs.ts), trimmed. */
  severity?: string;
  /** `<__forcedelete/>` present (a `t-x-d-d` that must remove even locked items). */
  forceDelete: boolean;
  /** `<TakControl>` of a `t-x-takp-*` event. */
  takControl?: TakControl;
  /** Attributes of `<_medevac_>` (CASEVAC 9-line), as written. */
  medevac?: Readonly<Record<string, string>>;
  /** Every child of `<detail>`, in order, as parsed: the raw detail for anything not read above. */
  elements: XmlElement[];
}

/** One CoT `<event>`, checked: times in ms since the epoch (UTC), angles in degrees, lengths in metres. */
export interface CotEvent {
  uid: string;
  type: string;
  how?: string;
  version?: string;
  access?: string;
  qos?: string;
  opex?: string;
  timeMs: number;
  startMs: number;
  staleMs: number;
  point: CotPoint;
  detail: CotDetail;
}

/** What one message is: the stream's sign-in, an event, or a step of the TAK protocol negotiation. */
export type CotMessage =
  | { kind: 'auth'; username?: string; password?: string; uid?: string }
  | { kind: 'event'; event: CotEvent }
  | { kind: 'takcontrol'; control: TakControl; event?: CotEvent };

export type CotParseResult = { ok: true; message: CotMessage } | { ok: false; reason: string };

/** A reason for refusing a message; thrown inside this module, returned by `parseCot`. */
class CotError extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  // No entity or DTD processing at all (issue 14); the five XML entities are decoded by xml.ts.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: false,
  removeNSPrefix: false,
  maxNestedTags: MAX_XML_DEPTH,
});

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Cuts a reason so that a log line stays short whatever the input. */
function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A value quoted for a reason: short, and never more than 40 characters of what the sender wrote. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/**
 * Parses one CoT message (one frame from `CotFramer`, or a whole `.cot` file). Never throws.
 *
 * Refused, with a reason that names the element or attribute: more than `MAX_COT_MESSAGE_BYTES`; bytes
 * that are not UTF-8; any `<!DOCTYPE`, `<!ENTITY` or other `<!` declaration (checked before parsing, so
 * nothing is ever expanded); XML that is not well-formed; a root other than `<event>` or `<auth>`; a
 * missing or malformed `uid`, `type`, `time`, `start`, `stale`, `point@lat`, `point@lon`; numbers that are
 * not finite or out of range; link points that are not `lat,lon[,hae]`.
 *
 * Attribute values stay strings; numbers are read only where the picture needs them.
 *
 * @example
 * parseCot('<auth><cot username="ops" password="T"/></auth>')
 * // { ok: true, message: { kind: 'auth', username: 'ops', password: 'T' } }
 */
export function parseCot(bytes: Buffer | string): CotParseResult {
  try {
    return { ok: true, message: parseMessage(bytes) };
  } catch (e) {
    if (e instanceof CotError || e instanceof XmlContentError) return { ok: false, reason: clip(e.message) };
    // fast-xml-parser's own refusals (nesting, reserved names) and anything unforeseen.
    return { ok: false, reason: clip(`XML not readable: ${e instanceof Error ? e.message : String(e)}`) };
  }
}

function parseMessage(bytes: Buffer | string): CotMessage {
  const text = decode(bytes);
  const root = readDocument(text, 'message');
  if (root.name === 'auth') return readAuth(root);
  if (root.name !== 'event') throw new CotError(`root element <${clip(root.name, 40)}> is neither <event> nor <auth>`);
  const event = readEvent(root, 0);
  if (event.detail.takControl) return { kind: 'takcontrol', control: event.detail.takControl, event };
  return { kind: 'event', event };
}

/** Bytes to text: size first, then strict UTF-8 (a BOM is dropped). */
function decode(bytes: Buffer | string): string {
  if (typeof bytes === 'string') {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; count exactly only near the limit.
    if (bytes.length * 3 > MAX_COT_MESSAGE_BYTES && Buffer.byteLength(bytes, 'utf8') > MAX_COT_MESSAGE_BYTES) {
      throw new CotError(`message is over the ${MAX_COT_MESSAGE_BYTES}-byte limit`);
    }
    return bytes.charCodeAt(0) === 0xfeff ? bytes.slice(1) : bytes;
  }
  if (bytes.length > MAX_COT_MESSAGE_BYTES) throw new CotError(`message of ${bytes.length} bytes is over the ${MAX_COT_MESSAGE_BYTES}-byte limit`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CotError('message is not valid UTF-8');
  }
}

/**
 * Checks and parses one XML document into its root element. Any `<!` other than a comment or CDATA
 * (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, …) is refused before the parser sees the text.
 */
export function readDocument(text: string, what: string): XmlElement {
  const decl = /<!(?!--|\[CDATA\[)/.exec(text);
  if (decl) {
    const word = /^<!\s*([A-Za-z]*)/.exec(text.slice(decl.index, decl.index + 20))?.[1]?.toUpperCase() ?? '';
    if (word === 'DOCTYPE') throw new CotError(`${what} has a document type declaration (<!DOCTYPE): refused, DTDs and entities are never processed`);
    if (word === 'ENTITY') throw new CotError(`${what} declares an entity (<!ENTITY): refused, DTDs and entities are never processed`);
    throw new CotError(`${what} has a markup declaration (<!${clip(word, 20)}): refused, DTDs are never processed`);
  }
  const bad = firstNonXmlChar(text);
  if (bad >= 0) throw new CotError(`${what} has the character U+${text.codePointAt(bad)!.toString(16).toUpperCase().padStart(4, '0')} at offset ${bad}, which XML does not allow`);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new CotError(`${what} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const nodes = parser.parse(text) as unknown;
  const roots = toElements(nodes, 0, '');
  if (roots.length !== 1) throw new CotError(`${what} has ${roots.length} root elements, not one`);
  return roots[0]!;
}

type FxpNode = Record<string, unknown>;

/** fast-xml-parser's ordered output to XmlElements, entities decoded (names each place for errors). */
function toElements(nodes: unknown, depth: number, path: string): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  if (depth > MAX_XML_DEPTH) throw new CotError(`elements nest deeper than ${MAX_XML_DEPTH}`);
  const out: XmlElement[] = [];
  for (const node of nodes as FxpNode[]) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined || name === '#text' || name === '#cdata') continue;
    const where = `${path}<${clip(name, 40)}>`;
    const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = decodeEntities(String(v), `attribute ${clip(k, 40)} of ${where}`);
    const kids = node[name] as unknown;
    let text = '';
    if (Array.isArray(kids)) {
      for (const k of kids as FxpNode[]) {
        if ('#text' in k) text += (text ? ' ' : '') + decodeEntities(String(k['#text']), `the text of ${where}`);
        else if ('#cdata' in k) for (const c of (k['#cdata'] as FxpNode[]) ?? []) text += String(c['#text'] ?? '');
      }
    }
    out.push({ name, attrs, children: toElements(kids, depth + 1, where), text });
  }
  return out;
}

// ---- reading values --------------------------------------------------------------------------------

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number from an attribute, or undefined when absent. Length is checked before the regex. */
function readNumber(value: string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v.length > 40 || !DECIMAL.test(v)) throw new CotError(`${where} is ${quote(value)}: not a number`);
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CotError(`${where} is ${quote(value)}: not a finite number`);
  return n;
}

function readLat(value: string | undefined, where: string): number {
  const n = readNumber(value, where);
  if (n === undefined) throw new CotError(`${where} is missing`);
  if (n < -90 || n > 90) throw new CotError(`${where} is ${n}: outside -90..90`);
  return n;
}

function readLon(value: string | undefined, where: string): number {
  const n = readNumber(value, where);
  if (n === undefined) throw new CotError(`${where} is missing`);
  if (n < -180 || n > 180) throw new CotError(`${where} is ${n}: outside -180..180`);
  return n;
}

/**
 * Height or error, metres: undefined when absent or ATAK's "unknown" (999999 or more), and for an error
 * (`nonNegative`) when negative, which some senders write for "no estimate".
 */
function readMetres(value: string | undefined, where: string, nonNegative: boolean): number | undefined {
  const n = readNumber(value, where);
  if (n === undefined || n >= 999_999 || (nonNegative && n < 0)) return undefined;
  return n;
}

/** A `lat,lon[,hae]` pair (link points, freehand vertices). */
function readLatLonText(value: string, where: string): CotLatLon {
  if (value.length > 120) throw new CotError(`${where} is too long for lat,lon[,hae]`);
  const parts = value.split(',');
  if (parts.length < 2 || parts.length > 3) throw new CotError(`${where} is ${quote(value)}: not lat,lon[,hae]`);
  const p: CotLatLon = { lat: readLat(parts[0], where + ' (lat)'), lon: readLon(parts[1], where + ' (lon)') };
  const hae = parts.length === 3 && parts[2]!.trim() !== '' ? readMetres(parts[2], where + ' (hae)', false) : undefined;
  if (hae !== undefined) p.hae = hae;
  return p;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO 8601 / xs:dateTime instant to ms since the epoch. A time zone is required (`Z` or `±hh:mm`);
 * fractions past the millisecond are cut (TAK Server writes microseconds).
 * @example readTime('2020-02-09T19:22:01.2Z', 'event@time') // 1581276121200
 */
export function readTime(value: string | undefined, where: string): number {
  if (value === undefined) throw new CotError(`${where} is missing`);
  const m = value.length <= 40 ? ISO_TIME.exec(value.trim()) : null;
  if (!m) throw new CotError(`${where} is ${quote(value)}: not an ISO 8601 time with a time zone`);
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) {
    throw new CotError(`${where} is ${quote(value)}: not a valid date and time`);
  }
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  if (zone !== 'Z') {
    const sign = zone![0] === '-' ? -1 : 1;
    const zh = Number(zone!.slice(1, 3));
    const zm = Number(zone!.slice(4, 6));
    if (zh > 23 || zm > 59) throw new CotError(`${where} is ${quote(value)}: not a valid time zone`);
    t -= sign * (zh * 60 + zm) * 60_000;
  }
  return t;
}

/** Free text cut to a length, with a trailing '…' when cut. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** An optional label attribute: trimmed, cut to MAX_LABEL_CHARS, undefined when empty. */
function label(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? cut(v, MAX_LABEL_CHARS) : undefined;
}

/** A signed 32-bit ARGB colour (ATAK writes signed; unsigned up to 0xFFFFFFFF is accepted too). */
function readArgb(value: string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^-?\d{1,10}$/.test(v)) throw new CotError(`${where} is ${quote(value)}: not an integer ARGB colour`);
  const n = Number(v);
  if (n < -0x80000000 || n > 0xffffffff) throw new CotError(`${where} is ${n}: outside a 32-bit ARGB colour`);
  return n | 0;
}

// ---- elements --------------------------------------------------------------------------------------

function readAuth(root: XmlElement): CotMessage {
  const cot = child(root, 'cot');
  if (!cot) throw new CotError('<auth> has no <cot username=… password=…/> element');
  const msg: { kind: 'auth'; username?: string; password?: string; uid?: string } = { kind: 'auth' };
  if (cot.attrs.username !== undefined) msg.username = cut(cot.attrs.username, MAX_LABEL_CHARS);
  // The password (a token here) is passed as written, whatever its length: the caller compares it.
  if (cot.attrs.password !== undefined) msg.password = cot.attrs.password;
  if (cot.attrs.uid !== undefined) msg.uid = cut(cot.attrs.uid, MAX_UID_CHARS);
  return msg;
}

const TYPE = /^[A-Za-z0-9._-]+$/;

/**
 * Reads and checks an `<event>` element. `depth` is 1 for an event embedded in a freehand `link@line`,
 * whose own `link@line`s are not followed.
 */
function readEvent(root: XmlElement, depth: number): CotEvent {
  const a = root.attrs;
  const uid = a.uid?.trim();
  if (!uid) throw new CotError('event@uid is missing or empty');
  if (uid.length > MAX_UID_CHARS) throw new CotError(`event@uid is ${uid.length} characters: over ${MAX_UID_CHARS}`);
  const type = a.type?.trim();
  if (!type) throw new CotError('event@type is missing or empty');
  if (type.length > 100 || !TYPE.test(type)) throw new CotError(`event@type is ${quote(type)}: not a CoT type (letters, digits, '-', '.', '_')`);
  const pointEl = child(root, 'point');
  if (!pointEl) throw new CotError('event has no <point>');
  const p = pointEl.attrs;
  const point: CotPoint = { lat: readLat(p.lat, 'point@lat'), lon: readLon(p.lon, 'point@lon') };
  const hae = readMetres(p.hae, 'point@hae', false);
  const ce = readMetres(p.ce, 'point@ce', true);
  const le = readMetres(p.le, 'point@le', true);
  if (hae !== undefined) point.hae = hae;
  if (ce !== undefined) point.ce = ce;
  if (le !== undefined) point.le = le;
  const event: CotEvent = {
    uid,
    type,
    timeMs: readTime(a.time, 'event@time'),
    startMs: readTime(a.start, 'event@start'),
    staleMs: readTime(a.stale, 'event@stale'),
    point,
    detail: readDetail(child(root, 'detail'), type, depth),
  };
  for (const k of ['how', 'version', 'access', 'qos', 'opex'] as const) {
    const v = a[k]?.trim();
    if (v) event[k] = cut(v, 100);
  }
  return event;
}

/** The negotiation event types (offer, request, response); other `t-x-takp-*` types are plain events. */
const TAKP_TYPES = new Set(['t-x-takp-v', 't-x-takp-q', 't-x-takp-r']);

/** Reads the pieces of `<detail>` the picture uses. */
function readDetail(detail: XmlElement | undefined, type: string, depth: number): CotDetail {
  const out: CotDetail = { links: [], forceDelete: false, elements: detail ? [...detail.children] : [] };
  if (!detail) return out;

  const contact = child(detail, 'contact');
  if (contact) {
    const c: NonNullable<CotDetail['contact']> = {};
    const callsign = label(contact.attrs.callsign);
    if (callsign !== undefined) c.callsign = callsign;
    if (contact.attrs.endpoint) c.endpoint = cut(contact.attrs.endpoint, MAX_LABEL_CHARS);
    if (contact.attrs.phone) c.phone = cut(contact.attrs.phone, MAX_LABEL_CHARS);
    out.contact = c;
  }

  const track = child(detail, 'track');
  if (track) out.track = readTrack(track);

  const remarks = child(detail, 'remarks');
  if (remarks && remarks.text.trim()) out.remarks = cut(remarks.text.trim(), MAX_REMARKS_CHARS);

  const group = child(detail, '__group');
  if (group) {
    const g: NonNullable<CotDetail['group']> = {};
    const name = label(group.attrs.name);
    const role = label(group.attrs.role);
    if (name !== undefined) g.name = name;
    if (role !== undefined) g.role = role;
    out.group = g;
  }

  childrenNamed(detail, 'link').forEach((el, i) => out.links.push(readLink(el, i, depth)));

  const shape = child(detail, 'shape');
  if (shape) out.shape = readShape(shape);

  const emergency = child(detail, 'emergency');
  if (emergency) {
    const e: NonNullable<CotDetail['emergency']> = { cancel: emergency.attrs.cancel?.trim().toLowerCase() === 'true' };
    const t = label(emergency.attrs.type);
    const text = label(emergency.text);
    if (t !== undefined) e.type = t;
    if (text !== undefined) e.text = text;
    out.emergency = e;
  }

  const stroke = readArgb(child(detail, 'strokeColor')?.attrs.value, 'strokeColor@value');
  const fill = readArgb(child(detail, 'fillColor')?.attrs.value, 'fillColor@value');
  if (stroke !== undefined) out.strokeColor = stroke;
  if (fill !== undefined) out.fillColor = fill;

  const severity = child(detail, 'severity');
  const severityValue = severity ? (severity.attrs.value ?? severity.text).trim() : '';
  if (severityValue) out.severity = cut(severityValue, 40);

  if (child(detail, '__forcedelete')) out.forceDelete = true;

  const medevac = child(detail, '_medevac_');
  if (medevac) out.medevac = { ...medevac.attrs };

  if (TAKP_TYPES.has(type)) out.takControl = readTakControl(child(detail, 'TakControl'), type);
  return out;
}

/**
 * `<track course speed>`. An empty attribute or "NaN" means unknown (iTAK writes `<track />`, some
 * clients NaN without a fix); anything else must be a number. A negative speed is read as unknown.
 */
function readTrack(el: XmlElement): NonNullable<CotDetail['track']> {
  const t: NonNullable<CotDetail['track']> = {};
  const value = (name: 'course' | 'speed') => {
    const v = el.attrs[name]?.trim();
    return v === undefined || v === '' || v.toLowerCase() === 'nan' ? undefined : readNumber(v, `track@${name}`);
  };
  const course = value('course');
  const speed = value('speed');
  if (course !== undefined) t.courseDeg = ((course % 360) + 360) % 360;
  if (speed !== undefined && speed >= 0) t.speedMps = speed;
  return t;
}

function readLink(el: XmlElement, i: number, depth: number): CotLink {
  const link: CotLink = {};
  const a = el.attrs;
  if (a.uid?.trim()) link.uid = cut(a.uid.trim(), MAX_UID_CHARS);
  if (a.type?.trim()) link.type = cut(a.type.trim(), 100);
  if (a.relation?.trim()) link.relation = cut(a.relation.trim(), 40);
  const callsign = label(a.callsign);
  const parent = label(a.parent_callsign);
  if (callsign !== undefined) link.callsign = callsign;
  if (parent !== undefined) link.parentCallsign = parent;
  if (a.point !== undefined && a.point.trim() !== '') link.point = readLatLonText(a.point, `link[${i}]@point`);
  if (a.line !== undefined && depth === 0) {
    // ATAK freehand: the attribute holds a whole escaped CoT event whose links are the vertices.
    let inner: CotEvent;
    try {
      inner = readEvent(readDocument(a.line, `link[${i}]@line`), depth + 1);
    } catch (e) {
      if (e instanceof CotError || e instanceof XmlContentError) throw new CotError(`link[${i}]@line: ${e.message}`);
      throw e;
    }
    link.line = inner.detail.links.flatMap((l) => (l.point ? [l.point] : []));
  }
  return link;
}

function readShape(el: XmlElement): CotShape {
  const shape: CotShape = {};
  const ellipse = child(el, 'ellipse');
  if (ellipse) {
    const major = readNumber(ellipse.attrs.major, 'shape/ellipse@major');
    const minor = readNumber(ellipse.attrs.minor, 'shape/ellipse@minor');
    if (major === undefined) throw new CotError('shape/ellipse@major is missing');
    if (major < 0 || (minor !== undefined && minor < 0)) throw new CotError('shape/ellipse has a negative axis');
    const angle = readNumber(ellipse.attrs.angle, 'shape/ellipse@angle');
    shape.ellipse = { majorM: major, minorM: minor ?? major };
    if (angle !== undefined) shape.ellipse.angleDeg = angle;
  }
  const polyline = child(el, 'polyline');
  if (polyline) {
    const vertices = childrenNamed(polyline, 'vertex').map((v, i) => {
      const p: CotLatLon = { lat: readLat(v.attrs.lat, `shape/polyline/vertex[${i}]@lat`), lon: readLon(v.attrs.lon, `shape/polyline/vertex[${i}]@lon`) };
      const hae = readMetres(v.attrs.hae, `shape/polyline/vertex[${i}]@hae`, false);
      if (hae !== undefined) p.hae = hae;
      return p;
    });
    shape.polyline = { closed: polyline.attrs.closed?.trim().toLowerCase() === 'true', vertices };
  }
  return shape;
}

/** A TAK protocol version: a positive integer. */
function readVersion(value: string | undefined, where: string): number {
  const v = value?.trim() ?? '';
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw new CotError(`${where} is ${value === undefined ? 'missing' : quote(value)}: not a protocol version`);
  return Number(v);
}

function readTakControl(el: XmlElement | undefined, type: string): TakControl {
  if (!el) throw new CotError(`${type} event has no <TakControl> in its detail`);
  if (type === 't-x-takp-v') {
    const offers = childrenNamed(el, 'TakProtocolSupport');
    if (offers.length === 0) throw new CotError('t-x-takp-v has no <TakProtocolSupport version=…/>');
    const control: TakControl = { kind: 'support', versions: offers.map((o, i) => readVersion(o.attrs.version, `TakProtocolSupport[${i}]@version`)) };
    const info = child(el, 'TakServerVersionInfo')?.attrs.serverVersion;
    if (info) control.serverVersion = cut(info, 100);
    return control;
  }
  if (type === 't-x-takp-q') {
    const requests = childrenNamed(el, 'TakRequest');
    if (requests.length !== 1) throw new CotError(`t-x-takp-q has ${requests.length} <TakRequest> elements, not one`);
    return { kind: 'request', version: readVersion(requests[0]!.attrs.version, 'TakRequest@version') };
  }
  if (type === 't-x-takp-r') {
    const responses = childrenNamed(el, 'TakResponse');
    if (responses.length !== 1) throw new CotError(`t-x-takp-r has ${responses.length} <TakResponse> elements, not one`);
    const status = responses[0]!.attrs.status?.trim().toLowerCase();
    if (status !== 'true' && status !== 'false') throw new CotError(`TakResponse@status is ${status === undefined ? 'missing' : quote(status)}: not true or false`);
    return { kind: 'response', status: status === 'true' };
  }
  throw new CotError(`${quote(type)} is not a TAK protocol negotiation type (t-x-takp-v, -q, -r)`);
}

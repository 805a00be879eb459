// TAK protocol version 1 payloads (server/cot): a protobuf `TakMessage` to and from the same `CotEvent`
// the XML parser gives, and the streaming header (`0xBF` + varint length). Pure; framing of a stream is
// CotFramer's. The schema is written here from the field list of ATAK-CIV's public `takproto/*.proto`.
import protobuf from 'protobufjs';
import { MAX_COT_MESSAGE_BYTES } from './limits.js';
import { parseCot, type CotEvent, type CotParseResult, readDocument } from './parse.js';
import { escapeAttr, serializeElements, type XmlElement } from './xml.js';

/**
 * TAK protocol v1 as the ATAK-CIV `takproto` files define it (package atakmap.commoncommo.protobuf.v1),
 * restated as one schema: field numbers and types are the wire contract.
 */
export const TAK_PROTO = `
syntax = "proto3";
package takproto.v1;
message TakMessage { TakControl takControl = 1; CotEvent cotEvent = 2; }
message TakControl { uint32 minProtoVersion = 1; uint32 maxProtoVersion = 2; string contactUid = 3; }
message CotEvent {
  string type = 1; string access = 2; string qos = 3; string opex = 4; string uid = 5;
  uint64 sendTime = 6; uint64 startTime = 7; uint64 staleTime = 8; string how = 9;
  double lat = 10; double lon = 11; double hae = 12; double ce = 13; double le = 14;
  Detail detail = 15;
}
message Detail {
  string xmlDetail = 1; Contact contact = 2; Group group = 3; PrecisionLocation precisionLocation = 4;
  Status status = 5; Takv takv = 6; Track track = 7;
}
message Contact { string endpoint = 1; string callsign = 2; }
message Group { string name = 1; string role = 2; }
message PrecisionLocation { string geopointsrc = 1; string altsrc = 2; }
message Status { uint32 battery = 1; }
message Takv { string device = 1; string platform = 2; string os = 3; string version = 4; }
message Track { double speed = 1; double course = 2; }
`;

const root = protobuf.parse(TAK_PROTO, { keepCase: true }).root;
const TakMessage = root.lookupType('takproto.v1.TakMessage');

/** The shape protobufjs gives for a decoded TakMessage (`longs: Number`, no defaults). */
interface PbTakMessage {
  takControl?: { minProtoVersion?: number; maxProtoVersion?: number; contactUid?: string };
  cotEvent?: {
    type?: string;
    access?: string;
    qos?: string;
    opex?: string;
    uid?: string;
    sendTime?: number;
    startTime?: number;
    staleTime?: number;
    how?: string;
    lat?: number;
    lon?: number;
    hae?: number;
    ce?: number;
    le?: number;
    detail?: {
      xmlDetail?: string;
      contact?: { endpoint?: string; callsign?: string };
      group?: { name?: string; role?: string };
      precisionLocation?: { geopointsrc?: string; altsrc?: string };
      status?: { battery?: number };
      takv?: { device?: string; platform?: string; os?: string; version?: string };
      track?: { speed?: number; course?: number };
    };
  };
}

/** What XML calls "unknown" for hae, ce and le. */
const UNKNOWN = 9_999_999;

/** Strongly typed detail elements: XML element name → protobuf Detail field, with the attributes each needs. */
const TYPED: ReadonlyArray<{ element: string; field: 'contact' | 'group' | 'precisionLocation' | 'status' | 'takv' | 'track'; required: string[]; optional: string[] }> = [
  { element: 'contact', field: 'contact', required: ['callsign'], optional: ['endpoint'] },
  { element: '__group', field: 'group', required: ['name', 'role'], optional: [] },
  { element: 'precisionlocation', field: 'precisionLocation', required: ['geopointsrc', 'altsrc'], optional: [] },
  { element: 'status', field: 'status', required: ['battery'], optional: [] },
  { element: 'takv', field: 'takv', required: ['device', 'platform', 'os', 'version'], optional: [] },
  { element: 'track', field: 'track', required: ['speed', 'course'], optional: [] },
];

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Decodes one TAK protocol v1 payload (a `CotFramer` protobuf frame) into the same message `parseCot`
 * gives for XML, checked by the same rules: the event is rebuilt as XML (the `xmlDetail`, read on its own
 * first as a `<detail>` document, plus the typed fields) and read by `parseCot`. A `TakMessage` with only
 * a `takControl` (the mesh form) gives `{ kind: 'takcontrol', control: { kind: 'mesh', … } }`. Never throws.
 * @example decodeTakMessage(encodeTakMessage(event)) // { ok: true, message: { kind: 'event', event } }
 */
export function decodeTakMessage(payload: Uint8Array): CotParseResult {
  if (payload.length > MAX_COT_MESSAGE_BYTES) return { ok: false, reason: `protobuf message of ${payload.length} bytes is over the ${MAX_COT_MESSAGE_BYTES}-byte limit` };
  let msg: PbTakMessage;
  try {
    msg = TakMessage.toObject(TakMessage.decode(payload), { longs: Number, defaults: false }) as PbTakMessage;
  } catch (e) {
    return { ok: false, reason: `not a TAK protocol v1 TakMessage: ${e instanceof Error ? e.message.slice(0, 120) : 'unreadable'}` };
  }
  const ev = msg.cotEvent;
  if (!ev) {
    if (!msg.takControl) return { ok: false, reason: 'TakMessage has neither cotEvent nor takControl' };
    const c = msg.takControl;
    const control: { kind: 'mesh'; minProtoVersion: number; maxProtoVersion: number; contactUid?: string } = {
      kind: 'mesh',
      // "If not filled in (reads as 0), version 1 is assumed" (takcontrol.proto).
      minProtoVersion: c.minProtoVersion || 1,
      maxProtoVersion: c.maxProtoVersion || 1,
    };
    if (c.contactUid) control.contactUid = c.contactUid.slice(0, 512);
    return { ok: true, message: { kind: 'takcontrol', control } };
  }
  let xml: string;
  try {
    xml = eventXmlFromProto(ev);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : 'unreadable protobuf event' };
  }
  return parseCot(xml);
}

/** Rebuilds `<event>` XML from a decoded protobuf CotEvent, for parseCot to check and read. */
function eventXmlFromProto(ev: NonNullable<PbTakMessage['cotEvent']>): string {
  const time = (ms: number | undefined, name: string) => {
    if (ms === undefined || !Number.isFinite(ms) || ms > 8.64e15) throw new Error(`CotEvent.${name} is missing or not a time`);
    return new Date(ms).toISOString();
  };
  const num = (x: number | undefined) => (x === undefined ? '0' : String(x));
  const a = (pairs: Record<string, string | undefined>) =>
    Object.entries(pairs)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => ` ${k}="${escapeAttr(v!)}"`)
      .join('');
  const d = ev.detail ?? {};
  let detail = '';
  if (d.xmlDetail) {
    // Read on its own first: an xmlDetail that closes <detail> early cannot reach the event around it.
    readDocument(`<detail>${d.xmlDetail}</detail>`, 'protobuf xmlDetail');
    detail += d.xmlDetail;
  }
  const has = (tag: string) => (d.xmlDetail ? new RegExp(`<${tag}[\\s/>]`).test(d.xmlDetail) : false);
  // Receivers: "data in xmlDetail should be left alone and the data in the equivalent message ignored".
  if (d.contact && !has('contact')) detail += `<contact${a({ endpoint: d.contact.endpoint, callsign: d.contact.callsign })}/>`;
  if (d.group && !has('__group')) detail += `<__group${a({ name: d.group.name, role: d.group.role })}/>`;
  if (d.precisionLocation && !has('precisionlocation')) detail += `<precisionlocation${a({ geopointsrc: d.precisionLocation.geopointsrc, altsrc: d.precisionLocation.altsrc })}/>`;
  if (d.status && !has('status')) detail += `<status${a({ battery: d.status.battery === undefined ? undefined : String(d.status.battery) })}/>`;
  if (d.takv && !has('takv')) detail += `<takv${a({ device: d.takv.device, platform: d.takv.platform, os: d.takv.os, version: d.takv.version })}/>`;
  if (d.track && !has('track')) detail += `<track${a({ speed: num(d.track.speed), course: num(d.track.course) })}/>`;
  return (
    `<event${a({ version: '2.0', uid: ev.uid, type: ev.type, how: ev.how, access: ev.access, qos: ev.qos, opex: ev.opex, time: time(ev.sendTime, 'sendTime'), start: time(ev.startTime, 'startTime'), stale: time(ev.staleTime, 'staleTime') })}>` +
    // proto3 has no "absent": a missing double is 0 (unknown is written 999999 or 9999999).
    `<point${a({ lat: num(ev.lat), lon: num(ev.lon), hae: num(ev.hae), ce: num(ev.ce), le: num(ev.le) })}/>` +
    `<detail>${detail}</detail></event>`
  );
}

/**
 * Encodes an event as a TAK protocol v1 payload (`TakMessage { cotEvent }`), following `detail.proto`'s
 * sender rules: `contact`, `__group`, `precisionlocation`, `status`, `takv` and `track` go to their typed
 * fields when they appear once with exactly the attributes the message holds (callsign and endpoint for
 * contact, and so on) and no children; anything else stays, whole, in `xmlDetail`. Unknown hae/ce/le are
 * written as 9999999.
 * @example frameTakPayload(encodeTakMessage(event)) // ready for the socket after negotiation
 */
export function encodeTakMessage(event: CotEvent): Buffer {
  const typed: Record<string, Record<string, string | number>> = {};
  const rest: XmlElement[] = [];
  const counts = new Map<string, number>();
  for (const el of event.detail.elements) counts.set(el.name, (counts.get(el.name) ?? 0) + 1);
  for (const el of event.detail.elements) {
    const spec = TYPED.find((t) => t.element === el.name);
    const value = spec && counts.get(el.name) === 1 ? typedValue(el, spec) : undefined;
    if (spec && value) typed[spec.field] = value;
    else rest.push(el);
  }
  const detail: Record<string, unknown> = { ...typed };
  if (rest.length > 0) detail.xmlDetail = serializeElements(rest);
  const cotEvent: Record<string, unknown> = {
    type: event.type,
    uid: event.uid,
    sendTime: event.timeMs,
    startTime: event.startMs,
    staleTime: event.staleMs,
    how: event.how ?? '',
    lat: event.point.lat,
    lon: event.point.lon,
    hae: event.point.hae ?? UNKNOWN,
    ce: event.point.ce ?? UNKNOWN,
    le: event.point.le ?? UNKNOWN,
  };
  if (event.access) cotEvent.access = event.access;
  if (event.qos) cotEvent.qos = event.qos;
  if (event.opex) cotEvent.opex = event.opex;
  if (Object.keys(detail).length > 0) cotEvent.detail = detail;
  return Buffer.from(TakMessage.encode(TakMessage.fromObject({ cotEvent })).finish());
}

/** The typed message for an element, or undefined when it does not fit exactly (then it stays XML). */
function typedValue(el: XmlElement, spec: (typeof TYPED)[number]): Record<string, string | number> | undefined {
  if (el.children.length > 0 || el.text !== '') return undefined;
  const names = Object.keys(el.attrs);
  if (!spec.required.every((r) => names.includes(r))) return undefined;
  if (!names.every((n) => spec.required.includes(n) || spec.optional.includes(n))) return undefined;
  const out: Record<string, string | number> = {};
  for (const n of names) {
    const v = el.attrs[n]!;
    if (spec.field === 'status') {
      if (!/^\d{1,9}$/.test(v)) return undefined;
      out[n] = Number(v);
    } else if (spec.field === 'track') {
      if (v.length > 40 || !DECIMAL.test(v.trim()) || !Number.isFinite(Number(v))) return undefined;
      out[n] = Number(v);
    } else out[n] = v;
  }
  // "Endpoint is optional; if missing/empty do not populate."
  if (spec.field === 'contact' && out.endpoint === '') delete out.endpoint;
  return out;
}

/**
 * A TAK protocol streaming message: `0xBF`, the payload length as a varint, the payload.
 * @example frameTakPayload(Buffer.from([1, 2])) // <Buffer bf 02 01 02>
 */
export function frameTakPayload(payload: Uint8Array): Buffer {
  const header: number[] = [0xbf];
  let n = payload.length;
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    header.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.from(header), payload]);
}

/**
 * CoT XML (one of out.ts's events) to a framed protobuf message for a client that negotiated TAK
 * protocol v1; the XML is read by `parseCot` on the way, so what is sent is what was checked.
 * @example xmlToTakFrame(pongEvent({ timeMs: 0, staleMs: 20_000 }))
 */
export function xmlToTakFrame(xml: string): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  const parsed = parseCot(xml);
  if (!parsed.ok) return parsed;
  const m = parsed.message;
  const event = m.kind === 'event' ? m.event : m.kind === 'takcontrol' ? m.event : undefined;
  if (!event) return { ok: false, reason: 'only <event> messages travel as TAK protocol messages' };
  return { ok: true, bytes: frameTakPayload(encodeTakMessage(event)) };
}

// The picture as Cursor-on-Target (server/out, issue 14): what a TAK device is sent, made from the
// picture as the recipient's audience may see it (the outbox's), never from the stored one. Convoy
// corridors become routes ATAK can navigate, threat zones drawn shapes coloured by severity, havens
// and displacement sites markers, units position events of their own type. Every item is keyed by
// what would change its CoT, so a stream sends only what changed and a delete for what went.
import { cotSidc, type Picture, type Unit } from '@corridor/protocol';
import { strToU8, zipSync } from 'fflate';
import { lineEvent, MARKER_COLORS, markerEvent, routeEvent, unitEvent, ZONE_COLORS, zoneEvent } from '../cot/out.js';
import { escapeAttr } from '../cot/xml.js';

/** How long a TAK device keeps a zone, route or marker it hears nothing more of, ms: the stream re-sends them well before. */
export const COT_ITEM_STALE_MS = 10 * 60_000;

/** One item of the picture as CoT: its uid, what its CoT depends on (`key`), and how to write it. */
export interface CotItem {
  uid: string;
  key: string;
  /** The `<event>` text, with `time` = now and `stale` as the item's. */
  xml: (nowMs: number) => string;
  /** Its text in TAK's streaming form and as a protobuf frame, made once per frame for every stream of an audience. */
  stream?: string;
  protobuf?: Buffer;
}

/** An access constraint's status as the colours of a zone of like danger. */
const CONSTRAINT_SEVERITY = { closed: 'no-go', restricted: 'danger', open: 'advisory' } as const;
const CONSTRAINT_COLORS = { closed: ZONE_COLORS['no-go'], restricted: ZONE_COLORS.danger, open: ZONE_COLORS.advisory } as const;

/** CoT types of units that report no CoT type of their own, by affiliation (the map's symbols). */
const AFFILIATION_TYPE: Record<NonNullable<Unit['affiliation']>, string> = {
  military: 'a-f-G-U-C-I',
  humanitarian: 'a-n-G-U-S-S',
  civil: 'a-n-G-E-V-C',
};

/**
 * The items of a picture (already the audience's) as CoT, by uid. A unit already stale is left out: a
 * device would drop it at once. Polygons with holes keep their outer ring (CoT draws no holes); each
 * part of a multi-polygon is a shape of its own (`<id>.<n>`).
 */
export function cotItems(picture: Picture, staleAfterMs: number, nowMs: number): Map<string, CotItem> {
  const out = new Map<string, CotItem>();
  const stale = (now: number) => now + COT_ITEM_STALE_MS;
  for (const u of Object.values(picture.units)) {
    const staleMs = Math.min(u.seenMs + staleAfterMs, u.staleMs ?? Number.POSITIVE_INFINITY);
    if (staleMs <= nowMs) continue;
    const cotType = u.cotType !== undefined && cotSidc(u.cotType) !== undefined ? u.cotType : u.affiliation ? AFFILIATION_TYPE[u.affiliation] : 'a-u-G';
    out.set(u.unitId, {
      uid: u.unitId,
      key: `${u.timeMs}|${u.lon}|${u.lat}|${u.heading}|${u.speed}|${u.accuracy}|${cotType}|${u.callsign}|${staleMs}`,
      xml: (now) =>
        unitEvent({
          uid: u.unitId,
          callsign: u.callsign ?? u.unitId,
          cotType,
          lon: u.lon,
          lat: u.lat,
          ...(u.accuracy !== undefined ? { accuracyM: u.accuracy } : {}),
          ...(u.heading !== undefined ? { courseDeg: u.heading } : {}),
          ...(u.speed !== undefined ? { speedMps: u.speed } : {}),
          timeMs: now,
          startMs: u.timeMs,
          staleMs,
        }),
    });
  }
  for (const z of Object.values(picture.threats)) {
    const key = `${z.updatedMs}|${z.severity}|${z.label}`;
    const base = { label: z.label ?? z.id, severity: z.severity, ...(z.source ? { remarks: `source: ${z.source}` } : {}) };
    if (z.geometry.type === 'Point') {
      const center = z.geometry.coordinates as [number, number];
      const radiusM = z.radiusM ?? 0;
      if (radiusM > 0) out.set(z.id, { uid: z.id, key, xml: (now) => zoneEvent({ uid: z.id, ...base, circle: { center, radiusM }, timeMs: now, staleMs: stale(now) }) });
      continue;
    }
    const rings = z.geometry.type === 'Polygon' ? [z.geometry.coordinates[0]] : z.geometry.coordinates.map((p) => p[0]);
    rings.forEach((ring, i) => {
      const uid = rings.length === 1 ? z.id : `${z.id}.${i}`;
      out.set(uid, { uid, key, xml: (now) => zoneEvent({ uid, ...base, ring: ring as [number, number][], timeMs: now, staleMs: stale(now) }) });
    });
  }
  // Access constraints (issue 14, drawn as issue 16 asks): a road as a line, an area as a shape, coloured by
  // status (closed red, restricted orange, open yellow), each part of a multi-geometry a drawing of its own.
  for (const c of Object.values(picture.constraints)) {
    const color = CONSTRAINT_COLORS[c.status];
    const key = `${c.updatedMs}|${c.status}|${c.reason}`;
    const label = `${c.status.toUpperCase()}${c.reason ? `: ${c.reason}` : ''}`.slice(0, 200);
    const remarks = `Access constraint (${c.category}), verified ${c.verifiedAt}${c.verifiedBy ? ` by ${c.verifiedBy}` : ''}`;
    const g = c.geometry;
    const lines = g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : [];
    const rings = g.type === 'Polygon' ? [g.coordinates[0]] : g.type === 'MultiPolygon' ? g.coordinates.map((p) => p[0]) : [];
    const parts = lines.length + rings.length;
    lines.forEach((line, i) => {
      const uid = parts === 1 ? c.id : `${c.id}.${i}`;
      if (line.length >= 2) out.set(uid, { uid, key, xml: (now) => lineEvent({ uid, label, line: line as [number, number][], colorArgb: color.stroke, remarks, timeMs: now, staleMs: stale(now) }) });
    });
    rings.forEach((ring, i) => {
      const uid = parts === 1 ? c.id : `${c.id}.${lines.length + i}`;
      out.set(uid, { uid, key, xml: (now) => zoneEvent({ uid, label, severity: CONSTRAINT_SEVERITY[c.status], ring: ring as [number, number][], remarks, timeMs: now, staleMs: stale(now) }) });
    });
  }
  for (const h of Object.values(picture.havens)) {
    const free = Math.max(0, h.capacity - h.occupancy);
    const color = h.status === 'open' ? MARKER_COLORS.havenOpen : h.status === 'full' ? MARKER_COLORS.havenFull : MARKER_COLORS.havenClosed;
    out.set(h.id, {
      uid: h.id,
      key: `${h.updatedMs}|${h.status}|${h.occupancy}|${h.lon}|${h.lat}`,
      xml: (now) => markerEvent({ uid: h.id, label: `${h.name} (${h.status}, ${free} free)`, lon: h.lon, lat: h.lat, colorArgb: color, remarks: `Safe haven: ${h.occupancy} of ${h.capacity} places taken`, timeMs: now, staleMs: stale(now) }),
    });
  }
  for (const s of Object.values(picture.sites)) {
    out.set(s.id, {
      uid: s.id,
      key: `${s.updatedMs}|${s.lon}|${s.lat}|${s.population}`,
      xml: (now) => markerEvent({ uid: s.id, label: `${s.name} (${s.population} displaced)`, lon: s.lon, lat: s.lat, colorArgb: MARKER_COLORS.displacedSite, remarks: `Displacement site, ${s.date}${s.source ? `, ${s.source}` : ''}`, timeMs: now, staleMs: stale(now) }),
    });
  }
  for (const [convoyId, c] of Object.entries(picture.corridors)) {
    const convoy = picture.convoys[convoyId];
    const best = c.status === 'ok' ? c.routes[0] : undefined;
    if (!convoy || !best || best.coordinates.length < 2) continue;
    const uid = corridorUid(convoyId);
    out.set(uid, {
      uid,
      key: `${c.computedMs}|${best.coordinates.length}|${best.coordinates[best.coordinates.length - 1].join(',')}|${convoy.name}|${convoy.state}`,
      xml: (now) =>
        routeEvent({
          uid,
          name: `${convoy.name} corridor`,
          line: best.coordinates as [number, number][],
          startName: `${convoy.name} start`,
          endName: `${convoy.name} destination`,
          remarks: `${convoy.state}; ${c.reason}`,
          timeMs: now,
          staleMs: stale(now),
        }),
    });
  }
  return out;
}

/** The uid of a convoy's corridor as a CoT route. */
export function corridorUid(convoyId: string): string {
  return `corridor.${convoyId}`;
}

/**
 * The items as one XML document of events (`GET /api/cot`), each event as a TAK device is sent it.
 * @example cotDocument(new Map(), 0) // '<?xml version="1.0" encoding="UTF-8"?>\n<events>\n</events>\n'
 */
export function cotDocument(items: ReadonlyMap<string, CotItem>, nowMs: number): string {
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n<events>\n';
  for (const item of items.values()) out += `${item.xml(nowMs)}\n`;
  return `${out}</events>\n`;
}

/**
 * The items as a TAK data package (`GET /api/cot.zip`): a zip with `MANIFEST/manifest.xml` (a
 * MissionPackageManifest version 2 naming the package and each entry) and one `<uid>/<uid>.cot` per item,
 * as ATAK and TAK Server import it.
 */
export function cotDataPackage(items: ReadonlyMap<string, CotItem>, nowMs: number, name: string, packageUid: string): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const entries: string[] = [];
  for (const item of items.values()) {
    const dir = item.uid.replace(/[^A-Za-z0-9._-]/g, '_');
    const entry = `${dir}/${dir}.cot`;
    files[entry] = strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${item.xml(nowMs)}`);
    entries.push(`<Content ignore="false" zipEntry="${escapeAttr(entry)}"><Parameter name="uid" value="${escapeAttr(item.uid)}"/></Content>`);
  }
  const manifest =
    `<MissionPackageManifest version="2"><Configuration><Parameter name="uid" value="${escapeAttr(packageUid)}"/>` +
    `<Parameter name="name" value="${escapeAttr(name)}"/></Configuration><Contents>${entries.join('')}</Contents></MissionPackageManifest>`;
  files['MANIFEST/manifest.xml'] = strToU8(manifest);
  return zipSync(files, { level: 6, mtime: new Date(nowMs) });
}

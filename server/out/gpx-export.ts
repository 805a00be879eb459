// An export document as GPX 1.1 (server/out, issue 18), valid against the Topografix schema, for GPS
// devices and field apps: points as `wpt` (origin, checkpoints in order, destination, havens, sites,
// units), then each route twice, as a `rte` to navigate (its `rtept` named by road where a stretch
// starts, when the router named the roads) and as a `trk` to show. GPX holds no areas: zones and
// access constraints are left out. Built with fast-xml-parser (xml-parts.ts); pure, an item at a time.
import { roadLabel } from '@corridor/protocol';
import type { ExportKind, ExportLine, ExportPoint, GeoExport } from './geo-export.js';
import { buildXml, deg7, el, slot, splitAtSlots, text, XML_DECLARATION, type XmlNode } from './xml-parts.js';

export const GPX_NS = 'http://www.topografix.com/GPX/1/1';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** Garmin's symbol names, which most devices and apps know. */
const SYMBOLS: Partial<Record<ExportKind, string>> = {
  origin: 'Flag, Green',
  checkpoint: 'Flag, Blue',
  hold: 'Flag, Red',
  destination: 'Flag, Green',
  haven: 'Lodging',
  site: 'Campground',
  unit: 'Car',
};

/**
 * A position's attributes: latitude, then longitude in GPX's range, -180 ≤ lon < 180 (180 is -180).
 * @example positionAttributes([180, 10]) // { lat: '10', lon: '-180' }
 */
export function positionAttributes([lon, lat]: readonly number[]): { lat: string; lon: string } {
  const l = deg7(lon);
  return { lat: deg7(lat), lon: l === '180' ? '-180' : l };
}

/**
 * A point as a `wpt` (elements in the schema's order: time, name, desc, sym, type).
 * @example gpxWaypoint(havenPoint(haven)) // '<wpt lat="57.703" lon="11.965"><name>School</name>...</wpt>'
 */
export function gpxWaypoint(p: ExportPoint): string {
  const children: XmlNode[] = [];
  if (p.timeMs !== undefined) children.push(text('time', new Date(p.timeMs).toISOString()));
  children.push(text('name', p.name), text('desc', p.description));
  const sym = SYMBOLS[p.kind];
  if (sym) children.push(text('sym', sym));
  children.push(text('type', p.kind));
  return buildXml([el('wpt', children, positionAttributes(p.at))]);
}

/** A route as a `rte`, its points named by road where a stretch starts (issue 18). */
export function gpxRoute(line: ExportLine): string {
  const names = new Map<number, string>();
  for (const s of line.roads ?? []) {
    const label = roadLabel(s);
    if (label !== undefined && !names.has(s.from)) names.set(s.from, label);
  }
  return buildXml([
    el('rte', [
      text('name', line.name),
      text('desc', line.description),
      text('type', line.kind),
      ...line.coordinates.map((c, i) => {
        const name = names.get(i);
        return el('rtept', name === undefined ? [] : [text('name', name)], positionAttributes(c));
      }),
    ]),
  ]);
}

/** A route as a `trk` of one segment. */
export function gpxTrack(line: ExportLine): string {
  return buildXml([
    el('trk', [text('name', line.name), text('desc', line.description), text('type', line.kind), el('trkseg', line.coordinates.map((c) => el('trkpt', [], positionAttributes(c))))]),
  ]);
}

/**
 * The document as GPX, in parts: the head, every point as a `wpt`, every route as a `rte`, the same
 * routes as `trk`s (the schema's order), the tail. Shapes (zones, constraints) are left out.
 */
export function* gpxParts(doc: GeoExport): Iterable<string> {
  const skeleton = buildXml([
    XML_DECLARATION,
    el(
      'gpx',
      [el('metadata', [text('name', doc.name), text('desc', doc.description), text('time', new Date(doc.madeMs).toISOString())]), slot(0)],
      { version: '1.1', creator: 'Corridor', xmlns: GPX_NS, 'xmlns:xsi': XSI_NS, 'xsi:schemaLocation': `${GPX_NS} http://www.topografix.com/GPX/1/1/gpx.xsd` },
    ),
  ]);
  const [head, tail] = splitAtSlots(skeleton, 1);
  yield head;
  const lines: ExportLine[] = [];
  for (const s of doc.sections) {
    for (const item of s.items()) {
      if (item.type === 'point') yield `\n${gpxWaypoint(item)}`;
      else if (item.type === 'line') lines.push(item);
    }
  }
  for (const line of lines) yield `\n${gpxRoute(line)}`;
  for (const line of lines) yield `\n${gpxTrack(line)}`;
  yield `\n${tail}\n`;
}

/** The document as one GPX text. */
export function gpxText(doc: GeoExport): string {
  return [...gpxParts(doc)].join('');
}

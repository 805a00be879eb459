// An export document as KML 2.2 (server/out, issue 18), valid against the OGC schema: one Document with
// shared styles (zones by severity, constraints by status, routes, points by kind), a Folder per
// section and a Placemark per item with its name, description, style and figures as ExtendedData.
// Polygons are wound counter-clockwise outside (KML asks it too), positions to 7 decimals. Built with
// fast-xml-parser (xml-parts.ts); pure, a Placemark at a time so a large picture is written in parts.
import { rewindRings, type ExportItem, type ExportProperties, type GeoExport } from './geo-export.js';
import { buildXml, deg7, el, slot, splitAtSlots, text, XML_DECLARATION, type XmlNode } from './xml-parts.js';

export const KML_NS = 'http://www.opengis.net/kml/2.2';

/** KML colours are `aabbggrr`. */
function kmlColor(rgb: string, alpha = 'ff'): string {
  const [r, g, b] = [rgb.slice(1, 3), rgb.slice(3, 5), rgb.slice(5, 7)];
  return `${alpha}${b}${g}${r}`;
}

/** The map's colours (client layers): zones by severity, constraints by status, routes, points by kind. */
const COLORS = {
  'zone-no-go': '#dc2626',
  'zone-danger': '#f97316',
  'zone-advisory': '#facc15',
  'constraint-closed': '#dc2626',
  'constraint-restricted': '#f97316',
  'constraint-open': '#22c55e',
  route: '#22d3ee',
  alternative: '#94a3b8',
  origin: '#22d3ee',
  checkpoint: '#ffffff',
  hold: '#ef4444',
  destination: '#22d3ee',
  haven: '#22c55e',
  site: '#8b5cf6',
  unit: '#3b82f6',
} as const;
type StyleId = keyof typeof COLORS;

/** The shared styles, in the order the Document lists them. */
function styles(): XmlNode[] {
  return (Object.keys(COLORS) as StyleId[]).map((id) => {
    const color = COLORS[id];
    const parts: XmlNode[] = [];
    if (id.startsWith('zone-') || id.startsWith('constraint-')) {
      parts.push(el('LineStyle', [text('color', kmlColor(color)), text('width', id.startsWith('constraint-') ? 4 : 2)]));
      parts.push(el('PolyStyle', [text('color', kmlColor(color, id === 'zone-no-go' ? '66' : '40'))]));
    } else if (id === 'route' || id === 'alternative') {
      parts.push(el('LineStyle', [text('color', kmlColor(color)), text('width', id === 'route' ? 5 : 3)]));
    } else {
      parts.push(el('IconStyle', [text('color', kmlColor(color)), text('scale', id === 'hold' || id === 'haven' ? '1.2' : '1')]));
    }
    return el('Style', parts, { id });
  });
}

function coordinates(points: readonly (readonly number[])[]): XmlNode {
  return text('coordinates', points.map(([lon, lat]) => `${deg7(lon)},${deg7(lat)}`).join(' '));
}

function polygon(rings: [number, number][][]): XmlNode {
  const [outer, ...holes] = rings;
  return el('Polygon', [
    el('outerBoundaryIs', [el('LinearRing', [coordinates(outer)])]),
    ...holes.map((h) => el('innerBoundaryIs', [el('LinearRing', [coordinates(h)])])),
  ]);
}

function lineString(points: readonly (readonly number[])[]): XmlNode {
  return el('LineString', [text('tessellate', '1'), coordinates(points)]);
}

function geometry(item: ExportItem): XmlNode {
  switch (item.type) {
    case 'point':
      return el('Point', [coordinates([item.at])]);
    case 'line':
      return lineString(item.coordinates);
    case 'shape': {
      const g = item.geometry;
      switch (g.type) {
        case 'Polygon':
          return polygon(rewindRings(g.coordinates));
        case 'MultiPolygon':
          return el('MultiGeometry', g.coordinates.map((p) => polygon(rewindRings(p))));
        case 'LineString':
          return lineString(g.coordinates);
        case 'MultiLineString':
          return el('MultiGeometry', g.coordinates.map(lineString));
      }
    }
  }
}

function extendedData(properties: ExportProperties): XmlNode {
  return el(
    'ExtendedData',
    Object.entries(properties).map(([name, value]) => el('Data', [text('value', String(value))], { name })),
  );
}

function styleOf(item: ExportItem): string {
  return item.type === 'shape' ? item.style : item.kind;
}

/**
 * One item as a KML Placemark's text (its elements in the schema's order: name, description, time,
 * style, data, geometry).
 * @example kmlPlacemark(havenPoint(haven)) // '<Placemark><name>School</name>...<Point><coordinates>11.965,57.703</coordinates></Point></Placemark>'
 */
export function kmlPlacemark(item: ExportItem): string {
  const children: XmlNode[] = [text('name', item.name), text('description', item.description)];
  if (item.type === 'point' && item.timeMs !== undefined) children.push(el('TimeStamp', [text('when', new Date(item.timeMs).toISOString())]));
  children.push(text('styleUrl', `#${styleOf(item)}`), extendedData({ kind: item.kind, id: item.id, ...item.properties }), geometry(item));
  return buildXml([el('Placemark', children)]);
}

/** The document as KML, in parts: the skeleton's pieces around each folder's Placemarks. */
export function* kmlParts(doc: GeoExport): Iterable<string> {
  const skeleton = buildXml([
    XML_DECLARATION,
    el(
      'kml',
      [
        el('Document', [
          text('name', doc.name),
          text('open', '1'),
          text('description', doc.description),
          ...styles(),
          extendedData({ seq: doc.seq, generated: new Date(doc.madeMs).toISOString(), ...doc.properties }),
          ...doc.sections.map((s, i) => el('Folder', [text('name', s.title), slot(i)])),
        ]),
      ],
      { xmlns: KML_NS },
    ),
  ]);
  const pieces = splitAtSlots(skeleton, doc.sections.length);
  for (let i = 0; i < doc.sections.length; i++) {
    yield pieces[i];
    // A line per Placemark, so the file reads and compares line by line.
    for (const item of doc.sections[i].items()) yield `\n${kmlPlacemark(item)}`;
  }
  yield pieces[doc.sections.length];
  yield '\n';
}

/** The document as one KML text. */
export function kmlText(doc: GeoExport): string {
  return [...kmlParts(doc)].join('');
}

// An export document as GeoJSON (server/out, issue 18): RFC 7946, WGS84 longitude then latitude to 7
// decimals, polygons wound counter-clockwise outside and clockwise inside, no `crs`. Routes are
// LineStrings, points Points, zones Polygons or MultiPolygons, constraints lines or polygons; every
// feature has `name`, `description` and `kind` among its properties. Pure: a document in, text out, a
// feature at a time so a large picture is written in parts.
import { exportItems, geometry7, position7, type ExportItem, type GeoExport } from './geo-export.js';

/** A feature's geometry as RFC 7946 wants it. */
function geometryOf(item: ExportItem): object {
  switch (item.type) {
    case 'point':
      return { type: 'Point', coordinates: position7(item.at) };
    case 'line':
      return { type: 'LineString', coordinates: item.coordinates.map(position7) };
    case 'shape':
      return geometry7(item.geometry);
  }
}

/**
 * One item as a GeoJSON Feature's text.
 * @example geojsonFeature(havenPoint(haven)) // '{"type":"Feature","geometry":{"type":"Point","coordinates":[11.965,57.703]},"properties":{"name":"School",...}}'
 */
export function geojsonFeature(item: ExportItem): string {
  return JSON.stringify({
    type: 'Feature',
    geometry: geometryOf(item),
    properties: { name: item.name, kind: item.kind, description: item.description, ...item.properties },
  });
}

/**
 * The document as a FeatureCollection, in parts: the head, then one feature each (commas included),
 * then the tail. Joined, they are the whole text ({@link geojsonText}).
 */
export function* geojsonParts(doc: GeoExport): Iterable<string> {
  // Foreign members (RFC 7946 §6.1) say what the collection is; `features` last, so the head is the text up to its `[`.
  const head = JSON.stringify({
    type: 'FeatureCollection',
    name: doc.name,
    description: doc.description,
    seq: doc.seq,
    generated: new Date(doc.madeMs).toISOString(),
    properties: doc.properties,
    features: [],
  });
  yield head.slice(0, -2);
  let first = true;
  for (const item of exportItems(doc)) {
    // A line per feature, so the file reads and compares line by line.
    yield first ? `\n${geojsonFeature(item)}` : `,\n${geojsonFeature(item)}`;
    first = false;
  }
  yield '\n]}\n';
}

/**
 * The document as one GeoJSON text.
 * @example JSON.parse(geojsonText(routeExport(view, 'cv-1', now)!)).type // 'FeatureCollection'
 */
export function geojsonText(doc: GeoExport): string {
  return [...geojsonParts(doc)].join('');
}

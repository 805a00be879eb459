// The field page's map layers (client/src/field, issue 15): from the unit's view (the field stream's
// items) and its own fix, deck.gl layers drawn large enough to read outdoors: threat zones by
// severity, access constraints (closed red, restricted amber), the convoy's route and the checkpoints
// ahead, its haven, other units when asked, the unit itself with its accuracy, and a picked point.
import { PathLayer, PolygonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import { decodeLine, type FieldConstraint, type FieldConvoy, type FieldItem, type FieldUnit, type FieldZone } from '@corridor/protocol';
import { SEVERITY_COLORS, type RGBA } from '../layers/palette.js';

/** Where the unit is, as its phone last said. */
export interface OwnFix {
  lon: number;
  lat: number;
  accuracy: number;
}

const ROUTE: RGBA = [29, 78, 216, 255];
const CASING: RGBA = [255, 255, 255, 255];
const CLOSED: RGBA = [185, 28, 28, 255];
const RESTRICTED: RGBA = [217, 119, 6, 255];
const ME: RGBA = [37, 99, 235, 255];
const HAVEN: RGBA = [22, 163, 74, 255];

interface Ring {
  id: string;
  ring: [number, number][];
  severity?: FieldZone['severity'];
  status?: FieldConstraint['status'];
}
interface Line {
  id: string;
  path: [number, number][];
  status: FieldConstraint['status'];
}

/** The decoded shapes of the items (decoding is the costly part: done once per items object). */
const decoded = new WeakMap<object, { zones: Ring[]; areas: Ring[]; roads: Line[]; route?: [number, number][] }>();
function shapes(items: Record<string, FieldItem>) {
  let out = decoded.get(items);
  if (out) return out;
  out = { zones: [], areas: [], roads: [] };
  for (const item of Object.values(items)) {
    if (item.k === 'zone') for (const r of item.rings) out.zones.push({ id: item.id, ring: decodeLine(r), severity: item.severity });
    if (item.k === 'constraint') {
      for (const r of item.rings ?? []) out.areas.push({ id: item.id, ring: decodeLine(r), status: item.status });
      for (const l of item.lines ?? []) out.roads.push({ id: item.id, path: decodeLine(l), status: item.status });
    }
    if (item.k === 'convoy' && item.route) out.route = decodeLine(item.route);
  }
  decoded.set(items, out);
  return out;
}

/** The route of the unit's convoy, decoded, or undefined. */
export function routeOf(items: Record<string, FieldItem>): [number, number][] | undefined {
  return shapes(items).route;
}

function statusColor(status: FieldConstraint['status'], alpha = 255): RGBA {
  const c = status === 'closed' ? CLOSED : status === 'restricted' ? RESTRICTED : ([22, 163, 74, 255] as RGBA);
  return [c[0], c[1], c[2], alpha];
}

/** Every layer of the field map, bottom first. */
export function fieldLayers(items: Record<string, FieldItem>, fix: OwnFix | null, picked: [number, number] | null): Layer[] {
  const s = shapes(items);
  const convoy = items.convoy as FieldConvoy | undefined;
  const others = Object.values(items).filter((i): i is FieldUnit => i.k === 'unit');
  const layers: Layer[] = [
    new PolygonLayer<Ring>({
      id: 'field-zones',
      data: s.zones,
      getPolygon: (r) => r.ring,
      getFillColor: (r) => SEVERITY_COLORS[r.severity!].fill,
      getLineColor: (r) => SEVERITY_COLORS[r.severity!].line,
      getLineWidth: 3,
      lineWidthUnits: 'pixels',
    }),
    new PolygonLayer<Ring>({
      id: 'field-constraint-areas',
      data: s.areas,
      getPolygon: (r) => r.ring,
      getFillColor: (r) => statusColor(r.status!, 50),
      getLineColor: (r) => statusColor(r.status!),
      getLineWidth: 3,
      lineWidthUnits: 'pixels',
    }),
    new PathLayer<Line>({ id: 'field-constraint-roads', data: s.roads, getPath: (l) => l.path, getColor: (l) => statusColor(l.status), getWidth: 9, widthUnits: 'pixels', capRounded: true }),
  ];
  if (s.route) {
    layers.push(new PathLayer({ id: 'field-route-casing', data: [s.route], getPath: (p: [number, number][]) => p, getColor: CASING, getWidth: 11, widthUnits: 'pixels', capRounded: true, jointRounded: true }));
    layers.push(new PathLayer({ id: 'field-route', data: [s.route], getPath: (p: [number, number][]) => p, getColor: convoy?.unsafe ? CLOSED : ROUTE, getWidth: 6, widthUnits: 'pixels', capRounded: true, jointRounded: true }));
  }
  if (convoy) {
    layers.push(new ScatterplotLayer({ id: 'field-checkpoints', data: convoy.ahead, getPosition: (c: FieldConvoy['ahead'][number]) => c.at, getRadius: 8, radiusUnits: 'pixels', getFillColor: [255, 255, 255, 255], getLineColor: ROUTE, stroked: true, getLineWidth: 3, lineWidthUnits: 'pixels' }));
    if (convoy.haven) layers.push(new ScatterplotLayer({ id: 'field-haven', data: [convoy.haven], getPosition: (h: NonNullable<FieldConvoy['haven']>) => h.at, getRadius: 12, radiusUnits: 'pixels', getFillColor: HAVEN, getLineColor: CASING, stroked: true, getLineWidth: 3, lineWidthUnits: 'pixels' }));
  }
  layers.push(new ScatterplotLayer<FieldUnit>({ id: 'field-units', data: others, getPosition: (u) => u.at, getRadius: 7, radiusUnits: 'pixels', getFillColor: [75, 85, 99, 255], getLineColor: CASING, stroked: true, getLineWidth: 2, lineWidthUnits: 'pixels' }));
  if (fix) {
    layers.push(new ScatterplotLayer<OwnFix>({ id: 'field-accuracy', data: [fix], getPosition: (f) => [f.lon, f.lat], getRadius: (f) => f.accuracy, radiusUnits: 'meters', getFillColor: [37, 99, 235, 40], getLineColor: [37, 99, 235, 120], stroked: true, getLineWidth: 1, lineWidthUnits: 'pixels' }));
    layers.push(new ScatterplotLayer<OwnFix>({ id: 'field-me', data: [fix], getPosition: (f) => [f.lon, f.lat], getRadius: 10, radiusUnits: 'pixels', getFillColor: ME, getLineColor: CASING, stroked: true, getLineWidth: 3, lineWidthUnits: 'pixels' }));
  }
  if (picked) {
    layers.push(new ScatterplotLayer({ id: 'field-picked', data: [picked], getPosition: (p: [number, number]) => p, getRadius: 12, radiusUnits: 'pixels', getFillColor: [0, 0, 0, 0], getLineColor: [17, 24, 39, 255], stroked: true, getLineWidth: 4, lineWidthUnits: 'pixels' }));
  }
  return layers;
}

/**
 * The box to frame: the unit, its route and the zones around it; undefined with nothing to frame.
 * @example frameOf({}, { lon: 12, lat: 57, accuracy: 5 }) // [[11.99..., 56.99...], [12.00..., 57.00...]]
 */
export function frameOf(items: Record<string, FieldItem>, fix: OwnFix | null): [[number, number], [number, number]] | undefined {
  const points: [number, number][] = [];
  if (fix) points.push([fix.lon, fix.lat]);
  const s = shapes(items);
  if (s.route) points.push(...s.route);
  const convoy = items.convoy as FieldConvoy | undefined;
  if (convoy?.haven) points.push(convoy.haven.at);
  if (points.length === 0) for (const z of s.zones) points.push(...z.ring);
  if (points.length === 0) return undefined;
  let [w, so, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [lon, lat] of points) [w, so, e, n] = [Math.min(w, lon), Math.min(so, lat), Math.max(e, lon), Math.max(n, lat)];
  const pad = 0.005;
  return [
    [w - pad, so - pad],
    [e + pad, n + pad],
  ];
}

// The access map's own deck.gl layer props (client/src/access, issue 16): the listed constraints by status
// (those the filters leave out faint, the selected one haloed), the route of the A-to-B check solid, the
// route that would open if a constraint were lifted dashed, and the two picked points. Pure.
import { PathStyleExtension } from '@deck.gl/extensions';
import type { PathLayerProps, PolygonLayerProps, ScatterplotLayerProps } from '@deck.gl/layers';
import { ACCESS_STATUS_COLORS } from '../layers/constraint-layers.js';
import type { RGBA } from '../layers/palette.js';
import type { AccessRow } from './access-view.js';

/** One line of a listed constraint, with its row and whether the filters keep it. */
export interface RowLine {
  row: AccessRow;
  path: [number, number][];
  shown: boolean;
}
/** One polygon of a listed constraint. */
export interface RowArea {
  row: AccessRow;
  rings: [number, number][][];
  shown: boolean;
}

const ORDER = { open: 0, restricted: 1, closed: 2 } as const;

/** Lines and polygons of the rows, those left out first (under), closed on top. */
export function rowShapes(rows: readonly AccessRow[], shownIds: ReadonlySet<string>): { lines: RowLine[]; areas: RowArea[] } {
  const lines: RowLine[] = [];
  const areas: RowArea[] = [];
  const sorted = [...rows].sort((a, b) => Number(shownIds.has(a.id)) - Number(shownIds.has(b.id)) || ORDER[a.status] - ORDER[b.status]);
  for (const row of sorted) {
    const shown = shownIds.has(row.id);
    const g = row.geometry;
    if (g.type === 'LineString') lines.push({ row, path: g.coordinates as [number, number][], shown });
    else if (g.type === 'MultiLineString') for (const path of g.coordinates) lines.push({ row, path: path as [number, number][], shown });
    else if (g.type === 'Polygon') areas.push({ row, rings: g.coordinates as [number, number][][], shown });
    else for (const rings of g.coordinates) areas.push({ row, rings: rings as [number, number][][], shown });
  }
  return { lines, areas };
}

const faded = ([r, g, b]: RGBA, a: number): RGBA => [r, g, b, a];

export function rowAreaProps(areas: RowArea[], selected: string | null): PolygonLayerProps<RowArea> {
  return {
    id: 'access-areas',
    data: areas,
    getPolygon: (a) => a.rings,
    getFillColor: (a) => faded(ACCESS_STATUS_COLORS[a.row.status], a.shown ? 70 : 18),
    getLineColor: (a) => (a.row.id === selected ? [255, 255, 255, 255] : faded(ACCESS_STATUS_COLORS[a.row.status], a.shown ? 255 : 90)),
    getLineWidth: (a) => (a.row.id === selected ? 4 : 2.5),
    lineWidthUnits: 'pixels',
    stroked: true,
    filled: true,
    pickable: true,
    updateTriggers: { getLineColor: selected, getLineWidth: selected },
  };
}

/** The halo of the constraints the A-to-B answer names (restricted stretches, what cuts every path). */
export const NAMED_HALO: RGBA = [250, 204, 21, 200];

/**
 * A halo under the selected constraint's lines (white), so it stands out whatever its colour, and under
 * those the A-to-B answer names (yellow).
 */
export function rowHaloProps(lines: RowLine[], selected: string | null, named: ReadonlySet<string> = new Set()): PathLayerProps<RowLine> {
  return {
    id: 'access-halo',
    data: selected || named.size > 0 ? lines.filter((l) => l.row.id === selected || named.has(l.row.id)) : [],
    getPath: (l) => l.path,
    getColor: (l) => (l.row.id === selected ? [255, 255, 255, 255] : NAMED_HALO),
    getWidth: 15,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
  };
}

export function rowLineProps(lines: RowLine[], selected: string | null): PathLayerProps<RowLine> {
  return {
    id: 'access-lines',
    data: lines,
    getPath: (l) => l.path,
    getColor: (l) => faded(ACCESS_STATUS_COLORS[l.row.status], l.shown ? 255 : 70),
    getWidth: (l) => (l.row.id === selected ? 9 : l.shown ? 6 : 3),
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    pickable: true,
    updateTriggers: { getWidth: selected },
  };
}

/** The check's route colour (the corridors' cyan) and its casing. */
export const ROUTE_COLOR: RGBA = [34, 211, 238, 255];
export const OPENS_IF_COLOR: RGBA = [226, 232, 240, 255];

/** A route of the check; `dashed` for the one a lift would open. */
export interface DrawnRoute {
  id: string;
  path: [number, number][];
  dashed: boolean;
}

const dashes = [new PathStyleExtension({ dash: true })];

export function routeCasingProps(routes: DrawnRoute[]): PathLayerProps<DrawnRoute> {
  return {
    id: 'access-route-casing',
    data: routes.filter((r) => !r.dashed),
    getPath: (r) => r.path,
    getColor: [8, 20, 32, 230],
    getWidth: 11,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
  };
}

export function routeProps(routes: DrawnRoute[]): PathLayerProps<DrawnRoute> & Record<string, unknown> {
  return {
    id: 'access-route',
    data: routes,
    getPath: (r) => r.path,
    getColor: (r) => (r.dashed ? OPENS_IF_COLOR : ROUTE_COLOR),
    getWidth: (r) => (r.dashed ? 4 : 6),
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    getDashArray: (r: DrawnRoute) => (r.dashed ? [3, 2] : [0, 0]),
    dashJustified: true,
    extensions: dashes,
  };
}

/** The picked points A and B. */
export interface PickedPoint {
  name: 'A' | 'B';
  at: [number, number];
}

export function pointProps(points: PickedPoint[]): ScatterplotLayerProps<PickedPoint> {
  return {
    id: 'access-points',
    data: points,
    getPosition: (p) => p.at,
    getFillColor: (p) => (p.name === 'A' ? [34, 211, 238, 255] : [250, 204, 21, 255]),
    getLineColor: [8, 20, 32, 255],
    getRadius: 8,
    radiusUnits: 'pixels',
    stroked: true,
    getLineWidth: 2.5,
    lineWidthUnits: 'pixels',
  };
}

// Access constraints as deck.gl layer props (client/src/layers): a road (line) drawn over the road in
// the colour of its status, an area filled faintly and outlined; closed red, restricted amber, open
// green. A closure a convoy reports as cutting every path is thus on the map where it is.
import type { PathLayerProps, PolygonLayerProps } from '@deck.gl/layers';
import type { Constraint } from '@corridor/protocol';
import type { NetworkRoad } from '../state/network-roads.js';
import { memoBySlice } from './memo.js';
import type { RGBA } from './palette.js';

/** Colours of access status, shared with the legend. */
export const ACCESS_STATUS_COLORS: Record<Constraint['status'], RGBA> = {
  closed: [220, 38, 38, 255],
  restricted: [245, 158, 11, 255],
  open: [34, 197, 94, 255],
};

/** One line of a constraint on roads, with its constraint. */
export interface ConstraintLine {
  constraint: Constraint;
  path: [number, number][];
}
/** One polygon of a constraint on an area, with its constraint. */
export interface ConstraintArea {
  constraint: Constraint;
  rings: [number, number][][];
}

const ORDER: Record<Constraint['status'], number> = { open: 0, restricted: 1, closed: 2 };

/** Lines and polygons of the constraints, the same arrays while the `constraints` slice is unchanged; closed ones on top. */
export const constraintShapes = memoBySlice((constraints: Record<string, Constraint>): { lines: ConstraintLine[]; areas: ConstraintArea[] } => {
  const lines: ConstraintLine[] = [];
  const areas: ConstraintArea[] = [];
  for (const constraint of Object.values(constraints).sort((a, b) => ORDER[a.status] - ORDER[b.status])) {
    const g = constraint.geometry;
    if (g.type === 'LineString') lines.push({ constraint, path: g.coordinates });
    else if (g.type === 'MultiLineString') for (const path of g.coordinates) lines.push({ constraint, path });
    else if (g.type === 'Polygon') areas.push({ constraint, rings: g.coordinates });
    else for (const rings of g.coordinates) areas.push({ constraint, rings });
  }
  return { lines, areas };
});

export function constraintAreaProps(constraints: Record<string, Constraint>, scale: number): PolygonLayerProps<ConstraintArea> {
  return {
    id: 'constraint-areas',
    data: constraintShapes(constraints).areas,
    getPolygon: (a) => a.rings,
    getFillColor: (a) => {
      const [r, g, b] = ACCESS_STATUS_COLORS[a.constraint.status];
      return [r, g, b, 60];
    },
    getLineColor: (a) => ACCESS_STATUS_COLORS[a.constraint.status],
    getLineWidth: 2.5 * scale,
    lineWidthUnits: 'pixels',
    stroked: true,
    filled: true,
    pickable: true,
  };
}

export function constraintLineProps(constraints: Record<string, Constraint>, scale: number): PathLayerProps<ConstraintLine> {
  return {
    id: 'constraint-lines',
    data: constraintShapes(constraints).lines,
    getPath: (l) => l.path,
    getColor: (l) => ACCESS_STATUS_COLORS[l.constraint.status],
    getWidth: 7 * scale,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    pickable: true,
  };
}

/** One line of a road the network's assessment tagged closed or restricted, with its road. */
export interface NetworkRoadLine {
  road: NetworkRoad;
  path: [number, number][];
}

const roadLines = new WeakMap<readonly NetworkRoad[], NetworkRoadLine[]>();

/**
 * Roads tagged by assessment teams (`operational_status`), thinner than a posted constraint and a little
 * transparent, in the colour of their status: the standing state of the network under today's changes.
 */
export function networkRoadProps(roads: readonly NetworkRoad[], scale: number): PathLayerProps<NetworkRoadLine> {
  let data = roadLines.get(roads);
  if (!data) {
    data = [...roads].sort((a, b) => ORDER[a.status] - ORDER[b.status]).flatMap((road) => road.paths.map((path) => ({ road, path })));
    roadLines.set(roads, data);
  }
  return {
    id: 'network-roads',
    data,
    getPath: (l) => l.path,
    getColor: (l) => {
      const [r, g, b] = ACCESS_STATUS_COLORS[l.road.status];
      return [r, g, b, 200];
    },
    getWidth: 4 * scale,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    pickable: true,
  };
}

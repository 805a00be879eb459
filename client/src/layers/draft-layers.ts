// The draft of a zone or constraint being drawn (client/src/layers): its points, its outline (a circle
// from its centre and a point on its edge, a polygon closed back to its first point, a road line), in
// white over the map until it is posted.
import type { PathLayerProps, ScatterplotLayerProps } from '@deck.gl/layers';
import CheapRuler from 'cheap-ruler';
import type { DrawTool } from '../state/drawing.js';

/** Steps of a drawn circle's outline (the server buffers a Point with 64). */
const CIRCLE_STEPS = 64;

/** A circle's radius, metres, from its centre and a point on its edge. */
export function circleRadiusM(points: readonly [number, number][]): number {
  if (points.length < 2) return 0;
  return Math.round(new CheapRuler(points[0][1], 'meters').distance(points[0], points[1]));
}

/** The outline the draft stands for, as a path: a circle's ring, a closed polygon, or the line as drawn. */
export function draftOutline(tool: DrawTool, points: readonly [number, number][]): [number, number][] {
  if (tool === 'circle') {
    if (points.length < 2) return [];
    const ruler = new CheapRuler(points[0][1], 'meters');
    const r = ruler.distance(points[0], points[1]);
    return Array.from({ length: CIRCLE_STEPS + 1 }, (_, i) => ruler.destination(points[0], r, (360 * i) / CIRCLE_STEPS) as [number, number]);
  }
  if (tool === 'polygon' && points.length >= 3) return [...points, points[0]];
  return [...points];
}

export function draftPointProps(points: readonly [number, number][]): ScatterplotLayerProps<[number, number]> {
  return {
    id: 'draft-points',
    data: points as [number, number][],
    getPosition: (p) => p,
    getRadius: 5,
    radiusUnits: 'pixels',
    getFillColor: [255, 255, 255, 255],
    getLineColor: [8, 20, 32, 255],
    stroked: true,
    lineWidthMinPixels: 2,
  };
}

export function draftOutlineProps(tool: DrawTool, points: readonly [number, number][]): PathLayerProps<[number, number][]> {
  const outline = draftOutline(tool, points);
  return {
    id: 'draft-outline',
    data: outline.length >= 2 ? [outline] : [],
    getPath: (p) => p,
    getColor: [255, 255, 255, 230],
    getWidth: 3,
    widthUnits: 'pixels',
  };
}

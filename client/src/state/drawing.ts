// Drawing on the map (client/src/state): a planner's or analyst's form picks a tool (a circle, a polygon,
// a road line), each click on the map adds a point, and the map draws the draft until it is posted.
import { createStore } from 'zustand/vanilla';

export type DrawTool = 'circle' | 'polygon' | 'line';

interface Drawing {
  /** The tool in use, or null when the map is not drawing. */
  tool: DrawTool | null;
  /** Points clicked so far, [lon, lat]: a circle's centre then a point on its edge; a polygon's or line's vertices. */
  points: [number, number][];
}

export const drawing = createStore<Drawing>(() => ({ tool: null, points: [] }));

export function startDrawing(tool: DrawTool): void {
  drawing.setState({ tool, points: [] });
}

export function stopDrawing(): void {
  drawing.setState({ tool: null, points: [] });
}

export function undoPoint(): void {
  drawing.setState((s) => ({ points: s.points.slice(0, -1) }));
}

/** Adds a clicked point to the draft; whether the map was drawing. A circle takes two points, the second replacing any later one. */
export function addPoint(at: [number, number]): boolean {
  const { tool, points } = drawing.getState();
  if (!tool) return false;
  drawing.setState({ points: tool === 'circle' && points.length >= 2 ? [points[0], at] : [...points, at] });
  return true;
}

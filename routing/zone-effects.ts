// Which road edges a zone or access constraint touches: flatbush candidates, then exact geometry.
// Costs O(log n + k) per change (issue: "finding what a zone touches costs O(log n + k)").
import type { Lineal, Polygonal } from '@corridor/protocol';
import { nearestOnSegment, polylineTouchesArea, projectArea, type ProjectedArea } from './geometry.js';
import { haversineM, type RoadGraph } from './road-graph.js';

/**
 * Edges whose geometry comes within `standoffM` metres of the area (0: intersects it), ascending.
 * @example edgesTouchingArea(graph, projectArea(zone.area), zone.standoffM ?? 0)
 */
export function edgesTouchingArea(graph: RoadGraph, area: ProjectedArea, standoffM = 0): Int32Array {
  const [w, s, e, n] = area.bbox;
  const dy = standoffM / area.ky;
  const dx = standoffM / area.kx;
  const hits = graph.index.search(w - dx, s - dy, e + dx, n + dy);
  const out: number[] = [];
  const { geomOffset, geomCoords } = graph.data;
  for (const edge of hits) {
    if (polylineTouchesArea(area, geomCoords, geomOffset[edge], geomOffset[edge + 1], standoffM)) out.push(edge);
  }
  return Int32Array.from(out.sort((a, b) => a - b));
}

/** How close a road must run to a constraint line to count as that road, metres. */
export const LINE_MATCH_TOLERANCE_M = 12;
const SAMPLE_STEP_M = 4;
/** Largest angle between the line and the road for a sample to count, degrees. */
const MAX_ANGLE_DEG = 35;

/**
 * Edges a constraint line runs along: sampled every few metres, a sample counts for a road within
 * {@link LINE_MATCH_TOLERANCE_M} running in about the same direction; a road is matched when the line
 * follows it for half its length or 100 m. A line that only crosses a road does not match it; a
 * road running alongside within the tolerance (a dual carriageway's other side) does.
 */
export function edgesAlongLine(graph: RoadGraph, line: Lineal): Int32Array {
  const parts = line.type === 'LineString' ? [line.coordinates] : line.coordinates;
  const credit = new Map<number, number>();
  const { geomOffset, geomCoords } = graph.data;
  const cosMax = Math.cos((MAX_ANGLE_DEG * Math.PI) / 180);
  for (const part of parts) {
    for (let i = 0; i + 1 < part.length; i++) {
      const [x1, y1] = part[i];
      const [x2, y2] = part[i + 1];
      const ky = 111_320;
      const kx = ky * Math.cos((((y1 + y2) / 2) * Math.PI) / 180);
      const segLen = haversineM(x1, y1, x2, y2);
      if (segLen === 0) continue;
      const ux = ((x2 - x1) * kx) / Math.hypot((x2 - x1) * kx, (y2 - y1) * ky);
      const uy = ((y2 - y1) * ky) / Math.hypot((x2 - x1) * kx, (y2 - y1) * ky);
      const steps = Math.max(1, Math.ceil(segLen / SAMPLE_STEP_M));
      const step = segLen / steps;
      for (let k = 0; k < steps; k++) {
        const t = (k + 0.5) / steps;
        const px = x1 + (x2 - x1) * t;
        const py = y1 + (y2 - y1) * t;
        const rx = LINE_MATCH_TOLERANCE_M / kx;
        const ry = LINE_MATCH_TOLERANCE_M / ky;
        for (const edge of graph.index.search(px - rx, py - ry, px + rx, py + ry)) {
          // Nearest segment of the edge to the sample, and whether it runs the same way.
          let bestD = Infinity;
          let bestCos = 0;
          for (let j = geomOffset[edge]; j + 1 < geomOffset[edge + 1]; j++) {
            const ax = (geomCoords[2 * j] - px) * kx;
            const ay = (geomCoords[2 * j + 1] - py) * ky;
            const bx = (geomCoords[2 * j + 2] - px) * kx;
            const by = (geomCoords[2 * j + 3] - py) * ky;
            const dx = bx - ax;
            const dy = by - ay;
            if (dx === 0 && dy === 0) continue;
            const tt = nearestOnSegment(ax, ay, bx, by);
            const d = Math.hypot(ax + tt * dx, ay + tt * dy);
            if (d < bestD) {
              bestD = d;
              bestCos = Math.abs((dx * ux + dy * uy) / Math.hypot(dx, dy));
            }
          }
          if (bestD <= LINE_MATCH_TOLERANCE_M && bestCos >= cosMax) credit.set(edge, (credit.get(edge) ?? 0) + step);
        }
      }
    }
  }
  const out: number[] = [];
  for (const [edge, metres] of credit) {
    if (metres >= Math.min(100, 0.5 * graph.data.edgeLenM[edge])) out.push(edge);
  }
  return Int32Array.from(out.sort((a, b) => a - b));
}

/** Edges an access constraint applies to: a polygon's touching edges, or the roads a line follows. */
export function edgesOfGeometry(graph: RoadGraph, geometry: Polygonal | Lineal, standoffM = 0): Int32Array {
  if (geometry.type === 'Polygon' || geometry.type === 'MultiPolygon') return edgesTouchingArea(graph, projectArea(geometry), standoffM);
  return edgesAlongLine(graph, geometry);
}

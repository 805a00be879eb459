// Plane geometry for zones against roads and routes, in a local metric projection: touches, distance,
// length inside. Pure and allocation-light, since zone changes run it on the server's hot path.
import type { Polygonal } from '@corridor/protocol';

const RAD = Math.PI / 180;
/** Metres per degree of latitude (equirectangular; error < 0.5 % within a city-sized zone). */
const M_PER_DEG = 111_320;

/** A polygonal area projected to metres around its own latitude, with a bbox in degrees. */
export interface ProjectedArea {
  /** Metres per degree of longitude and latitude at the area's latitude. */
  kx: number;
  ky: number;
  /** Polygons, each a list of rings (first outer, then holes), flat [x0, y0, x1, y1, ...] in metres. */
  polygons: Float64Array[][];
  /** [west, south, east, north] of the area, degrees, before any stand-off. */
  bbox: [number, number, number, number];
  /** Same bbox in metres. */
  mbox: [number, number, number, number];
  /** A circle holding every vertex (centre of the metre box, largest vertex distance), metres. */
  cx: number;
  cy: number;
  r: number;
}

/** Projects a Polygon or MultiPolygon (lon/lat) to metres; see {@link ProjectedArea}. */
export function projectArea(area: Polygonal): ProjectedArea {
  const polys = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const poly of polys)
    for (const ring of poly)
      for (const [x, y] of ring) {
        if (x < w) w = x;
        if (x > e) e = x;
        if (y < s) s = y;
        if (y > n) n = y;
      }
  const ky = M_PER_DEG;
  const kx = M_PER_DEG * Math.cos(((s + n) / 2) * RAD);
  const polygons = polys.map((poly) =>
    poly.map((ring) => {
      const flat = new Float64Array(ring.length * 2);
      ring.forEach(([x, y], i) => {
        flat[2 * i] = x * kx;
        flat[2 * i + 1] = y * ky;
      });
      return flat;
    }),
  );
  const mbox: [number, number, number, number] = [w * kx, s * ky, e * kx, n * ky];
  const cx = (mbox[0] + mbox[2]) / 2;
  const cy = (mbox[1] + mbox[3]) / 2;
  let r2 = 0;
  for (const poly of polygons)
    for (const ring of poly)
      for (let i = 0; i < ring.length; i += 2) r2 = Math.max(r2, (ring[i] - cx) ** 2 + (ring[i + 1] - cy) ** 2);
  return { kx, ky, polygons, bbox: [w, s, e, n], mbox, cx, cy, r: Math.sqrt(r2) };
}

/** Whether a projected point lies inside the area (even-odd per polygon, so holes are outside). */
export function pointInArea(a: ProjectedArea, x: number, y: number): boolean {
  if (x < a.mbox[0] || x > a.mbox[2] || y < a.mbox[1] || y > a.mbox[3]) return false;
  for (const poly of a.polygons) {
    let inside = false;
    for (const ring of poly) {
      const m = ring.length / 2;
      for (let i = 0, j = m - 1; i < m; j = i++) {
        const xi = ring[2 * i];
        const yi = ring[2 * i + 1];
        const xj = ring[2 * j];
        const yj = ring[2 * j + 1];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    if (inside) return true;
  }
  return false;
}

/**
 * Where on segment AB (0 at A, 1 at B) the point nearest the origin lies; 0 for a segment of no length.
 * Callers shift coordinates so the point of interest is the origin.
 * @example nearestOnSegment(-1, 1, 1, 1) // 0.5
 */
export function nearestOnSegment(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  return l2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / l2)) : 0;
}

function segPointDist2(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  let t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const qx = ax + t * dx - px;
  const qy = ay + t * dy - py;
  return qx * qx + qy * qy;
}

function cross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** Whether R lies in the box of PQ (R already known to be on the line PQ). */
function onSegment(px: number, py: number, qx: number, qy: number, rx: number, ry: number): boolean {
  return Math.min(px, qx) <= rx && rx <= Math.max(px, qx) && Math.min(py, qy) <= ry && ry <= Math.max(py, qy);
}

/** Whether segments AB and CD intersect (touching counts). */
function segmentsIntersect(
  ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number,
): boolean {
  const d1 = cross(cx, cy, dx, dy, ax, ay);
  const d2 = cross(cx, cy, dx, dy, bx, by);
  const d3 = cross(ax, ay, bx, by, cx, cy);
  const d4 = cross(ax, ay, bx, by, dx, dy);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  if (d1 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return true;
  if (d2 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return true;
  if (d3 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return true;
  if (d4 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return true;
  return false;
}

/** Squared distance between projected segments AB and CD, m² (0 when they cross). */
function segSegDist2(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): number {
  if (segmentsIntersect(ax, ay, bx, by, cx, cy, dx, dy)) return 0;
  return Math.min(
    segPointDist2(ax, ay, bx, by, cx, cy),
    segPointDist2(ax, ay, bx, by, dx, dy),
    segPointDist2(cx, cy, dx, dy, ax, ay),
    segPointDist2(cx, cy, dx, dy, bx, by),
  );
}

/**
 * Distance from projected segment AB to the area, metres (0 when it touches or enters it).
 * Stops early and returns a value ≤ `within` as soon as the distance is known to be ≤ `within`.
 */
export function segmentAreaDistance(a: ProjectedArea, ax: number, ay: number, bx: number, by: number, within = 0): number {
  if (pointInArea(a, ax, ay) || pointInArea(a, bx, by)) return 0;
  return Math.sqrt(segmentRingsDist2(a, ax, ay, bx, by, Infinity, within * within));
}

/** Lower bound of the distance between a projected segment's box and the area's box, metres. */
function boxGap(a: ProjectedArea, ax: number, ay: number, bx: number, by: number): number {
  const gx = Math.max(0, a.mbox[0] - Math.max(ax, bx), Math.min(ax, bx) - a.mbox[2]);
  const gy = Math.max(0, a.mbox[1] - Math.max(ay, by), Math.min(ay, by) - a.mbox[3]);
  return Math.hypot(gx, gy);
}

/**
 * Whether a lon/lat polyline comes within `standoffM` metres of the area (0: intersects it).
 * @example polylineTouchesArea(projectArea(square), [[0, 0], [1, 1]], 0)
 */
export function polylineTouchesArea(a: ProjectedArea, coords: ArrayLike<number>, start: number, end: number, standoffM: number): boolean {
  for (let k = start; k + 1 < end; k++) {
    const ax = coords[2 * k] * a.kx;
    const ay = coords[2 * k + 1] * a.ky;
    const bx = coords[2 * k + 2] * a.kx;
    const by = coords[2 * k + 3] * a.ky;
    if (boxGap(a, ax, ay, bx, by) > standoffM) continue;
    if (segmentAreaDistance(a, ax, ay, bx, by, standoffM) <= standoffM) return true;
  }
  return false;
}

/**
 * Distance from a lon/lat polyline to the area, metres (0 if it touches or lies inside), or
 * `Infinity` when it is known to be at least `atLeast` (callers after a minimum pass their best).
 * Each segment's distance to the area's enclosing circle is a lower bound of its true distance:
 * the segment nearest that circle is measured first, then only segments whose bound beats the best
 * so far, so a route of hundreds of segments costs a few exact measurements, not hundreds.
 */
export function polylineAreaDistance(a: ProjectedArea, line: readonly [number, number][], atLeast = Infinity): number {
  const n = line.length;
  if (n === 0) return Infinity;
  const bound = new Float64Array(Math.max(0, n - 1));
  let first = -1;
  for (let k = 0; k + 1 < n; k++) {
    const d = Math.sqrt(segPointDist2(line[k][0] * a.kx, line[k][1] * a.ky, line[k + 1][0] * a.kx, line[k + 1][1] * a.ky, a.cx, a.cy)) - a.r;
    bound[k] = d > 0 ? d : 0;
    if (first < 0 || bound[k] < bound[first]) first = k;
  }
  let best2 = atLeast * atLeast;
  let found = false;
  const measure = (k: number): boolean => {
    const b = bound[k];
    if (b * b >= best2) return false;
    const d2 = segmentRingsDist2(a, line[k][0] * a.kx, line[k][1] * a.ky, line[k + 1][0] * a.kx, line[k + 1][1] * a.ky, best2);
    if (d2 < best2) {
      best2 = d2;
      found = true;
    }
    return d2 === 0;
  };
  if (first >= 0) {
    if (measure(first)) return 0;
    for (let k = 0; k + 1 < n; k++) if (k !== first && measure(k)) return 0;
  }
  // No edge crossing: the polyline is wholly inside or wholly outside; one vertex tells which.
  if (pointInArea(a, line[0][0] * a.kx, line[0][1] * a.ky)) return 0;
  return found ? Math.sqrt(best2) : Infinity;
}

/**
 * Least squared distance from projected segment AB to the area's rings, m² (0 when it crosses one),
 * or `below` when none is nearer; stops at the first ring segment within `enough²` (0: only on contact).
 */
function segmentRingsDist2(a: ProjectedArea, ax: number, ay: number, bx: number, by: number, below: number, enough2 = 0): number {
  let best2 = below;
  for (const poly of a.polygons)
    for (const ring of poly) {
      const m = ring.length / 2;
      for (let i = 0; i + 1 < m; i++) {
        const d2 = segSegDist2(ax, ay, bx, by, ring[2 * i], ring[2 * i + 1], ring[2 * i + 2], ring[2 * i + 3]);
        if (d2 <= enough2) return d2;
        if (d2 < best2) best2 = d2;
      }
    }
  return best2;
}

/**
 * Length of a lon/lat polyline inside the union of the areas, metres (each segment is cut at every
 * ring crossing and the middle of each part tested, so overlapping areas count once).
 */
export function lengthInsideM(areas: readonly ProjectedArea[], line: readonly [number, number][]): number {
  if (areas.length === 0) return 0;
  let total = 0;
  const a0 = areas[0];
  for (let k = 0; k + 1 < line.length; k++) {
    const ts: number[] = [0, 1];
    for (const a of areas) {
      const ax = line[k][0] * a.kx;
      const ay = line[k][1] * a.ky;
      const bx = line[k + 1][0] * a.kx;
      const by = line[k + 1][1] * a.ky;
      if (boxGap(a, ax, ay, bx, by) > 0) continue;
      for (const poly of a.polygons)
        for (const ring of poly) {
          const m = ring.length / 2;
          for (let i = 0; i + 1 < m; i++) {
            const cx = ring[2 * i];
            const cy = ring[2 * i + 1];
            const ex = ring[2 * i + 2] - cx;
            const ey = ring[2 * i + 3] - cy;
            const rx = bx - ax;
            const ry = by - ay;
            const den = rx * ey - ry * ex;
            if (den === 0) continue;
            const t = ((cx - ax) * ey - (cy - ay) * ex) / den;
            const u = ((cx - ax) * ry - (cy - ay) * rx) / den;
            if (t > 0 && t < 1 && u >= 0 && u <= 1) ts.push(t);
          }
        }
    }
    ts.sort((p, q) => p - q);
    const lenM = Math.hypot((line[k + 1][0] - line[k][0]) * a0.kx, (line[k + 1][1] - line[k][1]) * a0.ky);
    for (let i = 0; i + 1 < ts.length; i++) {
      const tm = (ts[i] + ts[i + 1]) / 2;
      const lon = line[k][0] + (line[k + 1][0] - line[k][0]) * tm;
      const lat = line[k][1] + (line[k + 1][1] - line[k][1]) * tm;
      if (areas.some((a) => pointInArea(a, lon * a.kx, lat * a.ky))) total += (ts[i + 1] - ts[i]) * lenM;
    }
  }
  return total;
}

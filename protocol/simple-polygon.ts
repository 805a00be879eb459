// Finds where a polygon's rings cross themselves or each other, stopping at the first crossing, in
// O(n log n) time (a Shamos–Hoey sweep line). In @corridor/protocol, shared with the client: no Node imports.
import { orient2d } from 'robust-predicates';
import SplayTree from 'splaytree';

/** Where a polygon crosses itself: a point of the crossing and the two segments that meet there. */
export interface Crossing {
  /** A point where the two segments meet: the crossing point, or for a touch or overlap a point of it. */
  at: [number, number];
  /**
   * Ring index and segment index (segment i runs from position i to i+1 of the ring, after dropping
   * consecutive repeated positions) of the two segments; `first` is the smaller pair (ring, then segment).
   */
  first: [number, number];
  second: [number, number];
}

/**
 * A place where one polygon's rings cross themselves or each other (the first crossing the sweep meets),
 * or `undefined` when the polygon is simple.
 *
 * `rings` are the closed rings (first position repeated as last) of ONE polygon: the outer ring and its
 * holes. Every segment of every ring is checked against every other one, with these rules:
 * - Positions repeated in a row (common in GIS exports) are dropped first; only x and y are read.
 *   A ring whose last position is not its first is treated as closed by an implied last segment.
 * - Two segments adjacent in their ring (sharing the vertex between them, including the ring's last and
 *   first segments) do not cross, unless they fold back onto each other: collinear and overlapping along
 *   a positive length (a zero-width spike, A→B→A).
 * - Two other segments (same ring or different rings) cross when they meet at any point other than an
 *   endpoint that both share (same coordinates): a proper crossing, a vertex of one on the inside of the
 *   other (a T-touch) and a collinear overlap of positive length all count; two segments that only meet
 *   at a common endpoint (a ring touching itself at a vertex, a hole touching the outer ring at a
 *   vertex) do not.
 *
 * Both rules come down to one: two distinct segments cross when they share a point that is not an
 * endpoint of both (adjacent segments can only share more than their common vertex by folding back).
 * This is stricter than OGC validity on one point (a hole's vertex on the inside of an outer edge is a
 * crossing here) and looser on another (a ring may touch itself at a vertex).
 *
 * `at` is the crossing point of a proper crossing (computed in floating point), the touching vertex of
 * a T-touch, or the first point (smallest x, then y) of a collinear overlap.
 *
 * Runs in O(n log n) time and O(n) memory for n segments, worst case over the whole check (the splay
 * tree's O(log n) per operation is amortized), and stops at the first crossing found (not necessarily
 * the leftmost one). Orientation tests are exact (robust-predicates), so nearly collinear
 * input is judged as the exact coordinates say. Coordinates must be finite numbers.
 *
 * @example
 * // A bow-tie crosses itself at its centre:
 * findCrossing([[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]);
 * // → { at: [0.5, 0.5], first: [0, 0], second: [0, 2] }
 * findCrossing([[[0, 0], [1, 0], [1, 1], [0, 0]]]); // → undefined
 */
export function findCrossing(rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): Crossing | undefined {
  const segments = toSegments(rings);
  const n = segments.ring.length;
  const { lx, ly, rx, ry } = segments;

  // Events: segment id × 2 + 1 inserts the segment at its left endpoint, × 2 + 0 removes it at its
  // right endpoint. Sorted by point, x then y (the sweep line is tilted by an infinitesimal angle, so
  // a vertical segment is swept from its lower end to its upper end like any other), and removals
  // before insertions at the same point: a segment ending at p and one starting at p are never in the
  // status together, so the status only ever holds segments that meet nowhere (before a crossing).
  const events: number[] = new Array(2 * n);
  for (let s = 0; s < n; s++) {
    events[2 * s] = 2 * s;
    events[2 * s + 1] = 2 * s + 1;
  }
  events.sort((e, f) => {
    const ex = e & 1 ? lx[e >> 1] : rx[e >> 1];
    const ey = e & 1 ? ly[e >> 1] : ry[e >> 1];
    const fx = f & 1 ? lx[f >> 1] : rx[f >> 1];
    const fy = f & 1 ? ly[f >> 1] : ry[f >> 1];
    return comparePoints(ex, ey, fx, fy) || (e & 1) - (f & 1);
  });

  // The status: segments cut by the sweep line, bottom to top. Two segments that do not cross keep
  // their order as long as both are cut, so the comparison needs no sweep position: it asks on which
  // side of the segment that starts first the other one starts (or, when both start at the same point,
  // on which side the other one ends). A zero answer means the later start lies on the earlier
  // segment (a T-touch) or both run the same way from one point (an overlap): a crossing, noted here
  // and reported after the tree operation. The neighbour tests would find it too, but stopping at once
  // means the tree never works on with an order the ids made up (they only break the tie here).
  let touchA = -1;
  let touchB = -1;
  const compareSegments = (a: number, b: number): number => {
    if (a === b) return 0;
    const c = comparePoints(lx[a], ly[a], lx[b], ly[b]);
    // robust-predicates' orient2d is negative when the third point is left of (above) the line.
    const o =
      c === 0
        ? orient2d(lx[a], ly[a], rx[a], ry[a], rx[b], ry[b])
        : c < 0
          ? orient2d(lx[a], ly[a], rx[a], ry[a], lx[b], ly[b])
          : -orient2d(lx[b], ly[b], rx[b], ry[b], lx[a], ly[a]);
    if (o < 0) return -1;
    if (o > 0) return 1;
    if (touchA < 0) {
      touchA = a;
      touchB = b;
    }
    return a < b ? -1 : 1;
  };
  const status = new SplayTree<number, undefined>(compareSegments);
  const noted = () => (touchA >= 0 ? crossingOf(segments, touchA, touchB) : undefined);

  for (const e of events) {
    const s = e >> 1;
    if (e & 1) {
      const node = status.insert(s);
      const below = status.prev(node);
      const above = status.next(node);
      const found =
        noted() ??
        (below ? crossingOf(segments, below.key, s) : undefined) ??
        (above ? crossingOf(segments, s, above.key) : undefined);
      if (found) return found;
    } else {
      const node = status.find(s);
      if (!node) continue; // cannot happen: every segment is inserted before it is removed
      const below = status.prev(node);
      const above = status.next(node);
      status.remove(s);
      const found = noted() ?? (below && above ? crossingOf(segments, below.key, above.key) : undefined);
      if (found) return found;
    }
  }
  // Shamos–Hoey: every pair that became neighbours in the status was tested. Had there been a crossing,
  // take its leftmost point q. Until q the status order is right, and near q only segments through q
  // are cut, so they sit together: just before q, those already cut (one with q inside it, the other
  // through q or ending there) include a neighbouring pair that crosses; just after the insertions at
  // q, those starting there (a T-touch on one with q inside, or two overlapping from q, which the order
  // puts side by side) do. Either way it would have been found.
  return undefined;
}

/** The segments of all rings, each stored left endpoint first (x, then y), in parallel typed arrays. */
interface Segments {
  lx: Float64Array;
  ly: Float64Array;
  rx: Float64Array;
  ry: Float64Array;
  /** Ring index of each segment. */
  ring: Int32Array;
  /** Index of each segment in its ring, after dropping repeated positions. */
  index: Int32Array;
}

function toSegments(rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): Segments {
  let most = 0;
  for (const ring of rings) most += ring.length;
  const out: Segments = {
    lx: new Float64Array(most),
    ly: new Float64Array(most),
    rx: new Float64Array(most),
    ry: new Float64Array(most),
    ring: new Int32Array(most),
    index: new Int32Array(most),
  };
  let s = 0;
  const add = (r: number, i: number, ax: number, ay: number, bx: number, by: number) => {
    const forward = comparePoints(ax, ay, bx, by) < 0;
    out.lx[s] = forward ? ax : bx;
    out.ly[s] = forward ? ay : by;
    out.rx[s] = forward ? bx : ax;
    out.ry[s] = forward ? by : ay;
    out.ring[s] = r;
    out.index[s] = i;
    s++;
  };
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r];
    if (ring.length === 0) continue;
    const [x0, y0] = ring[0];
    let [px, py] = [x0, y0];
    let i = 0;
    for (let k = 1; k < ring.length; k++) {
      const x = ring[k][0];
      const y = ring[k][1];
      if (x === px && y === py) continue;
      add(r, i++, px, py, x, y);
      px = x;
      py = y;
    }
    if (i > 0 && (px !== x0 || py !== y0)) add(r, i, px, py, x0, y0);
  }
  // At most one segment per position, so the arrays are trimmed (views, no copy) to the count.
  return {
    lx: out.lx.subarray(0, s),
    ly: out.ly.subarray(0, s),
    rx: out.rx.subarray(0, s),
    ry: out.ry.subarray(0, s),
    ring: out.ring.subarray(0, s),
    index: out.index.subarray(0, s),
  };
}

/** Lexicographic order of points: x, then y. */
function comparePoints(ax: number, ay: number, bx: number, by: number): number {
  return ax < bx ? -1 : ax > bx ? 1 : ay < by ? -1 : ay > by ? 1 : 0;
}

/** The crossing of segments s and t, if they share a point that is not an endpoint of both. */
function crossingOf(seg: Segments, s: number, t: number): Crossing | undefined {
  const at = sharedPoint(seg, s, t);
  if (!at) return undefined;
  const a: [number, number] = [seg.ring[s], seg.index[s]];
  const b: [number, number] = [seg.ring[t], seg.index[t]];
  const aFirst = a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  return { at, first: aFirst ? a : b, second: aFirst ? b : a };
}

/**
 * A point shared by segments s = AB and t = CD that is not an endpoint of both, or undefined. Exact:
 * every decision is an orientation sign or a comparison of input coordinates; only the point of a
 * proper crossing is computed in floating point.
 */
function sharedPoint(seg: Segments, s: number, t: number): [number, number] | undefined {
  const [ax, ay, bx, by] = [seg.lx[s], seg.ly[s], seg.rx[s], seg.ry[s]];
  const [cx, cy, dx, dy] = [seg.lx[t], seg.ly[t], seg.rx[t], seg.ry[t]];
  const oc = orient2d(ax, ay, bx, by, cx, cy);
  const od = orient2d(ax, ay, bx, by, dx, dy);
  if ((oc > 0 && od > 0) || (oc < 0 && od < 0)) return undefined;
  const oa = orient2d(cx, cy, dx, dy, ax, ay);
  const ob = orient2d(cx, cy, dx, dy, bx, by);
  if ((oa > 0 && ob > 0) || (oa < 0 && ob < 0)) return undefined;
  if (oc === 0 && od === 0) {
    // Collinear: both run left to right, so they share [later start, earlier end]; a single shared
    // point there is an end of one and the start of the other, i.e. a common endpoint.
    const startsC = comparePoints(ax, ay, cx, cy) < 0;
    const endsB = comparePoints(bx, by, dx, dy) < 0;
    const [sx, sy] = startsC ? [cx, cy] : [ax, ay];
    const [ex, ey] = endsB ? [bx, by] : [dx, dy];
    return comparePoints(sx, sy, ex, ey) < 0 ? [sx, sy] : undefined;
  }
  // Not collinear: the lines meet at one point, which lies on both segments. When an orientation is
  // zero that point is the endpoint it names, and it is harmless only if it ends the other one too.
  const isEndOfS = (x: number, y: number) => (x === ax && y === ay) || (x === bx && y === by);
  const isEndOfT = (x: number, y: number) => (x === cx && y === cy) || (x === dx && y === dy);
  if (oc === 0) return isEndOfS(cx, cy) ? undefined : [cx, cy];
  if (od === 0) return isEndOfS(dx, dy) ? undefined : [dx, dy];
  if (oa === 0) return isEndOfT(ax, ay) ? undefined : [ax, ay];
  if (ob === 0) return isEndOfT(bx, by) ? undefined : [bx, by];
  // A proper crossing: the point along AB, clamped so rounding cannot put it past an end.
  const [ux, uy, vx, vy] = [bx - ax, by - ay, dx - cx, dy - cy];
  const k = Math.min(1, Math.max(0, ((cx - ax) * vy - (cy - ay) * vx) / (ux * vy - uy * vx)));
  return [ax + k * ux, ay + k * uy];
}

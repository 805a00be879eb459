// A route line made ready for matching reports to it (routing/): its segments in a spatial index
// (Flatbush over a local metric projection) and the distance along it at each vertex, so matching a
// position costs O(log n) in the line's length, not a scan (issue 12, P21).
import CheapRuler from 'cheap-ruler';
import Flatbush from 'flatbush';

/** Where a point lies against a line. */
export interface LineMatch {
  /** Distance along the line to the point's projection on it, metres. */
  along_m: number;
  /** Distance from the point to the line, metres. */
  offset_m: number;
  /** The projected point, [lon, lat]. */
  at: [number, number];
}

/** A place on one segment: its index, the fraction along it, and the distance to the point matched, metres. */
interface SegmentMatch {
  seg: number;
  t: number;
  d: number;
}

/** How far the best match may be passed over for one nearer the expected place along the line, metres. */
const AMBIGUITY_M = 40;

/**
 * One route line, indexed. Coordinates are projected once onto a flat plane in metres around the
 * line's mean latitude (cheap-ruler's factors: within 0.1 % over a few hundred kilometres).
 */
export class CorridorLine {
  /** Length of the line, metres. */
  readonly length_m: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  /** Distance along the line at each vertex, metres. */
  private readonly cumulative: Float64Array;
  private readonly index: Flatbush;
  private readonly kx: number;
  private readonly ky: number;

  constructor(coordinates: readonly (readonly [number, number] | readonly number[])[]) {
    if (coordinates.length < 2) throw new Error(`a corridor line needs two positions or more, got ${coordinates.length}`);
    let latSum = 0;
    for (const c of coordinates) latSum += c[1];
    const ruler = new CheapRuler(latSum / coordinates.length, 'meters');
    this.kx = ruler.kx;
    this.ky = ruler.ky;
    const n = coordinates.length;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.cumulative = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.xs[i] = coordinates[i][0] * this.kx;
      this.ys[i] = coordinates[i][1] * this.ky;
      if (i > 0) this.cumulative[i] = this.cumulative[i - 1] + Math.hypot(this.xs[i] - this.xs[i - 1], this.ys[i] - this.ys[i - 1]);
    }
    this.length_m = this.cumulative[n - 1];
    this.index = new Flatbush(n - 1);
    for (let i = 0; i < n - 1; i++) {
      const x0 = this.xs[i];
      const x1 = this.xs[i + 1];
      const y0 = this.ys[i];
      const y1 = this.ys[i + 1];
      this.index.add(Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1));
    }
    this.index.finish();
  }

  /**
   * Matches a position to the line: the nearest place on it, or, where the line passes within
   * {@link AMBIGUITY_M} of that distance more than once (a loop, a road taken both ways), the one
   * nearest `expected_m` along it (the last match, so a convoy is not thrown back or ahead).
   * Two nearest-box queries of the index: O(log n + k), k the segments within reach.
   */
  match(lon: number, lat: number, expected_m?: number): LineMatch {
    const px = lon * this.kx;
    const py = lat * this.ky;
    // The nearest few boxes give an upper bound on the nearest exact distance; every segment within
    // that bound plus the ambiguity margin has its box within it too, so the second query holds every
    // candidate, and only those.
    let bound = Infinity;
    for (const seg of this.index.neighbors(px, py, 4)) bound = Math.min(bound, this.segmentMatch(seg, px, py).d);
    let best: SegmentMatch | undefined;
    const candidates: SegmentMatch[] = [];
    for (const seg of this.index.neighbors(px, py, Infinity, bound + AMBIGUITY_M)) {
      const found = this.segmentMatch(seg, px, py);
      candidates.push(found);
      if (!best || found.d < best.d) best = found;
    }
    const chosen = this.pick(best!, candidates, expected_m);
    const along = this.cumulative[chosen.seg] + chosen.t * (this.cumulative[chosen.seg + 1] - this.cumulative[chosen.seg]);
    const x = this.xs[chosen.seg] + chosen.t * (this.xs[chosen.seg + 1] - this.xs[chosen.seg]);
    const y = this.ys[chosen.seg] + chosen.t * (this.ys[chosen.seg + 1] - this.ys[chosen.seg]);
    return { along_m: along, offset_m: chosen.d, at: [x / this.kx, y / this.ky] };
  }

  /** The point at a distance along the line, [lon, lat]; clamped to its ends. */
  pointAt(along_m: number): [number, number] {
    const a = Math.max(0, Math.min(this.length_m, along_m));
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] <= a) lo = mid;
      else hi = mid;
    }
    const span = this.cumulative[hi] - this.cumulative[lo];
    const t = span === 0 ? 0 : (a - this.cumulative[lo]) / span;
    return [(this.xs[lo] + t * (this.xs[hi] - this.xs[lo])) / this.kx, (this.ys[lo] + t * (this.ys[hi] - this.ys[lo])) / this.ky];
  }

  /** The line from a distance along it to its end, [lon, lat] positions (two at least). */
  from(along_m: number): [number, number][] {
    const a = Math.max(0, Math.min(this.length_m, along_m));
    const out: [number, number][] = [this.pointAt(a)];
    for (let i = 0; i < this.cumulative.length; i++) {
      if (this.cumulative[i] <= a) continue;
      out.push([this.xs[i] / this.kx, this.ys[i] / this.ky]);
    }
    if (out.length === 1) out.push(out[0]);
    return out;
  }

  /** Among matches about as near as the best, the one nearest the expected distance along the line. */
  private pick(best: SegmentMatch, candidates: SegmentMatch[], expected_m: number | undefined) {
    if (expected_m === undefined || candidates.length < 2) return best;
    let chosen = best;
    let gap = Infinity;
    for (const c of candidates) {
      if (c.d > best.d + AMBIGUITY_M) continue;
      const along = this.cumulative[c.seg] + c.t * (this.cumulative[c.seg + 1] - this.cumulative[c.seg]);
      const g = Math.abs(along - expected_m);
      if (g < gap) {
        gap = g;
        chosen = c;
      }
    }
    return chosen;
  }

  /** The nearest place on one segment to a projected point: the fraction along it and the distance, metres. */
  private segmentMatch(seg: number, px: number, py: number): SegmentMatch {
    const x0 = this.xs[seg];
    const y0 = this.ys[seg];
    const dx = this.xs[seg + 1] - x0;
    const dy = this.ys[seg + 1] - y0;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
    return { seg, t, d: Math.hypot(x0 + t * dx - px, y0 + t * dy - py) };
  }
}

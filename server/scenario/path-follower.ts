// Pure geometry for simulated units: moving a point along a road path by a distance, with the
// heading of the segment it is on (server/scenario). Distances by cheap-ruler, metres.
import CheapRuler from 'cheap-ruler';

export type LonLat = [number, number];

/** Where a unit is on its path: segment `seg` runs from path[seg] to path[seg + 1]. */
export interface PathCursor {
  seg: number;
  /** Metres travelled along the current segment. */
  offsetM: number;
}

/** The result of one move along a path. */
export interface PathStep {
  cursor: PathCursor;
  point: LonLat;
  /** Degrees clockwise from true north, [0, 360): the bearing of the segment moved along. */
  headingDeg: number;
  /** Whether the end of the path has been reached. */
  done: boolean;
  /** Metres actually moved (less than asked at the end of the path). */
  movedM: number;
}

/** A ruler for distances around a latitude, metres. */
export function rulerAt(lat: number): CheapRuler {
  return new CheapRuler(lat, 'meters');
}

/**
 * Bearing from `a` to `b`, degrees clockwise from north in [0, 360).
 * @example bearingDeg(rulerAt(57.7), [12, 57.7], [12, 57.8]) // 0
 */
export function bearingDeg(ruler: CheapRuler, a: LonLat, b: LonLat): number {
  const deg = ruler.bearing(a, b);
  const n = ((deg % 360) + 360) % 360;
  // 359.99999 rounds to 360 on the wire, which is allowed but odd; keep [0, 360).
  return n >= 360 ? 0 : n;
}

/**
 * Moves `distM` metres along `path` from `cursor`; zero-length segments are skipped.
 * @example advanceAlong(rulerAt(57.7), [[12, 57.7], [12, 57.701]], { seg: 0, offsetM: 0 }, 50).point // ≈ [12, 57.70045]
 */
export function advanceAlong(ruler: CheapRuler, path: readonly LonLat[], cursor: PathCursor, distM: number): PathStep {
  let seg = cursor.seg;
  let offset = cursor.offsetM;
  let left = Math.max(0, distM);
  let moved = 0;
  let heading = 0;
  while (seg < path.length - 1) {
    const a = path[seg];
    const b = path[seg + 1];
    const len = ruler.distance(a, b);
    if (len > 0) heading = bearingDeg(ruler, a, b);
    if (offset + left < len) {
      offset += left;
      moved += left;
      const t = offset / len;
      return {
        cursor: { seg, offsetM: offset },
        point: [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t],
        headingDeg: heading,
        done: false,
        movedM: moved,
      };
    }
    const rest = Math.max(0, len - offset);
    left -= rest;
    moved += rest;
    seg += 1;
    offset = 0;
  }
  const last = path[path.length - 1];
  return { cursor: { seg: Math.max(0, path.length - 1), offsetM: 0 }, point: [last[0], last[1]], headingDeg: heading, done: true, movedM: moved };
}

/** Length of a path, metres. */
export function pathLengthM(ruler: CheapRuler, path: readonly LonLat[]): number {
  return path.length < 2 ? 0 : ruler.lineDistance(path as LonLat[]);
}

// Tests of the polygon crossing check (protocol/simple-polygon.ts): a property test against a
// brute-force O(n²) oracle on small random polygons full of degenerate cases, plus named cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findCrossing, type Crossing } from '@corridor/protocol/simple-polygon';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`simple-polygon property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

type Pt = readonly [number, number];
type Ring = Pt[];

// ---------------------------------------------------------------- oracle

/** A ring without positions equal to the one before them (the rule findCrossing applies first). */
function dropRepeats(ring: readonly Pt[]): Pt[] {
  return ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1]);
}

/**
 * Twice the signed area of triangle o, a, b. Exact for the generated coordinates (multiples of 1/32
 * within ±16, so every product fits in a double's 53 bits), so the oracle needs no robust arithmetic.
 */
const cross = (o: Pt, a: Pt, b: Pt) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
const same = (p: Pt, q: Pt) => p[0] === q[0] && p[1] === q[1];
const between = (v: number, a: number, b: number) => Math.min(a, b) <= v && v <= Math.max(a, b);
/** p lies on the closed segment ab. */
const onSegment = (p: Pt, a: Pt, b: Pt) => cross(a, b, p) === 0 && between(p[0], a[0], b[0]) && between(p[1], a[1], b[1]);

/** Length (along x, or y for a vertical a) of the overlap of collinear segments ab and cd; < 0 if apart. */
function collinearOverlap(a: Pt, b: Pt, c: Pt, d: Pt): number {
  const k = a[0] === b[0] ? 1 : 0;
  const lo = Math.max(Math.min(a[k], b[k]), Math.min(c[k], d[k]));
  const hi = Math.min(Math.max(a[k], b[k]), Math.max(c[k], d[k]));
  return hi - lo;
}

/** The rules of findCrossing's TSDoc, written out literally for one pair of segments ab and cd. */
function pairCrosses(a: Pt, b: Pt, c: Pt, d: Pt, adjacent: boolean): boolean {
  const collinear = cross(a, b, c) === 0 && cross(a, b, d) === 0;
  // Adjacent segments: only folding back (collinear, overlapping along a positive length) counts.
  if (adjacent) return collinear && collinearOverlap(a, b, c, d) > 0;
  if (collinear) return collinearOverlap(a, b, c, d) > 0;
  // A proper crossing: each segment's ends strictly on both sides of the other.
  const s1 = Math.sign(cross(a, b, c)) * Math.sign(cross(a, b, d));
  const s2 = Math.sign(cross(c, d, a)) * Math.sign(cross(c, d, b));
  if (s1 < 0 && s2 < 0) return true;
  // A touch: an end of one on the other, which is a crossing unless it is an end of both.
  for (const [p, q, r] of [
    [c, a, b],
    [d, a, b],
    [a, c, d],
    [b, c, d],
  ] as const) {
    if (onSegment(p, q, r) && !same(p, q) && !same(p, r)) return true;
  }
  return false;
}

interface Seg {
  ring: number;
  index: number;
  a: Pt;
  b: Pt;
  /** Number of segments in the ring. */
  m: number;
}

function segmentsOf(rings: readonly Ring[]): Seg[] {
  const out: Seg[] = [];
  rings.forEach((ring, r) => {
    const pts = dropRepeats(ring);
    const m = pts.length - 1;
    for (let i = 0; i < m; i++) out.push({ ring: r, index: i, a: pts[i], b: pts[i + 1], m });
  });
  return out;
}

const areAdjacent = (s: Seg, t: Seg) =>
  s.ring === t.ring && ((s.index + 1) % s.m === t.index || (t.index + 1) % t.m === s.index);

/** Brute force: does any pair of segments cross? O(n²). */
function oracle(rings: readonly Ring[]): boolean {
  const segs = segmentsOf(rings);
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      const [s, t] = [segs[i], segs[j]];
      if (pairCrosses(s.a, s.b, t.a, t.b, areAdjacent(s, t))) return true;
    }
  }
  return false;
}

/** Distance from p to segment ab. */
function distance(p: Pt, a: Pt, b: Pt): number {
  const [ux, uy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * ux + (p[1] - a[1]) * uy) / (ux * ux + uy * uy)));
  return Math.hypot(p[0] - a[0] - t * ux, p[1] - a[1] - t * uy);
}

/** The reported segments exist, cross by the oracle's rules, and `at` lies on both (1e-9 relative). */
function expectValid(rings: readonly Ring[], found: Crossing) {
  const segs = segmentsOf(rings);
  const find = ([r, i]: [number, number]) => segs.find((s) => s.ring === r && s.index === i);
  const s = find(found.first);
  const t = find(found.second);
  expect(s, 'first segment exists').toBeDefined();
  expect(t, 'second segment exists').toBeDefined();
  if (!s || !t) return;
  expect(found.first[0] < found.second[0] || (found.first[0] === found.second[0] && found.first[1] < found.second[1])).toBe(true);
  expect(pairCrosses(s.a, s.b, t.a, t.b, areAdjacent(s, t)), 'the reported pair crosses').toBe(true);
  const scale = Math.max(1, ...[s.a, s.b, t.a, t.b].flat().map(Math.abs));
  expect(distance(found.at, s.a, s.b)).toBeLessThanOrEqual(1e-9 * scale);
  expect(distance(found.at, t.a, t.b)).toBeLessThanOrEqual(1e-9 * scale);
}

// ---------------------------------------------------------------- generators

const close = (pts: Pt[]): Ring => [...pts, pts[0]];

/**
 * A ring of 3–12 vertices from `point`: in drawn order (crossings likely) or sorted by angle around a
 * centre off the grid (star-shaped, so simple unless degenerate), with some positions repeated in a row.
 */
const ringFrom = (point: fc.Arbitrary<Pt>, centre: Pt) =>
  fc
    .record({
      pts: fc.array(point, { minLength: 3, maxLength: 12 }),
      star: fc.boolean(),
      repeats: fc.array(fc.nat(11), { maxLength: 2 }),
    })
    .map(({ pts, star, repeats }) => {
      const angle = (p: Pt) => Math.atan2(p[1] - centre[1], p[0] - centre[0]);
      const ordered = star ? [...pts].sort((p, q) => angle(p) - angle(q)) : pts;
      const withRepeats = ordered.flatMap((p, i) => (repeats.includes(i) ? [p, p] : [p]));
      return close(withRepeats);
    });

/** Integer grid 0..4: touching vertices, collinear overlaps and vertical segments are common. */
const grid = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })) as fc.Arbitrary<Pt>;
/** Half steps in 1..3, for holes inside a grid ring. */
const innerGrid = grid.map(([x, y]) => [1 + x / 2, 1 + y / 2] as Pt);
/** Multiples of 1/16 in -16..16: fewer degenerate cases, still exact for the oracle. */
const fine = fc.tuple(fc.integer({ min: -256, max: 256 }), fc.integer({ min: -256, max: 256 })).map(([x, y]) => [x / 16, y / 16] as Pt);
const fineInner = fine.map(([x, y]) => [x / 2, y / 2] as Pt);

const centre: Pt = [2.03, 1.97];
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

/** An outer ring and a hole built partly from the outer ring's vertices, so they often touch there. */
const touchingHole = ringFrom(grid, centre).chain((outer) =>
  ringFrom(fc.oneof(fc.constantFrom(...outer), innerGrid), centre).map((hole) => [outer, hole]),
);

/**
 * One ring of up to 12 vertices through a vertex V = (2, v) twice: a loop through points left of x = 2
 * and a loop through points right of it, each sorted by angle around its own centre (a figure of eight), so simple when
 * each loop is and they meet only at V.
 */
const eight = fc
  .record({
    v: fc.integer({ min: 0, max: 4 }),
    left: fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 4 })), { minLength: 2, maxLength: 5 }),
    right: fc.array(fc.tuple(fc.integer({ min: 3, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 2, maxLength: 5 }),
  })
  .map(({ v, left, right }) => {
    const V: Pt = [2, v];
    const loop = (pts: Pt[], c: Pt): Pt[] => {
      const angle = (p: Pt) => Math.atan2(p[1] - c[1], p[0] - c[0]);
      const sorted = [V, ...pts].sort((p, q) => angle(p) - angle(q));
      const at = sorted.indexOf(V);
      return [...sorted.slice(at), ...sorted.slice(0, at)];
    };
    return [close([...loop(left, [1.03, v + 0.03]), ...loop(right, [2.97, v - 0.03])])];
  });

/**
 * An outer ring through some of the 16 grid points on the border of the 4 × 4 square (so often with
 * straight-through vertices) and a hole inside it, which touches the border where it uses grid points.
 */
const boxed = fc
  .record({
    border: fc.subarray(
      [0, 1, 2, 3].flatMap((i): Pt[] => [
        [i, 0],
        [4, i],
        [4 - i, 4],
        [0, 4 - i],
      ]),
      { minLength: 3 },
    ),
    hole: ringFrom(fc.oneof(innerGrid, grid), centre),
  })
  .map(({ border, hole }) => {
    const angle = (p: Pt) => Math.atan2(p[1] - centre[1], p[0] - centre[0]);
    return [close([...border].sort((p, q) => angle(p) - angle(q))), hole];
  });

const polygon: fc.Arbitrary<Ring[]> = fc.oneof(
  fc.tuple(ringFrom(grid, centre), maybe(ringFrom(innerGrid, centre))).map(([outer, hole]) => (hole ? [outer, hole] : [outer])),
  fc.tuple(ringFrom(fine, [0.01, -0.02]), maybe(ringFrom(fineInner, [0.01, -0.02]))).map(([o, h]) => (h ? [o, h] : [o])),
  touchingHole,
  eight,
  boxed,
);

/** The same polygon with x and y swapped: vertical segments become horizontal and the other way round. */
const transposed = (rings: readonly Ring[]) => rings.map((ring) => ring.map(([x, y]) => [y, x] as Pt));

describe('findCrossing agrees with a brute-force oracle', () => {
  it('on random small polygons (1–2 rings, 3–12 vertices, grid and finer coordinates)', () => {
    fc.assert(
      fc.property(polygon, (rings) => {
        for (const r of [rings, transposed(rings)]) {
          const found = findCrossing(r);
          expect(found !== undefined).toBe(oracle(r));
          if (found) expectValid(r, found);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  // Larger rings keep many segments in the sweep's status at once (a deeper tree, more reordering).
  it('on random star-shaped polygons of 50–200 vertices with a few edges swapped (grid 0..16)', () => {
    const bigGrid = fc.tuple(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 16 })) as fc.Arbitrary<Pt>;
    const c: Pt = [8.03, 7.97];
    const angle = (p: Pt) => Math.atan2(p[1] - c[1], p[0] - c[0]);
    const bigRing = fc
      .record({ pts: fc.array(bigGrid, { minLength: 50, maxLength: 200 }), swaps: fc.array(fc.nat(199), { maxLength: 2 }) })
      .map(({ pts, swaps }) => {
        const sorted = [...pts].sort((p, q) => angle(p) - angle(q));
        for (const i of swaps) {
          const [j, k] = [i % sorted.length, (i + 1) % sorted.length];
          [sorted[j], sorted[k]] = [sorted[k], sorted[j]];
        }
        return close(sorted);
      });
    const hole = bigRing.map((ring) => ring.map(([x, y]) => [4 + x / 2, 4 + y / 2] as Pt));
    fc.assert(
      fc.property(fc.tuple(bigRing, maybe(hole)), ([outer, inner]) => {
        const rings = inner ? [outer, inner] : [outer];
        const found = findCrossing(rings);
        expect(found !== undefined).toBe(oracle(rings));
        if (found) expectValid(rings, found);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------- named cases

/** A circle-like simple ring of n vertices around Gothenburg, radius 0.05°. */
function circle(n: number): Ring {
  const pts: Pt[] = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    pts.push([11.97 + 0.05 * Math.cos(a), 57.7 + 0.05 * Math.sin(a)]);
  }
  return close(pts);
}

/** A star polygon {n/((n−1)/2)} (n odd): each vertex joins the nearly opposite one, so edges cross everywhere. */
function star(n: number): Ring {
  const step = (n - 1) / 2;
  const pts: Pt[] = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * ((k * step) % n)) / n;
    pts.push([11.97 + 0.05 * Math.cos(a), 57.7 + 0.05 * Math.sin(a)]);
  }
  return close(pts);
}

const square: Ring = [
  [0, 0],
  [4, 0],
  [4, 4],
  [0, 4],
  [0, 0],
];

describe('findCrossing, named cases', () => {
  it('finds a bow-tie crossing near (0.5, 0.5)', () => {
    const rings: Ring[] = [
      [
        [0, 0],
        [1, 1],
        [1, 0],
        [0, 1],
        [0, 0],
      ],
    ];
    const found = findCrossing(rings);
    expect(found).toBeDefined();
    expect(found!.at[0]).toBeCloseTo(0.5, 12);
    expect(found!.at[1]).toBeCloseTo(0.5, 12);
    expect(found!.first).toEqual([0, 0]);
    expect(found!.second).toEqual([0, 2]);
  });

  it('finds a hole crossing the outer ring', () => {
    const hole: Ring = [
      [1, 1],
      [5, 2],
      [1, 3],
      [1, 1],
    ];
    const found = findCrossing([square, hole]);
    expect(found).toBeDefined();
    expect([found!.first[0], found!.second[0]]).toEqual([0, 1]);
    expect(found!.at[0]).toBeCloseTo(4, 12);
    expectValid([square, hole], found!);
  });

  it('accepts a hole touching the outer ring at a vertex', () => {
    const hole: Ring = [
      [0, 0],
      [2, 1],
      [1, 2],
      [0, 0],
    ];
    expect(findCrossing([square, hole])).toBeUndefined();
  });

  it('finds a hole vertex touching the inside of an outer edge (T-touch)', () => {
    const hole: Ring = [
      [2, 0],
      [3, 1],
      [1, 1],
      [2, 0],
    ];
    const found = findCrossing([square, hole]);
    expect(found?.at).toEqual([2, 0]);
  });

  it('accepts a ring touching itself at a vertex (figure of eight through a shared vertex)', () => {
    const eight: Ring = [
      [0, 0],
      [2, 2],
      [4, 0],
      [4, 4],
      [2, 2],
      [0, 4],
      [0, 0],
    ];
    expect(findCrossing([eight])).toBeUndefined();
  });

  it('accepts a square with a repeated position, and with its closing position repeated', () => {
    const ring: Ring = [
      [0, 0],
      [4, 0],
      [4, 0],
      [4, 4],
      [0, 4],
      [0, 0],
      [0, 0],
    ];
    expect(findCrossing([ring])).toBeUndefined();
  });

  it('finds a spike (A→B→A back along the same line inside the ring)', () => {
    const ring: Ring = [
      [0, 0],
      [4, 0],
      [4, 4],
      [2, 4],
      [2, 2],
      [2, 4],
      [0, 4],
      [0, 0],
    ];
    const found = findCrossing([ring]);
    expect(found).toMatchObject({ first: [0, 3], second: [0, 4] });
    expectValid([ring], found!);
  });

  it('finds two collinear edges overlapping (a ring running back over part of an edge)', () => {
    const ring: Ring = [
      [0, 0],
      [4, 0],
      [4, 2],
      [3, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ];
    // Edges 0 ((0,0)→(4,0)) and 3 ((3,0)→(1,0)) overlap along [1, 3] on y = 0.
    expect(findCrossing([ring])).toBeDefined();
  });

  it('judges a hole vertex 1e-14 inside an outer edge by the exact coordinates', () => {
    // C lies just left of A→B (exact orientation −1.1e-14), but plain floating-point orientation puts
    // it on the right, which would make the hole's edges from C cross edge AB.
    const a: Pt = [0.6341, 0.7967];
    const b: Pt = [22.429299999999998, 10.6833];
    const c: Pt = [9.773663481036799, 4.942530655906733];
    const outer: Ring = [a, b, [0.6341, 10.6833], a];
    const hole: Ring = [c, [c[0] - 0.5, c[1] + 1], [c[0] - 1, c[1] + 0.5], c];
    expect(findCrossing([outer, hole])).toBeUndefined();
  });

  it('accepts a simple 100,000-vertex circle-like polygon', () => {
    expect(findCrossing([circle(100_000)])).toBeUndefined();
  });

  it('finds a crossing in a 7,001-vertex self-crossing star', () => {
    const ring = star(7001);
    const found = findCrossing([ring]);
    expect(found).toBeDefined();
    expectValid([ring], found!);
  });

  it('accepts an empty polygon and a ring of one repeated position', () => {
    expect(findCrossing([])).toBeUndefined();
    expect(
      findCrossing([
        [
          [1, 1],
          [1, 1],
          [1, 1],
          [1, 1],
        ],
      ]),
    ).toBeUndefined();
  });
});

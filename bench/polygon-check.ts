// Polygon crossing check benchmark (`npx tsx bench/polygon-check.ts`): findCrossing
// (protocol/simple-polygon.ts) on simple circles, self-crossing stars and an adversarial comb,
// with turf's O(n²) kinks on the small cases for comparison. Prints a markdown table (ms per check).
import os from 'node:os';
import { kinks } from '@turf/turf';
import { findCrossing } from '@corridor/protocol/simple-polygon';

type Pt = [number, number];
type Ring = Pt[];

const RUNS = 5;

/** A circle-like simple ring of n vertices around Gothenburg, radius 0.05°. */
function circle(n: number): Ring {
  const pts: Ring = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    pts.push([11.97 + 0.05 * Math.cos(a), 57.7 + 0.05 * Math.sin(a)]);
  }
  return [...pts, pts[0]];
}

/** A star polygon {n/((n−1)/2)} (n odd): each vertex joins the nearly opposite one, ~n²/2 crossings. */
function star(n: number): Ring {
  const step = (n - 1) / 2;
  const pts: Ring = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * ((k * step) % n)) / n;
    pts.push([11.97 + 0.05 * Math.cos(a), 57.7 + 0.05 * Math.sin(a)]);
  }
  return [...pts, pts[0]];
}

/**
 * A comb of `teeth` long slanted parallel teeth on a spine, 4 × teeth + 4 vertices, integer coordinates
 * (exact). Each tooth leans 2 × teeth to the right over a height of 1000, so every tooth's bounding box
 * overlaps every other's (the worst case for a bounding-box index) though no edges meet:
 *
 *        ____ ____ ____
 *       /   //   //   /      tooth k: (2k, 0) → (2k + L, H) → (2k + 1 + L, H) → (2k + 1, 0)
 *      /   //   //   /
 *     /___//___//___/
 *     |_____________|        spine below y = 0, closed through y = −10 and −11
 *
 * With `twisted`, the last tooth's two top vertices are swapped, so its long edges cross once, in the
 * middle of the tooth (three quarters of the way through a left-to-right sweep).
 */
function comb(teeth: number, twisted: boolean): Ring {
  const L = 2 * teeth;
  const H = 1000;
  const pts: Ring = [];
  for (let k = 0; k < teeth; k++) {
    const top: Pt[] = [
      [2 * k + L, H],
      [2 * k + 1 + L, H],
    ];
    if (twisted && k === teeth - 1) top.reverse();
    pts.push([2 * k, 0], ...top, [2 * k + 1, 0]);
  }
  const end = 2 * teeth - 1;
  pts.push([end, -10], [Math.round((2 * end) / 3), -11], [Math.round(end / 3), -11], [0, -10]);
  return [...pts, pts[0]];
}

interface Row {
  name: string;
  vertices: number;
  ms: number[];
  result: string;
}

function time(name: string, ring: Ring, check: (ring: Ring) => string, warmUp: boolean): Row {
  if (warmUp) check(ring);
  const ms: number[] = [];
  let result = '';
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    result = check(ring);
    ms.push(performance.now() - t0);
  }
  process.stderr.write(`[bench] ${name}, ${ring.length - 1} vertices: ${result}\n`);
  return { name, vertices: ring.length - 1, ms: ms.sort((a, b) => a - b), result };
}

const sweep = (ring: Ring) => {
  const found = findCrossing([ring]);
  return found ? `crossing near [${found.at.map((v) => +v.toFixed(6)).join(', ')}]` : 'simple';
};
const turf = (ring: Ring) => {
  const n = kinks({ type: 'Polygon', coordinates: [ring] }).features.length;
  return n ? `${n.toLocaleString('en')} crossings` : 'simple';
};

const rows: Row[] = [];
// The first call runs in V8's interpreter (as the server's first polygon check would): timed once on
// its own, then every check is warmed up until the JIT has compiled it, so the table compares algorithms.
const t0 = performance.now();
sweep(circle(1_000));
const coldMs = performance.now() - t0;
rows.push({ name: 'circle, findCrossing, first call in the process (1 run)', vertices: 1_000, ms: [coldMs], result: 'simple' });
for (let i = 0; i < 20; i++) sweep(circle(20_000));
for (const n of [1_000, 20_000, 100_000]) rows.push(time('circle, findCrossing', circle(n), sweep, true));
for (const n of [3_001, 7_001]) rows.push(time('star, findCrossing', star(n), sweep, true));
rows.push(time('comb, findCrossing', comb(4_999, false), sweep, true));
rows.push(time('comb with a twisted last tooth, findCrossing', comb(4_999, true), sweep, true));
// kinks is O(n²) and collects every crossing (the 3,001-star has ~4.5 million, ~2.7 GB resident), so
// only the small cases, and no warm-up run for the star.
for (let i = 0; i < 20; i++) turf(circle(1_000));
rows.push(time('circle, turf kinks', circle(1_000), turf, true));
rows.push(time('star, turf kinks', star(3_001), turf, false));

const fmt = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
console.log(
  [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}. ` +
      `Each check timed ${RUNS} times after warm-up runs (none for the star under kinks), ms per check of one polygon.`,
    '',
    '| case | vertices | ms min / median / max | result |',
    '| --- | ---: | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.vertices.toLocaleString('en')} | ${fmt(r.ms[0])} / ${fmt(median(r.ms))} / ${fmt(r.ms[r.ms.length - 1])} | ${r.result} |`,
    ),
  ].join('\n'),
);

// Road names on every route (issue 18): for random routable pairs on the Gothenburg fixture
// `test/fixtures/roads/mini.geojson`, with and without a danger zone (cut edges), each leg's `roads`
// keep the contract of RoadStretch (protocol/notice.ts), and each stretch is named after the ways
// under it, checked against the ways as read (not the graph's string table).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import CheapRuler from 'cheap-ruler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyPicture, RouteLegSchema, type RouteLeg } from '@corridor/protocol';
import { buildRoadGraph, roadWaysFromGeoJson, Router } from '../../routing/index.js';
import { haversineM } from '../../routing/road-graph.js';
import { repoRoot, zone } from './helpers.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`road-names property: fast-check seed ${SEED} (FC_SEED=... to replay)`);

const ways = roadWaysFromGeoJson(JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/roads/mini.geojson'), 'utf8')));
const graph = buildRoadGraph(ways);
const ruler = new CheapRuler(57.7025, 'meters');
const legCheck = TypeCompiler.Compile(RouteLegSchema);

/** The (name, ref) labels of the ways within `maxM` metres of a point, as `name|ref`. */
function labelsNear(p: [number, number], maxM: number): Set<string> {
  const out = new Set<string>();
  for (const w of ways) {
    if (ruler.distance(p, ruler.pointOnLine(w.coordinates, p).point) <= maxM) out.add(`${w.name ?? ''}|${w.tags.ref ?? ''}`);
  }
  return out;
}

/** Every contract rule of `roads` on one leg; throws with the rule broken. */
function checkRoads(leg: RouteLeg): void {
  expect(legCheck.Check(leg), JSON.stringify([...legCheck.Errors(leg)].slice(0, 2))).toBe(true);
  const roads = leg.roads!;
  expect(roads.length).toBeGreaterThan(0);
  expect(roads[0].from).toBe(0);
  let sumM = 0;
  let sumS = 0;
  roads.forEach((s, i) => {
    expect(s.from).toBeLessThan(leg.coordinates.length);
    if (i > 0) {
      expect(s.from).toBeGreaterThan(roads[i - 1].from);
      // Consecutive stretches are of different roads (else they would be one).
      expect(`${s.name}|${s.ref}`).not.toBe(`${roads[i - 1].name}|${roads[i - 1].ref}`);
    }
    // Neither field when the way has none; never an empty or undefined one (JSON keeps what it says).
    for (const k of ['name', 'ref'] as const) if (k in s) expect(typeof s[k] === 'string' && s[k]!.length > 0).toBe(true);
    expect(Math.round(s.distance_m * 10)).toBeCloseTo(s.distance_m * 10, 6);
    expect(Math.round(s.duration_s * 10)).toBeCloseTo(s.duration_s * 10, 6);
    expect(s.distance_m).toBeGreaterThanOrEqual(0);
    expect(s.duration_s).toBeGreaterThanOrEqual(0);
    sumM += s.distance_m;
    sumS += s.duration_s;
    // Its length is the length of its part of the line (great-circle, as the router measures; the
    // vertices are rounded to 1e-7°, and a piece too short for a vertex of its own counts beside it).
    const end = i + 1 < roads.length ? roads[i + 1].from : leg.coordinates.length - 1;
    const part = leg.coordinates.slice(s.from, end + 1);
    let lengthM = 0;
    for (let k = 0; k + 1 < part.length; k++) lengthM += haversineM(part[k][0], part[k][1], part[k + 1][0], part[k + 1][1]);
    expect(Math.abs(lengthM - s.distance_m)).toBeLessThan(0.2 + 1e-4 * s.distance_m);
    // Each segment of it lies on a way of its name and ref.
    const label = `${s.name ?? ''}|${s.ref ?? ''}`;
    for (let k = 0; k + 1 < part.length; k++) {
      const [a, b] = [part[k], part[k + 1]];
      if (ruler.distance(a, b) < 0.05) continue;
      const mid: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      expect([...labelsNear(mid, 0.5)], `segment ${s.from + k} of stretch ${i}`).toContain(label);
    }
  });
  // Rounded at their boundaries, the stretches add up to the leg's own figures.
  expect(Math.abs(sumM - leg.distance_m)).toBeLessThan(1e-6);
  expect(Math.abs(sumS - leg.duration_s)).toBeLessThan(1e-6);
}

const [w, s, e, n] = graph.bbox;
const point = fc.tuple(fc.double({ min: w, max: e, noNaN: true }), fc.double({ min: s, max: n, noNaN: true })).map(([x, y]) => [x, y] as [number, number]);

describe('roads on every leg (issue 18) on test/fixtures/roads/mini.geojson', () => {
  it('keep the RoadStretch contract and name the ways they follow, for random pairs, weights and a danger zone', () => {
    let legs = 0;
    fc.assert(
      fc.property(point, point, fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.option(fc.tuple(point, fc.integer({ min: 20, max: 120 }))), (from, to, byDistance, alternatives, danger) => {
        const router = new Router(graph);
        const picture = emptyPicture();
        // A danger zone cuts the legs' pieces inside it from the edges (the slice path of leg()).
        if (danger) picture.threats['tz-1'] = zone('tz-1', danger[0], danger[1], 'danger');
        router.init(picture);
        const answer = router.route({ from, to, alternatives, weight: byDistance ? 'distance' : 'time' });
        if (!answer.ok) return;
        for (const leg of answer.routes) {
          checkRoads(leg);
          legs++;
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect(legs).toBeGreaterThan(50);
  });

  it('a route along one street is one stretch of it', () => {
    // Basargatan (way/4265185, oneway) from its first vertex to its last.
    const router = new Router(graph);
    const answer = router.route({ from: [11.9655094, 57.7019619], to: [11.9658264, 57.7022991] });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.routes[0].roads).toEqual([{ name: 'Basargatan', from: 0, distance_m: answer.routes[0].distance_m, duration_s: answer.routes[0].duration_s }]);
  });

  it('a zero-length route has one stretch, of the road it is on', () => {
    const router = new Router(graph);
    const answer = router.route({ from: [11.9656094, 57.702124], to: [11.9656094, 57.702124] });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const leg = answer.routes[0];
    expect(leg.roads).toEqual([{ name: 'Basargatan', from: 0, distance_m: 0, duration_s: 0 }]);
    checkRoads(leg);
  });
});

// Property tests of matching a position to a corridor (routing/corridor-line.ts) against a plain scan of
// every segment: the index finds the nearest place on the line, places on the line match where they
// are, and where a line passes one place twice the match stays near the expected distance along it.
import CheapRuler from 'cheap-ruler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorridorLine } from '../../routing/corridor-line.js';

const SEED = Number(process.env.FC_SEED ?? 20261206);
console.log(`corridor-line property: fast-check seed ${SEED} (FC_SEED=... to replay)`);

const LAT0 = 57.7;
const LON0 = 11.95;
const ruler = new CheapRuler(LAT0, 'meters');

/** A line of 2 to 60 vertices within about 5 km of Gothenburg, steps of 1 m to 800 m. */
const line = fc.array(fc.tuple(fc.integer({ min: -4000, max: 4000 }), fc.integer({ min: -4000, max: 4000 })), { minLength: 2, maxLength: 60 }).map((pts) =>
  pts.map(([x, y]) => ruler.offset([LON0, LAT0], x, y) as [number, number]),
);

/** Nearest distance from a point to a line by a scan of every segment, metres (the oracle). */
function scanOffset(coords: [number, number][], p: [number, number]): number {
  let best = Infinity;
  for (let i = 0; i < coords.length - 1; i++) best = Math.min(best, ruler.pointToSegmentDistance(p, coords[i], coords[i + 1]));
  return best;
}

describe('CorridorLine.match', () => {
  it('finds the nearest place on the line, as a scan of every segment does (within 0.5 m or 0.1 %: the two project differently)', () => {
    fc.assert(
      fc.property(line, fc.integer({ min: -6000, max: 6000 }), fc.integer({ min: -6000, max: 6000 }), (coords, x, y) => {
        const p = ruler.offset([LON0, LAT0], x, y) as [number, number];
        const m = new CorridorLine(coords).match(p[0], p[1]);
        const scanned = scanOffset(coords, p);
        expect(Math.abs(m.offset_m - scanned)).toBeLessThan(Math.max(0.5, scanned * 1e-3));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('matches a place on the line to its distance along it, when the line comes nowhere near that place again', () => {
    // Lines going east only (x strictly increasing) never come back near a place they passed.
    const eastward = fc
      .array(fc.tuple(fc.integer({ min: 5, max: 800 }), fc.integer({ min: -300, max: 300 })), { minLength: 1, maxLength: 60 })
      .map((steps) => {
        const coords: [number, number][] = [[LON0, LAT0]];
        let x = 0;
        let y = 0;
        for (const [dx, dy] of steps) {
          x += dx * 3;
          y += dy;
          coords.push(ruler.offset([LON0, LAT0], x, y) as [number, number]);
        }
        return coords;
      });
    fc.assert(
      fc.property(eastward, fc.double({ min: 0, max: 1, noNaN: true }), (coords, share) => {
        const l = new CorridorLine(coords);
        const along = share * l.length_m;
        const p = l.pointAt(along);
        const m = l.match(p[0], p[1]);
        expect(m.offset_m).toBeLessThan(0.5);
        expect(Math.abs(m.along_m - along)).toBeLessThan(1);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('on a road taken out and back, matches the leg near the expected distance along it', () => {
    // 2 km east, then back west 1 m to the side: every place is on the line twice.
    const a: [number, number] = [LON0, LAT0];
    const b = ruler.offset(a, 2000, 0) as [number, number];
    const c = ruler.offset(a, 0, 1) as [number, number];
    const l = new CorridorLine([a, b, c]);
    const p = ruler.offset(a, 500, 0.5) as [number, number];
    expect(Math.round(l.match(p[0], p[1], 400).along_m)).toBe(500);
    expect(Math.round(l.match(p[0], p[1], 3600).along_m)).toBe(3500);
  });

  it('refuses a line of one position', () => {
    expect(() => new CorridorLine([[LON0, LAT0]])).toThrow(/two positions or more, got 1/);
  });
});

// Tests of moving along a road path (server/scenario/path-follower.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceAlong, bearingDeg, pathLengthM, rulerAt, type LonLat } from '../../server/scenario/path-follower.js';

const ruler = rulerAt(57.7);
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`path-follower property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

//   b ──► c      a → b north, b → c east
//   ▲
//   a
const a: LonLat = [12, 57.7];
const b: LonLat = [12, 57.701];
const c: LonLat = [12.002, 57.701];

describe('advanceAlong', () => {
  it('moves the asked distance and heads along the segment', () => {
    const step = advanceAlong(ruler, [a, b, c], { seg: 0, offsetM: 0 }, 50);
    expect(ruler.distance(a, step.point)).toBeCloseTo(50, 6);
    expect(step.headingDeg).toBeCloseTo(0, 6);
    expect(step.done).toBe(false);
    expect(step.movedM).toBeCloseTo(50, 9);
  });

  it('turns the corner onto the next segment', () => {
    const ab = ruler.distance(a, b);
    const step = advanceAlong(ruler, [a, b, c], { seg: 0, offsetM: 0 }, ab + 20);
    expect(step.cursor.seg).toBe(1);
    expect(ruler.distance(b, step.point)).toBeCloseTo(20, 6);
    expect(step.headingDeg).toBeCloseTo(90, 3);
  });

  it('stops at the end and says so', () => {
    const step = advanceAlong(ruler, [a, b, c], { seg: 0, offsetM: 0 }, 1e6);
    expect(step.done).toBe(true);
    expect(step.point).toEqual(c);
    expect(step.movedM).toBeCloseTo(pathLengthM(ruler, [a, b, c]), 6);
  });

  it('skips repeated points without losing the heading', () => {
    const step = advanceAlong(ruler, [a, a, b, b, c], { seg: 0, offsetM: 0 }, 10);
    expect(step.headingDeg).toBeCloseTo(0, 6);
    expect(ruler.distance(a, step.point)).toBeCloseTo(10, 6);
  });

  it('covers the path length exactly, however the moves are cut (property)', () => {
    const point = fc.tuple(fc.double({ min: 11.9, max: 12.0, noNaN: true }), fc.double({ min: 57.65, max: 57.75, noNaN: true }));
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 2, maxLength: 12 }),
        fc.array(fc.double({ min: 0, max: 3000, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (path, moves) => {
          let cursor = { seg: 0, offsetM: 0 };
          let total = 0;
          let done = false;
          for (const m of moves) {
            const step = advanceAlong(ruler, path as LonLat[], cursor, m);
            cursor = step.cursor;
            total += step.movedM;
            done = step.done;
            expect(step.headingDeg).toBeGreaterThanOrEqual(0);
            expect(step.headingDeg).toBeLessThan(360);
            if (done) break;
          }
          const length = pathLengthM(ruler, path as LonLat[]);
          const asked = moves.reduce((s, m) => s + m, 0);
          expect(total).toBeCloseTo(Math.min(length, asked), 3);
          if (asked < length - 1e-3) expect(done).toBe(false);
          if (asked > length + 1e-3) expect(done).toBe(true);
        },
      ),
      { seed: SEED },
    );
  });
});

describe('bearingDeg', () => {
  it('is in [0, 360): west is 270, south 180', () => {
    expect(bearingDeg(ruler, b, a)).toBeCloseTo(180, 6);
    expect(bearingDeg(ruler, c, b)).toBeCloseTo(270, 3);
  });
});

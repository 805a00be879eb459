// Unit tests of protocol/turns.ts (issue 18): the route card's turn list and checkpoint times, on small
// drawn legs, and fast-check properties (cumulative figures, mirrored routes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkpointTimes, routeTurns, turnKind, type RoadStretch, type RouteLeg } from '@corridor/protocol';

type Leg = Pick<RouteLeg, 'coordinates' | 'distance_m' | 'duration_s' | 'roads'>;
/** About 111 m in degrees at the equator: legs below are drawn on a grid of that step. */
const S = 0.001;
const at = (x: number, y: number): [number, number] => [x * S, y * S];

describe('turnKind', () => {
  it('names the change of bearing, + to the right', () => {
    expect([0, 10, -19.9, 20, -45, 60, -90, 129, 130, -150, 169.9, 170, -180, 180].map(turnKind)).toEqual([
      'straight', 'straight', 'straight', 'slight_right', 'slight_left', 'right', 'left', 'right', 'sharp_right', 'sharp_left', 'sharp_right', 'uturn', 'uturn', 'uturn',
    ]);
  });
});

describe('routeTurns', () => {
  //   B B B #          depart east on A, left onto B at (3,0), right onto C at (3,3):
  //   . . . B
  //   . . . B
  //   A A A #  C C C
  // (north is up; the sketch shows the line, not the map)
  const coordinates = [at(0, 0), at(1, 0), at(2, 0), at(3, 0), at(3, 1), at(3, 2), at(3, 3), at(4, 3), at(5, 3)];
  const roads: RoadStretch[] = [
    { name: 'Avenue A', from: 0, distance_m: 333, duration_s: 30 },
    { name: 'Rue B', ref: 'RN2', from: 3, distance_m: 333, duration_s: 60 },
    { name: 'C', from: 6, distance_m: 222, duration_s: 10 },
  ];
  const leg: Leg = { coordinates, distance_m: 900, duration_s: 100, roads };

  it('depart, a turn at each change of road with its kind, arrive (issue 18)', () => {
    const turns = routeTurns(leg);
    expect(turns.map((t) => [t.kind, t.road, t.index])).toEqual([
      ['depart', 'Avenue A', 0],
      ['left', 'Rue B (RN2)', 3],
      ['right', 'C', 6],
      ['arrive', 'C', 8],
    ]);
    expect(turns[1].angleDeg).toBeCloseTo(-90, 0);
  });

  it('cumulative distance and time end at the leg’s totals; time follows each stretch’s duration', () => {
    const turns = routeTurns(leg);
    expect(turns.at(-1)!.cumDistance_m).toBe(900);
    expect(turns.at(-1)!.cumDuration_s).toBe(100);
    // 8 segments of about equal length (the ellipsoid makes a degree north a little shorter than one east),
    // scaled to 900 m: 3 of them to the first turn.
    expect(Math.abs(turns[1].cumDistance_m - 337.5)).toBeLessThan(2);
    // Stretch times 30 + 60 + 10 = 100 s: no scaling.
    expect(turns[1].cumDuration_s).toBeCloseTo(30, 6);
    expect(turns[2].cumDuration_s).toBeCloseTo(90, 6);
    expect(turns.reduce((s, t) => s + t.distance_m, 0)).toBeCloseTo(900, 6);
  });

  it('a sharp bend of the same road is a turn; a gentle one is not; the same name again is no turn', () => {
    // . . #
    // . . #      one road "Ring", bending left by 90° at (2,0), then a 10° drift
    // # # #
    const c = [at(0, 0), at(1, 0), at(2, 0), at(2, 1), at(2.35, 3)];
    const turns = routeTurns({
      coordinates: c,
      distance_m: 600,
      duration_s: 60,
      roads: [
        { name: 'Ring', from: 0, distance_m: 200, duration_s: 20 },
        { name: 'Ring', from: 1, distance_m: 100, duration_s: 10 },
        { name: 'Ring', from: 2, distance_m: 300, duration_s: 30 },
      ],
    });
    expect(turns.map((t) => [t.kind, t.road])).toEqual([
      ['depart', 'Ring'],
      ['left', 'Ring'],
      ['arrive', 'Ring'],
    ]);
  });

  it('an unnamed stretch is an entry without a road; a leg without stretches has only bends', () => {
    const turns = routeTurns({ ...leg, roads: [roads[0], { from: 3, distance_m: 333, duration_s: 60 }, roads[2]] });
    expect(turns.map((t) => t.road)).toEqual(['Avenue A', undefined, 'C', 'C']);
    expect(routeTurns({ coordinates, distance_m: 900, duration_s: 100 }).map((t) => t.kind)).toEqual(['depart', 'left', 'right', 'arrive']);
  });

  it('a short unnamed link between two pieces of one road, or the same ref spaced otherwise, is no change of road', () => {
    // A A A . A A A      a 30 m unnamed piece at (3,0)-(3.27,0), then "E 6" where it was "E6"
    const c = [at(0, 0), at(3, 0), at(3.27, 0), at(6, 0), at(9, 0)];
    const turns = routeTurns({
      coordinates: c,
      distance_m: 1000,
      duration_s: 60,
      roads: [
        { ref: 'E6', from: 0, distance_m: 333, duration_s: 20 },
        { from: 1, distance_m: 30, duration_s: 2 },
        { name: 'Ring', from: 2, distance_m: 300, duration_s: 18 },
        { name: 'ring', ref: undefined, from: 3, distance_m: 333, duration_s: 20 },
      ],
    });
    expect(turns.map((t) => [t.kind, t.road])).toEqual([
      ['depart', 'E6'],
      ['straight', 'Ring'],
      ['arrive', 'Ring'],
    ]);
    expect(routeTurns({ coordinates: c, distance_m: 1000, duration_s: 60, roads: [{ ref: 'E6', from: 0, distance_m: 1, duration_s: 1 }, { ref: 'E 6', from: 2, distance_m: 1, duration_s: 1 }] }).map((t) => t.kind)).toEqual(['depart', 'arrive']);
  });

  it('a bend within 25 m after a turn makes no entry of its own', () => {
    // Left onto B at (3,0), and B bends left again 10 m further: one entry, the turn onto B.
    const c: [number, number][] = [at(0, 0), at(3, 0), at(3, 0.09), at(2, 0.09), at(0, 0.09)];
    const turns = routeTurns({ coordinates: c, distance_m: 560, duration_s: 60, roads: [{ name: 'A', from: 0, distance_m: 333, duration_s: 30 }, { name: 'B', from: 1, distance_m: 230, duration_s: 30 }] });
    expect(turns.map((t) => [t.kind, t.road])).toEqual([['depart', 'A'], ['left', 'B'], ['arrive', 'B']]);
  });

  it('a turn at a kinked junction is measured over 25 m, not the kink', () => {
    // A 2 m jog before the junction would read as a U-turn vertex by vertex.
    const c: [number, number][] = [at(0, 0), at(1, 0), [at(1, 0)[0] + 0.000018, 0.000002], at(1.02, 0), at(1.02, 1)];
    const turns = routeTurns({ coordinates: c, distance_m: 250, duration_s: 25, roads: [{ name: 'A', from: 0, distance_m: 113, duration_s: 1 }, { name: 'B', from: 3, distance_m: 111, duration_s: 1 }] });
    expect(turns.filter((t) => t.kind !== 'depart' && t.kind !== 'arrive').map((t) => t.kind)).toEqual(['left']);
  });

  it('a leg of one point departs and arrives there', () => {
    expect(routeTurns({ coordinates: [at(1, 1)], distance_m: 0, duration_s: 0 }).map((t) => t.kind)).toEqual(['depart', 'arrive']);
    expect(routeTurns({ coordinates: [], distance_m: 0, duration_s: 0 })).toEqual([]);
  });
});

describe('checkpointTimes', () => {
  const leg: Leg = { coordinates: [at(0, 0), at(10, 0), at(10, 10)], distance_m: 2000, duration_s: 200 };

  it('projects each checkpoint onto the line: metres along and off, and when the convoy is there', () => {
    const dep = Date.UTC(2026, 11, 6, 14, 0, 0);
    const [bridge, far] = checkpointTimes(leg, [{ name: 'Bridge', at: at(5, 1), hold: true }, { name: 'Fuel', at: at(11, 5) }], dep);
    expect(bridge).toMatchObject({ name: 'Bridge', hold: true });
    expect(Math.abs(bridge.along_m - 500)).toBeLessThan(3);
    expect(Math.abs(bridge.off_m - 110.6)).toBeLessThan(1);
    // Time at the leg's one speed, 10 m/s.
    expect(bridge.elapsed_s).toBeCloseTo(bridge.along_m / 10, 6);
    expect(bridge.etaMs).toBe(dep + Math.round(bridge.elapsed_s * 1000));
    expect(Math.abs(far.along_m - 1500)).toBeLessThan(3);
    expect(far.onRoute[0]).toBeCloseTo(10 * S, 9);
  });

  it('has no time of day without a departure; the ends are at 0 and the totals', () => {
    const [start, end] = checkpointTimes(leg, [{ name: 'start', at: at(-1, 0) }, { name: 'end', at: at(10, 12) }]);
    expect(start.etaMs).toBeUndefined();
    expect(start.along_m).toBe(0);
    expect(end.along_m).toBe(2000);
    expect(end.elapsed_s).toBe(200);
  });
});

/** A random leg: a walk of steps on a small grid near a random latitude, with random road stretches. */
const legArb = fc
  .record({
    lat: fc.double({ min: -60, max: 60, noNaN: true }),
    steps: fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })), { minLength: 1, maxLength: 30 }),
    cuts: fc.array(fc.tuple(fc.nat(), fc.constantFrom('A', 'B', 'C', undefined), fc.double({ min: 0, max: 500, noNaN: true })), { maxLength: 8 }),
    distance: fc.double({ min: 0, max: 50_000, noNaN: true }),
    duration: fc.double({ min: 0, max: 20_000, noNaN: true }),
  })
  .map(({ lat, steps, cuts, distance, duration }): Leg => {
    const coordinates: [number, number][] = [[0, lat]];
    for (const [dx, dy] of steps) {
      const [x, y] = coordinates[coordinates.length - 1];
      coordinates.push([x + dx * 1e-4, y + dy * 1e-4]);
    }
    const froms = [0, ...new Set(cuts.map(([i]) => 1 + (i % Math.max(1, coordinates.length - 2))))].filter((f) => f < coordinates.length - 1 || f === 0).sort((a, b) => a - b);
    const roads: RoadStretch[] = [...new Set(froms)].map((from, k) => ({ ...(cuts[k]?.[1] ? { name: cuts[k][1] } : {}), from, distance_m: 1, duration_s: cuts[k]?.[2] ?? 10 }));
    return { coordinates, distance_m: distance, duration_s: duration, roads };
  });

describe('properties (issue 18)', () => {
  it('cumulative distance and time never decrease and end at the leg’s totals', () => {
    fc.assert(
      fc.property(legArb, (leg) => {
        const turns = routeTurns(leg);
        expect(turns[0].kind).toBe('depart');
        expect(turns.at(-1)!.kind).toBe('arrive');
        for (let i = 1; i < turns.length; i++) {
          expect(turns[i].cumDistance_m).toBeGreaterThanOrEqual(turns[i - 1].cumDistance_m);
          expect(turns[i].cumDuration_s).toBeGreaterThanOrEqual(turns[i - 1].cumDuration_s);
          expect(turns[i].index).toBeGreaterThan(turns[i - 1].index);
        }
        expect(turns.at(-1)!.cumDistance_m).toBe(leg.distance_m);
        expect(turns.at(-1)!.cumDuration_s).toBe(leg.duration_s);
        expect(turns.reduce((s, t) => s + t.distance_m, 0)).toBeCloseTo(leg.distance_m, 3);
      }),
      { seed: 18, numRuns: 300 },
    );
  });

  it('mirrored east–west, a route turns the other way at the same places', () => {
    const mirror: Record<string, string> = { left: 'right', right: 'left', slight_left: 'slight_right', slight_right: 'slight_left', sharp_left: 'sharp_right', sharp_right: 'sharp_left' };
    fc.assert(
      fc.property(legArb, (leg) => {
        const mirrored = { ...leg, coordinates: leg.coordinates.map(([x, y]) => [-x, y] as [number, number]) };
        const a = routeTurns(leg);
        const b = routeTurns(mirrored);
        expect(b.map((t) => t.index)).toEqual(a.map((t) => t.index));
        expect(b.map((t) => t.kind)).toEqual(a.map((t) => mirror[t.kind] ?? t.kind));
        expect(b.map((t) => t.cumDistance_m)).toEqual(a.map((t) => t.cumDistance_m));
      }),
      { seed: 1812, numRuns: 300 },
    );
  });

  it('checkpoint times lie within the leg and grow along it', () => {
    fc.assert(
      fc.property(legArb, fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), { maxLength: 6 }), (leg, points) => {
        const o = leg.coordinates[0];
        const cps = points.map(([dx, dy], i) => ({ name: `cp${i}`, at: [o[0] + dx * 1e-4, o[1] + dy * 1e-4] as [number, number] }));
        const times = checkpointTimes(leg, cps, 0).sort((p, q) => p.along_m - q.along_m || p.elapsed_s - q.elapsed_s);
        for (const t of times) {
          expect(t.along_m).toBeGreaterThanOrEqual(0);
          expect(t.along_m).toBeLessThanOrEqual(leg.distance_m + 1e-6);
          expect(t.elapsed_s).toBeLessThanOrEqual(leg.duration_s + 1e-6);
          expect(t.off_m).toBeGreaterThanOrEqual(0);
        }
        for (let i = 1; i < times.length; i++) expect(times[i].elapsed_s).toBeGreaterThanOrEqual(times[i - 1].elapsed_s * (1 - 1e-9));
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

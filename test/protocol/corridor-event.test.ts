// Tests of the choice between a whole corridor and a figures-only refresh (protocol/corridor-event.ts, P11):
// folding the chosen event into a picture holding the previous corridor must give the new one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvents, corridorEvent, refreshedCorridor, routesKey } from '@corridor/protocol';
import { emptyPicture, type Convoy, type Corridor, type PictureEvent, type RouteLeg } from '@corridor/protocol';

const convoy: Convoy = { id: 'cv-1', name: 'cv-1', origin: [12, 57], destination: [12.1, 57], vehicleClass: '4wd', state: 'planned', updatedMs: 0 };
const leg = (x: number, clearance: number | null = null): RouteLeg => ({
  coordinates: [[x, 57], [x + 0.005, 57.001], [x + 0.01, 57]],
  distance_m: 700,
  duration_s: 63.5,
  exposure_m: 0,
  min_clearance_m: clearance,
});
const held: Corridor = { convoyId: 'cv-1', status: 'ok', routes: [leg(12), leg(12.2)], reason: 'corridor computed: 700 m, 1 min', computedMs: 1 };

/** The picture after `held`, then the event chosen for `next`: its corridor must equal `next`. */
function fold(next: Corridor, before: Corridor | undefined = held): Corridor | undefined {
  const events = [
    { type: 'convoy.upserted', convoy },
    ...(before ? [{ type: 'corridor.recomputed', corridor: before }] : []),
    corridorEvent(before, next),
  ].map((e, i) => ({ ...e, seq: i + 1, timeMs: i + 1 }) as PictureEvent);
  const folded = applyEvents(emptyPicture(), events).corridors['cv-1'];
  if (!folded) return folded;
  // The fold numbers the route's versions (P36): the same line as `before` keeps version 1, another line is 2.
  const { version, ...rest } = folded;
  expect(version).toBe(before && JSON.stringify(before.routes[0]?.coordinates) !== JSON.stringify(next.routes[0]?.coordinates) ? 2 : 1);
  return rest;
}

describe('corridorEvent (P11)', () => {
  it('sends a refresh when only clearance, reason, cause and time changed, and the fold gives the new corridor', () => {
    const next: Corridor = { ...held, routes: held.routes.map((r, i) => ({ ...r, min_clearance_m: i === 0 ? 140.2 : null })), reason: 'route unchanged; nearest zone is zone tz-4 at 140 m', cause: ['tz-4'], computedMs: 2 };
    const ev = corridorEvent(held, next);
    expect(ev.type).toBe('corridor.refreshed');
    expect(ev).toEqual({ type: 'corridor.refreshed', refresh: { convoyId: 'cv-1', clearance: [140.2, null], reason: next.reason, cause: ['tz-4'], computedMs: 2 } });
    // A few dozen bytes instead of every coordinate.
    expect(JSON.stringify(ev).length).toBeLessThan(JSON.stringify({ type: 'corridor.recomputed', corridor: next }).length / 2);
    expect(fold(next)).toEqual(next);
  });

  it('compares coordinates by value, not only by identity', () => {
    const next: Corridor = { ...held, routes: held.routes.map((r) => ({ ...r, coordinates: r.coordinates.map((c) => [c[0], c[1]] as [number, number]), min_clearance_m: 10 })), reason: 'r', computedMs: 3 };
    expect(corridorEvent(held, next).type).toBe('corridor.refreshed');
    expect(fold(next)).toEqual(next);
  });

  it('sends the whole corridor when a route, a figure other than clearance, the haven, the status or deltaS changed', () => {
    const moved = held.routes[1].coordinates.map((c, i) => (i === 1 ? ([c[0], c[1] + 0.001] as [number, number]) : c));
    const cases: Corridor[] = [
      { ...held, routes: [held.routes[0], { ...held.routes[1], coordinates: moved }], computedMs: 4 },
      { ...held, routes: [held.routes[0]], computedMs: 4 },
      { ...held, routes: [{ ...held.routes[0], exposure_m: 12 }, held.routes[1]], computedMs: 4 },
      { ...held, routes: [{ ...held.routes[0], duration_s: 70 }, held.routes[1]], deltaS: 6.5, computedMs: 4 },
      { ...held, havenId: 'hv-2', computedMs: 4 },
      { ...held, deltaS: 0, computedMs: 4 },
      { convoyId: 'cv-1', status: 'no_safe_route', routes: [], blockedBy: ['tz-1'], reason: 'no safe route', computedMs: 4 },
    ];
    for (const next of cases) {
      expect(corridorEvent(held, next).type).toBe('corridor.recomputed');
      expect(fold(next)).toEqual(next);
    }
  });

  it('sends the whole corridor when nothing is held', () => {
    expect(corridorEvent(undefined, held)).toEqual({ type: 'corridor.recomputed', corridor: held });
    expect(fold(held, undefined)).toEqual(held);
  });
});

describe('routesKey', () => {
  it('is kept by a refresh and changed by anything a refresh cannot carry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 1000 }), (route, point, step) => {
        const refresh = { convoyId: 'cv-1', clearance: [12.5, null], reason: 'r', computedMs: 9 };
        expect(routesKey(refreshedCorridor(held, refresh))).toBe(routesKey(held));
        // One position moved by a multiple of 1e-7 degrees (the key's resolution).
        const moved: Corridor = {
          ...held,
          routes: held.routes.map((r, i) => (i !== route ? r : { ...r, coordinates: r.coordinates.map((c, k) => (k === point ? ([c[0] + step * 1e-7, c[1]] as [number, number]) : c)) })),
        };
        expect(routesKey(moved)).not.toBe(routesKey(held));
      }),
    );
    expect(routesKey({ ...held, havenId: 'hv-1' })).not.toBe(routesKey(held));
    expect(routesKey({ ...held, routes: [held.routes[1], held.routes[0]] })).not.toBe(routesKey(held));
    expect(routesKey({ ...held, routes: [{ ...held.routes[0], duration_s: 64 }, held.routes[1]] })).not.toBe(routesKey(held));
  });
});

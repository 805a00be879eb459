// Structured reasons of standing corridors on the Gothenburg roads (routing/reasons.ts): a named case
// for each code the router produces, and the invariant on every corridor the scenarios of
// corridors.test.ts, constraints.test.ts and the golden inputs produce: `why` passes the schema and
// reasonText(why, names) is its English `reason`, word for word.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Corridor, Polygonal, RouteLeg } from '@corridor/protocol';
import { buildRoadGraph, Router } from '../../routing/index.js';
import { constraint, convoy, haven, latticeWay, Log, loadGothenburg, polygonZone, repoRoot, zone } from './helpers.js';
import { expectWhys } from './why-check.js';

let router: Router;
let log: Log;

// Järntorget → Gamlestaden across central Gothenburg (as in corridors.test.ts), and havens near Järntorget.
const A: [number, number] = [11.9487, 57.7];
const B: [number, number] = [12.005, 57.728];
const H1: [number, number] = [11.96, 57.705];
const H2: [number, number] = [11.99, 57.72];
const ORIGIN: [number, number] = [11.955, 57.702];
/** More than 1 km from any usable road (west of the network). */
const OFF_ROAD: [number, number] = [11.5, 57.5];
/** On a road from which no road path leads to B for any vehicle. */
const NO_PATH_TO_B: [number, number] = [11.942650604588241, 57.68592992501453];

type Body = Parameters<Log['append']>[number];

/**
 * Appends events, hands them to the router and checks every corridor it returns (expectWhys); the
 * corridors are then appended as the store would, so the picture holds them.
 */
function step(...bodies: Body[]): Corridor[] {
  const out = expectWhys(router.onEvents(log.append(...bodies), log.picture), log.picture);
  if (out.length) log.append(...out.map((corridor) => ({ type: 'corridor.recomputed' as const, corridor })));
  return out;
}

function only(out: Corridor[], convoyId = 'cv-1'): Corridor {
  const c = out.find((x) => x.convoyId === convoyId);
  if (!c) throw new Error(`no corridor for ${convoyId} among ${out.map((x) => x.convoyId).join(', ') || 'none'}`);
  return c;
}

function midpoint(leg: RouteLeg): [number, number] {
  return leg.coordinates[Math.floor(leg.coordinates.length / 2)];
}

/** A small square around a point, degrees. */
function square(c: [number, number], d: number): Polygonal {
  return { type: 'Polygon', coordinates: [[[c[0] - d, c[1] - d], [c[0] + d, c[1] - d], [c[0] + d, c[1] + d], [c[0] - d, c[1] + d], [c[0] - d, c[1] - d]]] };
}

beforeAll(async () => {
  ({ router } = await loadGothenburg());
});
beforeEach(() => {
  log = new Log();
  router.init(log.picture);
});

describe('a code for each reason', () => {
  it('computed: the first computation, with its distance and duration (and the haven when it goes to one)', () => {
    const c = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }));
    expect(c.why).toEqual({ code: 'computed', distanceM: c.routes[0].distance_m, durationS: c.routes[0].duration_s });
    expect(c.reason).toMatch(/^corridor computed: \d+\.\d km, \d+ min$/);
    const h = only(
      step({ type: 'haven.upserted', haven: haven('hv-1', H1, 100, { name: 'School' }) }, { type: 'convoy.upserted', convoy: convoy('cv-h', ORIGIN, 'nearest-haven', { people: 40 }) }),
      'cv-h',
    );
    expect(h.why).toMatchObject({ code: 'computed', havenId: 'hv-1' });
    expect(h.reason).toMatch(/^corridor computed to haven hv-1 \(School\): /);
  });

  it('computed: init after a restart, even where the route differs from the one the picture held', () => {
    const first = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }));
    step({ type: 'threat.upserted', zone: zone('tz-3', midpoint(first.routes[0]), 200) });
    // The zone is gone from the picture the router restarts with: the held corridor is stale.
    const restarted = { ...log.picture, threats: {} };
    const out = expectWhys(router.init(restarted), restarted);
    expect(only(out).why).toEqual({ code: 'computed', distanceM: first.routes[0].distance_m, durationS: first.routes[0].duration_s });
  });

  it('found_again: a route after none', () => {
    step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) });
    expect(only(step({ type: 'threat.upserted', zone: zone('tz-ring', B, 700) })).status).toBe('no_safe_route');
    const back = only(step({ type: 'threat.removed', id: 'tz-ring', reason: 'deleted' }));
    expect(back.why).toEqual({ code: 'found_again', distanceM: back.routes[0].distance_m, durationS: back.routes[0].duration_s });
    expect(back.reason).toMatch(/^route found again: /);
  });

  it('unchanged: recomputed (here: more people) to the same routes', () => {
    const first = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }));
    const again = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B, { people: 12 }) }));
    expect(again.routes).toEqual(first.routes);
    expect(again.why).toEqual({ code: 'unchanged', distanceM: first.routes[0].distance_m, durationS: first.routes[0].duration_s });
    expect(again.reason).toMatch(/^route unchanged \(\d+\.\d km, \d+ min\)$/);
  });

  it('convoy_changed: the convoy itself changed its route', () => {
    step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) });
    const c = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, [11.97, 57.695]) }));
    expect(c.why).toEqual({ code: 'convoy_changed', distanceM: c.routes[0].distance_m, durationS: c.routes[0].duration_s });
    expect(c.cause).toEqual(['cv-1']);
  });

  describe('haven_changed: what became of the previous haven', () => {
    beforeEach(() => {
      step(
        { type: 'haven.upserted', haven: haven('hv-1', H1, 100) },
        { type: 'haven.upserted', haven: haven('hv-2', H2, 100, { name: 'School' }) },
        { type: 'convoy.upserted', convoy: convoy('cv-a', ORIGIN, 'nearest-haven', { people: 50 }) },
      );
      expect(router.corridorOf('cv-a')?.havenId).toBe('hv-1');
    });

    it('closed', () => {
      const c = only(step({ type: 'haven.upserted', haven: haven('hv-1', H1, 100, { status: 'closed' }) }), 'cv-a');
      expect(c.why).toEqual({ code: 'haven_changed', havenId: 'hv-2', previousHavenId: 'hv-1', previous: 'closed', deltaS: c.deltaS });
      expect(c.reason).toMatch(/^haven hv-1 closed: now to haven hv-2 \(School\), \+/);
    });

    it('full', () => {
      const c = only(step({ type: 'haven.upserted', haven: haven('hv-1', H1, 100, { status: 'full' }) }), 'cv-a');
      expect(c.why).toMatchObject({ code: 'haven_changed', previousHavenId: 'hv-1', previous: 'full' });
      expect(c.reason).toMatch(/^haven hv-1 full: now to haven hv-2/);
    });

    it('no_room: still open, without room for the people assigned', () => {
      const c = only(step({ type: 'haven.upserted', haven: haven('hv-1', H1, 100, { occupancy: 60 }) }), 'cv-a');
      expect(c.why).toMatchObject({ code: 'haven_changed', previousHavenId: 'hv-1', previous: 'no_room' });
      expect(c.reason).toMatch(/^haven hv-1 has no room: now to haven hv-2/);
    });

    it('removed', () => {
      const c = only(step({ type: 'haven.removed', id: 'hv-1' }), 'cv-a');
      expect(c.why).toMatchObject({ code: 'haven_changed', previousHavenId: 'hv-1', previous: 'removed' });
      expect(c.reason).toMatch(/^haven hv-1 removed: now to haven hv-2/);
    });

    it('none before: a convoy sent to the nearest haven instead of a point', () => {
      step({ type: 'convoy.upserted', convoy: convoy('cv-p', ORIGIN, B, { people: 10 }) });
      const c = only(step({ type: 'convoy.upserted', convoy: convoy('cv-p', ORIGIN, 'nearest-haven', { people: 10 }) }), 'cv-p');
      expect(c.why).toEqual({ code: 'haven_changed', havenId: 'hv-1', deltaS: c.deltaS });
      expect(c.reason).toMatch(/^haven changed: now to haven hv-1 \(Haven hv-1\), [+−]/);
    });
  });

  it('rerouted_around: a zone or a constraint on the route, named by its label', () => {
    const first = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }));
    const z = only(step({ type: 'threat.upserted', zone: zone('tz-3', midpoint(first.routes[0]), 200, 'no-go', { label: 'Armed clashes' }) }));
    expect(z.why).toEqual({ code: 'rerouted_around', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: z.deltaS });
    expect(z.reason).toMatch(/^re-routed around zone tz-3 \(Armed clashes\): \+/);
    step({ type: 'threat.removed', id: 'tz-3', reason: 'deleted' });
    const closed = constraint('ac-1', square(midpoint(first.routes[0]), 0.0008), 'closed');
    closed.reason = 'Bridge damaged';
    const c = only(step({ type: 'constraint.upserted', constraint: closed }));
    expect(c.why).toEqual({ code: 'rerouted_around', zones: [{ kind: 'constraint', id: 'ac-1' }], deltaS: c.deltaS });
    expect(c.reason).toMatch(/^re-routed around constraint ac-1 \(Bridge damaged\): \+/);
  });

  it('unchanged: a zone that cuts only an alternative leaves the convoy on its route, and is not called its detour', () => {
    const first = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }));
    expect(first.routes.length).toBeGreaterThan(1);
    // The point of the first alternative farthest from the best route.
    const best = first.routes[0].coordinates;
    const metres = (p: [number, number], q: [number, number]) => Math.hypot((p[0] - q[0]) * 111_320 * Math.cos((p[1] * Math.PI) / 180), (p[1] - q[1]) * 110_540);
    const away = (p: [number, number]) => Math.min(...best.map((q) => metres(p, q)));
    const far = first.routes[1].coordinates.reduce((a, p) => (away(p) > away(a) ? p : a));
    expect(away(far)).toBeGreaterThan(300);
    const c = only(step({ type: 'threat.upserted', zone: zone('tz-alt', far, 80, 'no-go', { label: 'Checkpoint closed' }) }));
    expect(c.routes[0].coordinates).toEqual(best);
    expect(c.why).toEqual({ code: 'unchanged', distanceM: c.routes[0].distance_m, durationS: c.routes[0].duration_s });
    expect(c.reason).toMatch(/^route unchanged/);
  });

  it('lifted: the zone is gone, and named by its id alone', () => {
    const first = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }));
    step({ type: 'threat.upserted', zone: zone('tz-3', midpoint(first.routes[0]), 200, 'no-go', { label: 'Armed clashes' }) });
    const back = only(step({ type: 'threat.removed', id: 'tz-3', reason: 'expired' }));
    expect(back.why).toEqual({ code: 'lifted', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: back.deltaS });
    expect(back.deltaS).toBeLessThan(0);
    expect(back.reason).toMatch(/^zone tz-3 lifted: −/);
  });

  it('rerouted: another route for a cause that is neither a zone nor the convoy (its haven moved)', () => {
    step({ type: 'haven.upserted', haven: haven('hv-1', H1, 100) }, { type: 'convoy.upserted', convoy: convoy('cv-a', ORIGIN, 'nearest-haven', { people: 50 }) });
    const c = only(step({ type: 'haven.upserted', haven: haven('hv-1', [11.965, 57.707], 100) }), 'cv-a');
    expect(c.havenId).toBe('hv-1');
    expect(c.cause).toEqual(['hv-1']);
    expect(c.why).toEqual({ code: 'rerouted', deltaS: c.deltaS });
    expect(c.reason).toMatch(/^re-routed: [+−]/);
  });

  it('off_network: which end, and how far (null when no road is found at all)', () => {
    const o = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', OFF_ROAD, B) }));
    expect(o.status).toBe('off_network');
    expect(o.why).toMatchObject({ code: 'off_network', end: 'origin' });
    expect(o.why?.code === 'off_network' && o.why.distanceM).toBeGreaterThan(1000);
    const d = only(step({ type: 'convoy.upserted', convoy: convoy('cv-2', A, OFF_ROAD) }), 'cv-2');
    expect(d.why).toMatchObject({ code: 'off_network', end: 'destination' });
    // Nothing within 200 km: the snap says Infinity, which JSON cannot carry.
    const far = only(step({ type: 'convoy.upserted', convoy: convoy('cv-3', [0, 0], B) }), 'cv-3');
    expect(far.why).toEqual({ code: 'off_network', end: 'origin', distanceM: null });
    expect(far.reason).toBe('origin is unknown distance from the nearest usable road');
  });

  it('no_haven: no open haven with room for the people', () => {
    step({ type: 'haven.upserted', haven: haven('hv-1', H1, 30) });
    const c = only(step({ type: 'convoy.upserted', convoy: convoy('cv-a', ORIGIN, 'nearest-haven', { people: 40 }) }), 'cv-a');
    expect(c.status).toBe('no_haven');
    expect(c.why).toEqual({ code: 'no_haven', people: 40 });
    expect(c.reason).toBe('no open haven with room for 40 people');
  });

  it('no_haven_near_road: the havens with room are all off the roads', () => {
    step({ type: 'haven.upserted', haven: haven('hv-x', OFF_ROAD, 500) });
    const c = only(step({ type: 'convoy.upserted', convoy: convoy('cv-a', ORIGIN, 'nearest-haven', { people: 40 }) }), 'cv-a');
    expect(c.status).toBe('no_haven');
    expect(c.why).toEqual({ code: 'no_haven_near_road' });
  });

  it('no_safe_route: the zones that cut every path; the route query says the same', () => {
    step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) });
    const ring = polygonZone('tz-ring', zone('tz-ring', B, 700).area, 'no-go', 'Siege');
    const c = only(step({ type: 'threat.upserted', zone: ring }));
    expect(c.why).toEqual({ code: 'no_safe_route', blockedBy: [{ kind: 'zone', id: 'tz-ring' }] });
    expect(c.blockedBy).toEqual(['tz-ring']);
    expect(c.reason).toBe('no safe route: every path is cut by zone tz-ring (Siege)');
    expect(router.route({ from: A, to: B })).toMatchObject({ ok: false, code: 'no_safe_route', message: c.reason, blockedBy: ['tz-ring'] });
  });

  it('no_road_path: no road joins the ends for the vehicle, even without zones', () => {
    const c = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', NO_PATH_TO_B, B) }));
    expect(c.status).toBe('no_safe_route');
    expect(c.why).toEqual({ code: 'no_road_path' });
    expect(c.reason).toBe('no road path joins the two ends, even without zones: the road network does not connect them');
    expect(c.blockedBy).toEqual([]);
    expect(router.route({ from: NO_PATH_TO_B, to: B })).toMatchObject({ ok: false, code: 'no_safe_route', message: c.reason, blockedBy: [] });
  });

  it('no_road_path for a vehicle: the roads between the ends do not take it, though a lighter one passes', () => {
    // Four lattice points in a row; the middle road is practicable for a 4WD, no heavier.
    const ways = [
      { a: 0, b: 1, bend: false, highway: 'residential' },
      { a: 1, b: 2, bend: false, highway: 'unclassified', practicability: '4wd_less_than_3.5mt' },
      { a: 2, b: 3, bend: false, highway: 'residential' },
    ].map(latticeWay);
    const small = new Router(buildRoadGraph(ways));
    const line = new Log();
    small.init(line.picture);
    const [from, to]: [number, number][] = [[10.0002, 50], [10.0058, 50]];
    const heavy = small.onEvents(line.append({ type: 'convoy.upserted', convoy: convoy('cv-h', from, to, { vehicleClass: 'heavy_truck' }) }), line.picture);
    expect(heavy[0].why).toEqual({ code: 'no_road_path', vehicleClass: 'heavy_truck' });
    expect(heavy[0].reason).toBe('no road path joins the two ends for a heavy truck, even without zones; a lighter vehicle can pass');
    expect(small.route({ from, to, vehicleClass: 'heavy_truck' })).toMatchObject({ ok: false, message: heavy[0].reason });
    // A 4WD passes; with no class asked for, the lightest vehicle is routed.
    expect(small.route({ from, to, vehicleClass: '4wd' }).ok).toBe(true);
    expect(small.route({ from, to }).ok).toBe(true);
  });

  it('nearest_zone and clear_of_zones: a refresh when a zone comes near the routes and when it goes', () => {
    const first = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }));
    const mid = midpoint(first.routes[0]);
    const near = only(step({ type: 'threat.upserted', zone: zone('tz-far', [mid[0] + 0.03, mid[1]], 150, 'no-go', { label: 'Checkpoint' }) }));
    expect(near.routes.map((r) => r.coordinates)).toEqual(first.routes.map((r) => r.coordinates));
    expect(near.why).toEqual({ code: 'nearest_zone', zone: { kind: 'zone', id: 'tz-far' }, distanceM: near.routes[0].min_clearance_m });
    expect(near.reason).toMatch(/^route unchanged; nearest zone is zone tz-far \(Checkpoint\) at \d/);
    const clear = only(step({ type: 'threat.removed', id: 'tz-far', reason: 'deleted' }));
    expect(clear.why).toEqual({ code: 'clear_of_zones' });
    expect(clear.reason).toBe('route unchanged; no no-go or danger zone remains');
  });
});

describe('every corridor of the scenarios carries a why whose text is its reason', () => {
  it('corridors.test.ts: re-routes, a far corridor, lifting, cancelling, havens filling and closing', () => {
    const first = step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }, { type: 'convoy.upserted', convoy: convoy('cv-2', [11.9, 57.66], [11.915, 57.665]) });
    step({ type: 'threat.upserted', zone: zone('tz-3', midpoint(first[0].routes[0]), 200, 'no-go', { label: 'Armed clashes' }) });
    step({ type: 'threat.upserted', zone: zone('tz-d', midpoint(first[0].routes[0]), 250, 'danger', { label: 'Shelling' }) });
    step({ type: 'threat.upserted', zone: zone('tz-a', A, 250, 'advisory') });
    step({ type: 'threat.upserted', zone: zone('tz-start', A, 150, 'danger') });
    step({ type: 'threat.removed', id: 'tz-3', reason: 'expired' });
    step({ type: 'threat.upserted', zone: zone('tz-ring', B, 700) });
    step({ type: 'threat.upserted', zone: zone('tz-x', [11.9, 57.66], 100) });
    step({ type: 'threat.removed', id: 'tz-ring', reason: 'deleted' });
    step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B, { state: 'moving' }) });
    step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, [11.97, 57.695]) });
    step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B, { state: 'aborted' }) });
    step(
      { type: 'haven.upserted', haven: haven('hv-1', H1, 100) },
      { type: 'haven.upserted', haven: haven('hv-2', H2, 1000) },
      { type: 'convoy.upserted', convoy: convoy('cv-a', ORIGIN, 'nearest-haven', { people: 60 }) },
      { type: 'convoy.upserted', convoy: convoy('cv-b', ORIGIN, 'nearest-haven', { people: 60 }) },
    );
    step({ type: 'haven.upserted', haven: haven('hv-1', H1, 100, { status: 'closed' }) });
    step({ type: 'haven.upserted', haven: haven('hv-2', H2, 100, { occupancy: 80 }) });
    step({ type: 'haven.upserted', haven: haven('hv-1', H1, 100) });
    step({ type: 'convoy.removed', id: 'cv-a' });
    expectWhys(router.init(log.picture), log.picture);
  });

  it('constraints.test.ts: closed, restricted and open constraints coming and going', () => {
    const first = only(step({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }));
    const mid = midpoint(first.routes[0]);
    const closed = constraint('ac-1', { type: 'LineString', coordinates: [first.routes[0].coordinates[10], first.routes[0].coordinates[12]] }, 'closed');
    closed.reason = 'Bridge damaged';
    step({ type: 'constraint.upserted', constraint: closed });
    step({ type: 'constraint.removed', id: 'ac-1', reason: 'deleted' });
    step({ type: 'constraint.upserted', constraint: constraint('ac-2', square(mid, 0.002), 'restricted') });
    step({ type: 'constraint.upserted', constraint: constraint('ac-2', square(mid, 0.002), 'open') });
    step({ type: 'constraint.upserted', constraint: constraint('ac-2', square(mid, 0.002), 'closed') });
    step({ type: 'constraint.removed', id: 'ac-2', reason: 'expired' });
  });

  it('golden inputs (test/fixtures/routing/in) as standing convoys: zones added at once, then lifted one by one', () => {
    const dir = path.join(repoRoot, 'test/fixtures/routing/in');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.geojson'))) {
      const input = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      const [start, end, ...zones] = input.features;
      log = new Log();
      router.init(log.picture);
      const vehicleClass = input.properties?.vehicleClass ?? '4wd';
      step({ type: 'convoy.upserted', convoy: convoy('cv-1', start.geometry.coordinates, end.geometry.coordinates, { vehicleClass }) });
      const held = zones.map((z: { properties: Record<string, unknown>; geometry: Polygonal }, i: number) =>
        polygonZone(String(z.properties.id ?? `tz-${i + 1}`), z.geometry, (z.properties.severity as 'no-go' | 'danger' | 'advisory') ?? 'no-go', z.properties.label as string | undefined),
      );
      if (held.length) step(...held.map((z: ReturnType<typeof polygonZone>) => ({ type: 'threat.upserted' as const, zone: z })));
      for (const z of held) step({ type: 'threat.removed', id: z.id, reason: 'deleted' });
    }
  });
});

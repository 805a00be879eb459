// Standing corridors on the Gothenburg roads: danger detours and exposure, alternatives rules,
// recomputing only affected corridors, reasons, no_safe_route with blockedBy, havens.
import { booleanIntersects, lineString } from '@turf/turf';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Router } from '../../routing/router.js';
import type { RouteLeg } from '@corridor/protocol';
import { convoy, haven, Log, loadGothenburg, zone } from './helpers.js';

let router: Router;
let log: Log;

// Two ends across central Gothenburg (Järntorget → Gamlestaden) and the route's midpoint.
const A: [number, number] = [11.9487, 57.7000];
const B: [number, number] = [12.0050, 57.7280];

function midpoint(leg: RouteLeg): [number, number] {
  return leg.coordinates[Math.floor(leg.coordinates.length / 2)];
}

function sharedFraction(a: RouteLeg, b: RouteLeg): number {
  // Share of a's length on segments that b also has (segment identity by its two ends).
  const key = (p: [number, number], q: [number, number]) => [p, q].map((c) => c.join(',')).sort().join('|');
  const segs = new Set<string>();
  for (let i = 0; i + 1 < b.coordinates.length; i++) segs.add(key(b.coordinates[i], b.coordinates[i + 1]));
  let shared = 0;
  let total = 0;
  for (let i = 0; i + 1 < a.coordinates.length; i++) {
    const [p, q] = [a.coordinates[i], a.coordinates[i + 1]];
    const len = Math.hypot((q[0] - p[0]) * Math.cos((p[1] * Math.PI) / 180), q[1] - p[1]);
    total += len;
    if (segs.has(key(p, q))) shared += len;
  }
  return total ? shared / total : 0;
}

beforeAll(async () => {
  ({ router } = await loadGothenburg());
});
beforeEach(() => {
  log = new Log();
  router.init(log.picture);
});

describe('danger zones', () => {
  it('the route detours around a danger zone where a reasonable detour exists, and reports exposure', () => {
    const plain = router.route({ from: A, to: B });
    expect(plain.ok).toBe(true);
    if (!plain.ok) return;
    expect(plain.routes[0].exposure_m).toBe(0);
    expect(plain.routes[0].min_clearance_m).toBeNull();
    const z = zone('tz-d', midpoint(plain.routes[0]), 250, 'danger', { label: 'Shelling' });
    const events = log.append({ type: 'threat.upserted', zone: z });
    router.onEvents(events, log.picture);
    const after = router.route({ from: A, to: B });
    expect(after.ok).toBe(true);
    if (!after.ok) return;
    // The detour avoids the zone entirely or at least crosses less of it.
    const line = lineString(after.routes[0].coordinates);
    const crosses = booleanIntersects(line, z.area);
    expect(crosses ? after.routes[0].exposure_m : 0).toBeLessThan(300);
    if (!crosses) {
      expect(after.routes[0].exposure_m).toBe(0);
      expect(after.routes[0].min_clearance_m).toBeGreaterThanOrEqual(0);
    }
    expect(after.routes[0].duration_s).toBeGreaterThan(plain.routes[0].duration_s);
    expect(after.routes[0].duration_s).toBeLessThan(plain.routes[0].duration_s * 2);
  });

  it('exposure_m is the length inside the zone when the only way runs through it', () => {
    // A danger zone around the start point itself cannot be avoided.
    const z = zone('tz-start', A, 150, 'danger');
    router.onEvents(log.append({ type: 'threat.upserted', zone: z }), log.picture);
    const r = router.route({ from: A, to: B });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.routes[0].exposure_m).toBeGreaterThan(50);
    expect(r.routes[0].exposure_m).toBeLessThan(400);
    expect(r.routes[0].min_clearance_m).toBe(0);
  });

  it('advisory zones only inform: same route, clearance reported', () => {
    const plain = router.route({ from: A, to: B });
    if (!plain.ok) throw new Error('no plain route');
    const z = zone('tz-a', midpoint(plain.routes[0]), 250, 'advisory');
    router.onEvents(log.append({ type: 'threat.upserted', zone: z }), log.picture);
    const after = router.route({ from: A, to: B });
    if (!after.ok) throw new Error('no route');
    expect(after.routes[0].coordinates).toEqual(plain.routes[0].coordinates);
    // Clearance counts no-go and danger zones only.
    expect(after.routes[0].min_clearance_m).toBeNull();
  });
});

describe('alternatives', () => {
  it('are at most 1.4x the best, share under 60 % of their length with a better one, best first', () => {
    const pairs: [[number, number], [number, number]][] = [
      [A, B],
      [[11.9700, 57.6950], [11.9350, 57.7150]],
      [[11.9800, 57.6900], [12.0100, 57.7100]],
    ];
    let seen = 0;
    for (const [from, to] of pairs) {
      for (const weight of ['time', 'distance'] as const) {
        const r = router.route({ from, to, alternatives: 3, weight });
        if (!r.ok) throw new Error('no route');
        const figure = (l: RouteLeg) => (weight === 'time' ? l.duration_s : l.distance_m);
        const best = figure(r.routes[0]);
        r.routes.forEach((leg, i) => {
          expect(figure(leg)).toBeLessThanOrEqual(best * 1.4 + 1e-6);
          expect(figure(leg)).toBeGreaterThanOrEqual(best - 1e-6);
          for (let j = 0; j < i; j++) expect(sharedFraction(leg, r.routes[j])).toBeLessThan(0.6);
        });
        seen += r.routes.length - 1;
      }
    }
    // The rules must not simply suppress every alternative.
    expect(seen).toBeGreaterThan(3);
  });

  it('weight=distance gives a route no longer than weight=time', () => {
    const t = router.route({ from: A, to: B, weight: 'time' });
    const d = router.route({ from: A, to: B, weight: 'distance' });
    if (!t.ok || !d.ok) throw new Error('no route');
    expect(d.routes[0].distance_m).toBeLessThanOrEqual(t.routes[0].distance_m);
    expect(t.routes[0].duration_s).toBeLessThanOrEqual(d.routes[0].duration_s);
  });

  it('an end more than 1 km from any road is off_network', () => {
    const r = router.route({ from: [11.5, 57.5], to: B });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('off_network');
    if (r.code === 'off_network') expect(r.path).toBe('from');
  });
});

describe('standing corridors: only affected ones are recomputed', () => {
  it('a zone on one corridor re-routes it with a reason; a far corridor is left alone', () => {
    const events = log.append(
      { type: 'convoy.upserted', convoy: convoy('cv-1', A, B) },
      { type: 'convoy.upserted', convoy: convoy('cv-2', [11.9000, 57.6600], [11.9150, 57.6650]) },
    );
    const first = router.onEvents(events, log.picture);
    expect(first.map((c) => c.convoyId).sort()).toEqual(['cv-1', 'cv-2']);
    expect(first.every((c) => c.status === 'ok' && c.reason.startsWith('corridor computed'))).toBe(true);
    log.append(...first.map((corridor) => ({ type: 'corridor.recomputed' as const, corridor })));
    const cv1 = router.corridorOf('cv-1')!;

    const z = zone('tz-3', midpoint(cv1.routes[0]), 200, 'no-go', { label: 'Armed clashes' });
    const out = router.onEvents(log.append({ type: 'threat.upserted', zone: z }), log.picture);
    const byId = Object.fromEntries(out.map((c) => [c.convoyId, c]));
    expect(byId['cv-1']).toBeDefined();
    expect(byId['cv-1'].reason).toMatch(/^re-routed around zone tz-3 \(Armed clashes\): \+/);
    expect(byId['cv-1'].cause).toEqual(['tz-3']);
    expect(byId['cv-1'].deltaS).toBeGreaterThan(0);
    for (const leg of byId['cv-1'].routes) expect(booleanIntersects(lineString(leg.coordinates), z.area)).toBe(false);
    // cv-2 is far away: at most its clearance figure is refreshed, never its route.
    if (byId['cv-2']) {
      expect(byId['cv-2'].routes.map((r) => r.coordinates)).toEqual(first[1].routes.map((r) => r.coordinates));
      expect(byId['cv-2'].reason).toMatch(/^route unchanged/);
    }
    log.append(...out.map((corridor) => ({ type: 'corridor.recomputed' as const, corridor })));

    // An unrelated event (a position report) changes nothing.
    expect(router.onEvents(log.append({ type: 'position.reported', units: [] }), log.picture)).toEqual([]);

    // Lifting the zone brings cv-1 back to its first route.
    const back = router.onEvents(log.append({ type: 'threat.removed', id: 'tz-3', reason: 'expired' }), log.picture);
    const cv1back = back.find((c) => c.convoyId === 'cv-1')!;
    expect(cv1back.routes[0].coordinates).toEqual(first[0].routes[0].coordinates);
    expect(cv1back.reason).toMatch(/^zone tz-3 lifted: −/);
    expect(back.find((c) => c.convoyId === 'cv-2')?.routes[0].coordinates ?? first[1].routes[0].coordinates).toEqual(first[1].routes[0].coordinates);
  });

  it('a zone that touches none of the routes re-routes nothing', () => {
    const out0 = router.onEvents(log.append({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }), log.picture);
    const before = out0[0].routes.map((r) => r.coordinates);
    const z = zone('tz-far', [11.9000, 57.6600], 150, 'no-go');
    const out = router.onEvents(log.append({ type: 'threat.upserted', zone: z }), log.picture);
    for (const c of out) {
      expect(c.routes.map((r) => r.coordinates)).toEqual(before);
      expect(c.reason).toMatch(/^route unchanged; nearest zone is zone tz-far/);
    }
  });

  it('when no safe route exists it says so, with the zones that cut every path', () => {
    const out0 = router.onEvents(log.append({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }), log.picture);
    expect(out0[0].status).toBe('ok');
    // A no-go disc over the destination cuts every path to it.
    const inner = zone('tz-ring', B, 700, 'no-go');
    const out = router.onEvents(log.append({ type: 'threat.upserted', zone: inner }), log.picture);
    expect(out).toHaveLength(1);
    expect(out[0].status).toBe('no_safe_route');
    expect(out[0].routes).toEqual([]);
    expect(out[0].blockedBy).toEqual(['tz-ring']);
    expect(out[0].reason).toContain('tz-ring');
    // Adding an unrelated zone elsewhere changes nothing for it; lifting the ring restores it.
    expect(router.onEvents(log.append({ type: 'threat.upserted', zone: zone('tz-x', [11.9000, 57.6600], 100, 'no-go') }), log.picture)).toEqual([]);
    const back = router.onEvents(log.append({ type: 'threat.removed', id: 'tz-ring', reason: 'deleted' }), log.picture);
    expect(back.find((c) => c.convoyId === 'cv-1')?.status).toBe('ok');
  });

  it('aborted convoys get no corridor; a convoy whose ends change is recomputed', () => {
    const c1 = convoy('cv-1', A, B);
    router.onEvents(log.append({ type: 'convoy.upserted', convoy: c1 }), log.picture);
    // Only the state changed between planned and moving: nothing to recompute.
    expect(router.onEvents(log.append({ type: 'convoy.upserted', convoy: { ...c1, state: 'moving' } }), log.picture)).toEqual([]);
    const moved = router.onEvents(log.append({ type: 'convoy.upserted', convoy: { ...c1, destination: [11.9700, 57.6950] } }), log.picture);
    expect(moved).toHaveLength(1);
    expect(router.onEvents(log.append({ type: 'convoy.upserted', convoy: { ...c1, state: 'aborted' } }), log.picture)).toEqual([]);
    expect(router.corridorOf('cv-1')).toBeUndefined();
  });

  it('P20: a change of state to holding keeps the corridor; to arrived drops it, with no recomputation', () => {
    const c2 = convoy('cv-2', A, B);
    router.onEvents(log.append({ type: 'convoy.upserted', convoy: { ...c2, state: 'moving' } }), log.picture);
    expect(router.corridorOf('cv-2')).toBeDefined();
    const hold = { type: 'convoy.state-changed' as const, convoyId: 'cv-2', from: 'moving' as const, to: 'holding' as const, reason: 'bridge out', resumeWhen: 'bridge cleared' };
    expect(router.onEvents(log.append(hold), log.picture)).toEqual([]);
    expect(router.corridorOf('cv-2')).toBeDefined();
    expect(router.onEvents(log.append({ type: 'convoy.state-changed', convoyId: 'cv-2', from: 'holding', to: 'arrived' }), log.picture)).toEqual([]);
    expect(router.corridorOf('cv-2')).toBeUndefined();
  });
});

describe('havens', () => {
  const H1: [number, number] = [11.9600, 57.7050];
  const H2: [number, number] = [11.9900, 57.7200];
  const ORIGIN: [number, number] = [11.9550, 57.7020];

  it('assigns evacuees to the nearest open haven with room, without overfilling it', () => {
    const events = log.append(
      { type: 'haven.upserted', haven: haven('hv-1', H1, 100) },
      { type: 'haven.upserted', haven: haven('hv-2', H2, 1000) },
      { type: 'convoy.upserted', convoy: convoy('cv-a', ORIGIN, 'nearest-haven', { people: 60 }) },
      { type: 'convoy.upserted', convoy: convoy('cv-b', ORIGIN, 'nearest-haven', { people: 60 }) },
    );
    const out = router.onEvents(events, log.picture);
    const byId = Object.fromEntries(out.map((c) => [c.convoyId, c]));
    expect(byId['cv-a'].havenId).toBe('hv-1');
    // hv-1 has room for 100: the second 60 go to hv-2.
    expect(byId['cv-b'].havenId).toBe('hv-2');
    expect(router.load('hv-1')).toBe(60);
    expect(byId['cv-a'].reason).toContain('haven hv-1 (Haven hv-1)');
  });

  it('when a haven closes its corridors move to the next best haven; none left gives no_haven', () => {
    const events = log.append(
      { type: 'haven.upserted', haven: haven('hv-1', H1, 100) },
      { type: 'haven.upserted', haven: haven('hv-2', H2, 100) },
      { type: 'convoy.upserted', convoy: convoy('cv-a', ORIGIN, 'nearest-haven', { people: 50 }) },
    );
    expect(router.onEvents(events, log.picture)[0].havenId).toBe('hv-1');
    const closed = router.onEvents(log.append({ type: 'haven.upserted', haven: haven('hv-1', H1, 100, { status: 'closed' }) }), log.picture);
    expect(closed).toHaveLength(1);
    expect(closed[0].havenId).toBe('hv-2');
    expect(closed[0].reason).toMatch(/^haven hv-1 closed: now to haven hv-2/);
    expect(closed[0].cause).toEqual(['hv-1']);
    const full = router.onEvents(log.append({ type: 'haven.upserted', haven: haven('hv-2', H2, 100, { occupancy: 80 }) }), log.picture);
    expect(full[0].status).toBe('no_haven');
    expect(full[0].reason).toContain('no open haven with room for 50 people');
    // Reopening hv-1 gives it a haven again.
    const reopened = router.onEvents(log.append({ type: 'haven.upserted', haven: haven('hv-1', H1, 100) }), log.picture);
    expect(reopened[0].havenId).toBe('hv-1');
  });

  it("a convoy of an evacuation plan goes only to the plan's havens, and chooses again when they change", () => {
    const plan = (havenIds?: string[]) => ({ id: 'pl-1', name: 'Plan', targetGroups: [{ id: 'medical', name: 'Medical' }], ...(havenIds ? { havenIds } : {}), updatedMs: 0 });
    const events = log.append(
      { type: 'haven.upserted', haven: haven('hv-1', H1, 100) },
      { type: 'haven.upserted', haven: haven('hv-2', H2, 1000) },
      { type: 'plan.upserted', plan: plan(['hv-2']) },
      { type: 'convoy.upserted', convoy: convoy('cv-p', ORIGIN, 'nearest-haven', { people: 20, planId: 'pl-1' }) },
      { type: 'convoy.upserted', convoy: convoy('cv-q', ORIGIN, 'nearest-haven', { people: 20 }) },
    );
    const byId = Object.fromEntries(router.onEvents(events, log.picture).map((c) => [c.convoyId, c]));
    // hv-1 is nearer, but the plan names hv-2 alone; a convoy of no plan takes the nearer.
    expect(byId['cv-p'].havenId).toBe('hv-2');
    expect(byId['cv-q'].havenId).toBe('hv-1');
    // The plan lets its convoys use any haven: cv-p takes the nearer one; cv-q is not recomputed.
    const widened = router.onEvents(log.append({ type: 'plan.upserted', plan: plan() }), log.picture);
    expect(widened.map((c) => [c.convoyId, c.havenId])).toEqual([['cv-p', 'hv-1']]);
    // A plan whose havens are all closed leaves its convoys without a haven.
    router.onEvents(log.append({ type: 'plan.upserted', plan: plan(['hv-2']) }), log.picture);
    const closed = router.onEvents(log.append({ type: 'haven.upserted', haven: haven('hv-2', H2, 1000, { status: 'closed' }) }), log.picture);
    expect(closed.find((c) => c.convoyId === 'cv-p')?.status).toBe('no_haven');
  });

  it("keeps a planner's chosen route first while the search still finds it, across a recomputation and a restart", () => {
    const first = router.onEvents(log.append({ type: 'convoy.upserted', convoy: convoy('cv-c', A, B, { people: 10 }) }), log.picture)[0];
    expect(first.routes.length).toBeGreaterThan(1);
    const alt = first.routes[1];
    const chosen = { ...first, routes: [alt, first.routes[0], ...first.routes.slice(2)], chosen: true };
    // The choice is heard; the router says the chosen corridor again (the same is dropped by the store).
    const said = router.onEvents(log.append({ type: 'convoy.route-chosen', convoyId: 'cv-c', route: 1, corridor: chosen }), log.picture);
    expect(said.map((c) => c.routes[0].coordinates)).toEqual([alt.coordinates]);
    // A change that recomputes the corridor (more people) finds the same routes: the choice stays first.
    const again = router.onEvents(log.append({ type: 'convoy.upserted', convoy: convoy('cv-c', A, B, { people: 20 }) }), log.picture)[0];
    expect(again.chosen).toBe(true);
    expect(again.routes[0].coordinates).toEqual(alt.coordinates);
    expect(again.routes[1].coordinates).toEqual(first.routes[0].coordinates);
    // A router started again on the picture keeps it too.
    router.init(log.picture);
    expect(router.corridorOf('cv-c')?.routes[0].coordinates).toEqual(alt.coordinates);
    // A no-go zone on the chosen route: the choice is gone, the fastest safe route leads again.
    const cut = router.onEvents(log.append({ type: 'threat.upserted', zone: zone('tz-alt', midpoint(alt), 200, 'no-go') }), log.picture).find((c) => c.convoyId === 'cv-c')!;
    expect(cut.chosen).toBeUndefined();
    expect(cut.routes.some((r) => r.coordinates.length === alt.coordinates.length && r.coordinates.every((p, i) => p[0] === alt.coordinates[i][0] && p[1] === alt.coordinates[i][1]))).toBe(false);
  });
});

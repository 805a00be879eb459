// The exercise on the real Gothenburg road network with the real router: places on roads, zones on
// the real crossings, unit paths along roads, corridors that re-route and never enter a no-go zone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { booleanIntersects, booleanPointInPolygon, lineString } from '@turf/turf';
import Flatbush from 'flatbush';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROADS_FILE, loadRoadNetwork, readRoadWays } from '../../routing/index.js';
import { isRoutable } from '../../routing/profile.js';
import type { CorridorEngine, RoadWay } from '../../routing/types.js';
import { applyEvents } from '@corridor/protocol';
import { emptyPicture, routeKey, type Corridor } from '@corridor/protocol';
import { rulerAt, type LonLat } from '../../server/scenario/path-follower.js';
import { loadScenario, resolvePlace } from '../../server/scenario/scenario-file.js';
import { ExerciseSimulator } from '../../server/scenario/simulator.js';
import { ManualClock, MemoryServer, runUntil, silentLogger } from './harness.js';

const scenario = loadScenario();
/** A convoy posted planned beside the exercise's own, so the router keeps its corridor current. */
const STANDING = 'cv-test-standing';
/** Whether two corridors hold the same routes (their lines), whatever their figures. */
const sameRoutes = (a: Corridor, b: Corridor) => a.routes.length === b.routes.length && a.routes.every((r, i) => routeKey(r) === routeKey(b.routes[i]));
const ruler = rulerAt(57.7);
let engine: CorridorEngine;
let ways: RoadWay[];
let cacheDir: string;
let segments: { a: LonLat; b: LonLat; way: RoadWay }[];
let index: Flatbush;

beforeAll(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'corridor-scenario-'));
  ({ engine } = await loadRoadNetwork(DEFAULT_ROADS_FILE, { cacheDir }));
  ways = (await readRoadWays(DEFAULT_ROADS_FILE)).filter((w) => isRoutable(w.tags));
  segments = [];
  for (const way of ways) {
    for (let i = 1; i < way.coordinates.length; i++) segments.push({ a: way.coordinates[i - 1], b: way.coordinates[i], way });
  }
  index = new Flatbush(segments.length);
  for (const { a, b } of segments) index.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
  index.finish();
});

afterAll(() => {
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

/** Metres from a point to the nearest routable road, or Infinity beyond `withinM`. */
function roadDistanceM(p: LonLat, withinM: number): number {
  const [w, s, e, n] = ruler.bufferPoint(p, withinM);
  let best = Infinity;
  for (const i of index.search(w, s, e, n)) best = Math.min(best, ruler.pointToSegmentDistance(p, segments[i].a, segments[i].b));
  return best <= withinM ? best : Infinity;
}

const waysNamed = (name: string) => ways.filter((w) => w.tags.name === name);

describe('the exercise on the real road network', () => {
  it('puts every unit stop and convoy origin on a routable road (≤ 30 m), havens and sites near one (≤ 300 m)', () => {
    for (const u of scenario.units) {
      for (const stop of u.stops) expect(roadDistanceM(resolvePlace(scenario, stop.place)!, 30), `${u.id} → ${stop.place}`).toBeLessThanOrEqual(30);
    }
    for (const c of scenario.convoys) expect(roadDistanceM(resolvePlace(scenario, c.origin)!, 30), c.id).toBeLessThanOrEqual(30);
    for (const p of [...scenario.havens, ...scenario.sites]) expect(roadDistanceM([p.lon, p.lat], 300), p.id).toBeLessThanOrEqual(300);
  });

  it('routes every task leg of every unit on the open network', () => {
    for (const u of scenario.units) {
      u.stops.forEach((stop, i) => {
        const next = u.stops[(i + 1) % u.stops.length];
        const answer = engine.route({ from: resolvePlace(scenario, stop.place)!, to: resolvePlace(scenario, next.place)!, vehicleClass: u.vehicleClass });
        expect(answer.ok, `${u.id}: ${stop.place} → ${next.place}`).toBe(true);
      });
    }
  });

  it('closes the real crossings: the zones cover the Götaälvbron and the Älvsborgsbron, the constraint follows the Tingstad tunnel', () => {
    const zone = (id: string) => {
      const step = scenario.timeline.find((s) => s.action === 'threat.upsert' && s.id === id);
      if (step?.action !== 'threat.upsert' || !step.polygon) throw new Error(`no polygon zone ${id}`);
      return { type: 'Polygon' as const, coordinates: [step.polygon] };
    };
    for (const [id, road] of [
      ['tz-ex-gotaalvbron', 'Götaälvbron'],
      ['tz-ex-alvsborgsbron', 'Älvsborgsbron'],
    ]) {
      const roads = waysNamed(road);
      expect(roads.length, road).toBeGreaterThan(0);
      expect(roads.some((w) => booleanIntersects(lineString(w.coordinates), zone(id))), `${id} covers ${road}`).toBe(true);
    }
    const tunnel = scenario.timeline.find((s) => s.action === 'constraint.upsert');
    if (tunnel?.action !== 'constraint.upsert' || !tunnel.lines) throw new Error('no tunnel constraint');
    const bores = waysNamed('Tingstadstunneln');
    for (const line of tunnel.lines) {
      for (const p of line) {
        const d = Math.min(...bores.map((w) => ruler.pointToSegmentDistance(p, w.coordinates[0], w.coordinates.at(-1)!)));
        expect(d).toBeLessThan(2);
      }
    }
  });

  it('keeps stops and havens out of every no-go zone, so units are never sent into one', () => {
    const noGo = scenario.timeline.flatMap((s) =>
      s.action === 'threat.upsert' && s.severity === 'no-go' && s.polygon ? [{ type: 'Polygon' as const, coordinates: [s.polygon] }] : [],
    );
    const points = [...scenario.units.flatMap((u) => u.stops.map((s) => resolvePlace(scenario, s.place)!)), ...scenario.havens.map((h) => [h.lon, h.lat])];
    for (const p of points) for (const z of noGo) expect(booleanPointInPolygon(p, z)).toBe(false);
  });
});

describe('the simulated exercise with the real router (10x)', () => {
  let server: MemoryServer;
  const offRoad: string[] = [];
  const states = new Map<number, ReturnType<ExerciseSimulator['unitStates']>>();
  /** Each convoy lead's distance from its convoy's best route while the convoy moves, by tick. */
  const leadOffsets: string[] = [];
  const leadMoved = new Map<string, number>();

  beforeAll(async () => {
    const clock = new ManualClock();
    server = new MemoryServer(clock, engine);
    const sim = new ExerciseSimulator({ routing: engine, submit: server.submit, logger: silentLogger, picture: () => server.picture, scenario, clock, speedup: 10 });
    // A convoy that stays planned across the river: a standing corridor the router keeps current (the
    // exercise's own convoys are under way by 1:15, and their routes change only by decisions, P22).
    await server.submit({ type: 'convoy.upsert', msgId: 'standing', convoy: { id: STANDING, name: 'Standing', origin: resolvePlace(scenario, 'pl-backaplan')!, destination: resolvePlace(scenario, 'pl-centralen')!, vehicleClass: '4wd' } });
    for (let t = 10; t <= 500; t += 10) {
      await runUntil(sim, clock, t);
      const now = sim.unitStates();
      states.set(t, now);
      for (const c of scenario.convoys) {
        const convoy = server.picture.convoys[c.id];
        const corridor = server.picture.corridors[c.id];
        const fix = server.picture.units[c.lead!.id];
        if (convoy?.state !== 'moving' || corridor?.status !== 'ok' || !fix) continue;
        const line = corridor.routes[0].coordinates as LonLat[];
        const off = ruler.distance([fix.lon, fix.lat], ruler.pointOnLine(line, [fix.lon, fix.lat]).point);
        if (off > 5) leadOffsets.push(`${c.lead!.id} at ${t} s: ${off.toFixed(0)} m off its convoy's route`);
        leadMoved.set(c.id, Math.max(leadMoved.get(c.id) ?? 0, ruler.distance([fix.lon, fix.lat], line[0])));
      }
      for (const u of now) {
        if (u.mode !== 'moving') continue;
        if (roadDistanceM(u.position, 3) > 3) offRoad.push(`${u.unitId} at ${t} s: position ${u.position}`);
        for (const p of u.path) if (roadDistanceM(p, 3) > 3) offRoad.push(`${u.unitId} at ${t} s: path point ${p}`);
      }
    }
  });

  it('moves units only along roads: every path point and moving position within 3 m of a routable road', () => {
    expect(offRoad).toEqual([]);
    const moved = new Set([...states.values()].flatMap((s) => s.filter((u) => u.mode === 'moving').map((u) => u.unitId)));
    expect(moved.size).toBe(12);
  });

  it('sends every fix through the validator and lands all twelve units and the three convoy leads in the picture', () => {
    expect(Object.keys(server.picture.units)).toHaveLength(15);
    expect(server.commands('positions').length).toBeGreaterThanOrEqual(50);
  });

  it('drives each convoy\'s lead along its convoy\'s route while it moves (P21)', () => {
    expect(leadOffsets).toEqual([]);
    for (const c of scenario.convoys) expect(leadMoved.get(c.id) ?? 0, c.id).toBeGreaterThan(500);
  });

  it('keeps the routes of convoys under way: the router never replaces them (P22)', () => {
    let picture = emptyPicture();
    const replaced: string[] = [];
    for (const event of server.events) {
      const before = picture;
      picture = applyEvents(picture, [event]);
      if (event.type !== 'corridor.recomputed') continue;
      const convoy = before.convoys[event.corridor.convoyId];
      const held = convoy && before.corridors[convoy.id];
      // The same routes with new figures (a refresh, P11) are not a new route.
      if (held && (convoy.state === 'moving' || convoy.state === 'holding') && !sameRoutes(held, event.corridor)) replaced.push(`${convoy.id} at seq ${event.seq}`);
    }
    expect(replaced).toEqual([]);
  });

  it('re-routes a standing corridor visibly when the Götaälvbron closes at 75 s', () => {
    const recomputed = server.events.flatMap((e) => (e.type === 'corridor.recomputed' ? [{ ...e.corridor, seq: e.seq }] : []));
    const byCause = recomputed.filter((c) => c.cause?.includes('tz-ex-gotaalvbron') && c.status === 'ok');
    expect(byCause.length).toBeGreaterThan(0);
    const changed = byCause.some((c) => {
      const before = recomputed.filter((p) => p.convoyId === c.convoyId && p.seq < c.seq).at(-1);
      return before && before.routes[0].distance_m !== c.routes[0].distance_m;
    });
    expect(changed).toBe(true);
  });

  it('never lays a corridor through an active no-go zone, and reports no safe route while every crossing is closed', () => {
    let picture = emptyPicture();
    const blocked: Corridor[] = [];
    for (const event of server.events) {
      const before = picture;
      picture = applyEvents(picture, [event]);
      if (event.type !== 'corridor.recomputed') continue;
      const c = event.corridor;
      // A refresh of a route already held (a convoy under way keeps its route until a decision, P22) is
      // not a corridor laid now.
      const held = before.corridors[c.convoyId];
      if (held && sameRoutes(held, c)) continue;
      if (c.status === 'no_safe_route') blocked.push(c);
      for (const route of c.routes) {
        for (const zone of Object.values(picture.threats)) {
          if (zone.severity !== 'no-go') continue;
          expect(booleanIntersects(lineString(route.coordinates), zone.area), `${c.convoyId} through ${zone.id}`).toBe(false);
        }
      }
    }
    // 330–420 s: Götaälvbron and Älvsborgsbron no-go, Tingstad tunnel closed: no way across the river
    // for the standing corridor (the convoys under way get proposals, in the server: P22).
    expect(blocked.map((c) => c.convoyId)).toContain(STANDING);
    expect(blocked.every((c) => (c.blockedBy ?? []).length > 0)).toBe(true);
    expect(Object.values(server.picture.corridors).every((c) => c.status === 'ok')).toBe(true);
  });

  it('holds units whose way is cut instead of failing, and they move again afterwards', () => {
    const held = states.get(350)!.filter((u) => u.mode === 'waiting');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((u) => /no_safe_route/.test(u.lastFailure ?? ''))).toBe(true);
    const later = states.get(500)!;
    for (const u of held) expect(later.find((x) => x.unitId === u.unitId)!.mode).not.toBe('waiting');
  });
});

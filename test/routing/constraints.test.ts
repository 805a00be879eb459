// Access constraints (closed / restricted roads and areas) act like zones: a closed road along a
// constraint line is impassable, a line that only crosses a road does not close it.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Router } from '../../routing/router.js';
import { edgesAlongLine, edgesOfGeometry } from '../../routing/zone-effects.js';
import { constraint, convoy, Log, loadGothenburg } from './helpers.js';

let router: Router;
let log: Log;
const A: [number, number] = [11.9487, 57.7];
const B: [number, number] = [12.005, 57.728];

beforeAll(async () => {
  ({ router } = await loadGothenburg());
});
beforeEach(() => {
  log = new Log();
  router.init(log.picture);
});

/** The longest edge the plain A→B route uses, as a constraint line drawn along it. */
function longestRouteEdge(): number {
  const r = router.route({ from: A, to: B });
  if (!r.ok) throw new Error('no route');
  const coords = r.routes[0].coordinates;
  let best = -1;
  for (let i = 1; i + 1 < coords.length; i++) {
    const s = router.graph.snap(coords[i][0], coords[i][1], 1, () => true);
    if (s && (best < 0 || router.graph.data.edgeLenM[s.edge] > router.graph.data.edgeLenM[best])) best = s.edge;
  }
  return best;
}

describe('access constraints', () => {
  it('a closed line constraint along a road closes that road (and only roads it follows)', () => {
    const edge = longestRouteEdge();
    const line = { type: 'LineString' as const, coordinates: router.graph.edgeCoords(edge) };
    const hit = Array.from(edgesAlongLine(router.graph, line));
    expect(hit).toContain(edge);
    // Besides it, at most a little road running alongside within the tolerance.
    const others = hit.filter((e) => e !== edge).reduce((sum, e) => sum + router.graph.data.edgeLenM[e], 0);
    expect(others).toBeLessThan(0.25 * router.graph.data.edgeLenM[edge]);
  });

  it('a line that only crosses a road does not close it', () => {
    const edge = longestRouteEdge();
    const coords = router.graph.edgeCoords(edge);
    const [p, q] = [coords[0], coords[coords.length - 1]];
    const mid = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
    // 60 m across the road, at right angles (in a local metric frame).
    const k = Math.cos((mid[1] * Math.PI) / 180);
    const dx = (q[0] - p[0]) * k;
    const dy = q[1] - p[1];
    const len = Math.hypot(dx, dy);
    const nx = (-dy / len) * (30 / 111_320);
    const ny = (dx / len) * (30 / 111_320);
    const across = { type: 'LineString' as const, coordinates: [[mid[0] + nx / k, mid[1] + ny], [mid[0] - nx / k, mid[1] - ny]] as [number, number][] };
    expect(Array.from(edgesAlongLine(router.graph, across))).not.toContain(edge);
  });

  it('closing a corridor road re-routes it with the constraint as cause; reopening restores it', () => {
    const first = router.onEvents(log.append({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }), log.picture)[0];
    const edge = longestRouteEdge();
    const c = constraint('ac-1', { type: 'LineString', coordinates: router.graph.edgeCoords(edge) }, 'closed');
    c.reason = 'Bridge damaged';
    const out = router.onEvents(log.append({ type: 'constraint.upserted', constraint: c }), log.picture);
    expect(out).toHaveLength(1);
    expect(out[0].cause).toEqual(['ac-1']);
    expect(out[0].reason).toMatch(/^re-routed around constraint ac-1 \(Bridge damaged\): \+/);
    expect(out[0].routes[0].coordinates).not.toEqual(first.routes[0].coordinates);
    const back = router.onEvents(log.append({ type: 'constraint.removed', id: 'ac-1', reason: 'deleted' }), log.picture);
    expect(back.find((x) => x.convoyId === 'cv-1')?.routes[0].coordinates).toEqual(first.routes[0].coordinates);
  });

  it('a restricted area costs more: the corridor avoids it where it can, an open one changes nothing', () => {
    const first = router.onEvents(log.append({ type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }), log.picture)[0];
    const mid = first.routes[0].coordinates[Math.floor(first.routes[0].coordinates.length / 2)];
    const d = 0.002;
    const square = {
      type: 'Polygon' as const,
      coordinates: [[[mid[0] - d, mid[1] - d], [mid[0] + d, mid[1] - d], [mid[0] + d, mid[1] + d], [mid[0] - d, mid[1] + d], [mid[0] - d, mid[1] - d]]] as [number, number][][],
    };
    expect(edgesOfGeometry(router.graph, square).length).toBeGreaterThan(0);
    expect(router.onEvents(log.append({ type: 'constraint.upserted', constraint: constraint('ac-open', square, 'open') }), log.picture)).toEqual([]);
    const out = router.onEvents(log.append({ type: 'constraint.upserted', constraint: constraint('ac-2', square, 'restricted') }), log.picture);
    expect(out.map((c) => c.convoyId)).toEqual(['cv-1']);
    expect(out[0].routes[0].duration_s).toBeGreaterThanOrEqual(first.routes[0].duration_s);
  });
});

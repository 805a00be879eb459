// Property tests: the compact A* gives the same least costs (and the same "unreachable") as a plain
// Dijkstra and as ngraph.path's A* on random graphs and on the real networks, with and without zones.
import path from 'node:path';
import fc from 'fast-check';
import ngraphPath from 'ngraph.path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRoadGraph, readRoadWays, Router } from '../../routing/index.js';
import type { RoadGraph } from '../../routing/road-graph.js';
import type { RoadWay } from '../../routing/types.js';
import { HAITI_DIR, hasHaiti, latticeWay, Log, loadGothenburg, plainDijkstra, zone } from './helpers.js';

const SEED = Number(process.env.FC_SEED ?? 20261121);
console.log(`search-oracle: fast-check seed ${SEED} (FC_SEED=... to replay)`);

const HIGHWAYS = ['primary', 'secondary', 'residential', 'service', 'footway', 'motorway'];

/** Random road ways on a small lattice: random classes, oneway tags and practicability. */
const arbWays = fc
  .array(
    fc.record({
      a: fc.integer({ min: 0, max: 35 }),
      b: fc.integer({ min: 0, max: 35 }),
      bend: fc.boolean(),
      highway: fc.constantFrom(...HIGHWAYS),
      oneway: fc.constantFrom(undefined, 'yes', '-1', 'no'),
      practicability: fc.constantFrom(undefined, 'motorbike', 'heavy_truck_less_than_20mt', 'non_motorized'),
    }),
    { minLength: 5, maxLength: 80 },
  )
  .map((specs) =>
    specs
      .filter((s) => s.a !== s.b)
      .map(latticeWay),
  );

function ngraphCost(graph: RoadGraph, router: Router, weight: 0 | 1, rank: number, from: number, to: number): number {
  const costs = router.costs[weight];
  const g = graph.toNgraph((e) => (costs.rank[e] < rank ? null : costs.base[e] * costs.factor[e]));
  const finder = ngraphPath.aStar(g, {
    oriented: true,
    // Read the weight from link.data: aStar and nba pass the ends in different orders (STACK.md).
    distance: (_a, _b, link) => link.data.cost,
    blocked: (_a, _b, link) => costs.blocked[link.data.edge] > 0,
  });
  const nodes = finder.find(from, to);
  // A blocked-callback search can return a one-node "path"; only a path joining both ends counts.
  if (from === to) return 0;
  if (nodes.length < 2) return Infinity;
  const ids = nodes.map((n) => n.id as number).reverse();
  if (ids[0] !== from || ids[ids.length - 1] !== to) return Infinity;
  let total = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    let best = Infinity;
    g.forEachLinkedNode(ids[i], (_n, link) => {
      if (link.fromId === ids[i] && link.toId === ids[i + 1] && costs.blocked[link.data.edge] === 0) best = Math.min(best, link.data.cost);
    }, true);
    total += best;
  }
  return total;
}

const close = (a: number, b: number) => (a === Infinity ? b === Infinity : Math.abs(a - b) <= 1e-6 * Math.max(1, a));

describe('compact A* against independent searches', () => {
  it('random graphs: same least cost as plain Dijkstra and ngraph.path, including unreachable', () => {
    fc.assert(
      fc.property(arbWays, fc.nat(), fc.nat(), fc.constantFrom(0, 1), fc.integer({ min: 1, max: 5 }), (ways, i, j, weight, rank) => {
        const graph = buildRoadGraph(ways);
        if (graph.nodeCount < 2) return;
        const router = new Router(graph);
        const from = i % graph.nodeCount;
        const to = j % graph.nodeCount;
        const costs = router.costs[weight];
        const ours = router.searcher.routeNodes(costs, rank, from, to).cost;
        const oracle = plainDijkstra(graph, costs, rank, from, to);
        expect(close(ours, oracle), `ours ${ours} vs Dijkstra ${oracle}`).toBe(true);
        expect(close(ngraphCost(graph, router, weight as 0 | 1, rank, from, to), oracle)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  describe('Gothenburg (real network) with random no-go and danger zones', () => {
    let router: Router;
    let graph: RoadGraph;
    beforeAll(async () => {
      ({ router, graph } = await loadGothenburg());
    });

    it('same least cost as plain Dijkstra and ngraph.path for random pairs', () => {
      const [w, s, e, n] = graph.bbox;
      fc.assert(
        fc.property(
          fc.nat({ max: graph.nodeCount - 1 }),
          fc.nat({ max: graph.nodeCount - 1 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }).map((v) => v / 1000), fc.integer({ min: 0, max: 1000 }).map((v) => v / 1000), fc.integer({ min: 100, max: 900 }), fc.boolean()), { maxLength: 4 }),
          fc.constantFrom(0, 1),
          (from, to, zones, weight) => {
            const log = new Log();
            log.append(
              ...zones.map(([x, y, r, nogo], k) => ({
                type: 'threat.upserted' as const,
                zone: zone(`tz-${k}`, [w + x * (e - w), s + y * (n - s)], r, nogo ? 'no-go' : 'danger'),
              })),
            );
            router.init(log.picture);
            const costs = router.costs[weight];
            const ours = router.searcher.routeNodes(costs, 1, from, to).cost;
            const oracle = plainDijkstra(graph, costs, 1, from, to);
            expect(close(ours, oracle), `ours ${ours} vs Dijkstra ${oracle}`).toBe(true);
            expect(close(ngraphCost(graph, router, weight as 0 | 1, 1, from, to), oracle)).toBe(true);
          },
        ),
        { seed: SEED, numRuns: 12 },
      );
      router.init(new Log().picture);
    });
  });

  describe.skipIf(!hasHaiti)('Port-au-Prince (real network, needs ../shared/data: absent, skipped)', () => {
    it('same least cost as plain Dijkstra per vehicle class', async () => {
      const graph = buildRoadGraph(await readRoadWays(path.join(HAITI_DIR, 'port-au-prince-2021-08-14-highways.geojson')));
      const router = new Router(graph);
      fc.assert(
        fc.property(fc.nat({ max: graph.nodeCount - 1 }), fc.nat({ max: graph.nodeCount - 1 }), fc.integer({ min: 1, max: 5 }), (from, to, rank) => {
          const costs = router.costs[0];
          expect(close(router.searcher.routeNodes(costs, rank, from, to).cost, plainDijkstra(graph, costs, rank, from, to))).toBe(true);
        }),
        { seed: SEED, numRuns: 40 },
      );
    });
  });
});

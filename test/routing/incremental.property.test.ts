// Property: keeping corridors current incrementally (onEvents, recomputing only what a change can
// affect) gives the same corridors as computing them all from scratch on the same picture; and every
// corridor either way carries a structured reason (`why`) whose English text is its `reason`.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Router } from '../../routing/router.js';
import type { RoadGraph } from '../../routing/road-graph.js';
import type { Corridor } from '@corridor/protocol';
import { convoy, haven, Log, loadGothenburg, zone } from './helpers.js';
import { expectWhys } from './why-check.js';

const SEED = Number(process.env.FC_SEED ?? 777);
console.log(`incremental property: fast-check seed ${SEED} (FC_SEED=... to replay)`);

const essence = (c: Corridor | undefined) =>
  c && { status: c.status, havenId: c.havenId, blockedBy: c.blockedBy, routes: c.routes };

describe('incremental corridors equal corridors computed from scratch (Gothenburg)', () => {
  let graph: RoadGraph;
  beforeAll(async () => {
    ({ graph } = await loadGothenburg());
  });

  it('after random sequences of zones appearing, moving and lifting', () => {
    const [w, s, e, n] = graph.bbox;
    const at = (x: number, y: number): [number, number] => [w + (0.3 + 0.4 * x) * (e - w), s + (0.3 + 0.4 * y) * (n - s)];
    const unit = fc.integer({ min: 0, max: 1000 }).map((v) => v / 1000);
    const step = fc.record({
      id: fc.constantFrom('tz-1', 'tz-2', 'tz-3'),
      remove: fc.boolean(),
      x: unit,
      y: unit,
      r: fc.integer({ min: 50, max: 600 }),
      severity: fc.constantFrom('no-go', 'danger', 'advisory') as fc.Arbitrary<'no-go' | 'danger' | 'advisory'>,
    });
    const live = new Router(graph, { now: () => 0 });
    fc.assert(
      fc.property(fc.array(fc.tuple(unit, unit, unit, unit), { minLength: 3, maxLength: 6 }), fc.array(step, { minLength: 1, maxLength: 6 }), (ends, steps) => {
        const log = new Log();
        const first = log.append(
          { type: 'haven.upserted', haven: haven('hv-1', at(0.2, 0.8), 500) },
          { type: 'haven.upserted', haven: haven('hv-2', at(0.8, 0.2), 500) },
          ...ends.map(([a, b, c, d], i) => ({
            type: 'convoy.upserted' as const,
            convoy: convoy(`cv-${i}`, at(a, b), i % 3 === 2 ? 'nearest-haven' : at(c, d), { people: 100 }),
          })),
        );
        expectWhys(live.init(log.picture), log.picture);
        const held = new Map<string, Corridor>();
        for (const c of expectWhys(live.onEvents(first, log.picture), log.picture)) held.set(c.convoyId, c);
        for (const c of expectWhys(live.init(log.picture), log.picture)) held.set(c.convoyId, c);
        for (const st of steps) {
          const events = st.remove
            ? log.picture.threats[st.id]
              ? log.append({ type: 'threat.removed', id: st.id, reason: 'deleted' })
              : []
            : log.append({ type: 'threat.upserted', zone: zone(st.id, at(st.x, st.y), st.r, st.severity) });
          for (const c of expectWhys(live.onEvents(events, log.picture), log.picture)) held.set(c.convoyId, c);
          const fresh = new Router(graph, { now: () => 0 });
          expectWhys(fresh.init(log.picture), log.picture);
          for (const cid of Object.keys(log.picture.convoys)) {
            expect(essence(live.corridorOf(cid)), `${cid} held by the router`).toEqual(essence(fresh.corridorOf(cid)));
            // What was broadcast is what the router holds.
            expect(essence(held.get(cid)), `${cid} as broadcast`).toEqual(essence(fresh.corridorOf(cid)));
          }
        }
      }),
      { seed: SEED, numRuns: 25 },
    );
  });
});

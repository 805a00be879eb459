// Property: a corridor never enters a no-go zone (issue "Threats and constraints"), checked with turf
// on the real Gothenburg roads over random zones and random ends; the answer is a route or no_safe_route.
import { booleanIntersects, buffer, lineString } from '@turf/turf';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../../routing/router.js';
import { Log, loadGothenburg, zone } from './helpers.js';

const SEED = Number(process.env.FC_SEED ?? 4242);
console.log(`no-go property: fast-check seed ${SEED} (FC_SEED=... to replay)`);

describe('no-go zones are never entered (Gothenburg)', () => {
  let router: Router;
  let bbox: [number, number, number, number];
  beforeAll(async () => {
    ({ router } = await loadGothenburg());
    bbox = router.bbox;
  });

  it('random zones and random ends: every route and alternative stays outside every no-go zone', () => {
    const at = (x: number, y: number): [number, number] => {
      const [w, s, e, n] = bbox;
      // The central half of the network, where roads are dense.
      return [w + (0.25 + 0.5 * x) * (e - w), s + (0.25 + 0.5 * y) * (n - s)];
    };
    // Integers scaled to [0, 1]: fast-check's doubles lean to the extremes, which would stack every case in a corner.
    const unit = fc.integer({ min: 0, max: 10_000 }).map((v) => v / 10_000);
    let routed = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(unit, unit, fc.integer({ min: 80, max: 1200 })), { minLength: 1, maxLength: 5 }),
        unit, unit, unit, unit,
        fc.integer({ min: 0, max: 2 }),
        (zones, a, b, c, d, alternatives) => {
          const log = new Log();
          const held = zones.map(([x, y, r], k) => zone(`tz-${k}`, at(x, y), r));
          log.append(...held.map((z) => ({ type: 'threat.upserted' as const, zone: z })));
          router.init(log.picture);
          const answer = router.route({ from: at(a, b), to: at(c, d), alternatives });
          if (!answer.ok) {
            expect(['no_safe_route', 'off_network']).toContain(answer.code);
            if (answer.code === 'no_safe_route') {
              refused++;
              // Whatever cuts every path is one of the zones drawn.
              for (const id of answer.blockedBy) expect(held.map((z) => z.id)).toContain(id);
            }
            return;
          }
          routed++;
          for (const route of answer.routes) {
            const line = lineString(route.coordinates);
            for (const z of held) expect(booleanIntersects(line, z.area), `route enters ${z.id}`).toBe(false);
          }
        },
      ),
      { seed: SEED, numRuns: 120 },
    );
    console.log(`no-go property: ${routed} routed, ${refused} refused as no_safe_route`);
    expect(routed).toBeGreaterThan(50);
  });

  it('a stand-off distance keeps the route that far from the zone', () => {
    const [w, s, e, n] = bbox;
    const center: [number, number] = [(w + e) / 2, (s + n) / 2];
    const from: [number, number] = [center[0] - 0.02, center[1]];
    const to: [number, number] = [center[0] + 0.02, center[1]];
    const log = new Log();
    const z = zone('tz-standoff', center, 300, 'no-go', { standoffM: 150 });
    log.append({ type: 'threat.upserted', zone: z });
    router.init(log.picture);
    const answer = router.route({ from, to });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    // The zone grown by 140 m (10 m short of the stand-off, for turf's own circle approximation).
    const grown = buffer(z.area, 140, { units: 'meters' })!;
    expect(booleanIntersects(lineString(answer.routes[0].coordinates), grown)).toBe(false);
    expect(answer.routes[0].min_clearance_m).toBeGreaterThanOrEqual(140);
  });
});

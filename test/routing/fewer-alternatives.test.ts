// Why a route query finds fewer alternatives than asked (routing/router.ts): on a road with no other way
// there is none, and the answer says which limits no other route kept; where a second way exists within
// them, it is offered and nothing is said.
import { describe, expect, it } from 'vitest';
import { buildRoadGraph, Router } from '../../routing/index.js';
import type { RoadWay } from '../../routing/types.js';

const way = (id: number, coordinates: [number, number][]): RoadWay => ({ id: `way/${id}`, highway: 'primary', coordinates, tags: { highway: 'primary' } });

describe('Router.route: fewer alternatives than asked', () => {
  it('says none was found, and the limits an alternative must keep, on a single road', () => {
    const router = new Router(buildRoadGraph([way(1, [[10, 50], [10.01, 50], [10.02, 50]])]));
    const answer = router.route({ from: [10.001, 50], to: [10.019, 50], alternatives: 2 });
    expect(answer).toMatchObject({ ok: true, fewerAlternatives: { asked: 2, found: 0, maxStretch: 1.4, maxShared: 0.6 } });
  });

  it('offers the other way round a square and says nothing more', () => {
    // Two ways of about the same length between the opposite corners of a square.
    const a: [number, number] = [10, 50];
    const b: [number, number] = [10.01, 50];
    const c: [number, number] = [10.01, 50.006];
    const d: [number, number] = [10, 50.006];
    const router = new Router(buildRoadGraph([way(1, [a, b]), way(2, [b, c]), way(3, [c, d]), way(4, [d, a])]));
    const answer = router.route({ from: [10.0001, 50.0001], to: [10.0099, 50.0059], alternatives: 1 });
    expect(answer.ok && answer.routes.length).toBe(2);
    expect(answer.ok && answer.fewerAlternatives).toBeUndefined();
  });
});

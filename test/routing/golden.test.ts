// Golden corridors on real Gothenburg roads: test/fixtures/routing/in/<case>.geojson (start, end,
// zones; options in the collection's properties) → out/<case>.geojson, red best route, viewable in
// any GeoJSON viewer. `UPDATE=1` (npm run fixtures:update) rewrites the outputs; read the diff. A
// missing output fails (golden-file.ts): in CI without writing it, elsewhere after writing it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { booleanIntersects, lineString } from '@turf/turf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../../routing/router.js';
import type { RouteQuery } from '../../routing/types.js';
import type { Polygonal } from '@corridor/protocol';
import { writeOrCheckGolden } from './golden-file.js';
import { Log, loadGothenburg, polygonZone, repoRoot } from './helpers.js';

const DIR = path.join(repoRoot, 'test/fixtures/routing');
const cases = readdirSync(path.join(DIR, 'in')).filter((f) => f.endsWith('.geojson')).map((f) => f.replace(/\.geojson$/, ''));

interface InFeature {
  type: 'Feature';
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: unknown };
}

/** Runs one case and draws the answer as a FeatureCollection (simplestyle colours). */
function run(router: Router, input: { properties?: Record<string, unknown>; features: InFeature[] }) {
  const [start, end, ...zones] = input.features;
  const opts = input.properties ?? {};
  const log = new Log();
  const held = zones.map((z, i) =>
    polygonZone(
      String(z.properties.id ?? `tz-${i + 1}`),
      z.geometry as Polygonal,
      (z.properties.severity as 'no-go' | 'danger' | 'advisory') ?? 'no-go',
      z.properties.label as string | undefined,
    ),
  );
  held.forEach((z, i) => {
    if (zones[i].properties.standoff_m !== undefined) z.standoffM = Number(zones[i].properties.standoff_m);
  });
  log.append(...held.map((zone) => ({ type: 'threat.upserted' as const, zone })));
  router.init(log.picture);
  const query: RouteQuery = {
    from: start.geometry.coordinates as [number, number],
    to: end.geometry.coordinates as [number, number],
    weight: (opts.weight as 'time' | 'distance') ?? 'time',
    alternatives: Number(opts.alternatives ?? 0),
    ...(opts.vehicleClass ? { vehicleClass: opts.vehicleClass as RouteQuery['vehicleClass'] } : {}),
  };
  const answer = router.route(query);
  const drawnZones = zones.map((z) => ({
    ...z,
    properties: { ...z.properties, fill: z.properties.severity === 'danger' ? '#ff9900' : '#000000', 'fill-opacity': 0.3, stroke: '#000000' },
  }));
  const ends = [start, end].map((f, i) => ({ ...f, properties: { ...f.properties, 'marker-color': i === 0 ? '#00aa00' : '#0000ff' } }));
  const routes = answer.ok
    ? answer.routes.map((leg, i) => ({
        type: 'Feature',
        properties: {
          rank: i,
          stroke: i === 0 ? '#ff0000' : '#ff66aa',
          'stroke-width': i === 0 ? 5 : 3,
          distance_m: leg.distance_m,
          duration_s: leg.duration_s,
          exposure_m: leg.exposure_m,
          min_clearance_m: leg.min_clearance_m,
          // The roads it follows (issue 18), so a change of names or stretches shows in the diff.
          roads: leg.roads,
        },
        geometry: { type: 'LineString', coordinates: leg.coordinates },
      }))
    : [];
  return {
    answer,
    held,
    out: {
      type: 'FeatureCollection',
      properties: answer.ok ? { status: 'ok', routes: answer.routes.length } : { status: answer.code, ...('blockedBy' in answer ? { blockedBy: answer.blockedBy } : {}) },
      features: [...drawnZones, ...ends, ...routes],
    },
  };
}

describe('golden corridors (test/fixtures/routing)', () => {
  let router: Router;
  beforeAll(async () => {
    ({ router } = await loadGothenburg());
  });

  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));

  for (const name of cases) {
    it(name, () => {
      const input = JSON.parse(readFileSync(path.join(DIR, 'in', `${name}.geojson`), 'utf8'));
      const { answer, held, out } = run(router, input);
      // Whatever the golden file says, a route never enters a no-go zone.
      if (answer.ok) {
        for (const leg of answer.routes)
          for (const z of held) if (z.severity === 'no-go') expect(booleanIntersects(lineString(leg.coordinates), z.area)).toBe(false);
      }
      const file = path.join(DIR, 'out', `${name}.geojson`);
      const text = `${JSON.stringify(out, null, 1)}\n`;
      const failure = writeOrCheckGolden(file, text);
      if (failure) expect.fail(failure);
      expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    });
  }
});

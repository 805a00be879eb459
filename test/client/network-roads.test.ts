// Roads the network's assessment tagged (client/src/state/network-roads.ts, issue 16): read from the
// server's GeoJSON defensively, drawn by status under the posted constraints, named in the tooltip.
import { describe, expect, it } from 'vitest';
import { roadsOfCollection } from '../../client/src/state/network-roads.js';
import { ACCESS_STATUS_COLORS, networkRoadProps } from '../../client/src/layers/constraint-layers.js';
import { pictureLayers } from '../../client/src/layers/index.js';
import { tooltipText } from '../../client/src/layers/tooltip.js';
import { emptyPicture } from '@corridor/protocol';
import { EN, plain } from './words-fixture.js';

const feature = (id: string, status: unknown, geometry: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Feature', properties: { id, status, ...extra }, geometry });
const line = { type: 'LineString', coordinates: [[-72.3, 18.57], [-72.29, 18.58]] };

describe('tagged roads of the loaded network', () => {
  it('reads closed and restricted roads with their lines, and leaves out what it cannot read', () => {
    const roads = roadsOfCollection({
      type: 'FeatureCollection',
      features: [
        feature('ac-osm-w1', 'closed', line, { source: 'OpenStreetMap road assessment', reasonTags: { practicability: 'non_motorized' }, verifiedAt: '2021-08-05T10:00:00Z' }),
        feature('ac-osm-w2', 'restricted', { type: 'MultiLineString', coordinates: [line.coordinates, [[0, 0]], line.coordinates] }),
        feature('ac-osm-w3', 'open', line),
        feature('ac-osm-w4', 'closed', { type: 'Point', coordinates: [0, 0] }),
        feature('ac-osm-w5', 'closed', { type: 'LineString', coordinates: [[0, 'x'], [1, 1]] }),
        { type: 'Feature', properties: null, geometry: line },
      ],
    });
    expect(roads.map((r) => [r.id, r.status, r.paths.length])).toEqual([
      ['ac-osm-w1', 'closed', 1],
      ['ac-osm-w2', 'restricted', 2],
    ]);
    expect(roads[0]).toMatchObject({ practicability: 'non_motorized', source: 'OpenStreetMap road assessment', verifiedAt: '2021-08-05T10:00:00Z' });
    expect(roadsOfCollection({ error: { code: 'not_found' } })).toEqual([]);
    expect(roadsOfCollection(null)).toEqual([]);
  });

  it('draws them under the posted constraints, closed over restricted, in the colour of their status, the same data while the roads are the same', () => {
    const roads = roadsOfCollection({ type: 'FeatureCollection', features: [feature('c', 'closed', line), feature('r', 'restricted', line)] });
    const props = networkRoadProps(roads, 1);
    const data = props.data as { road: { id: string } }[];
    expect(data.map((l) => l.road.id)).toEqual(['r', 'c']);
    expect((props.getColor as unknown as (l: unknown) => number[])(data[1]).slice(0, 3)).toEqual(ACCESS_STATUS_COLORS.closed.slice(0, 3));
    expect(networkRoadProps(roads, 2).data).toBe(props.data);
    const ids = pictureLayers(emptyPicture(), { nowMs: 0, staleAfterMs: 60_000, scale: 1, networkRoads: roads }).map((l) => l.id);
    expect(ids.indexOf('network-roads')).toBeLessThan(ids.indexOf('constraint-lines'));
  });

  it('says on hover that the road was assessed, its status, what it takes and who says so', () => {
    const [road] = roadsOfCollection({ type: 'FeatureCollection', features: [feature('c', 'closed', line, { source: 'OpenStreetMap road assessment', practicability: 'motorbike' })] });
    const text = plain(tooltipText('network-roads', { road, path: road.paths[0] }, EN));
    expect(text).toContain('Road assessed closed');
    expect(text).toContain('motorbike');
    expect(text).toContain('OpenStreetMap road assessment');
  });
});

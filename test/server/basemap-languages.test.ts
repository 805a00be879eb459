// The basemap in the picture's languages (server/basemap, issue 11): font stacks of every label weight
// that cover Arabic script, and place names in each language carried by the tiles.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { readRoadWays } from '../../routing/index.js';
import type { RoadWay } from '../../routing/types.js';
import { buildRoadTiles } from '../../server/basemap/build-tiles.js';
import { basemapFontPackages, fontFaces, LABEL_FONTS } from '../../server/basemap/fonts.js';
import { basemapPath, BASEMAP_FORMAT } from '../../server/basemap/index.js';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data');
const HAITI_ROADS = path.join(DATA, 'haiti-port-au-prince/port-au-prince-2021-08-14-highways.geojson');

/** Every feature of every tile, with its properties. */
function features(ways: RoadWay[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const tile of buildRoadTiles(ways)) {
    const layer = new VectorTile(new PbfReader(gunzipSync(tile.data))).layers.roads;
    for (let i = 0; i < layer.length; i++) out.push(layer.feature(i).properties);
  }
  return out;
}

describe('basemap fonts', () => {
  it('has a stack for each label weight, each covering Arabic script and, last, every other code point', () => {
    const faces = fontFaces(basemapFontPackages());
    expect(Object.keys(faces).sort()).toEqual(Object.values(LABEL_FONTS).sort());
    for (const [weight, stack] of Object.entries(LABEL_FONTS)) {
      const list = faces[stack];
      const arabic = list.find((f) => new RegExp(`noto-sans-arabic-arabic-${weight}-normal\\.woff2$`).test(f.url));
      expect(arabic, `${stack} has an Arabic face`).toBeDefined();
      expect(arabic!['unicode-range'].join(',')).toMatch(/U\+0600/);
      // Every face of the stack is of its weight.
      expect(list.every((f) => f.url.includes(`-${weight}-normal`))).toBe(true);
      expect(list.at(-1)).toMatchObject({ url: expect.stringMatching(new RegExp(`noto-sans-latin-${weight}-normal`)), 'unicode-range': ['U+0-10FFFF'] });
    }
  });
});

describe('place names in the picture\'s languages', () => {
  const ways: RoadWay[] = [
    {
      id: 'way/1',
      highway: 'primary',
      name: 'Rue du Centre',
      coordinates: [[-72.34, 18.54], [-72.33, 18.545]],
      tags: { highway: 'primary', name: 'Rue du Centre', 'name:fr': 'Rue du Centre', 'name:ar': 'شارع المركز', 'name:ht': 'Ri Sant', 'name:de': 'Zentrumstraße' },
    },
    { id: 'way/2', highway: 'primary', name: 'Route 1', coordinates: [[-72.34, 18.541], [-72.33, 18.546]], tags: { highway: 'primary', name: 'Route 1' } },
  ];

  it('carries name:<code> for the languages the picture is offered in, and no other', () => {
    const props = features(ways);
    const centre = props.find((p) => p.name === 'Rue du Centre')!;
    expect(centre).toMatchObject({ 'name:fr': 'Rue du Centre', 'name:ar': 'شارع المركز' });
    expect(centre['name:de']).toBeUndefined();
    expect(centre['name:ht']).toBeUndefined();
    expect(props.find((p) => p.name === 'Route 1')!['name:ar']).toBeUndefined();
  });

  it('keeps archives cut by an older format apart, so they are cut again', () => {
    expect(basemapPath('/data', 'net-1')).toBe(path.join('/data', 'cache', `basemap-net-1-v${BASEMAP_FORMAT}.pmtiles`));
  });

  it.skipIf(!existsSync(HAITI_ROADS))('carries the French names of Port-au-Prince (needs ../shared/data: absent, skipped)', async () => {
    const props = features(await readRoadWays(HAITI_ROADS));
    const french = props.filter((p) => typeof p['name:fr'] === 'string');
    expect(french.length).toBeGreaterThan(0);
  });
});

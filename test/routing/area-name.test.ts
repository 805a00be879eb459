// Tests of naming the area a road network covers (routing/area-name.ts; issue 17): the picture's title
// when no setting names it, from the extract's largest place, else from the file's name.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { areaFromFileName, networkAreaName, pickAreaPlace, readPbfPlaces } from '../../routing/area-name.js';
import { tempDir } from '../server/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(root, '../shared/data');

describe('areaFromFileName', () => {
  it('drops extensions and dates and keeps the small words of a place name in lower case', () => {
    expect(areaFromFileName('/x/port-au-prince-2021-08-14.osm.pbf')).toBe('Port-au-Prince');
    expect(areaFromFileName('legazpi-2025-08.osm.pbf')).toBe('Legazpi');
    expect(areaFromFileName('tacloban_leyte.geojson')).toBe('Tacloban Leyte');
    expect(areaFromFileName('haiti-latest.osm.pbf')).toBe('Haiti');
    expect(areaFromFileName('2021.geojson')).toBe('2021');
  });
});

describe('pickAreaPlace', () => {
  const bbox: [number, number, number, number] = [0, 0, 10, 10];
  it('takes a city over a town, and of several the one nearest the centre', () => {
    const places = [
      { name: 'Town', place: 'town', at: [5, 5] as [number, number] },
      { name: 'Far city', place: 'city', at: [9, 9] as [number, number] },
      { name: 'Near city', place: 'city', at: [4, 6] as [number, number] },
      { name: 'Outside city', place: 'city', at: [50, 5] as [number, number] },
    ];
    expect(pickAreaPlace(places, bbox)?.name).toBe('Near city');
  });
  it('names nothing from suburbs and villages alone', () => {
    expect(pickAreaPlace([{ name: 'Sarthe', place: 'suburb', at: [5, 5] }, { name: 'Marin', place: 'village', at: [5, 5] }], bbox)).toBeUndefined();
  });
});

describe.skipIf(!existsSync(shared))('on real extracts (needs ../shared/data)', () => {
  it('names Legazpi from its city node, and Port-au-Prince (suburbs only) from the file', async () => {
    const legazpi = path.join(shared, 'philippines-legazpi-albay/legazpi-2025-08.osm.pbf');
    const pap = path.join(shared, 'haiti-port-au-prince/port-au-prince-2021-08-14.osm.pbf');
    expect((await readPbfPlaces(legazpi)).some((p) => p.place === 'city' && p.name === 'Legazpi')).toBe(true);
    const tmp = tempDir();
    try {
      expect(await networkAreaName(legazpi, [123.6, 13.0, 123.9, 13.3], { dir: tmp.dir, key: 'k1' })).toBe('Legazpi');
      expect(await networkAreaName(pap, [-72.33, 18.56, -72.26, 18.61], { dir: tmp.dir, key: 'k2' })).toBe('Port-au-Prince');
      // Kept under the network's key: asked again, the file is not read (a missing file would fail to).
      expect(await networkAreaName('/nonexistent/other.osm.pbf', [0, 0, 1, 1], { dir: tmp.dir, key: 'k1' })).toBe('Legazpi');
    } finally {
      tmp.cleanup();
    }
  });
});

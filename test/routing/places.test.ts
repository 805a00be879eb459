// The named places a route passes (routing/places.ts, issue 18): on drawn lines with made-up places,
// which are listed, in what order and how sparsely; and a GeoJSON road file's place points
// (routing/area-name.ts), cached under the network's key.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { networkAreaName, networkPlaces, readGeoJsonPlaces, type NamedPlace } from '../../routing/area-name.js';
import { MAX_PLACES, PlaceIndex, placesAlong } from '../../routing/places.js';
import { tempDir } from '../server/helpers.js';

/** Metres to degrees on the equator (1° ≈ 111,320 m), good enough for drawn cases. */
const M = 1 / 111_320;
const place = (name: string, kind: string, xM: number, yM: number): NamedPlace => ({ name, place: kind, at: [xM * M, yM * M] });
/** A straight line east along the equator, `km` long, a vertex every 100 m. */
const east = (km: number): [number, number][] => Array.from({ length: km * 10 + 1 }, (_, i) => [i * 100 * M, 0]);

describe('placesAlong', () => {
  //   0 km        1 km        2 km        3 km
  //   ●━━━━━━━━━━━╋━━━━━━━━━━━╋━━━━━━━━━━━●
  //     ·Alpha(h)   ◆Bravo(town, 600 m off)
  //      ·Able(h)    ·Baker(h)    ·Charlie(v)      ·Delta (2 km off)
  const index = new PlaceIndex([
    place('Alpha', 'hamlet', 200, 50),
    place('Able', 'hamlet', 400, -300),
    place('Bravo', 'town', 1500, 600),
    place('Baker', 'hamlet', 1600, 20),
    place('Charlie', 'village', 2500, -90),
    place('Delta', 'village', 2900, 2000),
    place('Shop', 'shop', 1000, 0),
  ]);

  it('names one place per kilometre, the nearest (a town counting as nearer), in the order passed', () => {
    expect(index.placesAlong(east(3))).toEqual(['Alpha', 'Bravo', 'Charlie']);
    expect(placesAlong(index, east(3))).toEqual(['Alpha', 'Bravo', 'Charlie']);
  });

  it('reads the line backwards in the other order, and keeps only places within the band', () => {
    expect(index.placesAlong([...east(3)].reverse())).toEqual(['Charlie', 'Bravo', 'Alpha']);
    expect(index.placesAlong(east(3), 100)).toEqual(['Alpha', 'Baker', 'Charlie']);
    expect(index.placesAlong(east(3), 2500)).toContain('Alpha');
    expect(index.placesAlong(east(3), 10)).toEqual([]);
  });

  it('names a place once, even when it is the best of several stretches', () => {
    const one = new PlaceIndex([place('Town', 'town', 1000, 10), place('Hamlet', 'hamlet', 1900, 300)]);
    expect(one.placesAlong(east(3))).toEqual(['Town', 'Hamlet']);
  });

  it('lists at most MAX_PLACES on a long route full of hamlets', () => {
    const many = new PlaceIndex(Array.from({ length: 500 }, (_, i) => place(`H${i}`, 'hamlet', i * 200, 100)));
    const along = many.placesAlong(east(100));
    expect(along.length).toBeLessThanOrEqual(MAX_PLACES);
    expect(along.length).toBeGreaterThan(MAX_PLACES - 3);
    const numbers = along.map((n) => Number(n.slice(1)));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('names the place that best says where a point is, or none when none is near', () => {
    // Alpha (hamlet) is 50 m from the line's start, Able (hamlet) 500 m; Bravo (town) 600 m from 1.5 km.
    expect(index.near([200 * M, 0])).toBe('Alpha');
    expect(index.near([1600 * M, 0])).toBe('Bravo');
    expect(index.near([1600 * M, 0], 300)).toBe('Baker');
    expect(index.near([10_000 * M, 0])).toBeUndefined();
    expect(new PlaceIndex([]).near([0, 0])).toBeUndefined();
    expect(index.along(east(3))).toEqual(index.placesAlong(east(3)));
  });

  it('answers nothing without places or line, and a single point by what is near it', () => {
    expect(new PlaceIndex([]).placesAlong(east(1))).toEqual([]);
    expect(index.placesAlong([])).toEqual([]);
    expect(index.placesAlong([[200 * M, 0]])).toEqual(['Alpha']);
  });
});

describe('places of a GeoJSON road file', () => {
  it('are its Point features with place and name, cached under the key; the area name stays the file name', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'leogane-roads.geojson');
      writeFileSync(
        file,
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            { type: 'Feature', properties: { highway: 'primary', name: 'Route Nationale # 2' }, geometry: { type: 'LineString', coordinates: [[-72.6, 18.5], [-72.5, 18.5]] } },
            { type: 'Feature', properties: { place: 'town', name: 'Léogâne' }, geometry: { type: 'Point', coordinates: [-72.633, 18.511] } },
            { type: 'Feature', properties: { place: 'village', name: '' }, geometry: { type: 'Point', coordinates: [-72.6, 18.5] } },
            { type: 'Feature', properties: { amenity: 'school', name: 'École' }, geometry: { type: 'Point', coordinates: [-72.6, 18.5] } },
          ],
        }),
      );
      expect(await readGeoJsonPlaces(file)).toEqual([{ name: 'Léogâne', place: 'town', at: [-72.633, 18.511] }]);
      const cache = { dir: path.join(tmp.dir, 'cache'), key: 'k-geo' };
      expect(await networkPlaces(file, cache)).toHaveLength(1);
      // Kept: asked again under the key, the file is not read (a missing file would give none).
      expect(await networkPlaces(path.join(tmp.dir, 'gone.geojson'), cache)).toHaveLength(1);
      expect(await networkAreaName(file, [-72.7, 18.4, -72.4, 18.6], cache)).toBe('Leogane');
    } finally {
      tmp.cleanup();
    }
  });
});

// PMTiles writer tests (test/client → server/basemap): archives written from real roads read back with the `pmtiles` reader.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { PMTiles, type Source } from 'pmtiles';
import { describe, expect, it } from 'vitest';
import { readRoadWays } from '../../routing/index.js';
import { buildRoadTiles, roadClass, tileRange, CLASS_MIN_ZOOM, BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM } from '../../server/basemap/build-tiles.js';
import { HEADER_BYTES, writePmtiles, type TileInput } from '../../server/basemap/pmtiles-writer.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATA = path.resolve(repoRoot, '../shared/data');
const HAITI_ROADS = path.join(DATA, 'haiti-port-au-prince/port-au-prince-2021-08-14-highways.geojson');

/** The archive as a `pmtiles` Source held in memory. */
function memorySource(bytes: Uint8Array): Source {
  return {
    getKey: () => 'memory',
    getBytes: async (offset: number, length: number) => ({ data: bytes.slice(offset, offset + length).buffer }),
  };
}

const OPTS = {
  bounds: [-72.33, 18.56, -72.26, 18.61] as [number, number, number, number],
  center: [13, -72.29, 18.59] as [number, number, number],
  tileCompression: 1 as const,
  tileType: 1,
  metadata: { name: 'test', vector_layers: [{ id: 'roads' }] },
};

describe('writePmtiles (PMTiles v3 layout)', () => {
  it('writes a header the reader understands, and every tile comes back byte for byte', async () => {
    const tiles: TileInput[] = [
      { z: 0, x: 0, y: 0, data: Uint8Array.from([1, 2, 3]) },
      { z: 1, x: 1, y: 0, data: Uint8Array.from([4, 5]) },
      { z: 1, x: 0, y: 1, data: Uint8Array.from([6]) },
    ];
    const bytes = writePmtiles(tiles, OPTS);
    expect(new TextDecoder().decode(bytes.slice(0, 7))).toBe('PMTiles');
    expect(bytes[7]).toBe(3);
    const archive = new PMTiles(memorySource(bytes));
    const header = await archive.getHeader();
    expect(header.specVersion).toBe(3);
    expect(header.rootDirectoryOffset).toBe(HEADER_BYTES);
    expect(header.minZoom).toBe(0);
    expect(header.maxZoom).toBe(1);
    expect(header.numAddressedTiles).toBe(3);
    expect(header.minLon).toBeCloseTo(-72.33, 6);
    expect(header.maxLat).toBeCloseTo(18.61, 6);
    expect(header.centerZoom).toBe(13);
    for (const t of tiles) {
      const got = await archive.getZxy(t.z, t.x, t.y);
      expect(got && [...new Uint8Array(got.data)]).toEqual([...t.data]);
    }
    expect(await archive.getZxy(1, 1, 1)).toBeUndefined();
    expect(await archive.getMetadata()).toEqual(OPTS.metadata);
  });

  it('stores identical tiles once and still addresses each of them', async () => {
    const same = Uint8Array.from([9, 9, 9, 9]);
    const tiles: TileInput[] = [
      { z: 2, x: 0, y: 0, data: same },
      { z: 2, x: 1, y: 0, data: same },
      { z: 2, x: 3, y: 3, data: same },
      { z: 2, x: 2, y: 2, data: Uint8Array.from([7]) },
    ];
    const bytes = writePmtiles(tiles, OPTS);
    const header = await new PMTiles(memorySource(bytes)).getHeader();
    expect(header.numTileContents).toBe(2);
    expect(header.tileDataLength).toBe(5);
    const archive = new PMTiles(memorySource(bytes));
    for (const t of tiles) expect([...new Uint8Array((await archive.getZxy(t.z, t.x, t.y))!.data)]).toEqual([...t.data]);
  });

  it('moves entries to leaf directories when the root would not fit in the first 16 KiB', async () => {
    // 20 000 distinct tiles scattered over zoom 12 with uneven sizes: directories that do not compress
    // away, far more than a 16 KiB root holds. Seeded mulberry32, so the case is the same every run.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    const seen = new Set<string>();
    const tiles: TileInput[] = [];
    while (tiles.length < 20_000) {
      const x = rand(4096);
      const y = rand(4096);
      if (seen.has(`${x}/${y}`)) continue;
      seen.add(`${x}/${y}`);
      const i = tiles.length;
      tiles.push({ z: 12, x, y, data: Uint8Array.from({ length: 1 + rand(60) }, (_, k) => (i + k) & 255) });
    }
    const bytes = writePmtiles(tiles, OPTS);
    const header = await new PMTiles(memorySource(bytes)).getHeader();
    expect(header.leafDirectoryLength).toBeGreaterThan(0);
    expect(header.rootDirectoryOffset + header.rootDirectoryLength).toBeLessThanOrEqual(16_384);
    const archive = new PMTiles(memorySource(bytes));
    for (const i of [0, 1, 4095, 4096, 8191, 12_345, 19_999]) {
      const t = tiles[i];
      const got = await archive.getZxy(t.z, t.x, t.y);
      expect([...new Uint8Array(got!.data)]).toEqual([...t.data]);
    }
    expect(await archive.getZxy(12, 4095, 4095).then((r) => (r ? 'found' : 'none'))).toBe(seen.has('4095/4095') ? 'found' : 'none');
  });

  it('refuses two tiles at the same address', () => {
    const t = { z: 3, x: 1, y: 1, data: Uint8Array.from([1]) };
    expect(() => writePmtiles([t, t], OPTS)).toThrow(/duplicate tile id/);
  });
});

describe('roadClass and tileRange', () => {
  it('folds links into their parent class and minor roads together', () => {
    expect(roadClass('primary_link')).toBe('primary');
    expect(roadClass('motorway')).toBe('motorway');
    expect(roadClass('living_street')).toBe('minor');
    expect(roadClass('footway')).toBe('path');
  });
  it('covers a bbox with the XYZ tiles of that zoom', () => {
    // Central Gothenburg at z10: x 545.99–546.08, y 309.97–310.08 by the standard slippy-map formula.
    expect(tileRange([11.95, 57.69, 11.98, 57.71], 10)).toEqual({ x0: 545, x1: 546, y0: 309, y1: 310 });
  });
});

describe.skipIf(!existsSync(HAITI_ROADS))('buildRoadTiles on real roads (needs ../shared/data: absent, skipped)', () => {
  it('cuts Port-au-Prince roads into MVT tiles with class, highway and name, thinned by zoom', async () => {
    const ways = await readRoadWays(HAITI_ROADS);
    expect(ways.length).toBeGreaterThan(1000);
    const tiles = buildRoadTiles(ways);
    const zooms = new Set(tiles.map((t) => t.z));
    expect(Math.min(...zooms)).toBe(BASEMAP_MIN_ZOOM);
    expect(Math.max(...zooms)).toBe(BASEMAP_MAX_ZOOM);

    const bytes = writePmtiles(tiles, { ...OPTS, tileCompression: 2 });
    const archive = new PMTiles(memorySource(bytes));
    const header = await archive.getHeader();
    expect(header.tileCompression).toBe(2);

    // The first z15 tiles of downtown Port-au-Prince: named residential streets are there.
    let named = 0;
    const classes = new Set<string>();
    for (const t of tiles.filter((t) => t.z === 15).slice(0, 40)) {
      const got = await archive.getZxy(15, t.x, t.y);
      expect(got).toBeDefined();
      const vt = new VectorTile(new PbfReader(new Uint8Array(got!.data)));
      const layer = vt.layers.roads;
      expect(layer).toBeDefined();
      for (let i = 0; i < layer.length; i++) {
        const f = layer.feature(i);
        expect(typeof f.properties.highway).toBe('string');
        classes.add(String(f.properties.class));
        if (f.properties.name) named++;
        expect(f.type).toBe(2); // LineString
      }
    }
    expect(named).toBeGreaterThan(0);
    expect(classes.has('minor')).toBe(true);

    // At z10 only classes allowed there are present (no residential streets, no paths).
    for (const t of tiles.filter((t) => t.z === BASEMAP_MIN_ZOOM)) {
      const got = await archive.getZxy(t.z, t.x, t.y);
      const layer = new VectorTile(new PbfReader(new Uint8Array(got!.data))).layers.roads;
      for (let i = 0; i < layer.length; i++) {
        const cls = String(layer.feature(i).properties.class) as keyof typeof CLASS_MIN_ZOOM;
        expect(CLASS_MIN_ZOOM[cls]).toBeLessThanOrEqual(BASEMAP_MIN_ZOOM);
      }
    }
  });
});

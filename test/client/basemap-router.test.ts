// Basemap HTTP tests (test/client → server/basemap): style, PMTiles over HTTP Range, fonts, cache reuse, online style.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { PMTiles, FetchSource } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoadWay } from '../../routing/types.js';
import { basemapPath, basemapRouter, ensureBasemap } from '../../server/basemap/index.js';

// A few streets drawn by hand around Gothenburg's Järntorget (lon, lat), enough for tiles at every zoom.
const WAYS: RoadWay[] = [
  { id: 'way/1', highway: 'primary', name: 'Första Långgatan', coordinates: [[11.945, 57.699], [11.952, 57.7], [11.96, 57.701]], tags: {} },
  { id: 'way/2', highway: 'residential', name: 'Andra Långgatan', coordinates: [[11.945, 57.698], [11.96, 57.6995]], tags: {} },
  { id: 'way/3', highway: 'footway', coordinates: [[11.95, 57.697], [11.95, 57.702]], tags: {} },
];
const BBOX: [number, number, number, number] = [11.945, 57.697, 11.96, 57.702];

describe('basemapRouter', () => {
  let dataDir = '';
  let base = '';
  let reads = 0;
  let close: () => void = () => {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'corridor-basemap-'));
    const app = express();
    app.use(
      basemapRouter({
        dataDir,
        key: 'test-net',
        bbox: BBOX,
        onlineStyleUrl: '',
        readWays: async () => {
          reads++;
          return WAYS;
        },
      }),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => {
    close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a style with the PMTiles source, the bbox, road layers and font-faces (no glyph server)', async () => {
    const res = await fetch(`${base}/basemap/style.json`);
    expect(res.status).toBe(200);
    const style = await res.json();
    expect(style.sources.roads.url).toBe('pmtiles:///basemap/roads.pmtiles');
    expect(style.sources.roads.bounds).toEqual(BBOX);
    expect(style.sources.roads.attribution).toBe('© OpenStreetMap contributors');
    expect(style.center[0]).toBeCloseTo(11.9525, 6);
    const ids = style.layers.map((l: { id: string }) => l.id);
    expect(ids).toContain('road-motorway');
    expect(ids).toContain('label-major');
    const faces = style['font-faces']['Noto Sans Regular'];
    expect(faces.some((f: { url: string }) => /noto-sans-arabic-arabic-400-normal\.woff2$/.test(f.url))).toBe(true);
    // Every font file the style names is served by the app.
    for (const f of faces.slice(0, 3)) {
      const font = await fetch(`${base}${f.url}`);
      expect(font.status).toBe(200);
      expect((await font.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it('answers Range requests on the archive, which the pmtiles reader reads tiles from', async () => {
    const ranged = await fetch(`${base}/basemap/roads.pmtiles`, { headers: { Range: 'bytes=0-126' } });
    expect(ranged.status).toBe(206);
    const head = new Uint8Array(await ranged.arrayBuffer());
    expect(head.length).toBe(127);
    expect(new TextDecoder().decode(head.slice(0, 7))).toBe('PMTiles');

    const archive = new PMTiles(new FetchSource(`${base}/basemap/roads.pmtiles`));
    const header = await archive.getHeader();
    expect(header.minZoom).toBe(10);
    expect(header.maxZoom).toBe(16);
    // Järntorget (11.952 E, 57.7 N) at z14 is tile x 8735.9, y 4960.4 by the slippy-map formula.
    const tile = await archive.getZxy(14, 8735, 4960);
    expect(tile?.data.byteLength).toBeGreaterThan(20);
  });

  it('builds the archive once per network key and reuses the cached file', async () => {
    const readWays = async () => {
      reads++;
      return WAYS;
    };
    const file = await ensureBasemap({ dataDir, key: 'test-net', bbox: BBOX, readWays });
    expect(file).toBe(basemapPath(dataDir, 'test-net'));
    const before = statSync(file).mtimeMs;
    const readsBefore = reads;
    const again = await ensureBasemap({ dataDir, key: 'test-net', bbox: BBOX, readWays });
    expect(again).toBe(file);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(reads).toBe(readsBefore);
    // Another network gets its own archive.
    await ensureBasemap({ dataDir, key: 'other-net', bbox: BBOX, readWays });
    expect(reads).toBe(readsBefore + 1);
    expect(statSync(basemapPath(dataDir, 'other-net')).size).toBeGreaterThan(127);
  });

  it('redirects to the online style when one is configured', async () => {
    const app = express();
    app.use(basemapRouter({ dataDir, key: 'test-net', bbox: BBOX, onlineStyleUrl: 'https://tiles.example.org/style.json', readWays: async () => WAYS }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/basemap/style.json`, { redirect: 'manual' });
      expect(res.status).toBe(307);
      expect(res.headers.get('location')).toBe('https://tiles.example.org/style.json');
    } finally {
      server.close();
    }
  });
});

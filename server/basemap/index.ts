// Offline basemap (server/basemap): builds the roads PMTiles archive once per network and serves it, its style and fonts.
// Routes: GET /basemap/roads.pmtiles (HTTP Range), GET /basemap/style.json, GET /fonts/<package>/<file>.woff2.
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import type { RoadWay } from '../../routing/types.js';
import { buildRoadTiles, BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM, ROADS_LAYER, waysBbox, type TileProgress } from './build-tiles.js';
import { LANGUAGES as NAME_LANGUAGES } from '@corridor/protocol';
import { basemapFontPackages, fontFaces } from './fonts.js';
import { writePmtiles } from './pmtiles-writer.js';
import { basemapStyle, OSM_ATTRIBUTION } from './style.js';

export { writePmtiles } from './pmtiles-writer.js';
export { buildRoadTiles, roadClass } from './build-tiles.js';
export { basemapStyle, OSM_ATTRIBUTION } from './style.js';

/** Environment variable naming an online MapLibre style that replaces the offline one (connected sites). */
export const ONLINE_STYLE_ENV = 'CORRIDOR_BASEMAP_STYLE_URL';

export interface BasemapOptions {
  /** The server's data folder; the archive goes to `<dataDir>/cache/basemap-<key>.pmtiles`. */
  dataDir: string;
  /** Content key of the road network (changes when the roads do), so the archive is built once per network. */
  key: string;
  /** Reads the road ways; called only when the archive must be built. */
  readWays: () => Promise<RoadWay[]>;
  /** Bounding box of the network, [west, south, east, north] in degrees. */
  bbox: [number, number, number, number];
  /** Online style URL; defaults to `process.env.CORRIDOR_BASEMAP_STYLE_URL`. Empty or unset: offline style. */
  onlineStyleUrl?: string;
  /** Called while tiles are cut: tiles examined, total. */
  onProgress?: TileProgress;
}

/**
 * Version of the archive's contents, part of its file name: an archive cut by an older version (without
 * the `name:<code>` fields, say) is cut again rather than served.
 */
export const BASEMAP_FORMAT = 2;

/** Where the archive for a network key lives. */
export function basemapPath(dataDir: string, key: string): string {
  const safeKey = key.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(dataDir, 'cache', `basemap-${safeKey}-v${BASEMAP_FORMAT}.pmtiles`);
}

const building = new Map<string, Promise<string>>();

/**
 * Builds the roads archive unless it is already cached; returns its path. Concurrent calls share one build,
 * and the file appears atomically (written aside, then renamed), so a crash never leaves half an archive.
 */
export function ensureBasemap(opts: Pick<BasemapOptions, 'dataDir' | 'key' | 'readWays' | 'bbox' | 'onProgress'>): Promise<string> {
  const file = basemapPath(opts.dataDir, opts.key);
  if (existsSync(file)) return Promise.resolve(file);
  let pending = building.get(file);
  if (!pending) {
    pending = buildArchive(file, opts).finally(() => building.delete(file));
    building.set(file, pending);
  }
  return pending;
}

async function buildArchive(file: string, opts: Pick<BasemapOptions, 'readWays' | 'bbox' | 'onProgress'>): Promise<string> {
  const ways = await opts.readWays();
  const tiles = buildRoadTiles(ways, opts.onProgress);
  const bbox = ways.length ? waysBbox(ways) : opts.bbox;
  const archive = writePmtiles(tiles, {
    bounds: bbox,
    center: [13, (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2],
    tileCompression: 2,
    tileType: 1,
    metadata: {
      name: 'corridor-roads',
      attribution: OSM_ATTRIBUTION,
      vector_layers: [
        {
          id: ROADS_LAYER,
          minzoom: BASEMAP_MIN_ZOOM,
          maxzoom: BASEMAP_MAX_ZOOM,
          fields: { class: 'String', highway: 'String', name: 'String', ...Object.fromEntries(NAME_LANGUAGES.map((l) => [`name:${l}`, 'String'])) },
        },
      ],
    },
  });
  await mkdir(path.dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.tmp`;
  await writeFile(aside, archive);
  await rename(aside, file);
  return file;
}

/**
 * Serves the offline basemap. The archive is built on first need if {@link ensureBasemap} was not awaited at start-up.
 * With an online style URL set, `/basemap/style.json` redirects there instead (connected sites).
 * @example app.use(basemapRouter({ dataDir: './var', key, readWays, bbox }))
 */
export function basemapRouter(opts: BasemapOptions): express.Router {
  const router = express.Router();
  const online = (opts.onlineStyleUrl ?? process.env[ONLINE_STYLE_ENV] ?? '').trim();
  const packages = basemapFontPackages();
  const style = basemapStyle({ bbox: opts.bbox, pmtilesUrl: 'pmtiles:///basemap/roads.pmtiles', fontFaces: fontFaces(packages) });
  const styleJson = JSON.stringify(style);

  router.get('/basemap/style.json', (_req, res) => {
    if (online) {
      res.redirect(307, online);
      return;
    }
    res.type('application/json').set('Cache-Control', 'no-cache').send(styleJson);
  });

  router.get('/basemap/roads.pmtiles', async (_req, res, next) => {
    try {
      const file = await ensureBasemap(opts);
      // sendFile answers Range requests with 206, which the PMTiles reader relies on.
      res.sendFile(file, { headers: { 'Content-Type': 'application/vnd.pmtiles' }, maxAge: '1h', acceptRanges: true });
    } catch (err) {
      next(err);
    }
  });

  router.get('/basemap/glyphs/*rest', (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'This basemap draws labels from font-faces; there is no glyph server.' } });
  });

  // Every weight of a package lives in the same folder: serve each folder once.
  for (const pkg of new Map(packages.map((p) => [p.name, p])).values()) {
    router.use(`/fonts/${pkg.name}`, express.static(pkg.dir, { maxAge: '7d', immutable: true, index: false, fallthrough: true }));
  }
  return router;
}

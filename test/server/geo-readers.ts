// Independent readers of the GIS exports (test/server, issue 18): the published schemas checked with
// xmllint (GPX 1.1, KML 2.2 with its catalog, as ../shared/data/schemas/README.md shows), GDAL's ogrinfo
// (GeoJSON, KML, GPX) and gpsbabel (GPX, KML), each run with execFile, a timeout and a temp folder. Each
// gives back what the tool read: names and positions, in order, to compare with what was exported.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { wktToGeoJSON } from '@terraformer/wkt';
import { XMLParser } from 'fast-xml-parser';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The published schemas, beside the project (never copied into it). */
export const SCHEMAS = path.resolve(root, '../shared/data/schemas');
export const GPX_XSD = path.join(SCHEMAS, 'gpx-1.1.xsd');
export const KML_XSD = path.join(SCHEMAS, 'kml-2.2/ogckml22.xsd');
export const KML_CATALOG = path.join(SCHEMAS, 'kml-2.2/catalog.xml');
export const HAS_SCHEMAS = existsSync(GPX_XSD) && existsSync(KML_XSD) && existsSync(KML_CATALOG);

/** The path of a tool on PATH, or undefined (the test that needs it then skips, saying so). */
export function tool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const XMLLINT = tool('xmllint');
export const OGRINFO = tool('ogrinfo');
export const GPSBABEL = tool('gpsbabel');

/** What a tool read of one feature: its name and its positions ([lon, lat], in order; rings one after another). */
export interface ReadFeature {
  layer: string;
  name: string | undefined;
  geometry: string;
  positions: [number, number][];
  fields: Record<string, string>;
}

/** Writes `text` to a file in a fresh temp folder, runs `fn` on its path, removes the folder. */
export async function withFile<T>(name: string, text: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'corridor-export-'));
  try {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return await fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const OPTIONS = { timeout: 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' as const };

/** xmllint's verdict on a GPX or KML file against its published schema: `ok`, or its complaints. */
export async function validate(file: string, format: 'gpx' | 'kml'): Promise<{ ok: boolean; output: string }> {
  const args = ['--noout', '--nonet', '--schema', format === 'gpx' ? GPX_XSD : KML_XSD, file];
  const env = format === 'kml' ? { ...process.env, XML_CATALOG_FILES: KML_CATALOG } : process.env;
  try {
    const { stdout, stderr } = await run(XMLLINT!, args, { ...OPTIONS, env });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? e.message}` };
  }
}

/** Every position of a GeoJSON geometry, in order. */
export function positionsOf(g: { type: string; coordinates?: unknown; geometries?: unknown[] }): [number, number][] {
  const out: [number, number][] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push([c[0] as number, c[1] as number]);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  if (g.type === 'GeometryCollection') for (const part of g.geometries as never[]) out.push(...positionsOf(part));
  else walk(g.coordinates);
  return out;
}

/**
 * What `ogrinfo -ro -al -geom=YES` reads of a file: each feature of each layer with its fields (the
 * name is `name`, or `Name` as the KML driver calls it) and its geometry (WKT, read back as GeoJSON).
 */
export async function ogrRead(file: string): Promise<ReadFeature[]> {
  const { stdout } = await run(OGRINFO!, ['-ro', '-al', '-geom=YES', file], OPTIONS);
  const features: ReadFeature[] = [];
  let current: ReadFeature | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^OGRFeature\((.*)\):(\d+)$/.exec(line);
    if (head) {
      current = { layer: head[1], name: undefined, geometry: '', positions: [], fields: {} };
      features.push(current);
      continue;
    }
    if (!current) continue;
    const field = /^ {2}([^ ]+) \([A-Za-z0-9]+\) = (.*)$/.exec(line);
    if (field) {
      current.fields[field[1]] = field[2];
      if (field[1] === 'name' || field[1] === 'Name') current.name = field[2];
      continue;
    }
    const wkt = /^ {2}((?:MULTI)?(?:POINT|LINESTRING|POLYGON)|GEOMETRYCOLLECTION)( Z)? ?\(.*$/.exec(line);
    if (wkt) {
      const geometry = wktToGeoJSON(line.trim().replace(/ Z \(/, ' (')) as { type: string; coordinates?: unknown };
      current.geometry = geometry.type;
      current.positions = positionsOf(geometry);
    }
  }
  return features;
}

/**
 * What gpsbabel reads of a GPX or KML file, as its own GPX writer gives it back: waypoints (layer
 * `waypoints`), then routes (`routes`), then tracks (`tracks`, their segments one after another), each
 * with its name. (Its GeoJSON writer leaves routes out, so its GPX is read instead.)
 */
export async function babelRead(file: string, format: 'gpx' | 'kml'): Promise<ReadFeature[]> {
  const { stdout } = await run(GPSBABEL!, ['-w', '-r', '-t', '-i', format, '-f', file, '-o', 'gpx', '-F', '-'], OPTIONS);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    trimValues: false,
    isArray: (tag) => ['wpt', 'rte', 'rtept', 'trk', 'trkseg', 'trkpt'].includes(tag),
  });
  const gpx = (parser.parse(stdout) as { gpx: Record<string, Record<string, any>[] | undefined> }).gpx;
  const at = (p: Record<string, string>): [number, number] => [Number(p['@_lon']), Number(p['@_lat'])];
  const feature = (layer: string, geometry: string, x: Record<string, any>, positions: [number, number][]): ReadFeature => ({
    layer,
    name: typeof x.name === 'string' ? x.name : undefined,
    geometry,
    positions,
    fields: Object.fromEntries(Object.entries(x).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
  });
  return [
    ...(gpx.wpt ?? []).map((w) => feature('waypoints', 'Point', w, [at(w)])),
    ...(gpx.rte ?? []).map((r) => feature('routes', 'LineString', r, (r.rtept ?? []).map(at))),
    ...(gpx.trk ?? []).map((t) => feature('tracks', 'LineString', t, (t.trkseg ?? []).flatMap((s: Record<string, any>) => (s.trkpt ?? []).map(at)))),
  ];
}

/** Whether two position lists are the same, in order, within `tolerance` degrees. */
export function samePositions(a: readonly (readonly number[])[], b: readonly (readonly number[])[], tolerance = 1e-6): boolean {
  return a.length === b.length && a.every((p, i) => Math.abs(p[0] - b[i][0]) <= tolerance && Math.abs(p[1] - b[i][1]) <= tolerance);
}

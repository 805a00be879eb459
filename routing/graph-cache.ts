// Disk cache of the prepared graph: one binary file per (source content, profile version), so a start
// on a known road file skips reading and parsing it (issue: "cached to disk so start-up does not re-parse").
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { landmarksOf } from './landmarks.js';
import { PROFILE_VERSION } from './profile.js';
import { RoadGraph, type RoadGraphData } from './road-graph.js';

/** Bumped when the file layout below, or how anything stored in it is computed (landmarks), changes (4: road names, issue 18). */
const FORMAT_VERSION = 4;
const MAGIC = 'CORRIDOR-GRAPH';

/** The typed arrays, in file order; the string table ({@link RoadGraphData.names}) follows them as UTF-8 JSON. */
const FIELDS: { name: Exclude<keyof RoadGraphData, 'names'>; type: 'f64' | 'f32' | 'i32' | 'u8' }[] = [
  { name: 'nodeLon', type: 'f64' },
  { name: 'nodeLat', type: 'f64' },
  { name: 'edgeFrom', type: 'i32' },
  { name: 'edgeTo', type: 'i32' },
  { name: 'edgeLenM', type: 'f64' },
  { name: 'edgeSpeedMps', type: 'f32' },
  { name: 'edgeDir', type: 'u8' },
  { name: 'edgeRank', type: 'u8' },
  { name: 'edgeStatus', type: 'u8' },
  { name: 'geomOffset', type: 'i32' },
  { name: 'geomCoords', type: 'f64' },
  { name: 'edgeName', type: 'i32' },
  { name: 'edgeRef', type: 'i32' },
  { name: 'lmNodes', type: 'i32' },
  { name: 'lmFromL', type: 'f64' },
  { name: 'lmToL', type: 'f64' },
];

const CTOR = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;

/** Content key of a road file under the current profile: hex sha256 of its bytes and the versions. */
export async function roadFileKey(file: string): Promise<string> {
  const bytes = await readFile(file);
  return createHash('sha256').update(bytes).update(`\0profile=${PROFILE_VERSION}\0format=${FORMAT_VERSION}`).digest('hex').slice(0, 24);
}

/** Where the prepared graph of a key lives in a cache folder. */
export function cachePath(cacheDir: string, key: string): string {
  return path.join(cacheDir, `roads-${key}.graph`);
}

/**
 * Writes a prepared graph: a JSON header (field names, types, lengths, the string table's size), each
 * array 8-byte aligned, then the string table as UTF-8 JSON (one parse at load); written to a
 * temporary name and renamed so a reader never sees half a file.
 */
export function writeGraphCache(file: string, graph: RoadGraph): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // Landmarks cost a few dozen full searches: prepare them once, with the rest.
  landmarksOf(graph);
  const fields = FIELDS.map((f) => ({ ...f, length: (graph.data[f.name] as ArrayLike<number>).length }));
  const strings = Buffer.from(JSON.stringify(graph.data.names), 'utf8');
  const header = Buffer.from(JSON.stringify({ magic: MAGIC, format: FORMAT_VERSION, profile: PROFILE_VERSION, fields, strings: strings.length }));
  const headerLen = align8(8 + header.length);
  const parts: Buffer[] = [];
  const lead = Buffer.alloc(headerLen);
  lead.writeUInt32LE(header.length, 0);
  header.copy(lead, 8);
  parts.push(lead);
  for (const f of FIELDS) {
    const arr = graph.data[f.name] as unknown as ArrayBufferView;
    const bytes = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
    parts.push(bytes);
    const pad = align8(bytes.length) - bytes.length;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(strings);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat(parts));
  renameSync(tmp, file);
}

/** Reads a prepared graph written by {@link writeGraphCache}; null when absent or not of this version. */
export function readGraphCache(file: string): RoadGraph | null {
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    // One aligned ArrayBuffer for the whole file, so the typed arrays are views, not copies.
    const buf = new ArrayBuffer(size);
    const u8 = new Uint8Array(buf);
    let read = 0;
    while (read < size) read += readSync(fd, u8, read, size - read, read);
    const headerLength = new DataView(buf).getUint32(0, true);
    const header = JSON.parse(Buffer.from(buf, 8, headerLength).toString('utf8')) as {
      magic: string;
      format: number;
      profile: number;
      fields: { name: keyof RoadGraphData; type: keyof typeof CTOR; length: number }[];
      strings: number;
    };
    if (header.magic !== MAGIC || header.format !== FORMAT_VERSION || header.profile !== PROFILE_VERSION) return null;
    let offset = align8(8 + headerLength);
    const data = {} as Record<string, ArrayBufferView>;
    for (const f of header.fields) {
      const C = CTOR[f.type];
      data[f.name] = new C(buf, offset, f.length);
      offset += align8(f.length * C.BYTES_PER_ELEMENT);
    }
    if (offset + header.strings > size) return null;
    const names = JSON.parse(Buffer.from(buf, offset, header.strings).toString('utf8')) as string[];
    return new RoadGraph({ ...(data as unknown as Omit<RoadGraphData, 'names'>), names });
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

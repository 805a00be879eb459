// PMTiles v3 writer (server/basemap): packs vector tiles into one archive the `pmtiles` reader serves by HTTP Range.
// Layout per the PMTiles v3 spec: 127-byte header, root directory, JSON metadata, leaf directories, tile data.
import { gzipSync } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

/** One tile to store: its z/x/y address and its bytes (already compressed as `tileCompression` says). */
export interface TileInput {
  z: number;
  x: number;
  y: number;
  data: Uint8Array;
}

/** What the header records about the archive besides the tiles themselves. */
export interface ArchiveOptions {
  /** [west, south, east, north], degrees. */
  bounds: [number, number, number, number];
  /** Zoom and [lon, lat] (degrees) the map should open at. */
  center: [number, number, number];
  /** Tile payload compression code (PMTiles: 1 none, 2 gzip). */
  tileCompression: 1 | 2;
  /** Tile type code (PMTiles: 1 MVT). */
  tileType: number;
  /** Free JSON stored as the archive's metadata (TileJSON-like `vector_layers`, attribution, ...). */
  metadata: Record<string, unknown>;
}

interface Entry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

/** Bytes the header takes, per the spec. */
export const HEADER_BYTES = 127;
/** Header plus root directory must fit in the first 16 KiB, so a client gets both in one request. */
const ROOT_LIMIT_BYTES = 16_384;

/**
 * Writes a PMTiles v3 archive. Identical tile payloads are stored once (run-length for consecutive
 * ids, shared offsets otherwise), the archive is clustered (tile data in tile-id order), and
 * directories are gzip-compressed. Leaf directories are made when the root alone would not fit in 16 KiB.
 * @example writePmtiles([{ z: 0, x: 0, y: 0, data }], opts) // Uint8Array starting with "PMTiles\x03"
 */
export function writePmtiles(tiles: readonly TileInput[], options: ArchiveOptions): Uint8Array {
  const sorted = tiles
    .map((t) => ({ tileId: zxyToTileId(t.z, t.x, t.y), z: t.z, data: t.data }))
    .sort((a, b) => a.tileId - b.tileId);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].tileId === sorted[i - 1].tileId) throw new Error(`duplicate tile id ${sorted[i].tileId}`);
  }

  // Tile data section with deduplication by content.
  const chunks: Uint8Array[] = [];
  const byContent = new Map<string, { offset: number; length: number }>();
  const entries: Entry[] = [];
  let dataLength = 0;
  for (const tile of sorted) {
    const hash = Buffer.from(tile.data).toString('base64');
    let place = byContent.get(hash);
    if (!place) {
      place = { offset: dataLength, length: tile.data.length };
      byContent.set(hash, place);
      chunks.push(tile.data);
      dataLength += tile.data.length;
    }
    const last = entries[entries.length - 1];
    if (last && last.offset === place.offset && last.tileId + last.runLength === tile.tileId) {
      last.runLength++;
    } else {
      entries.push({ tileId: tile.tileId, offset: place.offset, length: place.length, runLength: 1 });
    }
  }

  const { root, leaves } = buildDirectories(entries);
  const metadata = gzipSync(Buffer.from(JSON.stringify(options.metadata), 'utf8'));

  const rootOffset = HEADER_BYTES;
  const metadataOffset = rootOffset + root.length;
  const leavesOffset = metadataOffset + metadata.length;
  const dataOffset = leavesOffset + leaves.length;
  const total = dataOffset + dataLength;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('PMTiles'), 0);
  out[7] = 3;
  const u64 = (at: number, value: number) => view.setBigUint64(at, BigInt(value), true);
  u64(8, rootOffset);
  u64(16, root.length);
  u64(24, metadataOffset);
  u64(32, metadata.length);
  u64(40, leavesOffset);
  u64(48, leaves.length);
  u64(56, dataOffset);
  u64(64, dataLength);
  u64(72, sorted.length); // addressed tiles
  u64(80, entries.length); // tile entries
  u64(88, byContent.size); // tile contents
  out[96] = 1; // clustered
  out[97] = 2; // internal compression: gzip
  out[98] = options.tileCompression;
  out[99] = options.tileType;
  out[100] = sorted.length ? Math.min(...sorted.map((t) => t.z)) : 0;
  out[101] = sorted.length ? Math.max(...sorted.map((t) => t.z)) : 0;
  const e7 = (deg: number) => Math.round(deg * 1e7);
  view.setInt32(102, e7(options.bounds[0]), true);
  view.setInt32(106, e7(options.bounds[1]), true);
  view.setInt32(110, e7(options.bounds[2]), true);
  view.setInt32(114, e7(options.bounds[3]), true);
  out[118] = options.center[0];
  view.setInt32(119, e7(options.center[1]), true);
  view.setInt32(123, e7(options.center[2]), true);

  out.set(root, rootOffset);
  out.set(metadata, metadataOffset);
  out.set(leaves, leavesOffset);
  let at = dataOffset;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Splits entries into a root directory and leaf directories so the root fits beside the header. */
function buildDirectories(entries: Entry[]): { root: Uint8Array; leaves: Uint8Array } {
  const root = gzipSync(serializeDirectory(entries));
  if (root.length + HEADER_BYTES <= ROOT_LIMIT_BYTES) return { root, leaves: new Uint8Array(0) };
  for (let leafSize = 4096; ; leafSize *= 2) {
    const leafChunks: Uint8Array[] = [];
    const rootEntries: Entry[] = [];
    let offset = 0;
    for (let i = 0; i < entries.length; i += leafSize) {
      const leaf = gzipSync(serializeDirectory(entries.slice(i, i + leafSize)));
      // runLength 0 marks an entry that points at a leaf directory (offset within the leaves section).
      rootEntries.push({ tileId: entries[i].tileId, offset, length: leaf.length, runLength: 0 });
      leafChunks.push(leaf);
      offset += leaf.length;
    }
    const rootBytes = gzipSync(serializeDirectory(rootEntries));
    if (rootBytes.length + HEADER_BYTES <= ROOT_LIMIT_BYTES) {
      return { root: rootBytes, leaves: Buffer.concat(leafChunks) };
    }
  }
}

/** Directory encoding: count, then delta tile ids, run lengths, lengths, offsets (0 = follows the previous), all varints. */
function serializeDirectory(entries: Entry[]): Uint8Array {
  const bytes: number[] = [];
  const varint = (value: number) => {
    let v = value;
    while (v >= 0x80) {
      bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    bytes.push(v);
  };
  varint(entries.length);
  let lastId = 0;
  for (const e of entries) {
    varint(e.tileId - lastId);
    lastId = e.tileId;
  }
  for (const e of entries) varint(e.runLength);
  for (const e of entries) varint(e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    if (i > 0 && prev && e.offset === prev.offset + prev.length) varint(0);
    else varint(e.offset + 1);
  });
  return Uint8Array.from(bytes);
}

// Shared pieces of the CoT codec tests (test/cot): where the real captures are, and their wire form.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file (test/cot/helpers.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Real CoT captures (../shared/data/cot, read in place, never copied into the project). `COT_DATA_DIR`
 * points elsewhere (`COT_DATA_DIR=/nowhere` shows what runs without them).
 */
export const COT_DATA = process.env.COT_DATA_DIR ? path.resolve(process.env.COT_DATA_DIR) : path.resolve(repoRoot, '../shared/data/cot');

/** Whether the captures are here; tests that need them skip with a message when not. */
export const hasCotData = existsSync(COT_DATA) && readdirSync(COT_DATA).some((f) => f.endsWith('.xml'));

/** Name fragment for `describe.skipIf(!hasCotData)` titles. */
export const NEEDS_DATA = hasCotData ? '' : ' (needs ../shared/data/cot: absent, skipped)';

/** The capture files, sorted by name. */
export function cotFiles(): string[] {
  return hasCotData ? readdirSync(COT_DATA).filter((f) => f.endsWith('.xml')).sort() : [];
}

export function readCot(file: string): Buffer {
  return readFileSync(path.join(COT_DATA, file));
}

/** The one capture that is not well-formed on purpose. */
export const MALFORMED = 'delete-t-x-d-d-forcedelete-atak-javadoc-MALFORMED.xml';

/**
 * A capture in the single-line wire form TAK clients stream: its declaration dropped, whitespace between
 * tags and line breaks inside tags removed, then ATAK's declaration and a line feed in front (ATAK-CIV
 * takproto/README.md). Text content is left as it is.
 */
export function wireForm(xml: string, declaration = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"): string {
  const body = xml
    .replace(/^\uFEFF?\s*<\?xml[^?]*\?>\s*/, '')
    .replace(/>\s+</g, '><')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return `${declaration}\n${body}`;
}

/** Splits a buffer at the given cut points (sorted, deduplicated, inside the buffer). */
export function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < buf.length))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const c of points) {
    chunks.push(buf.subarray(from, c));
    from = c;
  }
  chunks.push(buf.subarray(from));
  return chunks;
}

/** Great-circle distance, metres (haversine on a 6,371,008.8 m sphere), for circle checks. */
export function distanceM(a: readonly [number, number], b: readonly [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/** fast-check seed, logged so that a failure can be replayed (STYLE.md). */
export const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

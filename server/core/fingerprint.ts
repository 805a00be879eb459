// What a message says, as a number (server/core): a retried msgId must carry the same content, or it
// is a conflict, not a retry (P8). Stored beside each msgId; cheap enough for the position hot path.
import type { PositionReport } from '@corridor/protocol';
import type { Command } from './commands.js';

/**
 * cyrb53 (a public-domain 53-bit string hash): two 32-bit multiply-xorshift lanes. Not cryptographic,
 * and it need not be: a sender's msgIds live in the sender's own namespace, so a collision can only
 * make a sender's own changed message look like its retry.
 * @example hash53('abc') === hash53('abc') // true
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

// A streaming form of the same two lanes, for the hot path: a report's fields are mixed in as they
// are, numbers by their 64 bits, with no string made (a template string per report was a measurable
// share of the ingest path). Synchronous, so one pair of module-level lanes serves every call.
let lane1 = 0;
let lane2 = 0;
const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);

function mix(word: number): void {
  lane1 = Math.imul(lane1 ^ word, 2654435761);
  lane2 = Math.imul(lane2 ^ word, 1597334677);
}
function mixString(text: string | undefined): void {
  if (text === undefined) return mix(0x7fffffff);
  mix(text.length);
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
}
function mixNumber(n: number | undefined): void {
  if (n === undefined) return mix(0x7ffffffe);
  f64[0] = n;
  mix(i32[0]);
  mix(i32[1]);
}
function finish(): number {
  lane1 = Math.imul(lane1 ^ (lane1 >>> 16), 2246822507) ^ Math.imul(lane2 ^ (lane2 >>> 13), 3266489909);
  lane2 = Math.imul(lane2 ^ (lane2 >>> 16), 2246822507) ^ Math.imul(lane1 ^ (lane1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & lane2) + (lane1 >>> 0);
}

/** JSON with object keys sorted, so the same content gives the same text in any key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * The fingerprint of a command's content without its msgId: equal for a true retry (in any key
 * order), different when the same msgId is used for another message (a conflict, P8).
 * @example commandFingerprint({ type: 'haven.remove', id: 'hv-1', msgId: 'a' }) === commandFingerprint({ msgId: 'b', id: 'hv-1', type: 'haven.remove' }) // true
 */
export function commandFingerprint(cmd: Command): number {
  if (cmd.type === 'position') return reportFingerprint(cmd);
  const { msgId: _key, ...content } = cmd;
  return hash53(canonical(content));
}

/**
 * The fingerprint of one position report (a `position` command, or a report of an HTTP batch): its
 * fields in a fixed order, whatever order they came in (`msgId` is the key, not content).
 * @example reportFingerprint({ unitId: 'u1', lon: 12, lat: 57 }) === reportFingerprint({ lat: 57, unitId: 'u1', lon: 12 }) // true
 */
export function reportFingerprint(report: PositionReport): number {
  lane1 = 0xdeadbeef ^ 0x5eed;
  lane2 = 0x41c6ce57 ^ 0x5eed;
  mixString(report.unitId);
  mixNumber(report.lon);
  mixNumber(report.lat);
  mixString(report.time);
  mixNumber(report.heading);
  mixNumber(report.speed);
  mixNumber(report.accuracy);
  mixString(report.callsign);
  mixString(report.affiliation);
  // Fields added later are mixed only when present: a report stored before them keeps its fingerprint.
  if (report.marking !== undefined) mixString(`marking:${report.marking}`);
  if (report.cotType !== undefined) mixString(`cotType:${report.cotType}`);
  if (report.stale !== undefined) mixString(`stale:${report.stale}`);
  return finish();
}

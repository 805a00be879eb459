// What a message says, as a number (server/core): a retried msgId must carry the same content, or it
// is a conflict, not a retry (P8). Stored beside each msgId; cheap enough for the position hot path.
import type { PositionReport } from '../protocol/messages.js';
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

/** A report's fields in a fixed order, whatever order they arrived in (`msgId` is the key, not content). */
function reportText(r: PositionReport): string {
  return `${r.unitId}|${r.lon}|${r.lat}|${r.time ?? ''}|${r.heading ?? ''}|${r.speed ?? ''}|${r.accuracy ?? ''}|${r.callsign ?? ''}|${r.affiliation ?? ''}`;
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

/** The fingerprint of one position report (a `position` command, or a report of an HTTP batch). */
export function reportFingerprint(report: PositionReport): number {
  return hash53(`position|${reportText(report)}`);
}

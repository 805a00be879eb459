// Fingerprints of what a message says (server/core/fingerprint.ts, P8): equal for the same content in
// any key order, different when any field differs (property), so a reused msgId is told from a retry.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandFingerprint, reportFingerprint } from '../../server/core/fingerprint.js';
import { commandOf } from '../protocol/arbitraries.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`fingerprint property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

/** The same object with its keys in reverse order, recursively. */
function reordered<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reordered) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)])) as T;
  return value;
}

describe('fingerprints (P8)', () => {
  it('are equal for the same report or command in any key order, whatever the msgId', () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(commandOf)), (cmd) => {
        if (cmd.type === 'resync' || cmd.type === 'ping') return;
        const again = { ...reordered(cmd), msgId: 'another' };
        expect(commandFingerprint(again as never)).toBe(commandFingerprint(cmd as never));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('differ when a field of a report differs', () => {
    fc.assert(
      fc.property(commandOf.position, fc.constantFrom('lon', 'lat', 'unitId', 'heading', 'speed', 'accuracy', 'callsign', 'time'), (r, field) => {
        const changed = { ...r } as Record<string, unknown>;
        const v = changed[field];
        changed[field] = typeof v === 'number' ? v / 2 + 0.5 : typeof v === 'string' ? `${v}x` : field === 'time' ? '2026-01-01T00:00:00Z' : field === 'unitId' || field === 'callsign' ? 'x' : 1;
        expect(reportFingerprint(changed as never)).not.toBe(reportFingerprint(r));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('tell a field that is absent from one that is empty or zero, and kinds of message apart', () => {
    const base = { unitId: 'u1', lon: 12, lat: 57 };
    expect(reportFingerprint({ ...base, callsign: '' })).not.toBe(reportFingerprint(base));
    expect(reportFingerprint({ ...base, speed: 0 })).not.toBe(reportFingerprint(base));
    expect(commandFingerprint({ type: 'haven.remove', id: 'x' })).not.toBe(commandFingerprint({ type: 'site.remove', id: 'x' }));
  });
});

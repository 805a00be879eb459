// Property test of positionEventJson (server/core/commands.ts): the hot path's hand-made JSON of a
// position event is, character for character, what JSON.stringify makes of the same event.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positionEventJson } from '../../server/core/commands.js';
import type { Actor, NewEvent, Unit } from '@corridor/protocol';
import { NOW_MS } from '../protocol/arbitraries.js';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const text = fc.string({ unit: 'binary', maxLength: 40 });
const unit: fc.Arbitrary<Unit> = fc
  .record(
    {
      unitId: text,
      lon: finite,
      lat: finite,
      timeMs: fc.integer({ min: 0, max: NOW_MS * 2 }),
      seenMs: fc.oneof(fc.integer({ min: 0, max: NOW_MS * 2 }), finite),
      heading: finite,
      speed: finite,
      accuracy: finite,
      callsign: text,
      affiliation: fc.constantFrom('military', 'humanitarian', 'civil') as fc.Arbitrary<NonNullable<Unit['affiliation']>>,
      owner: text,
      marking: text,
      cotType: text,
      staleMs: fc.integer({ min: 0, max: NOW_MS * 2 }),
    },
    { requiredKeys: ['unitId', 'lon', 'lat', 'timeMs', 'seenMs'] },
  )
  // Keys in the order toUnit builds them, as every unit on the hot path has.
  .map((u) => Object.fromEntries(ORDER.filter((k) => k in u).map((k) => [k, u[k]])) as unknown as Unit);
const ORDER: (keyof Unit)[] = ['unitId', 'lon', 'lat', 'timeMs', 'seenMs', 'heading', 'speed', 'accuracy', 'callsign', 'affiliation', 'owner', 'marking', 'cotType', 'staleMs'];
const actor: fc.Arbitrary<Actor> = fc.record({ tokenId: text, org: text, role: text });

describe('positionEventJson', () => {
  it('property: equals JSON.stringify of the event, with or without an actor', () => {
    fc.assert(
      fc.property(text, fc.option(actor, { nil: undefined }), unit, (msgId, who, u) => {
        const event: NewEvent =
          who === undefined ? { msgId, type: 'position.reported', units: [u] } : { msgId, actor: who, type: 'position.reported', units: [u] };
        expect(positionEventJson(msgId, who === undefined ? undefined : JSON.stringify(who), u)).toBe(JSON.stringify(event));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes -0 as 0 and escapes quotes and control characters as JSON does', () => {
    const u: Unit = { unitId: 'a"b\\c\n', lon: -0, lat: 1e-7, timeMs: 1, seenMs: 2, callsign: '\u2028"' };
    const json = positionEventJson('m"1', undefined, u);
    expect(json).toBe(JSON.stringify({ msgId: 'm"1', type: 'position.reported', units: [u] }));
    expect(JSON.parse(json).units[0]).toEqual({ ...u, lon: 0 });
  });
});

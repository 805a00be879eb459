// Unit and property tests of protocol/fixes.ts: fixes as rows on the live stream (P14) decode to
// exactly the units they were made from.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Unit } from '@corridor/protocol';
import { expandDeltaEvents, expandFixes, fixJson, type FixEntry } from '@corridor/protocol';
import { NOW_MS, id, lat, lon } from './arbitraries.js';

const unit: fc.Arbitrary<Unit> = fc
  .record(
    {
      unitId: id,
      lon,
      lat,
      timeMs: fc.integer({ min: NOW_MS - 30 * 86_400_000, max: NOW_MS + 600_000 }),
      seenMs: fc.integer({ min: NOW_MS - 30 * 86_400_000, max: NOW_MS + 600_000 }),
      heading: fc.double({ min: 0, max: 360, maxExcluded: true, noNaN: true }),
      speed: fc.double({ min: 0, max: 400, noNaN: true }),
      accuracy: fc.double({ min: 0, max: 10_000, noNaN: true }),
      callsign: fc.string({ minLength: 1, maxLength: 20 }),
      affiliation: fc.constantFrom('military', 'humanitarian', 'civil') as fc.Arbitrary<Unit['affiliation'] & string>,
    },
    { requiredKeys: ['unitId', 'lon', 'lat', 'timeMs', 'seenMs'] },
  )
  .map((u) => u as Unit);

describe('fixJson and expandFixes (P14)', () => {
  it('writes a plain fix as a row relative to the event time, leaving trailing absent fields off', () => {
    expect(fixJson({ unitId: 'u1', lon: 12.5, lat: 57.7, timeMs: 990, seenMs: 995 }, 1000)).toBe('["u1",12.5,57.7,-10,-5]');
    expect(fixJson({ unitId: 'u1', lon: 12.5, lat: 57.7, timeMs: 990, seenMs: 995, heading: 90 }, 1000)).toBe('["u1",12.5,57.7,-10,-5,90]');
    expect(fixJson({ unitId: 'u1', lon: 12.5, lat: 57.7, timeMs: 990, seenMs: 995, speed: 3 }, 1000)).toBe('["u1",12.5,57.7,-10,-5,null,3]');
    expect(fixJson({ unitId: 'u1', lon: 12.5, lat: 57.7, timeMs: 1200, seenMs: 1000, accuracy: 8 }, 1000)).toBe('["u1",12.5,57.7,200,0,null,null,8]');
  });

  it('keeps a fix that names a callsign or an affiliation as the whole unit', () => {
    const first: Unit = { unitId: 'u1', lon: 1, lat: 2, timeMs: 3, seenMs: 4, callsign: 'ALPHA 1', affiliation: 'humanitarian' };
    expect(JSON.parse(fixJson(first, 1000))).toEqual(first);
  });

  it('property: a unit as a row decodes to what it is as an object on the wire, key for key', () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 20 }), fc.integer({ min: NOW_MS - 86_400_000, max: NOW_MS }), (units, baseMs) => {
        const rows = JSON.parse(`[${units.map((u) => fixJson(u, baseMs)).join(',')}]`) as FixEntry[];
        const back = expandFixes(baseMs, rows);
        // The object form's own JSON text (which writes -0 as 0, as a row does).
        const asObjects = JSON.parse(JSON.stringify(units)) as Unit[];
        expect(back).toEqual(asObjects);
        expect(Object.is(back[0]?.lon, asObjects[0]?.lon)).toBe(true);
        // Same keys in the same order as the object form, so the fold cannot tell them apart.
        back.forEach((u, i) => expect(Object.keys(u)).toEqual(Object.keys(asObjects[i])));
      }),
    );
  });

  it('property: a row is never longer than the object it replaces', () => {
    fc.assert(
      fc.property(unit, (u) => {
        expect(fixJson(u, u.timeMs).length).toBeLessThanOrEqual(JSON.stringify(u).length);
      }),
    );
  });
});

describe('expandDeltaEvents', () => {
  it('turns rows events into the object form and leaves every other event as it is', () => {
    const zone = { seq: 4, timeMs: 40, type: 'haven.removed', id: 'hv-1' };
    const objects = { seq: 5, timeMs: 50, type: 'position.reported', units: [{ unitId: 'b', lon: 1, lat: 2, timeMs: 49, seenMs: 50 }] };
    const rows = { seq: 6, timeMs: 1000, type: 'position.reported', fixes: [['a', 12.5, 57.7, -10, -5, null, 3]] };
    const events: unknown[] = [zone, structuredClone(objects), rows];
    expandDeltaEvents(events);
    expect(events).toEqual([
      zone,
      objects,
      { seq: 6, timeMs: 1000, type: 'position.reported', units: [{ unitId: 'a', lon: 12.5, lat: 57.7, timeMs: 990, seenMs: 995, speed: 3 }] },
    ]);
  });
});

// Corridor reasons in every language (test/client → client/src/ui/format.ts): each structured reason worded from the catalogues, with the picture's names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyPicture, type CorridorWhy, type Picture } from '@corridor/protocol';
import { LANGUAGES } from '../../client/src/i18n/languages.js';
import { corridorReason, whyText } from '../../client/src/ui/format.js';
import { EN, plain, wordsOf } from './words-fixture.js';

const picture: Picture = {
  ...emptyPicture(),
  threats: { 'tz-3': { id: 'tz-3', severity: 'no-go', label: 'Bridge collapse', polygon: [[11.9, 57.7], [11.91, 57.7], [11.91, 57.71], [11.9, 57.7]], updatedMs: 0 } as unknown as Picture['threats'][string] },
  havens: { 'hv-ullevi': { id: 'hv-ullevi', name: 'Ullevi', lon: 11.98, lat: 57.71, capacity: 500, occupancy: 0, status: 'open', updatedMs: 0 } },
};

const zone = { kind: 'zone', id: 'tz-3' } as const;
const constraint = { kind: 'constraint', id: 'ac-9' } as const;

/** One reason of every code, with figures from fast-check. */
const whyArb: fc.Arbitrary<CorridorWhy> = (() => {
  const m = fc.double({ min: 0, max: 500_000, noNaN: true });
  const s = fc.double({ min: 0, max: 100_000, noNaN: true });
  const d = fc.double({ min: -20_000, max: 20_000, noNaN: true });
  const refs = fc.array(fc.constantFrom(zone, constraint), { minLength: 1, maxLength: 4 });
  const haven = fc.option(fc.constantFrom('hv-ullevi', 'hv-unknown'), { nil: undefined });
  return fc.oneof(
    fc.record({ code: fc.constant('computed' as const), havenId: haven, distanceM: m, durationS: s }, { requiredKeys: ['code', 'distanceM', 'durationS'] }),
    fc.record({ code: fc.constant('found_again' as const), havenId: haven, distanceM: m, durationS: s }, { requiredKeys: ['code', 'distanceM', 'durationS'] }),
    fc.record({ code: fc.constant('unchanged' as const), distanceM: m, durationS: s }),
    fc.record({ code: fc.constant('convoy_changed' as const), distanceM: m, durationS: s }),
    fc.record(
      { code: fc.constant('haven_changed' as const), havenId: fc.constant('hv-ullevi'), previousHavenId: haven, previous: fc.option(fc.constantFrom('no_room', 'full', 'closed', 'removed') as fc.Arbitrary<'no_room' | 'full' | 'closed' | 'removed'>, { nil: undefined }), deltaS: d },
      { requiredKeys: ['code', 'havenId', 'deltaS'] },
    ),
    fc.record({ code: fc.constant('rerouted_around' as const), zones: refs, deltaS: d }),
    fc.record({ code: fc.constant('lifted' as const), zones: refs, deltaS: d }),
    fc.record({ code: fc.constant('rerouted' as const), deltaS: d }),
    fc.record({ code: fc.constant('off_network' as const), end: fc.constantFrom('origin' as const, 'destination' as const), distanceM: fc.option(m, { nil: null }) }),
    fc.record({ code: fc.constant('no_haven' as const), people: fc.integer({ min: 0, max: 100_000 }) }),
    fc.constant({ code: 'no_haven_near_road' as const }),
    fc.record({ code: fc.constant('no_safe_route' as const), blockedBy: refs }),
    fc.constant({ code: 'no_road_path' as const }),
    fc.record({ code: fc.constant('no_road_path' as const), vehicleClass: fc.constantFrom('motorbike' as const, '4wd' as const, 'light_truck' as const, 'heavy_truck' as const, 'truck_trailer' as const) }),
    fc.record({ code: fc.constant('nearest_zone' as const), zone: fc.constantFrom(zone, constraint), distanceM: m }),
    fc.constant({ code: 'clear_of_zones' as const }),
  ) as fc.Arbitrary<CorridorWhy>;
})();

describe('corridor reasons (ui/format.ts whyText)', () => {
  it('words every reason in every language, with no key, placeholder or English left over', () => {
    fc.assert(
      fc.property(whyArb, fc.constantFrom(...LANGUAGES), (why, lang) => {
        const text = whyText(why, picture, wordsOf(lang));
        expect(text.length).toBeGreaterThan(0);
        expect(text).not.toMatch(/\{\{|\}\}|reason\.|undefined|NaN/);
        // Figures in Arabic digits; ids and names (isolated, as data) keep their own.
        if (lang === 'ar') expect(text.replace(/\u2068[^\u2069]*\u2069/g, '')).not.toMatch(/[0-9]/);
      }),
      { numRuns: 600 },
    );
  });

  it('names zones by their label and havens by their name', () => {
    expect(plain(whyText({ code: 'rerouted_around', zones: [zone], deltaS: 240 }, picture, EN))).toBe('re-routed around zone tz-3 (Bridge collapse): +4 min');
    expect(plain(whyText({ code: 'no_safe_route', blockedBy: [zone, constraint] }, picture, EN))).toBe('no safe route: every path is cut by zone tz-3 (Bridge collapse) and constraint ac-9');
    expect(plain(whyText({ code: 'haven_changed', havenId: 'hv-ullevi', previousHavenId: 'hv-2', previous: 'full', deltaS: -60 }, picture, EN))).toBe(
      'haven hv-2 full: now to haven hv-ullevi (Ullevi), −1 min',
    );
    expect(plain(whyText({ code: 'off_network', end: 'origin', distanceM: null }, picture, EN))).toBe('the origin is far from any usable road');
    expect(whyText({ code: 'no_road_path', vehicleClass: 'heavy_truck' }, picture, EN)).toBe('no road path joins the two ends for a heavy truck, even without zones; a lighter vehicle can pass');
  });

  it('speaks Arabic with its own digits, plural forms and list joining', () => {
    const ar = wordsOf('ar');
    expect(plain(whyText({ code: 'no_haven', people: 2 }, picture, ar))).toBe('لا ملاذ مفتوحاً فيه متسع لشخصين');
    expect(plain(whyText({ code: 'unchanged', distanceM: 4800, durationS: 300 }, picture, ar))).toMatch(/٤٫٨/);
  });

  it("keeps the server's sentence for a corridor stored before reasons had codes", () => {
    expect(corridorReason({ convoyId: 'cv', status: 'ok', routes: [], reason: 'old sentence', computedMs: 0 }, picture, wordsOf('fr'))).toBe('old sentence');
  });
});

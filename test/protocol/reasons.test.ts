// Unit tests of protocol/reasons.ts: reasonText words each code of a corridor's structured reason
// (CorridorWhySchema) in English, with names by id alone (PLAIN_NAMES) or as the router gives them.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { CorridorWhySchema, formatDistance, formatDuration, PLAIN_NAMES, reasonText, type CorridorWhy, type CorridorWhyCode, type ReasonNames } from '@corridor/protocol';

const valid = TypeCompiler.Compile(CorridorWhySchema);

/** One case per code (some codes twice), with the sentence PLAIN_NAMES gives. */
const cases: [CorridorWhy, string][] = [
  [{ code: 'computed', distanceM: 6658.4, durationS: 480 }, 'corridor computed: 6.7 km, 8 min'],
  [{ code: 'computed', havenId: 'hv-1', distanceM: 850, durationS: 40 }, 'corridor computed to haven hv-1: 850 m, 40 s'],
  [{ code: 'found_again', distanceM: 12_400, durationS: 3900 }, 'route found again: 12.4 km, 1 h 05 min'],
  [{ code: 'found_again', havenId: 'hv-2', distanceM: 999.6, durationS: 59.4 }, 'route found again to haven hv-2: 1000 m, 59 s'],
  [{ code: 'unchanged', distanceM: 5883.4, durationS: 600 }, 'route unchanged (5.9 km, 10 min)'],
  [{ code: 'convoy_changed', distanceM: 3100, durationS: 300 }, 'convoy changed: 3.1 km, 5 min'],
  [{ code: 'haven_changed', havenId: 'hv-2', previousHavenId: 'hv-1', previous: 'closed', deltaS: 180 }, 'haven hv-1 closed: now to haven hv-2, +3 min'],
  [{ code: 'haven_changed', havenId: 'hv-2', previousHavenId: 'hv-1', previous: 'full', deltaS: 180 }, 'haven hv-1 full: now to haven hv-2, +3 min'],
  [{ code: 'haven_changed', havenId: 'hv-2', previousHavenId: 'hv-1', previous: 'no_room', deltaS: -30 }, 'haven hv-1 has no room: now to haven hv-2, −30 s'],
  [{ code: 'haven_changed', havenId: 'hv-2', previousHavenId: 'hv-1', previous: 'removed', deltaS: 0 }, 'haven hv-1 removed: now to haven hv-2, +0 s'],
  [{ code: 'haven_changed', havenId: 'hv-1', deltaS: 61 }, 'haven changed: now to haven hv-1, +1 min'],
  [{ code: 'rerouted_around', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: 240 }, 're-routed around zone tz-3: +4 min'],
  [
    { code: 'rerouted_around', zones: [{ kind: 'constraint', id: 'ac-1' }, { kind: 'zone', id: 'tz-3' }], deltaS: 95 },
    're-routed around constraint ac-1, zone tz-3: +2 min',
  ],
  [{ code: 'lifted', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: -120 }, 'zone tz-3 lifted: −2 min'],
  [{ code: 'lifted', zones: [{ kind: 'zone', id: 'tz-3' }, { kind: 'constraint', id: 'ac-1' }], deltaS: -12.4 }, 'zone tz-3, constraint ac-1 lifted: −12 s'],
  [{ code: 'rerouted', deltaS: 42 }, 're-routed: +42 s'],
  [{ code: 'off_network', end: 'origin', distanceM: 1800 }, 'origin is 1.8 km from the nearest usable road'],
  [{ code: 'off_network', end: 'destination', distanceM: null }, 'destination is unknown distance from the nearest usable road'],
  [{ code: 'no_haven', people: 50 }, 'no open haven with room for 50 people'],
  [{ code: 'no_haven_near_road' }, 'no open haven with room is near a usable road'],
  [{ code: 'no_safe_route', blockedBy: [{ kind: 'zone', id: 'tz-4' }] }, 'no safe route: every path is cut by zone tz-4'],
  [
    { code: 'no_safe_route', blockedBy: [{ kind: 'constraint', id: 'ac-1' }, { kind: 'zone', id: 'tz-4' }] },
    'no safe route: every path is cut by constraint ac-1, zone tz-4',
  ],
  [{ code: 'no_road_path' }, 'no road path joins the two ends, even without zones: the road network does not connect them'],
  [{ code: 'no_road_path', vehicleClass: 'truck_trailer' }, 'no road path joins the two ends for a truck with trailer, even without zones; a lighter vehicle can pass'],
  [{ code: 'nearest_zone', zone: { kind: 'zone', id: 'tz-9' }, distanceM: 240 }, 'route unchanged; nearest zone is zone tz-9 at 240 m'],
  [{ code: 'clear_of_zones' }, 'route unchanged; no no-go or danger zone remains'],
];

describe('reasonText with PLAIN_NAMES', () => {
  for (const [why, text] of cases) {
    it(`${why.code}: "${text}"`, () => {
      expect(valid.Check(why)).toBe(true);
      expect(reasonText(why, PLAIN_NAMES)).toBe(text);
      // PLAIN_NAMES is the default.
      expect(reasonText(why)).toBe(text);
    });
  }

  it('covers every code of the schema', () => {
    const codes = new Set<CorridorWhyCode>(cases.map(([why]) => why.code));
    const schemaCodes = CorridorWhySchema.anyOf.map((s) => s.properties.code.const as CorridorWhyCode);
    expect([...codes].sort()).toEqual([...schemaCodes].sort());
  });
});

describe('reasonText with names as the router gives them', () => {
  const names: ReasonNames = {
    zone: (ref) => (ref.id === 'tz-3' ? 'zone tz-3 (Armed clashes)' : `${ref.kind} ${ref.id}`),
    haven: (id) => `${id} (School)`,
  };

  it('names zones and havens where the sentence refers to them', () => {
    expect(reasonText({ code: 'rerouted_around', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: 120 }, names)).toBe('re-routed around zone tz-3 (Armed clashes): +2 min');
    expect(reasonText({ code: 'no_safe_route', blockedBy: [{ kind: 'zone', id: 'tz-3' }] }, names)).toBe('no safe route: every path is cut by zone tz-3 (Armed clashes)');
    expect(reasonText({ code: 'nearest_zone', zone: { kind: 'zone', id: 'tz-3' }, distanceM: 1520 }, names)).toBe('route unchanged; nearest zone is zone tz-3 (Armed clashes) at 1.5 km');
    expect(reasonText({ code: 'computed', havenId: 'hv-2', distanceM: 2000, durationS: 300 }, names)).toBe('corridor computed to haven hv-2 (School): 2.0 km, 5 min');
    expect(reasonText({ code: 'haven_changed', havenId: 'hv-2', previousHavenId: 'hv-1', previous: 'closed', deltaS: 60 }, names)).toBe(
      'haven hv-1 closed: now to haven hv-2 (School), +1 min',
    );
  });

  it('names a lifted zone by kind and id alone: it is gone, so is its label', () => {
    expect(reasonText({ code: 'lifted', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: -60 }, names)).toBe('zone tz-3 lifted: −1 min');
  });
});

describe('formatDistance and formatDuration', () => {
  it('metres below 1 km, else km to 0.1; unknown for null and Infinity', () => {
    expect(formatDistance(0)).toBe('0 m');
    expect(formatDistance(849.6)).toBe('850 m');
    expect(formatDistance(1000)).toBe('1.0 km');
    expect(formatDistance(12_400)).toBe('12.4 km');
    expect(formatDistance(null)).toBe('unknown distance');
    expect(formatDistance(Infinity)).toBe('unknown distance');
  });

  it('seconds below a minute, then minutes, then hours and two-digit minutes', () => {
    expect(formatDuration(40)).toBe('40 s');
    expect(formatDuration(59.4)).toBe('59 s');
    expect(formatDuration(60)).toBe('1 min');
    expect(formatDuration(3569)).toBe('59 min');
    expect(formatDuration(3570)).toBe('1 h 00 min');
    expect(formatDuration(3900)).toBe('1 h 05 min');
  });
});

// Tests of the validator (protocol/validate.ts): generated valid commands of every type are
// accepted as they are; broken ones are refused with the offending field's path and a message
// naming it (P5), plus the geometry, clock (P6) and size checks JSON Schema cannot express.
import fc from 'fast-check';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ACCESS_CATEGORIES, ClientCommandSchemas, MAX_BATCH_REPORTS, MAX_FUTURE_SKEW_MS, type ClientCommand, type ClientCommandType } from '@corridor/protocol';
import {
  checkPolygonal,
  toFieldPath,
  validateCommand,
  validateConstraint,
  validatePositionBatch,
  validateThreat,
} from '@corridor/protocol/validate';
import { anyCommand, commandOf, NOW_MS, ring } from './arbitraries.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`validator property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);
const RUNS = { seed: SEED, numRuns: 150 };

type Key = string | number;
/** A field of a generated message, found by walking the message alongside its schema. */
interface Field {
  path: Key[];
  schema: TSchema;
  required: boolean;
}

/** `['feature', 'geometry', 'coordinates', 0]` → `feature.geometry.coordinates[0]`. */
const show = (path: Key[]) => toFieldPath(path.map(String).map((k) => `/${k}`).join(''));

/** Every field of `value` under `schema`; for a union, the variant the value matches. */
function fieldsOf(schema: TSchema, value: unknown, path: Key[] = [], out: Field[] = []): Field[] {
  const s = schema as TSchema & { anyOf?: TSchema[]; properties?: Record<string, TSchema>; required?: string[]; items?: TSchema | TSchema[] };
  if (s.anyOf) {
    const variant = s.anyOf.find((v) => Value.Check(v, value));
    if (variant) fieldsOf(variant, value, path, out);
    return out;
  }
  if (s.properties && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      const sub = s.properties[key];
      if (!sub) continue;
      out.push({ path: [...path, key], schema: sub, required: s.required?.includes(key) ?? false });
      fieldsOf(sub, child, [...path, key], out);
    }
  } else if (s.items && Array.isArray(value)) {
    // Tuples (positions) and the first two elements of lists are enough to reach every kind of field.
    const n = Array.isArray(s.items) ? value.length : Math.min(2, value.length);
    for (let i = 0; i < n; i++) {
      const sub = Array.isArray(s.items) ? s.items[i] : s.items;
      out.push({ path: [...path, i], schema: sub, required: true });
      fieldsOf(sub, value[i], [...path, i], out);
    }
  }
  return out;
}

function get(root: unknown, path: Key[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<Key, unknown>)[k], root);
}
function set(root: unknown, path: Key[], value: unknown): void {
  const parent = get(root, path.slice(0, -1)) as Record<Key, unknown>;
  parent[path[path.length - 1]] = value;
}
function remove(root: unknown, path: Key[]): void {
  const parent = get(root, path.slice(0, -1)) as Record<Key, unknown>;
  delete parent[path[path.length - 1]];
}

/** Fields whose mutation the validator reports at another place: discriminators of unions. */
const isDiscriminator = (f: Field) => f.path[f.path.length - 1] === 'type';
const schemaOf = (cmd: ClientCommand) => ClientCommandSchemas[cmd.type as ClientCommandType] as TSchema;
const isObjectField = (f: Field) => (f.schema as { type?: string }).type === 'object' || (f.schema as { anyOf?: unknown }).anyOf !== undefined;

/** A valid command with one field chosen by `pick` among those `filter` allows. */
const withField = (filter: (f: Field, cmd: ClientCommand) => boolean) =>
  anyCommand.chain((cmd) => {
    const fields = fieldsOf(schemaOf(cmd), cmd).filter((f) => !isDiscriminator(f) && filter(f, cmd));
    return fields.length === 0 ? fc.constant(null) : fc.constantFrom(...fields).map((field) => ({ cmd: structuredClone(cmd), field }));
  });

function expectRefused(cmd: unknown, path: string, message?: RegExp) {
  const r = validateCommand(cmd, NOW_MS);
  expect(r.ok, JSON.stringify(cmd).slice(0, 300)).toBe(false);
  if (r.ok) return;
  expect(r.error.path ?? '').toBe(path);
  // The message names the field (P5: a sentence a person understands, pointing at the field).
  expect(r.error.message).toContain(path || 'the message');
  if (message) expect(r.error.message).toMatch(message);
  return r.error;
}

describe('validateCommand: generated valid commands (property)', () => {
  for (const type of Object.keys(commandOf) as ClientCommandType[]) {
    it(`accepts every valid ${type} as it is`, () => {
      fc.assert(
        fc.property(commandOf[type], (cmd) => {
          const r = validateCommand(cmd, NOW_MS);
          expect(r).toEqual({ ok: true, value: cmd });
        }),
        RUNS,
      );
    });
  }
});

describe('validateCommand: polygons with repeated positions (property)', () => {
  it('accepts a valid polygon whose ring repeats a position in a row', () => {
    fc.assert(
      fc.property(ring, fc.nat(), fc.integer({ min: 1, max: 3 }), (r, at, times) => {
        const i = at % (r.length - 1);
        const repeated = [...r.slice(0, i + 1), ...Array.from({ length: times }, () => r[i]), ...r.slice(i + 1)];
        const r2 = validateCommand(threat({ type: 'Polygon', coordinates: [repeated] }), NOW_MS);
        expect(r2.ok, JSON.stringify(r2)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('validateCommand: broken commands (property)', () => {
  it('refuses a missing required field, naming it', () => {
    fc.assert(
      fc.property(
        withField((f) => f.required && f.path.length > 0 && typeof f.path[f.path.length - 1] === 'string'),
        (picked) => {
          fc.pre(picked !== null);
          const { cmd, field } = picked!;
          remove(cmd, field.path);
          expectRefused(cmd, show(field.path), /is required/);
        },
      ),
      RUNS,
    );
  });

  it('refuses a field of the wrong type, naming it', () => {
    fc.assert(
      fc.property(withField(() => true), fc.constantFrom<unknown>(12345, 'text', true, null, { a: 1 }, [1, 2]), (picked, wrong) => {
        fc.pre(picked !== null);
        const { cmd, field } = picked!;
        // Only values the field's schema refuses (an id may be a string or a number, P5).
        fc.pre(!Value.Check(field.schema, wrong));
        const original = get(cmd, field.path);
        fc.pre(typeof original !== typeof wrong || Array.isArray(original) !== Array.isArray(wrong) || wrong === null);
        set(cmd, field.path, wrong);
        expectRefused(cmd, show(field.path));
      }),
      RUNS,
    );
  });

  it('refuses numbers out of range: lat beyond ±90, lon beyond ±180, negative counts', () => {
    const ranged = (f: Field) => {
      const s = f.schema as { type?: string; minimum?: number; maximum?: number };
      return (s.type === 'number' || s.type === 'integer') && (s.minimum !== undefined || s.maximum !== undefined);
    };
    fc.assert(
      fc.property(withField(ranged), fc.boolean(), fc.double({ min: 0.001, max: 1e6, noNaN: true }), (picked, above, by) => {
        fc.pre(picked !== null);
        const { cmd, field } = picked!;
        const s = field.schema as unknown as { type: string; minimum?: number; maximum?: number };
        const bound = above ? s.maximum : s.minimum;
        fc.pre(bound !== undefined);
        const step = s.type === 'integer' ? Math.ceil(by) : by;
        set(cmd, field.path, above ? bound! + step : bound! - step);
        expectRefused(cmd, show(field.path), above ? /must be at most/ : /must be at least/);
      }),
      RUNS,
    );
  });

  it('refuses NaN and ±Infinity in any number', () => {
    const numeric = (f: Field) => ['number', 'integer'].includes((f.schema as { type?: string }).type ?? '');
    fc.assert(
      fc.property(withField(numeric), fc.constantFrom(NaN, Infinity, -Infinity), (picked, bad) => {
        fc.pre(picked !== null);
        const { cmd, field } = picked!;
        set(cmd, field.path, bad);
        expectRefused(cmd, show(field.path), /must be a (finite|whole) number/);
      }),
      RUNS,
    );
  });

  it('refuses an unknown extra field, at the top or nested', () => {
    fc.assert(
      fc.property(
        anyCommand.chain((cmd) => {
          const objects = [[], ...fieldsOf(schemaOf(cmd), cmd).filter((f) => isObjectField(f) && !Array.isArray(get(cmd, f.path))).map((f) => f.path)];
          return fc.constantFrom(...objects).map((path) => ({ cmd: structuredClone(cmd), path }));
        }),
        ({ cmd, path }) => {
          const target = get(cmd, path);
          fc.pre(typeof target === 'object' && target !== null && !Array.isArray(target));
          (target as Record<string, unknown>).colour = 'red';
          expectRefused(cmd, show([...path, 'colour']), /is not a known field/);
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- named cases

const square = (): [number, number][] => [
  [12, 57],
  [12.01, 57],
  [12.01, 57.01],
  [12, 57.01],
  [12, 57],
];
const threat = (geometry: unknown, properties: Record<string, unknown> = { severity: 'danger' }) => ({
  type: 'threat.upsert',
  msgId: 'm1',
  feature: { type: 'Feature', geometry, properties },
});

describe('validateCommand: named cases', () => {
  it('refuses lat 91 with path lat and a sentence (the TSDoc example)', () => {
    const r = validateCommand({ type: 'position', msgId: 'm1', unitId: 'u1', lon: 12, lat: 91 }, NOW_MS);
    expect(r).toEqual({ ok: false, error: { code: 'invalid', path: 'lat', message: 'lat must be at most 90, got 91' } });
  });

  it('refuses lat -90.5, lon 180.1 and lon -181 in a batch, with the report index', () => {
    expectRefused({ type: 'positions', msgId: 'm', reports: [{ unitId: 'a', lon: 0, lat: 0 }, { unitId: 'b', lon: 0, lat: -90.5 }] }, 'reports[1].lat');
    expectRefused({ type: 'position', msgId: 'm', unitId: 'a', lon: 180.1, lat: 0 }, 'lon', /at most 180/);
    expectRefused({ type: 'position', msgId: 'm', unitId: 'a', lon: -181, lat: 0 }, 'lon', /at least -180/);
  });

  it('refuses an unclosed ring with invalid_geometry at the ring', () => {
    const open = square().slice(0, 4).concat([[12.005, 57.005]]);
    const e = expectRefused(threat({ type: 'Polygon', coordinates: [open] }), 'feature.geometry.coordinates[0]', /not closed/);
    expect(e?.code).toBe('invalid_geometry');
  });

  it('refuses an unclosed ring of a MultiPolygon with the polygon index', () => {
    const open = square().slice(0, 4).concat([[12.005, 57.005]]);
    const e = expectRefused(threat({ type: 'MultiPolygon', coordinates: [[square()], [open]] }), 'feature.geometry.coordinates[1][0]');
    expect(e?.code).toBe('invalid_geometry');
  });

  it('refuses a bow-tie (self-intersecting) polygon', () => {
    //  (0,1) ──── (1,1)
    //      ╲    ╱
    //        ╳          the edges cross at (0.5, 0.5)
    //      ╱    ╲
    //  (0,0) ──── (1,0)
    const bowTie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]];
    const e = expectRefused(threat({ type: 'Polygon', coordinates: [bowTie] }), 'feature.geometry.coordinates', /crosses itself/);
    expect(e?.code).toBe('invalid_geometry');
  });

  it('accepts a ring with a position repeated in a row (common in GIS exports), and a hole', () => {
    const repeated = [[0, 0], [1, 0], [1, 0], [1, 1], [0, 1], [0, 0]];
    expect(validateCommand(threat({ type: 'Polygon', coordinates: [repeated] }), NOW_MS).ok).toBe(true);
    const withHole = [square(), [[12.002, 57.002], [12.004, 57.002], [12.004, 57.004], [12.002, 57.004], [12.002, 57.002]]];
    expect(validateCommand(threat({ type: 'Polygon', coordinates: withHole }), NOW_MS).ok).toBe(true);
  });

  it('refuses a hole that crosses the outer ring', () => {
    const crossing = [square(), [[12.005, 57.005], [12.02, 57.005], [12.02, 57.02], [12.005, 57.02], [12.005, 57.005]]];
    expect(expectRefused(threat({ type: 'Polygon', coordinates: crossing }), 'feature.geometry.coordinates', /crosses itself/)?.code).toBe(
      'invalid_geometry',
    );
  });

  it('refuses a ring of fewer than 3 distinct positions', () => {
    const flat = [[0, 0], [1, 1], [0, 0], [0, 0]];
    const e = expectRefused(threat({ type: 'Polygon', coordinates: [flat] }), 'feature.geometry.coordinates[0]', /enclose an area/);
    expect(e?.code).toBe('invalid_geometry');
  });

  it('checks constraint polygons too', () => {
    const bowTie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]];
    const r = validateConstraint(
      { status: 'closed', category: 'hostilities', geometry: { type: 'Polygon', coordinates: [bowTie] }, verifiedAt: '2026-11-21T09:00:00Z', verifiedBy: 'x' },
      NOW_MS,
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_geometry', path: 'geometry.coordinates' } });
  });

  it('refuses a Point without radius_m and accepts it with one', () => {
    expectRefused(threat({ type: 'Point', coordinates: [12, 57] }), 'feature.properties.radius_m', /required when the geometry is a Point/);
    expect(validateCommand(threat({ type: 'Point', coordinates: [12, 57] }, { severity: 'no-go', radius_m: 500 }), NOW_MS).ok).toBe(true);
    expectRefused(threat({ type: 'Point', coordinates: [12, 57] }, { severity: 'no-go', radius_m: 0 }), 'feature.properties.radius_m', /greater than 0/);
  });

  it('refuses a time far in the future (time_in_future, P6) but allows 5 minutes of skew', () => {
    const at = (ms: number) => new Date(ms).toISOString();
    const e = expectRefused({ type: 'position', msgId: 'm', unitId: 'a', lon: 0, lat: 0, time: at(NOW_MS + 3_600_000) }, 'time', /60 minutes ahead/);
    expect(e?.code).toBe('time_in_future');
    expect(validateCommand({ type: 'position', msgId: 'm', unitId: 'a', lon: 0, lat: 0, time: at(NOW_MS + MAX_FUTURE_SKEW_MS) }, NOW_MS).ok).toBe(true);
    const batch = { type: 'positions', msgId: 'm', reports: [{ unitId: 'a', lon: 0, lat: 0 }, { unitId: 'a', lon: 0, lat: 0, time: at(NOW_MS + 86_400_000) }] };
    expect(expectRefused(batch, 'reports[1].time')?.code).toBe('time_in_future');
    const site = { type: 'site.upsert', msgId: 'm', site: { name: 's', lon: 0, lat: 0, population: 1, date: '2027-01-01', source: 'x' } };
    expect(expectRefused(site, 'site.date')?.code).toBe('time_in_future');
    const c = { status: 'closed', category: 'hostilities', geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] }, verifiedAt: at(NOW_MS + 600_000), verifiedBy: 'x' };
    expect(expectRefused({ type: 'constraint.upsert', msgId: 'm', constraint: c }, 'constraint.verifiedAt')?.code).toBe('time_in_future');
  });

  it('takes the nine access indicators, reads the earlier "bureaucratic" as restriction of movement, and names the nine when refusing another', () => {
    const c = (category: string) => ({ type: 'constraint.upsert', msgId: 'm', constraint: { status: 'closed', category, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] }, verifiedAt: new Date(NOW_MS).toISOString(), verifiedBy: 'x' } });
    for (const { code } of ACCESS_CATEGORIES) expect(validateCommand(c(code), NOW_MS).ok, code).toBe(true);
    expect(ACCESS_CATEGORIES.map((x) => x.indicator)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const legacy = validateCommand(c('bureaucratic'), NOW_MS);
    expect(legacy.ok && legacy.value.type === 'constraint.upsert' && legacy.value.constraint.category).toBe('movement-restriction');
    const e = expectRefused(c('other'), 'constraint.category', /nine access-constraint indicators/);
    expect(e?.message).toContain('explosive-hazards');
  });

  it("accepts today's date from a zone east of UTC (a bare date is a local day), not the day after", () => {
    const evening = Date.UTC(2026, 10, 21, 20, 0, 0); // 04:00 on the 22nd in Manila (UTC+8)
    const site = (date: string) => ({ type: 'site.upsert', msgId: 'm', site: { name: 's', lon: 0, lat: 0, population: 1, date, source: 'x' } });
    expect(validateCommand(site('2026-11-22'), evening).ok).toBe(true);
    expect(validateCommand(site('2026-11-23'), evening)).toMatchObject({ ok: false, error: { code: 'time_in_future', path: 'site.date' } });
    // A date-time keeps the 5-minute rule.
    expect(validateCommand(site('2026-11-21T20:06:00Z'), evening)).toMatchObject({ ok: false, error: { code: 'time_in_future' } });
  });

  it('accepts a threat whose validUntil is already past (it expires at once)', () => {
    expect(validateCommand(threat({ type: 'Polygon', coordinates: [square()] }, { severity: 'danger', validUntil: '2001-01-01T00:00:00Z' }), NOW_MS).ok).toBe(true);
  });

  it('refuses times without a zone or that are not dates', () => {
    expectRefused({ type: 'position', msgId: 'm', unitId: 'a', lon: 0, lat: 0, time: '2026-11-21T10:00:00' }, 'time', /ISO 8601/);
    expectRefused({ type: 'position', msgId: 'm', unitId: 'a', lon: 0, lat: 0, time: '2026-13-45T10:00:00Z' }, 'time', /ISO 8601/);
  });

  it('refuses an unknown message type with unknown_type, listing the known ones', () => {
    const r = validateCommand({ type: 'teleport', msgId: 'm' }, NOW_MS);
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown_type', path: 'type' } });
    if (!r.ok) expect(r.error.message).toContain('threat.upsert');
    // Inherited names are not message types.
    expect(validateCommand({ type: 'toString', msgId: 'm' }, NOW_MS)).toMatchObject({ ok: false, error: { code: 'unknown_type' } });
  });

  it('refuses a message that is not an object, or has no type', () => {
    for (const raw of [null, 42, 'position', [{ type: 'position' }]]) {
      expect(validateCommand(raw, NOW_MS)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    expect(validateCommand({ msgId: 'm' }, NOW_MS)).toMatchObject({ ok: false, error: { code: 'invalid', path: 'type' } });
  });

  it('refuses strings that are too long', () => {
    expectRefused(threat({ type: 'Polygon', coordinates: [square()] }, { severity: 'danger', label: 'x'.repeat(201) }), 'feature.properties.label', /at most 200 characters/);
    expectRefused({ type: 'position', msgId: 'm', unitId: 'u'.repeat(65), lon: 0, lat: 0 }, 'unitId', /at most 64 characters/);
    expectRefused({ type: 'haven.remove', msgId: 'm'.repeat(129), id: 'hv-1' }, 'msgId', /at most 128 characters/);
  });

  it('refuses arrays that are too long, or empty where one item is needed', () => {
    const report = { unitId: 'a', lon: 0, lat: 0 };
    expectRefused({ type: 'positions', msgId: 'm', reports: Array.from({ length: MAX_BATCH_REPORTS + 1 }, () => report) }, 'reports', new RegExp(`at most ${MAX_BATCH_REPORTS} items`));
    expectRefused({ type: 'positions', msgId: 'm', reports: [] }, 'reports', /at least 1 items?/);
    expectRefused(threat({ type: 'Polygon', coordinates: [] }), 'feature.geometry.coordinates', /at least 1/);
  });

  it('refuses ids with characters outside the allowed set', () => {
    expectRefused({ type: 'haven.remove', msgId: 'm', id: 'hv 1' }, 'id', /letters, digits/);
    expectRefused({ type: 'haven.remove', msgId: 'm', id: '' }, 'id', /must not be empty/);
  });

  it('refuses an enum value outside the list, saying which are allowed', () => {
    expectRefused(threat({ type: 'Polygon', coordinates: [square()] }, { severity: 'mild' }), 'feature.properties.severity', /"no-go", "danger", "advisory"/);
  });

  it('refuses a geometry of an unknown type', () => {
    expectRefused(threat({ type: 'Circle', coordinates: [12, 57] }), 'feature.geometry', /does not match/);
  });

  it('refuses a position that is not a [lon, lat] pair', () => {
    expectRefused({ type: 'convoy.upsert', msgId: 'm', convoy: { name: 'a', origin: [0, 0, 0], destination: 'nearest-haven' } }, 'convoy.origin', /\[lon, lat\] pair/);
  });
});

describe('per-kind validators', () => {
  it('validatePositionBatch takes one report or an array, with index paths', () => {
    expect(validatePositionBatch({ unitId: 'a', lon: 1, lat: 2 }, NOW_MS)).toEqual({ ok: true, value: [{ unitId: 'a', lon: 1, lat: 2 }] });
    expect(validatePositionBatch([{ unitId: 'a', lon: 1, lat: 2 }, { unitId: 'b', lon: 1, lat: 95 }], NOW_MS)).toMatchObject({
      ok: false,
      error: { path: '[1].lat' },
    });
    expect(validatePositionBatch([], NOW_MS)).toMatchObject({ ok: false });
  });

  it('validateThreat reports paths without a prefix for HTTP bodies', () => {
    expect(validateThreat({ type: 'Feature', geometry: { type: 'Point', coordinates: [0, 0] }, properties: { severity: 'danger' } }, NOW_MS)).toMatchObject({
      ok: false,
      error: { path: 'properties.radius_m' },
    });
  });

  it('checkPolygonal ignores non-polygonal geometry', () => {
    expect(checkPolygonal({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }, 'g')).toEqual({ ok: true });
  });

  it('toFieldPath turns JSON pointers into field paths', () => {
    expect(toFieldPath('/feature/geometry/coordinates/0/3')).toBe('feature.geometry.coordinates[0][3]');
    expect(toFieldPath('/1/lat')).toBe('[1].lat');
    expect(toFieldPath('/lat', 'reports[2]')).toBe('reports[2].lat');
  });
});

// Tests of the validator's issue 9 checks (protocol/validate.ts): preview of untrusted values, real dates, text a screen shows as stored, occupancy, feature ids and geometry size.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_GEOMETRY_POSITIONS } from '@corridor/protocol';
import { dateProblem, isRealDateTime, preview, validateCommand } from '@corridor/protocol/validate';
import { commandOf, isoTime as isoTimeArb, NOW_MS } from './arbitraries.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`validator issue 9 property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);
const RUNS = { seed: SEED, numRuns: 200 };
/** Any UTF-16 text, lone surrogates included (cheaper than fc.string({ unit: 'binary' }), which takes ~2 s to set up). */
const utf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((codes) => String.fromCharCode(...codes));

/** A label for a failed assertion; JSON.stringify would overflow the stack on the deep values below. */
const label = (cmd: unknown) => preview(cmd, 300);

/** Refused with `path`; the message names `named` (the field, P5) and matches `message`. */
function expectRefused(cmd: unknown, path: string, message?: RegExp, named = path) {
  const r = validateCommand(cmd, NOW_MS);
  expect(r.ok, label(cmd)).toBe(false);
  if (r.ok) return undefined;
  expect(r.error.path ?? '').toBe(path);
  // The message names the field (P5).
  expect(r.error.message).toContain(named || 'the message');
  if (message) expect(r.error.message).toMatch(message);
  return r.error;
}
function expectAccepted(cmd: unknown) {
  const r = validateCommand(cmd, NOW_MS);
  expect(r, label(cmd)).toEqual({ ok: true, value: cmd });
}

// ---------------------------------------------------------------- messages to change one field of

const square = (): [number, number][] => [
  [12, 57],
  [12.01, 57],
  [12.01, 57.01],
  [12, 57.01],
  [12, 57],
];
const position = (extra: Record<string, unknown> = {}) => ({ type: 'position', msgId: 'm1', unitId: 'u1', lon: 12, lat: 57, ...extra });
const threat = (geometry: unknown = { type: 'Polygon', coordinates: [square()] }, properties: Record<string, unknown> = {}, feature: Record<string, unknown> = {}) => ({
  type: 'threat.upsert',
  msgId: 'm1',
  feature: { type: 'Feature', ...feature, geometry, properties: { severity: 'danger', ...properties } },
});
const haven = (extra: Record<string, unknown> = {}) => ({
  type: 'haven.upsert',
  msgId: 'm1',
  haven: { name: 'Sports hall', lon: 12, lat: 57, capacity: 100, status: 'open', ...extra },
});
const site = (extra: Record<string, unknown> = {}) => ({
  type: 'site.upsert',
  msgId: 'm1',
  site: { name: 'Camp A', lon: 12, lat: 57, population: 1200, date: '2026-11-01', source: 'UNHCR', ...extra },
});
const flow = (extra: Record<string, unknown> = {}) => ({
  type: 'flow.upsert',
  msgId: 'm1',
  flow: { from: [12, 57], to: [12.1, 57.1], people: 300, date: '2026-11-01', source: 'IOM DTM', ...extra },
});
const constraint = (extra: Record<string, unknown> = {}) => ({
  type: 'constraint.upsert',
  msgId: 'm1',
  constraint: {
    status: 'closed',
    category: 'hostilities',
    geometry: { type: 'LineString', coordinates: [[12, 57], [12.01, 57.01]] },
    verifiedAt: '2026-11-21T09:00:00Z',
    verifiedBy: 'OCHA',
    ...extra,
  },
});

// ---------------------------------------------------------------- preview

describe('preview (issue 9)', () => {
  it('(property) is never longer than 60 characters and never throws, whatever the value', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      stringUnit: 'grapheme',
      maxDepth: 4,
      maxKeys: 8,
    });
    fc.assert(
      fc.property(fc.oneof(anything, fc.array(utf16, { maxLength: 5 })), (v) => {
        expect(preview(v).length).toBeLessThanOrEqual(60);
      }),
      RUNS,
    );
  });

  it('(property) shows short JSON values whole', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 2 }), (v) => {
        const json = JSON.stringify(v);
        fc.pre(json.length <= 60 && !json.includes('-0'));
        expect(preview(v)).toBe(json);
      }),
      RUNS,
    );
  });

  it('does not throw on a value nested 100,000 deep, and shows a few levels', () => {
    let arrays: unknown = 1;
    let objects: unknown = 1;
    for (let i = 0; i < 100_000; i++) {
      arrays = [arrays];
      objects = { a: objects };
    }
    expect(preview(arrays)).toBe('[[[[…]]]]');
    expect(preview(objects)).toBe('{"a":{"a":{"a":{…}}}}');
  });

  it('does not throw on an array of 1,000,000 items or a string of 1,000,000 characters, and cuts them at 60', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i);
    const p = preview(big);
    expect(p.length).toBe(60);
    expect(p.startsWith('[0,1,2,3,')).toBe(true);
    expect(p.endsWith('...')).toBe(true);
    const s = preview('x'.repeat(1_000_000));
    expect(s.length).toBe(60);
    expect(s.startsWith('"xxx')).toBe(true);
  });

  it('issue 9: a lon nested 10,000 deep is refused with path lon and a short preview, without throwing', () => {
    let lon: unknown = 12;
    for (let i = 0; i < 10_000; i++) lon = [lon];
    const e = expectRefused(position({ lon }), 'lon', /must be a finite number/);
    expect(e?.message.length).toBeLessThan(120);
  });
});

// ---------------------------------------------------------------- dates

describe('dates (issue 9)', () => {
  const cases: Array<[string, (v: string) => unknown, string, string, RegExp]> = [
    ['2026-02-30 in a site date', (v) => site({ date: v }), 'site.date', '2026-02-30', /February 2026 has 28 days/],
    ['2026-02-29T10:00:00Z (2026 is not a leap year)', (v) => position({ time: v }), 'time', '2026-02-29T10:00:00Z', /February 2026 has 28 days/],
    ['year 0001', (v) => site({ date: v }), 'site.date', '0001-01-01', /the year 0001 is before 1900/],
    ['1899-12-31', (v) => flow({ date: v }), 'flow.date', '1899-12-31', /the year 1899 is before 1900/],
    ['year 0026 in a time', (v) => constraint({ verifiedAt: v }), 'constraint.verifiedAt', '0026-11-21T09:00:00Z', /the year 0026 is before 1900/],
    ['2026-13-01', (v) => site({ date: v }), 'site.date', '2026-13-01', /there is no month 13/],
    ['month 00', (v) => site({ date: v }), 'site.date', '2026-00-10', /there is no month 00/],
    ['2026-04-31', (v) => flow({ date: v }), 'flow.date', '2026-04-31', /April 2026 has 30 days/],
    ['day 00', (v) => flow({ date: v }), 'flow.date', '2026-04-00', /April 2026 has 30 days/],
    ['2026-01-01T24:00:00Z', (v) => position({ time: v }), 'time', '2026-01-01T24:00:00Z', /24:00:00 is not a time of day/],
    ['2026-01-01T10:60:00Z', (v) => threat(undefined, { validUntil: v }), 'feature.properties.validUntil', '2026-01-01T10:60:00Z', /10:60:00 is not a time of day/],
    ['a 61st second', (v) => position({ time: v }), 'time', '2026-01-01T10:00:61Z', /10:00:61 is not a time of day/],
    ['offset +15:00', (v) => constraint({ validUntil: v }), 'constraint.validUntil', '2026-01-01T10:00:00+15:00', /beyond ±14:00/],
    ['offset -14:30', (v) => position({ time: v }), 'time', '2026-01-01T10:00:00-14:30', /beyond ±14:00/],
    ['a real date-time in a date field, but 31 June', (v) => site({ date: v }), 'site.date', '2026-06-31T10:00:00Z', /June 2026 has 30 days/],
  ];
  for (const [name, build, path, value, why] of cases) {
    it(`refuses ${name}, with the field's path and the problem`, () => {
      const e = expectRefused(build(value), path, why);
      expect(e?.code).toBe('invalid');
      expect(e?.message).toContain(value);
      expect(e?.message).toMatch(/ISO 8601/);
    });
  }

  it('accepts 29 February of a leap year (2024, 2000), 1900-01-01 and offsets up to ±14:00', () => {
    expectAccepted(site({ date: '2024-02-29' }));
    expectAccepted(site({ date: '2000-02-29' }));
    expectAccepted(position({ time: '2024-02-29T10:00:00Z' }));
    expectAccepted(site({ date: '1900-01-01' }));
    expectAccepted(position({ time: '2026-01-01T10:00:00+14:00' }));
    expectAccepted(position({ time: '2026-01-01T10:00:00-12:00' }));
    expectAccepted(position({ time: '2026-01-01T23:59:59.999Z' }));
  });

  it('refuses 29 February 1900 (divisible by 100, not by 400)', () => {
    expectRefused(site({ date: '1900-02-29' }), 'site.date', /February 1900 has 28 days/);
  });

  it('(property) dateProblem is undefined for every real date and date-time from 1900 to 2999', () => {
    const real = fc.date({ min: new Date('1900-01-01T00:00:00.000Z'), max: new Date('2999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(
      fc.property(real, fc.constantFrom('Z', '+00:00', '+05:30', '-14:00', '+14:00', '+0100'), (d, zone) => {
        const iso = d.toISOString();
        expect(dateProblem(iso.slice(0, 10), false)).toBeUndefined();
        expect(dateProblem(iso, true)).toBeUndefined();
        expect(dateProblem(iso, false)).toBeUndefined();
        expect(dateProblem(iso.slice(0, 19) + zone, true)).toBeUndefined();
        expect(dateProblem(iso.slice(0, 16) + zone, true)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('(property) a year-month-day is refused exactly when the calendar has no such day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const t = new Date(Date.UTC(y, m - 1, d));
        const exists = m >= 1 && m <= 12 && d >= 1 && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
        expect(dateProblem(text, false) === undefined).toBe(exists);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- text

describe('text a screen shows as stored (issue 9)', () => {
  const fields: Array<[string, (v: string) => unknown, string]> = [
    ['callsign', (v) => position({ callsign: v }), 'callsign'],
    ['threat label', (v) => threat(undefined, { label: v }), 'feature.properties.label'],
    ['haven name', (v) => haven({ name: v }), 'haven.name'],
    ['site source', (v) => site({ source: v }), 'site.source'],
    ['constraint verifiedBy', (v) => constraint({ verifiedBy: v }), 'constraint.verifiedBy'],
  ];
  const bad: Array<[string, string]> = [
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['DEL', '\u007f'],
    ['a line break', '\n'],
    ['U+202E (right-to-left override)', '\u202e'],
    ['U+2066 (left-to-right isolate)', '\u2066'],
    ['a lone surrogate', '\ud800'],
  ];
  const code = (ch: string) => `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

  for (const [fieldName, build, path] of fields) {
    for (const [charName, ch] of bad) {
      it(`refuses ${charName} in a ${fieldName}, naming the character and its position`, () => {
        const e = expectRefused(build(`abc${ch}def`), path);
        expect(e?.code).toBe('invalid');
        expect(e?.message).toContain(`${code(ch)} at position 3`);
      });
    }
    it(`accepts Arabic with U+200F (RLM), emoji and accented letters in a ${fieldName}`, () => {
      expectAccepted(build('مخيم\u200Fالأمل ٣'));
      expectAccepted(build('🚑 Ambulance 🏥 👩🏽‍⚕️'));
      expectAccepted(build('Café Zürich – Łódź, São Tomé'));
    });
  }

  it('a constraint reason (prose) accepts line breaks and tabs but not NUL or U+202E', () => {
    expectAccepted(constraint({ reason: 'Bridge down.\nDetour via the ring road.\r\n\tCheck at the gate.' }));
    expect(expectRefused(constraint({ reason: 'ok\nbad\u0000' }), 'constraint.reason')?.message).toContain('U+0000 at position 6');
    expect(expectRefused(constraint({ reason: 'abc\u202edef' }), 'constraint.reason')?.message).toContain('U+202E at position 3');
    expect(expectRefused(constraint({ reason: '\u0007' }), 'constraint.reason')?.message).toContain('U+0007 at position 0');
  });

  it('msgId refuses control characters', () => {
    for (const ch of ['\u0000', '\u0007', '\u001b', '\n', '\u009b']) {
      expect(expectRefused({ type: 'haven.remove', msgId: `m${ch}1`, id: 'hv-1' }, 'msgId')?.message).toContain(`${code(ch)} at position 1`);
      expectRefused({ type: 'ping', msgId: `${ch}` }, 'msgId');
    }
    expectAccepted({ type: 'haven.remove', msgId: 'm-1 ✓ مرحبا', id: 'hv-1' });
  });

  /** A character a line of text may not hold: C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, lone surrogates. */
  const forbidden = fc
    .oneof(
      fc.integer({ min: 0x00, max: 0x1f }),
      fc.integer({ min: 0x7f, max: 0x9f }),
      fc.integer({ min: 0x202a, max: 0x202e }),
      fc.integer({ min: 0x2066, max: 0x2069 }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
    )
    .map((c) => String.fromCharCode(c));
  const isForbidden = (s: string) => /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(s);
  const clean = fc.string({ unit: 'grapheme', maxLength: 8 }).filter((s) => !isForbidden(s) && s.length <= 28);

  it('(property) one forbidden character anywhere in any field is refused, named with its position', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), clean, forbidden, clean, ([, build, path], a, ch, b) => {
        const text = `x${a}${ch}${b}`;
        const e = expectRefused(build(text), path);
        expect(e?.message).toContain(`${code(ch)} at position ${1 + a.length}`);
      }),
      RUNS,
    );
  });

  it('(property) text of printable graphemes in any script is accepted in any field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), clean, clean, ([, build], a, b) => {
        expectAccepted(build(`x${a}${b}`));
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- havens

describe('haven occupancy (issue 9)', () => {
  it('refuses occupancy above capacity with path haven.occupancy', () => {
    const e = expectRefused(haven({ capacity: 100, occupancy: 101 }), 'haven.occupancy', /at most the capacity \(100\), got 101/);
    expect(e?.code).toBe('invalid');
    expectRefused(haven({ capacity: 0, occupancy: 1 }), 'haven.occupancy');
  });

  it('accepts occupancy equal to capacity, below it, or absent', () => {
    expectAccepted(haven({ capacity: 100, occupancy: 100 }));
    expectAccepted(haven({ capacity: 0, occupancy: 0 }));
    expectAccepted(haven({ capacity: 100, occupancy: 0 }));
    expectAccepted(haven({ capacity: 100 }));
  });

  it('(property) generated havens with occupancy raised above capacity are refused', () => {
    fc.assert(
      fc.property(commandOf['haven.upsert'], fc.integer({ min: 1, max: 1000 }), (cmd, over) => {
        fc.pre(cmd.haven.capacity + over <= 100_000_000);
        expectRefused({ ...cmd, haven: { ...cmd.haven, occupancy: cmd.haven.capacity + over } }, 'haven.occupancy');
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- feature ids

describe('threat feature.id (issue 9)', () => {
  it('refuses a number id that is negative, fractional or beyond safe integers, with path feature.id', () => {
    for (const id of [-2, 1.5, 1e308, -0.5, Number.MAX_SAFE_INTEGER + 1]) {
      const e = expectRefused(threat(undefined, {}, { id }), 'feature.id', /whole number from 0/);
      expect(e?.code).toBe('invalid');
    }
  });

  it('accepts number ids 0, 42 and MAX_SAFE_INTEGER, and string ids', () => {
    for (const id of [0, 42, Number.MAX_SAFE_INTEGER, 'tz-1', '42', 'a.b_c:d-e']) expectAccepted(threat(undefined, {}, { id }));
  });

  it('a string id that breaks the id pattern is told about letters, digits and . _ : -, not that it must be a number', () => {
    for (const id of ['-2', 'tz 1', '.hidden', 'a/b']) {
      const e = expectRefused(threat(undefined, {}, { id }), 'feature.id', /letters, digits and \. _ : -/);
      expect(e?.message).not.toMatch(/number/);
    }
  });
});

// ---------------------------------------------------------------- geometry size

/** `n` positions around a circle, closed (n + 1 positions), counter-clockwise. */
function circle(n: number, radius = 0.1, cx = 12, cy = 57): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    pts.push([cx + radius * Math.cos(a), cy + radius * Math.sin(a)]);
  }
  pts.push([pts[0][0], pts[0][1]]);
  return pts;
}

describe(`geometry size (P7, at most ${MAX_GEOMETRY_POSITIONS} positions)`, () => {
  const M = MAX_GEOMETRY_POSITIONS;
  const tooMany = new RegExp(`${M + 1} positions; at most ${M}`);

  it(`refuses a circle of ${M + 1} positions (one ring) with invalid_geometry, giving the count and the limit`, () => {
    // The same P7 reason whether the positions sit in one ring or several: a client cannot tell
    // "simplify this zone" from a malformed message otherwise.
    const r = validateCommand(threat({ type: 'Polygon', coordinates: [circle(M)] }), NOW_MS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_geometry');
    expect(r.error.message).toMatch(tooMany);
    expect(r.error.path ?? '').toMatch(/^feature\.geometry\.coordinates/);
  });

  it(`refuses a polygon of ${M + 1} positions over its outer ring and a hole with invalid_geometry`, () => {
    const outer = circle(Math.ceil((M + 1) / 2) - 1, 0.1);
    const hole = circle(Math.floor((M + 1) / 2) - 1, 0.05).reverse();
    expect(outer.length + hole.length).toBe(M + 1);
    const e = expectRefused(threat({ type: 'Polygon', coordinates: [outer, hole] }), 'feature.geometry.coordinates', tooMany, 'feature.geometry');
    expect(e?.code).toBe('invalid_geometry');
  });

  it(`refuses ${M + 2} positions over a MultiPolygon, and over the lines of a constraint`, () => {
    const half = circle(M / 2, 0.1);
    const other = circle(M / 2, 0.1, 13, 57);
    expect(expectRefused(threat({ type: 'MultiPolygon', coordinates: [[half], [other]] }), 'feature.geometry.coordinates', new RegExp(`${M + 2} positions; at most ${M}`), 'feature.geometry')?.code).toBe(
      'invalid_geometry',
    );
    const line = (dy: number) => Array.from({ length: M / 2 + 1 }, (_, i): [number, number] => [12 + i * 1e-5, 57 + dy]);
    const lines = { type: 'MultiLineString', coordinates: [line(0), line(0.01)] };
    expect(expectRefused(constraint({ geometry: lines }), 'constraint.geometry.coordinates', new RegExp(`${M + 2} positions; at most ${M}`), 'constraint.geometry')?.code).toBe(
      'invalid_geometry',
    );
  });

  it(`accepts a circle of exactly ${M} positions, and ${M} over an outer ring and a hole`, () => {
    expectAccepted(threat({ type: 'Polygon', coordinates: [circle(M - 1)] }));
    const outer = circle(M / 2 - 1, 0.1);
    const hole = circle(M / 2 - 1, 0.05).reverse();
    expectAccepted(threat({ type: 'Polygon', coordinates: [outer, hole] }));
  });

  it('refuses a 7,001-vertex self-crossing star with "crosses itself"', () => {
    // The star polygon {7001/2}: every vertex joined to the one two steps round the circle.
    const n = 7001;
    const star: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * 2 * i) / n;
      star.push([12 + 0.1 * Math.cos(a), 57 + 0.1 * Math.sin(a)]);
    }
    star.push([star[0][0], star[0][1]]);
    const e = expectRefused(threat({ type: 'Polygon', coordinates: [star] }), 'feature.geometry.coordinates', /crosses itself near \[/);
    expect(e?.code).toBe('invalid_geometry');
  });
});

describe('the fast date-time check of the hot path (property)', () => {
  const full = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;
  const slow = (v: string) => full.test(v) && dateProblem(v, true) === undefined;
  const digit = fc.constantFrom(...'0123456789');
  const d2 = fc.tuple(digit, digit).map(([a, b]) => a + b);
  const nearIso = fc
    .tuple(
      fc.tuple(d2, d2).map(([a, b]) => a + b),
      d2,
      d2,
      d2,
      d2,
      fc.option(d2),
      fc.option(fc.string({ unit: digit, maxLength: 11 })),
      fc.constantFrom('Z', '+01:00', '-14:00', '+14:30', 'z', '+0100', '', 'Zx'),
      fc.constantFrom('T', 't', ' '),
    )
    .map(([y, m, d, h, mi, s, frac, z, t]) => `${y}-${m}-${d}${t}${h}:${mi}${s === null ? '' : `:${s}${frac === null ? '' : `.${frac}`}`}${z}`);

  it('agrees with the full regular expression and dateProblem on near-ISO and arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(nearIso, fc.string(), isoTimeArb), (v) => {
        expect(isRealDateTime(v)).toBe(slow(v));
      }),
      { seed: SEED, numRuns: 20_000 },
    );
  });
});

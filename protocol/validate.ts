// Validation of every input against the shared schemas, plus the checks JSON Schema cannot express
// (closed, simple polygons; real dates; times not in the future; text a screen shows as stored).
// Returns a named reason, never throws (P5), and never walks or prints an untrusted value whole.
import { FormatRegistry, type TSchema, type Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import {
  ACCESS_CATEGORIES,
  ClientCommandSchemas,
  ConstraintInputSchema,
  LEGACY_ACCESS_CATEGORIES,
  ConvoyInputSchema,
  ConvoyStateChangeSchema,
  AlertAckSchema,
  NoticeAckSchema,
  NoticeSendSchema,
  RerouteDecisionSchema,
  RouteChoiceSchema,
  FlowInputSchema,
  HavenInputSchema,
  PlanInputSchema,
  ReportChangesSchema,
  ReportInputSchema,
  ReportReviewSchema,
  type ReportChanges,
  type ReportKind,
  ID_PATTERN,
  INPUT_SCHEMAS,
  MAX_FUTURE_SKEW_MS,
  MAX_GEOMETRY_POSITIONS,
  PositionBatchSchema,
  PositionReportSchema,
  SiteInputSchema,
  ThreatFeatureSchema,
  type ClientCommand,
  type ClientCommandType,
  type ProtocolError,
} from './messages.js';
import { transitionInputProblem } from './convoy-states.js';
import { commandKind, KINDS, type Kind } from './kinds.js';
import { findCrossing } from './simple-polygon.js';

/** Earliest year a date or time may name: older ones are typing errors (`0001`, `0026`). */
export const MIN_YEAR = 1900;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function daysIn(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Why an ISO 8601 date (`2026-11-21`) or date-time with a zone is not a real one, or undefined when
 * it is. `Date.parse` rolls `2026-02-30` over to 2 March, so each part is checked on its own.
 * @example dateProblem('2026-02-30', false) // 'February 2026 has 28 days'
 */
export function dateProblem(value: string, withTime: boolean): string | undefined {
  const m = (withTime ? ISO_DATE_TIME : ISO_DATE).exec(value) ?? (withTime ? undefined : ISO_DATE_TIME.exec(value));
  if (!m) return 'not in the ISO 8601 form';
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < MIN_YEAR) return `the year ${m[1]} is before ${MIN_YEAR}`;
  if (month < 1 || month > 12) return `there is no month ${m[2]}`;
  if (day < 1 || day > daysIn(year, month)) return `${MONTHS[month - 1]} ${year} has ${daysIn(year, month)} days`;
  if (m[4] !== undefined) {
    if (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59)) return `${m[4]}:${m[5]}${m[6] ? `:${m[6]}` : ''} is not a time of day`;
    if (m[8] !== undefined && (Number(m[8]) > 14 || Number(m[9]) > 59 || (Number(m[8]) === 14 && Number(m[9]) > 0))) {
      return 'the time zone offset is beyond ±14:00';
    }
  }
  return undefined;
}

/** Characters a line of text may not hold: controls, bidi embeddings/overrides/isolates, lone surrogates. */
const NOT_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
/** The same for prose, which may also hold line breaks and tabs. */
const NOT_IN_PROSE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/** The first character `text` may not hold, as `U+202E at position 3`, or undefined. */
function badCharacter(text: string, prose: boolean): string | undefined {
  const m = (prose ? NOT_IN_PROSE : NOT_IN_LINE).exec(text);
  if (!m) return undefined;
  return `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at position ${m.index}`;
}

/** Two digits at `i` as a number, or -1. */
function twoDigits(v: string, i: number): number {
  const a = v.charCodeAt(i) - 48;
  const b = v.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? 10 * a + b : -1;
}

/**
 * The common `YYYY-MM-DDTHH:MM[:SS[.fff…]]` then `Z` or `±HH:MM`, checked character by character with
 * no allocation: every position report with a time passes here (the hot path). Anything else, or a
 * date that is not real, goes to {@link dateProblem}.
 */
export function isRealDateTime(v: string): boolean {
  if (v.length < 17 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58) {
    return ISO_DATE_TIME.test(v) && dateProblem(v, true) === undefined;
  }
  const century = twoDigits(v, 0);
  const yy = twoDigits(v, 2);
  const month = twoDigits(v, 5);
  const day = twoDigits(v, 8);
  const hour = twoDigits(v, 11);
  const minute = twoDigits(v, 14);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  const year = 100 * century + yy;
  if (year < MIN_YEAR || day > daysIn(year, month)) return false;
  let i = 16;
  if (v.charCodeAt(i) === 58) {
    const second = twoDigits(v, i + 1);
    if (second < 0 || second > 59) return false;
    i += 3;
    if (v.charCodeAt(i) === 46) {
      let k = i + 1;
      while (k < v.length && v.charCodeAt(k) >= 48 && v.charCodeAt(k) <= 57) k++;
      if (k === i + 1 || k - i - 1 > 9) return false;
      i = k;
    }
  }
  if (v.length === i + 1 && v.charCodeAt(i) === 90) return true;
  // An offset: let the full form decide (rare on the hot path).
  return ISO_DATE_TIME.test(v) && dateProblem(v, true) === undefined;
}

FormatRegistry.Set('date-time', isRealDateTime);
FormatRegistry.Set('date-or-time', (v) => (ISO_DATE.test(v) || ISO_DATE_TIME.test(v)) && dateProblem(v, false) === undefined);
FormatRegistry.Set('line', (v) => !NOT_IN_LINE.test(v));
FormatRegistry.Set('prose', (v) => !NOT_IN_PROSE.test(v));
FormatRegistry.Set('time-zone', isTimeZone);

const knownZones = new Map<string, boolean>();
/**
 * Whether the runtime knows an IANA time-zone name (`Europe/Stockholm`, `UTC`): the notice and the
 * route card say times in it (issue 18).
 * @example isTimeZone('Africa/Khartoum') // true
 * @example isTimeZone('Mars/Olympus') // false
 */
export function isTimeZone(v: string): boolean {
  let known = knownZones.get(v);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 1000) knownZones.set(v, known);
  }
  return known;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const compiled = new Map<TSchema, TypeCheck<TSchema>>();
function compile<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
}

/** `/feature/geometry/coordinates/0` → `feature.geometry.coordinates[0]`. */
export function toFieldPath(pointer: string, prefix = ''): string {
  const parts = pointer.split('/').filter(Boolean);
  let out = prefix;
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

/**
 * A short text of an untrusted value for an error message, at most `max` characters. It looks at no
 * more of the value than it prints (a few levels, a few items), so a value nested 10,000 deep or a
 * huge array costs nothing and cannot overflow the stack (JSON.stringify would do both).
 * @example preview([[[[1]]]]) // '[[[[…]]]]'
 */
export function preview(value: unknown, max = 60): string {
  let out = '';
  const put = (text: string): boolean => {
    out += text;
    return out.length <= max;
  };
  const walk = (v: unknown, depth: number): boolean => {
    if (v === undefined) return put('nothing');
    if (v === null || typeof v === 'boolean') return put(String(v));
    if (typeof v === 'number') return put(Number.isFinite(v) ? JSON.stringify(v) : String(v));
    if (typeof v === 'string') return put(JSON.stringify(v.length > max ? v.slice(0, max) : v));
    if (typeof v !== 'object') return put(typeof v);
    if (depth >= 3) return put(Array.isArray(v) ? '[…]' : '{…}');
    if (Array.isArray(v)) {
      if (!put('[')) return false;
      for (let i = 0; i < v.length; i++) {
        if (i > 0 && !put(',')) return false;
        if (!walk(v[i], depth + 1)) return false;
      }
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      if (!first && !put(',')) return false;
      first = false;
      if (!put(`${JSON.stringify(key.slice(0, max))}:`) || !walk((v as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return put('}');
  };
  walk(value, 0);
  return out.length > max ? `${out.slice(0, max - 3)}...` : out;
}
const show = (value: unknown) => preview(value);

/** For a union, the error of the variant that came closest (deepest path, discriminator matched). */
function deepest(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union || error.errors.length === 0) return error;
  // An enum (union of literals): name every allowed value, not just the first variant's.
  const variants = (error.schema as { anyOf?: Record<string, unknown>[] }).anyOf;
  if (variants?.every((v) => 'const' in v)) return error;
  let best: ValueError | undefined;
  let bestFits = false;
  for (const iterator of error.errors) {
    const first = iterator.First();
    if (!first) continue;
    const isDiscriminatorMiss = first.type === ValueErrorType.Literal && /\/type$/.test(first.path);
    if (isDiscriminatorMiss) continue;
    const candidate = deepest(first);
    // At the same depth, the variant of the value's own kind says what is wrong with it: a string
    // id that breaks the id pattern is told about the pattern, not that it is not a number.
    const fits = kindOf(error.value) === (first.schema as { type?: string }).type;
    if (!best || candidate.path.length > best.path.length || (candidate.path.length === best.path.length && fits && !bestFits)) {
      best = candidate;
      bestFits = fits;
    }
  }
  return best ?? error;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'number' ? 'number' : typeof value;
}

function describe(error: ValueError, field: string): string {
  const s = error.schema as Record<string, unknown>;
  const name = field || 'the message';
  const got = show(error.value);
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `${name} is required`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `${name} is not a known field`;
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
      return `${name} must be ${error.type === ValueErrorType.Integer ? 'a whole number' : 'a finite number'}, got ${got}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `${name} must be at most ${s.maximum}, got ${got}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `${name} must be at least ${s.minimum}, got ${got}`;
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return `${name} must be greater than ${s.exclusiveMinimum}, got ${got}`;
    case ValueErrorType.String:
      return `${name} must be a string, got ${got}`;
    case ValueErrorType.StringMaxLength:
      return `${name} must be at most ${s.maxLength} characters long`;
    case ValueErrorType.StringMinLength:
      return `${name} must not be empty`;
    case ValueErrorType.StringPattern:
      return s.pattern === ID_PATTERN
        ? `${name} may hold only letters, digits and . _ : -, beginning with a letter or digit (got ${got})`
        : `${name} must match ${String(s.pattern)}, got ${got}`;
    case ValueErrorType.StringFormat: {
      const value = String(error.value);
      if (s.format === 'time-zone') return `${name} must be an IANA time-zone name the server knows, like Europe/Stockholm or UTC; got ${got}`;
      if (s.format === 'line' || s.format === 'prose') {
        return `${name} may not hold control characters, bidirectional embedding, override or isolate characters, or lone surrogates (${badCharacter(value, s.format === 'prose')})`;
      }
      const withTime = s.format === 'date-time';
      const form = withTime ? 'date-time with a time zone, like 2026-11-21T10:00:00Z' : 'date, like 2026-11-21';
      const why = dateProblem(value, withTime);
      return `${name} must be a real ISO 8601 ${form}, from ${MIN_YEAR} on; got ${got}${why && why !== 'not in the ISO 8601 form' ? ` (${why})` : ''}`;
    }
    case ValueErrorType.Array:
      return `${name} must be an array, got ${got}`;
    case ValueErrorType.ArrayMinItems:
      return `${name} must have at least ${s.minItems} items`;
    case ValueErrorType.ArrayMaxItems:
      return `${name} must have at most ${s.maxItems} items`;
    case ValueErrorType.Tuple:
    case ValueErrorType.TupleLength:
      return `${name} must be a [lon, lat] pair, got ${got}`;
    case ValueErrorType.Object:
      return `${name} must be an object, got ${got}`;
    case ValueErrorType.Literal:
      return `${name} must be ${show(s.const)}, got ${got}`;
    case ValueErrorType.Union: {
      const options = (s.anyOf as Record<string, unknown>[] | undefined)?.map((o) => o.const).filter((c) => c !== undefined);
      return options?.length
        ? `${name} must be one of ${options.map((o) => show(o)).join(', ')}, got ${got}`
        : `${name} does not match any accepted form, got ${got}`;
    }
    default:
      return `${name}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}, got ${got}`;
  }
}

/** Checks `value` against `schema`; the first problem comes back with its field path. */
export function checkSchema<T extends TSchema>(schema: T, value: unknown, prefix = ''): Result<Static<T>> {
  const check = compile(schema);
  if (check.Check(value)) return { ok: true, value: value as Static<T> };
  const first = check.Errors(value).First();
  if (!first) return { ok: false, error: { code: 'invalid', message: 'the message is not valid' } };
  const error = deepest(first);
  const path = toFieldPath(error.path, prefix);
  return { ok: false, error: { code: 'invalid', message: describe(error, path), path: path || undefined } };
}

// ---------------------------------------------------------------- semantic checks

type Ring = [number, number][];
function fail(code: ProtocolError['code'], message: string, path: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code, message, path } };
}

/** Positions in a geometry's coordinates (a Point has one), counted without walking more than it holds. */
function positionCount(geometry: { type: string; coordinates: unknown }): number {
  switch (geometry.type) {
    case 'Point':
      return 1;
    case 'LineString':
      return (geometry.coordinates as unknown[]).length;
    case 'Polygon':
    case 'MultiLineString':
      return (geometry.coordinates as unknown[][]).reduce((n, part) => n + part.length, 0);
    case 'MultiPolygon':
      return (geometry.coordinates as unknown[][][]).reduce((n, poly) => n + poly.reduce((m, ring) => m + ring.length, 0), 0);
    default:
      return 0;
  }
}

/** At most {@link MAX_GEOMETRY_POSITIONS} positions in all (P7). */
export function checkSize(geometry: { type: string; coordinates: unknown }, path: string): { ok: true } | { ok: false; error: ProtocolError } {
  const n = positionCount(geometry);
  if (n <= MAX_GEOMETRY_POSITIONS) return { ok: true };
  return fail(
    'invalid_geometry',
    `${path} has ${n} positions; at most ${MAX_GEOMETRY_POSITIONS} are accepted in one geometry (simplify it, or split it into several)`,
    `${path}.coordinates`,
  );
}

/** Whether a ring has at least three distinct positions; stops as soon as it has seen them. */
function enclosesArea(ring: Ring): boolean {
  const [x0, y0] = ring[0];
  let second: [number, number] | undefined;
  for (const p of ring) {
    if (p[0] === x0 && p[1] === y0) continue;
    if (!second) second = p;
    else if (p[0] !== second[0] || p[1] !== second[1]) return true;
  }
  return false;
}

/**
 * At most {@link MAX_GEOMETRY_POSITIONS} positions, rings closed and enclosing an area, and no
 * polygon crossing itself or its holes: a sweep line, O(n log n), that stops at the first crossing
 * (simple-polygon.ts). A position repeated in a row is no crossing; the geometry is kept as posted.
 */
export function checkPolygonal(
  geometry: { type: string; coordinates: unknown },
  path: string,
): { ok: true } | { ok: false; error: ProtocolError } {
  const size = checkSize(geometry, path);
  if (!size.ok) return size;
  const polygons: Ring[][] =
    geometry.type === 'Polygon'
      ? [geometry.coordinates as Ring[]]
      : geometry.type === 'MultiPolygon'
        ? (geometry.coordinates as Ring[][])
        : [];
  const multi = geometry.type === 'MultiPolygon';
  for (let p = 0; p < polygons.length; p++) {
    const rings = polygons[p];
    for (let r = 0; r < rings.length; r++) {
      const ring = rings[r];
      const ringPath = `${path}.coordinates${multi ? `[${p}]` : ''}[${r}]`;
      const a = ring[0];
      const b = ring[ring.length - 1];
      if (a[0] !== b[0] || a[1] !== b[1]) {
        return fail('invalid_geometry', `${ringPath} is not closed: its last position must repeat its first`, ringPath);
      }
      if (!enclosesArea(ring)) {
        return fail('invalid_geometry', `${ringPath} must enclose an area (at least 3 distinct positions)`, ringPath);
      }
    }
    const crossing = findCrossing(rings);
    if (crossing) {
      const [x, y] = crossing.at;
      const where = `${path}.coordinates${multi ? `[${p}]` : ''}`;
      return fail('invalid_geometry', `${where} crosses itself near [${x.toFixed(6)}, ${y.toFixed(6)}]`, where);
    }
  }
  return { ok: true };
}

/** How much earlier than midnight UTC a calendar day begins in the easternmost zone (UTC+14), ms. */
const DATE_ZONE_LEAD_MS = 14 * 3600 * 1000;

function checkNotFuture(iso: string | undefined, path: string, nowMs: number) {
  if (iso === undefined) return { ok: true as const };
  // A bare date (`2026-11-22`) is the sender's local day, which east of UTC begins before midnight
  // UTC: judge it by the earliest instant it begins anywhere (P6), so today's date is never "future".
  const t = ISO_DATE.test(iso) ? Date.parse(iso) - DATE_ZONE_LEAD_MS : Date.parse(iso);
  if (t > nowMs + MAX_FUTURE_SKEW_MS) {
    return fail(
      'time_in_future',
      `${path} is ${Math.round((t - nowMs) / 60000)} minutes ahead of the server's clock (at most ${MAX_FUTURE_SKEW_MS / 60000} allowed)`,
      path,
    );
  }
  return { ok: true as const };
}

type Checked<T> = Result<T>;
const chain = <T>(value: T, ...steps: Array<{ ok: true } | { ok: false; error: ProtocolError }>): Checked<T> => {
  for (const step of steps) if (!step.ok) return step;
  return { ok: true, value };
};

// ---------------------------------------------------------------- per-kind validators

export function validatePosition(raw: unknown, nowMs: number, prefix = '') {
  const r = checkSchema(PositionReportSchema, raw, prefix);
  if (!r.ok) return r;
  return chain(r.value, checkNotFuture(r.value.time, join(prefix, 'time'), nowMs));
}

/** One report or an array of them (HTTP `POST /api/positions`). */
export function validatePositionBatch(raw: unknown, nowMs: number) {
  const list = Array.isArray(raw) ? raw : [raw];
  if (Array.isArray(raw)) {
    const r = checkSchema(PositionBatchSchema, raw);
    if (!r.ok) return r;
  }
  for (let i = 0; i < list.length; i++) {
    const r = validatePosition(list[i], nowMs, Array.isArray(raw) ? `[${i}]` : '');
    if (!r.ok) return r;
  }
  return { ok: true as const, value: list as Static<typeof PositionReportSchema>[] };
}

export function validateThreat(raw: unknown, nowMs: number, prefix = '') {
  const r = checkSchema(ThreatFeatureSchema, raw, prefix);
  if (!r.ok) return r;
  const f = r.value;
  const geometryPath = join(prefix, 'geometry');
  if (f.geometry.type === 'Point' && f.properties.radius_m === undefined) {
    const path = join(prefix, 'properties.radius_m');
    return fail('invalid', `${path} is required when the geometry is a Point`, path);
  }
  void nowMs; // an expiry already in the past is allowed: the zone is accepted and expires at once
  return chain(f, checkFeatureId(f.id, join(prefix, 'id')), checkPolygonal(f.geometry, geometryPath));
}

/**
 * A GeoJSON feature id that is a number names the zone by its decimal text, so it must be one that
 * text can name everywhere else (`DELETE /api/threats/42`): a whole number from 0. `-2` or `1e308`
 * would be stored as `"-2"` or `"1e+308"`, ids the rest of the interface refuses (issue 9).
 */
function checkFeatureId(id: string | number | undefined, path: string) {
  if (typeof id !== 'number' || (Number.isSafeInteger(id) && id >= 0)) return { ok: true as const };
  return fail('invalid', `${path} must be a string id or a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${show(id)}`, path);
}

export function validateHaven(raw: unknown, prefix = '') {
  const r = checkSchema(HavenInputSchema, raw, prefix);
  if (!r.ok) return r;
  const h = r.value;
  if (h.occupancy !== undefined && h.occupancy > h.capacity) {
    const path = join(prefix, 'occupancy');
    return fail('invalid', `${path} must be at most the capacity (${h.capacity}), got ${h.occupancy}; raise capacity if the haven holds more`, path);
  }
  return r;
}

export function validateSite(raw: unknown, nowMs: number, prefix = '') {
  const r = checkSchema(SiteInputSchema, raw, prefix);
  if (!r.ok) return r;
  return chain(r.value, checkNotFuture(r.value.date, join(prefix, 'date'), nowMs));
}

export function validateFlow(raw: unknown, nowMs: number, prefix = '') {
  const r = checkSchema(FlowInputSchema, raw, prefix);
  if (!r.ok) return r;
  return chain(r.value, checkNotFuture(r.value.date, join(prefix, 'date'), nowMs));
}

/**
 * A constraint's category before its schema: one of the nine indicators passes; the earlier list's
 * `bureaucratic` is read as the indicator it counts under; anything else is refused naming the nine.
 */
function readCategory(raw: unknown, prefix: string): Result<unknown> {
  const category = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>).category : undefined;
  if (typeof category !== 'string' || ACCESS_CATEGORIES.some((c) => c.code === category)) return { ok: true, value: raw };
  if (category === 'bureaucratic') return { ok: true, value: { ...(raw as Record<string, unknown>), category: LEGACY_ACCESS_CATEGORIES.bureaucratic } };
  const path = join(prefix, 'category');
  return fail('invalid', `${path} must be one of the nine access-constraint indicators: ${ACCESS_CATEGORIES.map((c) => c.code).join(', ')}; got ${JSON.stringify(category).slice(0, 60)}`, path);
}

export function validateConstraint(raw: unknown, nowMs: number, prefix = '') {
  const read = readCategory(raw, prefix);
  if (!read.ok) return read;
  raw = read.value;
  const r = checkSchema(ConstraintInputSchema, raw, prefix);
  if (!r.ok) return r;
  return chain(
    r.value,
    checkNotFuture(r.value.verifiedAt, join(prefix, 'verifiedAt'), nowMs),
    checkPolygonal(r.value.geometry, join(prefix, 'geometry')),
  );
}

/**
 * A convoy: the schema, then what it cannot say: people by group need the plan and add up to `people`,
 * a movement window ends after it starts, a convoy does not follow itself.
 * @example validateConvoy({ name: 'A', origin: [0, 0], destination: 'nearest-haven', peopleByGroup: { medical: 3 } })
 *   // { ok: false, error: { code: 'invalid', path: 'planId', ... } }
 */
export function validateConvoy(raw: unknown, prefix = '') {
  const r = checkSchema(ConvoyInputSchema, raw, prefix);
  if (!r.ok) return r;
  const c = r.value;
  if (c.peopleByGroup !== undefined) {
    if (c.planId === undefined) {
      const path = join(prefix, 'planId');
      return fail('invalid', `${path} is required with peopleByGroup: the groups are the plan's`, path);
    }
    const sum = Object.values(c.peopleByGroup).reduce((a, b) => a + b, 0);
    if (c.people !== undefined && c.people !== sum) {
      const path = join(prefix, 'people');
      return fail('invalid', `${path} must be the sum of peopleByGroup (${sum}), got ${c.people}; or leave it out`, path);
    }
  }
  if (c.window !== undefined && Date.parse(c.window.until) <= Date.parse(c.window.from)) {
    const path = join(prefix, 'window.until');
    return fail('invalid', `${path} must be after window.from (${c.window.from}), got ${c.window.until}`, path);
  }
  if (c.after !== undefined && c.id !== undefined && c.after === c.id) {
    const path = join(prefix, 'after');
    return fail('invalid', `${path} names the convoy itself ("${c.id}"); name the convoy it leaves after`, path);
  }
  return r;
}

/**
 * An evacuation plan: the schema, then target group ids and havens each named once.
 * @example validatePlan({ name: 'P', targetGroups: [{ id: 'a', name: 'A' }, { id: 'a', name: 'B' }] })
 *   // { ok: false, error: { code: 'invalid', path: 'targetGroups[1].id', ... } }
 */
export function validatePlan(raw: unknown, prefix = '') {
  const r = checkSchema(PlanInputSchema, raw, prefix);
  if (!r.ok) return r;
  const seen = new Set<string>();
  for (const [i, g] of r.value.targetGroups.entries()) {
    if (seen.has(g.id)) {
      const path = join(prefix, `targetGroups[${i}].id`);
      return fail('invalid', `${path} "${g.id}" names a target group twice; each group needs its own id`, path);
    }
    seen.add(g.id);
  }
  const havens = new Set<string>();
  for (const [i, h] of (r.value.havenIds ?? []).entries()) {
    if (havens.has(h)) {
      const path = join(prefix, `havenIds[${i}]`);
      return fail('invalid', `${path} "${h}" is named twice`, path);
    }
    havens.add(h);
  }
  return r;
}

/**
 * A change of a convoy's state (`POST /api/convoys/:id/state`): the schema, then what its target
 * needs (a reason for holding and aborted, the condition to resume for holding, P20).
 * @example validateConvoyStateChange({ to: 'holding', reason: 'bridge out' }) // { ok: false, error: { code: 'invalid', path: 'resumeWhen', ... } }
 */
export function validateConvoyStateChange(raw: unknown, prefix = '') {
  const r = checkSchema(ConvoyStateChangeSchema, raw, prefix);
  if (!r.ok) return r;
  const missing = transitionInputProblem(r.value.to, r.value, prefix);
  return missing ? { ok: false as const, error: missing } : r;
}

/** A planner's choice of a re-route proposal's route (`POST /api/convoys/:id/reroute`) (P22). */
export function validateRerouteDecision(raw: unknown, prefix = '') {
  return checkSchema(RerouteDecisionSchema, raw, prefix);
}

/** A planner's choice of a planned or approved convoy's route (`POST /api/convoys/:id/route`). */
export function validateRouteChoice(raw: unknown, prefix = '') {
  return checkSchema(RouteChoiceSchema, raw, prefix);
}

/** An acknowledgement of an alert (`POST /api/alerts/:id/ack`): an optional remark (P21). */
export function validateAlertAck(raw: unknown, prefix = '') {
  return checkSchema(AlertAckSchema, raw, prefix);
}

/** A deconfliction notice sent (`POST /api/convoys/:id/notice/send`, issue 18): optionally which version. */
export function validateNoticeSend(raw: unknown, prefix = '') {
  return checkSchema(NoticeSendSchema, raw, prefix);
}

/** A party's acknowledgement of a notice (`POST /api/convoys/:id/notice/acknowledge`): who, and a remark. */
export function validateNoticeAck(raw: unknown, prefix = '') {
  const r = checkSchema(NoticeAckSchema, raw, prefix);
  if (r.ok && r.value.by.trim() === '') return fail('invalid', `${join(prefix, 'by')} must name who acknowledged the notice`, join(prefix, 'by'));
  return r;
}

/** Which fields of a report's form each kind has; the others are refused (issue 15). */
const REPORT_FIELDS: Record<ReportKind, { required: readonly (keyof ReportChanges)[]; allowed: readonly (keyof ReportChanges)[] }> = {
  'road-blocked': { required: [], allowed: ['at', 'text'] },
  checkpoint: { required: [], allowed: ['at', 'text'] },
  incident: { required: ['casualties'], allowed: ['at', 'text', 'casualties'] },
  needs: { required: ['needs'], allowed: ['at', 'text', 'needs'] },
  displaced: { required: ['people'], allowed: ['at', 'text', 'people'] },
  note: { required: ['text'], allowed: ['at', 'text'] },
};

/**
 * The fields of a report of this kind: those its form has, and those it needs. `changes` are a
 * review's corrections (none required then).
 */
export function reportFormProblem(kind: ReportKind, fields: ReportChanges, prefix: string, changes = false): ProtocolError | undefined {
  const form = REPORT_FIELDS[kind];
  for (const key of Object.keys(ReportChangesSchema.properties) as (keyof ReportChanges)[]) {
    if (fields[key] === undefined || form.allowed.includes(key)) continue;
    const path = join(prefix, key);
    return { code: 'invalid', message: `${path} is not a field of the ${kind} report form (its fields: ${form.allowed.join(', ')})`, path };
  }
  if (changes) return undefined;
  for (const key of form.required) {
    const value = fields[key];
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
      const path = join(prefix, key);
      return { code: 'invalid', message: `${path} is required in the ${kind} report form`, path };
    }
  }
  return undefined;
}

/** A field unit's report (issue 15): the schema, then its kind's form, then a time not ahead of ours. */
export function validateReport(raw: unknown, nowMs: number, prefix = '') {
  const r = checkSchema(ReportInputSchema, raw, prefix);
  if (!r.ok) return r;
  const form = reportFormProblem(r.value.kind, r.value, prefix);
  if (form) return { ok: false as const, error: form };
  return chain(r.value, checkNotFuture(r.value.time, join(prefix, 'time'), nowMs));
}

/** An analyst's review of a report (`POST /api/reports/:id/review`). */
export function validateReportReview(raw: unknown, prefix = '') {
  return checkSchema(ReportReviewSchema, raw, prefix);
}

/**
 * Each kind's validator of what a client posts (kinds.ts): the schema, then the checks it cannot
 * express. `prefix` is the field the entity sits in (`feature` on the WebSocket, nothing on HTTP).
 */
export const KIND_VALIDATORS: { [K in Kind]: (raw: unknown, nowMs: number, prefix?: string) => Result<Static<(typeof INPUT_SCHEMAS)[K]>> } = {
  threat: (raw, nowMs, prefix) => validateThreat(raw, nowMs, prefix),
  haven: (raw, _nowMs, prefix) => validateHaven(raw, prefix),
  site: (raw, nowMs, prefix) => validateSite(raw, nowMs, prefix),
  flow: (raw, nowMs, prefix) => validateFlow(raw, nowMs, prefix),
  constraint: (raw, nowMs, prefix) => validateConstraint(raw, nowMs, prefix),
  convoy: (raw, _nowMs, prefix) => validateConvoy(raw, prefix),
  plan: (raw, _nowMs, prefix) => validatePlan(raw, prefix),
  report: (raw, nowMs, prefix) => validateReport(raw, nowMs, prefix),
};

/**
 * What the schema of an import (issue 17) cannot say: no date ahead of the server's clock (P6), and
 * each id once, so one item of an import never overwrites another of the same import.
 */
export function importProblem(cmd: Extract<ClientCommand, { type: 'sites.import' }>, nowMs: number): { ok: true } | { ok: false; error: ProtocolError } {
  const lists = [['sites', cmd.sites] as const, ['flows', cmd.flows ?? []] as const];
  for (const [field, items] of lists) {
    const ids = new Set<string>();
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const t = checkNotFuture(item.date, `${field}[${i}].date`, nowMs);
      if (!t.ok) return t;
      if (item.id === undefined) continue;
      if (ids.has(item.id)) return fail('invalid', `${field}[${i}].id: "${item.id}" is given twice in this import; each item once`, `${field}[${i}].id`);
      ids.add(item.id);
    }
  }
  return { ok: true };
}

function join(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

/**
 * Validates one WebSocket command: its `type` picks the schema, then the semantic checks run.
 * @example validateCommand({ type: 'position', msgId: 'm1', unitId: 'u1', lon: 12, lat: 91 }, Date.now())
 *   // → { ok: false, error: { code: 'invalid', path: 'lat', message: 'lat must be at most 90, got 91' } }
 */
export function validateCommand(raw: unknown, nowMs: number): Result<ClientCommand> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('invalid', `the message must be a JSON object, got ${show(raw)}`, '');
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') return fail('invalid', 'type is required and must be a string', 'type');
  if (!Object.hasOwn(ClientCommandSchemas, type)) {
    return fail(
      'unknown_type',
      `type ${show(type)} is not a known message type (known: ${Object.keys(ClientCommandSchemas).join(', ')})`,
      'type',
    );
  }
  const kind = type as ClientCommandType;
  if (kind === 'constraint.upsert') {
    const posted = (raw as { constraint?: unknown }).constraint;
    const read = readCategory(posted, 'constraint');
    if (!read.ok) return read;
    if (read.value !== posted) raw = { ...(raw as Record<string, unknown>), constraint: read.value };
  }
  const r = checkSchema(ClientCommandSchemas[kind], raw);
  if (!r.ok) return r;
  const cmd = r.value as ClientCommand;
  const semantic = (() => {
    switch (cmd.type) {
      case 'position':
        return checkNotFuture(cmd.time, 'time', nowMs);
      case 'positions': {
        for (let i = 0; i < cmd.reports.length; i++) {
          const t = checkNotFuture(cmd.reports[i].time, `reports[${i}].time`, nowMs);
          if (!t.ok) return t;
        }
        return { ok: true as const };
      }
      case 'convoy.state': {
        const missing = transitionInputProblem(cmd.to, cmd);
        return missing ? { ok: false as const, error: missing } : { ok: true as const };
      }
      case 'sites.import':
        return importProblem(cmd, nowMs);
      default: {
        // An upsert of any kind: its posted entity passes the kind's own checks too.
        const ck = commandKind(cmd.type);
        if (ck?.op !== 'upsert') return { ok: true as const };
        const input = KINDS[ck.kind].input;
        return KIND_VALIDATORS[ck.kind]((cmd as unknown as Record<string, unknown>)[input], nowMs, input);
      }
    }
  })();
  if (!semantic.ok) return semantic;
  return { ok: true, value: cmd };
}

// Validation of every input against the shared schemas, plus the checks JSON Schema cannot express
// (closed, simple polygons; times not in the future). Returns a named reason, never throws (P5).
import { FormatRegistry, type TSchema, type Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { kinks } from '@turf/turf';
import {
  ClientCommandSchemas,
  ConstraintInputSchema,
  ConvoyInputSchema,
  FlowInputSchema,
  HavenInputSchema,
  MAX_FUTURE_SKEW_MS,
  PositionBatchSchema,
  PositionReportSchema,
  SiteInputSchema,
  ThreatFeatureSchema,
  type ClientCommand,
  type ClientCommandType,
  type ProtocolError,
} from './messages.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
}
if (!FormatRegistry.Has('date-or-time')) {
  FormatRegistry.Set('date-or-time', (v) => (ISO_DATE.test(v) || ISO_DATE_TIME.test(v)) && !Number.isNaN(Date.parse(v)));
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

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** For a union, the error of the variant that came closest (deepest path, discriminator matched). */
function deepest(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union || error.errors.length === 0) return error;
  // An enum (union of literals): name every allowed value, not just the first variant's.
  const variants = (error.schema as { anyOf?: Record<string, unknown>[] }).anyOf;
  if (variants?.every((v) => 'const' in v)) return error;
  let best: ValueError | undefined;
  for (const iterator of error.errors) {
    const first = iterator.First();
    if (!first) continue;
    const isDiscriminatorMiss = first.type === ValueErrorType.Literal && /\/type$/.test(first.path);
    if (isDiscriminatorMiss) continue;
    const candidate = deepest(first);
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best ?? error;
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
      return `${name} may hold only letters, digits and . _ : - (got ${got})`;
    case ValueErrorType.StringFormat:
      return `${name} must be an ISO 8601 ${s.format === 'date-time' ? 'date-time with a time zone, like 2026-11-21T10:00:00Z' : 'date, like 2026-11-21'}, got ${got}`;
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

/** A ring without positions equal to the one before them. */
function withoutRepeats(ring: Ring): Ring {
  return ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1]);
}

/** Rings closed, and no polygon crossing itself (turf.kinks). */
export function checkPolygonal(
  geometry: { type: string; coordinates: unknown },
  path: string,
): { ok: true } | { ok: false; error: ProtocolError } {
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
      const distinct = new Set(ring.map(([x, y]) => `${x},${y}`));
      if (distinct.size < 3) {
        return fail('invalid_geometry', `${ringPath} must enclose an area (at least 3 distinct positions)`, ringPath);
      }
    }
    // A position repeated in a row (common in GIS exports) is not a crossing, but turf.kinks reports
    // one there; compare without such repeats. The geometry itself is kept as posted.
    const found = kinks({ type: 'Polygon', coordinates: rings.map(withoutRepeats) });
    if (found.features.length > 0) {
      const [x, y] = found.features[0].geometry.coordinates;
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
  return chain(f, checkPolygonal(f.geometry, geometryPath));
}

export function validateHaven(raw: unknown, prefix = '') {
  const r = checkSchema(HavenInputSchema, raw, prefix);
  if (!r.ok) return r;
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

export function validateConstraint(raw: unknown, nowMs: number, prefix = '') {
  const r = checkSchema(ConstraintInputSchema, raw, prefix);
  if (!r.ok) return r;
  return chain(
    r.value,
    checkNotFuture(r.value.verifiedAt, join(prefix, 'verifiedAt'), nowMs),
    checkPolygonal(r.value.geometry, join(prefix, 'geometry')),
  );
}

export function validateConvoy(raw: unknown, prefix = '') {
  return checkSchema(ConvoyInputSchema, raw, prefix);
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
      case 'threat.upsert':
        return validateThreat(cmd.feature, nowMs, 'feature');
      case 'site.upsert':
        return validateSite(cmd.site, nowMs, 'site');
      case 'flow.upsert':
        return validateFlow(cmd.flow, nowMs, 'flow');
      case 'constraint.upsert':
        return validateConstraint(cmd.constraint, nowMs, 'constraint');
      default:
        return { ok: true as const };
    }
  })();
  if (!semantic.ok) return semantic;
  return { ok: true, value: cmd };
}

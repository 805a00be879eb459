// Fuzzed inputs (test/fuzz): valid commands with one part broken, random JSON, garbage bytes and deep
// nestings, as text or bytes ready to send. Used by the short fuzz test and by `npm run fuzz`.
import fc from 'fast-check';
import { anyCommand } from '../protocol/arbitraries.js';

type Json = unknown;

/** Every path into a JSON value (keys and indexes), the root included. */
function paths(value: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(value)) value.slice(0, 8).forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

/** `value` with the part at `path` replaced by `replacement`, or removed when it is undefined. */
function replaced(value: Json, path: Array<string | number>, replacement: Json): Json {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, Json>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** Values that break fields in interesting ways. */
const breaker: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(undefined, null, true, -1, 0, 1e308, -1e308, 91, 181, '', 'NaN', '2026-02-30', '0001-01-01T00:00:00Z', 'constructor', '__proto__', '\u202e', '\u0000', '\ud800', [], {}, [[[[[]]]]]),
  fc.anything({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
);

/** A valid command with one part replaced or removed. */
const brokenCommand = anyCommand.chain((cmd) => {
  const all = paths(cmd);
  return fc.tuple(fc.constantFrom(...all), breaker).map(([path, value]) => JSON.stringify(replaced(cmd, path, value)) ?? 'undefined');
});

/** One fuzzed message: text, or bytes that need not be UTF-8. */
export const fuzzMessage: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 5, arbitrary: brokenCommand },
  { weight: 2, arbitrary: anyCommand.map((c) => JSON.stringify(c)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: brokenCommand.chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((n) => t.slice(0, n))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((d) => `{"type":"position","msgId":"d","unitId":"u","lon":${'['.repeat(d)}1${']'.repeat(d)},"lat":0}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
);

/** A fuzzed HTTP request: a path of the API, a method and a body. */
export const fuzzRequest = fc.record({
  path: fc.constantFrom('/api/positions', '/api/threats', '/api/havens', '/api/sites', '/api/flows', '/api/constraints', '/api/convoys', '/api/threats/x', '/api/nowhere'),
  method: fc.constantFrom('POST', 'POST', 'POST', 'DELETE', 'PUT'),
  body: fc.oneof(fuzzMessage, brokenCommand.map((t) => {
    try {
      const v = JSON.parse(t) as Record<string, Json>;
      return JSON.stringify(v.feature ?? v.haven ?? v.site ?? v.flow ?? v.constraint ?? v.convoy ?? v.reports ?? v);
    } catch {
      return t;
    }
  })),
});

/** Error codes of the contract: a fuzzed input is answered with one of these, never anything else. */
export const CONTRACT_CODES = new Set([
  'bad_json', 'invalid', 'invalid_geometry', 'time_in_future', 'payload_too_large', 'unknown_type', 'unauthorized', 'forbidden',
  'not_found', 'invalid_transition', 'no_safe_route', 'off_network', 'conflict', 'rate_limited', 'too_many_connections', 'headers_too_large', 'timeout', 'unavailable',
]);

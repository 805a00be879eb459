// Reading one message's bytes (server/gateway): size (P7), JSON, and nesting depth. Every carrier of
// JSON (WebSocket, HTTP bodies, later an offline queue or an import) reads through here.
import type { ProtocolError } from '@corridor/protocol';
import { MAX_MESSAGE_BYTES } from '@corridor/protocol';

/**
 * Deepest nesting of arrays and objects a message may have (P7). The deepest real message, a
 * MultiPolygon threat zone on the WebSocket, nests 7 deep; anything far deeper is an attack on the
 * code that walks it (a `lon` that is an array nested 10,000 deep overflowed the stack, issue 9).
 */
export const MAX_NESTING = 16;

export type Parsed = { ok: true; value: unknown } | { ok: false; error: ProtocolError };

/**
 * Depth of the deepest array or object in JSON text, counting no further than `limit + 1`; brackets
 * inside strings do not count. Linear, no allocation.
 * @example nestingDepth('{"a":[[1]],"b":"[[["}', 16) // 3
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return deepest;
}

/**
 * How many `[` and `{` the text holds, counting no further than `limit + 1`: an upper bound of its
 * nesting depth that native `indexOf` finds quickly (a position report has one), so the exact scan
 * runs only on messages that might nest deeper than the limit.
 */
function openings(text: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf('['); i >= 0 && n <= limit; i = text.indexOf('[', i + 1)) n++;
  for (let i = text.indexOf('{'); i >= 0 && n <= limit; i = text.indexOf('{', i + 1)) n++;
  return n;
}

/** Whether text holds only JSON whitespace (or nothing), without copying it. */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

/** The `msgId` of an oversized or unparsable message, read from its first bytes, when it has one. */
export function sniffMsgId(text: string): string | undefined {
  const m = /"msgId"\s*:\s*"((?:[^"\\]|\\.){1,128})"/.exec(text.slice(0, 4096));
  if (!m) return undefined;
  try {
    // As the sender wrote it, escapes read (`a\"b` is `a"b`), so it can match its own msgId (P8).
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return m[1];
  }
}

/**
 * Parses one message: at most {@link MAX_MESSAGE_BYTES} bytes (P7), JSON (bytes that are not UTF-8
 * read as U+FFFD, never a crash), nested at most {@link MAX_NESTING} deep, not empty.
 * @example parseMessage('{"type":"ping"}') // { ok: true, value: { type: 'ping' } }
 */
export function parseMessage(data: Buffer | string, what = 'the message'): Parsed {
  const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
  if (size > MAX_MESSAGE_BYTES) {
    return { ok: false, error: { code: 'payload_too_large', message: `${what} is ${size} bytes; at most ${MAX_MESSAGE_BYTES} are accepted (P7)`, path: '' } };
  }
  const text = typeof data === 'string' ? data : data.toString('utf8');
  if (isBlank(text)) return { ok: false, error: { code: 'bad_json', message: `${what} is empty; a JSON value is expected`, path: '' } };
  if (openings(text, MAX_NESTING) > MAX_NESTING && nestingDepth(text, MAX_NESTING) > MAX_NESTING) {
    return { ok: false, error: { code: 'invalid', message: `${what} nests arrays and objects more than ${MAX_NESTING} deep (P7)`, path: '' } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: { code: 'bad_json', message: `${what} is not JSON: ${(err as Error).message.slice(0, 200)}`, path: '' } };
  }
}

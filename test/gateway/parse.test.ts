// Tests of reading one message's bytes (server/gateway/parse.ts): nesting depth, size (P7), JSON and msgId sniffing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, nestingDepth, parseMessage, sniffMsgId } from '../../server/gateway/parse.js';
import { MAX_MESSAGE_BYTES } from '@corridor/protocol';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`gateway parse property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);
const RUNS = { seed: SEED, numRuns: 300 };
/** Any UTF-16 text, lone surrogates included (cheaper than fc.string({ unit: 'binary' }), which takes ~2 s to set up). */
const utf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((codes) => String.fromCharCode(...codes));

/** The depth of the deepest array or object, computed on the value itself (a primitive is 0). */
function trueDepth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
  let deepest = 0;
  for (const c of children) deepest = Math.max(deepest, trueDepth(c));
  return 1 + deepest;
}

/** Strings full of the characters a naive bracket counter trips on: brackets, quotes, backslashes. */
const tricky = fc.oneof(
  fc.string(),
  fc.constantFrom('[', ']', '{', '}', '"', '\\', '\\"', '"]', '[[[{', '\\\\"[', '}]', '\\u005b', '\n'),
  fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ':', ',', '\u0000', '\u2028') }),
);

/** A deliberately deep value: up to 40 levels of arrays and objects, with tricky strings beside each level. */
const level = fc.record({ kind: fc.constantFrom('array', 'object'), key: tricky, sibling: fc.option(tricky) });
const deepValue = fc
  .tuple(
    fc.integer({ min: 0, max: 40 }).chain((n) => fc.array(level, { minLength: n, maxLength: n })),
    fc.oneof(fc.jsonValue({ maxDepth: 3 }), tricky),
  )
  .map(([steps, leaf]) =>
    steps.reduceRight<unknown>((inner, s) => {
      if (s.kind === 'array') return s.sibling === null ? [inner] : [s.sibling, inner, s.sibling];
      return s.sibling === null ? { [s.key]: inner } : { [s.key]: inner, [`${s.key}~`]: s.sibling };
    }, leaf),
  );

const anyJson = fc.oneof(fc.jsonValue(), deepValue);

/** `depth` arrays one inside the other around `leaf`. */
const nestedArrays = (depth: number, leaf = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth);

describe('nestingDepth (property)', () => {
  it('equals the depth of the value for any JSON text, brackets inside strings not counted', () => {
    fc.assert(
      fc.property(anyJson, (v) => {
        expect(nestingDepth(JSON.stringify(v), 1000)).toBe(trueDepth(v));
      }),
      RUNS,
    );
  });

  it('counts no further than limit + 1: min(depth, limit + 1)', () => {
    fc.assert(
      fc.property(anyJson, fc.integer({ min: 0, max: 45 }), (v, limit) => {
        const depth = trueDepth(v);
        const got = nestingDepth(JSON.stringify(v), limit);
        expect(got).toBe(Math.min(depth, limit + 1));
        if (depth > limit) expect(got).toBe(limit + 1);
      }),
      RUNS,
    );
  });
});

describe('nestingDepth: named cases', () => {
  it('the generator of deep values does reach beyond MAX_NESTING (else the properties prove little)', () => {
    const depths = fc.sample(deepValue, { seed: SEED, numRuns: 300 }).map(trueDepth);
    expect(Math.max(...depths)).toBeGreaterThan(30);
    expect(depths.filter((d) => d > MAX_NESTING).length).toBeGreaterThan(30);
  });

  it('the TSDoc example: 3, the brackets in "[[[" not counted', () => {
    expect(nestingDepth('{"a":[[1]],"b":"[[["}', 16)).toBe(3);
  });

  it('an escaped quote does not end the string; an escaped backslash does not escape the quote after it', () => {
    expect(nestingDepth(JSON.stringify({ a: 'x\\"[[[[' }), 16)).toBe(1);
    expect(nestingDepth(JSON.stringify(['\\', [[1]]]), 16)).toBe(3);
    expect(nestingDepth(JSON.stringify(['"', '\\"', ['[']]), 16)).toBe(2);
  });

  it('stops at limit + 1 on a text nested 10,000 deep', () => {
    expect(nestingDepth(nestedArrays(10_000), 16)).toBe(17);
    expect(nestingDepth(nestedArrays(16), 16)).toBe(16);
    expect(nestingDepth('1', 16)).toBe(0);
  });
});

describe('parseMessage (P7)', () => {
  it('refuses an empty or whitespace-only body with bad_json saying it is empty', () => {
    for (const body of ['', ' ', '\n\t\r  ', Buffer.alloc(0), Buffer.from('  \n')]) {
      const r = parseMessage(body);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('bad_json');
      expect(r.error.message).toMatch(/empty/);
    }
  });

  it('names what it reads in its messages', () => {
    const r = parseMessage('', 'the request body');
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_json' } });
    if (!r.ok) expect(r.error.message).toMatch(/^the request body is empty/);
  });

  it('P7: refuses a body over MAX_MESSAGE_BYTES with payload_too_large, counting bytes not characters', () => {
    const tooBig = `"${'x'.repeat(MAX_MESSAGE_BYTES - 1)}"`; // MAX + 1 bytes
    for (const body of [tooBig, Buffer.from(tooBig)]) {
      const r = parseMessage(body);
      expect(r).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
      if (!r.ok) expect(r.error.message).toContain(String(MAX_MESSAGE_BYTES));
    }
    // 'é' is 2 bytes in UTF-8: fewer characters than the limit, more bytes.
    const wide = `"${'é'.repeat(MAX_MESSAGE_BYTES / 2)}"`;
    expect(wide.length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(parseMessage(wide)).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  });

  it('P7: accepts a body of exactly MAX_MESSAGE_BYTES', () => {
    const exact = `"${'x'.repeat(MAX_MESSAGE_BYTES - 2)}"`;
    expect(Buffer.byteLength(exact)).toBe(MAX_MESSAGE_BYTES);
    const r = parseMessage(exact);
    expect(r.ok).toBe(true);
  });

  it('issue 9: a 20 KB message whose lon is an array nested 10,000 deep is invalid (nesting), without throwing', () => {
    const text = `{"type":"position","msgId":"m1","unitId":"u1","lon":${nestedArrays(10_000, '12')},"lat":57}`;
    expect(text.length).toBeGreaterThan(20_000);
    let r: ReturnType<typeof parseMessage> | undefined;
    expect(() => {
      r = parseMessage(text);
    }).not.toThrow();
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid', path: '' } });
    if (r && !r.ok) expect(r.error.message).toMatch(new RegExp(`more than ${MAX_NESTING} deep`));
  });

  it(`P7: accepts nesting of exactly MAX_NESTING (${MAX_NESTING}) and refuses MAX_NESTING + 1`, () => {
    expect(parseMessage(nestedArrays(MAX_NESTING))).toEqual({ ok: true, value: JSON.parse(nestedArrays(MAX_NESTING)) });
    expect(parseMessage(nestedArrays(MAX_NESTING + 1))).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // The object around the field counts as a level too.
    const inObject = (depth: number) => `{"lon":${nestedArrays(depth - 1)}}`;
    expect(parseMessage(inObject(MAX_NESTING)).ok).toBe(true);
    expect(parseMessage(inObject(MAX_NESTING + 1))).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // The shortest text that is too deep.
    expect(parseMessage('['.repeat(MAX_NESTING + 1) + ']'.repeat(MAX_NESTING + 1))).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('reads bytes that are not UTF-8 as bad_json, never a throw', () => {
    for (const bytes of [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0x7b, 0x80, 0x7d])]) {
      let r: ReturnType<typeof parseMessage> | undefined;
      expect(() => {
        r = parseMessage(bytes);
      }).not.toThrow();
      expect(r).toMatchObject({ ok: false, error: { code: 'bad_json' } });
    }
    // Inside a string, a bad byte reads as U+FFFD and the message is still JSON.
    expect(parseMessage(Buffer.from([0x22, 0xff, 0x22]))).toEqual({ ok: true, value: '\ufffd' });
  });

  it('refuses text that is not JSON with bad_json', () => {
    for (const text of ['{', '{"a":1', 'nope', '[1,]', "{'a':1}"]) {
      expect(parseMessage(text)).toMatchObject({ ok: false, error: { code: 'bad_json' } });
    }
  });

  it('returns the value of valid JSON, from a string or a Buffer', () => {
    expect(parseMessage('{"type":"ping"}')).toEqual({ ok: true, value: { type: 'ping' } });
    expect(parseMessage(Buffer.from('{"type":"ping","msgId":"é"}'))).toEqual({ ok: true, value: { type: 'ping', msgId: 'é' } });
    expect(parseMessage(' 42 ')).toEqual({ ok: true, value: 42 });
  });

  it('(property) any JSON value comes back equal when at most MAX_NESTING deep, else invalid', () => {
    fc.assert(
      fc.property(anyJson, (v) => {
        const text = JSON.stringify(v);
        const r = parseMessage(text);
        if (trueDepth(v) <= MAX_NESTING) expect(r).toEqual({ ok: true, value: JSON.parse(text) });
        else expect(r).toMatchObject({ ok: false, error: { code: 'invalid' } });
      }),
      RUNS,
    );
  });

  it('(property) never throws on arbitrary bytes or text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), utf16), (data) => {
        const r = parseMessage(data);
        if (!r.ok) expect(['bad_json', 'invalid']).toContain(r.error.code);
      }),
      RUNS,
    );
  });
});

describe('sniffMsgId', () => {
  it('finds the msgId of a broken message', () => {
    expect(sniffMsgId('{"type":"position","msgId":"m-42","lon":[[[')).toBe('m-42');
    expect(sniffMsgId('{"msgId" : "a b"')).toBe('a b');
    expect(sniffMsgId('{"type":"position","lon":')).toBeUndefined();
    expect(sniffMsgId('')).toBeUndefined();
  });

  it('looks in the first 4 KB only', () => {
    const at = (pad: number) => `{"pad":"${'x'.repeat(pad)}","msgId":"m1"`;
    const pad = 4096 - at(0).length; // the msgId's closing quote is the 4096th character
    expect(at(pad).length).toBe(4096);
    expect(sniffMsgId(at(pad))).toBe('m1');
    expect(sniffMsgId(at(pad + 1))).toBeUndefined();
    expect(sniffMsgId(`{"pad":"${'x'.repeat(10_000)}","msgId":"late"}`)).toBeUndefined();
  });

  it('does not take a msgId longer than 128 characters', () => {
    expect(sniffMsgId(`{"msgId":"${'m'.repeat(128)}"`)).toBe('m'.repeat(128));
    expect(sniffMsgId(`{"msgId":"${'m'.repeat(129)}"`)).toBeUndefined();
  });

  it('P8: gives the msgId as the sender wrote it, JSON escapes read (a retry is matched on it)', () => {
    // The sender's msgId is `a"b` and `é`; the answer must carry those, not their escaped text.
    expect(sniffMsgId(`{"msgId":${JSON.stringify('a"b')},"lon":[`)).toBe('a"b');
    expect(sniffMsgId('{"msgId":"\\u00e9","lon":[')).toBe('é');
  });
});

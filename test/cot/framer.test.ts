// CotFramer (server/cot/framer.ts): TAK streaming split into messages whatever the chunking, the
// 1 MB limit with resynchronisation, bounded memory under garbage and never-ending messages, and the
// switch to protobuf streaming after negotiation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CotFramer, MAX_COT_MESSAGE_BYTES, MAX_GARBAGE_BYTES, MAX_SKIP_BYTES, type CotFrame } from '../../server/cot/framer.js';
import { unitEvent, zoneEvent, toStreamXml } from '../../server/cot/out.js';
import { parseCot } from '../../server/cot/parse.js';
import { encodeTakMessage, frameTakPayload } from '../../server/cot/protobuf.js';
import { cotFiles, hasCotData, readCot, SEED, splitAt, wireForm } from './helpers.js';

console.info(`cot framer property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/** Messages made here, so that the framer is tested even without ../shared: one with non-ASCII text. */
const SYNTHETIC = [
  toStreamXml(
    unitEvent({ uid: 'u-é', callsign: 'Médecins — فريق ١ — 医疗队 😀', cotType: 'a-f-G-U-C', lon: -72.3, lat: 18.5, timeMs: T0, staleMs: T0 + 60_000 }),
  ),
  toStreamXml(zoneEvent({ uid: 'tz-1', severity: 'no-go', ring: [[-72.3, 18.5], [-72.2, 18.5], [-72.2, 18.6]], label: 'A < B & "C"', timeMs: T0, staleMs: T0 + 60_000 })),
];

const AUTH = `<?xml version="1.0"?>\n<auth><cot username="ops" password="TOKEN" uid="ANDROID-1"/></auth>`;

/**
 * The messages of a stream, in order: an auth first (ATAK's capture when present), then every other
 * capture in single-line wire form (the malformed one too: it frames fine and fails to parse), then the
 * synthetic ones.
 */
function streamMessages(): Buffer[] {
  const files = cotFiles();
  const auth = files.includes('auth-streaming-atak.xml') ? wireForm(readCot('auth-streaming-atak.xml').toString('utf8'), '<?xml version="1.0"?>') : AUTH;
  const rest = files.filter((f) => f !== 'auth-streaming-atak.xml').map((f) => wireForm(readCot(f).toString('utf8')));
  return [auth, ...rest, ...SYNTHETIC].map((m) => Buffer.from(m, 'utf8'));
}

/** Frames from feeding the chunks in order (push after push). */
function frameAll(chunks: Buffer[], framer = new CotFramer()): CotFrame[] {
  return chunks.flatMap((c) => framer.push(c));
}

const xmlFrames = (frames: CotFrame[]) => frames.map((f) => (f.kind === 'xml' ? f.bytes.toString('utf8') : `${f.kind}: ${f.kind === 'error' ? f.reason : ''}`));

describe('CotFramer, XML streaming', () => {
  const messages = streamMessages();
  const stream = Buffer.concat(messages);
  const expected = messages.map((m) => m.toString('utf8'));

  it(`cuts the whole stream into its ${messages.length} messages${hasCotData ? ' (real captures and synthetic)' : ' (synthetic only: ../shared absent)'}`, () => {
    expect(xmlFrames(frameAll([stream]))).toEqual(expected);
  });

  it('gives the same messages in order however the stream is chunked (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 400 }), (cuts) => {
        expect(xmlFrames(frameAll(splitAt(stream, cuts)))).toEqual(expected);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('gives the same messages one byte at a time, in linear time', () => {
    const framer = new CotFramer();
    const frames: CotFrame[] = [];
    const t0 = performance.now();
    for (let i = 0; i < stream.length; i++) frames.push(...framer.push(stream.subarray(i, i + 1)));
    expect(xmlFrames(frames)).toEqual(expected);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('every framed message parses as the capture does (the malformed one gives its reason)', () => {
    for (const f of frameAll([stream])) {
      if (f.kind !== 'xml') throw new Error(`unexpected ${f.kind}`);
      const r = parseCot(f.bytes);
      if (!r.ok) expect(r.reason).toMatch(/open quote/);
    }
  });

  it('skips whitespace between messages and a BOM, and accepts whitespace inside </event >', () => {
    const a = SYNTHETIC[0]!;
    const b = SYNTHETIC[1]!.replace('</event>', '</event \n>');
    const frames = frameAll([Buffer.from(`\r\n  \uFEFF${a}\n\n\t${b}\n`)]);
    expect(xmlFrames(frames)).toEqual([a, b]);
  });

  it('splits <auth> directly followed by <?xml (no separator), as ATAK sends it', () => {
    expect(xmlFrames(frameAll([Buffer.from(AUTH + SYNTHETIC[0]!)]))).toEqual([AUTH, SYNTHETIC[0]!]);
  });

  it('holds nothing once each message is out', () => {
    const framer = new CotFramer();
    frameAll([stream], framer);
    expect(framer.bufferedBytes).toBe(0);
    expect(framer.capacityBytes).toBeLessThanOrEqual(8192);
  });
});

describe('CotFramer, the 1 MB limit (issue 14)', () => {
  const big = toStreamXml(
    unitEvent({ uid: 'u-big', callsign: 'big', cotType: 'a-f-G', lon: 1, lat: 1, remarks: 'x'.repeat(MAX_COT_MESSAGE_BYTES + 100_000), timeMs: T0, staleMs: T0 + 1 }),
  );
  const [m1, m2] = SYNTHETIC as [string, string];

  it('an oversized message gives one non-fatal error and the next message still comes out, however chunked', () => {
    const stream = Buffer.from(m1 + big + m2);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 60 }), (cuts) => {
        const framer = new CotFramer();
        const frames: CotFrame[] = [];
        for (const c of splitAt(stream, cuts)) {
          frames.push(...framer.push(c));
          expect(framer.capacityBytes).toBeLessThanOrEqual(2 * (MAX_COT_MESSAGE_BYTES + 65_536) + 4096);
        }
        expect(frames.map((f) => f.kind)).toEqual(['xml', 'error', 'xml']);
        expect(frames[1]).toMatchObject({ fatal: false, reason: expect.stringMatching(/over the 1048576-byte limit/) });
        expect(xmlFrames([frames[0]!, frames[2]!])).toEqual([m1, m2]);
      }),
      { seed: SEED, numRuns: 12 },
    );
  });

  it('a message that never ends is reported, then the connection is given up, with memory bounded all along', () => {
    const framer = new CotFramer();
    const frames: CotFrame[] = [];
    frames.push(...framer.push(Buffer.from('<?xml version="1.0"?>\n<event uid="x" type="a-f-G">')));
    const chunk = Buffer.alloc(65_536, 'a');
    let pushed = 0;
    while (!framer.failed && pushed < MAX_SKIP_BYTES + 4 * MAX_COT_MESSAGE_BYTES) {
      frames.push(...framer.push(chunk));
      pushed += chunk.length;
      expect(framer.capacityBytes).toBeLessThanOrEqual(2 * (MAX_COT_MESSAGE_BYTES + 65_536) + 4096);
    }
    expect(frames.map((f) => (f.kind === 'error' ? f.fatal : f.kind))).toEqual([false, true]);
    expect(frames[1]).toMatchObject({ reason: expect.stringMatching(/did not end within .* closing/) });
    expect(framer.push(Buffer.from(m1))).toEqual([]);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('a message complete in the buffer but over the limit is dropped, and the next one comes out', () => {
    // The zone (m2) is longer than the unit (m1): a limit between the two drops the zone only.
    const framer = new CotFramer({ maxMessageBytes: Buffer.byteLength(m1) + 1 });
    expect(Buffer.byteLength(m2)).toBeGreaterThan(Buffer.byteLength(m1) + 1);
    const frames = framer.push(Buffer.from(m2 + m1));
    expect(frames).toEqual([
      { kind: 'error', fatal: false, reason: expect.stringMatching(/^a message of \d+ bytes is over the \d+-byte limit: dropped$/) },
      { kind: 'xml', bytes: Buffer.from(m1) },
    ]);
  });
});

describe('CotFramer, garbage (issue 14: hostile input never grows memory)', () => {
  const [m1] = SYNTHETIC as [string];

  it('garbage before a message: one non-fatal error naming the bytes, then the message', () => {
    const frames = frameAll([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + m1)]);
    expect(frames.map((f) => f.kind)).toEqual(['error', 'xml']);
    expect(frames[0]).toMatchObject({ fatal: false, reason: expect.stringContaining('47 45 54 20') });
  });

  it('a TLS hello on the plain port is garbage', () => {
    const frames = frameAll([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])]);
    expect(frames).toEqual([{ kind: 'error', fatal: false, reason: expect.stringContaining('16 03 01') }]);
  });

  it('elements that are not <event> or <auth> are garbage, one error per run', () => {
    const frames = frameAll([Buffer.from('<html><body><p>hi</p></body></html>' + m1)]);
    expect(frames.map((f) => f.kind)).toEqual(['error', 'xml']);
  });

  it('endless garbage: a fatal error after MAX_GARBAGE_BYTES, nothing held', () => {
    for (const pattern of ['ABCDEFGH', '<x<y<z< ', '\x00\xff\xbf']) {
      const framer = new CotFramer();
      const kinds: string[] = [];
      const chunk = Buffer.from(pattern.repeat(Math.ceil(8192 / pattern.length)), 'latin1');
      for (let sent = 0; sent < 10 * 1024 * 1024 && !framer.failed; sent += chunk.length) {
        for (const f of framer.push(chunk)) kinds.push(f.kind === 'error' ? (f.fatal ? 'fatal' : 'error') : f.kind);
        expect(framer.bufferedBytes).toBeLessThanOrEqual(chunk.length + 16);
      }
      expect(kinds).toEqual(['error', 'fatal']);
      expect(framer.failed).toBe(true);
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it('a declaration followed by endless whitespace is not held (one error, then whitespace is dropped as it comes)', () => {
    const framer = new CotFramer();
    const kinds: string[] = [];
    framer.push(Buffer.from('<?xml version="1.0"?>'));
    const spaces = Buffer.alloc(8192, ' ');
    for (let sent = 0; sent < 4 * 1024 * 1024 && !framer.failed; sent += spaces.length) {
      for (const f of framer.push(spaces)) kinds.push(f.kind === 'error' ? (f.fatal ? 'fatal' : 'error') : f.kind);
      expect(framer.bufferedBytes).toBeLessThanOrEqual(2048);
    }
    expect(kinds).toEqual(['error']);
  });

  it('random bytes in random chunks: never throws, memory bounded, fatal only past the garbage budget', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 40 }), (chunks) => {
        const framer = new CotFramer({ maxMessageBytes: 4096 });
        let total = 0;
        for (const c of chunks) {
          total += c.length;
          for (const f of framer.push(Buffer.from(c))) if (f.kind === 'error' && f.fatal) expect(total).toBeGreaterThan(Math.min(MAX_GARBAGE_BYTES, 4096));
          expect(framer.capacityBytes).toBeLessThanOrEqual(2 * (4096 + 65_536) + 4096);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('CotFramer, TAK protocol streaming (0xBF + varint length)', () => {
  const request = `<?xml version="1.0"?>\n<event version="2.0" uid="takp-1" type="t-x-takp-q" time="2026-01-02T03:04:05Z" start="2026-01-02T03:04:05Z" stale="2026-01-02T03:05:05Z" how="m-g"><point lat="0.0" lon="0.0" hae="0.0" ce="999999" le="999999"/><detail><TakControl><TakRequest version="1"/></TakControl></detail></event>`;

  /** Protobuf payloads of the synthetic messages and of every well-formed capture event. */
  function payloads(): Buffer[] {
    const out: Buffer[] = [];
    for (const m of streamMessages()) {
      const r = parseCot(m);
      if (r.ok && r.message.kind === 'event') out.push(encodeTakMessage(r.message.event));
    }
    return out;
  }

  /** Reads a connection with next(), switching to protobuf right after the request, as a server would. */
  function readConnection(chunks: Buffer[]): CotFrame[] {
    const framer = new CotFramer();
    const frames: CotFrame[] = [];
    for (const c of chunks) {
      framer.append(c);
      for (let f = framer.next(); f; f = framer.next()) {
        frames.push(f);
        if (f.kind === 'xml' && f.bytes.includes('t-x-takp-q')) framer.useProtobuf();
      }
    }
    return frames;
  }

  it('XML until the request, then protobuf frames, in order, however chunked (one chunk may hold both)', () => {
    const ps = payloads();
    const stream = Buffer.concat([Buffer.from(AUTH + request), ...ps.map(frameTakPayload)]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 200 }), (cuts) => {
        const frames = readConnection(splitAt(stream, cuts));
        expect(frames.map((f) => f.kind)).toEqual(['xml', 'xml', ...ps.map(() => 'protobuf')]);
        // As hex: a deep comparison of Buffers byte by byte is slow.
        expect(frames.slice(2).map((f) => (f.kind === 'protobuf' ? f.bytes.toString('hex') : f.kind))).toEqual(ps.map((p) => p.toString('hex')));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('frames lengths that need 1, 2 and 3 varint bytes', () => {
    const sizes = [0, 1, 127, 128, 300, 16_383, 16_384, 200_000];
    const framer = new CotFramer();
    framer.useProtobuf();
    const bodies = sizes.map((n) => Buffer.alloc(n, n % 251));
    const frames = framer.push(Buffer.concat(bodies.map(frameTakPayload)));
    expect(frames.map((f) => (f.kind === 'protobuf' ? f.bytes.length : -1))).toEqual(sizes);
  });

  it('skips a stray newline right after the switch', () => {
    const framer = new CotFramer();
    framer.useProtobuf();
    expect(framer.push(Buffer.concat([Buffer.from('\r\n'), frameTakPayload(Buffer.from([8, 1]))]))).toEqual([{ kind: 'protobuf', bytes: Buffer.from([8, 1]) }]);
  });

  it('a wrong magic byte is fatal (no way to find the next message)', () => {
    const framer = new CotFramer();
    framer.useProtobuf();
    const frames = framer.push(Buffer.concat([frameTakPayload(Buffer.from([1])), Buffer.from('<?xml version="1.0"?>')]));
    expect(frames).toEqual([
      { kind: 'protobuf', bytes: Buffer.from([1]) },
      { kind: 'error', fatal: true, reason: expect.stringContaining('0x3c where the magic byte 0xbf was expected') },
    ]);
    expect(framer.failed).toBe(true);
  });

  it('a declared length over 1 MB is skipped with a non-fatal error; the next frame comes out', () => {
    const framer = new CotFramer();
    framer.useProtobuf();
    const frames = frameAll(splitAt(Buffer.concat([frameTakPayload(Buffer.alloc(MAX_COT_MESSAGE_BYTES + 1)), frameTakPayload(Buffer.from([7]))]), [3, 70_000, 900_000]), framer);
    expect(frames).toEqual([
      { kind: 'error', fatal: false, reason: expect.stringMatching(/1048577 bytes is over the 1048576-byte limit/) },
      { kind: 'protobuf', bytes: Buffer.from([7]) },
    ]);
  });

  it('an absurd declared length or an over-long varint is fatal', () => {
    const a = new CotFramer();
    a.useProtobuf();
    expect(a.push(Buffer.from([0xbf, 0xff, 0xff, 0xff, 0x7f]))).toEqual([{ kind: 'error', fatal: true, reason: expect.stringContaining('declared length') }]);
    const b = new CotFramer();
    b.useProtobuf();
    expect(b.push(Buffer.from([0xbf, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toEqual([{ kind: 'error', fatal: true, reason: expect.stringContaining('varint longer than 5 bytes') }]);
  });
});

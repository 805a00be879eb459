// Splits a TAK streaming connection's bytes into messages (server/cot): XML events after `</event>`
// (or `</auth>`), or, once the TAK protocol is negotiated, `0xBF` + varint length + protobuf payload.
// Works on Buffers only: decoding the stream to text first would corrupt protobuf frames (STACK.md).
import { MAX_COT_MESSAGE_BYTES, MAX_GARBAGE_BYTES, MAX_SKIP_BYTES } from './limits.js';

export { MAX_COT_MESSAGE_BYTES, MAX_GARBAGE_BYTES, MAX_SKIP_BYTES } from './limits.js';

/**
 * One result of framing. `xml` holds one whole message (optional XML declaration, then `<event>…</event>`
 * or `<auth>…</auth>`) for `parseCot`; `protobuf` holds one TAK protocol payload (header removed) for
 * `decodeTakMessage`. An `error` says why bytes were dropped; when `fatal` the framer has given up (it
 * cannot find where the next message starts) and the caller should close the connection.
 */
export type CotFrame =
  | { kind: 'xml'; bytes: Buffer }
  | { kind: 'protobuf'; bytes: Buffer }
  | { kind: 'error'; reason: string; fatal: boolean };

/** The TAK protocol's magic byte, first of every streamed protobuf message. */
export const TAK_MAGIC = 0xbf;

/** Options, for tests mostly; the defaults are the limits of issue 14. */
export interface CotFramerOptions {
  /** Largest message, bytes. */
  maxMessageBytes?: number;
  /** Garbage tolerated over the connection's life before a fatal error, bytes. */
  maxGarbageBytes?: number;
  /** Bytes discarded while resynchronising after an oversized XML message before a fatal error. */
  maxSkipBytes?: number;
}

/** At most this much of a caller's chunk is copied into the working buffer at a time, bytes. */
const SLICE_BYTES = 65_536;
/** Whitespace tolerated between `</event` and `>` (XML allows any; TAK writes none). */
const MAX_CLOSE_WS = 16;
/** Longest XML declaration accepted (`<?xml version='1.0' encoding='UTF-8' standalone='yes'?>` is 56). */
const MAX_DECLARATION_BYTES = 256;
/** Longest run of declaration and whitespace before a root element, bytes. */
const MAX_PREFIX_BYTES = 1024;
/** Longest varint accepted for a protobuf length: 5 bytes hold 35 bits, far beyond any limit. */
const MAX_VARINT_BYTES = 5;

const LT = 0x3c;
const GT = 0x3e;
const DECL = Buffer.from('<?xml');
const EVENT_OPEN = Buffer.from('<event');
const AUTH_OPEN = Buffer.from('<auth');
const EVENT_CLOSE = Buffer.from('</event');
const AUTH_CLOSE = Buffer.from('</auth');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** First bytes of a buffer as hex, for a reason that names what arrived without echoing it as text. */
function hexStart(buf: Buffer, from: number, to: number): string {
  const n = Math.min(8, to - from);
  const hex = [...buf.subarray(from, from + n)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return to - from > n ? `${hex} …` : hex;
}

/**
 * The framer of one TAK streaming connection. Feed it the socket's chunks in order; it returns whole
 * messages in order. Whatever arrives, its own buffer stays under about twice (the message limit plus
 * 64 KiB) — chunks are copied in 64 KiB at a time — and is released when empty:
 *
 * - XML mode (the start of every connection): skips whitespace between messages, accepts one optional
 *   XML declaration per message, then a root `<event` or `<auth`, and cuts after the matching
 *   `</event>` / `</auth>` (as TAK servers do: by searching the token, so a `</event>` inside a comment or
 *   CDATA would cut early; TAK clients write neither). `<auth>…</auth>` directly followed by `<?xml` is two
 *   messages.
 * - A message longer than `MAX_COT_MESSAGE_BYTES` gives one non-fatal error; the framer then discards
 *   bytes up to the end of that message (the next `</event>`) and goes on with the next one. If that end
 *   does not come within `MAX_SKIP_BYTES`, it gives a fatal error: close the connection.
 * - Bytes that cannot start a message (not `<?xml`, `<event`, `<auth`) give one non-fatal error per run
 *   and are discarded up to the next `<`; over `MAX_GARBAGE_BYTES` in a connection's life, a fatal error.
 * - Protobuf mode (after `useProtobuf()`): `0xBF`, varint length, payload. There is no way to find the
 *   next message after a wrong magic byte, so that is fatal; a declared length over the limit is a
 *   non-fatal error and the payload is skipped (fatal when over `MAX_SKIP_BYTES`).
 * - After a fatal error every later byte is dropped and nothing more is returned.
 *
 * @example
 * const framer = new CotFramer();
 * socket.on('data', (chunk) => { for (const f of framer.push(chunk)) handle(f); });
 */
export class CotFramer {
  private readonly maxMessage: number;
  private readonly maxGarbage: number;
  private readonly maxSkip: number;

  /** Working buffer: live bytes are `buf[start, end)`. */
  private buf = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** Chunks handed in but not yet copied into the working buffer (bounded by what the caller gave). */
  private readonly queue: Buffer[] = [];
  private queueOffset = 0;
  private queued = 0;

  private modeNow: 'xml' | 'protobuf' = 'xml';
  private failedNow = false;

  // XML state: the message being read starts at `msgStart` (-1 between messages) and ends with `closer`.
  private msgStart = -1;
  private closer: Buffer = EVENT_CLOSE;
  private scanFrom = 0;
  /** Discarding an oversized XML message up to its closer; bytes discarded so far. */
  private skipping: { closer: Buffer; skipped: number } | undefined;
  private inGarbage = false;
  private garbageTotal = 0;

  // Protobuf state: payload bytes still to discard after an oversized declared length.
  private pbSkip = 0;
  private pbSkipWs = false;

  constructor(options: CotFramerOptions = {}) {
    this.maxMessage = options.maxMessageBytes ?? MAX_COT_MESSAGE_BYTES;
    this.maxGarbage = options.maxGarbageBytes ?? MAX_GARBAGE_BYTES;
    this.maxSkip = options.maxSkipBytes ?? MAX_SKIP_BYTES;
  }

  /** 'xml' until `useProtobuf()`. */
  get mode(): 'xml' | 'protobuf' {
    return this.modeNow;
  }

  /** Whether a fatal error was returned: the caller should close the connection. */
  get failed(): boolean {
    return this.failedNow;
  }

  /** Bytes held (working buffer plus chunks not yet looked at), for tests and metrics. */
  get bufferedBytes(): number {
    return this.end - this.start + this.queued;
  }

  /** Capacity of the working buffer, bytes: what the framer itself allocated. */
  get capacityBytes(): number {
    return this.buf.length;
  }

  /**
   * Adds a chunk and returns every message it completes, in order (the convenience for most callers).
   * Use `append` + `next` instead when the mode may change between two messages of one chunk.
   */
  push(chunk: Buffer): CotFrame[] {
    this.append(chunk);
    const frames: CotFrame[] = [];
    for (let f = this.next(); f; f = this.next()) frames.push(f);
    return frames;
  }

  /** Queues a chunk without framing it; `next()` frames it. */
  append(chunk: Buffer): void {
    if (this.failedNow || chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
  }

  /**
   * The next complete frame, or undefined when more bytes are needed (or after a fatal error). A caller
   * that negotiates the TAK protocol calls `useProtobuf()` right after the frame holding the client's
   * `t-x-takp-q` request once it has answered `true`, and the bytes after that request are read as
   * protobuf.
   */
  next(): CotFrame | undefined {
    if (this.failedNow) return undefined;
    for (;;) {
      const frame = this.modeNow === 'xml' ? this.nextXml() : this.nextProtobuf();
      if (frame !== 'more') return frame;
      if (!this.fill()) return undefined;
    }
  }

  /**
   * Switches to TAK protocol version 1 streaming (`0xBF` + varint length + payload) from the next byte
   * on. Call it at a message boundary, after answering the client's `t-x-takp-q` with status true.
   * Whitespace right at the switch (a stray newline after the XML request) is skipped.
   */
  useProtobuf(): void {
    this.modeNow = 'protobuf';
    this.msgStart = -1;
    this.skipping = undefined;
    this.inGarbage = false;
    this.pbSkipWs = true;
  }

  // ---- buffer management ----------------------------------------------------------------------------

  /** Moves up to SLICE_BYTES from the queue into the working buffer; false when the queue is empty. */
  private fill(): boolean {
    if (this.queued === 0) return false;
    const head = this.queue[0]!;
    const n = Math.min(SLICE_BYTES, head.length - this.queueOffset);
    this.reserve(n);
    head.copy(this.buf, this.end, this.queueOffset, this.queueOffset + n);
    this.end += n;
    this.queued -= n;
    this.queueOffset += n;
    if (this.queueOffset === head.length) {
      this.queue.shift();
      this.queueOffset = 0;
    }
    return true;
  }

  /**
   * Makes room for n more bytes. Live bytes move to the front when at least as many were consumed as
   * remain (so each byte is moved a bounded number of times); otherwise the buffer is replaced by one
   * twice the size needed. Either way the capacity stays within about twice the largest message.
   */
  private reserve(n: number): void {
    if (this.end + n <= this.buf.length) return;
    const live = this.end - this.start;
    const shift = this.start;
    if (live + n <= this.buf.length && shift >= live) {
      this.buf.copy(this.buf, 0, this.start, this.end);
    } else {
      const bigger = Buffer.allocUnsafe(Math.max(4096, 2 * (live + n)));
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    }
    this.start = 0;
    this.end = live;
    if (this.msgStart >= 0) this.msgStart -= shift;
    this.scanFrom = Math.max(0, this.scanFrom - shift);
  }

  /**
   * Drops the working buffer's bytes before `to`. An emptied buffer larger than 8 KiB is released: ten
   * thousand idle connections must not each keep the buffer of the largest message they ever sent.
   */
  private discardTo(to: number): void {
    this.start = to;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      this.scanFrom = 0;
      if (this.buf.length > 8192) this.buf = Buffer.alloc(0);
    }
  }

  private fail(reason: string): CotFrame {
    this.failedNow = true;
    this.queue.length = 0;
    this.queued = 0;
    this.queueOffset = 0;
    this.start = 0;
    this.end = 0;
    this.buf = Buffer.alloc(0);
    return { kind: 'error', reason, fatal: true };
  }

  /** Whether `pattern` is at `at`: true, false, or 'more' when the buffer ends inside a match. */
  private startsWith(at: number, pattern: Buffer): boolean | 'more' {
    const n = Math.min(pattern.length, this.end - at);
    for (let i = 0; i < n; i++) if (this.buf[at + i] !== pattern[i]) return false;
    return n === pattern.length ? true : 'more';
  }

  // ---- XML ------------------------------------------------------------------------------------------

  private nextXml(): CotFrame | undefined | 'more' {
    for (;;) {
      if (this.skipping) {
        const r = this.skipOversized();
        if (r !== 'done') return r;
        continue;
      }
      if (this.msgStart < 0) {
        const r = this.findMessageStart();
        if (r !== 'found') return r;
      }
      return this.findMessageEnd();
    }
  }

  /** Between messages: skips whitespace, then a message start sets `msgStart`; garbage is dropped. */
  private findMessageStart(): CotFrame | 'found' | 'more' {
    for (;;) {
      let p = this.start;
      while (p < this.end && isWs(this.buf[p]!)) p++;
      if (this.startsWith(p, BOM) === true) p += BOM.length;
      this.discardTo(p);
      p = this.start;
      if (p >= this.end) return 'more';
      if (this.buf[p] === LT) {
        const kind = this.classifyStart(p);
        if (kind === 'more') return 'more';
        if (kind !== 'bad') {
          this.msgStart = p;
          this.closer = kind.closer;
          this.scanFrom = kind.rootAt;
          this.inGarbage = false;
          return 'found';
        }
      }
      // Garbage: drop up to the next '<' (not the one at p, which was looked at).
      const view = this.buf.subarray(0, this.end);
      const nextLt = view.indexOf(LT, p + 1);
      const to = nextLt < 0 ? this.end : nextLt;
      const described = hexStart(this.buf, p, to);
      this.garbageTotal += to - p;
      this.discardTo(to);
      if (this.garbageTotal > this.maxGarbage) {
        return this.fail(`over ${this.maxGarbage} bytes that are not CoT on this connection (last run starts ${described}): closing`);
      }
      if (!this.inGarbage) {
        this.inGarbage = true;
        return { kind: 'error', reason: `bytes that do not start a CoT message (starting ${described}): skipped to the next '<'`, fatal: false };
      }
    }
  }

  /**
   * What starts at `p` (a '<'): an optional declaration then `<event`/`<auth`, with where the root starts
   * and which closer ends it; 'more' when the buffer ends too early to tell; 'bad' otherwise.
   */
  private classifyStart(p: number): { closer: Buffer; rootAt: number } | 'bad' | 'more' {
    let at = p;
    const decl = this.startsWith(at, DECL);
    if (decl === 'more') return 'more';
    if (decl) {
      if (at + DECL.length >= this.end) return 'more';
      const after = this.buf[at + DECL.length]!;
      if (!isWs(after) && after !== 0x3f /* ? */) return 'bad';
      const limit = Math.min(this.end, at + MAX_DECLARATION_BYTES);
      const close = this.buf.subarray(0, limit).indexOf('?>', at + DECL.length);
      if (close < 0) return limit - at >= MAX_DECLARATION_BYTES ? 'bad' : 'more';
      at = close + 2;
      while (at < this.end && isWs(this.buf[at]!)) at++;
      // A declaration followed by endless whitespace must not be held: it is garbage past a point.
      if (at - p > MAX_PREFIX_BYTES) return 'bad';
      if (at >= this.end) return 'more';
    }
    for (const [open, closer] of [
      [EVENT_OPEN, EVENT_CLOSE],
      [AUTH_OPEN, AUTH_CLOSE],
    ] as const) {
      const m = this.startsWith(at, open);
      if (m === 'more') return 'more';
      if (!m) continue;
      if (at + open.length >= this.end) return 'more';
      const after = this.buf[at + open.length]!;
      if (isWs(after) || after === GT || after === 0x2f /* / */) return { closer, rootAt: at };
      return 'bad';
    }
    return 'bad';
  }

  /** Looks for `closer` + whitespace + '>' in [from, end): the index after '>', -1, or 'more' at i. */
  private findCloser(closer: Buffer, from: number): number | { moreAt: number } {
    const view = this.buf.subarray(0, this.end);
    for (let i = view.indexOf(closer, from); i >= 0; i = view.indexOf(closer, i + 1)) {
      let j = i + closer.length;
      while (j < this.end && j - (i + closer.length) <= MAX_CLOSE_WS && isWs(view[j]!)) j++;
      if (j >= this.end) return { moreAt: i };
      if (view[j] === GT) return j + 1;
    }
    return -1;
  }

  private findMessageEnd(): CotFrame | 'more' {
    const found = this.findCloser(this.closer, this.scanFrom);
    if (typeof found === 'number' && found >= 0) {
      const length = found - this.msgStart;
      const from = this.msgStart;
      this.msgStart = -1;
      if (length > this.maxMessage) {
        this.discardTo(found);
        return { kind: 'error', reason: `a message of ${length} bytes is over the ${this.maxMessage}-byte limit: dropped`, fatal: false };
      }
      const bytes = Buffer.from(this.buf.subarray(from, found));
      this.discardTo(found);
      return { kind: 'xml', bytes };
    }
    // Not yet: resume the search where a closer could still begin.
    this.scanFrom = typeof found === 'number' ? Math.max(this.scanFrom, this.end - this.closer.length + 1) : found.moreAt;
    if (this.end - this.msgStart > this.maxMessage) {
      // Too long already: report it, then discard up to where its closer could begin.
      const keep = Math.min(this.scanFrom, this.end);
      this.skipping = { closer: this.closer, skipped: keep - this.msgStart };
      this.msgStart = -1;
      this.discardTo(keep);
      const name = this.skipping.closer === AUTH_CLOSE ? 'auth' : 'event';
      return { kind: 'error', reason: `a message over the ${this.maxMessage}-byte limit (no </${name}> within it): skipping to its end`, fatal: false };
    }
    return 'more';
  }

  /** Discards an oversized message up to its closer: 'done' once found, else 'more' or a fatal error. */
  private skipOversized(): CotFrame | 'done' | 'more' {
    const s = this.skipping!;
    const found = this.findCloser(s.closer, this.start);
    if (typeof found === 'number' && found >= 0) {
      this.skipping = undefined;
      this.discardTo(found);
      return 'done';
    }
    const keep = typeof found === 'number' ? Math.max(this.start, this.end - s.closer.length + 1) : found.moreAt;
    s.skipped += keep - this.start;
    this.discardTo(keep);
    if (s.skipped > this.maxSkip) {
      return this.fail(`an oversized message did not end within ${this.maxSkip} bytes: cannot find the next message, closing`);
    }
    return 'more';
  }

  // ---- protobuf -------------------------------------------------------------------------------------

  private nextProtobuf(): CotFrame | 'more' {
    for (;;) {
      if (this.pbSkip > 0) {
        const n = Math.min(this.pbSkip, this.end - this.start);
        this.pbSkip -= n;
        this.discardTo(this.start + n);
        if (this.pbSkip > 0) return 'more';
      }
      if (this.pbSkipWs) {
        let p = this.start;
        while (p < this.end && isWs(this.buf[p]!)) p++;
        this.discardTo(p);
        if (this.start >= this.end) return 'more';
        this.pbSkipWs = false;
      }
      if (this.start >= this.end) return 'more';
      const magic = this.buf[this.start]!;
      if (magic !== TAK_MAGIC) {
        return this.fail(`protobuf stream: byte 0x${magic.toString(16).padStart(2, '0')} where the magic byte 0xbf was expected: closing`);
      }
      // Varint length, little-endian groups of 7 bits.
      let length = 0;
      let p = this.start + 1;
      let i = 0;
      for (;;) {
        if (p >= this.end) return 'more';
        const b = this.buf[p++]!;
        length += (b & 0x7f) * 2 ** (7 * i);
        i++;
        if ((b & 0x80) === 0) break;
        if (i >= MAX_VARINT_BYTES) return this.fail(`protobuf stream: a length varint longer than ${MAX_VARINT_BYTES} bytes: closing`);
      }
      if (length > this.maxMessage) {
        if (length > this.maxSkip) return this.fail(`protobuf stream: a declared length of ${length} bytes: closing`);
        this.discardTo(p);
        this.pbSkip = length;
        return { kind: 'error', reason: `a protobuf message of ${length} bytes is over the ${this.maxMessage}-byte limit: skipped`, fatal: false };
      }
      if (this.end - p < length) return 'more';
      const bytes = Buffer.from(this.buf.subarray(p, p + length));
      this.discardTo(p + length);
      return { kind: 'protobuf', bytes };
    }
  }
}

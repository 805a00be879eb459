// Unit test of textFrames (server/net/ws-adapter.ts): the ack frames written straight to a socket are
// read back by ws's own frame parser as the same text messages, in order (P3 acks).
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { textFrames } from '../../server/net/ws-adapter.js';

/** Parses server-to-client frames with the parser a ws client uses. */
function readFrames(buf: Buffer): Array<{ text: string; binary: boolean }> {
  // ws's frame parser (exported by its ESM wrapper, not described by @types/ws).
  const { Receiver } = wsModule as unknown as { Receiver: new (opts: object) => NodeJS.WritableStream };
  const out: Array<{ text: string; binary: boolean }> = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, binary: boolean) => out.push({ text: data.toString('utf8'), binary }));
  receiver.on('error', (err: Error) => {
    throw err;
  });
  receiver.write(buf);
  return out;
}

describe('textFrames', () => {
  it('frames short, 16-bit and 64-bit length texts, multi-byte UTF-8 included, as text messages in order', () => {
    const texts = [
      '{"type":"ack","msgId":"m-1","seq":1}',
      `{"type":"ack","msgId":"${'x'.repeat(150)}","seq":2}`,
      '{"type":"ack","msgId":"قافلة-٣ ✓","seq":3}',
      `{"type":"ack","msgId":"${'y'.repeat(70_000)}","seq":4}`,
      '',
    ];
    const frames = readFrames(textFrames(texts));
    expect(frames.map((f) => f.text)).toEqual(texts);
    expect(frames.every((f) => !f.binary)).toBe(true);
  });

  it('uses the shortest header: 2 bytes up to 125 bytes of payload, 4 up to 65,535', () => {
    expect(textFrames(['a'.repeat(125)]).length).toBe(127);
    expect(textFrames(['a'.repeat(126)]).length).toBe(130);
    expect(textFrames(['é']).length).toBe(4); // 2 bytes of UTF-8
  });
});

// The shared log's parts (issue 19): its message format and ids (property tests), and on a real
// nats-server: an event larger than NATS takes, a retry, times that never go back, and a data folder
// that belongs to another stream.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendEntry } from '../../server/log/event-log.js';
import { EntryRefusedError } from '../../server/log/event-log.js';
import { connect } from 'nats';
import { decodeMessage, encodeMessage, messageId, NatsEventLog } from '../../server/log/nats-log.js';
import { StreamPublisher } from '../../server/log/publisher.js';
import { silentLogger, tempDir } from '../server/helpers.js';
import { NATS_SKIP_REASON, startNats, type NatsCluster } from '../nats/harness.js';

const entry = (over: Partial<AppendEntry> = {}): AppendEntry => ({ event: { type: 'haven.removed', id: 'hv-1' } as never, msgIds: [], ...over });

describe('messages of the shared log', () => {
  it('reads back what was written, whatever the scope, msgIds, fingerprints and body hold', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { maxLength: 4 }), fc.jsonValue(), fc.integer({ min: 0, max: 2 ** 47 }), (scope, msgIds, value, timeMs) => {
        const body = JSON.stringify({ type: 'x', value });
        const fingerprints = msgIds.map((_, i) => (i % 2 ? NaN : i * 7));
        const { head, body: back } = decodeMessage(encodeMessage(entry({ scope, msgIds, fingerprints }), timeMs, body));
        expect(back).toBe(body);
        expect(head).toEqual([timeMs, 'haven.removed', scope, msgIds, fingerprints.map((f) => (Number.isNaN(f) ? null : f))]);
      }),
    );
  });

  it('names a message that is not one of the log\'s', () => {
    expect(() => decodeMessage(new TextEncoder().encode('{"type":"x"}'))).toThrow(/no head line/);
    expect(() => decodeMessage(new TextEncoder().encode('[1]\n{}'))).toThrow(/malformed head line/);
  });

  it('gives the same id to the same sender\'s message from any instance, and different ids otherwise', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { minLength: 1, maxLength: 3 }), fc.string(), (scope, msgIds, other) => {
        const a = messageId(entry({ scope, msgIds }), '{}', 'i-a', 1);
        expect(messageId(entry({ scope, msgIds }), '{"other":1}', 'i-b', 9)).toBe(a);
        if (other !== scope) expect(messageId(entry({ scope: other, msgIds }), '{}', 'i-a', 1)).not.toBe(a);
      }),
    );
    // The server's own: one id per basis and content (two instances' same reaction), else one per append.
    expect(messageId(entry({ basis: 7 }), '{"a":1}', 'i-a', 1)).toBe(messageId(entry({ basis: 7 }), '{"a":1}', 'i-b', 2));
    expect(messageId(entry({ basis: 7 }), '{"a":1}', 'i-a', 1)).not.toBe(messageId(entry({ basis: 8 }), '{"a":1}', 'i-a', 1));
    expect(messageId(entry(), '{"a":1}', 'i-a', 1)).not.toBe(messageId(entry(), '{"a":1}', 'i-a', 2));
  });
});

describe.skipIf(!!NATS_SKIP_REASON)('the shared log on a real nats-server', () => {
  let nats: NatsCluster;
  const dir = tempDir();

  beforeAll(async () => {
    nats = await startNats();
  }, 30_000);

  afterAll(async () => {
    await nats?.close();
    dir.cleanup();
  });

  it('refuses an event larger than NATS takes, naming the limit, and stores the rest of the batch', async () => {
    const log = await NatsEventLog.open({ servers: [nats.url], mirrorFile: `${dir.dir}/one/corridor.db`, instance: 't', logger: silentLogger });
    try {
      const huge = { type: 'haven.upserted', haven: { id: 'hv-big', name: 'x'.repeat(1_200_000) } } as never;
      const result = await log.append([entry({ msgIds: ['m1'], scope: 'tk:1' }), { event: huge, msgIds: [] }, entry({ event: { type: 'haven.removed', id: 'hv-2' } as never })], 5000);
      expect(result.outcomes[0]).toMatchObject({ seq: 1, duplicate: false });
      expect(result.outcomes[1].error).toBeInstanceOf(EntryRefusedError);
      expect(result.outcomes[1].error!.message).toMatch(/max_payload/);
      expect(result.outcomes[2]).toMatchObject({ seq: 2, duplicate: false });

      // The same sender's msgId again (its first copy had no fingerprint): answered with its first seq.
      const again = await log.append([entry({ msgIds: ['m1'], scope: 'tk:1', fingerprints: [5] })], 6000);
      expect(again.outcomes[0]).toMatchObject({ seq: 1, duplicate: true });

      // An event stamped earlier than the one before it takes that one's time (P1).
      await log.append([entry({ event: { type: 'haven.removed', id: 'hv-3' } as never })], 4000);
      await log.mirrored(3);
      const rows = await log.readSince(0, 10);
      expect(rows.map((r) => JSON.parse(r.json).timeMs)).toEqual([5000, 5000, 5000]);
      expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    } finally {
      await log.close();
    }
  });

  it('publishes with the answers on one subscription: acknowledged, a duplicate, no stream, no answer in time', async () => {
    const nc = await connect({ servers: [nats.url] });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'PUB', subjects: ['pub.events'] });
    const publisher = new StreamPublisher(nc, 300);
    const send = (subject: string, msgId: string) =>
      new Promise<{ error?: string; ack?: { seq: number; duplicate: boolean } }>((resolve) => publisher.publish(subject, new TextEncoder().encode('x'), msgId, (error, ack) => resolve({ error: error?.message, ack })));
    try {
      expect(await send('pub.events', 'one')).toEqual({ error: undefined, ack: { seq: 1, duplicate: false } });
      expect(await send('pub.events', 'one')).toEqual({ error: undefined, ack: { seq: 1, duplicate: true } });
      expect((await send('nothing.here', 'two')).error).toMatch(/^503/);
      // A subject someone listens to without answering: the sweep answers it once its time is up.
      const mute = nc.subscribe('mute.subject');
      const started = Date.now();
      expect((await send('mute.subject', 'three')).error).toMatch(/TIMEOUT/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      mute.unsubscribe();
      expect(publisher.pending).toBe(0);
    } finally {
      publisher.close();
      await nc.close();
    }
  });

  it('refuses a data folder that holds the copy of another stream', async () => {
    const file = `${dir.dir}/two/corridor.db`;
    const first = await NatsEventLog.open({ servers: [nats.url], mirrorFile: file, instance: 't', logger: silentLogger, stream: 'OTHER' });
    await first.append([entry()], 1000);
    await first.close();
    await expect(NatsEventLog.open({ servers: [nats.url], mirrorFile: file, instance: 't', logger: silentLogger })).rejects.toThrow(/is a copy of the stream OTHER/);
  });
});

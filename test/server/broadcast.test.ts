// Unit tests of server/net/broadcast.ts over in-memory sinks the test flushes: snapshot on join,
// shared frames (P4), mid-frame joins, resync from the log, slow clients (P10), fixes as rows (P14).
import { afterEach, describe, expect, it } from 'vitest';
import { applyEventsInPlace } from '@corridor/protocol';
import type { AppendedEvent, StoredEvent } from '../../server/log/event-log.js';
import { Broadcaster, deltaJson, mergePositions, wireJson, type ClientSink, type EventSource } from '../../server/net/broadcast.js';
import { emptyPicture, type EventOf, type PictureEvent, type Unit } from '@corridor/protocol';
import { expandDeltaEvents } from '@corridor/protocol';
import { Outbox, SHARE_ALL, type Recipient, type SharingPolicy } from '../../server/out/outbox.js';
import { silentLogger } from './helpers.js';

/** Everyone, as the policy in force today sees them. */
const EVERYONE = new Outbox({ picture: emptyPicture, staleAfterMs: 1 }).audience({ tokenId: 't', org: 'o', role: 'viewer' });
const outboxOf = (source: MemorySource, staleAfterMs: number, policy?: SharingPolicy) => new Outbox({ picture: () => source.picture, staleAfterMs, policy });

class MemorySource implements EventSource {
  picture = emptyPicture();
  log: AppendedEvent[] = [];
  private listeners = new Set<(e: AppendedEvent[]) => void>();
  onCommit(l: (e: AppendedEvent[]) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  async readSince(since: number, limit: number): Promise<StoredEvent[]> {
    return this.log.filter((e) => e.seq > since).slice(0, limit);
  }
  /** Commits position events for the given units, one event each. */
  commit(...unitIds: string[]) {
    const batch = unitIds.map((unitId) => {
      const event = {
        seq: this.picture.seq + 1 + unitIds.indexOf(unitId),
        timeMs: 0,
        type: 'position.reported',
        units: [{ unitId, lon: 1, lat: 2, timeMs: 0, seenMs: 0 }],
      } as PictureEvent;
      return { seq: event.seq, type: event.type, json: JSON.stringify(event), event };
    });
    applyEventsInPlace(this.picture, batch.map((b) => b.event));
    this.log.push(...batch);
    for (const l of this.listeners) l(batch);
  }
}

/** Unit ids of the fixes a frame's events carry, in order. */
function fixedUnits(events: PictureEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'position.reported' ? e.units.map((u) => u.unitId) : []));
}

class MemorySink implements ClientSink {
  sent: string[] = [];
  bufferedAmount = 0;
  send(data: string) {
    this.sent.push(data);
  }
  messages() {
    return this.sent.map((s) => JSON.parse(s) as { type: string; seq: number; since?: number; events?: PictureEvent[] });
  }
}

describe('Broadcaster', () => {
  let b: Broadcaster | undefined;
  afterEach(() => b?.close());
  const make = (source: MemorySource, bufferLimitBytes = 1000) =>
    (b = new Broadcaster({ source, outbox: outboxOf(source, 120_000), logger: silentLogger, bufferLimitBytes, frameMs: 60_000 }));

  it('sends a snapshot on join, then one frame per flush with events in (since, seq]', () => {
    const source = new MemorySource();
    source.commit('a');
    const br = make(source);
    const sink = new MemorySink();
    br.add(sink, EVERYONE);
    expect(sink.messages()[0]).toMatchObject({ type: 'snapshot', seq: 1, staleAfterMs: 120_000 });
    source.commit('b');
    source.commit('c');
    br.flush();
    const delta = sink.messages()[1];
    expect(delta).toMatchObject({ type: 'delta', since: 1, seq: 3 });
    // P12: consecutive fixes travel as one event with the seq of the last.
    expect(delta.events!.map((e) => e.seq)).toEqual([3]);
    expect(fixedUnits(delta.events!)).toEqual(['b', 'c']);
    br.flush();
    expect(sink.sent).toHaveLength(2); // nothing new, no frame
  });

  it('P4: sends the very same frame string to every client at the same seq', () => {
    const source = new MemorySource();
    const br = make(source);
    const sinks = [new MemorySink(), new MemorySink(), new MemorySink()];
    sinks.forEach((s) => br.add(s, EVERYONE));
    source.commit('a', 'b');
    br.flush();
    expect(sinks[0].sent[1]).toBe(sinks[1].sent[1]);
    expect(sinks[1].sent[1]).toBe(sinks[2].sent[1]);
  });

  it('gives a client that joined mid-frame only the events after its snapshot', () => {
    const source = new MemorySource();
    const br = make(source);
    const early = new MemorySink();
    br.add(early, EVERYONE);
    source.commit('a');
    const late = new MemorySink();
    br.add(late, EVERYONE); // snapshot at seq 1, while event 1 is still pending for the frame
    source.commit('b');
    br.flush();
    expect(early.messages()[1]).toMatchObject({ since: 0, seq: 2 });
    expect(late.messages()[0]).toMatchObject({ type: 'snapshot', seq: 1 });
    const d = late.messages()[1];
    expect(d).toMatchObject({ type: 'delta', since: 1, seq: 2 });
    expect(d.events!.map((e) => e.seq)).toEqual([2]);
  });

  it('answers resync with the events after since from the log, or a snapshot when too far behind', async () => {
    const source = new MemorySource();
    const br = new Broadcaster({ source, outbox: outboxOf(source, 1), logger: silentLogger, bufferLimitBytes: 1e6, frameMs: 60_000, maxResyncEvents: 3 });
    b = br;
    const sink = new MemorySink();
    const client = br.add(sink, EVERYONE);
    source.commit('a', 'b', 'c', 'd');
    br.flush();
    await br.resync(client, 2);
    expect(sink.messages()[2]).toMatchObject({ type: 'delta', since: 2, seq: 4 });
    expect(sink.messages()[2].events!.map((e) => e.seq)).toEqual([4]);
    expect(fixedUnits(sink.messages()[2].events!)).toEqual(['c', 'd']);
    await br.resync(client, 0); // 4 behind > maxResyncEvents 3
    expect(sink.messages()[3]).toMatchObject({ type: 'snapshot', seq: 4 });
    await br.resync(client, 99); // ahead of the log: another database
    expect(sink.messages()[4]).toMatchObject({ type: 'snapshot', seq: 4 });
    source.commit('e');
    br.flush();
    expect(sink.messages()[5]).toMatchObject({ type: 'delta', since: 4, seq: 5 });
  });

  it('P10: a client over its buffer limit gets resync-required, no frames, then a snapshot once drained; others keep going', () => {
    const source = new MemorySource();
    const br = make(source, 1000);
    const slow = new MemorySink();
    const fast = new MemorySink();
    br.add(slow, EVERYONE);
    br.add(fast, EVERYONE);
    slow.bufferedAmount = 5000;
    source.commit('a');
    br.flush();
    expect(slow.messages().map((m) => m.type)).toEqual(['snapshot', 'resync-required']);
    expect(slow.messages()[1].seq).toBe(1);
    source.commit('b');
    br.flush();
    expect(slow.sent).toHaveLength(2); // still buffered: nothing more
    expect(fast.messages().map((m) => m.type)).toEqual(['snapshot', 'delta', 'delta']);
    slow.bufferedAmount = 0;
    source.commit('c');
    br.flush();
    expect(slow.messages()[2]).toMatchObject({ type: 'snapshot', seq: 3 });
    source.commit('d');
    br.flush();
    expect(slow.messages()[3]).toMatchObject({ type: 'delta', since: 3, seq: 4 });
  });
});

/** A stored position event at `seq` carrying the given unit fixes. */
function fixes(seq: number, ...units: Array<Partial<Unit> & { unitId: string; timeMs: number }>): AppendedEvent {
  const event = {
    seq,
    timeMs: 0,
    type: 'position.reported',
    units: units.map((u) => ({ lon: 1, lat: 2, seenMs: seq, ...u })),
  } as PictureEvent;
  return { seq, type: event.type, json: JSON.stringify(event), event };
}

describe('mergePositions (P4: latest fix per unit wins within a frame)', () => {
  const seqs = (events: AppendedEvent[]) => events.map((e) => e.seq);

  it('drops a position event that a later one in the frame supersedes, keeping order and other events', () => {
    const haven = { seq: 3, type: 'haven.removed', json: '{}', event: { seq: 3, timeMs: 0, type: 'haven.removed', id: 'hv-1' } as PictureEvent };
    const frame = [fixes(1, { unitId: 'a', timeMs: 10 }), fixes(2, { unitId: 'b', timeMs: 10 }), haven, fixes(4, { unitId: 'a', timeMs: 20 })];
    expect(seqs(mergePositions(frame))).toEqual([2, 3, 4]);
  });

  it('P6: keeps an earlier event whose fix is newer than the later one (the later one would not move the unit)', () => {
    const frame = [fixes(1, { unitId: 'a', timeMs: 30 }), fixes(2, { unitId: 'a', timeMs: 20 })];
    expect(seqs(mergePositions(frame))).toEqual([1, 2]);
  });

  it('keeps events that bring a callsign or affiliation, and batches with any unit not superseded', () => {
    const frame = [
      fixes(1, { unitId: 'a', timeMs: 10, callsign: 'ALPHA' }),
      fixes(2, { unitId: 'b', timeMs: 10 }, { unitId: 'c', timeMs: 10 }),
      fixes(3, { unitId: 'a', timeMs: 20 }, { unitId: 'b', timeMs: 20 }),
    ];
    expect(seqs(mergePositions(frame))).toEqual([1, 2, 3]);
  });

  it('returns the same array when nothing is superseded', () => {
    const frame = [fixes(1, { unitId: 'a', timeMs: 10 }), fixes(2, { unitId: 'b', timeMs: 10 })];
    expect(mergePositions(frame)).toBe(frame);
  });

  it('P4: a client folding the merged frame ends with the same picture as one folding every event', () => {
    const source = new MemorySource();
    const b = new Broadcaster({ source, outbox: outboxOf(source, 1), logger: silentLogger, bufferLimitBytes: 1e9, frameMs: 60_000 });
    const sink = new MemorySink();
    b.add(sink, EVERYONE);
    for (let i = 0; i < 50; i++) source.commit(`u${i % 7}`);
    b.flush();
    b.close();
    const frame = sink.messages()[1];
    expect(frame).toMatchObject({ type: 'delta', since: 0, seq: 50 });
    // One fix per unit (the last of each), in one event (P4, P12).
    expect(frame.events!.length).toBe(1);
    expect(fixedUnits(frame.events!).sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6'])
    const client = emptyPicture();
    applyEventsInPlace(client, frame.events!);
    client.seq = frame.seq;
    expect(client).toEqual(source.picture);
  });
});

describe('wireJson (P12: fixes without their reporter on the live stream)', () => {
  const actor = { tokenId: 'tk-9', org: 'wfp', role: 'field' };
  const units: Unit[] = [{ unitId: 'u1', lon: 12, lat: 57, timeMs: 900, seenMs: 950, heading: 90 }];
  const fix: PictureEvent = { seq: 7, timeMs: 1000, type: 'position.reported', msgId: 'm-1', actor, units };

  it('sends a position event as seq, time, type and units, from a fresh append or a stored row alike', () => {
    // As the log writes it (seq and time first, then the body in the store's key order), and in another order.
    const asLogged = `{"seq":7,"timeMs":1000,${JSON.stringify({ msgId: 'm-1', actor, type: 'position.reported', units }).slice(1)}`;
    const appended: AppendedEvent = { seq: 7, type: fix.type, json: asLogged, event: fix };
    const stored: StoredEvent = { seq: 7, type: fix.type, json: asLogged };
    const reordered: StoredEvent = { seq: 7, type: fix.type, json: JSON.stringify(fix) };
    for (const e of [appended, stored, reordered]) {
      const wire = JSON.parse(wireJson(e));
      expect(wire).toEqual({ seq: 7, timeMs: 1000, type: 'position.reported', units });
      expect(wire).not.toHaveProperty('actor');
      expect(wire).not.toHaveProperty('msgId');
      // The fold sees the same fix either way.
      const viaWire = emptyPicture();
      applyEventsInPlace(viaWire, [wire]);
      const viaStored = emptyPicture();
      applyEventsInPlace(viaStored, [fix]);
      expect(viaWire).toEqual(viaStored);
    }
  });

  it('rebuilds a fix stored in another key order, still without its reporter', () => {
    const odd: StoredEvent = { seq: 7, type: 'position.reported', json: JSON.stringify({ type: 'position.reported', units, seq: 7, timeMs: 1000, actor, msgId: 'm-1' }) };
    expect(JSON.parse(wireJson(odd))).toEqual({ seq: 7, timeMs: 1000, type: 'position.reported', units });
  });

  it('sends each run of consecutive fixes as one event with the last seq; other events stay between them, and the fold is the same', () => {
    const stored = (event: PictureEvent): StoredEvent => ({ seq: event.seq, type: event.type, json: JSON.stringify(event) });
    const fixAt = (seq: number, ...ids: string[]): PictureEvent => ({
      seq,
      timeMs: seq * 10,
      type: 'position.reported',
      msgId: `m-${seq}`,
      actor,
      units: ids.map((unitId, i) => ({ unitId, lon: seq, lat: i, timeMs: seq, seenMs: seq })),
    });
    const events: PictureEvent[] = [
      fixAt(2, 'a', 'b'),
      fixAt(3, 'a'),
      { seq: 4, timeMs: 40, type: 'haven.removed', id: 'hv-1', actor },
      fixAt(5, 'c'),
      fixAt(6, 'b', 'c'),
    ];
    const frame = JSON.parse(deltaJson(1, 6, events.map(stored))) as { events: PictureEvent[] };
    expect(frame.events.map((e) => [e.seq, e.type])).toEqual([
      [3, 'position.reported'],
      [4, 'haven.removed'],
      [6, 'position.reported'],
    ]);
    expect(fixedUnits(frame.events)).toEqual(['a', 'b', 'a', 'c', 'b', 'c']);
    expect(frame.events[0]).toMatchObject({ timeMs: 30 });
    const start = () => ({ ...emptyPicture(), seq: 1 });
    const viaFrame = start();
    applyEventsInPlace(viaFrame, frame.events);
    const viaEvents = start();
    applyEventsInPlace(viaEvents, events);
    expect(viaFrame).toEqual(viaEvents);
  });

  it('leaves every other event as stored', () => {
    const zone: StoredEvent = { seq: 8, type: 'threat.removed', json: JSON.stringify({ seq: 8, timeMs: 1, type: 'threat.removed', id: 'tz-1', reason: 'deleted', actor }) };
    expect(wireJson(zone)).toBe(zone.json);
  });
});

describe('fixes as rows (P14)', () => {
  const actor = { tokenId: 'tk-9', org: 'wfp', role: 'field' };
  const fixAt = (seq: number, ...ids: string[]): EventOf<'position.reported'> => ({
    seq,
    timeMs: seq * 1000,
    type: 'position.reported',
    msgId: `m-${seq}`,
    actor,
    units: ids.map((unitId, i) => ({ unitId, lon: 12 + seq / 1000, lat: 57 + i / 1000, timeMs: seq * 1000 - 40, seenMs: seq * 1000 - 2, heading: i * 10 })),
  });
  const events: PictureEvent[] = [
    fixAt(2, 'a', 'b'),
    fixAt(3, 'a'),
    { seq: 4, timeMs: 4000, type: 'haven.removed', id: 'hv-1', actor },
    fixAt(5, 'c'),
    { ...fixAt(6, 'b', 'c'), units: [{ unitId: 'b', lon: 1, lat: 2, timeMs: 5990, seenMs: 6000, callsign: 'BRAVO', affiliation: 'civil' }] },
  ];
  const stored = (event: PictureEvent): StoredEvent => ({ seq: event.seq, type: event.type, json: JSON.stringify(event) });
  const appended = (event: PictureEvent): AppendedEvent => ({ ...stored(event), event });
  const fold = (frameEvents: unknown[]) => {
    const picture = { ...emptyPicture(), seq: 1 };
    expandDeltaEvents(frameEvents);
    applyEventsInPlace(picture, frameEvents as PictureEvent[]);
    return picture;
  };

  it('sends each run of fixes as rows relative to its time; folded, the frame gives the picture the objects give', () => {
    for (const source of [events.map(appended), events.map(stored)]) {
      const text = deltaJson(1, 6, source, true);
      const frame = JSON.parse(text) as { events: Array<Record<string, unknown>> };
      expect(frame.events.map((e) => [e.seq, e.type])).toEqual([
        [3, 'position.reported'],
        [4, 'haven.removed'],
        [6, 'position.reported'],
      ]);
      expect(frame.events[0]).toEqual({
        seq: 3,
        timeMs: 3000,
        type: 'position.reported',
        fixes: [
          ['a', 12.002, 57, -1040, -1002, 0],
          ['b', 12.002, 57.001, -1040, -1002, 10],
          ['a', 12.003, 57, -40, -2, 0],
        ],
      });
      // The fix that names a callsign travels whole.
      expect(frame.events[2].fixes).toContainEqual({ unitId: 'b', lon: 1, lat: 2, timeMs: 5990, seenMs: 6000, callsign: 'BRAVO', affiliation: 'civil' });
      for (const e of [frame.events[0], frame.events[2]]) expect(Object.keys(e)).toEqual(['seq', 'timeMs', 'type', 'fixes']);
      const objects = JSON.parse(deltaJson(1, 6, events.map(stored))) as { events: unknown[] };
      expect(text.length).toBeLessThan(deltaJson(1, 6, events.map(stored)).length);
      expect(fold(frame.events)).toEqual(fold(objects.events));
    }
  });

  it('gives each client its form: rows and objects clients share one frame string per form, and both fold to the source picture', async () => {
    const source = new MemorySource();
    const br = new Broadcaster({ source, outbox: outboxOf(source, 1), logger: silentLogger, bufferLimitBytes: 1e9, frameMs: 60_000 });
    b = br;
    const rowSinks = [new MemorySink(), new MemorySink()];
    const objectSink = new MemorySink();
    const rowClient = br.add(rowSinks[0], EVERYONE, { rows: true });
    br.add(rowSinks[1], EVERYONE, { rows: true });
    br.add(objectSink, EVERYONE);
    for (let i = 0; i < 20; i++) source.commit(`u${i % 6}`);
    br.flush();
    expect(rowSinks[0].sent[1]).toBe(rowSinks[1].sent[1]);
    const rowFrame = rowSinks[0].messages()[1] as unknown as { events: Array<Record<string, unknown>> };
    const objectFrame = objectSink.messages()[1];
    expect(rowFrame.events[0]).toHaveProperty('fixes');
    expect(rowFrame.events[0]).not.toHaveProperty('units');
    expect(objectFrame.events![0]).toHaveProperty('units');
    for (const frame of [rowFrame, objectFrame]) {
      const picture = emptyPicture();
      expandDeltaEvents(frame.events!);
      applyEventsInPlace(picture, frame.events as PictureEvent[]);
      picture.seq = 20;
      expect(picture).toEqual(source.picture);
    }
    // A resync from the log comes in the client's form too.
    await br.resync(rowClient, 18);
    const resync = rowSinks[0].messages()[2] as unknown as { type: string; since: number; events: Array<Record<string, unknown>> };
    expect(resync).toMatchObject({ type: 'delta', since: 18 });
    expect(resync.events[0].fixes).toHaveLength(2);
  });

  it('sends each audience what its policy shows, serialised once per audience however many clients it has', async () => {
    const source = new MemorySource();
    let eventCalls = 0;
    // Civil staff do not see military units; everyone else sees everything.
    const policy: SharingPolicy = {
      audienceOf: (r: Recipient) => (r.org === 'ngo' ? 'civil' : 'all'),
      seesAll: (audience) => audience === 'all',
      picture: (_a, picture) => ({ ...picture, units: Object.fromEntries(Object.entries(picture.units).filter(([id]) => !id.startsWith('mil'))) }),
      event: (_a, event) => {
        eventCalls++;
        if (event.type !== 'position.reported') return event;
        const units = event.units.filter((u) => !u.unitId.startsWith('mil'));
        return units.length === 0 ? undefined : units.length === event.units.length ? event : { ...event, units };
      },
      zones: (_a, ids) => ids.filter((id) => !id.startsWith('mil')),
    };
    const outbox = outboxOf(source, 1, policy);
    const br = (b = new Broadcaster({ source, outbox, logger: silentLogger, bufferLimitBytes: 1e9, frameMs: 60_000 }));
    source.commit('mil-1', 'ngo-1');
    br.flush();
    const civil = outbox.audience({ tokenId: 'a', org: 'ngo', role: 'viewer' });
    expect(outbox.audience({ tokenId: 'b', org: 'ngo', role: 'planner' })).toBe(civil);
    const all = outbox.audience({ tokenId: 'c', org: 'army', role: 'viewer' });
    const civilSinks = [new MemorySink(), new MemorySink(), new MemorySink()];
    const allSink = new MemorySink();
    const clients = civilSinks.map((sink) => br.add(sink, civil));
    br.add(allSink, all);
    expect(Object.keys((civilSinks[0].messages()[0] as unknown as { picture: { units: object } }).picture.units)).toEqual(['ngo-1']);
    expect(Object.keys((allSink.messages()[0] as unknown as { picture: { units: object } }).picture.units)).toEqual(['mil-1', 'ngo-1']);

    source.commit('mil-2', 'ngo-2', 'mil-1');
    eventCalls = 0;
    br.flush();
    // One pass of the policy over the frame for the civil audience, none for the one that sees all.
    expect(eventCalls).toBe(3);
    expect(civilSinks[1].sent[1]).toBe(civilSinks[0].sent[1]);
    expect(civilSinks[2].sent[1]).toBe(civilSinks[0].sent[1]);
    expect(fixedUnits(civilSinks[0].messages()[1].events!)).toEqual(['ngo-2']);
    expect(fixedUnits(allSink.messages()[1].events!)).toEqual(['mil-2', 'ngo-2', 'mil-1']);
    // A resync from the log passes the same policy.
    await br.resync(clients[0], 0);
    expect(fixedUnits(civilSinks[0].messages()[2].events!)).toEqual(['ngo-1', 'ngo-2']);
    // And so does a refusal's list of zones.
    expect(outbox.zones(civil, ['mil-zone', 'zone-1'])).toEqual(['zone-1']);
    expect(outbox.zones(all, ['mil-zone', 'zone-1'])).toEqual(['mil-zone', 'zone-1']);
  });

  it('a policy that fails for one audience costs that audience its frame, not every client theirs', () => {
    const source = new MemorySource();
    let failing = true;
    const policy: SharingPolicy = {
      ...SHARE_ALL,
      audienceOf: (r) => r.org,
      seesAll: (audience) => audience !== 'bad',
      picture: (_a, p) => p,
      event: (_a, e) => {
        if (failing) throw new Error('policy fault');
        return e;
      },
    };
    const outbox = outboxOf(source, 1, policy);
    const br = (b = new Broadcaster({ source, outbox, logger: silentLogger, bufferLimitBytes: 1e9, frameMs: 60_000 }));
    const good = new MemorySink();
    const bad = new MemorySink();
    br.add(bad, outbox.audience({ tokenId: 'a', org: 'bad', role: 'viewer' }));
    br.add(good, outbox.audience({ tokenId: 'b', org: 'good', role: 'viewer' }));
    source.commit('u1');
    br.flush();
    expect(good.messages().map((m) => m.type)).toEqual(['snapshot', 'delta']);
    expect(bad.messages().map((m) => m.type)).toEqual(['snapshot']);
    // Once the policy works again the client that missed a frame is sent a snapshot.
    failing = false;
    source.commit('u2');
    br.flush();
    expect(bad.messages().map((m) => [m.type, m.seq])).toEqual([
      ['snapshot', 0],
      ['snapshot', 2],
    ]);
  });

  afterEach(() => b?.close());
  let b: Broadcaster | undefined;
});

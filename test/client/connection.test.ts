// Reconnect and resync tests (test/client → client/src/net): an in-memory fake socket and fake timers the test flushes.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, Connection, sameOriginWsUrl, type ConnectionOptions, type SocketLike } from '../../client/src/net/connection.js';
import { createPictureStore } from '../../client/src/state/picture-store.js';
import { emptyPicture, type PictureEvent, type Unit } from '@corridor/protocol';
import { CLOSE_TOKEN_REVOKED, PROTOCOL_VERSION } from '@corridor/protocol';

/** A socket whose server side the test drives: open, deliver, close; it records what the client sent. */
class FakeSocket implements SocketLike {
  sent: Record<string, unknown>[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  deliver(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

/** Timers the test runs by hand, in due order. */
class FakeClock {
  now = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  set = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  };
  clear = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  /** Advances time by `ms`, running every timer that falls due. */
  advance(ms: number) {
    const end = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const t = this.timers[0];
      if (!t || t.at > end) break;
      this.timers.shift();
      this.now = t.at;
      t.fn();
    }
    this.now = end;
  }
  pendingDelays() {
    return this.timers.map((t) => t.at - this.now);
  }
}

const unit = (unitId: string, lon: number, t: number): Unit => ({ unitId, lon, lat: 57.7, timeMs: t, seenMs: t });
const posEvent = (seq: number, lon: number): PictureEvent => ({ seq, timeMs: 5_000 + seq, type: 'position.reported', units: [unit('u-1', lon, seq)] });

function setup(overrides: Partial<Pick<ConnectionOptions, 'pingEveryMs' | 'checkSignIn' | 'signedOutRetryMs' | 'onEvents'>> = {}) {
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  const store = createPictureStore();
  const conn = new Connection({
    url: 'ws://test/ws',
    store,
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    now: () => clock.now,
    random: () => 0.5,
    setTimer: clock.set,
    clearTimer: clock.clear,
    baseDelayMs: 500,
    maxDelayMs: 8_000,
    offlineAfterMs: 20_000,
    pingEveryMs: 15_000,
    deadAfterMs: 45_000,
    ...overrides,
  });
  return { clock, sockets, store, conn, last: () => sockets[sockets.length - 1] };
}

function snapshot(seq: number, lon = 11.9) {
  const picture = { ...emptyPicture(), seq, units: { 'u-1': unit('u-1', lon, seq) } };
  return { type: 'snapshot', protocol: PROTOCOL_VERSION, seq, picture, staleAfterMs: 30_000, serverTimeMs: 2_000_000 };
}

describe('backoffDelayMs', () => {
  it('doubles from the base, stops at the cap, and keeps half the delay fixed', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 10].map((a) => backoffDelayMs(a, mid, 500, 8000))).toEqual([375, 750, 1500, 3000, 6000]);
    expect(backoffDelayMs(50, () => 0, 500, 8000)).toBe(4000);
    expect(backoffDelayMs(50, () => 0.999999, 500, 8000)).toBeCloseTo(8000, 0);
  });
});

describe('Connection', () => {
  it('folds the snapshot and in-order deltas, and goes live', () => {
    const { conn, store, last } = setup();
    conn.start();
    expect(store.getState().connection).toBe('connecting');
    last().open();
    expect(last().sent).toEqual([]); // nothing to resume from yet
    last().deliver(snapshot(10));
    expect(store.getState().connection).toBe('live');
    expect(store.getState().staleAfterMs).toBe(30_000);
    const threatsBefore = store.getState().picture.threats;
    last().deliver({ type: 'delta', since: 10, seq: 12, events: [posEvent(11, 11.91), posEvent(12, 11.92)] });
    expect(store.getState().picture.seq).toBe(12);
    expect(store.getState().picture.units['u-1'].lon).toBe(11.92);
    expect(store.getState().lastUpdateMs).toBe(2_000_000);
    // A slice no event touched keeps its identity (layers keep their data).
    expect(store.getState().picture.threats).toBe(threatsBefore);
  });

  it('stops and says the server was updated when a snapshot speaks another protocol version, keeping the picture', () => {
    const { conn, store, last, sockets, clock } = setup();
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    const before = store.getState().picture;
    last().deliver({ ...snapshot(11), protocol: PROTOCOL_VERSION + 1 });
    expect(store.getState().connection).toBe('outdated');
    expect(store.getState().picture).toBe(before);
    const opened = sockets.length;
    clock.advance(60_000);
    expect(sockets.length).toBe(opened); // no retry: only a reload can help
  });

  it('P14: folds fixes sent as rows into the same units the object form gives', () => {
    const { conn, store, last } = setup();
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    const named: Unit = { unitId: 'u-2', lon: 12.01, lat: 57.71, timeMs: 6_010, seenMs: 6_011, callsign: 'KILO 2' };
    last().deliver({
      type: 'delta',
      since: 10,
      seq: 12,
      events: [{ seq: 12, timeMs: 6_012, type: 'position.reported', fixes: [['u-1', 11.93, 57.7, -12, -11, 270, null, 15], named] }],
    });
    const { units, seq } = store.getState().picture;
    expect(seq).toBe(12);
    expect(units['u-1']).toEqual({ unitId: 'u-1', lon: 11.93, lat: 57.7, timeMs: 6_000, seenMs: 6_001, heading: 270, accuracy: 15 });
    expect(units['u-2']).toEqual(named);
  });

  it('asks the server for fixes as rows (P14)', () => {
    expect(sameOriginWsUrl({ protocol: 'https:', host: 'ops.example:8443' })).toBe('wss://ops.example:8443/ws?fixes=rows');
    expect(sameOriginWsUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws?fixes=rows');
  });

  it('P4: a delta past our seq is a gap: asks once for a resync and drops frames until it is filled', () => {
    const { conn, store, last } = setup();
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    last().deliver({ type: 'delta', since: 12, seq: 13, events: [posEvent(13, 11.95)] });
    last().deliver({ type: 'delta', since: 13, seq: 14, events: [posEvent(14, 11.96)] });
    expect(last().sent).toEqual([{ type: 'resync', since: 10 }]);
    expect(store.getState().picture.seq).toBe(10);
    expect(store.getState().picture.units['u-1'].lon).toBe(11.9);
    // The server answers with the missing events.
    last().deliver({ type: 'delta', since: 10, seq: 14, events: [posEvent(11, 11.91), posEvent(14, 11.96)] });
    expect(store.getState().picture.seq).toBe(14);
    expect(store.getState().picture.units['u-1'].lon).toBe(11.96);
  });

  it('P2: a frame received twice changes nothing the second time', () => {
    const { conn, store, last } = setup();
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    const frame = { type: 'delta', since: 10, seq: 11, events: [posEvent(11, 11.91)] };
    last().deliver(frame);
    const after = store.getState().picture;
    last().deliver(frame);
    expect(store.getState().picture.units).toBe(after.units);
    expect(store.getState().picture.seq).toBe(11);
    expect(last().sent).toEqual([]);
  });

  it('reconnects with growing, capped delays and resumes from the last seq', () => {
    // Pings far apart, so the only timer pending is the retry.
    const { conn, store, sockets, clock, last } = setup({ pingEveryMs: 1e9 });
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    last().deliver({ type: 'delta', since: 10, seq: 11, events: [posEvent(11, 11.91)] });
    last().drop();
    expect(store.getState().connection).toBe('reconnecting');
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [d] = clock.pendingDelays().filter((x) => x < 1e8);
      delays.push(d);
      clock.advance(d);
      last().drop(); // the server is still down
    }
    expect(delays).toEqual([375, 750, 1500, 3000, 6000, 6000]);
    expect(sockets.length).toBe(7);
    // Down for 17.6 s so far; past 20 s the indicator reads offline, and it keeps trying.
    clock.advance(6000);
    expect(store.getState().connection).toBe('offline');
    expect(sockets.length).toBe(8);
    // The server is back: the client asks to resume from seq 11.
    last().open();
    expect(last().sent).toEqual([{ type: 'resync', since: 11 }]);
    last().deliver({ type: 'delta', since: 11, seq: 12, events: [posEvent(12, 11.92)] });
    expect(store.getState().connection).toBe('live');
    expect(store.getState().picture.units['u-1'].lon).toBe(11.92);
    // Healthy again: the next drop starts over at the shortest delay.
    last().drop();
    expect(clock.pendingDelays().filter((x) => x < 1e8)).toEqual([375]);
  });

  it('a session ended because its token was revoked is marked signed out, keeps its picture, and is not retried', async () => {
    const { conn, store, sockets, clock, last } = setup({ pingEveryMs: 1e9 });
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    const pending = conn.send({ type: 'position', unitId: 'u-1', lon: 11.95, lat: 57.7 });
    last().drop(CLOSE_TOKEN_REVOKED);
    await expect(pending).rejects.toMatchObject({ code: 'unauthorized' });
    expect(store.getState().connection).toBe('signed-out');
    expect(store.getState().picture.units['u-1'].lon).toBe(11.9);
    expect(clock.pendingDelays().filter((d) => d < 1e8)).toEqual([]);
    clock.advance(60_000);
    expect(sockets.length).toBe(1);
  });

  it('issue 17: a socket refused at the upgrade reads signed out once the server says 401, asks again slowly, and resumes when the sign-in holds', async () => {
    let answer: 'ok' | 'refused' | 'unknown' = 'unknown';
    let asked = 0;
    const checkSignIn = async () => {
      asked++;
      return answer;
    };
    const { conn, store, sockets, clock, last } = setup({ pingEveryMs: 1e9, checkSignIn, signedOutRetryMs: 30_000 });
    const settle = () => new Promise((r) => setTimeout(r, 0));
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    // The server restarts: the socket drops after it was open, retried as any drop, without asking.
    last().drop();
    expect(asked).toBe(0);
    clock.advance(375);
    // The new socket closes before it opened: the server is asked; it is away ('unknown'), so retry.
    last().drop();
    await settle();
    expect(asked).toBe(1);
    expect(store.getState().connection).toBe('reconnecting');
    expect(clock.pendingDelays().filter((d) => d < 1e8)).toEqual([750]);
    // Back, but it refuses this page's session: signed out, no socket tried, the picture kept.
    answer = 'refused';
    clock.advance(750);
    last().drop();
    await settle();
    expect(store.getState().connection).toBe('signed-out');
    expect(store.getState().picture.units['u-1'].lon).toBe(11.9);
    const opened = sockets.length;
    clock.advance(29_000);
    expect(sockets.length).toBe(opened);
    // Asked again every 30 s, without a socket, until the sign-in holds; then the link resumes from seq 10.
    clock.advance(1_000);
    await settle();
    expect(asked).toBe(3);
    expect(sockets.length).toBe(opened);
    answer = 'ok';
    clock.advance(30_000);
    await settle();
    expect(sockets.length).toBe(opened + 1);
    last().open();
    expect(last().sent).toEqual([{ type: 'resync', since: 10 }]);
    last().deliver({ type: 'delta', since: 10, seq: 11, events: [posEvent(11, 11.91)] });
    expect(store.getState().connection).toBe('live');
    conn.stop();
  });

  it('issue 17: hands each folded delta to onEvents with the picture before and after', () => {
    const heard: { types: string[]; before: number; after: number }[] = [];
    const { conn, last } = setup({ onEvents: (events, before, after) => heard.push({ types: events.map((e) => e.type), before: before.seq, after: after.seq }) });
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    last().deliver({ type: 'delta', since: 10, seq: 11, events: [posEvent(11, 11.91)] });
    expect(heard).toEqual([{ types: ['position.reported'], before: 10, after: 11 }]);
    conn.stop();
  });

  it('P10: after resync-required it waits for the fresh snapshot and replaces the picture', () => {
    const { conn, store, last } = setup();
    conn.start();
    last().open();
    last().deliver(snapshot(10));
    last().deliver({ type: 'resync-required', seq: 50 });
    last().deliver({ type: 'delta', since: 50, seq: 51, events: [posEvent(51, 12.0)] });
    expect(store.getState().picture.seq).toBe(10);
    last().deliver(snapshot(51, 12.0));
    expect(store.getState().picture.seq).toBe(51);
    expect(store.getState().picture.units['u-1'].lon).toBe(12.0);
  });

  it('resolves a command on its ack, rejects it on error, and refuses to send while down', async () => {
    const { conn, last } = setup();
    conn.start();
    last().open();
    last().deliver(snapshot(1));
    const ok = conn.send({ type: 'threat.remove', id: 'tz-1', msgId: 'm-1' });
    const bad = conn.send({ type: 'threat.remove', id: 'tz-2', msgId: 'm-2' });
    expect(last().sent).toEqual([
      { type: 'threat.remove', id: 'tz-1', msgId: 'm-1' },
      { type: 'threat.remove', id: 'tz-2', msgId: 'm-2' },
    ]);
    last().deliver({ type: 'ack', msgId: 'm-1', seq: 2 });
    last().deliver({ type: 'error', msgId: 'm-2', code: 'not_found', message: 'No such zone.', path: '/id' });
    await expect(ok).resolves.toEqual({ type: 'ack', msgId: 'm-1', seq: 2 });
    await expect(bad).rejects.toMatchObject({ code: 'not_found' });
    last().drop();
    await expect(conn.send({ type: 'threat.remove', id: 'tz-3' })).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('pings while live and drops a link that has gone silent', () => {
    const { conn, clock, sockets, last } = setup();
    conn.start();
    last().open();
    last().deliver(snapshot(1));
    clock.advance(15_000);
    expect(last().sent).toEqual([{ type: 'ping' }]);
    last().deliver({ type: 'pong', serverTimeMs: 0 });
    clock.advance(15_000);
    expect(last().sent.length).toBe(2);
    // Nothing at all for 45 s: the socket is closed and a new one opened.
    clock.advance(45_000);
    expect(sockets[0].closed).toBe(true);
    clock.advance(1000);
    expect(sockets.length).toBe(2);
  });

  it('stop() closes the socket and makes no further attempts', () => {
    const { conn, clock, sockets, last } = setup();
    conn.start();
    last().open();
    conn.stop();
    expect(sockets[0].closed).toBe(true);
    clock.advance(60_000);
    expect(sockets.length).toBe(1);
  });
});

// The replay controller over a fake log (test/client → client/src/replay, issue 16): seeking with one picture,
// playing at speed through pages of events on a hand-driven clock, stepping, pausing at the present, back to live.
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, type PictureEvent, type Unit } from '@corridor/protocol';
import { createPictureStore } from '../../client/src/state/picture-store.js';
import { Replay } from '../../client/src/replay/replay-controller.js';
import { describeEvent, emptyContext, noteContext } from '../../client/src/replay/event-text.js';
import { EN, plain, wordsOf } from './words-fixture.js';

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);
const unit = (id: string, lon: number, timeMs: number): Unit => ({ unitId: id, lon, lat: 57.7, timeMs, seenMs: timeMs });

/** A log of one position report every 10 s for an hour, and a hold at 30 min. */
function makeLog(): PictureEvent[] {
  const log: PictureEvent[] = [];
  for (let i = 0; i < 360; i++) {
    const t = T0 + i * 10_000;
    log.push({ seq: log.length + 1, timeMs: t, type: 'position.reported', units: [unit('u-1', 11 + i / 1000, t)] });
    if (i === 180) log.push({ seq: log.length + 1, timeMs: t + 1, type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'holding', reason: 'bridge down', resumeWhen: 'engineers clear it', actor: { tokenId: 't', org: 'WFP', role: 'planner' } });
  }
  return log;
}

/** Seqs the fake server looks at per `skip` read (the real one: 50,000), small so the list must go on from `scannedTo`. */
const SCAN = 50;

/** A server over the log: the contract's range, picture-at and events calls, with every call recorded. */
function fakeServer(log: PictureEvent[], nowMs: () => number) {
  const calls: string[] = [];
  const getJson = async (path: string): Promise<unknown> => {
    calls.push(path);
    const url = new URL(path, 'http://x');
    const present = nowMs();
    if (url.pathname === '/api/replay/range') return { firstSeq: 1, firstMs: log[0].timeMs, lastSeq: log.length, lastMs: log[log.length - 1].timeMs };
    if (url.pathname === '/api/picture') {
      const atMs = Date.parse(url.searchParams.get('at')!);
      const upTo = log.filter((e) => e.timeMs <= atMs);
      const picture = applyEvents(emptyPicture(), upTo);
      return { seq: picture.seq, at: new Date(atMs).toISOString(), atMs, live: atMs >= present, staleAfterMs: 60_000, serverTimeMs: present, picture };
    }
    if (url.pathname === '/api/events') {
      const since = Number(url.searchParams.get('since'));
      const limit = Number(url.searchParams.get('limit'));
      const until = url.searchParams.has('until') ? Date.parse(url.searchParams.get('until')!) : Infinity;
      const skip = url.searchParams.get('skip')?.split(',');
      if (skip) {
        // As the server does: at most SCAN seqs looked at per call, and where it stopped.
        const toSeq = Math.min(log.length, since + SCAN);
        const events = log.filter((e) => e.seq > since && e.seq <= toSeq && e.timeMs <= until && !skip.includes(e.type)).slice(0, limit);
        return { seq: log.length, scannedTo: events.length === limit ? events[events.length - 1].seq : Math.max(since, toSeq), events: structuredClone(events) };
      }
      return { seq: log.length, events: structuredClone(log.filter((e) => e.seq > since && e.timeMs <= until).slice(0, limit)) };
    }
    throw { code: 'not_found', message: 'no such path', path: '' };
  };
  return { calls, getJson };
}

/** A replay on a hand-driven clock and timers. */
function setUp() {
  const log = makeLog();
  let now = T0 + 3_600_000 + 5_000; // five seconds after the last event
  const timers: { fn: () => void; at: number }[] = [];
  const server = fakeServer(log, () => now);
  const live = createPictureStore();
  live.setState({ picture: applyEvents(emptyPicture(), log), connection: 'live', hasSnapshot: true });
  const replay = new Replay({
    live,
    getJson: server.getJson,
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { fn, at: now + ms };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      const i = timers.indexOf(h as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    pager: { limit: 25, lookaheadS: 2 },
  });
  /** Moves the wall clock by `ms`, running the timers due and letting fetches answer. */
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      await flush();
      timers.sort((a, b) => a.at - b.at);
      const t = timers[0];
      if (!t || t.at > end) break;
      timers.shift();
      now = Math.max(now, t.at);
      t.fn();
    }
    now = end;
    await flush();
  };
  return { log, live, replay, server, advance, nowMs: () => now };
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
const unitLon = (replay: Replay) => replay.picture.getState().picture.units['u-1']?.lon;

describe('replay controller (issue 16)', () => {
  it('seeks with one GET /api/picture?at= and shows that picture, leaving the live store alone', async () => {
    const { replay, live, server, log } = setUp();
    const liveBefore = live.getState().picture;
    await replay.seek(T0 + 600_000 + 500);
    const s = replay.state.getState();
    expect(s.mode).toBe('past');
    expect(server.calls.filter((c) => c.startsWith('/api/picture'))).toEqual([`/api/picture?at=${encodeURIComponent('2026-12-06T09:10:00.500Z')}`]);
    // The picture at 09:10:00.5 holds the report of 09:10:00, the 61st.
    expect(replay.picture.getState().picture.seq).toBe(61);
    expect(unitLon(replay)).toBeCloseTo(11.06, 6);
    // The page's clocks read server time as now + offset: the replayed moment.
    const p = replay.picture.getState();
    expect(p.clockOffsetMs).toBe(T0 + 600_500 - (T0 + 3_605_000));
    expect(p.connection).toBe('live');
    expect(live.getState().picture).toBe(liveBefore);
    expect(live.getState().picture.seq).toBe(log.length);
  });

  it('plays at 60×: folds each event once its time is reached, reading pages ahead, and pauses', async () => {
    const { replay, server, advance } = setUp();
    await replay.seek(T0 + 600_000);
    replay.setSpeed(60);
    replay.setPlaying(true);
    await advance(1_000); // one wall second: one log minute, six reports
    expect(replay.picture.getState().picture.seq).toBe(61 + 6);
    expect(replay.state.getState().shownMs).toBe(T0 + 660_000);
    await advance(4_000);
    expect(replay.picture.getState().picture.seq).toBe(61 + 30);
    expect(unitLon(replay)).toBeCloseTo(11.09, 6);
    // Read in pages of 25 from the seek's seq on, each starting after the last seq read.
    const pages = server.calls.filter((c) => c.startsWith('/api/events?since=') && c.includes('until='));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]).toMatch(/^\/api\/events\?since=61&limit=25&until=/);
    replay.setPlaying(false);
    const seq = replay.picture.getState().picture.seq;
    await advance(10_000);
    expect(replay.picture.getState().picture.seq).toBe(seq);
  });

  it('keeps the page clocks (now + offset) on the shown moment while paused', async () => {
    const { replay, advance, nowMs } = setUp();
    await replay.seek(T0 + 600_000);
    await advance(5_000);
    const p = replay.picture.getState();
    expect(nowMs() + p.clockOffsetMs).toBe(T0 + 600_000);
    expect(p.picture.seq).toBe(61);
  });

  it('steps to the next listed event, folding what lies before it', async () => {
    const { replay } = setUp();
    await replay.seek(T0 + 60_000);
    await replay.next();
    const s = replay.state.getState();
    expect(s.shownMs).toBe(T0 + 1_800_001);
    // Every report up to the hold, and the hold itself (no convoy cv-1 in this log, so it changes no slice).
    expect(replay.picture.getState().picture.seq).toBe(182);
    expect(unitLon(replay)).toBeCloseTo(11.18, 6);
  });

  it('pauses when it reaches the present and says so; back to live leaves the past', async () => {
    const { replay, advance, log } = setUp();
    await replay.seek(T0 + 3_500_000);
    replay.setSpeed(600);
    replay.setPlaying(true);
    await advance(2_000);
    const s = replay.state.getState();
    expect(s.caughtUp).toBe(true);
    expect(s.clock.playing).toBe(false);
    expect(replay.picture.getState().picture.seq).toBe(log.length);
    replay.backToLive();
    expect(replay.state.getState().mode).toBe('live');
  });

  it('goes straight back to live when the moment sought is now or later', async () => {
    const { replay, nowMs } = setUp();
    await replay.seek(T0 + 60_000);
    expect(replay.state.getState().mode).toBe('past');
    await replay.seek(nowMs() + 1_000);
    expect(replay.state.getState().mode).toBe('live');
  });

  it('keeps the later of two seeks in flight', async () => {
    const { replay } = setUp();
    const first = replay.seek(T0 + 60_000);
    const second = replay.seek(T0 + 1_200_000);
    await Promise.all([first, second]);
    expect(replay.state.getState().shownMs).toBe(T0 + 1_200_000);
    expect(replay.picture.getState().picture.seq).toBe(121);
  });

  it('lists the log without its positions (the server leaves them out, a stretch at a time), and keeps the server refusal to show', async () => {
    const { replay, advance, server } = setUp();
    replay.start(60_000);
    await advance(0);
    const s = replay.state.getState();
    expect(s.range?.lastSeq).toBe(361);
    expect(s.listed.map((e) => e.type)).toEqual(['convoy.state-changed']);
    // Every read of the list asks the server to skip positions; it went on from where each stopped to the end.
    const reads = server.calls.filter((c) => c.startsWith('/api/events?') && !c.includes('until='));
    expect(reads.every((c) => c.includes('skip=position.reported'))).toBe(true);
    expect(reads.length).toBe(Math.ceil(361 / SCAN));
    expect(s.listCapped).toBe(false);
    replay.stop();
    const failing = new Replay({ live: createPictureStore(), getJson: () => Promise.reject({ code: 'forbidden', message: 'no', path: 'at' }) });
    await failing.seek(T0);
    expect(failing.state.getState().error).toEqual({ code: 'forbidden', message: 'no', path: 'at' });
    expect(failing.state.getState().mode).toBe('live');
  });
});

describe('the list of a long log', () => {
  it('reads only the latest 100,000 events of a log of a million, and says the list is cut', async () => {
    const calls: string[] = [];
    const replay = new Replay({
      live: createPictureStore(),
      getJson: async (path) => {
        calls.push(path);
        if (path === '/api/replay/range') return { firstSeq: 1, firstMs: T0, lastSeq: 1_000_000, lastMs: T0 + 86_400_000 };
        return { seq: 1_000_000, events: [] };
      },
      setTimer: () => null,
      clearTimer: () => undefined,
    });
    replay.start();
    await flush();
    expect(calls).toEqual(['/api/replay/range', '/api/events?since=900000&limit=2000&skip=position.reported,convoy.tracked,corridor.refreshed,audit.read']);
    expect(replay.state.getState().listCapped).toBe(true);
    replay.stop();
  });
});

describe('events in words', () => {
  const picture = emptyPicture();
  const actor = { tokenId: 't', org: 'WFP', role: 'planner' };

  it('says who held which convoy and why, and when it moves again', () => {
    const ctx = emptyContext();
    noteContext(ctx, { seq: 1, timeMs: T0, type: 'convoy.upserted', convoy: { id: 'cv-1', name: 'EVAC BLUE' } } as unknown as PictureEvent);
    const hold = { seq: 2, timeMs: T0, type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'holding', reason: 'bridge down', resumeWhen: 'engineers clear it', actor } as PictureEvent;
    const line = describeEvent(hold, ctx, picture, EN);
    expect(plain(line.who)).toBe('WFP · planner');
    expect(plain(line.what)).toBe('EVAC BLUE holds: bridge down · Resumes when: engineers clear it');
    expect(line.mark).toBe('hold');
  });

  it('names an acknowledged alert by what raised it, and the server as no one', () => {
    const ctx = emptyContext();
    noteContext(ctx, { seq: 1, timeMs: T0, type: 'convoy.upserted', convoy: { id: 'cv-1', name: 'EVAC BLUE' } } as unknown as PictureEvent);
    const raised = { seq: 2, timeMs: T0, type: 'alert.raised', alert: { id: 'al-1', convoyId: 'cv-1', kind: 'off_corridor', raisedMs: T0, detail: {} } } as PictureEvent;
    noteContext(ctx, raised);
    const r = describeEvent(raised, ctx, picture, EN);
    expect(r.who).toBeNull();
    expect(plain(r.what)).toBe(`Alert: ${EN.t('alert.kind.offCorridor')} · EVAC BLUE`);
    const ack = describeEvent({ seq: 3, timeMs: T0, type: 'alert.acknowledged', id: 'al-1', remark: 'called them', actor } as PictureEvent, ctx, picture, EN);
    expect(plain(ack.what)).toBe(`Alert acknowledged: ${EN.t('alert.kind.offCorridor')} · EVAC BLUE “called them”`);
    // Arabic words it in Arabic, the convoy's name kept in its own direction.
    const ar = describeEvent(raised, ctx, picture, wordsOf('ar'));
    expect(ar.what).toContain('تنبيه');
    expect(ar.what).toContain('\u2068EVAC BLUE\u2069');
  });

  it('says which file an import of displacement figures came from, who imported it and what it held (issue 17)', () => {
    const imported = { seq: 5, timeMs: T0, type: 'sites.imported', import: { id: 'im-1', name: 'dtm-round-12.csv', by: 'IOM', rows: 3026, sites: 10, flows: 0, skipped: 2912 }, sites: [], flows: [], actor } as unknown as PictureEvent;
    const line = describeEvent(imported, emptyContext(), picture, EN);
    expect(plain(line.what)).toBe('Displacement figures imported from dtm-round-12.csv by IOM: sites 10, flows 0');
    expect(plain(line.who)).toBe('WFP · planner');
  });

  it('gives a re-route with its reason', () => {
    const corridor = { convoyId: 'cv-9', status: 'ok', routes: [], reason: '', why: { code: 'rerouted_around', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: 240 }, computedMs: T0 };
    const line = describeEvent({ seq: 4, timeMs: T0, type: 'corridor.recomputed', corridor } as unknown as PictureEvent, emptyContext(), picture, EN);
    expect(plain(line.what)).toMatch(/^Route of cv-9: re-routed around zone tz-3/);
    expect(line.mark).toBe('reroute');
  });
});

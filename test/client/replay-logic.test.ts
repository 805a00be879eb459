// The replay's pure parts (test/client → client/src/replay, issue 16): the clock at speed, which events are
// due when, when a page of events is asked for and what its answer means, marks and the export window.
import { describe, expect, it } from 'vitest';
import {
  clockTime,
  dueEvents,
  exportQuery,
  listed,
  markOf,
  nextListed,
  nextPage,
  playClock,
  seekClock,
  speedClock,
  takePage,
  timelineShare,
  type ReplayClock,
} from '../../client/src/replay/replay-logic.js';

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);
const ev = (seq: number, timeMs: number, type = 'position.reported') => ({ seq, timeMs, type });

describe('replay clock (issue 16)', () => {
  const paused: ReplayClock = { atMs: T0, wallMs: 1_000, speed: 60, playing: false };

  it('stands still while paused, whatever the wall clock does', () => {
    expect(clockTime(paused, 1_000)).toBe(T0);
    expect(clockTime(paused, 999_000)).toBe(T0);
  });

  it('runs at its speed while playing: 60× turns 2 wall seconds into 2 log minutes', () => {
    const playing = playClock(paused, true, 5_000);
    expect(clockTime(playing, 5_000)).toBe(T0);
    expect(clockTime(playing, 7_000)).toBe(T0 + 120_000);
    // A wall clock read before the anchor never runs the log backwards.
    expect(clockTime(playing, 4_000)).toBe(T0);
  });

  it('keeps what it showed when paused, and when the speed changes mid-play', () => {
    let c = playClock(paused, true, 0);
    c = playClock(c, false, 1_000); // 60 s of log played
    expect(c.atMs).toBe(T0 + 60_000);
    expect(clockTime(c, 50_000)).toBe(T0 + 60_000);
    c = playClock(c, true, 50_000);
    c = speedClock(c, 600, 51_000); // one more second at 60×, then 600×
    expect(clockTime(c, 51_000)).toBe(T0 + 120_000);
    expect(clockTime(c, 52_000)).toBe(T0 + 120_000 + 600_000);
    for (const speed of [1, 10, 60, 600]) expect(clockTime(speedClock(c, speed, 51_000), 51_500)).toBe(T0 + 120_000 + 500 * speed);
  });

  it('jumps to a sought moment and goes on playing from there', () => {
    const c = seekClock(playClock(paused, true, 0), T0 - 3_600_000, 10_000);
    expect(c.playing).toBe(true);
    expect(clockTime(c, 11_000)).toBe(T0 - 3_600_000 + 60_000);
  });
});

describe('events due at a moment', () => {
  it('folds exactly the events whose time is reached, in seq order', () => {
    const events = [ev(5, T0 + 1_000), ev(6, T0 + 1_000), ev(7, T0 + 2_500), ev(8, T0 + 9_000)];
    expect(dueEvents(events, T0).due).toEqual([]);
    expect(dueEvents(events, T0 + 1_000).due.map((e) => e.seq)).toEqual([5, 6]);
    const { due, rest } = dueEvents(events, T0 + 5_000);
    expect(due.map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(rest.map((e) => e.seq)).toEqual([8]);
  });

  it('never folds an event before one of lower seq, even when the server clock stepped back between them (P1)', () => {
    const events = [ev(5, T0 + 3_000), ev(6, T0 + 1_000)];
    expect(dueEvents(events, T0 + 2_000).due).toEqual([]);
    expect(dueEvents(events, T0 + 3_000).due.map((e) => e.seq)).toEqual([5, 6]);
  });
});

describe('page fetching', () => {
  const present = T0 + 86_400_000;
  const start = { events: [], lastSeq: 40, readUntilMs: T0 };

  it('asks, while playing, for the log up to its look-ahead: 20 wall seconds at the speed, from the last seq read', () => {
    expect(nextPage(start, T0, { speed: 60, playing: true }, present)).toEqual({ since: 40, limit: 1000, untilMs: T0 + 20 * 60_000 });
    expect(nextPage(start, T0, { speed: 600, playing: true }, present, { limit: 50, lookaheadS: 5 })).toEqual({ since: 40, limit: 50, untilMs: T0 + 5 * 600_000 });
  });

  it('asks for nothing while paused at a moment already read, and only up to the clock when paused later', () => {
    expect(nextPage(start, T0, { speed: 60, playing: false }, present)).toBeNull();
    expect(nextPage(start, T0 + 5_000, { speed: 60, playing: false }, present)?.untilMs).toBe(T0 + 5_000);
  });

  it('never reads past the present, and holds off while enough events wait', () => {
    expect(nextPage(start, T0, { speed: 600, playing: true }, T0 + 30_000)?.untilMs).toBe(T0 + 30_000);
    expect(nextPage({ ...start, readUntilMs: T0 + 30_000 }, T0 + 10_000, { speed: 600, playing: true }, T0 + 30_000)).toBeNull();
    const full = { ...start, events: Array.from({ length: 10 }, (_, i) => ev(41 + i, T0 + i)) };
    expect(nextPage(full, T0, { speed: 60, playing: true }, present, { maxAhead: 10 })).toBeNull();
  });

  it('reads a page that was not full as covering its whole window', () => {
    const q = { since: 40, limit: 3, untilMs: T0 + 60_000 };
    const a = takePage(start, q, [ev(41, T0 + 10), ev(42, T0 + 20)]);
    expect(a.lastSeq).toBe(42);
    expect(a.readUntilMs).toBe(T0 + 60_000);
    expect(a.events.map((e) => e.seq)).toEqual([41, 42]);
    // An empty answer: nothing happened in the window.
    expect(takePage(start, q, []).readUntilMs).toBe(T0 + 60_000);
  });

  it('reads a full page as covering only up to just before its last event, and continues after its last seq', () => {
    const q = { since: 40, limit: 2, untilMs: T0 + 60_000 };
    const a = takePage(start, q, [ev(41, T0 + 10), ev(42, T0 + 20)]);
    expect(a.readUntilMs).toBe(T0 + 19);
    const next = nextPage(a, T0 + 30, { speed: 1, playing: false }, present, { limit: 2 });
    expect(next).toEqual({ since: 42, limit: 2, untilMs: T0 + 30 });
    // Events repeated by an overlapping page are dropped (P2).
    const b = takePage(a, next!, [ev(42, T0 + 20), ev(43, T0 + 25)]);
    expect(b.events.map((e) => e.seq)).toEqual([41, 42, 43]);
  });

  it('walks a whole log page by page at 600× without losing or repeating an event', () => {
    const log = Array.from({ length: 2_345 }, (_, i) => ev(i + 1, T0 + i * 700));
    const end = log[log.length - 1].timeMs;
    let ahead = { events: [] as ReturnType<typeof ev>[], lastSeq: 0, readUntilMs: T0 - 1 };
    const folded: number[] = [];
    const clock = { speed: 600, playing: true };
    let cursor = T0 - 1;
    for (let step = 0; step < 10_000 && folded.length < log.length; step++) {
      const q = nextPage(ahead, cursor, clock, end, { limit: 100, lookaheadS: 1 });
      if (q) ahead = takePage(ahead, q, log.filter((e) => e.seq > q.since && e.timeMs <= q.untilMs).slice(0, q.limit));
      const { due, rest } = dueEvents(ahead.events, cursor);
      folded.push(...due.map((e) => e.seq));
      ahead = { ...ahead, events: rest };
      cursor = Math.min(end, cursor + 250 * 600);
    }
    expect(folded).toEqual(log.map((e) => e.seq));
  });
});

describe('marks and the list', () => {
  it('marks zones, re-routes, holds and alerts, and nothing else', () => {
    expect(markOf({ type: 'threat.upserted' })).toBe('zone');
    expect(markOf({ type: 'constraint.removed' })).toBe('zone');
    expect(markOf({ type: 'corridor.recomputed', corridor: { why: { code: 'rerouted_around' } } })).toBe('reroute');
    expect(markOf({ type: 'corridor.recomputed', corridor: { why: { code: 'computed' } } })).toBeNull();
    expect(markOf({ type: 'reroute.proposed' })).toBe('reroute');
    expect(markOf({ type: 'reroute.proposed', more: true })).toBeNull();
    expect(markOf({ type: 'reroute.decided' })).toBe('reroute');
    expect(markOf({ type: 'convoy.state-changed', to: 'holding' })).toBe('hold');
    expect(markOf({ type: 'convoy.state-changed', to: 'moving' })).toBeNull();
    expect(markOf({ type: 'alert.raised' })).toBe('alert');
    expect(markOf({ type: 'alert.acknowledged' })).toBeNull();
    expect(markOf({ type: 'position.reported' })).toBeNull();
  });

  it('lists what people and the server decided, not the stream of positions and tracking', () => {
    expect(listed({ type: 'alert.acknowledged' })).toBe(true);
    expect(listed({ type: 'haven.upserted' })).toBe(true);
    expect(listed({ type: 'position.reported' })).toBe(false);
    expect(listed({ type: 'convoy.tracked' })).toBe(false);
    expect(listed({ type: 'reroute.proposed', more: true })).toBe(false);
    const events = [ev(1, T0, 'position.reported'), ev(2, T0 + 5, 'convoy.tracked'), ev(3, T0 + 9, 'alert.raised')];
    expect(nextListed(events, T0 - 1)?.seq).toBe(3);
    expect(nextListed(events, T0 + 9)).toBeUndefined();
  });

  it('places moments on the timeline, clamped to its ends', () => {
    expect(timelineShare(T0 + 500, T0, T0 + 1_000)).toBe(0.5);
    expect(timelineShare(T0 - 5, T0, T0 + 1_000)).toBe(0);
    expect(timelineShare(T0 + 5_000, T0, T0 + 1_000)).toBe(1);
    expect(timelineShare(T0, T0, T0)).toBe(1);
  });

  it('exports the window ending at the shown moment, never before the log began', () => {
    const q = new URLSearchParams(exportQuery(T0, 3_600_000, T0 - 86_400_000));
    expect(q.get('from')).toBe('2026-12-06T08:00:00.000Z');
    expect(q.get('to')).toBe('2026-12-06T09:00:00.000Z');
    expect(new URLSearchParams(exportQuery(T0, 3_600_000, T0 - 60_000)).get('from')).toBe('2026-12-06T08:59:00.000Z');
    expect(new URLSearchParams(exportQuery(T0, null, T0 - 7_200_000)).get('from')).toBe('2026-12-06T07:00:00.000Z');
  });
});

// Pure parts of the replay (client/src/replay, issue 16): the replay clock at a chosen speed, which fetched
// events are due to be folded at a moment, when to ask the server for the next page of events and what its
// answer means, and which events mark the timeline. No timers, no fetch: replay-controller.ts drives them.
import type { PictureEvent } from '@corridor/protocol';

/** Replay speeds offered, log seconds per wall-clock second. */
export const SPEEDS = [1, 10, 60, 600] as const;
export type Speed = (typeof SPEEDS)[number];

/**
 * The replay clock: the log time `atMs` it showed at wall-clock `wallMs` (both ms since epoch), running at
 * `speed` log ms per wall ms while `playing`.
 */
export interface ReplayClock {
  atMs: number;
  wallMs: number;
  speed: number;
  playing: boolean;
}

/**
 * The log time the clock shows at wall-clock `wallNowMs`, ms since epoch.
 * @example clockTime({ atMs: 1000, wallMs: 0, speed: 60, playing: true }, 500) // 31000
 */
export function clockTime(clock: ReplayClock, wallNowMs: number): number {
  return clock.playing ? clock.atMs + Math.max(0, wallNowMs - clock.wallMs) * clock.speed : clock.atMs;
}

/**
 * The clock set to `atMs` at `wallNowMs`, playing or paused as it was.
 * @example seekClock(clock, 5000, 100).atMs // 5000
 */
export function seekClock(clock: ReplayClock, atMs: number, wallNowMs: number): ReplayClock {
  return { ...clock, atMs, wallMs: wallNowMs };
}

/**
 * The clock playing (true) or paused (false) from where it is at `wallNowMs`.
 * @example playClock({ atMs: 0, wallMs: 0, speed: 10, playing: true }, false, 1000).atMs // 10000
 */
export function playClock(clock: ReplayClock, playing: boolean, wallNowMs: number): ReplayClock {
  return { ...clock, atMs: clockTime(clock, wallNowMs), wallMs: wallNowMs, playing };
}

/**
 * The clock at another speed from where it is at `wallNowMs`: what it showed so far stays shown.
 * @example clockTime(speedClock({ atMs: 0, wallMs: 0, speed: 1, playing: true }, 600, 1000), 2000) // 601000
 */
export function speedClock(clock: ReplayClock, speed: number, wallNowMs: number): ReplayClock {
  return { ...clock, atMs: clockTime(clock, wallNowMs), wallMs: wallNowMs, speed };
}

/**
 * Splits events fetched ahead (in seq order) into those due at log time `upToMs` (their `timeMs` reached)
 * and the rest. It stops at the first event not due, so an event is never folded before one of lower seq
 * (P1), even if the server's clock stepped back between them.
 * @example dueEvents([{ seq: 1, timeMs: 10 }, { seq: 2, timeMs: 30 }], 20).due.length // 1
 */
export function dueEvents<E extends Pick<PictureEvent, 'timeMs'>>(events: readonly E[], upToMs: number): { due: E[]; rest: E[] } {
  let i = 0;
  while (i < events.length && events[i].timeMs <= upToMs) i++;
  return { due: events.slice(0, i), rest: events.slice(i) };
}

/** The events fetched ahead of the replay clock and how far the log has been read. */
export interface Ahead<E extends Pick<PictureEvent, 'seq' | 'timeMs'> = PictureEvent> {
  /** Fetched, not yet folded, in seq order. */
  events: E[];
  /** Seq of the last event read (the picture's seq at a seek): the next page starts after it. */
  lastSeq: number;
  /** Every event up to this log time has been read, ms since epoch. */
  readUntilMs: number;
}

/** A request for `GET /api/events?since=&limit=&until=`. */
export interface PageQuery {
  since: number;
  limit: number;
  /** Log time the page stops at, ms since epoch (sent as ISO 8601). */
  untilMs: number;
}

/** How far ahead the pager reads and how much it holds. */
export interface PagerOptions {
  /** Events per page (default 1000). */
  limit?: number;
  /** Wall-clock seconds of playing to read ahead (default 20): 20 s at 600× is 200 min of log. */
  lookaheadS?: number;
  /** Most events held ahead; no page is asked for while this many wait (default 3000). */
  maxAhead?: number;
}

/**
 * The next page of events to ask for, or null when enough is read: the log must be read up to the clock
 * (`cursorMs`), and while playing `lookaheadS` seconds of wall-clock ahead of it, never past the
 * present (`presentMs`, the server's now).
 * @example nextPage({ events: [], lastSeq: 40, readUntilMs: 1000 }, 1000, { atMs: 1000, wallMs: 0, speed: 60, playing: true }, 99_999_999) // { since: 40, limit: 1000, untilMs: 1_201_000 }
 */
export function nextPage(ahead: Ahead<Pick<PictureEvent, 'seq' | 'timeMs'>>, cursorMs: number, clock: Pick<ReplayClock, 'speed' | 'playing'>, presentMs: number, o: PagerOptions = {}): PageQuery | null {
  const limit = o.limit ?? 1000;
  const lookaheadMs = clock.playing ? (o.lookaheadS ?? 20) * 1000 * clock.speed : 0;
  const wantMs = Math.min(cursorMs + lookaheadMs, presentMs);
  if (ahead.readUntilMs >= wantMs) return null;
  if (ahead.events.length >= (o.maxAhead ?? 3000)) return null;
  return { since: ahead.lastSeq, limit, untilMs: Math.max(wantMs, ahead.readUntilMs + 1) };
}

/**
 * The events held ahead once a page has answered: its events appended (those at or below `lastSeq` are
 * dropped, P2), and how far the log is now read: to the page's `untilMs` when it was not full, else to just
 * before its last event's time (more events of that millisecond may follow on the next page).
 * @example takePage({ events: [], lastSeq: 0, readUntilMs: 0 }, { since: 0, limit: 2, untilMs: 50 }, [{ seq: 1, timeMs: 10 }]).readUntilMs // 50
 */
export function takePage<E extends Pick<PictureEvent, 'seq' | 'timeMs'>>(ahead: Ahead<E>, query: PageQuery, page: readonly E[]): Ahead<E> {
  const fresh = page.filter((e) => e.seq > ahead.lastSeq);
  const lastSeq = fresh.length ? fresh[fresh.length - 1].seq : ahead.lastSeq;
  const full = page.length >= query.limit;
  const readUntilMs = full ? Math.max(ahead.readUntilMs, (fresh.length ? fresh[fresh.length - 1].timeMs : ahead.readUntilMs) - 1) : Math.max(ahead.readUntilMs, query.untilMs);
  return { events: [...ahead.events, ...fresh], lastSeq, readUntilMs };
}

/** What a mark on the timeline is about, each drawn in its own colour. */
export type MarkKind = 'zone' | 'reroute' | 'hold' | 'alert';

/** Corridor reasons that mean the convoy's route changed or was lost, not a first or unchanged computation. */
const REROUTE_CODES = new Set(['rerouted_around', 'lifted', 'rerouted', 'haven_changed', 'no_safe_route', 'found_again']);

/**
 * Whether an event marks the timeline, and as what: zones and constraints posted or removed, re-routes
 * (a corridor re-routed or cut, a proposal made or taken), holds, alerts raised; null for the rest
 * (position reports, tracking, acknowledgements).
 * @example markOf({ type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'holding' }) // 'hold'
 */
export function markOf(e: { type: string; corridor?: unknown; more?: unknown; to?: unknown }): MarkKind | null {
  switch (e.type) {
    case 'threat.upserted':
    case 'threat.removed':
    case 'constraint.upserted':
    case 'constraint.removed':
      return 'zone';
    case 'corridor.recomputed': {
      const why = (e.corridor as { why?: { code: string }; status?: string } | undefined)?.why;
      return why && REROUTE_CODES.has(why.code) ? 'reroute' : null;
    }
    case 'reroute.proposed':
      return e.more ? null : 'reroute';
    case 'reroute.decided':
    case 'convoy.route-chosen':
      return 'reroute';
    case 'convoy.state-changed':
      return e.to === 'holding' ? 'hold' : null;
    case 'alert.raised':
      return 'alert';
    default:
      return null;
  }
}

/** Event types the replay's list never shows: too many to read, or no change a reviewer looks for. */
/** Event types never listed beside the timeline: the stream of positions and tracking (the server leaves them out of the list's reads). */
export const UNLISTED_TYPES = ['position.reported', 'convoy.tracked', 'corridor.refreshed', 'audit.read'] as const;
const UNLISTED = new Set<string>(UNLISTED_TYPES);

/**
 * Whether an event is listed beside the timeline: every fact a reviewer asks about (who did what,
 * re-routes, holds, alerts, acknowledgements, items posted), not the stream of positions and tracking.
 * @example listed({ type: 'alert.acknowledged' }) // true
 */
export function listed(e: { type: string; more?: unknown }): boolean {
  return !UNLISTED.has(e.type) && !(e.type === 'reroute.proposed' && e.more);
}

/**
 * Where on the timeline a moment falls, 0 (its start) to 1 (its end), clamped.
 * @example timelineShare(150, 100, 200) // 0.5
 */
export function timelineShare(ms: number, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 1;
  return Math.min(1, Math.max(0, (ms - fromMs) / (toMs - fromMs)));
}

/**
 * The listed event a "next event" step goes to: the first after log time `afterMs`, or undefined.
 * @example nextListed([{ seq: 1, timeMs: 10, type: 'threat.upserted' }], 5)?.seq // 1
 */
export function nextListed<E extends { timeMs: number; type: string }>(events: readonly E[], afterMs: number): E | undefined {
  return events.find((e) => e.timeMs > afterMs && listed(e));
}

/**
 * The export window ending at `toMs` and lasting `spanMs` (the whole log from `firstMs` when null), as the
 * query of `GET /api/replay/events.csv` and `/tracks.geojson`.
 * @example exportQuery(Date.UTC(2026, 11, 6, 10), 3_600_000, 0) // 'from=2026-12-06T09%3A00%3A00.000Z&to=2026-12-06T10%3A00%3A00.000Z'
 */
export function exportQuery(toMs: number, spanMs: number | null, firstMs: number): string {
  const fromMs = spanMs === null ? firstMs : Math.max(firstMs, toMs - spanMs);
  return new URLSearchParams({ from: new Date(Math.min(fromMs, toMs)).toISOString(), to: new Date(toMs).toISOString() }).toString();
}

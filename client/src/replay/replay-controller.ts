// The replay's stateful shell (client/src/replay, issue 16): holds a second picture store beside the live one,
// seeks with one `GET /api/picture?at=`, plays forward by folding `GET /api/events` pages on a clock at the
// chosen speed, and reads the log once through for the timeline's marks and event list. The live store and
// its connection are never touched, so going back to live is instant.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { expandDeltaEvents, type Picture, type PictureEvent, type ProtocolError } from '@corridor/protocol';
import { createPictureStore, foldDelta, foldSnapshot, type PictureStore } from '../state/picture-store.js';
import { clockTime, listed, nextListed, nextPage, playClock, seekClock, speedClock, takePage, dueEvents, type Ahead, type PagerOptions, type ReplayClock, UNLISTED_TYPES } from './replay-logic.js';
import { emptyContext, noteContext, type EventContext } from './event-text.js';

/** `GET /api/replay/range`: the first and last event of the log. */
export interface ReplayRange {
  firstSeq: number;
  firstMs: number;
  lastSeq: number;
  lastMs: number;
}

/** `GET /api/picture?at=`. */
export interface PictureAt {
  seq: number;
  at: string;
  atMs: number;
  live: boolean;
  staleAfterMs: number;
  serverTimeMs: number;
  picture: Picture;
}

export interface ReplayState {
  /** `past` while the page shows the replayed picture. */
  mode: 'live' | 'past';
  range: ReplayRange | null;
  clock: ReplayClock;
  /** Log time the replayed picture shows, ms since epoch (the clock's, refreshed each tick). */
  shownMs: number;
  /** A seek is under way. */
  seeking: boolean;
  /** The replay reached the present and paused there. */
  caughtUp: boolean;
  /** The last refusal or failure, as the server gave it (code and field). */
  error: Pick<ProtocolError, 'code' | 'path'> | null;
  /** Events of the list (not position reports), read from the start of the log, oldest first. */
  listed: PictureEvent[];
  /** Reading the log for the list stopped at its cap: earlier ones are dropped. */
  listCapped: boolean;
  /** Names earlier events gave, for the list's wording. */
  context: EventContext;
}

export interface ReplayOptions {
  live: PictureStore;
  /** GETs a path of the same origin, resolving with its JSON or rejecting with the server's `{code, message, path}`. */
  getJson?: (path: string) => Promise<unknown>;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Tick of the clock while playing, ms (default 250). */
  tickMs?: number;
  pager?: PagerOptions;
  /** Most events the list keeps (default 5000). */
  maxListed?: number;
}

/** Tick of a paused replay, ms: keeps the page's clock (now + offset) on the shown moment. */
const PAUSED_TICK_MS = 1000;
/** Most events read for the list when the page opens: the log's latest ones. */
const MAX_LIST_SCAN = 100_000;
/** Events read per page for the list. */
const LIST_PAGE = 2000;

async function defaultGetJson(path: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch {
    throw { code: 'unavailable', message: 'no connection to the server', path: '' } satisfies ProtocolError;
  }
  const body = (await res.json().catch(() => null)) as { error?: ProtocolError } | null;
  if (!res.ok) throw body?.error ?? ({ code: res.status === 404 ? 'not_found' : 'unavailable', message: `HTTP ${res.status}`, path: '' } as ProtocolError);
  return body;
}

export class Replay {
  /** What the replay UI renders. */
  readonly state: StoreApi<ReplayState>;
  /** The replayed picture, shaped as the live one so the map and panels read either. */
  readonly picture: PictureStore;
  private readonly o: Required<Omit<ReplayOptions, 'pager'>> & { pager: PagerOptions };
  private ahead: Ahead = { events: [], lastSeq: 0, readUntilMs: 0 };
  private paging = false;
  private timer: unknown = null;
  private seekToken = 0;
  private listSeq = 0;
  private listing = false;
  private rangeTimer: unknown = null;
  private unsubscribeLive: (() => void) | null = null;
  private stopped = false;

  constructor(options: ReplayOptions) {
    this.o = {
      getJson: defaultGetJson,
      now: () => Date.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      tickMs: 250,
      maxListed: 5000,
      ...options,
      pager: options.pager ?? {},
    };
    this.picture = createPictureStore();
    this.state = createStore<ReplayState>(() => ({
      mode: 'live',
      range: null,
      clock: { atMs: 0, wallMs: 0, speed: 60, playing: false },
      shownMs: 0,
      seeking: false,
      caughtUp: false,
      error: null,
      listed: [],
      listCapped: false,
      context: emptyContext(),
    }));
  }

  /** Reads the log's range and its events for the list, and keeps both current every `everyMs`. */
  start(everyMs = 10_000): void {
    this.stopped = false;
    // The badge of the replayed picture shows the live link: past mode does not hide a dropped connection.
    const mirror = () => {
      const l = this.o.live.getState();
      this.picture.setState({ connection: l.connection, lastMessageAtMs: l.lastMessageAtMs });
    };
    mirror();
    this.unsubscribeLive = this.o.live.subscribe((s, prev) => {
      if (s.connection !== prev.connection || s.lastMessageAtMs !== prev.lastMessageAtMs) mirror();
    });
    const refresh = () => {
      if (this.stopped) return;
      void this.refreshRange().then(() => this.readList());
      this.rangeTimer = this.o.setTimer(refresh, everyMs);
    };
    refresh();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribeLive?.();
    if (this.rangeTimer !== null) this.o.clearTimer(this.rangeTimer);
    this.stopTicking();
  }

  /** The server's time now, ms since epoch, as the live link knows it. */
  presentMs(): number {
    return this.o.now() + this.o.live.getState().clockOffsetMs;
  }

  /** Asks the server for the log's range. */
  async refreshRange(): Promise<void> {
    try {
      const range = (await this.o.getJson('/api/replay/range')) as ReplayRange;
      this.state.setState({ range, error: null });
    } catch (e) {
      this.state.setState({ error: e as ProtocolError });
    }
  }

  /** Reads the log from where the list stopped, a page at a time, keeping the events it lists. */
  private async readList(): Promise<void> {
    if (this.listing) return;
    this.listing = true;
    try {
      // A long log is listed from its latest events: reading millions of events to list a few would cost the
      // server and the page far more than the list is worth; the rest is reached by seeking.
      const range = this.state.getState().range;
      if (this.listSeq === 0 && range && range.lastSeq - range.firstSeq > MAX_LIST_SCAN) {
        this.listSeq = range.lastSeq - MAX_LIST_SCAN;
        this.state.setState({ listCapped: true });
      }
      for (let pages = 0; pages < 50 && !this.stopped; pages++) {
        // The server leaves out the stream of positions and tracking (`skip`): the list reads the facts alone.
        const body = (await this.o.getJson(`/api/events?since=${this.listSeq}&limit=${LIST_PAGE}&skip=${UNLISTED_TYPES.join(',')}`)) as { seq: number; scannedTo?: number; events: PictureEvent[] };
        expandDeltaEvents(body.events as unknown[]);
        const s = this.state.getState();
        const ctx = s.context;
        const fresh: PictureEvent[] = [];
        for (const e of body.events) {
          if (e.seq <= this.listSeq) continue;
          noteContext(ctx, e);
          if (listed(e)) fresh.push(e);
        }
        if (body.events.length) this.listSeq = Math.max(this.listSeq, body.events[body.events.length - 1].seq);
        // Where the server stopped looking: the next page starts there (a stretch of positions alone lists nothing).
        if (body.scannedTo !== undefined) this.listSeq = Math.max(this.listSeq, body.scannedTo);
        if (fresh.length) {
          const all = [...s.listed, ...fresh];
          const capped = all.length > this.o.maxListed;
          this.state.setState({ listed: capped ? all.slice(all.length - this.o.maxListed) : all, listCapped: s.listCapped || capped, context: ctx });
        }
        if (body.events.length < LIST_PAGE && (body.scannedTo === undefined || body.scannedTo >= body.seq)) break;
      }
    } catch (e) {
      this.state.setState({ error: e as ProtocolError });
    } finally {
      this.listing = false;
    }
  }

  /**
   * Shows the picture at log time `atMs` (ms since epoch): one `GET /api/picture?at=`. At or after the
   * present the page goes back to live. A later seek wins over an earlier one still in flight.
   */
  async seek(atMs: number): Promise<void> {
    const token = ++this.seekToken;
    this.state.setState({ seeking: true, error: null });
    try {
      const body = (await this.o.getJson(`/api/picture?at=${encodeURIComponent(new Date(Math.round(atMs)).toISOString())}`)) as PictureAt;
      if (token !== this.seekToken || this.stopped) return;
      if (body.live) {
        this.backToLive();
        return;
      }
      const now = this.o.now();
      const live = this.o.live.getState();
      const folded = foldSnapshot(this.picture.getState(), { type: 'snapshot', protocol: 0, seq: body.seq, picture: body.picture, staleAfterMs: body.staleAfterMs, serverTimeMs: body.atMs }, now);
      // The page's clocks (stale units, the header) read server time as now + offset: here the replayed moment.
      this.picture.setState({ ...folded, lastUpdateMs: body.atMs, clockOffsetMs: body.atMs - now, connection: live.connection, lastMessageAtMs: live.lastMessageAtMs });
      this.ahead = { events: [], lastSeq: body.seq, readUntilMs: body.atMs };
      const clock = seekClock(this.state.getState().clock, body.atMs, now);
      this.state.setState({ mode: 'past', clock, shownMs: body.atMs, seeking: false, caughtUp: false });
      this.startTicking();
      void this.page();
    } catch (e) {
      if (token === this.seekToken) this.state.setState({ seeking: false, error: e as ProtocolError });
    }
  }

  /** Plays or pauses; playing from live starts from the chosen moment of the timeline only after a seek. */
  setPlaying(playing: boolean): void {
    const s = this.state.getState();
    if (s.mode !== 'past') return;
    this.state.setState({ clock: playClock(s.clock, playing, this.o.now()), caughtUp: false });
    // Restarted so that the pace of the ticks follows at once (a paused replay ticks once a second).
    this.stopTicking();
    this.tick();
    this.startTicking();
  }

  setSpeed(speed: number): void {
    const s = this.state.getState();
    this.state.setState({ clock: speedClock(s.clock, speed, this.o.now()) });
  }

  /**
   * Steps to the next listed event after the shown moment: folds every event up to it, no seek needed;
   * reads further pages when it is not yet read.
   */
  async next(): Promise<void> {
    const s = this.state.getState();
    if (s.mode !== 'past') return;
    const from = clockTime(s.clock, this.o.now());
    let target = nextListed(this.ahead.events, from);
    for (let pages = 0; !target && pages < 20; pages++) {
      const q = { since: this.ahead.lastSeq, limit: this.o.pager.limit ?? 1000, untilMs: this.presentMs() };
      if (this.ahead.readUntilMs >= q.untilMs) break;
      const body = (await this.o.getJson(eventsPath(q))) as { events: PictureEvent[] };
      expandDeltaEvents(body.events as unknown[]);
      this.ahead = takePage(this.ahead, q, body.events);
      target = nextListed(this.ahead.events, from);
    }
    if (!target) return;
    const now = this.o.now();
    this.state.setState({ clock: seekClock({ ...this.state.getState().clock, playing: false }, target.timeMs, now) });
    this.tick();
  }

  /** Leaves the past: the page shows the live picture again, which never stopped. */
  backToLive(): void {
    this.seekToken++;
    this.stopTicking();
    const s = this.state.getState();
    this.ahead = { events: [], lastSeq: 0, readUntilMs: 0 };
    this.state.setState({ mode: 'live', clock: { ...s.clock, playing: false }, seeking: false, caughtUp: false, error: null });
  }

  private startTicking(): void {
    if (this.timer !== null || this.stopped) return;
    const loop = () => {
      this.timer = null;
      this.tick();
      const s = this.state.getState();
      // Paused, it still ticks once a second: the page's clocks (now + offset) must stay on the shown moment.
      if (s.mode === 'past') this.timer = this.o.setTimer(loop, s.clock.playing ? this.o.tickMs : PAUSED_TICK_MS);
    };
    this.timer = this.o.setTimer(loop, this.state.getState().clock.playing ? this.o.tickMs : PAUSED_TICK_MS);
  }

  private stopTicking(): void {
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
  }

  /** Moves the replayed picture to the clock's time: folds the events due, pauses at the present, reads ahead. */
  tick(): void {
    const s = this.state.getState();
    if (s.mode !== 'past') return;
    const now = this.o.now();
    const present = this.presentMs();
    let at = clockTime(s.clock, now);
    let clock = s.clock;
    let caughtUp = false;
    if (at >= present) {
      at = present;
      clock = { ...seekClock(clock, at, now), playing: false };
      caughtUp = true;
    }
    // Events are folded only as far as the log has been read: the picture never skips one still to come.
    const { due, rest } = dueEvents(this.ahead.events, at);
    if (due.length) {
      this.ahead = { ...this.ahead, events: rest };
      const last = due[due.length - 1];
      this.picture.setState((p) => foldDelta(p, { type: 'delta', seq: last.seq, since: due[0].seq - 1, events: due }, now));
    }
    this.picture.setState({ clockOffsetMs: at - now, lastUpdateMs: Math.max(this.picture.getState().lastUpdateMs, at) });
    this.state.setState({ shownMs: at, clock, caughtUp: caughtUp || s.caughtUp });
    void this.page();
  }

  /** Reads the next page of events ahead of the clock when one is needed; one at a time. */
  private async page(): Promise<void> {
    if (this.paging) return;
    const s = this.state.getState();
    if (s.mode !== 'past') return;
    const q = nextPage(this.ahead, clockTime(s.clock, this.o.now()), s.clock, this.presentMs(), this.o.pager);
    if (!q) return;
    this.paging = true;
    const token = this.seekToken;
    try {
      const body = (await this.o.getJson(eventsPath(q))) as { events: PictureEvent[] };
      if (token !== this.seekToken) return;
      expandDeltaEvents(body.events as unknown[]);
      this.ahead = takePage(this.ahead, q, body.events);
    } catch (e) {
      this.state.setState({ error: e as ProtocolError });
      return;
    } finally {
      this.paging = false;
    }
    // A paused clock folds what it now has at once; a playing one on its next tick.
    if (!this.state.getState().clock.playing) this.tick();
    else void this.page();
  }
}

/** The `GET /api/events` path of a page query. */
export function eventsPath(q: { since: number; limit: number; untilMs: number }): string {
  return `/api/events?since=${q.since}&limit=${q.limit}&until=${encodeURIComponent(new Date(Math.round(q.untilMs)).toISOString())}`;
}

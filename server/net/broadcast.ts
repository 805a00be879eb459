// Fan-out of committed events to WebSocket clients (server/net): snapshot on join, deltas coalesced
// every 50 ms (P4), resync from the log, and bounded per-client buffers (P10). What each client is
// sent comes from the outbox (server/out), as its audience may see it.
import type { Logger } from 'pino';
import type { AppendedEvent, StoredEvent } from '../log/event-log.js';
import type { Audience, Outbox } from '../out/outbox.js';
import type { EventOf, Picture, Unit } from '@corridor/protocol';
import { fixJson } from '@corridor/protocol';

/** What the broadcaster needs of a socket; `ws.WebSocket` fits, and tests pass an in-memory one. */
export interface ClientSink {
  /**
   * Sends one text message. A frame shared by many clients comes as UTF-8 bytes with
   * `{binary: false}` (encoded once, not once per client); `ws.WebSocket.send` takes both forms.
   */
  send(data: string | Buffer, options: { binary: boolean }): void;
  /** Bytes queued in user space, not yet handed to the kernel. */
  readonly bufferedAmount: number;
}

/** What the broadcaster needs of the store. */
export interface EventSource {
  readonly picture: Picture;
  onCommit(listener: (events: AppendedEvent[]) => void): () => void;
  readSince(since: number, limit: number): Promise<StoredEvent[]>;
}

/** The events that change a convoy's orders, and what its lead unit is told changed (P27). */
const ORDER_CAUSES: Record<string, 'rerouted' | 'state' | 'route_chosen' | undefined> = {
  'reroute.decided': 'rerouted',
  'convoy.state-changed': 'state',
  'convoy.route-chosen': 'route_chosen',
};

/** One connected client as the broadcaster tracks it. */
export interface ClientHandle {
  readonly sink: ClientSink;
  /** Seq of the last event this client has been sent. */
  seq: number;
  /** `lagging` clients get no frames until their socket drains, then a snapshot (P10). */
  state: 'live' | 'lagging';
  /** Position events go to this client as rows of numbers (P14), not as objects. */
  readonly rows: boolean;
  /** What it may see (server/out). */
  readonly audience: Audience;
}

/** How a client asked to receive the picture. */
export interface ClientFormat {
  /** P14: position events as rows (`/ws?fixes=rows`). */
  rows?: boolean;
}

export interface BroadcasterOptions {
  source: EventSource;
  /** Every snapshot and frame, as each client's audience may see it. */
  outbox: Outbox;
  logger: Logger;
  /** Bytes a socket may hold unsent before its client is cut off from frames (P10). */
  bufferLimitBytes: number;
  /** Frame interval, ms (P4: at most one frame per 50 ms). */
  frameMs?: number;
  /** Resync requests further behind than this many events get a snapshot instead. */
  maxResyncEvents?: number;
}

/**
 * Sends every client a snapshot, then frames of the events committed since. Each frame is serialised
 * once per audience and form, and the same bytes go to every client of that audience that is exactly
 * at its `since`; only a client that joined or resynced mid-frame gets a trimmed copy.
 */
export class Broadcaster {
  private readonly clients = new Set<ClientHandle>();
  private pending: AppendedEvent[] = [];
  /** Seq up to which frames have been sent: the next frame's `since`. */
  private framedSeq: number;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly opts: Required<BroadcasterOptions>;
  /** Sockets of tokens bound to a unit, by unit: a lead unit's devices get their convoy's orders (P27). */
  private readonly units = new Map<string, Set<{ sink: ClientSink; audience: Audience }>>();

  constructor(opts: BroadcasterOptions) {
    this.opts = { frameMs: 50, maxResyncEvents: 10_000, ...opts };
    this.framedSeq = opts.source.picture.seq;
    this.unsubscribe = opts.source.onCommit((events) => {
      for (const e of events) this.pending.push(e);
      if (this.units.size > 0) this.sendOrders(events);
    });
    this.timer = setInterval(() => {
      // An exception in a timer ends the process: a frame that cannot be made is logged and skipped.
      try {
        this.flush();
      } catch (err) {
        this.opts.logger.error({ err }, 'sending a frame failed');
      }
    }, this.opts.frameMs);
    this.timer.unref();
  }

  /** Number of connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Registers a client of an audience and sends it a snapshot of the picture as that audience sees it. */
  add(sink: ClientSink, audience: Audience, format: ClientFormat = {}): ClientHandle {
    const client: ClientHandle = { sink, seq: 0, state: 'live', rows: format.rows === true, audience };
    this.clients.add(client);
    try {
      this.sendSnapshot(client);
    } catch (err) {
      // Tried again at the next frame (its seq is still 0).
      this.opts.logger.error({ err }, 'a snapshot could not be made for a joining client');
    }
    return client;
  }

  remove(client: ClientHandle): void {
    this.clients.delete(client);
  }

  /**
   * Registers a socket of a token bound to `unit` (of either stream kind): when a convoy it leads
   * changes state or route, it is sent the convoy's orders at once, not at the next frame (P27).
   * Returns the function that unregisters it.
   */
  addUnit(unit: string, sink: ClientSink, audience: Audience): () => void {
    const entry = { sink, audience };
    let set = this.units.get(unit);
    if (!set) this.units.set(unit, (set = new Set()));
    set.add(entry);
    return () => {
      set!.delete(entry);
      if (set!.size === 0 && this.units.get(unit) === set) this.units.delete(unit);
    };
  }

  /** The orders of the convoys whose state or route these events changed, to their lead units' sockets. */
  private sendOrders(events: readonly AppendedEvent[]): void {
    const picture = this.opts.source.picture;
    for (const e of events) {
      const cause = ORDER_CAUSES[e.type];
      if (!cause) continue;
      const convoyId = (e.event as { convoyId?: string }).convoyId;
      const lead = convoyId !== undefined ? picture.convoys[convoyId]?.leadUnitId : undefined;
      const sockets = lead !== undefined ? this.units.get(lead) : undefined;
      if (!sockets) continue;
      const texts = new Map<Audience, string | undefined>();
      for (const { sink, audience } of sockets) {
        try {
          if (!texts.has(audience)) texts.set(audience, this.opts.outbox.orders(audience, convoyId!, e.seq, cause));
          const text = texts.get(audience);
          if (text !== undefined) sink.send(text, TEXT);
        } catch (err) {
          this.opts.logger.error({ err, convoyId }, 'orders could not be sent to a lead unit');
        }
      }
    }
  }

  /**
   * Answers `{type:'resync', since}`: the events after `since` from the log as one delta, or a snapshot
   * when the client is too far behind or ahead of the log (it came from another database).
   */
  async resync(client: ClientHandle, since: number): Promise<void> {
    const head = this.opts.source.picture.seq;
    if (since > head || head - since > this.opts.maxResyncEvents) {
      this.sendSnapshot(client);
      return;
    }
    const rows = await this.opts.source.readSince(since, this.opts.maxResyncEvents);
    if (!this.clients.has(client)) return;
    const last = rows.length > 0 ? rows[rows.length - 1].seq : since;
    if (last < head) {
      this.sendSnapshot(client); // the log was trimmed or moved on while reading; a snapshot is exact
      return;
    }
    client.sink.send(deltaJson(since, last, this.opts.outbox.events(client.audience, rows), client.rows), TEXT);
    client.seq = last;
  }

  /** Sends one frame of everything pending to the clients that can take it; run every `frameMs`. */
  flush(): void {
    const pending = this.pending;
    const since = this.framedSeq;
    const head = pending.length > 0 ? pending[pending.length - 1].seq : since;
    this.pending = [];
    this.framedSeq = head;
    // The frame as bytes, once per audience and form (objects, rows), shared by every such client at `since`.
    const shared = new Map<Audience, Frame>();
    // P4: within one frame the latest fix per unit wins; superseded position events are left out.
    const merged = pending.length > 1 ? mergePositions(pending) : pending;
    let failed = 0;
    let failure: unknown;
    for (const client of this.clients) {
      // What one audience's policy cannot make is that audience's loss, not every client's: its
      // clients keep their seq and get a snapshot at the next frame.
      try {
        this.frame(client, since, head, merged, shared);
      } catch (err) {
        failed++;
        failure = err;
      }
    }
    if (failed > 0) this.opts.logger.error({ err: failure, clients: failed, seq: head }, 'a frame could not be made for some clients');
  }

  /** Sends one client its part of the frame (since, head]: the shared bytes, a trimmed copy, or a snapshot. */
  private frame(client: ClientHandle, since: number, head: number, merged: AppendedEvent[], shared: Map<Audience, Frame>): void {
    const sink = client.sink;
    if (client.state === 'lagging') {
      if (sink.bufferedAmount === 0) {
        client.state = 'live';
        this.sendSnapshot(client);
      }
      return;
    }
    if (client.seq >= head) return;
    if (sink.bufferedAmount > this.opts.bufferLimitBytes) {
      // P10: stop feeding a client that cannot keep up; it gets a snapshot once drained.
      client.state = 'lagging';
      sink.send(JSON.stringify({ type: 'resync-required', seq: head }), TEXT);
      this.opts.logger.warn({ bufferedBytes: sink.bufferedAmount, seq: head }, 'slow client cut off from frames until it drains');
      return;
    }
    if (client.seq < since) {
      this.sendSnapshot(client);
      return;
    }
    let frame = shared.get(client.audience);
    if (!frame) {
      frame = { events: this.opts.outbox.events(client.audience, merged), bytes: [undefined, undefined] };
      shared.set(client.audience, frame);
    }
    if (client.seq === since) {
      const form = client.rows ? 1 : 0;
      const bytes = (frame.bytes[form] ??= Buffer.from(deltaJson(since, head, frame.events, client.rows), 'utf8'));
      sink.send(bytes, TEXT);
    } else {
      const after = client.seq;
      sink.send(
        deltaJson(
          after,
          head,
          frame.events.filter((e) => e.seq > after),
          client.rows,
        ),
        TEXT,
      );
    }
    client.seq = head;
  }

  /** Stops the frame timer and the subscription; sends what is pending first. */
  close(): void {
    this.flush();
    clearInterval(this.timer);
    this.unsubscribe();
    this.clients.clear();
  }

  /**
   * Sends a fresh snapshot to every live client whose audience `which` names (all when absent): what
   * they may see changed without an event of their own (an agreement reloaded, items delivered late
   * coming of age). A lagging client gets one once it drains, as always.
   */
  resnapshot(which?: (audience: Audience) => boolean): number {
    let sent = 0;
    for (const client of this.clients) {
      if (client.state !== 'live' || (which && !which(client.audience))) continue;
      try {
        this.sendSnapshot(client);
        sent++;
      } catch (err) {
        this.opts.logger.error({ err }, 'a snapshot could not be re-sent to a client');
      }
    }
    return sent;
  }

  private sendSnapshot(client: ClientHandle): void {
    const snapshot = this.opts.outbox.snapshotMessage(client.audience);
    client.sink.send(snapshot.text, TEXT);
    client.seq = snapshot.seq;
  }
}

/** One frame as an audience sees it: its events, and their bytes per form (objects, rows) once made. */
interface Frame {
  events: AppendedEvent[];
  bytes: [Buffer | undefined, Buffer | undefined];
}

/** Send options of a shared frame: bytes sent as a text message. */
const TEXT = { binary: false };

/**
 * The events of a frame without the position events that a later event in the same frame makes
 * redundant (P4: latest fix per unit wins). An event is left out only when, for each of its units, a
 * later kept event has a fix at least as new and it brings no callsign or affiliation: the client's
 * fold (newer-or-equal fix wins, P6) then ends in exactly the same picture. Order is kept.
 * @example mergePositions([fix('u1', t=1, seq=5), fix('u1', t=2, seq=6)]) // [event seq 6]
 */
export function mergePositions(events: readonly AppendedEvent[]): AppendedEvent[] {
  const newestLater = new Map<string, number>();
  const keep = new Uint8Array(events.length);
  let dropped = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i].event;
    if (event.type !== 'position.reported') {
      keep[i] = 1;
      continue;
    }
    let redundant = event.units.length > 0;
    for (const unit of event.units) {
      const later = newestLater.get(unit.unitId);
      if (later === undefined || later < unit.timeMs || unit.callsign !== undefined || unit.affiliation !== undefined || unit.cotType !== undefined) {
        redundant = false;
        break;
      }
    }
    if (redundant) {
      dropped++;
      continue;
    }
    keep[i] = 1;
    for (const unit of event.units) {
      const later = newestLater.get(unit.unitId);
      if (later === undefined || unit.timeMs > later) newestLater.set(unit.unitId, unit.timeMs);
    }
  }
  if (dropped === 0) return events as AppendedEvent[];
  const out: AppendedEvent[] = [];
  for (let i = 0; i < events.length; i++) if (keep[i] === 1) out.push(events[i]);
  return out;
}

/**
 * A delta frame from stored event texts, without re-serialising them (P4). Position events go out
 * as their fixes only, and each run of consecutive ones as one event with the seq and time of its
 * last (P12): applying it gives the picture those events give, in fewer bytes. With `rows`, a run's
 * fixes are rows relative to that time (P14), from the parsed event when it is at hand.
 */
export function deltaJson(since: number, seq: number, events: readonly (StoredEvent | AppendedEvent)[], rows = false): string {
  let body = '';
  let runHead = '';
  let runUnits = '';
  let runTimeMs = 0;
  let runParsed: Unit[][] = [];
  const add = (text: string) => {
    body += (body === '' ? '' : ',') + text;
  };
  const endRun = () => {
    if (runHead === '') return;
    if (rows) {
      let fixes = '';
      for (const units of runParsed) for (const unit of units) fixes += (fixes === '' ? '' : ',') + fixJson(unit, runTimeMs);
      add(`${runHead}${TYPE_KEY},"fixes":[${fixes}]}`);
      runParsed = [];
    } else add(`${runHead}${TYPE_KEY},"units":[${runUnits}]}`);
    runHead = '';
    runUnits = '';
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== 'position.reported') {
      endRun();
      add(e.json);
      continue;
    }
    if (rows) {
      const event = ('event' in e ? e.event : JSON.parse(e.json)) as EventOf<'position.reported'>;
      runHead = `{"seq":${event.seq},"timeMs":${event.timeMs},`;
      runTimeMs = event.timeMs;
      runParsed.push(event.units);
      continue;
    }
    const fix = splitFix(e.json);
    runHead = fix.head;
    if (fix.units !== '') runUnits += (runUnits === '' ? '' : ',') + fix.units;
  }
  endRun();
  return `{"type":"delta","since":${since},"seq":${seq},"events":[${body}]}`;
}

/**
 * One position event's text on the live stream: without its `msgId` and `actor` (P12). Every
 * screen needs the fix, none needs which token reported it, and at tens of thousands of fixes a
 * second the reporter's identity was a third of every frame. The audit trail (`GET /api/events`)
 * keeps both. Other events are sent as stored.
 */
export function wireJson(e: StoredEvent): string {
  if (e.type !== 'position.reported') return e.json;
  const fix = splitFix(e.json);
  return `${fix.head}${TYPE_KEY},"units":[${fix.units}]}`;
}

const TYPE_KEY = '"type":"position.reported"';
const UNITS_AFTER_TYPE = `${TYPE_KEY},"units":[`;

/**
 * A stored position event `{"seq":S,"timeMs":T,"msgId":…,"actor":{…},"type":"position.reported","units":[…]}`
 * (the order the store builds it in) as its head `{"seq":S,"timeMs":T,` and the text inside its units
 * array, by slicing rather than re-serialising; parsed and rebuilt when laid out otherwise. The key
 * texts searched for cannot occur inside a JSON string, whose quotes are escaped.
 */
function splitFix(json: string): { head: string; units: string } {
  const time = json.indexOf('"timeMs":');
  const afterTime = time < 0 ? -1 : json.indexOf(',', time);
  const type = json.indexOf(TYPE_KEY);
  // Only the units may follow the type, up to the end: anything else there could be the reporter.
  if (json.startsWith('{"seq":') && afterTime >= 0 && type > afterTime && json.startsWith(UNITS_AFTER_TYPE, type) && json.endsWith(']}')) {
    return { head: json.slice(0, afterTime + 1), units: json.slice(type + UNITS_AFTER_TYPE.length, -2) };
  }
  return rebuildFix(JSON.parse(json) as EventOf<'position.reported'>);
}

function rebuildFix(event: EventOf<'position.reported'>): { head: string; units: string } {
  return { head: `{"seq":${event.seq},"timeMs":${event.timeMs},`, units: JSON.stringify(event.units).slice(1, -1) };
}

// Test helpers for the scenario: an in-memory ingestion path built from the real protocol and core
// modules (validate → commands → apply-event, plus the router's onEvents), a manual clock and a
// straight-line engine for the tests that do not need real roads.
import pino from 'pino';
import type { CorridorEngine, RouteAnswer, RouteQuery } from '../../routing/types.js';
import { applyEvents } from '@corridor/protocol';
import { commandToEvent, existsIn, newId, ROUTING_EVENT_TYPES, type Command } from '../../server/core/commands.js';
import { emptyPicture, type Actor, type Picture, type PictureEvent, type NewEvent } from '@corridor/protocol';
import type { ClientCommand } from '@corridor/protocol';
import { validateCommand } from '@corridor/protocol/validate';

/** A logger that writes nothing. */
export const silentLogger = pino({ level: 'silent' });

/** A clock the test moves by hand; timers are recorded, never fired. */
export class ManualClock {
  constructor(public ms = Date.UTC(2026, 10, 21, 10, 0, 0)) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
  intervals: { fn: () => void; ms: number }[] = [];
  setInterval = (fn: () => void, ms: number): unknown => {
    this.intervals.push({ fn, ms });
    return this.intervals.length - 1;
  };
  cleared: unknown[] = [];
  clearInterval = (handle: unknown): void => {
    this.cleared.push(handle);
  };
}

/** A command refused by the in-memory server, with the protocol error's code and path. */
export class RefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/**
 * The server's ingestion path in memory: validate (P5), retry by msgId (P8), turn the command into
 * an event, stamp seq (P1), fold it into the picture, and let the router recompute corridors.
 */
export class MemoryServer {
  picture: Picture = emptyPicture();
  readonly events: PictureEvent[] = [];
  readonly submitted: ClientCommand[] = [];
  private readonly seqByMsgId = new Map<string, number>();

  constructor(
    private readonly clock: { now(): number },
    private readonly engine?: CorridorEngine,
    /** Who sends every command (the gateway's sender), recorded on the events; none by default. */
    private readonly actor?: Actor,
  ) {}

  submit = async (cmd: ClientCommand): Promise<{ seq: number }> => {
    this.submitted.push(cmd);
    const nowMs = this.clock.now();
    const v = validateCommand(cmd, nowMs);
    if (!v.ok) throw new RefusedError(v.error.code, v.error.message, v.error.path);
    const msgId = 'msgId' in cmd ? cmd.msgId : undefined;
    const known = msgId === undefined ? undefined : this.seqByMsgId.get(msgId);
    if (known !== undefined) return { seq: known };
    if (cmd.type === 'resync' || cmd.type === 'ping') return { seq: this.picture.seq };
    const r = commandToEvent(cmd as Command, {
      nowMs,
      actor: this.actor,
      exists: (slice, id) => existsIn(this.picture, slice, id),
      newId: (prefix) => newId(prefix, nowMs),
      alertStanding: (id) => (this.picture.alerts[id] ? (this.picture.alerts[id].acknowledged ? 'acknowledged' : 'unacknowledged') : undefined),
      proposalOf: (convoyId) => this.picture.proposals[convoyId],
      convoyState: (id) => this.picture.convoys[id]?.state,
    });
    if (!r.ok) throw new RefusedError(r.error.code, r.error.message, r.error.path);
    const event = this.append(r.event, nowMs);
    if (msgId !== undefined) this.seqByMsgId.set(msgId, event.seq);
    if (this.engine && ROUTING_EVENT_TYPES.has(event.type)) {
      for (const corridor of this.engine.onEvents([event], this.picture)) {
        this.append({ type: 'corridor.recomputed', corridor }, nowMs);
      }
    }
    return { seq: event.seq };
  };

  /** Lets the router compute the corridors the picture lacks (as the server does after replay). */
  initCorridors(): void {
    if (!this.engine) return;
    for (const corridor of this.engine.init(this.picture)) this.append({ type: 'corridor.recomputed', corridor }, this.clock.now());
  }

  /** Commands of one type, in the order they were submitted. */
  commands<K extends ClientCommand['type']>(type: K): Extract<ClientCommand, { type: K }>[] {
    return this.submitted.filter((c): c is Extract<ClientCommand, { type: K }> => c.type === type);
  }

  private append(event: NewEvent, nowMs: number): PictureEvent {
    const stamped = { ...event, seq: this.picture.seq + 1, timeMs: nowMs } as PictureEvent;
    this.events.push(stamped);
    this.picture = applyEvents(this.picture, [stamped]);
    return stamped;
  }
}

/**
 * An engine that answers every query with the straight line between its ends (no roads), or with
 * what `fail` returns for the queries it refuses. Corridors are not computed.
 */
export class StraightLineEngine implements CorridorEngine {
  readonly queries: RouteQuery[] = [];
  constructor(
    readonly bbox: [number, number, number, number] = [11.86, 57.648, 12.09, 57.762],
    public fail: (q: RouteQuery) => RouteAnswer | 'throw' | undefined = () => undefined,
  ) {}
  route(q: RouteQuery): RouteAnswer {
    this.queries.push(q);
    const refused = this.fail(q);
    if (refused === 'throw') throw new Error('engine exploded');
    if (refused) return refused;
    const dx = (q.to[0] - q.from[0]) * 111_320 * Math.cos((q.from[1] * Math.PI) / 180);
    const dy = (q.to[1] - q.from[1]) * 110_574;
    const distance_m = Math.hypot(dx, dy);
    return {
      ok: true,
      routes: [{ coordinates: [q.from, q.to], distance_m, duration_s: distance_m / 10, exposure_m: 0, min_clearance_m: null }],
    };
  }
  init(): [] {
    return [];
  }
  onEvents(): [] {
    return [];
  }
}

/** Runs `n` ticks of `stepMs` wall-clock ms each. */
export async function runTicks(sim: { tick(): Promise<void> }, clock: ManualClock, n: number, stepMs = 1000): Promise<void> {
  for (let i = 0; i < n; i++) {
    clock.advance(stepMs);
    await sim.tick();
  }
}

/** Ticks (1 s wall clock each) until the simulator's scenario clock reaches `simS` seconds. */
export async function runUntil(sim: { tick(): Promise<void>; readonly scenarioTimeS: number }, clock: ManualClock, simS: number): Promise<void> {
  do {
    clock.advance(1000);
    await sim.tick();
  } while (sim.scenarioTimeS < simS);
}

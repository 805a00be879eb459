// Reactors (server/core): parts of the server that react to committed events by appending events of
// their own: the router (corridors), expiry (zones past their validity), and later convoy tracking,
// alerts and notices. The store runs each one; this file is their contract.
import type { Corridor, CorridorUpdate, NewEvent, Picture, PictureEvent } from '@corridor/protocol';
import type { EntitySlice } from './commands.js';

/**
 * What a reactor hands back: events to append (as the system actor, in the next group commit), and
 * corridors, appended each as the event that turns the corridor the picture will hold by then into
 * this one (a figures-only refresh when it can, P11).
 */
export interface Reaction {
  events?: NewEvent[];
  corridors?: Corridor[];
  /** Corridors as a router on another thread sends them (see {@link CorridorUpdate}). */
  updates?: CorridorUpdate[];
}


/** What a reactor may use besides the events it is given. */
export interface ReactorContext {
  /** Appends at any time (a timer's reaction): in the next group commit, as the system actor. */
  append(reaction: Reaction): void;
  /** Whether an entity exists by then: committed, or created by a command queued ahead. */
  exists(slice: EntitySlice, id: string): boolean;
  /** The live picture (read only; its slices are replaced, never mutated, but for units). */
  picture(): Picture;
  /** The store's clock, ms since epoch. */
  now(): number;
}

/**
 * A reaction to committed events. The contract:
 * - **What it sees**: after each commit, the committed events of the types it names (never a
 *   position report unless it names `position.reported`: the hot path passes by at no cost), in seq
 *   order, with the picture they were folded into.
 * - **When**: after the events are durable and folded, before the next frame goes out; at start-up,
 *   once the picture is restored, before any client is served.
 * - **What it may append**: events of its own (system events) and corridors, through what it
 *   returns or through `ctx.append`; never anything on behalf of a client. Appends of one reactor go
 *   into the log in the order it made them. A reactor that fails is logged; the commit stands.
 * - **How long**: what it does on the main thread must take no more than a few milliseconds; heavy work
 *   (routing) runs elsewhere and answers by promise. Answers of one reactor are appended in the
 *   order of the commits they answer.
 */
export interface Reactor {
  readonly name: string;
  /** Event types it reacts to. */
  readonly types: ReadonlySet<string>;
  /**
   * For a reactor that takes `position.reported`: the units whose fixes it wants, read at each
   * commit; fixes of other units never reach it (the hot path passes them by).
   */
  readonly units?: { has(unitId: string): boolean };
  /** Once the picture is restored: what must be appended before the server serves anyone. */
  start?(picture: Picture, ctx: ReactorContext): Reaction | void | Promise<Reaction | void>;
  /**
   * After a commit that holds events of its types. `texts` are the same events as stored (JSON), for a
   * reactor that hands them to another thread: a string crosses by a copy of its bytes, where an
   * event holding a large geometry costs milliseconds to clone.
   */
  onCommitted(events: readonly PictureEvent[], picture: Picture, texts?: readonly string[]): Reaction | void | Promise<Reaction | void>;
  /** Stops its timers; resolves when its work under way is done. */
  stop?(): void | Promise<void>;
}

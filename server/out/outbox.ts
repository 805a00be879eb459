// The one way out (server/out). Everything the server tells anyone about the picture passes here with
// its recipient: the WebSocket snapshot, delta frames and resyncs, and every HTTP read (the picture,
// convoys, the audit trail, route answers). A sharing policy decides what each audience may see; the
// one in force today shows everyone everything, and the outbox then passes the stored texts through
// untouched. Texts are made once per audience (and per seq), never once per recipient, so withholding
// costs one frame per audience however many screens are open.
import type { Actor, OrdersMessage, Picture, PictureEvent } from '@corridor/protocol';
import { pictureFromJson, PROTOCOL_VERSION } from '@corridor/protocol';
import type { AppendedEvent, StoredEvent } from '../log/event-log.js';

/** Who a message is for: the signed-in token reading or receiving it. */
export interface Recipient {
  tokenId: string;
  /** The organisation the token was issued to. */
  org: string;
  /** Its role (auth/roles.ts). */
  role: string;
  /** For a token bound to one unit: that unit. */
  unit?: string;
}

/**
 * What each audience may see. Recipients the policy puts in one audience get the same bytes. Every
 * method must be pure: the outbox caches its answers per audience and seq.
 */
export interface SharingPolicy {
  /** The audience a recipient belongs to. */
  audienceOf(recipient: Recipient): string;
  /** Whether an audience sees everything as stored; the outbox then skips the other methods. */
  seesAll(audience: string): boolean;
  /** The picture as the audience may see it: a new object, or the given one when nothing is withheld. */
  picture(audience: string, picture: Picture): Picture;
  /** An event as the audience may see it: itself, a redacted copy, or undefined when withheld. */
  event(audience: string, event: PictureEvent): PictureEvent | undefined;
  /** Of these zone and constraint ids (a refused route's `blockedBy`), those the audience may know of. */
  zones(audience: string, ids: readonly string[], picture: Picture): string[];
  /**
   * Changes when the policy's answers change without a new seq (an agreement reloaded, a delay line's
   * new sample): the outbox remakes what it cached. Constant when absent.
   */
  version?(): number;
  /** Whether an audience's picture changes as time passes (items delivered late): it is re-sent at each step. */
  delayed?(audience: string): boolean;
  /**
   * A past picture (the replay, issue 16) as the audience may see it: as {@link picture}, but what it
   * receives late is withheld (what is delivered late is kept only for the present). A policy that
   * delays items must have it; without it {@link picture} is used.
   */
  pastPicture?(audience: string, picture: Picture): Picture;
}

/** Events only administrators receive (who read the audit trail, issue 13). */
const ADMIN_ONLY = new Set<string>(['audit.read']);

/** Until sharing agreements are configured: everyone sees everything (administrators in an audience of their own). */
export const SHARE_ALL: SharingPolicy = {
  audienceOf: (r) => (r.role === 'admin' ? 'admin' : 'all'),
  seesAll: () => true,
  picture: (_audience, picture) => picture,
  event: (_audience, event) => event,
  zones: (_audience, ids) => [...ids],
};

/**
 * Recipients that see the same things, as the outbox keeps them. A policy puts administrators in
 * audiences of their own (their role is part of the key).
 */
export interface Audience {
  readonly key: string;
  /** Everything as stored: texts pass through untouched. */
  readonly seesAll: boolean;
  /** Its recipients are administrators: they receive the audit trail's own events. */
  readonly admin: boolean;
}

export interface OutboxOptions {
  /** The current picture (the store's; never changed by the outbox). */
  picture: () => Picture;
  policy?: SharingPolicy;
  /** After how long without a report a unit counts as stale, ms (sent with every picture). */
  staleAfterMs: number;
  /** Clock, ms since epoch. */
  now?: () => number;
  /** What the picture is of, sent with every snapshot: the area's name and whether the built-in exercise runs (issue 17). */
  operation?: { area: string; exercise: boolean };
}

interface Cached {
  seq: number;
  version: number;
  picture: Picture;
  json?: string;
}

/** The one place that knows the recipient of everything sent. */
export class Outbox {
  private readonly policy: SharingPolicy;
  private readonly audiences = new Map<string, AudienceState>();
  private readonly now: () => number;

  constructor(private readonly opts: OutboxOptions) {
    this.policy = opts.policy ?? SHARE_ALL;
    this.now = opts.now ?? Date.now;
  }

  /** The audience of a recipient; the same object for every recipient of one audience. */
  audience(recipient: Recipient): Audience {
    return this.state(this.policy.audienceOf(recipient), recipient.role === 'admin');
  }

  /** Whether an audience's picture changes with time as well as with the log (items delivered late). */
  delayed(audience: Audience): boolean {
    return this.policy.delayed?.(audience.key) ?? false;
  }

  /** Changes when what the policy gives changes without a new seq (an agreement reloaded, a delayed sample). */
  version(): number {
    return this.policy.version?.() ?? 0;
  }

  /** After the policy changed its mind (an agreement reloaded): what each audience sees all of is asked again. */
  policyChanged(): void {
    for (const state of this.audiences.values()) {
      state.seesAll = this.policy.seesAll(state.key);
      state.cached = undefined;
    }
  }

  /** The recipient of a token's actor (an HTTP request or a socket's sender). */
  static recipientOf(actor: Actor, unit?: string): Recipient {
    return { tokenId: actor.tokenId, org: actor.org, role: actor.role, unit };
  }

  /** The picture as the audience may see it, made once per seq. Not to be changed by the caller. */
  picture(audience: Audience): Picture {
    return this.cached(audience).picture;
  }

  /** The JSON text of {@link picture}, made once per seq. */
  pictureJson(audience: Audience): { seq: number; json: string } {
    const cached = this.cached(audience);
    cached.json ??= JSON.stringify(cached.picture);
    return { seq: cached.seq, json: cached.json };
  }

  /**
   * A past picture's JSON text (the replay, issue 16; the whole picture as folded from the log) as the
   * audience may see it: the same text when it sees everything, else the policy's past view of it,
   * in which nothing the audience receives late is given (it is withheld rather than shown early).
   */
  pastPictureJson(audience: Audience, json: string): string {
    if (audience.seesAll) return json;
    const picture = pictureFromJson(JSON.parse(json) as Picture);
    if (this.policy.pastPicture) return JSON.stringify(this.policy.pastPicture(audience.key, picture));
    if (this.policy.delayed?.(audience.key)) throw new Error('the sharing policy delays items but cannot give a past picture');
    return JSON.stringify(this.policy.picture(audience.key, picture));
  }

  /** The `snapshot` message of the WebSocket protocol for an audience. */
  snapshotMessage(audience: Audience): { seq: number; text: string } {
    const { seq, json } = this.pictureJson(audience);
    return {
      seq,
      text: `{"type":"snapshot","protocol":${PROTOCOL_VERSION},"seq":${seq},"staleAfterMs":${this.opts.staleAfterMs},"serverTimeMs":${this.now()}${this.operationJson()},"picture":${json}}`,
    };
  }

  /** The body of `GET /api/picture` for an audience. */
  pictureResponse(audience: Audience): string {
    const { seq, json } = this.pictureJson(audience);
    return `{"seq":${seq},"staleAfterMs":${this.opts.staleAfterMs},"serverTimeMs":${this.now()}${this.operationJson()},"picture":${json}}`;
  }

  /** `,"area":…,"exercise":…` when the server knows what the picture is of; nothing otherwise. */
  private operationJson(): string {
    const op = this.opts.operation;
    return op ? `,"area":${JSON.stringify(op.area)},"exercise":${op.exercise}` : '';
  }

  /**
   * Events as the audience may see them, in order: the same array when it sees everything; otherwise
   * withheld events left out and redacted ones with their text remade. Events of a frame go through
   * once per audience, not once per client.
   */
  events<E extends StoredEvent | AppendedEvent>(audience: Audience, events: readonly E[]): E[] {
    if (audience.seesAll) return audience.admin || !events.some((e) => ADMIN_ONLY.has(e.type)) ? (events as E[]) : events.filter((e) => !ADMIN_ONLY.has(e.type));
    const out: E[] = [];
    for (const e of events) {
      if (ADMIN_ONLY.has(e.type) && !audience.admin) continue;
      const event = 'event' in e ? e.event : (JSON.parse(e.json) as PictureEvent);
      const seen = this.policy.event(audience.key, event);
      if (seen === undefined) continue;
      if (seen === event) out.push(e);
      // Its text is made only when a frame needs it (a frame of rows takes a fix from the object).
      else out.push(new Redacted(e.seq, e.type, seen) as unknown as E);
    }
    return out;
  }

  /**
   * The `orders` message of a convoy for its lead unit's devices (P27), as their audience may see the
   * convoy; undefined when it may not see it.
   */
  orders(audience: Audience, convoyId: string, seq: number, cause: OrdersMessage['cause']): string | undefined {
    const p = this.picture(audience);
    const convoy = p.convoys[convoyId];
    if (!convoy) return undefined;
    const corridor = p.corridors[convoyId];
    const best = corridor?.status === 'ok' ? corridor.routes[0] : undefined;
    const last = convoy.stateHistory?.[convoy.stateHistory.length - 1];
    const holding = convoy.state === 'holding' && last?.to === 'holding' ? last : undefined;
    const message: OrdersMessage = {
      type: 'orders',
      seq,
      cause,
      convoyId,
      name: convoy.name,
      state: convoy.state,
      ...(holding?.reason !== undefined ? { reason: holding.reason } : {}),
      ...(holding?.resumeWhen !== undefined ? { resumeWhen: holding.resumeWhen } : {}),
      route: best ? { coordinates: best.coordinates, distance_m: best.distance_m, duration_s: best.duration_s } : null,
      ...(corridor?.havenId ? { havenId: corridor.havenId } : {}),
      checkpoints: (convoy.checkpoints ?? []).map((c) => ({ name: c.name, at: c.at })),
    };
    return JSON.stringify(message);
  }

  /** Of these zone and constraint ids (a refused route's `blockedBy`), those the audience may know of. */
  zones(audience: Audience, ids: readonly string[]): string[] {
    return audience.seesAll ? [...ids] : this.policy.zones(audience.key, ids, this.opts.picture());
  }

  private cached(audience: Audience): Cached {
    const picture = this.opts.picture();
    const state = audience as AudienceState;
    const version = this.policy.version?.() ?? 0;
    if (state.cached?.seq !== picture.seq || state.cached.version !== version) {
      state.cached = { seq: picture.seq, version, picture: state.seesAll ? picture : this.policy.picture(audience.key, picture) };
    }
    return state.cached;
  }

  private state(key: string, admin: boolean): AudienceState {
    let state = this.audiences.get(key);
    if (!state) {
      state = { key, seesAll: this.policy.seesAll(key), admin };
      this.audiences.set(key, state);
    }
    return state;
  }
}

/** An event as an audience sees it, its JSON text made when first asked for. */
class Redacted {
  private text?: string;
  constructor(
    readonly seq: number,
    readonly type: string,
    readonly event: PictureEvent,
  ) {}
  get json(): string {
    return (this.text ??= JSON.stringify(this.event));
  }
}

interface AudienceState {
  readonly key: string;
  seesAll: boolean;
  readonly admin: boolean;
  cached?: Cached;
}

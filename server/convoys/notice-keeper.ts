// The notice keeper (server/convoys, issue 18, P36): a reactor that keeps each approved convoy's
// deconfliction notice in step with the convoy and its routed corridor. What it sees: convoys' upserts,
// changes of state and removals, the corridor events that may change a route, and its own `notice.*`
// events. What it appends, as the system: `notice.drafted` (the first version once a convoy is approved
// and has a corridor; a draft redrafted in place while it is not sent; a new version that supersedes a
// sent or acknowledged one when the route or the movement changed) and `notice.expired` (at the end of
// the window, or when the convoy arrives or is aborted). Sending and acknowledging are planners'
// commands (commands.ts). Building a notice is a few array passes over one route: well within the
// reactor contract's few milliseconds.
import { NOTICE_STATES, noticeChanges, roadsDiff, routeRoads, type Convoy, type Corridor, type NewEvent, type Notice, type NoticeChange, type NoticeContent, type Picture, type PictureEvent } from '@corridor/protocol';
import { simplify } from '@turf/turf';
import type { Reaction, Reactor, ReactorContext } from '../core/reactor.js';

/** Longest timer delay Node accepts is 2^31−1 ms; later windows are looked at again hourly. */
const MAX_TIMER_MS = 3_600_000;
/** A notice's line is simplified to within this many degrees (about 2 m): the notice is read, not driven. */
const LINE_TOLERANCE_DEG = 0.00002;

/** The named places of the road file, for the notice's list of places (routing/places.ts). */
export interface NoticePlaces {
  /** The names of the places a line passes, in order. */
  along(coordinates: [number, number][]): string[];
  /** The name of the place nearest a point, when one is near. */
  near(at: [number, number]): string | undefined;
}

export interface NoticeKeeperOptions {
  places?: NoticePlaces;
}

const TYPES = [
  'convoy.upserted',
  'convoy.state-changed',
  'convoy.removed',
  'corridor.recomputed',
  'reroute.decided',
  'convoy.route-chosen',
  'haven.upserted',
  'notice.drafted',
  'notice.sent',
  'notice.acknowledged',
  'notice.expired',
];

export class NoticeKeeper implements Reactor {
  readonly name = 'notices';
  readonly types: ReadonlySet<string> = new Set(TYPES);
  private ctx?: ReactorContext;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Notice events this keeper appended and has not yet seen committed, by convoy: it waits for them before it looks again. */
  private readonly inFlight = new Map<string, number>();
  /** Convoys to look at again once their notice events are committed. */
  private readonly again = new Set<string>();
  /** References this keeper gave (those not yet committed among them), so none is given twice. */
  private readonly issued = new Set<string>();

  constructor(private readonly opts: NoticeKeeperOptions = {}) {}

  start(picture: Picture, ctx: ReactorContext): Reaction | void {
    this.ctx = ctx;
    // What changed while the server was down (a window that ended, a route recomputed at start) is looked at once.
    const events = this.review(picture, Object.keys(picture.convoys), picture.seq);
    this.schedule();
    return events.length > 0 ? { events } : undefined;
  }

  onCommitted(events: readonly PictureEvent[], picture: Picture): Reaction | void {
    const look = new Map<string, number>();
    for (const e of events) {
      const id = convoyOf(e);
      if (id !== undefined) {
        if (e.type === 'notice.drafted' || e.type === 'notice.expired') this.landed(id);
        if (!look.has(id)) look.set(id, e.seq);
        continue;
      }
      // A haven renamed or with a new contact: the notices of the convoys bound for it.
      if (e.type === 'haven.upserted') {
        for (const [cid, c] of Object.entries(picture.corridors)) if (c.havenId === e.haven.id && !look.has(cid)) look.set(cid, e.seq);
      }
    }
    for (const id of this.again) if (!this.inFlight.has(id) && !look.has(id)) look.set(id, picture.seq);
    const out: NewEvent[] = [];
    for (const [id, seq] of look) out.push(...this.review(picture, [id], seq));
    this.schedule();
    return out.length > 0 ? { events: out } : undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One of this keeper's events for a convoy is committed. */
  private landed(convoyId: string): void {
    const n = (this.inFlight.get(convoyId) ?? 0) - 1;
    if (n > 0) this.inFlight.set(convoyId, n);
    else this.inFlight.delete(convoyId);
  }

  /** The events that bring these convoys' notices in step; `seq` names a new notice's reference. */
  private review(picture: Picture, convoyIds: Iterable<string>, seq: number): NewEvent[] {
    const out: NewEvent[] = [];
    const nowMs = this.ctx!.now();
    for (const id of convoyIds) {
      if (this.inFlight.has(id)) {
        this.again.add(id);
        continue;
      }
      this.again.delete(id);
      const event = this.eventFor(picture, id, seq, nowMs);
      if (!event) continue;
      out.push(event);
      this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
    }
    return out;
  }

  /** The one event a convoy's notice needs now, if any. */
  private eventFor(picture: Picture, id: string, seq: number, nowMs: number): NewEvent | undefined {
    const convoy = picture.convoys[id];
    const held = picture.notices[id];
    if (!convoy || !NOTICE_STATES.has(convoy.state)) return undefined;
    if (convoy.state === 'arrived' || convoy.state === 'aborted') {
      if (held && held.status !== 'expired') return { type: 'notice.expired', convoyId: id, version: held.version, reason: 'convoy_ended' };
      return undefined;
    }
    const corridor = picture.corridors[id];
    // The notice is made from the routed corridor: none before the router has answered.
    if (!corridor) return undefined;
    const content = noticeContent(convoy, corridor, picture, this.opts.places);
    const ended = windowEndMs(held ?? content) <= nowMs;
    if (!held) {
      if (ended) return undefined;
      return { type: 'notice.drafted', convoyId: id, notice: { ...content, ...identity(convoy, id), reference: this.newReference(picture, seq, nowMs), version: 1, status: 'draft', draftedMs: nowMs } };
    }
    if (held.status !== 'expired' && ended) return { type: 'notice.expired', convoyId: id, version: held.version, reason: 'window_ended' };
    const change = noticeChanges(held, content, corridor);
    if (!change) return undefined;
    if (held.status === 'expired') {
      // An expired notice comes back only for a window moved into the future: a new version to send.
      if (held.expiry !== 'window_ended' || windowEndMs(content) <= nowMs) return undefined;
    }
    if (held.status === 'draft') {
      // Not sent: redrafted in place. What it says it changed is still against the version before it.
      const notice: Notice = { ...content, ...identity(convoy, id), reference: held.reference, version: held.version, status: 'draft', draftedMs: nowMs };
      const changes = held.version > 1 ? againstLast(held, content, change) : undefined;
      if (changes) notice.changes = changes;
      return { type: 'notice.drafted', convoyId: id, notice };
    }
    // Sent, acknowledged or expired: superseded by a new version, a draft to send (P36).
    return {
      type: 'notice.drafted',
      convoyId: id,
      notice: { ...content, ...identity(convoy, id), reference: held.reference, version: held.version + 1, status: 'draft', draftedMs: nowMs, changes: change },
    };
  }

  /**
   * A reference no notice has: the year and `seq`, with `-2`, `-3`… when several convoys get their first
   * notice from one look (at start-up, every convoy against the same seq).
   */
  private newReference(picture: Picture, seq: number, nowMs: number): string {
    const base = referenceOf(seq, nowMs);
    const taken = (r: string) => this.issued.has(r) || Object.values(picture.notices).some((n) => n.reference === r);
    let reference = base;
    for (let n = 2; taken(reference); n++) reference = `${base}-${n}`;
    this.issued.add(reference);
    return reference;
  }

  /** Sets the timer for the next window to end. */
  private schedule(): void {
    clearTimeout(this.timer);
    const ctx = this.ctx;
    if (!ctx || this.stopped) return;
    let next = Infinity;
    for (const n of Object.values(ctx.picture().notices)) {
      if (n.status !== 'expired' && !this.inFlight.has(n.convoyId)) next = Math.min(next, windowEndMs(n));
    }
    if (next === Infinity) return;
    const delay = Math.max(0, Math.min(next - ctx.now(), MAX_TIMER_MS));
    this.timer = setTimeout(() => {
      const picture = ctx.picture();
      const due = Object.values(picture.notices).filter((n) => n.status !== 'expired' && windowEndMs(n) <= ctx.now()).map((n) => n.convoyId);
      const events = this.review(picture, due, picture.seq);
      if (events.length > 0) ctx.append({ events });
      this.schedule();
    }, delay);
    this.timer.unref();
  }
}

/** The convoy a notice-relevant event is about. */
function convoyOf(e: PictureEvent): string | undefined {
  switch (e.type) {
    case 'convoy.upserted':
      return e.convoy.id;
    case 'convoy.removed':
      return e.id;
    case 'corridor.recomputed':
      return e.corridor.convoyId;
    case 'convoy.state-changed':
    case 'reroute.decided':
    case 'convoy.route-chosen':
    case 'notice.drafted':
    case 'notice.sent':
    case 'notice.acknowledged':
    case 'notice.expired':
      return e.convoyId;
    default:
      return undefined;
  }
}

/** A notice's reference: the year and the seq of the event that made it, unique for the log's life (`DN-2026-4127`). */
export function referenceOf(seq: number, nowMs: number): string {
  return `DN-${new Date(nowMs).getUTCFullYear()}-${String(seq).padStart(4, '0')}`;
}

/** When a notice's window ends, ms; Infinity without one. */
function windowEndMs(n: Pick<NoticeContent, 'window'>): number {
  const until = n.window ? Date.parse(n.window.until) : NaN;
  return Number.isFinite(until) ? until : Infinity;
}

/** What a notice carries of its convoy besides its content: whose it is, and under which marking (it goes where the convoy goes). */
function identity(convoy: Convoy, convoyId: string): Pick<Notice, 'convoyId' | 'owner' | 'marking'> {
  const out: Pick<Notice, 'convoyId' | 'owner' | 'marking'> = { convoyId };
  if (convoy.owner !== undefined) out.owner = convoy.owner;
  if (convoy.marking !== undefined) out.marking = convoy.marking;
  return out;
}

/**
 * A redrafted version's changes, still against the version it supersedes: the parts it changed before
 * and now, and the roads against that version's (kept in the history).
 */
function againstLast(held: Notice, content: NoticeContent, now: NoticeChange): NoticeChange | undefined {
  const last = held.history?.[held.history.length - 1];
  const before = held.changes;
  const parts = [...new Set([...(before?.parts ?? []), ...now.parts])];
  const out: NoticeChange = { ...before, ...now, parts };
  if (last) {
    delete out.roadsAdded;
    delete out.roadsDropped;
    Object.assign(out, roadsDiff(last.roads, content.roads));
  }
  if (before?.distanceDeltaM !== undefined && now.distanceDeltaM !== undefined) out.distanceDeltaM = before.distanceDeltaM + now.distanceDeltaM;
  if (before?.durationDeltaS !== undefined && now.durationDeltaS !== undefined) out.durationDeltaS = before.durationDeltaS + now.durationDeltaS;
  return out;
}

/**
 * What a convoy's notice says, from the convoy, its corridor and the picture: the route as a line
 * (simplified to about 2 m) and as the ordered list of its roads and of the named places it passes.
 * @example noticeContent(picture.convoys['cv-1'], picture.corridors['cv-1'], picture).roads // ['Nya Allén', 'Parkgatan']
 */
export function noticeContent(convoy: Convoy, corridor: Corridor, picture: Picture, places?: NoticePlaces): NoticeContent {
  const leg = corridor.status === 'ok' ? corridor.routes[0] : undefined;
  const havenId = corridor.havenId;
  const haven = havenId !== undefined ? picture.havens[havenId] : undefined;
  const to: [number, number] | undefined = haven ? [haven.lon, haven.lat] : Array.isArray(convoy.destination) ? [convoy.destination[0], convoy.destination[1]] : undefined;
  const line = leg && leg.coordinates.length >= 2 ? simplifyLine(leg.coordinates) : undefined;
  const along = line && places ? places.along(line) : [];
  const originPlace = places?.near([convoy.origin[0], convoy.origin[1]]);
  const destinationPlace = haven?.name ?? (to ? places?.near(to) : undefined);
  const placeList: string[] = [];
  for (const p of [originPlace, ...along, destinationPlace]) if (p !== undefined && placeList[placeList.length - 1] !== p) placeList.push(p);
  const content: NoticeContent = {
    convoyName: convoy.name,
    origin: withPlace({ at: [convoy.origin[0], convoy.origin[1]] }, originPlace),
    destination: withPlace({ at: to ?? (leg ? leg.coordinates[leg.coordinates.length - 1] : [convoy.origin[0], convoy.origin[1]]), ...(havenId !== undefined ? { havenId } : {}) }, destinationPlace),
    route: leg && line ? { coordinates: line, distance_m: leg.distance_m, duration_s: leg.duration_s } : null,
    roads: routeRoads(leg),
    places: placeList,
    checkpoints: (convoy.checkpoints ?? []).map((c) => (c.hold ? { name: c.name, at: c.at, hold: true } : { name: c.name, at: c.at })),
    vehicles: { class: convoy.vehicleClass },
    routeVersion: corridor.version ?? 1,
  };
  if (convoy.organisation !== undefined) content.organisation = convoy.organisation;
  if (convoy.focalPoint !== undefined) content.focalPoint = convoy.focalPoint;
  if (convoy.window) content.window = { from: convoy.window.from, until: convoy.window.until, timeZone: convoy.timeZone ?? 'UTC' };
  if (convoy.departure !== undefined) content.departure = convoy.departure;
  if (convoy.vehicles !== undefined) content.vehicles.count = convoy.vehicles;
  if (convoy.vehicleType !== undefined) content.vehicles.type = convoy.vehicleType;
  if (convoy.plates !== undefined) content.vehicles.plates = convoy.plates;
  if (convoy.markings !== undefined) content.vehicles.markings = convoy.markings;
  if (convoy.personnel !== undefined) content.personnel = convoy.personnel;
  if (convoy.people !== undefined) content.passengers = convoy.people;
  if (convoy.cargo !== undefined) content.cargo = convoy.cargo;
  if (convoy.purpose !== undefined) content.purpose = convoy.purpose;
  return content;
}

function withPlace<T extends { at: [number, number] }>(end: T, place: string | undefined): T & { place?: string } {
  return place === undefined ? end : { ...end, place };
}

/** A route's line simplified for the notice, its ends kept. */
function simplifyLine(coordinates: [number, number][]): [number, number][] {
  if (coordinates.length <= 2) return coordinates.map((c) => [c[0], c[1]]);
  const simple = simplify({ type: 'LineString', coordinates: coordinates.map((c) => [c[0], c[1]]) }, { tolerance: LINE_TOLERANCE_DEG, highQuality: false });
  return (simple.coordinates as [number, number][]).map((c) => [Math.round(c[0] * 1e7) / 1e7, Math.round(c[1] * 1e7) / 1e7]);
}

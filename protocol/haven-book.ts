// The havens' book (@corridor/protocol, issue 12, P23): places occupied, reserved by the convoys bound
// for each haven that are approved or under way, and free. Shared by the server (an approval that would
// overfill a haven is refused; a convoy whose haven fills is offered another) and the client (the side
// panel's figures), so both count alike.
import type { Convoy, Corridor, Haven, Picture } from './events.js';

/** States in which a convoy holds places at its haven. */
export const RESERVING_STATES: ReadonlySet<Convoy['state']> = new Set(['approved', 'moving', 'holding']);

/** A point destination this near a haven is that haven, metres. */
export const HAVEN_REACH_M = 100;

/** One haven's places. */
export interface HavenPlaces {
  havenId: string;
  capacity: number;
  /** People already there. */
  occupied: number;
  /** People of the convoys bound for it that are approved, moving or holding. */
  reserved: number;
  /** capacity − occupied − reserved (negative when overfilled). */
  free: number;
  /** The convoys holding the reservations, by id. */
  convoys: string[];
}

/**
 * The haven a convoy is bound for: the one its corridor leads to (`nearest-haven`), or a haven within
 * {@link HAVEN_REACH_M} of its point destination; undefined when it goes elsewhere.
 */
export function boundHaven(convoy: Convoy, corridor: Corridor | undefined, havens: Readonly<Record<string, Haven>>): string | undefined {
  if (corridor?.havenId && Object.hasOwn(havens, corridor.havenId)) return corridor.havenId;
  if (convoy.destination === 'nearest-haven') return undefined;
  const [lon, lat] = convoy.destination;
  const k = Math.cos((lat * Math.PI) / 180);
  let best: { id: string; d: number } | undefined;
  for (const h of Object.values(havens)) {
    const d = Math.hypot((h.lon - lon) * k, h.lat - lat) * 111_320;
    if (d <= HAVEN_REACH_M && (!best || d < best.d)) best = { id: h.id, d };
  }
  return best?.id;
}

const cache = new WeakMap<object, WeakMap<object, WeakMap<object, Record<string, HavenPlaces>>>>();

/**
 * Every haven's places, counting the reservations of convoys approved or under way (not `except`).
 * The same object while the convoys, corridors and havens slices are (for calls without `except`).
 * @example havenBook(picture)['hv-ullevi'].free // 3810
 */
export function havenBook(picture: Pick<Picture, 'convoys' | 'corridors' | 'havens'>, except?: string): Record<string, HavenPlaces> {
  if (except === undefined) {
    let a = cache.get(picture.convoys);
    if (!a) cache.set(picture.convoys, (a = new WeakMap()));
    let b = a.get(picture.corridors);
    if (!b) a.set(picture.corridors, (b = new WeakMap()));
    const held = b.get(picture.havens);
    if (held) return held;
    const made = book(picture, undefined);
    b.set(picture.havens, made);
    return made;
  }
  return book(picture, except);
}

function book(picture: Pick<Picture, 'convoys' | 'corridors' | 'havens'>, except: string | undefined): Record<string, HavenPlaces> {
  const out: Record<string, HavenPlaces> = Object.create(null);
  for (const h of Object.values(picture.havens)) out[h.id] = { havenId: h.id, capacity: h.capacity, occupied: h.occupancy, reserved: 0, free: h.capacity - h.occupancy, convoys: [] };
  for (const c of Object.values(picture.convoys)) {
    if (c.id === except || !RESERVING_STATES.has(c.state) || !c.people) continue;
    const id = boundHaven(c, picture.corridors[c.id], picture.havens);
    if (!id) continue;
    out[id].reserved += c.people;
    out[id].free -= c.people;
    out[id].convoys.push(c.id);
  }
  return out;
}

// Panel wordings in the page's language (client/src/ui): ages, duration changes and corridor reasons, from the catalogues and the language's Intl formats.
import type { Corridor, CorridorWhy, Picture, ZoneRef } from '@corridor/protocol';
import { counted, VEHICLE_WORDS, type Words } from '../layers/words.js';

/**
 * Time since something happened, for "last data 12 s ago": seconds under 90 s, minutes under 90 min, else hours.
 * @example ageText(125_000, words) // '2 min ago' in English, 'il y a 2 min' in French
 */
export function ageText(ms: number, w: Words): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 90) return w.t('age.seconds', counted(w, s));
  if (s < 5400) return w.t('age.minutes', counted(w, Math.floor(s / 60)));
  return w.t('age.hours', counted(w, Math.floor(s / 3600)));
}

/**
 * Change of a corridor's duration after a re-route (+ slower, − faster) in words, so the sign cannot be misread.
 * @example deltaText(240, words) // '4 min slower'
 */
export function deltaText(s: number, w: Words): string {
  const abs = Math.abs(s);
  if (abs < 5) return w.t('delta.same');
  const amount = w.fmt.duration(abs);
  return w.t(s > 0 ? 'delta.slower' : 'delta.faster', { amount });
}

/** A signed change of duration for a reason: `+4 min`, `−1 min`. */
function signed(deltaS: number, w: Words): string {
  return w.t(deltaS >= 0 ? 'reason.slower' : 'reason.faster', { duration: w.fmt.duration(Math.abs(deltaS)) });
}

/** How a reason names a zone or constraint: by id, with its label from the picture where it has one. */
function zoneName(ref: ZoneRef, picture: Pick<Picture, 'threats' | 'constraints'>, w: Words): string {
  const label = ref.kind === 'zone' ? picture.threats[ref.id]?.label : picture.constraints[ref.id]?.reason;
  const values = { id: w.isolate(ref.id), ...(label ? { label: w.isolate(label) } : {}) };
  if (ref.kind === 'zone') return w.t(label ? 'reason.zoneLabelled' : 'reason.zone', values);
  return w.t(label ? 'reason.constraintLabelled' : 'reason.constraint', values);
}

/** How a reason names a haven: its id and name. */
function havenName(id: string, picture: Pick<Picture, 'havens'>, w: Words): string {
  const h = picture.havens[id];
  return h ? w.t('reason.haven', { id: w.isolate(id), name: w.isolate(h.name) }) : w.isolate(id);
}

/**
 * A corridor's structured reason (`why`) as a sentence in `w`'s language, naming zones, constraints and
 * havens as the picture labels them.
 * @example whyText({ code: 'rerouted_around', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: 240 }, picture, words) // 're-routed around zone tz-3: +4 min'
 */
export function whyText(why: CorridorWhy, picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, w: Words): string {
  const figures = (d: { distanceM: number; durationS: number }) => ({ distance: w.fmt.distance(d.distanceM), duration: w.fmt.duration(d.durationS) });
  const zones = (refs: ZoneRef[]) => w.fmt.list(refs.map((z) => zoneName(z, picture, w)));
  switch (why.code) {
    case 'computed':
      return why.havenId ? w.t('reason.computedToHaven', { haven: havenName(why.havenId, picture, w), ...figures(why) }) : w.t('reason.computed', figures(why));
    case 'found_again':
      return why.havenId ? w.t('reason.foundAgainToHaven', { haven: havenName(why.havenId, picture, w), ...figures(why) }) : w.t('reason.foundAgain', figures(why));
    case 'unchanged':
      return w.t('reason.unchanged', figures(why));
    case 'convoy_changed':
      return w.t('reason.convoyChanged', figures(why));
    case 'haven_changed': {
      const values = { haven: havenName(why.havenId, picture, w), delta: signed(why.deltaS, w) };
      if (!why.previousHavenId) return w.t('reason.havenChanged', values);
      const key = { no_room: 'reason.havenNoRoom', full: 'reason.havenFull', closed: 'reason.havenClosed', removed: 'reason.havenRemoved' } as const;
      return w.t(why.previous ? key[why.previous] : 'reason.havenReplaced', { ...values, previous: w.isolate(why.previousHavenId) });
    }
    case 'rerouted_around':
      return w.t('reason.reroutedAround', { zones: zones(why.zones), delta: signed(why.deltaS, w) });
    case 'lifted':
      return w.t('reason.lifted', { count: why.zones.length, zones: zones(why.zones), delta: signed(why.deltaS, w) });
    case 'rerouted':
      return w.t('reason.rerouted', { delta: signed(why.deltaS, w) });
    case 'off_network': {
      const origin = why.end === 'origin';
      if (why.distanceM === null || !Number.isFinite(why.distanceM)) return w.t(origin ? 'reason.offNetworkOriginFar' : 'reason.offNetworkDestinationFar');
      return w.t(origin ? 'reason.offNetworkOrigin' : 'reason.offNetworkDestination', { distance: w.fmt.distance(why.distanceM) });
    }
    case 'no_haven':
      return w.t('reason.noHaven', counted(w, why.people));
    case 'no_haven_near_road':
      return w.t('reason.noHavenNearRoad');
    case 'no_safe_route':
      return w.t('reason.noSafeRoute', { zones: zones(why.blockedBy) });
    case 'no_road_path':
      return why.vehicleClass ? w.t('reason.noRoadPathVehicle', { vehicle: w.t(VEHICLE_WORDS[why.vehicleClass]) }) : w.t('reason.noRoadPath');
    case 'nearest_zone':
      return w.t('reason.nearestZone', { zone: zoneName(why.zone, picture, w), distance: w.fmt.distance(why.distanceM) });
    case 'clear_of_zones':
      return w.t('reason.clearOfZones');
  }
}

/**
 * Why a corridor is as it is, in `w`'s language; the server's English sentence for corridors stored before
 * reasons had codes.
 */
export function corridorReason(corridor: Corridor, picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, w: Words): string {
  return corridor.why ? whyText(corridor.why, picture, w) : corridor.reason;
}

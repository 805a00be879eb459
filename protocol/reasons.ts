// Corridor reasons in English (@corridor/protocol): the sentence kept beside each structured reason
// (`why`) for API users and logs; the pages word `why` from their catalogues in every language.
import type { VehicleClass } from './messages.js';
import type { CorridorWhy, ZoneRef } from './server-messages.js';

/** How a reason names what it refers to: a zone or constraint by its label, a haven by its name. */
export interface ReasonNames {
  zone(ref: ZoneRef): string;
  haven(id: string): string;
}

/** Names by id alone, for when nothing else is known. */
export const PLAIN_NAMES: ReasonNames = {
  zone: (ref) => `${ref.kind} ${ref.id}`,
  haven: (id) => id,
};

/**
 * "850 m", "12.4 km".
 * @example formatDistance(12_400) // '12.4 km'
 */
export function formatDistance(m: number | null): string {
  if (m === null || !Number.isFinite(m)) return 'unknown distance';
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

/**
 * "40 s", "4 min", "1 h 05 min".
 * @example formatDuration(3900) // '1 h 05 min'
 */
export function formatDuration(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** Vehicle classes as an English sentence names them. */
const VEHICLE_NAMES: Readonly<Record<VehicleClass, string>> = {
  motorbike: 'motorbike',
  '4wd': '4WD',
  light_truck: 'light truck',
  heavy_truck: 'heavy truck',
  truck_trailer: 'truck with trailer',
};

const signed = (deltaS: number) => `${deltaS >= 0 ? '+' : '−'}${formatDuration(Math.abs(deltaS))}`;
const list = (zones: ZoneRef[], names: ReasonNames) => zones.map((z) => names.zone(z)).join(', ');

/**
 * A corridor's structured reason as an English sentence.
 * @example reasonText({ code: 'rerouted_around', zones: [{ kind: 'zone', id: 'tz-3' }], deltaS: 240 }, PLAIN_NAMES) // 're-routed around zone tz-3: +4 min'
 */
export function reasonText(why: CorridorWhy, names: ReasonNames = PLAIN_NAMES): string {
  switch (why.code) {
    case 'computed':
      return `corridor computed${why.havenId ? ` to haven ${names.haven(why.havenId)}` : ''}: ${formatDistance(why.distanceM)}, ${formatDuration(why.durationS)}`;
    case 'found_again':
      return `route found again${why.havenId ? ` to haven ${names.haven(why.havenId)}` : ''}: ${formatDistance(why.distanceM)}, ${formatDuration(why.durationS)}`;
    case 'unchanged':
      return `route unchanged (${formatDistance(why.distanceM)}, ${formatDuration(why.durationS)})`;
    case 'convoy_changed':
      return `convoy changed: ${formatDistance(why.distanceM)}, ${formatDuration(why.durationS)}`;
    case 'haven_changed': {
      const before = why.previousHavenId
        ? `haven ${why.previousHavenId} ${why.previous === 'no_room' ? 'has no room' : (why.previous ?? 'changed')}`
        : 'haven changed';
      return `${before}: now to haven ${names.haven(why.havenId)}, ${signed(why.deltaS)}`;
    }
    case 'rerouted_around':
      return `re-routed around ${list(why.zones, names)}: ${signed(why.deltaS)}`;
    case 'lifted':
      return `${why.zones.map((z) => `${z.kind} ${z.id}`).join(', ')} lifted: ${signed(why.deltaS)}`;
    case 'rerouted':
      return `re-routed: ${signed(why.deltaS)}`;
    case 'off_network':
      return `${why.end} is ${formatDistance(why.distanceM)} from the nearest usable road`;
    case 'no_haven':
      return `no open haven with room for ${why.people} people`;
    case 'no_haven_near_road':
      return 'no open haven with room is near a usable road';
    case 'no_safe_route':
      return `no safe route: every path is cut by ${list(why.blockedBy, names)}`;
    case 'no_road_path':
      return why.vehicleClass
        ? `no road path joins the two ends for a ${VEHICLE_NAMES[why.vehicleClass]}, even without zones; a lighter vehicle can pass`
        : 'no road path joins the two ends, even without zones: the road network does not connect them';
    case 'nearest_zone':
      return `route unchanged; nearest zone is ${names.zone(why.zone)} at ${formatDistance(why.distanceM)}`;
    case 'clear_of_zones':
      return 'route unchanged; no no-go or danger zone remains';
  }
}

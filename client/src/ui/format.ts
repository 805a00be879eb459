// Display formatting for the panels (client/src/ui): UTC clock, ages, distances, durations, reasons.
import { reasonText, type Corridor, type Picture, type ReasonNames } from '@corridor/protocol';

/**
 * UTC time of day, `HH:MM:SSZ`.
 * @example utcClock(Date.UTC(2026, 10, 21, 9, 5, 7)) // '09:05:07Z'
 */
export function utcClock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}

/** UTC date, `21 NOV 2026`. */
export function utcDate(ms: number): string {
  const d = new Date(ms);
  const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  return `${String(d.getUTCDate()).padStart(2, '0')} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/**
 * Seconds, minutes or hours since, for "last update 12 s ago".
 * @example ageText(125_000) // '2 min'
 */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/** Distance, metres → `850 m` or `12.4 km`. */
export function distanceText(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

/** Duration, seconds → `14 min` or `1 h 05`. */
export function durationText(s: number): string {
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;
}

/**
 * Change of a corridor's duration after a re-route (+ slower, − faster), seconds → words, so the sign cannot be misread.
 * @example deltaText(240) // '4 min slower' (the duration grew by 240 s)
 */
export function deltaText(s: number): string {
  const abs = Math.abs(s);
  if (abs < 5) return 'same time';
  const amount = abs < 60 ? `${Math.round(abs)} s` : `${Math.round(abs / 60)} min`;
  return `${amount} ${s > 0 ? 'slower' : 'faster'}`;
}

/**
 * Why a corridor is as it is, worded from its structured reason (`why`) with the names the picture
 * gives its zones, constraints and havens; the server's own sentence for corridors stored before
 * reasons had codes.
 */
export function corridorReason(corridor: Corridor, picture: Picture): string {
  if (!corridor.why) return corridor.reason;
  const names: ReasonNames = {
    zone: (ref) => {
      const label = ref.kind === 'zone' ? picture.threats[ref.id]?.label : picture.constraints[ref.id]?.reason;
      return `${ref.kind} ${ref.id}${label ? ` (${label})` : ''}`;
    },
    haven: (id) => {
      const h = picture.havens[id];
      return h ? `${id} (${h.name})` : id;
    },
  };
  return reasonText(corridor.why, names);
}

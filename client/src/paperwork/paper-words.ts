// Wordings shared by the notice and the route card (client/src/paperwork, issue 18): times in the movement's
// zone and in UTC, places, and the words of a notice's status and parts. Pure over the page's Words.
import type { NoticeExpiry, NoticePart, NoticeStatus } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import type { Words } from '../layers/words.js';
import { zonedFormatter } from './paperwork-view.js';

export const STATUS_WORDS: Record<NoticeStatus, MessageKey> = {
  draft: 'paperwork.status.draft',
  sent: 'paperwork.status.sent',
  acknowledged: 'paperwork.status.acknowledged',
  expired: 'paperwork.status.expired',
  superseded: 'paperwork.status.superseded',
};

export const EXPIRY_WORDS: Record<NoticeExpiry, MessageKey> = {
  window_ended: 'paperwork.expiry.window_ended',
  convoy_ended: 'paperwork.expiry.convoy_ended',
};

export const PART_WORDS: Record<NoticePart, MessageKey> = {
  route: 'paperwork.part.route',
  window: 'paperwork.part.window',
  origin: 'paperwork.part.origin',
  destination: 'paperwork.part.destination',
  checkpoints: 'paperwork.part.checkpoints',
  vehicles: 'paperwork.part.vehicles',
  people: 'paperwork.part.people',
  cargo: 'paperwork.part.cargo',
  purpose: 'paperwork.part.purpose',
  organisation: 'paperwork.part.organisation',
  focalPoint: 'paperwork.part.focalPoint',
};

/** Two clocks of one instant: in the movement's zone, and in UTC. */
export interface Clocks {
  zone: string;
  /** "6 Dec 2026, 15:05 (Europe/Stockholm)"; just the UTC form when the zone is UTC. */
  zoned(ms: number): string;
  /** "6 Dec 2026, 14:05 UTC". */
  utc(ms: number): string;
  /** Both, for one line: "6 Dec 2026, 15:05 (Europe/Stockholm) · 14:05 UTC". */
  both(ms: number): string;
}

/**
 * The clocks of a movement said in `timeZone`, in the page's language and digits.
 * @example clocks(w, 'Europe/Stockholm').both(Date.UTC(2026, 11, 6, 14, 5)) // '6 Dec 2026, 15:05 (Europe/Stockholm) · 6 Dec 2026, 14:05 UTC'
 */
export function clocks(w: Words, timeZone: string): Clocks {
  // No-break spaces inside a date and time, so that one never wraps between its day and its hour.
  const keep = (f: (ms: number) => string) => (ms: number) => f(ms).replace(/ /g, '\u00a0');
  const inZone = keep(zonedFormatter(w.fmt.locale, timeZone));
  const inUtc = keep(zonedFormatter(w.fmt.locale, 'UTC'));
  const isUtc = timeZone === 'UTC' || timeZone === 'Etc/UTC';
  const utc = (ms: number) => w.t('paperwork.time.utc', { time: inUtc(ms) });
  const zoned = (ms: number) => (isUtc ? utc(ms) : w.t('paperwork.time.zoned', { time: inZone(ms), zone: w.isolate(timeZone) }).replace(/ \(/, '\u00a0('));
  return { zone: timeZone, zoned, utc, both: (ms) => (isUtc ? utc(ms) : `${zoned(ms)} · ${utc(ms)}`) };
}

/** A position in words ("57.7227 N, 11.9566 E"). */
export function positionText([lon, lat]: readonly [number, number], w: Words): string {
  return w.t('plan.picked', { lat: w.fmt.number(lat, 4), lon: w.fmt.number(lon, 4) });
}

/**
 * A phone number or an address, isolated left to right (U+2066 … U+2069): "+46 31 555 0101" has no strong
 * letter to tell its direction, and in Arabic text its groups would read in the wrong order.
 * @example ltr('+46 31 555 0101') // '\u2066+46 31 555 0101\u2069'
 */
export function ltr(text: string): string {
  return `\u2066${text}\u2069`;
}

// Units as deck.gl layer props (client/src/layers): APP-6 symbol, heading arrow, callsign; stale units greyed and marked.
import type { IconLayerProps, TextLayerProps } from '@deck.gl/layers';
import { isStale } from '../../../server/core/apply-event.js';
import type { Unit } from '../../../server/protocol/events.js';
import { arrowIcon, unitIcon } from './icons.js';
import { memoBySlice } from './memo.js';
import { AFFILIATION_SIDC, LABEL_COLOR, LABEL_FONT, LABEL_OUTLINE, STALE_COLOR, UNKNOWN_SIDC } from './palette.js';

/** Units of the picture as an array, the same array while the `units` slice is unchanged. */
export const unitList = memoBySlice((units: Record<string, Unit>) => Object.values(units));

/** Time context for stale styling: server-clock now and the threshold, ms. */
export interface StaleClock {
  nowMs: number;
  staleAfterMs: number;
}

/**
 * A key that changes only when the set of stale units does; used as the `updateTriggers` value so deck.gl
 * recomputes the stale-dependent attributes then and only then, not on every clock tick.
 */
export function staleKey(units: readonly Unit[], clock: StaleClock): string {
  let key = '';
  for (const u of units) if (isStale(u, clock.nowMs, clock.staleAfterMs)) key += `${u.unitId}|`;
  return key;
}

/** The SIDC drawn for a unit. */
export function unitSidc(unit: Unit): string {
  return unit.affiliation ? AFFILIATION_SIDC[unit.affiliation] : UNKNOWN_SIDC;
}

/** Minutes since a unit's last report, rounded down. */
export function minutesSilent(unit: Unit, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - unit.seenMs) / 60_000));
}

/** Icon layer of unit symbols. `scale` multiplies sizes (the wall display uses more). */
export function unitSymbolProps(units: Record<string, Unit>, clock: StaleClock, scale = 1): IconLayerProps<Unit> {
  const key = staleKey(unitList(units), clock);
  return {
    id: 'units-symbols',
    data: unitList(units),
    getPosition: (u) => [u.lon, u.lat],
    getIcon: (u) => unitIcon(unitSidc(u), isStale(u, clock.nowMs, clock.staleAfterMs)),
    getSize: 30 * scale,
    sizeUnits: 'pixels',
    pickable: true,
    updateTriggers: { getIcon: key },
    transitions: { getPosition: 600 },
  };
}

/** Heading arrows, drawn just ahead of the symbol in the direction of travel; units without a heading get none. */
export function unitHeadingProps(units: Record<string, Unit>, clock: StaleClock, scale = 1): IconLayerProps<Unit> {
  const key = staleKey(unitList(units), clock);
  const live = arrowIcon('#f8fafc', 'arrow:live');
  const stale = arrowIcon('#8b939c', 'arrow:stale');
  const offset = 24 * scale;
  return {
    id: 'units-heading',
    data: headingUnits(units),
    getPosition: (u) => [u.lon, u.lat],
    getIcon: (u) => (isStale(u, clock.nowMs, clock.staleAfterMs) ? stale : live),
    // deck.gl turns icons counter-clockwise; headings are clockwise from north.
    getAngle: (u) => -(u.heading ?? 0),
    getPixelOffset: (u) => {
      const rad = ((u.heading ?? 0) * Math.PI) / 180;
      return [Math.sin(rad) * offset, -Math.cos(rad) * offset];
    },
    getSize: 13 * scale,
    sizeUnits: 'pixels',
    updateTriggers: { getIcon: key },
    transitions: { getPosition: 600 },
  };
}

const headingUnits = memoBySlice((units: Record<string, Unit>) => Object.values(units).filter((u) => u.heading !== undefined));

/** Callsign labels; stale units read "CALLSIGN · STALE 4 min" in grey. */
export function unitLabelProps(units: Record<string, Unit>, clock: StaleClock, scale = 1): TextLayerProps<Unit> {
  const key = `${staleKey(unitList(units), clock)}@${Math.floor(clock.nowMs / 60_000)}`;
  return {
    id: 'units-labels',
    data: unitList(units),
    getPosition: (u) => [u.lon, u.lat],
    getText: (u) => unitLabel(u, clock),
    getColor: (u) => (isStale(u, clock.nowMs, clock.staleAfterMs) ? STALE_COLOR : LABEL_COLOR),
    getSize: 13 * scale,
    getPixelOffset: [0, 22 * scale],
    getTextAnchor: 'middle',
    getAlignmentBaseline: 'top',
    fontFamily: LABEL_FONT,
    fontWeight: 600,
    fontSettings: { sdf: true, fontSize: 48, buffer: 6 },
    outlineWidth: 4,
    outlineColor: LABEL_OUTLINE,
    characterSet: 'auto',
    updateTriggers: { getText: key, getColor: key },
    transitions: { getPosition: 600 },
  };
}

/**
 * Label text of a unit: its callsign (or id), and for a stale unit how long it has been silent.
 * @example unitLabel({ unitId: 'u1', callsign: 'BRAVO 2', ... }, clock) // 'BRAVO 2'
 */
export function unitLabel(u: Unit, clock: StaleClock): string {
  const name = u.callsign ?? u.unitId;
  return isStale(u, clock.nowMs, clock.staleAfterMs) ? `${name} · STALE ${minutesSilent(u, clock.nowMs)} min` : name;
}

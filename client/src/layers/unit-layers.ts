// Units as deck.gl layer props (client/src/layers): APP-6 symbol, heading arrow, callsign; stale units greyed and marked.
import type { IconLayerProps, PathLayerProps } from '@deck.gl/layers';
import { cotSidc, isStale } from '@corridor/protocol';
import type { Unit } from '@corridor/protocol';
import { arrowIcon, unitIcon } from './icons.js';
import type { LabelFont } from './text-measure.js';
import { memoBySlice } from './memo.js';
import { displacementKey, type Displacements } from './symbol-displacement.js';
import { AFFILIATION_SYMBOL, UNKNOWN_SIDC } from './palette.js';
import { counted, type Words } from './words.js';

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

/**
 * The symbol drawn for a unit: a SIDC, or a humanitarian or civil asset's own icon (icons.ts AssetKey).
 * A TAK device's type says what a unit is and whose (issue 14: `a-f-G-U-C-I` friendly infantry, `a-h-G`
 * hostile); otherwise the affiliation the report gave; a unit that gave none is drawn in APP-6's unknown
 * frame (a yellow quatrefoil), which the legend explains.
 * @example unitSidc({ unitId: 'u', affiliation: 'military', ... }) // 'SFGPU-----'
 */
export function unitSidc(unit: Unit): string {
  const fromCot = unit.cotType !== undefined ? cotSidc(unit.cotType) : undefined;
  return fromCot ?? (unit.affiliation ? AFFILIATION_SYMBOL[unit.affiliation] : UNKNOWN_SIDC);
}

/** Minutes since a unit's last report, rounded down. */
export function minutesSilent(unit: Unit, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - unit.seenMs) / 60_000));
}

/** Height of a unit symbol and of a heading arrow at scale 1, pixels. */
const UNIT_SYMBOL_PX = 30;
const HEADING_PX = 13;

/** Where the heading arrow sits from the unit's position, pixels [x, y], y down: 24 px ahead along the heading (degrees clockwise from north). */
function headingOffset(headingDeg: number, scale: number): [number, number] {
  const rad = (headingDeg * Math.PI) / 180;
  const d = 24 * scale;
  return [Math.sin(rad) * d, -Math.cos(rad) * d];
}

const NO_OFFSET: readonly [number, number] = [0, 0];

/**
 * Icon layer of unit symbols. `scale` multiplies sizes (the wall display uses more). A symbol jumps to each
 * reported position rather than gliding: its label (drawn by the map) is placed at the report, and a
 * glide would leave the label behind, and keep the map drawing without rest on a slow wall display.
 * A symbol that would hide a haven or another unit is drawn aside by its `offsets` (symbol-displacement.ts).
 */
export function unitSymbolProps(units: Record<string, Unit>, clock: StaleClock, scale = 1, offsets?: Displacements): IconLayerProps<Unit> {
  const key = staleKey(unitList(units), clock);
  return {
    id: 'units-symbols',
    data: unitList(units),
    getPosition: (u) => [u.lon, u.lat],
    getIcon: (u) => unitIcon(unitSidc(u), isStale(u, clock.nowMs, clock.staleAfterMs)),
    getPixelOffset: (u) => (offsets?.get(u.unitId) ?? NO_OFFSET) as [number, number],
    getSize: UNIT_SYMBOL_PX * scale,
    sizeUnits: 'pixels',
    pickable: true,
    updateTriggers: { getIcon: key, getPixelOffset: displacementKey(offsets) },
  };
}

/** Heading arrows, drawn just ahead of the symbol (where it is drawn) in the direction of travel; units without a heading get none. */
export function unitHeadingProps(units: Record<string, Unit>, clock: StaleClock, scale = 1, offsets?: Displacements): IconLayerProps<Unit> {
  const key = staleKey(unitList(units), clock);
  const live = arrowIcon('#f8fafc', 'arrow:live');
  const stale = arrowIcon('#8b939c', 'arrow:stale');
  return {
    id: 'units-heading',
    data: headingUnits(units),
    getPosition: (u) => [u.lon, u.lat],
    getIcon: (u) => (isStale(u, clock.nowMs, clock.staleAfterMs) ? stale : live),
    // deck.gl turns icons counter-clockwise; headings are clockwise from north.
    getAngle: (u) => -(u.heading ?? 0),
    getPixelOffset: (u) => {
      const [x, y] = headingOffset(u.heading ?? 0, scale);
      const by = offsets?.get(u.unitId) ?? NO_OFFSET;
      return [x + by[0], y + by[1]];
    },
    getSize: HEADING_PX * scale,
    sizeUnits: 'pixels',
    updateTriggers: { getIcon: key, getPixelOffset: displacementKey(offsets) },
  };
}

/** A leader line from where a displaced unit is to where its symbol is drawn, [lon, lat] degrees at both ends. */
export interface Leader {
  id: string;
  path: [[number, number], [number, number]];
}

/** Thin light leader lines of displaced unit symbols, under the symbols. */
export function unitLeaderProps(leaders: readonly Leader[], scale = 1): PathLayerProps<Leader> {
  return {
    id: 'units-leaders',
    data: leaders,
    getPath: (l) => l.path,
    getColor: [241, 245, 249, 220],
    getWidth: 1.5 * scale,
    widthUnits: 'pixels',
    capRounded: true,
  };
}

const headingUnits = memoBySlice((units: Record<string, Unit>) => Object.values(units).filter((u) => u.heading !== undefined));

/** Font of unit callsigns at scale 1. */
export const UNIT_LABEL_FONT: LabelFont = { sizePx: 13, weight: 600, lineHeight: 1 };

/** Wordings of a unit's label in `w`'s language, fullest first: a stale unit may drop the minutes, never the STALE mark. */
export function unitLabelTexts(u: Unit, clock: StaleClock, w: Words): string[] {
  const full = unitLabel(u, clock, w);
  return isStale(u, clock.nowMs, clock.staleAfterMs) ? [full, w.t('label.unitStaleShort', { name: u.callsign ?? u.unitId })] : [full];
}

/**
 * Pixel box of a unit's symbol around its position, [minX, minY, maxX, maxY], y down: what labels must not cover.
 * IconLayer sizes an icon by its height, so the width follows the symbol's aspect.
 */
export function unitSymbolBox(u: Unit, scale = 1): [number, number, number, number] {
  const icon = unitIcon(unitSidc(u), false);
  const k = (UNIT_SYMBOL_PX * scale) / icon.height;
  return [-icon.anchorX * k, -icon.anchorY * k, (icon.width - icon.anchorX) * k, (icon.height - icon.anchorY) * k];
}

/** Pixel box of a unit's heading arrow around the unit's position, or null without a heading. */
export function headingArrowBox(u: Unit, scale = 1): [number, number, number, number] | null {
  if (u.heading === undefined) return null;
  const [x, y] = headingOffset(u.heading, scale);
  const r = (HEADING_PX * scale) / 2;
  return [x - r, y - r, x + r, y + r];
}

/**
 * Label text of a unit: its callsign (or id), and for a stale unit how long it has been silent, in `w`'s language.
 * @example unitLabel({ unitId: 'u1', callsign: 'BRAVO 2', ... }, clock, words) // 'BRAVO 2'; stale: 'BRAVO 2 · STALE 4 min'
 */
export function unitLabel(u: Unit, clock: StaleClock, w: Words): string {
  const name = u.callsign ?? u.unitId;
  return isStale(u, clock.nowMs, clock.staleAfterMs) ? w.t('label.unitStale', { name, ...counted(w, minutesSilent(u, clock.nowMs)) }) : name;
}

// Safe havens as deck.gl layer props (client/src/layers): shelter icon by status with an occupancy bar, and a capacity label.
import type { IconLayerProps } from '@deck.gl/layers';
import type { Haven } from '@corridor/protocol';
import { havenIcon, occupancyTenths } from './icons.js';
import type { LabelFont } from './text-measure.js';
import { memoBySlice } from './memo.js';
import { LABEL_COLOR } from './palette.js';
import { HAVEN_STATUS_WORDS, type Words } from './words.js';

/** Height of a haven icon at scale 1, pixels. */
const HAVEN_ICON_PX = 40;

export const havenList = memoBySlice((havens: Record<string, Haven>) => Object.values(havens));

export function havenIconProps(havens: Record<string, Haven>, scale = 1): IconLayerProps<Haven> {
  return {
    id: 'havens-icons',
    data: havenList(havens),
    getPosition: (h) => [h.lon, h.lat],
    getIcon: (h) => havenIcon(h.status, occupancyTenths(h)),
    getSize: HAVEN_ICON_PX * scale,
    sizeUnits: 'pixels',
    pickable: true,
  };
}

/**
 * Haven label: name, then occupancy of capacity and the status when not open, in `w`'s language.
 * @example havenLabel({ name: 'Ullevi', occupancy: 340, capacity: 500, status: 'open' }, words) // 'Ullevi\n340 / 500'
 */
export function havenLabel(h: Pick<Haven, 'name' | 'occupancy' | 'capacity' | 'status'>, w: Words): string {
  const figures = { occupancy: w.fmt.number(h.occupancy), capacity: w.fmt.number(h.capacity) };
  const line = h.status === 'open' ? w.t('label.havenFigures', figures) : w.t('label.havenFiguresStatus', { ...figures, status: w.t(HAVEN_STATUS_WORDS[h.status]) });
  return `${h.name}\n${line}`;
}

/** Font of haven labels at scale 1. */
export const HAVEN_LABEL_FONT: LabelFont = { sizePx: 12.5, weight: 600, lineHeight: 1.15 };

/**
 * Wordings of a haven's label, fullest first: the full name, then its first word, then the figures alone
 * (the icon's colour and bar still say its status and how full it is).
 * @example havenLabelTexts({ name: 'Ullevi stadium', occupancy: 340, capacity: 500, status: 'open' }, words)
 *   // ['Ullevi stadium\n340 / 500', 'Ullevi\n340 / 500', '340 / 500']
 */
export function havenLabelTexts(h: Pick<Haven, 'name' | 'occupancy' | 'capacity' | 'status'>, w: Words): string[] {
  const full = havenLabel(h, w);
  const figures = full.slice(full.indexOf('\n') + 1);
  const first = h.name.split(/[\s,]+/)[0];
  const texts = [full];
  if (first && first !== h.name) texts.push(`${first}\n${figures}`);
  texts.push(figures);
  return texts;
}

/** Pixel box of a haven icon around its position, [minX, minY, maxX, maxY], y down (icon 34×44 anchored 17 px down). */
export function havenIconBox(scale = 1): [number, number, number, number] {
  const k = (HAVEN_ICON_PX * scale) / 44;
  return [-17 * k, -17 * k, 17 * k, 27 * k];
}

// Safe havens as deck.gl layer props (client/src/layers): shelter icon by status with an occupancy bar, and a capacity label.
import type { IconLayerProps, TextLayerProps } from '@deck.gl/layers';
import type { Haven } from '../../../server/protocol/events.js';
import { havenIcon, occupancyTenths } from './icons.js';
import { memoBySlice } from './memo.js';
import { LABEL_COLOR, LABEL_FONT, LABEL_OUTLINE } from './palette.js';

export const havenList = memoBySlice((havens: Record<string, Haven>) => Object.values(havens));

export function havenIconProps(havens: Record<string, Haven>, scale = 1): IconLayerProps<Haven> {
  return {
    id: 'havens-icons',
    data: havenList(havens),
    getPosition: (h) => [h.lon, h.lat],
    getIcon: (h) => havenIcon(h.status, occupancyTenths(h)),
    getSize: 40 * scale,
    sizeUnits: 'pixels',
    pickable: true,
  };
}

/**
 * Haven label: name, then occupancy of capacity and the status when not open.
 * @example havenLabel({ name: 'Ullevi', occupancy: 340, capacity: 500, status: 'open' }) // 'Ullevi\n340 / 500'
 */
export function havenLabel(h: Pick<Haven, 'name' | 'occupancy' | 'capacity' | 'status'>): string {
  const figures = `${h.occupancy.toLocaleString('en-GB')} / ${h.capacity.toLocaleString('en-GB')}`;
  return `${h.name}\n${h.status === 'open' ? figures : `${figures} ${h.status.toUpperCase()}`}`;
}

export function havenLabelProps(havens: Record<string, Haven>, scale = 1): TextLayerProps<Haven> {
  return {
    id: 'havens-labels',
    data: havenList(havens),
    getPosition: (h) => [h.lon, h.lat],
    getText: havenLabel,
    getColor: LABEL_COLOR,
    getSize: 12.5 * scale,
    getPixelOffset: [22 * scale, 0],
    getTextAnchor: 'start',
    getAlignmentBaseline: 'center',
    fontFamily: LABEL_FONT,
    fontWeight: 600,
    fontSettings: { sdf: true, fontSize: 48, buffer: 6 },
    outlineWidth: 4,
    outlineColor: LABEL_OUTLINE,
    characterSet: 'auto',
    lineHeight: 1.15,
 
  };
}

// Shared TextLayer props of placed labels (client/src/layers): where the placement put each label, and the common font setup.
import type { TextLayerProps } from '@deck.gl/layers';
import type { PlacedLabel } from './label-placement.js';
import { LABEL_FONT, LABEL_OUTLINE } from './palette.js';

/** Font and size of one label family; `sizePx` at scale 1, pixels; `lineHeight` a multiple of the size. */
export interface LabelFont {
  sizePx: number;
  weight: number;
  lineHeight: number;
}

/** TextLayer props of a placed-label family, everything but `data` (the placement supplies it). */
export type PlacedTextProps<T> = Omit<TextLayerProps<PlacedLabel<T>>, 'data' | 'id'> & { id?: string };

/**
 * TextLayer props every placed-label layer shares: text, position, offset, anchor and baseline come from
 * the placement (label-placement.ts), so what is drawn is exactly the box that was checked for overlaps.
 */
export function placedTextProps<T>(font: LabelFont, scale: number): PlacedTextProps<T> {
  return {
    getPosition: (l) => l.position,
    getText: (l) => l.text,
    getPixelOffset: (l) => l.offset,
    getTextAnchor: (l) => l.anchor,
    getAlignmentBaseline: (l) => l.baseline,
    getSize: font.sizePx * scale,
    lineHeight: font.lineHeight,
    fontFamily: LABEL_FONT,
    fontWeight: font.weight,
    // sdf + a 48 px atlas keeps edges sharp at the wall's large sizes; text-measure.ts measures at the same size.
    fontSettings: { sdf: true, fontSize: 48, buffer: 6 },
    outlineWidth: 4,
    outlineColor: LABEL_OUTLINE,
    characterSet: 'auto',
  };
}

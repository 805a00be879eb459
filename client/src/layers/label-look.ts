// How each placed label looks (client/src/layers): colour, size, weight, line height and background by
// family, from the same palette as the symbols; pure, for the map's label layers (map/map-labels.ts).
import { isStale } from '@corridor/protocol';
import { corridorLook, lookColor } from './convoy-look.js';
import { CONVOY_LABEL_FONT, CONVOY_LABEL_PAD, convoyLabelSizePx } from './corridor-layers.js';
import { HAVEN_LABEL_FONT } from './haven-layers.js';
import type { LabelDatum, LabelFamily } from './label-candidates.js';
import type { PlacedLabel } from './label-placement.js';
import { LABEL_COLOR, LABEL_OUTLINE, STALE_COLOR, type RGBA } from './palette.js';
import { SITE_LABEL_FONT } from './site-layers.js';
import { THREAT_LABEL_FONT, zoneLineColor } from './threat-layers.js';
import { UNIT_LABEL_FONT, type StaleClock } from './unit-layers.js';

/** The look of one label, at the display's scale. */
export interface LabelLook {
  color: RGBA;
  /** Text size, pixels. */
  sizePx: number;
  /** CSS font weight: 600 or 700 (the map's font stacks, server/basemap/fonts.ts). */
  weight: 600 | 700;
  /** Line height, a multiple of the size. */
  lineHeight: number;
  /** A box behind the text, and its padding in pixels [x, y]; none for most families. */
  background?: { color: RGBA; pad: [number, number] };
}

/** Outline around every label's letters, so they read over roads and zones. */
export const LABEL_HALO: RGBA = LABEL_OUTLINE;

/** Sites' label colour: the violet of their circles, lightened. */
const SITE_LABEL_COLOR: RGBA = [221, 214, 254, 255];

/**
 * The look of a placed label of any family.
 * @example labelLook(placedUnitLabel, { nowMs, staleAfterMs }, 1).color // LABEL_COLOR, or STALE_COLOR when stale
 */
export function labelLook(label: PlacedLabel<LabelDatum[LabelFamily], LabelFamily>, clock: StaleClock, scale = 1): LabelLook {
  switch (label.family) {
    case 'unit': {
      const unit = label.datum as LabelDatum['unit'];
      return { color: isStale(unit, clock.nowMs, clock.staleAfterMs) ? STALE_COLOR : LABEL_COLOR, ...font(UNIT_LABEL_FONT, scale) };
    }
    case 'haven':
      return { color: LABEL_COLOR, ...font(HAVEN_LABEL_FONT, scale) };
    case 'site':
      return { color: SITE_LABEL_COLOR, ...font(SITE_LABEL_FONT, scale) };
    case 'threat': {
      const [r, g, b] = zoneLineColor(label.datum as LabelDatum['threat']);
      return { color: [Math.min(255, r + 20), Math.min(255, g + 20), Math.min(255, b + 20), 255], ...font(THREAT_LABEL_FONT, scale) };
    }
    case 'convoy': {
      const mark = label.datum as LabelDatum['convoy'];
      return {
        // The convoy's colour on a dark chip (a holding convoy's a little greyed, as its corridor), red when blocked.
        color: mark.blocked ? [254, 202, 202, 255] : lookColor(mark.hex, { alpha: 255, dim: (corridorLook(mark.convoy.state)?.dim ?? 0) * 0.6 }),
        ...font(CONVOY_LABEL_FONT, scale),
        sizePx: convoyLabelSizePx(mark) * scale,
        background: { color: mark.blocked ? [127, 29, 29, 235] : [11, 16, 22, 225], pad: [CONVOY_LABEL_PAD[0] * scale, CONVOY_LABEL_PAD[1] * scale] },
      };
    }
  }
}

function font(f: { sizePx: number; weight: number; lineHeight: number }, scale: number) {
  return { sizePx: f.sizePx * scale, weight: (f.weight >= 700 ? 700 : 600) as 600 | 700, lineHeight: f.lineHeight };
}

// Size of the wall display (client/src/ui): how much larger symbols and map labels are drawn on /wall, from
// the legibility figure (wall/legibility.ts) rather than a guess, so that the smallest label reads from the room.
import { CONVOY_LABEL_FONT } from '../layers/corridor-layers.js';
import { HAVEN_LABEL_FONT } from '../layers/haven-layers.js';
import { SITE_LABEL_FONT } from '../layers/site-layers.js';
import { THREAT_LABEL_FONT } from '../layers/threat-layers.js';
import { UNIT_LABEL_FONT } from '../layers/unit-layers.js';
import { legibility, WALL_VIEWING, type ScreenSize, type Viewing } from '../wall/legibility.js';

/** The smallest map label font at scale 1, CSS pixels: every label family is scaled so that this one is legible. */
export const SMALLEST_LABEL_PX = Math.min(UNIT_LABEL_FONT.sizePx, HAVEN_LABEL_FONT.sizePx, SITE_LABEL_FONT.sizePx, THREAT_LABEL_FONT.sizePx, CONVOY_LABEL_FONT.sizePx);

/** Height of a unit symbol's frame at scale 1, CSS pixels (icons.ts draws the 30 px icon around a 26 px frame). */
export const SYMBOL_FRAME_PX = 26;

/** How the wall draws: symbols (`scale`) and map labels (`textScale`) multipliers, and the least font size of its page text. */
export interface WallScales {
  /** Multiplier of symbols, lines and markers. */
  scale: number;
  /** Multiplier of map label sizes. */
  textScale: number;
  /** Least font size of any text on the wall, CSS pixels (header, legend, ticker, panels). */
  fontPx: number;
}

/**
 * The wall's multipliers for a screen: map labels so that the smallest one reaches the legible font size,
 * symbols so that their frame reaches twice the legible capital height; never below the desk's.
 * @example wallScales({ widthCss: 1920, heightCss: 1080, dpr: 1 }) // { scale: 1.69, textScale: 2.57, fontPx: 30.8 }
 */
export function wallScales(screen: ScreenSize, viewing: Viewing = WALL_VIEWING): WallScales {
  const l = legibility(screen, viewing);
  // Rounded up to a hundredth, so that a scaled size never falls a rounding short of the figure.
  const up = (x: number) => Math.ceil(x * 100) / 100;
  return { scale: up(Math.max(1, l.symbolCssPx / SYMBOL_FRAME_PX)), textScale: up(Math.max(1, l.fontCssPx / SMALLEST_LABEL_PX)), fontPx: up(l.fontCssPx) };
}

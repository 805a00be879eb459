// Label text measurement (client/src/layers): widths as deck.gl's TextLayer lays text out, for label placement.
import { LABEL_FONT } from './palette.js';

/** Width of one line of text drawn at `sizePx` pixels with CSS font weight `weight`, pixels. */
export type MeasureLine = (line: string, sizePx: number, weight: number) => number;

/** The atlas font size deck.gl measures glyphs at (the TextLayers' `fontSettings.fontSize`), pixels. */
export const ATLAS_FONT_SIZE = 48;

/**
 * Average advance of Noto Sans glyphs as a fraction of the font size, for where no canvas exists (unit
 * tests under Node): measured over the exercise's labels, bold capitals run wider than the mean.
 */
const FALLBACK_EM = { regular: 0.56, bold: 0.62 };

/**
 * Approximate width without a canvas, pixels.
 * @example approxMeasure('BRAVO 1', 10, 600) // 43.4
 */
export const approxMeasure: MeasureLine = (line, sizePx, weight) => [...line].length * sizePx * (weight >= 600 ? FALLBACK_EM.bold : FALLBACK_EM.regular);

/**
 * A measurer that sums per-glyph advances from a 2D canvas, as deck.gl's font atlas does (no kerning),
 * so the boxes placed are the boxes drawn. Advances are cached per (weight, glyph). Falls back to
 * {@link approxMeasure} where there is no canvas.
 */
export function canvasMeasure(font = LABEL_FONT): MeasureLine {
  const ctx = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!ctx) return approxMeasure;
  const advances = new Map<string, number>();
  return (line, sizePx, weight) => {
    let w = 0;
    for (const ch of line) {
      const key = `${weight}|${ch}`;
      let a = advances.get(key);
      if (a === undefined) {
        ctx.font = `${weight} ${ATLAS_FONT_SIZE}px ${font}`;
        a = ctx.measureText(ch).width;
        advances.set(key, a);
      }
      w += a;
    }
    return (w * sizePx) / ATLAS_FONT_SIZE;
  };
}

/** Size of a (possibly multi-line) label, pixels: the widest line, and lines × lineHeight × size. */
export function measureLabel(text: string, sizePx: number, weight: number, lineHeight: number, measure: MeasureLine): { width: number; height: number } {
  const lines = text.split('\n');
  let width = 0;
  for (const l of lines) width = Math.max(width, measure(l, sizePx, weight));
  return { width, height: lines.length * lineHeight * sizePx };
}

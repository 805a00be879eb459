// Label text measurement (client/src/layers): widths as MapLibre lays map labels out, for label placement.

/** Font and size of one label family; `sizePx` at scale 1, pixels; `lineHeight` a multiple of the size. */
export interface LabelFont {
  sizePx: number;
  weight: number;
  lineHeight: number;
}

/** Width of one line of text drawn at `sizePx` pixels with CSS font weight `weight`, pixels. */
export type MeasureLine = (line: string, sizePx: number, weight: number) => number;

/** CSS font families of map labels: the same files MapLibre draws them with (the style's `font-faces`). */
export const MEASURE_FONT = '"Noto Sans", "Noto Sans Arabic", sans-serif';

/** The size glyphs are measured at, pixels; widths scale linearly with the size. */
const REFERENCE_PX = 48;

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

/** Letters of scripts that join (Arabic and its supplements and presentation forms), which MapLibre shapes before it lays them out. */
const JOINING = /[\u0600-\u06FF\u0750-\u077F\u0870-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]+/gu;

/** Splits text into grapheme clusters; one for the page (making one per line measured cost more than the split). */
const segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/**
 * Pieces of a line as MapLibre advances through them: a run of a joining script as one piece (its
 * letters take the shapes of the word they sit in, which only the whole run shows), everything else a
 * grapheme cluster at a time (MapLibre draws each cluster on its own, so no kerning between them).
 * @example lineRuns('BRAVO سلام') // ['B','R','A','V','O',' ','سلام']
 */
export function lineRuns(line: string): string[] {
  const out: string[] = [];
  const clusters = (text: string) => (segmenter ? [...segmenter.segment(text)].map((s) => s.segment) : [...text]);
  let at = 0;
  for (const m of line.matchAll(JOINING)) {
    out.push(...clusters(line.slice(at, m.index)));
    out.push(m[0]);
    at = m.index + m[0].length;
  }
  out.push(...clusters(line.slice(at)));
  return out;
}

/**
 * A measurer from a 2D canvas with the fonts the map draws labels with: the sum of each piece's advance
 * ({@link lineRuns}), as MapLibre lays out a line of a symbol, so the boxes placed are the boxes drawn.
 * Advances are cached per (weight, piece). Falls back to {@link approxMeasure} where there is no canvas.
 */
export function canvasMeasure(font = MEASURE_FONT): MeasureLine {
  const ctx = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!ctx) return approxMeasure;
  const advances = new Map<string, number>();
  return (line, sizePx, weight) => {
    let w = 0;
    for (const piece of lineRuns(line)) {
      const key = `${weight}|${piece}`;
      let a = advances.get(key);
      if (a === undefined) {
        ctx.font = `${weight} ${REFERENCE_PX}px ${font}`;
        a = ctx.measureText(piece).width;
        advances.set(key, a);
      }
      w += a;
    }
    return (w * sizePx) / REFERENCE_PX;
  };
}

/** Size of a (possibly multi-line) label, pixels: the widest line, and lines × lineHeight × size. */
export function measureLabel(text: string, sizePx: number, weight: number, lineHeight: number, measure: MeasureLine): { width: number; height: number } {
  const lines = text.split('\n');
  let width = 0;
  for (const l of lines) width = Math.max(width, measure(l, sizePx, weight));
  return { width, height: lines.length * lineHeight * sizePx };
}

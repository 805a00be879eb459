// The picture's labels drawn by MapLibre (client/src/map): where label-placement.ts put each label, as
// a GeoJSON source and one symbol layer per family. MapLibre shapes Arabic and lays it out right to
// left with the style's font-faces, which deck.gl's TextLayer cannot (deck.gl issue 7448); the
// placement stays ours, so required labels always show and no two labels overlap.
import type { ExpressionSpecification, LayerSpecification, StyleSpecification, SymbolLayerSpecification } from 'maplibre-gl';
import type { Feature, FeatureCollection, Point } from 'geojson';
import type { Language } from '@corridor/protocol';
import { CONVOY_LABEL_PAD } from '../layers/corridor-layers.js';
import type { LabelDatum, LabelFamily } from '../layers/label-candidates.js';
import { LABEL_HALO, labelLook } from '../layers/label-look.js';
import type { Baseline, PlacedLabel, TextAnchor } from '../layers/label-placement.js';
import type { RGBA } from '../layers/palette.js';
import type { StaleClock } from '../layers/unit-layers.js';

/** A placed label of any family. */
export type AnyPlacedLabel = PlacedLabel<LabelDatum[LabelFamily], LabelFamily>;

/** The GeoJSON source the label layers draw. */
export const LABEL_SOURCE = 'picture-labels';

/** Draw order of the label families, bottom to top: the most important text is drawn last, on top. */
export const LABEL_FAMILIES: readonly LabelFamily[] = ['site', 'haven', 'convoy', 'unit', 'threat'];

/** The symbol layer of a family. */
export const labelLayerId = (family: LabelFamily) => `picture-labels-${family}`;

/** The lowest label layer: deck.gl layers drawn under the labels are inserted before it (interleaved). */
export const FIRST_LABEL_LAYER = labelLayerId(LABEL_FAMILIES[0]);

/** Image behind convoy labels: a white rounded box, stretched around the text and tinted per label (SDF). */
export const LABEL_BOX_IMAGE = 'picture-label-box';

/** Font stacks of the style's `font-faces` by weight (server/basemap/fonts.ts LABEL_FONTS). */
const FONT_STACKS = { 600: 'Noto Sans SemiBold', 700: 'Noto Sans Bold' } as const;

/** Line height of each family's labels, a multiple of the size (label placement measures with the same). */
const LINE_HEIGHT: Record<LabelFamily, number> = { site: 1.15, haven: 1.15, convoy: 1.15, unit: 1, threat: 1 };

const rgba = ([r, g, b, a]: RGBA) => `rgba(${r},${g},${b},${(a / 255).toFixed(3)})`;

/**
 * MapLibre's `text-anchor` for the placement's anchor and baseline: the point of the text box that sits
 * at the label's position plus its offset.
 * @example symbolAnchor('start', 'top') // 'top-left'
 */
export function symbolAnchor(anchor: TextAnchor, baseline: Baseline): string {
  const v = baseline === 'top' ? 'top' : baseline === 'bottom' ? 'bottom' : '';
  const h = anchor === 'start' ? 'left' : anchor === 'end' ? 'right' : '';
  return v && h ? `${v}-${h}` : v || h || 'center';
}

/** Properties of one label feature. */
export interface LabelProperties {
  id: string;
  family: LabelFamily;
  text: string;
  /** Text size, pixels. */
  size: number;
  anchor: string;
  /** Offset of the anchor from the position, ems of `size` (MapLibre's `text-offset`). */
  offset: [number, number];
  color: string;
  /** Colour of the box behind the text, for families that have one. */
  box?: string;
}

/**
 * The placed labels as GeoJSON points, in draw order within each family (id order), each with what its
 * layer needs: the wording, size, anchor and offset the placement chose, and its colours.
 */
export function labelFeatures(placed: readonly AnyPlacedLabel[], clock: StaleClock, scale: number, dir: 'ltr' | 'rtl' = 'ltr'): FeatureCollection<Point, LabelProperties> {
  const features: Feature<Point, LabelProperties>[] = [];
  for (const l of [...placed].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const look = labelLook(l, clock, scale);
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: l.position },
      properties: {
        id: l.id,
        family: l.family,
        text: directed(l.text, dir),
        size: round2(look.sizePx),
        anchor: symbolAnchor(l.anchor, l.baseline),
        offset: [round2(l.offset[0] / look.sizePx), round2(l.offset[1] / look.sizePx)],
        color: rgba(look.color),
        ...(look.background ? { box: rgba(look.background.color) } : {}),
      },
    });
  }
  return { type: 'FeatureCollection', features };
}

const round2 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * A label's text with each line led by the page's direction mark (U+200E LRM, U+200F RLM), so that a line
 * holding an Arabic name on a French page, or a Latin callsign on an Arabic one, still reads in the page's
 * order: `٣٠٠ / ١٢٠` under an Arabic haven name stays `120 / 300` on a Spanish page, a stale mark stays after
 * the name. The marks have no width; label placement measures the text without them.
 * @example directed('مدرسة النور\n120 / 300', 'ltr') // '\u200Eمدرسة النور\n\u200E120 / 300'
 */
export function directed(text: string, dir: 'ltr' | 'rtl'): string {
  const mark = dir === 'rtl' ? '\u200F' : '\u200E';
  return text
    .split('\n')
    .map((line) => mark + line)
    .join('\n');
}

/**
 * One symbol layer per family over {@link LABEL_SOURCE}. MapLibre's own collision handling is off
 * (every label is drawn where the placement put it: the placement already kept them apart), lines are
 * never re-wrapped, and the text stays upright and flat on the screen.
 */
export function labelLayers(scale: number): SymbolLayerSpecification[] {
  return LABEL_FAMILIES.map((family) => {
    const weight = family === 'convoy' || family === 'threat' ? 700 : 600;
    const layer: SymbolLayerSpecification = {
      id: labelLayerId(family),
      type: 'symbol',
      source: LABEL_SOURCE,
      filter: ['==', ['get', 'family'], family],
      layout: {
        'text-field': ['get', 'text'],
        'text-font': [FONT_STACKS[weight]],
        'text-size': ['get', 'size'],
        'text-anchor': ['get', 'anchor'] as ExpressionSpecification,
        'text-offset': ['array', 'number', 2, ['get', 'offset']] as ExpressionSpecification,
        'text-line-height': LINE_HEIGHT[family],
        'text-justify': 'auto',
        'text-max-width': 1000,
        'text-padding': 0,
        'text-allow-overlap': true,
        'text-ignore-placement': true,
        'text-rotation-alignment': 'viewport',
        'text-pitch-alignment': 'viewport',
        'symbol-z-order': 'source',
      },
      paint: {
        'text-color': ['get', 'color'],
        'text-halo-color': rgba(LABEL_HALO),
        'text-halo-width': 2 * scale,
        'text-halo-blur': 0.5,
      },
    };
    if (family === 'convoy') {
      layer.layout = {
        ...layer.layout,
        'icon-image': LABEL_BOX_IMAGE,
        'icon-text-fit': 'both',
        // The placement moved the text in by the padding; the box grows back out by it (label-look.ts).
        'icon-text-fit-padding': [CONVOY_LABEL_PAD[1] * scale, CONVOY_LABEL_PAD[0] * scale, CONVOY_LABEL_PAD[1] * scale, CONVOY_LABEL_PAD[0] * scale],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      };
      layer.paint = { ...layer.paint, 'icon-color': ['coalesce', ['get', 'box'], 'rgba(0,0,0,0)'] as ExpressionSpecification };
    }
    return layer;
  });
}

/** The rounded box behind convoy labels: a white SDF image whose middle stretches (MapLibre `addImage`). */
export function labelBoxImage(): { width: number; height: number; data: Uint8Array; options: { sdf: true; stretchX: [number, number][]; stretchY: [number, number][]; content: [number, number, number, number]; pixelRatio: number } } {
  const size = 24;
  const radius = 5;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Distance outside the rounded square, SDF-encoded as MapLibre expects (alpha 192 at the edge).
      const dx = Math.max(radius - x - 0.5, 0, x + 0.5 - (size - radius));
      const dy = Math.max(radius - y - 0.5, 0, y + 0.5 - (size - radius));
      const outside = Math.hypot(dx, dy) - radius;
      const alpha = Math.max(0, Math.min(255, Math.round(192 - outside * 32)));
      data.set([255, 255, 255, alpha], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data, options: { sdf: true, stretchX: [[radius, size - radius]], stretchY: [[radius, size - radius]], content: [radius, radius, size - radius, size - radius], pixelRatio: 1 } };
}

/**
 * The style with the picture's label source and layers on top of the basemap's, so they exist before
 * deck.gl's layers are put under them (interleaved, `beforeId`).
 */
export function withLabelLayers(style: StyleSpecification, scale: number): StyleSpecification {
  return {
    ...style,
    sources: { ...style.sources, [LABEL_SOURCE]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } } },
    layers: [...style.layers, ...(labelLayers(scale) as LayerSpecification[])],
  };
}

/**
 * The `text-field` of place names in a language: the name in that language where the data has one
 * (OpenStreetMap's `name:<code>`, carried by the basemap's tiles), else the local name.
 * @example placeNameField('ar') // ['coalesce', ['get', 'name:ar'], ['get', 'name']]
 */
export function placeNameField(lang: Language): ExpressionSpecification {
  return ['coalesce', ['get', `name:${lang}`], ['get', 'name']];
}

/**
 * The style's symbol layers that draw place names (the basemap's road names: `text-field` reads `name`),
 * whichever language they are set to now.
 */
export function placeNameLayers(style: Pick<StyleSpecification, 'layers'>): string[] {
  return style.layers
    .filter((l) => l.type === 'symbol' && l.source !== LABEL_SOURCE && JSON.stringify(l.layout?.['text-field'] ?? '').includes('"name'))
    .map((l) => l.id);
}

/**
 * The style with its place names in `lang` where the data has them ({@link placeNameField} on every
 * {@link placeNameLayers} layer); a switch of language is then a style diff MapLibre applies in place.
 */
export function withPlaceNames(style: StyleSpecification, lang: Language): StyleSpecification {
  const ids = new Set(placeNameLayers(style));
  return {
    ...style,
    layers: style.layers.map((l) => (ids.has(l.id) && l.type === 'symbol' ? { ...l, layout: { ...l.layout, 'text-field': placeNameField(lang) } } : l)),
  };
}

// The picture's labels as MapLibre draws them (test/client → client/src/map/map-labels.ts, layers/text-measure.ts):
// anchors and offsets that put each text where the placement checked it, the layers, place names per language.
import { describe, expect, it } from 'vitest';
import type { Unit } from '@corridor/protocol';
import type { PlacedLabel } from '../../client/src/layers/label-placement.js';
import { lineRuns } from '../../client/src/layers/text-measure.js';
import {
  FIRST_LABEL_LAYER,
  LABEL_FAMILIES,
  LABEL_SOURCE,
  directed,
  labelFeatures,
  labelLayers,
  labelLayerId,
  placeNameField,
  placeNameLayers,
  symbolAnchor,
  withLabelLayers,
  type AnyPlacedLabel,
} from '../../client/src/map/map-labels.js';

const unit: Unit = { unitId: 'u-1', callsign: 'دورية ٢١', lon: 11.96, lat: 57.7, timeMs: 1000, seenMs: 1000 };
const placed = (o: Partial<PlacedLabel>): AnyPlacedLabel =>
  ({ id: 'unit:u-1', family: 'unit', datum: unit, position: [11.96, 57.7], text: 'دورية ٢١', offset: [0, 16], anchor: 'middle', baseline: 'top', variant: 0, slot: 0, forced: false, box: { minX: 0, minY: 0, maxX: 1, maxY: 1 }, ...o }) as AnyPlacedLabel;

describe('map labels', () => {
  it('maps the placement\'s anchor and baseline onto MapLibre\'s text-anchor', () => {
    expect(symbolAnchor('start', 'top')).toBe('top-left');
    expect(symbolAnchor('middle', 'top')).toBe('top');
    expect(symbolAnchor('end', 'center')).toBe('right');
    expect(symbolAnchor('middle', 'center')).toBe('center');
    expect(symbolAnchor('end', 'bottom')).toBe('bottom-right');
  });

  it('gives each label its text, size, anchor and offset in ems of its size, in id order', () => {
    const clock = { nowMs: 2000, staleAfterMs: 60_000 };
    const fc = labelFeatures([placed({ id: 'unit:u-2', offset: [-26, 0], anchor: 'end', baseline: 'center' }), placed({})], clock, 2);
    expect(fc.features.map((f) => f.properties.id)).toEqual(['unit:u-1', 'unit:u-2']);
    const [a, b] = fc.features;
    expect(a.geometry.coordinates).toEqual([11.96, 57.7]);
    // Unit labels are 13 px at scale 1: 26 px on the wall (scale 2), so 16 px down is 16/26 em.
    expect(a.properties).toMatchObject({ family: 'unit', text: '\u200Eدورية ٢١', size: 26, anchor: 'top', offset: [0, 0.615] });
    expect(b.properties).toMatchObject({ anchor: 'right', offset: [-1, 0] });
    // A stale unit's label is grey.
    const stale = labelFeatures([placed({})], { nowMs: 1000 + 120_000, staleAfterMs: 60_000 }, 1).features[0];
    expect(stale.properties.color).not.toBe(a.properties.color);
  });

  it("leads every line with the page's direction mark, so mixed lines read in the page's order", () => {
    expect(directed('مدرسة النور\n120 / 300', 'ltr')).toBe('\u200Eمدرسة النور\n\u200E120 / 300');
    expect(directed('BRAVO 2 · بلا تحديث', 'rtl')).toBe('\u200FBRAVO 2 · بلا تحديث');
    const rtl = labelFeatures([placed({ text: 'EVAC RED\nلا مسار آمن' })], { nowMs: 2000, staleAfterMs: 60_000 }, 1, 'rtl').features[0];
    expect(rtl.properties.text).toBe('\u200FEVAC RED\n\u200Fلا مسار آمن');
  });

  it('draws every label where it was placed: one layer per family, MapLibre\'s collisions and wrapping off', () => {
    const layers = labelLayers(1);
    expect(layers.map((l) => l.id)).toEqual(LABEL_FAMILIES.map(labelLayerId));
    for (const l of layers) {
      expect(l.source).toBe(LABEL_SOURCE);
      expect(l.layout).toMatchObject({ 'text-allow-overlap': true, 'text-ignore-placement': true, 'text-max-width': 1000 });
    }
    expect(layers.find((l) => l.id === labelLayerId('convoy'))!.layout).toMatchObject({ 'icon-text-fit': 'both' });
  });

  it('adds the label source and layers above the basemap\'s, the first of them the one deck.gl layers go under', () => {
    const base = { version: 8 as const, sources: {}, layers: [{ id: 'background', type: 'background' as const }] };
    const style = withLabelLayers(base, 1);
    expect(style.layers[0].id).toBe('background');
    expect(style.layers[1].id).toBe(FIRST_LABEL_LAYER);
    expect(style.sources[LABEL_SOURCE]).toMatchObject({ type: 'geojson' });
  });

  it('names places in the chosen language where the data has it, else by their local name', () => {
    expect(placeNameField('fr')).toEqual(['coalesce', ['get', 'name:fr'], ['get', 'name']]);
    const style = withLabelLayers(
      {
        version: 8,
        sources: {},
        layers: [
          { id: 'label-major', type: 'symbol', source: 'roads', layout: { 'text-field': ['get', 'name'] } },
          { id: 'label-minor', type: 'symbol', source: 'roads', layout: { 'text-field': placeNameField('ar') } },
          { id: 'road-primary', type: 'line', source: 'roads' },
        ],
      },
      1,
    );
    expect(placeNameLayers(style)).toEqual(['label-major', 'label-minor']);
  });

  it('measures a run of Arabic as one piece (its letters join), everything else a cluster at a time', () => {
    expect(lineRuns('BRAVO 1')).toEqual(['B', 'R', 'A', 'V', 'O', ' ', '1']);
    // Arabic-Indic digits sit in the Arabic block: measured with it, which changes nothing (they do not join).
    expect(lineRuns('دورية ٢١ (مشاة)')).toEqual(['دورية', ' ', '٢١', ' ', '(', 'مشاة', ')']);
    expect(lineRuns('Ullevi مركز')).toEqual(['U', 'l', 'l', 'e', 'v', 'i', ' ', 'مركز']);
  });
});

// All map labels as one deck.gl CompositeLayer (client/src/layers): re-places labels on every viewport or picture change, one TextLayer per family.
import { CompositeLayer, type CompositeLayerProps, type DefaultProps, type Layer, type UpdateParameters } from '@deck.gl/core';
import { TextLayer } from '@deck.gl/layers';
import { convoyLabelStyle } from './corridor-layers.js';
import { havenLabelStyle } from './haven-layers.js';
import { labelObstacles, labelSpecs, type LabelDatum, type LabelFamily, type LabelInputs } from './label-candidates.js';
import { groupByFamily, placeLabels, type Box, type PlacedLabel } from './label-placement.js';
import { siteLabelStyle } from './site-layers.js';
import { approxMeasure, type MeasureLine } from './text-measure.js';
import { threatLabelStyle } from './threat-layers.js';
import { unitLabelStyle, type StaleClock } from './unit-layers.js';

/** A placed label of any family. */
export type AnyPlacedLabel = PlacedLabel<LabelDatum[LabelFamily], LabelFamily>;

type _PictureLabelsProps = {
  picture: LabelInputs['picture'];
  clock: StaleClock;
  /** Size multiplier of labels and symbols (1 on desks, more on the wall display). */
  scale: number;
  /** Shortest wordings only where they exist (the wall display). */
  compact: boolean;
  /** Text measurer; the canvas one in browsers (text-measure.ts). */
  measure: MeasureLine;
  /** Screen areas covered by page furniture (the legend), CSS pixels: no label is placed there. */
  reserved: Box[];
  /** Called with every new placement (read-only hook for the browser tests). */
  onPlaced: ((labels: readonly AnyPlacedLabel[]) => void) | null;
};

export type PictureLabelsLayerProps = _PictureLabelsProps & CompositeLayerProps;

const defaultProps: DefaultProps<PictureLabelsLayerProps> = {
  clock: { type: 'object', value: { nowMs: 0, staleAfterMs: Infinity } },
  scale: 1,
  compact: false,
  measure: { type: 'function', value: approxMeasure },
  reserved: { type: 'array', value: [], compare: 2 },
  onPlaced: { type: 'function', value: null },
};

/** Least time between two placements while only panning, ms. */
const PAN_REPLACE_MS = 100;

/** Draw order of the label families, bottom to top: the most important text is drawn last, on top. */
const FAMILY_ORDER: LabelFamily[] = ['site', 'haven', 'convoy', 'unit', 'threat'];

type ByFamily = { [F in LabelFamily]: PlacedLabel<LabelDatum[F], F>[] };
const emptyByFamily = (): ByFamily => ({ threat: [], convoy: [], unit: [], haven: [], site: [] });

/**
 * The picture's labels, decluttered: placement runs in screen space (label-placement.ts) whenever the
 * viewport or a labelled slice changes, and each family's TextLayer keeps its data array while its
 * placement is unchanged (a pan moves nothing relative to the symbols), so deck.gl rebuilds label
 * attributes only when a label appears, disappears, moves slot or changes wording.
 */
export class PictureLabelsLayer extends CompositeLayer<_PictureLabelsProps> {
  static override layerName = 'PictureLabelsLayer';
  static override defaultProps = defaultProps;

  declare state: {
    byFamily: ByFamily;
    previous: Map<string, AnyPlacedLabel>;
    /** The view the last placement was made for, and when (ms, performance clock). */
    placedFor: { zoom: number; width: number; height: number; atMs: number } | null;
  };

  override initializeState(): void {
    this.state = { byFamily: emptyByFamily(), previous: new Map(), placedFor: null };
  }

  override shouldUpdateState({ changeFlags }: UpdateParameters<this>): boolean {
    // Placement is per viewport: pans and zooms must re-place labels, not only prop changes.
    return changeFlags.propsOrDataChanged || changeFlags.viewportChanged;
  }

  override updateState({ changeFlags }: UpdateParameters<this>): void {
    const { picture, clock, scale, compact, measure, reserved, onPlaced } = this.props;
    const viewport = this.context.viewport;
    const nowMs = performance.now();
    const last = this.state.placedFor;
    // A pan moves every label with its symbol, so placement only changes at the screen's edges: while
    // panning, re-place at most every PAN_REPLACE_MS (the picture's next tick, ≤ 1 s, catches the last frame).
    const panOnly = !changeFlags.propsOrDataChanged && last && last.zoom === viewport.zoom && last.width === viewport.width && last.height === viewport.height;
    if (panOnly && nowMs - last.atMs < PAN_REPLACE_MS) return;
    this.state.placedFor = { zoom: viewport.zoom, width: viewport.width, height: viewport.height, atMs: nowMs };
    const specs = labelSpecs({ picture, clock, scale, compact, measure });
    const placed = placeLabels(specs, labelObstacles(picture, scale), {
      width: viewport.width,
      height: viewport.height,
      project: (p) => viewport.project(p),
      gapPx: 4 * scale,
      reserved,
      previous: this.state.previous,
    });

    const next = groupByFamily(placed, this.state.byFamily as Record<LabelFamily, AnyPlacedLabel[]>, FAMILY_ORDER) as ByFamily;
    const changed = FAMILY_ORDER.some((f) => next[f] !== this.state.byFamily[f]);
    if (changed || !this.state.previous.size) {
      this.setState({ byFamily: next, previous: new Map(placed.map((l) => [l.id, l])) });
      onPlaced?.(placed);
    }
  }

  override renderLayers(): Layer[] {
    const { clock, scale } = this.props;
    const { byFamily } = this.state;
    const layers: Record<LabelFamily, Layer> = {
      site: new TextLayer(this.getSubLayerProps({ ...siteLabelStyle(scale), data: byFamily.site })),
      haven: new TextLayer(this.getSubLayerProps({ ...havenLabelStyle(scale), data: byFamily.haven })),
      convoy: new TextLayer(this.getSubLayerProps({ ...convoyLabelStyle(scale), data: byFamily.convoy })),
      unit: new TextLayer(this.getSubLayerProps({ ...unitLabelStyle(clock, scale), data: byFamily.unit })),
      threat: new TextLayer(this.getSubLayerProps({ ...threatLabelStyle(scale), data: byFamily.threat })),
    };
    return FAMILY_ORDER.map((f) => layers[f]);
  }
}

// Keeps the map's labels placed (client/src/map): runs label placement (layers/label-placement.ts) on
// the MapLibre map whenever the view or the labelled picture changes, and hands the result to the
// label source (map-labels.ts). Between placements MapLibre moves the labels with the map.
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { labelObstacles, labelSpecs, type LabelInputs } from '../layers/label-candidates.js';
import { placeLabels, type Box } from '../layers/label-placement.js';
import type { StaleClock } from '../layers/unit-layers.js';
import { LABEL_BOX_IMAGE, LABEL_SOURCE, labelBoxImage, labelFeatures, type AnyPlacedLabel } from './map-labels.js';

/** Least time between two placements while the view moves, ms. */
const MOVE_REPLACE_MS = 100;

/** What the labels are made from, besides the view. */
export type LabelState = Omit<LabelInputs, 'scale'> & {
  clock: StaleClock;
  /** Screen areas covered by page furniture (the legend), CSS pixels: no label is placed there. */
  reserved: Box[];
};

/** The labels of one map. */
export class LabelController {
  private state?: LabelState;
  private previous = new Map<string, AnyPlacedLabel>();
  private lastData = '';
  private lastPlacedMs = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly onMove = () => this.schedule();
  private readonly onMoveEnd = () => this.place();

  constructor(
    private readonly map: MapLibreMap,
    private readonly scale: number,
    private readonly onPlaced: (labels: readonly AnyPlacedLabel[]) => void,
  ) {
    if (!map.hasImage(LABEL_BOX_IMAGE)) {
      const box = labelBoxImage();
      map.addImage(LABEL_BOX_IMAGE, { width: box.width, height: box.height, data: box.data }, box.options);
    }
    map.on('move', this.onMove);
    map.on('moveend', this.onMoveEnd);
    map.on('resize', this.onMoveEnd);
  }

  /** New picture, clock or page furniture: places again at once. */
  update(state: LabelState): void {
    this.state = state;
    this.place();
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.map.off('move', this.onMove);
    this.map.off('moveend', this.onMoveEnd);
    this.map.off('resize', this.onMoveEnd);
  }

  /** While the view moves: at most one placement every {@link MOVE_REPLACE_MS}, and one at the end. */
  private schedule(): void {
    const wait = MOVE_REPLACE_MS - (performance.now() - this.lastPlacedMs);
    if (wait <= 0) return this.place();
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.place();
      }, wait);
    }
  }

  private place(): void {
    const state = this.state;
    const source = this.map.getSource<GeoJSONSource>(LABEL_SOURCE);
    if (!state || !source) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastPlacedMs = performance.now();
    const { scale, map } = this;
    const canvas = map.getContainer();
    const specs = labelSpecs({ ...state, scale });
    const placed = placeLabels(specs, labelObstacles(state.picture, scale), {
      width: canvas.clientWidth,
      height: canvas.clientHeight,
      project: (p) => {
        const q = map.project(p);
        return [q.x, q.y];
      },
      gapPx: 4 * scale,
      reserved: state.reserved,
      previous: this.previous,
    });
    this.previous = new Map(placed.map((l) => [l.id, l]));
    const data = labelFeatures(placed, state.clock, scale, state.words.dir);
    const text = JSON.stringify(data);
    // The source is laid out again on MapLibre's worker only when a label appears, moves slot, changes
    // wording or colour: a pan changes nothing here, and the labels move with the map.
    if (text !== this.lastData) {
      this.lastData = text;
      source.setData(data);
    }
    this.onPlaced(placed);
  }
}

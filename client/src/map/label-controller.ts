// Keeps the map's labels placed (client/src/map): runs label placement (layers/label-placement.ts) on
// the MapLibre map whenever the view or the labelled picture changes, and hands the result to the
// label source (map-labels.ts). Between placements MapLibre moves the labels with the map.
// Unit symbols that would hide a haven or another unit are displaced first (layers/symbol-displacement.ts),
// and the units are handed to deck.gl only once MapLibre has laid out their labels, so that on a slow wall
// a symbol never runs ahead of its label (issue 17: labels drifting from their symbols).
import type { GeoJSONSource, Map as MapLibreMap, MapSourceDataEvent } from 'maplibre-gl';
import type { Unit } from '@corridor/protocol';
import { labelObstacles, labelSpecs, unitDisplacements, type LabelInputs } from '../layers/label-candidates.js';
import { placeLabels, type Box } from '../layers/label-placement.js';
import { displacementKey, type Displacements } from '../layers/symbol-displacement.js';
import type { Leader, StaleClock } from '../layers/unit-layers.js';
import { LABEL_BOX_IMAGE, LABEL_SOURCE, labelBoxImage, labelFeatures, type AnyPlacedLabel } from './map-labels.js';

/** Least time between two placements while the view moves, ms. */
const MOVE_REPLACE_MS = 100;
/** Longest wait for MapLibre to lay out new labels before the symbols are moved anyway, ms. */
const LABELS_WAIT_MS = 400;

/** What the labels are made from, besides the view. */
export type LabelState = Omit<LabelInputs, 'scale' | 'textScale' | 'offsets'> & {
  clock: StaleClock;
  /** Screen areas covered by page furniture (the legend), CSS pixels: no label is placed there. */
  reserved: Box[];
};

/** The unit symbols as the labels were placed for them: the units slice, the displaced ones' offsets and leader lines. */
export interface DrawnUnits {
  units: Record<string, Unit>;
  offsets: Displacements;
  leaders: Leader[];
}

/** The labels of one map. */
export class LabelController {
  private state?: LabelState;
  private readonly textScale: number;
  private previous = new Map<string, AnyPlacedLabel>();
  private offsets: Displacements = new Map();
  private lastData = '';
  private lastPlacedMs = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private waiting?: { done: () => void; timer: ReturnType<typeof setTimeout> };
  private readonly onMove = () => this.schedule();
  private readonly onMoveEnd = () => this.place();
  private readonly onSourceData = (e: MapSourceDataEvent) => {
    if (this.waiting && e.sourceId === LABEL_SOURCE && this.map.isSourceLoaded(LABEL_SOURCE)) this.release();
  };

  /**
   * `scale` multiplies symbol sizes, `textScale` label sizes (the wall's grow apart: ui/wall-scale.ts).
   * `onPlaced` hears each placement, with the units as drawn for it, once their labels are laid out.
   */
  constructor(
    private readonly map: MapLibreMap,
    private readonly scale: number,
    private readonly onPlaced: (labels: readonly AnyPlacedLabel[], drawn: DrawnUnits) => void,
    textScale?: number,
  ) {
    this.textScale = textScale ?? scale;
    if (!map.hasImage(LABEL_BOX_IMAGE)) {
      const box = labelBoxImage();
      map.addImage(LABEL_BOX_IMAGE, { width: box.width, height: box.height, data: box.data }, box.options);
    }
    map.on('move', this.onMove);
    map.on('moveend', this.onMoveEnd);
    map.on('resize', this.onMoveEnd);
    map.on('sourcedata', this.onSourceData);
  }

  /** New picture, clock or page furniture: places again at once. */
  update(state: LabelState): void {
    this.state = state;
    this.place();
  }

  destroy(): void {
    clearTimeout(this.timer);
    if (this.waiting) clearTimeout(this.waiting.timer);
    this.waiting = undefined;
    this.map.off('move', this.onMove);
    this.map.off('moveend', this.onMoveEnd);
    this.map.off('resize', this.onMoveEnd);
    this.map.off('sourcedata', this.onSourceData);
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

  /** Unit symbols off the havens and off each other, on the current view; the same map while nothing moved. */
  private displace(state: LabelState): Displacements {
    const { map, scale } = this;
    const canvas = map.getContainer();
    const project = (p: [number, number]) => {
      const q = map.project(p);
      return [q.x, q.y];
    };
    const next = unitDisplacements(state.picture, scale, { width: canvas.clientWidth, height: canvas.clientHeight, project }, this.offsets);
    return displacementKey(next) === displacementKey(this.offsets) ? this.offsets : next;
  }

  private place(): void {
    const state = this.state;
    const source = this.map.getSource<GeoJSONSource>(LABEL_SOURCE);
    if (!state || !source) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastPlacedMs = performance.now();
    const { scale, textScale, map } = this;
    const canvas = map.getContainer();
    const offsets = (this.offsets = this.displace(state));
    const specs = labelSpecs({ ...state, scale, textScale, offsets });
    const placed = placeLabels(specs, labelObstacles(state.picture, scale, offsets), {
      width: canvas.clientWidth,
      height: canvas.clientHeight,
      project: (p) => {
        const q = map.project(p);
        return [q.x, q.y];
      },
      gapPx: 4 * textScale,
      reserved: state.reserved,
      previous: this.previous,
    });
    this.previous = new Map(placed.map((l) => [l.id, l]));
    const leaders: Leader[] = [];
    for (const [id, [dx, dy]] of offsets) {
      const u = state.picture.units[id];
      if (!u) continue;
      const p = map.project([u.lon, u.lat]);
      const to = map.unproject([p.x + dx, p.y + dy]);
      leaders.push({ id, path: [[u.lon, u.lat], [to.lng, to.lat]] });
    }
    const drawn: DrawnUnits = { units: state.picture.units, offsets, leaders };
    const data = labelFeatures(placed, state.clock, textScale, state.words.dir);
    const text = JSON.stringify(data);
    // The source is laid out again on MapLibre's worker only when a label appears, moves slot, changes
    // wording or colour: a pan changes nothing here, and the labels move with the map.
    if (text !== this.lastData) {
      this.lastData = text;
      source.setData(data);
      this.afterLayout(() => this.onPlaced(placed, drawn), true);
    } else {
      this.afterLayout(() => this.onPlaced(placed, drawn), false);
    }
  }

  /**
   * Runs `done` once MapLibre has laid out the label source: after the data just given it (`fresh`), or
   * after the data still on its way, or at once when none is. Only the latest `done` runs, and no later
   * than {@link LABELS_WAIT_MS} after the first of those waiting: placements coming faster than MapLibre
   * lays them out (a busy 4K wall) must not hold the symbols back for ever.
   */
  private afterLayout(done: () => void, fresh: boolean): void {
    if (this.waiting) this.waiting.done = done;
    else if (fresh) this.waiting = { done, timer: setTimeout(() => this.release(), LABELS_WAIT_MS) };
    else done();
  }

  private release(): void {
    const w = this.waiting;
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting = undefined;
    w.done();
  }
}

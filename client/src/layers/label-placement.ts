// Greedy label placement in screen space (client/src/layers): priority order, candidate slots, symbols as obstacles, no overlaps.
//
// Why not deck.gl's CollisionFilterExtension: it tests the label footprint without the pixel offset,
// so offset labels hid one another almost entirely, and it cannot keep labels off unit symbols drawn
// by another layer. This is the classic map approach (MapLibre's symbol placement works the same way):
// per viewport, project every label's anchor to pixels, try its candidate slots around the symbol in
// order, and keep the first box that hits neither an already placed label nor a symbol.
//
//          above-left   above   above-right
//                    ┌─────────┐
//              left  │ symbol  │  right          a slot is an offset from the projected anchor,
//                    └─────────┘                 in CSS pixels, y down, with the text anchor and
//          below-left   below   below-right      baseline that make the text grow away from the symbol
import RBush from 'rbush';

/** Pixel box, CSS pixels, y down. */
export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export type TextAnchor = 'start' | 'middle' | 'end';
export type Baseline = 'top' | 'center' | 'bottom';

/** A place a label may go: offset of the text anchor from the projected point (pixels, y down), and how the text hangs from it. */
export interface Slot {
  dx: number;
  dy: number;
  anchor: TextAnchor;
  baseline: Baseline;
}

/** A wording of a label, fullest first, with its measured size in pixels (padding included). */
export interface TextVariant {
  text: string;
  width: number;
  height: number;
}

/** One label to place. */
export interface LabelSpec<T = unknown, F extends string = string> {
  /** Unique across all families, e.g. `unit:u-1`; also the tie-break, so placement is deterministic. */
  id: string;
  family: F;
  /** Higher goes first and wins the space. */
  priority: number;
  /** Shown even when no slot is free (no-go zones, convoys with no safe route, unit callsigns). */
  required: boolean;
  /** Anchor point, [lon, lat] degrees. */
  position: [number, number];
  /** Wordings, fullest first; a shorter one is tried only when no slot fits the fuller one. */
  variants: TextVariant[];
  /** Background padding around the text, pixels [x, y] (0 for labels without a background). */
  pad: [number, number];
  /** Candidate slots in order of preference. */
  slots: Slot[];
  datum: T;
}

/** Something labels must not cover (a unit symbol, a haven icon, a convoy marker): a box around a projected point. */
export interface ObstacleSpec {
  /** [lon, lat] degrees. */
  position: [number, number];
  /** Box relative to the projected point, pixels [minX, minY, maxX, maxY], y down. */
  box: [number, number, number, number];
}

/** A placed label: where its text anchor sits relative to its position (pixels) and which wording it got. */
export interface PlacedLabel<T = unknown, F extends string = string> {
  id: string;
  family: F;
  datum: T;
  position: [number, number];
  text: string;
  /** Offset of the text anchor from the projected position, pixels, y down (deck.gl `getPixelOffset`). */
  offset: [number, number];
  anchor: TextAnchor;
  baseline: Baseline;
  /** Index into the spec's variants and slots. */
  variant: number;
  slot: number;
  /** True when a required label found no free slot and was put where it overlaps least. */
  forced: boolean;
  /** Screen box it occupies, padding included, pixels. */
  box: Box;
}

export interface PlacementOptions {
  /** Viewport size, CSS pixels. */
  width: number;
  height: number;
  /** [lon, lat] degrees → [x, y] CSS pixels from the top-left corner. */
  project: (position: [number, number]) => number[];
  /** Minimum gap between two labels, pixels. Default 4. */
  gapPx?: number;
  /** Screen areas nothing may be placed in (the legend over the map), pixels. */
  reserved?: Box[];
  /** The previous placement: a label keeps its slot while it still fits, so labels do not hop while zooming. */
  previous?: ReadonlyMap<string, Pick<PlacedLabel, 'variant' | 'slot'>>;
}

interface Entry extends Box {
  kind: 'symbol' | 'label' | 'reserved';
}

/** The standard slots around a symbol whose box is [minX, minY, maxX, maxY] pixels from its anchor, `gap` pixels away. */
export const SLOT_NAMES = ['below', 'above', 'right', 'left', 'below-right', 'above-right', 'below-left', 'above-left', 'center'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

/**
 * Slots around a symbol box, in the order given. The text always grows away from the symbol.
 * @example slotsAround([-10, -10, 10, 10], 3, ['below'])
 *   // [{ dx: 0, dy: 13, anchor: 'middle', baseline: 'top' }]
 */
export function slotsAround(box: readonly [number, number, number, number], gap: number, order: readonly SlotName[]): Slot[] {
  const [x0, y0, x1, y1] = box;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const d = gap * 0.7; // diagonal slots sit nearer: the corner of the box is already away from the anchor
  const all: Record<SlotName, Slot> = {
    below: { dx: cx, dy: y1 + gap, anchor: 'middle', baseline: 'top' },
    above: { dx: cx, dy: y0 - gap, anchor: 'middle', baseline: 'bottom' },
    right: { dx: x1 + gap, dy: cy, anchor: 'start', baseline: 'center' },
    left: { dx: x0 - gap, dy: cy, anchor: 'end', baseline: 'center' },
    'below-right': { dx: x1 + d, dy: y1 + d, anchor: 'start', baseline: 'top' },
    'above-right': { dx: x1 + d, dy: y0 - d, anchor: 'start', baseline: 'bottom' },
    'below-left': { dx: x0 - d, dy: y1 + d, anchor: 'end', baseline: 'top' },
    'above-left': { dx: x0 - d, dy: y0 - d, anchor: 'end', baseline: 'bottom' },
    center: { dx: cx, dy: cy, anchor: 'middle', baseline: 'center' },
  };
  return order.map((n) => all[n]);
}

/** The box a text of `size` takes when its anchor sits at (x, y) with this slot, pixels. */
export function boxAt(x: number, y: number, slot: Slot, size: Pick<TextVariant, 'width' | 'height'>): Box {
  const minX = slot.anchor === 'start' ? x + slot.dx : slot.anchor === 'end' ? x + slot.dx - size.width : x + slot.dx - size.width / 2;
  const minY = slot.baseline === 'top' ? y + slot.dy : slot.baseline === 'bottom' ? y + slot.dy - size.height : y + slot.dy - size.height / 2;
  return { minX, minY, maxX: minX + size.width, maxY: minY + size.height };
}

function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.maxX, b.maxX) - Math.max(a.minX, b.minX);
  const h = Math.min(a.maxY, b.maxY) - Math.max(a.minY, b.minY);
  return w > 0 && h > 0 ? w * h : 0;
}

const grow = (b: Box, d: number): Box => ({ minX: b.minX - d, minY: b.minY - d, maxX: b.maxX + d, maxY: b.maxY + d });

/** Compares by priority (high first), then id, so equal inputs always give equal placements. */
function byPriority(a: LabelSpec, b: LabelSpec): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Places labels greedily by priority. A label takes the first (wording, slot) pair, fullest wording
 * first, whose box stays on screen and clear of symbols, reserved areas and the labels placed before
 * it; lower-priority labels that find no room are left out. A required label with no room still goes
 * where it covers the least, never over a symbol when any slot avoids one.
 * Labels whose anchor is off screen or under a reserved area are left out. Cost: O(n log n) for n labels, well under a
 * millisecond for the exercise picture, so it runs on every viewport change.
 * @example
 * placeLabels([spec], [], { width: 800, height: 600, project: ([lon, lat]) => [lon, lat] }).map((l) => l.text)
 */
export function placeLabels<T, F extends string>(specs: readonly LabelSpec<T, F>[], obstacles: readonly ObstacleSpec[], o: PlacementOptions): PlacedLabel<T, F>[] {
  const gap = o.gapPx ?? 4;
  const half = gap / 2;
  const tree = new RBush<Entry>();
  const view: Box = { minX: 0, minY: 0, maxX: o.width, maxY: o.height };
  const onScreen = (b: Box) => b.minX >= view.minX && b.minY >= view.minY && b.maxX <= view.maxX && b.maxY <= view.maxY;

  const items: Entry[] = [];
  for (const ob of obstacles) {
    const [x, y] = o.project(ob.position);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    items.push({ minX: x + ob.box[0], minY: y + ob.box[1], maxX: x + ob.box[2], maxY: y + ob.box[3], kind: 'symbol' });
  }
  for (const r of o.reserved ?? []) items.push({ ...r, kind: 'reserved' });
  tree.load(items);

  /** True when a box overlaps nothing placed or drawn (touching is fine). */
  const isFree = (b: Box) => {
    const q = grow(b, half);
    for (const e of tree.search(q)) if (overlapArea(q, e) > 0) return false;
    return true;
  };
  /** Symbol and label overlap of a box, pixels²; reserved areas count as symbols. */
  const cost = (b: Box) => {
    let symbols = 0;
    let labels = 0;
    const q = grow(b, half);
    for (const e of tree.search(q)) {
      const a = overlapArea(q, e);
      if (e.kind === 'label') labels += a;
      else symbols += a;
    }
    return { symbols, labels };
  };

  const out: PlacedLabel<T, F>[] = [];
  for (const spec of [...specs].sort(byPriority)) {
    const [x, y] = o.project(spec.position);
    if (!Number.isFinite(x) || !Number.isFinite(y) || x < 0 || y < 0 || x > o.width || y > o.height) continue;
    // A point under the legend cannot be seen, so neither can its label be read as its own.
    if (o.reserved?.some((r) => x >= r.minX && x <= r.maxX && y >= r.minY && y <= r.maxY)) continue;
    const prev = o.previous?.get(spec.id);
    let chosen: { variant: number; slot: number; box: Box; forced: boolean } | undefined;
    for (let v = 0; v < spec.variants.length && !chosen; v++) {
      const order = spec.slots.map((_, i) => i);
      if (prev && prev.variant === v && prev.slot < order.length) order.unshift(...order.splice(prev.slot, 1));
      for (const s of order) {
        const box = boxAt(x, y, spec.slots[s], spec.variants[v]);
        if (onScreen(box) && isFree(box)) {
          chosen = { variant: v, slot: s, box, forced: false };
          break;
        }
      }
    }
    if (!chosen && spec.required) {
      // No free slot: the shortest wording where it hides the least; symbols weigh far more than labels.
      const v = spec.variants.length - 1;
      let best = Infinity;
      spec.slots.forEach((slot, s) => {
        const box = boxAt(x, y, slot, spec.variants[v]);
        const c = cost(box);
        const score = c.symbols * 1000 + c.labels + (onScreen(box) ? 0 : 1e9);
        if (score < best) {
          best = score;
          chosen = { variant: v, slot: s, box, forced: true };
        }
      });
    }
    if (!chosen) continue;
    const slot = spec.slots[chosen.slot];
    // The text box sits inside the padded box: move the anchor in by the padding on the sides it grows from.
    const [px, py] = spec.pad;
    const offset: [number, number] = [
      slot.dx + (slot.anchor === 'start' ? px : slot.anchor === 'end' ? -px : 0),
      slot.dy + (slot.baseline === 'top' ? py : slot.baseline === 'bottom' ? -py : 0),
    ];
    tree.insert({ ...grow(chosen.box, half), kind: 'label' });
    out.push({
      id: spec.id,
      family: spec.family,
      datum: spec.datum,
      position: spec.position,
      text: spec.variants[chosen.variant].text,
      offset,
      anchor: slot.anchor,
      baseline: slot.baseline,
      variant: chosen.variant,
      slot: chosen.slot,
      forced: chosen.forced,
      box: chosen.box,
    });
  }
  return out;
}

/**
 * True when two placements draw the same: same labels, wordings and slots. Positions are not compared
 * (they are geographic; panning moves them on the GPU), so a pan keeps the very same label arrays.
 */
export function samePlacement(a: readonly PlacedLabel[], b: readonly PlacedLabel[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.id !== y.id || x.datum !== y.datum || x.text !== y.text || x.slot !== y.slot || x.variant !== y.variant || x.forced !== y.forced) return false;
    if (x.offset[0] !== y.offset[0] || x.offset[1] !== y.offset[1] || x.position[0] !== y.position[0] || x.position[1] !== y.position[1]) return false;
  }
  return true;
}

/**
 * Splits a placement into one array per family, in id order, reusing the `previous` family array
 * wherever that family's labels are unchanged ({@link samePlacement}): deck.gl then keeps that
 * TextLayer's attributes, so a pan or a unit's move rebuilds only the labels that changed.
 * @example groupByFamily(placed, prev, ['unit', 'site']).site === prev.site // when no site label changed
 */
export function groupByFamily<T, F extends string>(placed: readonly PlacedLabel<T, F>[], previous: Readonly<Record<F, PlacedLabel<T, F>[]>> | undefined, families: readonly F[]): Record<F, PlacedLabel<T, F>[]> {
  const out = {} as Record<F, PlacedLabel<T, F>[]>;
  for (const f of families) out[f] = [];
  for (const l of [...placed].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) out[l.family]?.push(l);
  if (previous) for (const f of families) if (previous[f] && samePlacement(previous[f], out[f])) out[f] = previous[f];
  return out;
}

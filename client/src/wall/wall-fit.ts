// Keeping the area of operations in view on the wall (client/src/wall, issue 17): when to frame the picture
// again as things move, with hysteresis so the view does not jump on every update. Pure, in screen pixels.
//
//   ┌──────────────────── frame (the map less its furniture) ────────────────────┐
//   │ ┌─────────────── keep band: `enter` inside the frame ───────────────┐      │
//   │ │      content (everything the picture draws, projected)            │      │
//   │ │      ┌───────────────┐                                            │      │
//   │ │      └───────────────┘                                            │      │
//   │ └───────────────────────────────────────────────────────────────────┘      │
//   └────────────────────────────────────────────────────────────────────────────┘
//   keep while the content stays inside the keep band and fills at least `minFill` of the frame;
//   refit (leaving `margin` around it, more than `enter`) when it reaches the band or shrinks below that.
import type { Box } from '../layers/label-placement.js';

/** The thresholds of the hysteresis, fractions of the frame's size. */
export interface FitRule {
  /** Content closer than this to the frame's edge (or beyond it) is "leaving the view": refit. */
  enter: number;
  /** Space a refit leaves around the content on each side; more than `enter`, so a refit is stable. */
  margin: number;
  /** Content filling less than this of the frame (in its fuller dimension) has shrunk: refit closer. */
  minFill: number;
  /** Least time between two refits, ms, however much moves: a burst of updates is one refit. */
  minIntervalMs: number;
}

/** The wall's: refit at 3 % from the edge to an 8 % margin; closer when the content fills under 40 %; at most every 5 s. */
export const WALL_FIT: FitRule = { enter: 0.03, margin: 0.08, minFill: 0.4, minIntervalMs: 5000 };

/** Why the view is framed again, or not. */
export type FitDecision = 'keep' | 'first' | 'outside' | 'shrunk';

/** What the decision looks at. */
export interface FitInput {
  /** The content's box projected to the screen now, CSS pixels; null when the picture draws nothing. */
  content: Box | null;
  /** The part of the map where content may sit (the map less the furniture drawn over it), CSS pixels. */
  frame: Box;
  /** Whether the view has been framed since the page opened. */
  framed: boolean;
  /** When it was last framed, and now, ms. */
  lastFitMs: number;
  nowMs: number;
  /** Whether the map may zoom in further (false at its most detailed zoom: a lone point always fills little). */
  canZoomIn: boolean;
}

/**
 * Whether to frame the view again, and why: the first time; when content reaches the keep band or leaves
 * the frame (a convoy starting far away, a zone posted out of view); when it has shrunk to under `minFill`
 * of the frame; never twice within `minIntervalMs`, and not while nothing at all is drawn.
 * @example fitDecision({ content: { minX: 400, minY: 300, maxX: 600, maxY: 500 }, frame: { minX: 0, minY: 0, maxX: 1000, maxY: 800 }, framed: true, lastFitMs: 0, nowMs: 60_000, canZoomIn: true }) // 'shrunk'
 */
export function fitDecision(i: FitInput, rule: FitRule = WALL_FIT): FitDecision {
  if (!i.content) return i.framed ? 'keep' : 'first';
  if (!i.framed) return 'first';
  if (i.nowMs - i.lastFitMs < rule.minIntervalMs) return 'keep';
  const w = i.frame.maxX - i.frame.minX;
  const h = i.frame.maxY - i.frame.minY;
  const band = { minX: i.frame.minX + rule.enter * w, minY: i.frame.minY + rule.enter * h, maxX: i.frame.maxX - rule.enter * w, maxY: i.frame.maxY - rule.enter * h };
  const c = i.content;
  if (c.minX < band.minX || c.minY < band.minY || c.maxX > band.maxX || c.maxY > band.maxY) return 'outside';
  const fill = Math.max((c.maxX - c.minX) / w, (c.maxY - c.minY) / h);
  if (fill < rule.minFill && i.canZoomIn) return 'shrunk';
  return 'keep';
}

/**
 * Padding for a refit, CSS pixels from each edge of the map: the furniture over the map (`frame` inside
 * the map's `width`×`height`), plus the rule's margin of the frame on every side.
 * @example fitPadding(1000, 800, { minX: 0, minY: 0, maxX: 1000, maxY: 800 }) // { top: 64, bottom: 64, left: 80, right: 80 }
 */
export function fitPadding(width: number, height: number, frame: Box, rule: FitRule = WALL_FIT): { top: number; bottom: number; left: number; right: number } {
  const mw = rule.margin * (frame.maxX - frame.minX);
  const mh = rule.margin * (frame.maxY - frame.minY);
  return { top: frame.minY + mh, bottom: height - frame.maxY + mh, left: frame.minX + mw, right: width - frame.maxX + mw };
}

/**
 * The frame left by a box of furniture in a corner of the map (the legend): the map less a strip beside it
 * or a strip above it, whichever keeps more room for the picture. No furniture: the whole map.
 * @example frameBeside(1000, 800, { minX: 0, minY: 500, maxX: 600, maxY: 800 }) // { minX: 0, minY: 0, maxX: 1000, maxY: 500 }
 */
export function frameBeside(width: number, height: number, furniture: Box | null): Box {
  const whole = { minX: 0, minY: 0, maxX: width, maxY: height };
  if (!furniture || furniture.maxX <= furniture.minX || furniture.maxY <= furniture.minY) return whole;
  const onLeft = furniture.minX + furniture.maxX < width;
  const onTop = furniture.minY + furniture.maxY < height;
  const beside = onLeft ? { ...whole, minX: furniture.maxX } : { ...whole, maxX: furniture.minX };
  const above = onTop ? { ...whole, minY: furniture.maxY } : { ...whole, maxY: furniture.minY };
  const area = (b: Box) => Math.max(0, b.maxX - b.minX) * Math.max(0, b.maxY - b.minY);
  return area(beside) >= area(above) ? beside : above;
}

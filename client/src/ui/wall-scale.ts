// Size of the wall display (client/src/ui): how much larger symbols, labels and page furniture are drawn on /wall.

/**
 * Size multiplier of the wall display for a window `heightPx` CSS pixels tall: 1.75 at 1080 px, growing
 * with the screen so a 4K wall at device pixel ratio 1 gets twice the type of a 1080p one (from across
 * the room it is the same angle), never below 1.5 nor above 4.
 * @example wallScale(1080) // 1.75
 */
export function wallScale(heightPx: number): number {
  return Math.max(1.5, Math.min(4, (1.75 * heightPx) / 1080));
}

// Symbol displacement (client/src/layers): a unit symbol that would hide a haven on screen is drawn a little
// aside, with a leader line to where it is, as cartographers displace crowded point symbols (issue 17: units
// hid the Ullevi haven). Units crowding each other stay where they are: moving them apart would only spread
// the crowd over the labels around it.
// Pure, in screen pixels; the label controller runs it with each label placement (map/label-controller.ts).
//
//        ┌──┐                 a haven (fixed) and two units reported on top of it:
//        │U2│                 each unit takes the first free spot of rings of eight around its own
//        └─┬┘  ┌────┐         position, nearest first, starting from the side away from what it hit
//          └───│ H  │─┐
//              └────┘ │┌──┐
//                     └│U1│
//                      └──┘

/** One symbol on screen: its projected position and its box around it, pixels [minX, minY, maxX, maxY], y down. */
export interface ScreenSymbol {
  id: string;
  x: number;
  y: number;
  box: readonly [number, number, number, number];
  /** Never moved (a haven): others move off it. */
  fixed: boolean;
}

/** Pixel offsets of the symbols that had to move, by id; symbols not in it stay where they are. */
export type Displacements = ReadonlyMap<string, readonly [number, number]>;

interface Rect {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

const rectOf = (s: ScreenSymbol, dx = 0, dy = 0): Rect => ({ minX: s.x + dx + s.box[0], minY: s.y + dy + s.box[1], maxX: s.x + dx + s.box[2], maxY: s.y + dy + s.box[3] });
const hits = (a: Rect, b: Rect, gap: number) => Math.min(a.maxX, b.maxX) - Math.max(a.minX, b.minX) > -gap && Math.min(a.maxY, b.maxY) - Math.max(a.minY, b.minY) > -gap;

/** Directions tried, in eighths of a turn from "right", y down. */
const DIRECTIONS = Array.from({ length: 8 }, (_, k) => [Math.cos((k * Math.PI) / 4), Math.sin((k * Math.PI) / 4)] as const);

/**
 * Offsets that keep every movable symbol off the fixed ones, pixels. Movable symbols are taken in id order, so
 * the result does not depend on the order given; one that overlaps no fixed symbol stays put; one that does
 * moves to the nearest spot on rings around its position (up to four rings, each a symbol wide) clear of the
 * fixed symbols and of the movable ones already placed, first in the direction away from what it hit, and
 * keeps the direction it had before (`previous`) while that is still free, so symbols do not hop from side
 * to side as the picture updates. One with no free spot stays put. Off-screen symbols take part like any other.
 * @example displaceSymbols([{ id: 'h', x: 0, y: 0, box: [-10, -10, 10, 10], fixed: true }, { id: 'u', x: 2, y: 0, box: [-10, -10, 10, 10], fixed: false }], 2).get('u') // [22, 0]
 */
export function displaceSymbols(symbols: readonly ScreenSymbol[], gapPx: number, previous?: Displacements): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const fixed: Rect[] = symbols.filter((s) => s.fixed).map((s) => rectOf(s));
  const taken: Rect[] = [...fixed];
  const movable = symbols.filter((s) => !s.fixed && Number.isFinite(s.x) && Number.isFinite(s.y)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const s of movable) {
    const here = rectOf(s);
    const hit = fixed.find((t) => hits(here, t, gapPx));
    if (!hit) {
      taken.push(here);
      continue;
    }
    const w = s.box[2] - s.box[0];
    const h = s.box[3] - s.box[1];
    // Away from the centre of what it hit; straight right when they coincide.
    const ax = s.x - (hit.minX + hit.maxX) / 2;
    const ay = s.y - (hit.minY + hit.maxY) / 2;
    const away = ax === 0 && ay === 0 ? 0 : Math.atan2(ay, ax);
    const prev = previous?.get(s.id);
    const prevAngle = prev ? Math.atan2(prev[1], prev[0]) : undefined;
    const order = DIRECTIONS.map((d, k) => ({ d, k })).sort((a, b) => {
      const angle = (k: number) => (k * Math.PI) / 4;
      const off = (k: number, to: number) => Math.abs(Math.atan2(Math.sin(angle(k) - to), Math.cos(angle(k) - to)));
      const pa = prevAngle === undefined ? 0 : off(a.k, prevAngle) < 1e-6 ? -1 : 0;
      const pb = prevAngle === undefined ? 0 : off(b.k, prevAngle) < 1e-6 ? -1 : 0;
      return pa - pb || off(a.k, away) - off(b.k, away) || a.k - b.k;
    });
    let placed: [number, number] | undefined;
    for (let ring = 1; ring <= 4 && !placed; ring++) {
      for (const { d } of order) {
        // Far enough along the direction that the box clears its own position's box, ring by ring.
        const step = ring * (Math.abs(d[0]) * w + Math.abs(d[1]) * h + gapPx) * (Math.abs(d[0]) > 1e-6 && Math.abs(d[1]) > 1e-6 ? Math.SQRT1_2 : 1);
        const dx = Math.round(d[0] * step);
        const dy = Math.round(d[1] * step);
        const r = rectOf(s, dx, dy);
        if (!taken.some((t) => hits(r, t, gapPx))) {
          placed = [dx, dy];
          break;
        }
      }
    }
    if (placed) {
      out.set(s.id, placed);
      taken.push(rectOf(s, placed[0], placed[1]));
    } else taken.push(here);
  }
  return out;
}

/**
 * A key that changes only when the displacements do, for deck.gl's `updateTriggers`.
 * @example displacementKey(new Map([['u', [24, 0]]])) // 'u:24,0'
 */
export function displacementKey(d: Displacements | undefined): string {
  if (!d || d.size === 0) return '';
  return [...d.entries()]
    .map(([id, [x, y]]) => `${id}:${x},${y}`)
    .sort()
    .join('|');
}

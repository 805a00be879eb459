// Each convoy's colour and its corridor's style by state (client/src/layers): a fixed palette assigned by a hash of the id with collision avoidance, and the line widths, dimming and dashes that tell a holding or not-yet-moving convoy from a moving one (issue 12). Pure.
import type { Convoy } from '@corridor/protocol';
import { memoBySlice } from './memo.js';
import { CONVOY_PALETTE, hexToRgba, type RGBA } from './palette.js';

/**
 * FNV-1a hash of a string (32 bits, over UTF-16 code units): the same on every screen and every run.
 * @example hashId('cv-1') === hashId('cv-1') // true
 */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The palette slot of every convoy, by id. Each convoy prefers the slot its id hashes to; convoys are taken in
 * the picture's order, which is the order in which they were first posted (the fold appends a new id to the
 * record and keeps the place of one it updates, on every screen and in snapshots alike), and a convoy whose
 * slot is taken gets the next free one. So:
 * - up to {@link CONVOY_PALETTE}'s length (8), no two convoys present share a colour;
 * - a convoy never changes colour when others are added (a newcomer is placed after it);
 * - removing a convoy can change the colour only of a later convoy that had been pushed off its own slot;
 * - beyond 8 convoys, the others take their hashed slot, shared with one already there.
 * The same object while the `convoys` slice is unchanged.
 * @example convoyColorSlots({ 'cv-1': c1, 'cv-2': c2 }) // { 'cv-1': 6, 'cv-2': 3 }
 */
export const convoyColorSlots = memoBySlice((convoys: Record<string, Pick<Convoy, 'id'>>): Record<string, number> => {
  const n = CONVOY_PALETTE.length;
  const taken = new Set<number>();
  const slots: Record<string, number> = {};
  for (const id of Object.keys(convoys)) {
    const preferred = hashId(id) % n;
    let slot = preferred;
    if (taken.size < n) while (taken.has(slot)) slot = (slot + 1) % n;
    taken.add(slot);
    slots[id] = slot;
  }
  return slots;
});

/**
 * A convoy's colour, `#rrggbb`, among the convoys present (for CSS: the side panel, the legend).
 * @example convoyColorHex({ 'cv-3': c3 }, 'cv-3') // '#22d3ee' (slot 0, cyan)
 */
export function convoyColorHex(convoys: Record<string, Pick<Convoy, 'id'>>, id: string): string {
  const slot = convoyColorSlots(convoys)[id] ?? hashId(id) % CONVOY_PALETTE.length;
  return CONVOY_PALETTE[slot].hex;
}

/** How a convoy's corridor is drawn in its state; widths in pixels at scale 1. */
export interface CorridorLook {
  /** Width of the best route's line. */
  bestPx: number;
  /** Width of the dark casing under it. */
  casingPx: number;
  /** Width of the alternatives' dashed lines. */
  altPx: number;
  /** Opacity of the best route's line, 0–255 (alternatives are lighter still). */
  alpha: number;
  /** Fraction of the convoy's colour mixed toward grey: 0 keeps it, 1 is grey. */
  dim: number;
  /** Dash of the best route, [dash, gap] in multiples of the line width; [0, 0] is solid. */
  dash: [number, number];
}

/**
 * Moving: full colour, bold and solid. Holding: the same width, dashed and dimmed toward grey, so a stopped
 * convoy never reads as a moving one. Planned or approved: thinner and lighter, a route it has not taken yet.
 */
export const CORRIDOR_LOOKS = {
  moving: { bestPx: 5, casingPx: 10, altPx: 2.5, alpha: 255, dim: 0, dash: [0, 0] },
  holding: { bestPx: 5, casingPx: 10, altPx: 2.5, alpha: 220, dim: 0.5, dash: [2, 1.6] },
  notMoving: { bestPx: 3, casingPx: 6.5, altPx: 2, alpha: 190, dim: 0, dash: [0, 0] },
} as const satisfies Record<string, CorridorLook>;

/**
 * The look of a convoy's corridor in its state; null when no corridor is drawn (arrived, aborted: the router
 * drops their corridors, and a stale one left in the picture must not be drawn either).
 * @example corridorLook('holding')?.dash // [2, 1.6]
 */
export function corridorLook(state: Convoy['state']): CorridorLook | null {
  switch (state) {
    case 'moving':
      return CORRIDOR_LOOKS.moving;
    case 'holding':
      return CORRIDOR_LOOKS.holding;
    case 'planned':
    case 'approved':
      return CORRIDOR_LOOKS.notMoving;
    case 'arrived':
    case 'aborted':
      return null;
  }
}

/** The grey a holding convoy's colour is mixed toward (slate, between the basemap's roads and the stale grey). */
const DIM_GREY: [number, number, number] = [100, 116, 139];

/**
 * A convoy colour in a look: mixed toward grey by `dim`, at opacity `alpha`.
 * @example lookColor('#22d3ee', CORRIDOR_LOOKS.moving) // [34, 211, 238, 255]
 */
export function lookColor(hex: string, look: Pick<CorridorLook, 'alpha' | 'dim'>, alpha = look.alpha): RGBA {
  const [r, g, b] = hexToRgba(hex);
  const mix = (c: number, grey: number) => Math.round(c + (grey - c) * look.dim);
  return [mix(r, DIM_GREY[0]), mix(g, DIM_GREY[1]), mix(b, DIM_GREY[2]), alpha];
}

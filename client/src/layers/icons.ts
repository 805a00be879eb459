// Icon images for IconLayers (client/src/layers): MIL-STD-2525/APP-6 unit symbols, humanitarian and civil asset
// icons, haven and arrow glyphs, as cached SVG data URLs.
import ms from 'milsymbol';
import { HAVEN_STATUS_COLORS, occupancyColor, STALE_HEX } from './palette.js';
import type { Haven } from '@corridor/protocol';

/** An IconLayer icon definition (auto-packed by deck.gl); sizes in pixels. */
export interface IconDef {
  id: string;
  url: string;
  width: number;
  height: number;
  anchorX: number;
  anchorY: number;
}

const svgUrl = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
const cache = new Map<string, IconDef>();

const STALE_COLOR_MODE = { Civilian: STALE_HEX, Friend: STALE_HEX, Hostile: STALE_HEX, Neutral: STALE_HEX, Unknown: STALE_HEX, Suspect: STALE_HEX };

/** Symbol size given to milsymbol (the unit frame height), pixels. */
const SYMBOL_SIZE = 26;

/** The symbol key of a humanitarian or civil asset's own icon (not a SIDC): `asset:humanitarian`, `asset:civil`. */
export type AssetKey = `asset:${'humanitarian' | 'civil'}`;

/**
 * Humanitarian and civil assets have icons of their own, outside MIL-STD-2525 (whose neutral frames would
 * make an NGO's truck look like a military force's): a white hexagon in UN blue with a relief parcel, and a
 * white shield in the civilian purple of APP-6 with a vehicle. Neither shape is a frame of APP-6 (rectangle,
 * circle, diamond, square, quatrefoil), and neither uses a protected emblem (no cross, crescent or triangle).
 */
function assetSvg(kind: 'humanitarian' | 'civil', stale: boolean): { svg: string; w: number; h: number } {
  const dark = '#0b0f14';
  if (kind === 'humanitarian') {
    const [line, fill, glyph] = stale ? ['#8b939c', '#cbd5e1', '#64748b'] : ['#1d74d0', '#f8fafc', '#1d74d0'];
    const w = 36;
    const h = 32;
    const hex = 'M10 3 L26 3 L34 16 L26 29 L10 29 L2 16 Z';
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"${stale ? ' opacity="0.8"' : ''}>` +
      `<path d="${hex}" fill="${fill}" stroke="${dark}" stroke-width="6" stroke-linejoin="round"/>` +
      `<path d="${hex}" fill="${fill}" stroke="${line}" stroke-width="3" stroke-linejoin="round"/>` +
      // A relief parcel: a box with its lid and a carrying strap.
      `<rect x="10.5" y="12" width="15" height="11" rx="1.5" fill="${glyph}"/>` +
      `<rect x="9.5" y="9" width="17" height="4" rx="1" fill="${glyph}"/>` +
      `<rect x="16.5" y="9" width="3" height="14" fill="${fill}"/>` +
      `</svg>`;
    return { svg, w, h };
  }
  const [line, fill, glyph] = stale ? ['#8b939c', '#cbd5e1', '#64748b'] : ['#a21caf', '#f8fafc', '#86198f'];
  const w = 32;
  const h = 32;
  const shield = 'M3 4 L29 4 L29 17 Q29 25 16 30 Q3 25 3 17 Z';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"${stale ? ' opacity="0.8"' : ''}>` +
    `<path d="${shield}" fill="${fill}" stroke="${dark}" stroke-width="6" stroke-linejoin="round"/>` +
    `<path d="${shield}" fill="${fill}" stroke="${line}" stroke-width="3" stroke-linejoin="round"/>` +
    // A civil vehicle: a van's body and its two wheels.
    `<path d="M8 19 L8 12 Q8 10 10 10 L20 10 L25 14 L25 19 Z" fill="${glyph}"/>` +
    `<circle cx="12" cy="20" r="2.6" fill="${glyph}" stroke="${fill}" stroke-width="1.2"/>` +
    `<circle cx="21" cy="20" r="2.6" fill="${glyph}" stroke="${fill}" stroke-width="1.2"/>` +
    `</svg>`;
  return { svg, w, h };
}

/**
 * The unit symbol for a SIDC (MIL-STD-2525/APP-6, drawn by milsymbol) or an asset key ({@link AssetKey}),
 * greyed when stale. Cached per (code, stale): building SVGs is the costly part and a picture holds few
 * distinct codes.
 * @example unitIcon('SFGPUCI---', false).id // 'unit:SFGPUCI---:live'
 */
export function unitIcon(sidc: string, stale: boolean): IconDef {
  const id = `unit:${sidc}:${stale ? 'stale' : 'live'}`;
  let icon = cache.get(id);
  if (!icon && sidc.startsWith('asset:')) {
    const { svg, w, h } = assetSvg(sidc === 'asset:civil' ? 'civil' : 'humanitarian', stale);
    icon = { id, url: svgUrl(svg), width: w, height: h, anchorX: w / 2, anchorY: h / 2 };
    cache.set(id, icon);
  }
  if (!icon) {
    const base = { size: SYMBOL_SIZE, outlineWidth: 3, outlineColor: '#0b0f14' };
    // Stale: the same frame and icon, filled grey and drawn faint, so it reads "was here, not current".
    const symbol = new ms.Symbol(sidc, stale ? { ...base, colorMode: STALE_COLOR_MODE, fillOpacity: 0.55, iconColor: '#e2e8f0' } : base);
    const size = symbol.getSize();
    const anchor = symbol.getAnchor();
    icon = {
      id,
      url: svgUrl(symbol.asSVG()),
      width: Math.ceil(size.width),
      height: Math.ceil(size.height),
      anchorX: anchor.x,
      anchorY: anchor.y,
    };
    cache.set(id, icon);
  }
  return icon;
}

/** Occupancy in tenths (0–10, 10 = full or over), the granularity of the haven icon's bar. */
export function occupancyTenths(haven: Pick<Haven, 'occupancy' | 'capacity'>): number {
  if (haven.capacity <= 0) return 10;
  return Math.max(0, Math.min(10, Math.round((haven.occupancy / haven.capacity) * 10)));
}

/**
 * A safe-haven icon: a shelter glyph on the status colour, with an occupancy bar under it.
 * Cached per (status, occupancy tenths).
 */
export function havenIcon(status: Haven['status'], tenths: number): IconDef {
  const id = `haven:${status}:${tenths}`;
  let icon = cache.get(id);
  if (!icon) {
    const w = 34;
    const h = 44;
    const fill = HAVEN_STATUS_COLORS[status];
    const bar = occupancyColor(tenths / 10);
    const closedMark = status === 'closed' ? '<path d="M8 8 L26 26 M26 8 L8 26" stroke="#f8fafc" stroke-width="3"/>' : '';
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
      `<rect x="1.5" y="1.5" width="31" height="31" rx="5" fill="${fill}" stroke="#0b0f14" stroke-width="2"/>` +
      `<path d="M7 17 L17 8 L27 17 L24 17 L24 27 L10 27 L10 17 Z" fill="#f8fafc"/>` +
      `<rect x="14.5" y="20" width="5" height="7" fill="${fill}"/>` +
      closedMark +
      `<rect x="1.5" y="35.5" width="31" height="7" rx="2" fill="#0b0f14" stroke="#cbd5e1" stroke-width="1"/>` +
      `<rect x="2.5" y="36.5" width="${(29 * tenths) / 10}" height="5" fill="${bar}"/>` +
      `</svg>`;
    icon = { id, url: svgUrl(svg), width: w, height: h, anchorX: w / 2, anchorY: 17 };
    cache.set(id, icon);
  }
  return icon;
}

/** An arrowhead pointing north (rotate with getAngle = −bearing), for headings and flow ends. */
export function arrowIcon(color: string, id = `arrow:${color}`): IconDef {
  let icon = cache.get(id);
  if (!icon) {
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20">` +
      `<path d="M10 1 L18 18 L10 13.5 L2 18 Z" fill="${color}" stroke="#0b0f14" stroke-width="1.6" stroke-linejoin="round"/></svg>`;
    icon = { id, url: svgUrl(svg), width: 20, height: 20, anchorX: 10, anchorY: 10 };
    cache.set(id, icon);
  }
  return icon;
}

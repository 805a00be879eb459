// How large the wall display must draw text and symbols (client/src/wall, issue 17): from the viewing
// distance and the panel, the smallest character and symbol that read from across the room.
//
//        eye ───────────── d = 3 m ───────────── ┬  h = 2·d·tan(θ/2), θ = 16′ → 13.96 mm
//                                                ┴  ÷ pixel pitch (55″ 16:9: 0.317 mm at 3840×2160, 0.634 at 1920×1080)
//                                                   → 44 / 22 device pixels of capital height → ÷ 0.714 (Noto Sans) → font size

/**
 * Least character height, minutes of arc at the eye: ISO 9241-303:2011 (and ANSI/HFES 100-2007 §6.3) ask at
 * least 16′ for the height of a capital letter where legibility matters, 20–22′ preferred for reading text.
 */
export const MIN_CHAR_ARCMIN = 16;

/** Capital height of Noto Sans, the page's and the map's font, a fraction of the font size (capHeight 714 of unitsPerEm 1000). */
export const CAP_HEIGHT_EM = 0.714;

/**
 * A symbol is identified by the glyph inside its frame (the infantry cross, the haven's roof), about half the
 * frame's height: that glyph must read like a character, so the frame is at least twice the character height.
 */
export const SYMBOL_PER_CHAR = 2;

/** Where the room sees the wall from, and the panel it is. */
export interface Viewing {
  /** Viewing distance, metres. */
  distanceM: number;
  /** Panel diagonal, inches. */
  diagonalIn: number;
}

/** The room issue 17 describes: a 55-inch panel read from three metres. */
export const WALL_VIEWING: Viewing = { distanceM: 3, diagonalIn: 55 };

/** A screen as the page sees it: its size in CSS pixels and device pixels per CSS pixel. */
export interface ScreenSize {
  widthCss: number;
  heightCss: number;
  dpr: number;
}

/** What legibility asks of one screen. */
export interface Legibility {
  /** Size of one device pixel on the panel, mm. */
  pitchMm: number;
  /** Least capital height, mm on the panel. */
  charMm: number;
  /** Least capital height, device pixels. */
  capDevicePx: number;
  /** Least font size, CSS pixels (the capital height ÷ the font's cap height ÷ dpr). */
  fontCssPx: number;
  /** Least symbol frame height, CSS pixels. */
  symbolCssPx: number;
}

/**
 * Height a letter must have to subtend `arcmin` minutes of arc at `distanceM`, mm.
 * @example charHeightMm(3, 16) // 13.96
 */
export function charHeightMm(distanceM: number, arcmin = MIN_CHAR_ARCMIN): number {
  return 2 * distanceM * 1000 * Math.tan(((arcmin / 60) * Math.PI) / 360);
}

/**
 * Size of one device pixel, mm, of a panel `diagonalIn` inches across showing `widthPx`×`heightPx` pixels (square pixels).
 * @example pixelPitchMm(55, 3840, 2160) // 0.3171
 */
export function pixelPitchMm(diagonalIn: number, widthPx: number, heightPx: number): number {
  return (diagonalIn * 25.4) / Math.hypot(widthPx, heightPx);
}

/**
 * The least text and symbol sizes for `screen` seen as `viewing` says, the page filling the panel.
 * @example legibility({ widthCss: 1920, heightCss: 1080, dpr: 1 }).fontCssPx // 30.8
 * @example legibility({ widthCss: 3840, heightCss: 2160, dpr: 1 }).fontCssPx // 61.7
 */
export function legibility(screen: ScreenSize, viewing: Viewing = WALL_VIEWING, arcmin = MIN_CHAR_ARCMIN): Legibility {
  const pitchMm = pixelPitchMm(viewing.diagonalIn, screen.widthCss * screen.dpr, screen.heightCss * screen.dpr);
  const charMm = charHeightMm(viewing.distanceM, arcmin);
  const capDevicePx = charMm / pitchMm;
  const fontCssPx = capDevicePx / CAP_HEIGHT_EM / screen.dpr;
  return { pitchMm, charMm, capDevicePx, fontCssPx, symbolCssPx: (SYMBOL_PER_CHAR * capDevicePx) / screen.dpr };
}

/**
 * The viewing a wall's address asks for (`?distance=` metres, `?diagonal=` inches), else {@link WALL_VIEWING};
 * values outside 0.5–20 m and 20–200 inches are ignored.
 * @example viewingFrom(new URLSearchParams('distance=5')) // { distanceM: 5, diagonalIn: 55 }
 */
export function viewingFrom(query: URLSearchParams): Viewing {
  const num = (name: string, min: number, max: number, fallback: number) => {
    const v = Number(query.get(name));
    return query.has(name) && Number.isFinite(v) && v >= min && v <= max ? v : fallback;
  };
  return { distanceM: num('distance', 0.5, 20, WALL_VIEWING.distanceM), diagonalIn: num('diagonal', 20, 200, WALL_VIEWING.diagonalIn) };
}

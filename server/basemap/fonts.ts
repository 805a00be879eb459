// Font files for map labels (server/basemap): woff2 from @fontsource packages, declared as MapLibre `font-faces`.
// No glyph server or font CDN: the app serves these files itself (issue: the map must work offline).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One `font-faces` entry: a woff2 URL and the code points it covers. */
export interface FontFace {
  url: string;
  'unicode-range': string[];
}

/** Font packages served under `/fonts/<package>/`, with the folder holding their files. */
export interface FontPackage {
  /** URL segment and package suffix, e.g. `noto-sans`. */
  name: string;
  /** Absolute folder of the woff2 files. */
  dir: string;
  /** CSS weight of the faces listed. */
  weight: number;
  /** Parsed faces of that weight, normal style. */
  faces: { file: string; unicodeRange: string[] }[];
}

const require = createRequire(import.meta.url);

/**
 * Reads a fontsource package's `<weight>.css` and lists its woff2 files with their unicode ranges.
 * @example loadFontPackage('noto-sans').faces[0] // { file: 'noto-sans-cyrillic-ext-400-normal.woff2', unicodeRange: [...] }
 */
export function loadFontPackage(name: string, weight = 400): FontPackage {
  const root = path.dirname(require.resolve(`@fontsource/${name}/package.json`));
  const css = readFileSync(path.join(root, `${weight}.css`), 'utf8');
  const faces: FontPackage['faces'] = [];
  for (const block of css.split('@font-face').slice(1)) {
    const file = /url\(\.\/files\/([^)]+\.woff2)\)/.exec(block)?.[1];
    const range = /unicode-range:\s*([^;]+);/.exec(block)?.[1];
    if (!file || !range) continue;
    faces.push({ file, unicodeRange: range.split(',').map((r) => r.trim()) });
  }
  return { name, dir: path.join(root, 'files'), weight, faces };
}

/**
 * The font stacks of map labels, by CSS weight: the basemap's road names (400) and the picture's labels
 * (600: units, havens, sites; 700: zones, convoys), drawn by MapLibre so that Arabic is shaped and
 * ordered right to left (deck.gl's TextLayer does neither).
 */
export const LABEL_FONTS = { 400: 'Noto Sans Regular', 600: 'Noto Sans SemiBold', 700: 'Noto Sans Bold' } as const;
export type LabelWeight = keyof typeof LABEL_FONTS;

/** Name of the font stack the style's road labels use. */
export const LABEL_FONT = LABEL_FONTS[400];

/** The packages the basemap uses, each weight of {@link LABEL_FONTS}: Noto Sans (Latin, Greek, Cyrillic, Vietnamese) and Noto Sans Arabic. */
export function basemapFontPackages(): FontPackage[] {
  const weights = Object.keys(LABEL_FONTS).map(Number);
  return ['noto-sans', 'noto-sans-arabic'].flatMap((name) => weights.map((w) => loadFontPackage(name, w)));
}

/**
 * Builds the style-root `font-faces` map (MapLibre 6): one stack per weight of {@link LABEL_FONTS}. Each
 * stack's Latin file is listed last again with the full range so it catches every other code point: the
 * style's `glyphs` URL (required by the style validator) is then never fetched.
 */
export function fontFaces(packages: readonly FontPackage[], urlPrefix = '/fonts'): Record<string, FontFace[]> {
  const out: Record<string, FontFace[]> = {};
  for (const [weight, stack] of Object.entries(LABEL_FONTS)) {
    const faces: FontFace[] = [];
    let latin: string | undefined;
    for (const pkg of packages) {
      if (pkg.weight !== Number(weight)) continue;
      for (const face of pkg.faces) {
        const url = `${urlPrefix}/${pkg.name}/${face.file}`;
        faces.push({ url, 'unicode-range': face.unicodeRange });
        if (pkg.name === 'noto-sans' && new RegExp(`-latin-${weight}-normal`).test(face.file)) latin = url;
      }
    }
    if (latin) faces.push({ url: latin, 'unicode-range': ['U+0-10FFFF'] });
    out[stack] = faces;
  }
  return out;
}

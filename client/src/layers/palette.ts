// Colours and sizes shared by the layers and the legend (client/src/layers), so the legend always matches the map.
import type { Haven, ThreatZone, Unit } from '@corridor/protocol';

export type RGBA = [number, number, number, number];

/**
 * Threat zone colours by severity: no-go red, danger orange, advisory yellow (outline, faint fill). Their names
 * are catalogue keys (words.ts SEVERITY_WORDS), in every language.
 */
export const SEVERITY_COLORS: Record<ThreatZone['severity'], { fill: RGBA; line: RGBA }> = {
  'no-go': { fill: [220, 38, 38, 92], line: [248, 72, 72, 255] },
  danger: { fill: [249, 115, 22, 70], line: [251, 146, 60, 255] },
  advisory: { fill: [250, 204, 21, 18], line: [250, 204, 21, 230] },
};

/** Line width of zone outlines by severity, pixels. */
export const SEVERITY_LINE_PX: Record<ThreatZone['severity'], number> = { 'no-go': 3, danger: 2.5, advisory: 2 };

/** Haven status colours. */
export const HAVEN_STATUS_COLORS: Record<Haven['status'], string> = { open: '#16a34a', full: '#d97706', closed: '#6b7280' };

/** Occupancy bar colour: room left, nearly full, full or over. */
export function occupancyColor(fraction: number): string {
  if (fraction >= 1) return '#ef4444';
  if (fraction >= 0.8) return '#f59e0b';
  return '#22c55e';
}

/**
 * Affiliation → the symbol of a unit that says no more of itself (no TAK type): a MIL-STD-2525C / APP-6
 * letter SIDC for a military unit, an asset icon of its own (icons.ts) for humanitarian and civil assets.
 */
export const AFFILIATION_SYMBOL: Record<NonNullable<Unit['affiliation']>, string> = {
  // Friendly ground unit, its function unknown: the affiliation says whose it is, not what it does
  // (a TAK device's type, when it reports one, says both: unit-layers.ts unitSidc).
  military: 'SFGPU-----',
  // Humanitarian logistics, protection and medical teams (UN agencies, NGOs, Red Cross and Red Crescent).
  humanitarian: 'asset:humanitarian',
  // Civil protection, police, ambulances, local authorities.
  civil: 'asset:civil',
};
/** Symbol for a unit that has not said who it belongs to (unknown ground unit). */
export const UNKNOWN_SIDC = 'SUGPU-----';
/** Symbol of a hostile ground unit, as a TAK device reports one (`a-h-G`), for the legend. */
export const HOSTILE_SIDC = 'SHGPU-----';
/** Symbol of a neutral ground unit, as a TAK device reports one (`a-n-G`), for the legend. */
export const NEUTRAL_SIDC = 'SNGPU-----';

/** Grey used for stale units (no report for longer than the stale threshold). */
export const STALE_COLOR: RGBA = [139, 147, 156, 255];
export const STALE_HEX = '#8b939c';

/**
 * Convoy colours: each convoy draws its routes, marker, label and side-panel entry in one of these (assigned in
 * convoy-look.ts). Chosen for the dark basemap (all light enough to read on it, under a dark casing) and kept
 * off the hues the map already means something by: the red, orange and yellow of threat zones, the violet of
 * displacement, the light blue, green and yellow fills of unit symbols, the haven greens and ambers, the stale
 * grey. Hue and lightness both vary, so that most pairs stay apart under deuteranopia and protanopia too
 * (test/client/convoy-look.test.ts measures them); with eight colours and that many hues taken, some pairs
 * differ little for those readers, so a convoy is always named on its chip and in its tooltip as well.
 */
export const CONVOY_PALETTE: readonly { name: string; hex: string }[] = [
  { name: 'cyan', hex: '#22d3ee' },
  { name: 'magenta', hex: '#ff4fd8' },
  { name: 'white', hex: '#f1f5f9' },
  { name: 'green', hex: '#3ddc84' },
  { name: 'blue', hex: '#4f7cff' },
  { name: 'pink', hex: '#fbb6ce' },
  { name: 'teal', hex: '#119e8f' },
  { name: 'sand', hex: '#b8a58a' },
];
/** Dark casing under best routes so they read over any road colour; a convoy with no safe route red. */
export const CORRIDOR_CASING: RGBA = [8, 20, 32, 230];
export const NO_ROUTE_COLOR: RGBA = [239, 68, 68, 255];

/** Displaced-people sites and flows: violet, the colour the map keeps for people on the move. */
export const SITE_FILL: RGBA = [167, 139, 250, 110];
export const SITE_LINE: RGBA = [196, 181, 253, 255];
export const FLOW_COLOR: RGBA = [196, 181, 253, 210];

/** Label text colour and its halo over the dark basemap. */
export const LABEL_COLOR: RGBA = [241, 245, 249, 255];
export const LABEL_OUTLINE: RGBA = [9, 12, 16, 255];

/** Converts `#rrggbb` to RGBA. */
export function hexToRgba(hex: string, alpha = 255): RGBA {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, alpha];
}

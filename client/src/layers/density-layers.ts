// The density of displaced people as deck.gl layer props (client/src/layers, issue 17): the picture's sites binned into hexagons, each coloured by the people in it.
//
// Why hexagons (HexagonLayer) and not a heatmap: a cell says how many people it holds when hovered, a heatmap only
// how warm it is; and HeatmapLayer draws into float textures, which software WebGL (the browser tests' SwiftShader)
// and some older screens lack. Binned on the CPU, so the page can count the cells drawn (test-hooks.ts).
import type { HexagonLayer, HexagonLayerProps } from '@deck.gl/aggregation-layers';
import type { Color } from '@deck.gl/core';
import type { Site } from '@corridor/protocol';
import { memoBySlice } from './memo.js';
import type { RGBA } from './palette.js';
import { siteList } from './site-layers.js';

/**
 * Colours of the cells, fewest people to most: the violet the map keeps for people on the move, from dim to
 * bright (the basemap is dark, so more is lighter), translucent enough for the roads to show through.
 */
export const DENSITY_COLORS: readonly RGBA[] = [
  [92, 62, 168, 150],
  [121, 80, 204, 156],
  [152, 102, 230, 162],
  [186, 128, 240, 168],
  [222, 158, 245, 174],
  [252, 202, 248, 180],
];

/** Bounds of a cell's radius, metres: a street block at the smallest, a province at the largest. */
const MIN_RADIUS_M = 200;
const MAX_RADIUS_M = 50_000;
/** About this many cells across the sites' extent: enough to tell parts of it apart, few enough for nearby sites to share a cell. */
const CELLS_ACROSS = 16;

/**
 * The nearest of 1, 2, 5 × 10ⁿ to `x`, on a log scale: cell sizes a reader can say ("2 km hexagons").
 * @example niceStep(1_300) // 1000
 */
export function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  // The geometric midpoints between 1, 2, 5 and 10.
  return (m < Math.SQRT2 ? 1 : m < Math.sqrt(10) ? 2 : m < Math.sqrt(50) ? 5 : 10) * p;
}

/**
 * Radius of the density's hexagons for a picture's sites, metres: about 1/16 of the diagonal of the area they
 * cover, rounded to 1, 2 or 5 × 10ⁿ, between 200 m and 50 km (200 m for a single place). The cells lie on a fixed
 * grid, so a site may stand anywhere in its cell, not at its centre; the same sites give the same cells at every
 * zoom, so the density does not shift as the map moves.
 * @example densityRadiusM({ a: { lon: 11.90, lat: 57.70 }, b: { lon: 12.00, lat: 57.75 } }) // 500
 */
export const densityRadiusM = memoBySlice((sites: Record<string, Pick<Site, 'lon' | 'lat'>>): number => {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of Object.values(sites)) {
    w = Math.min(w, p.lon);
    e = Math.max(e, p.lon);
    s = Math.min(s, p.lat);
    n = Math.max(n, p.lat);
  }
  // One place: the smallest cell, or a site would stand at the edge of a hexagon far wider than it.
  if (!Number.isFinite(w) || (e - w === 0 && n - s === 0)) return MIN_RADIUS_M;
  const k = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const diagonalM = Math.hypot((e - w) * k, n - s) * 111_320;
  return Math.min(MAX_RADIUS_M, Math.max(MIN_RADIUS_M, niceStep(diagonalM / CELLS_ACROSS)));
});

/** What the density drew last: its cells, the people in them, the fullest cell's people. */
export interface DensityDrawn {
  cells: number;
  people: number;
  maxCell: number;
}

/** A density cell as hovered (HexagonLayer's picked object): the people in it and the sites it holds. */
export interface DensityCell {
  colorValue: number;
  count: number;
  points?: Site[];
}

/**
 * The people of the sites binned into one cell. HexagonLayer calls it once per cell it draws, which is how the
 * tally below counts the cells.
 */
function peopleIn(sites: Site[]): number {
  let n = 0;
  for (const s of sites) n += Math.max(0, s.population);
  return n;
}

type Accessors = Pick<HexagonLayerProps<Site>, 'getColorValue' | 'onSetColorDomain'>;
/**
 * The props HexagonLayer's constructor takes. deck.gl 9.4 types them apart from `HexagonLayerProps`, whose `onHover`
 * allows null where the constructor's does not.
 */
export type DensityLayerProps = ConstructorParameters<typeof HexagonLayer<Site>>[0];
const accessorsFor = new WeakMap<(d: DensityDrawn) => void, Accessors>();
const NO_REPORT = (): void => undefined;

/**
 * The cell accessors that report what was drawn to `onDrawn`, the same functions for the same callback: deck.gl
 * bins the sites again whenever `getColorValue` changes, and the picture's layers are rebuilt every second.
 */
function accessors(onDrawn: (d: DensityDrawn) => void): Accessors {
  let hit = accessorsFor.get(onDrawn);
  if (!hit) {
    const tally = { cells: 0, people: 0 };
    hit = {
      getColorValue: (sites: Site[]) => {
        const n = peopleIn(sites);
        tally.cells++;
        tally.people += n;
        return n;
      },
      // Called once the cells' values are in, after one getColorValue per cell.
      onSetColorDomain: ([, max]: [number, number]) => {
        onDrawn({ cells: tally.cells, people: tally.people, maxCell: tally.cells > 0 ? max : 0 });
        tally.cells = 0;
        tally.people = 0;
      },
    };
    accessorsFor.set(onDrawn, hit);
  }
  return hit;
}

/**
 * The density layer's props: the sites (every one, placed at a point or at its area's centre) binned into flat
 * hexagons of {@link densityRadiusM}, coloured by the people they hold, by rank (quantiles: a few very large sites
 * would otherwise leave every other cell the palest colour). `onDrawn` hears of each binning.
 * @example densityProps(picture.sites).radius // 500 for sites spread over 8 km
 */
export function densityProps(sites: Record<string, Site>, onDrawn: (d: DensityDrawn) => void = NO_REPORT): DensityLayerProps {
  return {
    id: 'displacement-density',
    data: siteList(sites),
    getPosition: (s) => [s.lon, s.lat],
    ...accessors(onDrawn),
    radius: densityRadiusM(sites),
    coverage: 0.94,
    extruded: false,
    gpuAggregation: false,
    colorRange: [...DENSITY_COLORS] as Color[],
    colorScaleType: 'quantile',
    pickable: true,
  };
}

// Displacement sites and flows as deck.gl layer props (client/src/layers): circles sized by population (sqrt), flows as arrows.
import type { IconLayerProps, LineLayerProps, ScatterplotLayerProps } from '@deck.gl/layers';
import type { Flow, Site } from '@corridor/protocol';
import { arrowIcon } from './icons.js';
import type { LabelFont } from './text-measure.js';
import { memoBySlice } from './memo.js';
import { FLOW_COLOR, SITE_FILL, SITE_LINE } from './palette.js';
import { counted, type Words } from './words.js';

export const siteList = memoBySlice((sites: Record<string, Site>) => Object.values(sites).sort((a, b) => b.population - a.population));
export const flowList = memoBySlice((flows: Record<string, Flow>) => Object.values(flows));

/**
 * Circle radius of a site, pixels: area proportional to population (sqrt scale), at least 5 px.
 * @example siteRadiusPx(10_000) // 25
 */
export function siteRadiusPx(population: number): number {
  return Math.max(5, 5 + Math.sqrt(Math.max(0, population)) * 0.2);
}

/** Line width of a flow, pixels: sqrt of the people moving, 1.5–10 px. */
export function flowWidthPx(people: number): number {
  return Math.min(10, Math.max(1.5, Math.sqrt(Math.max(0, people)) / 12));
}

/** Bearing from `from` to `to`, degrees clockwise from north (local flat approximation; fine at city scale). */
export function bearingDeg(from: [number, number], to: [number, number]): number {
  const k = Math.cos((((from[1] + to[1]) / 2) * Math.PI) / 180);
  const deg = (Math.atan2((to[0] - from[0]) * k, to[1] - from[1]) * 180) / Math.PI;
  return (deg + 360) % 360;
}

export function siteCircleProps(sites: Record<string, Site>, scale = 1): ScatterplotLayerProps<Site> {
  return {
    id: 'sites-circles',
    data: siteList(sites),
    getPosition: (s) => [s.lon, s.lat],
    getRadius: (s) => siteRadiusPx(s.population) * scale,
    radiusUnits: 'pixels',
    getFillColor: SITE_FILL,
    getLineColor: SITE_LINE,
    getLineWidth: 1.5,
    lineWidthUnits: 'pixels',
    stroked: true,
    pickable: true,
  };
}

/**
 * Site label: name and people present, in `w`'s language.
 * @example siteLabel({ name: 'Backaplan', population: 2400 }, words) // 'Backaplan\n2,400 displaced'
 */
export function siteLabel(s: Pick<Site, 'name' | 'population'>, w: Words): string {
  return `${s.name}\n${w.t('label.siteDisplaced', counted(w, s.population))}`;
}

/** Font of site labels at scale 1. */
export const SITE_LABEL_FONT: LabelFont = { sizePx: 12, weight: 600, lineHeight: 1.15 };

/**
 * Wordings of a site's label, fullest first. `compact` (the wall display) starts from the figure alone:
 * the legend says what violet circles are, and from across the room the number is what counts.
 * @example siteLabelTexts({ name: 'Backaplan', population: 1850 }, words) // ['Backaplan\n1,850 displaced', '1,850']
 */
export function siteLabelTexts(s: Pick<Site, 'name' | 'population'>, w: Words, compact = false): string[] {
  const figure = w.fmt.number(s.population);
  return compact ? [figure] : [siteLabel(s, w), figure];
}

export function flowLineProps(flows: Record<string, Flow>, scale = 1): LineLayerProps<Flow> {
  return {
    id: 'flows-lines',
    data: flowList(flows),
    getSourcePosition: (f) => f.from,
    getTargetPosition: (f) => f.to,
    getColor: FLOW_COLOR,
    getWidth: (f) => flowWidthPx(f.people) * scale,
    widthUnits: 'pixels',
  };
}

export function flowArrowProps(flows: Record<string, Flow>, scale = 1): IconLayerProps<Flow> {
  const icon = arrowIcon('#c4b5fd', 'arrow:flow');
  return {
    id: 'flows-arrows',
    data: flowList(flows),
    // Three quarters of the way along, so the head does not hide the destination's circle.
    getPosition: (f) => [f.from[0] + (f.to[0] - f.from[0]) * 0.75, f.from[1] + (f.to[1] - f.from[1]) * 0.75],
    getIcon: () => icon,
    getAngle: (f) => -bearingDeg(f.from, f.to),
    getSize: (f) => (12 + flowWidthPx(f.people) * 1.5) * scale,
    sizeUnits: 'pixels',
  };
}

// Displacement sites and flows as deck.gl layer props (client/src/layers): circles sized by population (sqrt), a dashed ring for a site placed at its area's centre, the trend since the previous figure, flows as arrows.
import type { IconLayerProps, LineLayerProps, ScatterplotLayerProps } from '@deck.gl/layers';
import type { Flow, Site } from '@corridor/protocol';
import { arrowIcon, type IconDef } from './icons.js';
import type { LabelFont } from './text-measure.js';
import { memoBySlice } from './memo.js';
import { FLOW_COLOR, SITE_FILL, SITE_LINE, type RGBA } from './palette.js';
import { counted, type Words } from './words.js';

export const siteList = memoBySlice((sites: Record<string, Site>) => Object.values(sites).sort((a, b) => b.population - a.population));
export const flowList = memoBySlice((flows: Record<string, Flow>) => Object.values(flows));

/** Pixels per √person at which small pictures draw sites (10,000 people: 25 px). */
export const SITE_PX_PER_SQRT = 0.2;
/** The radius the largest site of a picture may take, pixels at scale 1: beyond it the whole picture's scale shrinks. */
export const SITE_MAX_RADIUS_PX = 50;

/**
 * Pixels per √person for a picture's sites: {@link SITE_PX_PER_SQRT}, or less when its largest site would be
 * drawn wider than {@link SITE_MAX_RADIUS_PX}. Areas stay proportional to people within a picture, so a
 * department of a million displaced (an admin-1 import) does not cover the map while its neighbours of a few
 * thousand still read as smaller.
 * @example siteScale({ a: { population: 1_000_000 } }) // 0.045
 */
export const siteScale = memoBySlice((sites: Record<string, Pick<Site, 'population'>>): number => {
  let max = 0;
  for (const s of Object.values(sites)) max = Math.max(max, s.population);
  return max > 0 ? Math.min(SITE_PX_PER_SQRT, (SITE_MAX_RADIUS_PX - 5) / Math.sqrt(max)) : SITE_PX_PER_SQRT;
});

/**
 * Circle radius of a site, pixels: 5 plus `k` per √person (area proportional to population), at least 5 px.
 * @example siteRadiusPx(10_000) // 25
 */
export function siteRadiusPx(population: number, k = SITE_PX_PER_SQRT): number {
  return Math.max(5, 5 + Math.sqrt(Math.max(0, population)) * k);
}

/** Whether a site stands at its admin area's centre rather than where it is (issue 17). */
export function placedAtArea(s: Pick<Site, 'placed'>): boolean {
  return s.placed === 'area';
}

/** Fill of a site placed at its area's centre: faint, so the dashed ring reads as "somewhere in this area". */
export const SITE_AREA_FILL: RGBA = [167, 139, 250, 34];

export function siteCircleProps(sites: Record<string, Site>, scale = 1): ScatterplotLayerProps<Site> {
  const k = siteScale(sites);
  return {
    id: 'sites-circles',
    data: siteList(sites),
    getPosition: (s) => [s.lon, s.lat],
    getRadius: (s) => siteRadiusPx(s.population, k) * scale,
    radiusUnits: 'pixels',
    // A site placed at its area's centre is a faint disc here (still hovered as a site); its dashed ring is siteAreaRingProps.
    getFillColor: (s) => (placedAtArea(s) ? SITE_AREA_FILL : SITE_FILL),
    getLineColor: SITE_LINE,
    getLineWidth: (s) => (placedAtArea(s) ? 0 : 1.5),
    lineWidthUnits: 'pixels',
    stroked: true,
    pickable: true,
    updateTriggers: { getRadius: [k, scale] },
  };
}

const ringCache = new Map<number, IconDef>();

/**
 * A dashed ring of `radiusPx` (whole pixels), line 2 px, as an icon drawn at its own size: the look of a site
 * placed at its area's centre. ScatterplotLayer draws no dashes, and an icon's line keeps its width at any radius.
 * @example ringIcon(12).width // 28
 */
export function ringIcon(radiusPx: number): IconDef {
  const r = Math.max(3, Math.round(radiusPx));
  let icon = ringCache.get(r);
  if (!icon) {
    const size = 2 * r + 4;
    const c = size / 2;
    // Dashes about 6 px long, at least 8 of them, so that a small ring still reads as dashed.
    const dash = Math.min(6, (2 * Math.PI * r) / 16);
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">` +
      `<circle cx="${c}" cy="${c}" r="${r}" fill="none" stroke="#0b0f14" stroke-width="3.5" stroke-opacity="0.6"/>` +
      `<circle cx="${c}" cy="${c}" r="${r}" fill="none" stroke="#c4b5fd" stroke-width="2" stroke-dasharray="${dash.toFixed(2)} ${(dash * 0.75).toFixed(2)}"/></svg>`;
    icon = { id: `ring:${r}`, url: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, width: size, height: size, anchorX: c, anchorY: c };
    ringCache.set(r, icon);
  }
  return icon;
}

const areaSiteList = memoBySlice((sites: Record<string, Site>) => siteList(sites).filter(placedAtArea));

/** The dashed rings of the sites placed at their area's centre (over their faint discs of siteCircleProps). */
export function siteAreaRingProps(sites: Record<string, Site>, scale = 1): IconLayerProps<Site> {
  const k = siteScale(sites);
  const icon = (s: Site) => ringIcon(siteRadiusPx(s.population, k) * scale);
  return {
    id: 'sites-area-rings',
    data: areaSiteList(sites),
    getPosition: (s) => [s.lon, s.lat],
    getIcon: icon,
    getSize: (s) => icon(s).height,
    sizeUnits: 'pixels',
    updateTriggers: { getIcon: [k, scale], getSize: [k, scale] },
  };
}

/** How a site's figure moved since the one before it. */
export interface SiteTrend {
  direction: 'up' | 'down' | 'same';
  /** People more (+) or fewer (−) than the previous figure. */
  delta: number;
  /** Date of the previous figure (ISO 8601 day). */
  since: string;
}

/**
 * The trend of a site since its previous figure, or null when it has none.
 * @example siteTrend({ population: 2400, previous: { population: 1200, date: '2026-11-02' } }) // { direction: 'up', delta: 1200, since: '2026-11-02' }
 */
export function siteTrend(s: Pick<Site, 'population' | 'previous'>): SiteTrend | null {
  if (!s.previous) return null;
  const delta = s.population - s.previous.population;
  return { direction: delta > 0 ? 'up' : delta < 0 ? 'down' : 'same', delta, since: s.previous.date };
}

/** Marks of a trend: triangles in the page (tooltips, panels); arrows on the map, whose label fonts have no triangles. */
const TREND_MARKS = { page: { up: '▲', down: '▼' }, map: { up: '↑', down: '↓' } } as const;

/**
 * A site's trend in words: "▲ +1,200 since 2 Nov 2026", "▼ −300 since …", "unchanged since …"; null without a previous figure.
 * `on` says where it is shown: the page draws ▲ ▼, the map's label fonts only ↑ ↓.
 * @example siteTrendText({ population: 2400, previous: { population: 1200, date: '2026-11-02' } }, words) // '▲ +1,200 since 2 Nov 2026'
 */
export function siteTrendText(s: Pick<Site, 'population' | 'previous'>, w: Words, on: 'page' | 'map' = 'page'): string | null {
  const trend = siteTrend(s);
  if (!trend) return null;
  const date = w.fmt.day(trend.since);
  if (trend.direction === 'same') return w.t('displacement.trendSame', { date });
  const values = { mark: TREND_MARKS[on][trend.direction], n: w.fmt.number(Math.abs(trend.delta)), date };
  return w.t(trend.direction === 'up' ? 'displacement.trendUp' : 'displacement.trendDown', values);
}

/**
 * A site's trend in short, for a label that must be brief: "↑ +1,200"; null without a previous figure or without change.
 * @example siteTrendShort({ population: 900, previous: { population: 1200, date: '2026-11-02' } }, words) // '↓ −300'
 */
export function siteTrendShort(s: Pick<Site, 'population' | 'previous'>, w: Words): string | null {
  const trend = siteTrend(s);
  if (!trend || trend.direction === 'same') return null;
  const values = { mark: TREND_MARKS.map[trend.direction], n: w.fmt.number(Math.abs(trend.delta)) };
  return w.t(trend.direction === 'up' ? 'displacement.trendShortUp' : 'displacement.trendShortDown', values);
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
 * Wordings of a site's label, fullest first: with its trend since the previous figure when it has one, then
 * without, then the figure alone (with the short trend before the bare figure). `compact` (the wall display)
 * starts from the figure: the legend says what violet circles are, and from across the room the number and
 * which way it moves are what count.
 * @example siteLabelTexts({ name: 'Backaplan', population: 1850 }, words) // ['Backaplan\n1,850 displaced', '1,850']
 * @example siteLabelTexts({ name: 'Backaplan', population: 2400, previous: { population: 1200, date: '2026-11-02' } }, words)
 *   // ['Backaplan\n2,400 displaced\n↑ +1,200 since 2 Nov 2026', 'Backaplan\n2,400 displaced ↑ +1,200', 'Backaplan\n2,400 displaced', '2,400 ↑ +1,200', '2,400']
 */
export function siteLabelTexts(s: Pick<Site, 'name' | 'population' | 'previous'>, w: Words, compact = false): string[] {
  const figure = w.fmt.number(s.population);
  const short = siteTrendShort(s, w);
  const long = siteTrendText(s, w, 'map');
  const withShort = short ? [`${figure} ${short}`] : [];
  if (compact) return [...withShort, figure];
  const label = siteLabel(s, w);
  const trended = long ? [`${label}\n${long}`, ...(short ? [`${label} ${short}`] : [])] : [];
  return [...trended, label, ...withShort, figure];
}

/** How many flows a picture may hold before their lines are drawn fainter, so that many crossing flows stay readable. */
const FLOWS_BEFORE_FADING = 20;

/** Pixels per √person of a picture's flows: 1/12, or less so that its largest flow is at most 10 px wide. */
export const flowScale = memoBySlice((flows: Record<string, Pick<Flow, 'people'>>): number => {
  let max = 0;
  for (const f of Object.values(flows)) max = Math.max(max, f.people);
  return max > 0 ? Math.min(1 / 12, 10 / Math.sqrt(max)) : 1 / 12;
});

/**
 * Line width of a flow, pixels: `k` per √person moving, 1.5–10 px.
 * @example flowWidthPx(3600) // 5
 */
export function flowWidthPx(people: number, k = 1 / 12): number {
  return Math.min(10, Math.max(1.5, Math.sqrt(Math.max(0, people)) * k));
}

/**
 * Colour of flow lines when a picture has `count` flows: as {@link FLOW_COLOR} up to 20, fading to two thirds of
 * its opacity at 200 and more, so that crossings show through.
 * @example flowColor(500)[3] // 140
 */
export function flowColor(count: number): RGBA {
  const [r, g, b, a] = FLOW_COLOR;
  const fade = Math.min(1, Math.max(0, (count - FLOWS_BEFORE_FADING) / 180));
  return [r, g, b, Math.round(a * (1 - fade / 3))];
}

/** Bearing from `from` to `to`, degrees clockwise from north (local flat approximation; fine at city scale). */
export function bearingDeg(from: [number, number], to: [number, number]): number {
  const k = Math.cos((((from[1] + to[1]) / 2) * Math.PI) / 180);
  const deg = (Math.atan2((to[0] - from[0]) * k, to[1] - from[1]) * 180) / Math.PI;
  return (deg + 360) % 360;
}

/**
 * Length of a flow, metres, on the sphere (haversine).
 * @example flowLengthM({ from: [0, 0], to: [0, 1] }) // ≈ 111,195
 */
export function flowLengthM(f: Pick<Flow, 'from' | 'to'>): number {
  const rad = Math.PI / 180;
  const [lon1, lat1] = f.from;
  const [lon2, lat2] = f.to;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function flowLineProps(flows: Record<string, Flow>, scale = 1): LineLayerProps<Flow> {
  const k = flowScale(flows);
  const data = flowList(flows);
  return {
    id: 'flows-lines',
    data,
    getSourcePosition: (f) => f.from,
    getTargetPosition: (f) => f.to,
    getColor: flowColor(data.length),
    getWidth: (f) => flowWidthPx(f.people, k) * scale,
    widthUnits: 'pixels',
    // Hovered for its figures (tooltip.ts).
    pickable: true,
    updateTriggers: { getWidth: [k, scale] },
  };
}

export function flowArrowProps(flows: Record<string, Flow>, scale = 1): IconLayerProps<Flow> {
  const icon = arrowIcon('#c4b5fd', 'arrow:flow');
  const k = flowScale(flows);
  return {
    id: 'flows-arrows',
    data: flowList(flows),
    // Three quarters of the way along, so the head does not hide the destination's circle.
    getPosition: (f) => [f.from[0] + (f.to[0] - f.from[0]) * 0.75, f.from[1] + (f.to[1] - f.from[1]) * 0.75],
    getIcon: () => icon,
    getAngle: (f) => -bearingDeg(f.from, f.to),
    getSize: (f) => (12 + flowWidthPx(f.people, k) * 1.5) * scale,
    sizeUnits: 'pixels',
    pickable: true,
    updateTriggers: { getSize: [k, scale] },
  };
}

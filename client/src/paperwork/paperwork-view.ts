// What the movement paperwork shows, as pure functions of the picture (client/src/paperwork, issue 18): times in a
// zone and in UTC, the departure times are counted from, the havens and threat zones near a route, and the frame of
// the printed map. No DOM; the pages render what these return.
import { booleanIntersects, booleanPointInPolygon, lineString } from '@turf/turf';
import CheapRuler from 'cheap-ruler';
import type { Convoy, Haven, Notice, ThreatZone } from '@corridor/protocol';

type Pos = [number, number];

/** How far from a route a haven or a threat zone is still "near" it on the route card, metres. */
export const NEAR_ROUTE_M = 3000;

/**
 * A formatter of instants as a date and a 24-hour time in `timeZone` (UTC when the runtime does not know it).
 * @example zonedFormatter('en-GB', 'Europe/Stockholm')(Date.UTC(2026, 11, 6, 14, 5)) // '6 Dec 2026, 15:05'
 */
export function zonedFormatter(locale: string, timeZone: string): (ms: number) => string {
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }
  return (ms) => (Number.isFinite(ms) ? f.format(ms) : '—');
}

/** A time zone the runtime knows, else UTC. */
export function knownZone(timeZone: string | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/**
 * When the times of a route card are counted from: the planned departure, else the start of the movement window.
 * @example departureOf({ window: { from: '2026-12-06T14:00:00Z', until: '2026-12-06T18:00:00Z' } }) // { ms: Date.parse('2026-12-06T14:00:00Z'), basis: 'window' }
 */
export function departureOf(c: Pick<Convoy, 'departure' | 'window'> | Pick<Notice, 'departure' | 'window'> | undefined): { ms: number; basis: 'departure' | 'window' } | undefined {
  const dep = c?.departure !== undefined ? Date.parse(c.departure) : NaN;
  if (Number.isFinite(dep)) return { ms: dep, basis: 'departure' };
  const from = c?.window ? Date.parse(c.window.from) : NaN;
  return Number.isFinite(from) ? { ms: from, basis: 'window' } : undefined;
}

function rulerFor(line: readonly Pos[]): CheapRuler {
  const lat = line.length ? line.reduce((s, p) => s + p[1], 0) / line.length : 0;
  return new CheapRuler(Math.max(-89, Math.min(89, lat)), 'meters');
}

/** Metres from a point to a line (to the point itself when the line has one point). */
function toLine(ruler: CheapRuler, line: readonly Pos[], p: Pos): number {
  if (line.length === 1) return ruler.distance(line[0], p);
  return ruler.distance(ruler.pointOnLine(line as Pos[], p).point, p);
}

/** A haven near a route. */
export interface HavenNear {
  haven: Haven;
  /** Metres from the route. */
  off_m: number;
  /** It is where the route leads. */
  destination: boolean;
}

/**
 * The destination haven and the open havens within `maxM` of a route, the destination first, then nearest first.
 * @example havensNearRoute({ 'hv-1': haven }, [[11.9, 57.7], [11.95, 57.7]], 'hv-1').map((h) => h.haven.id) // ['hv-1']
 */
export function havensNearRoute(havens: Readonly<Record<string, Haven>>, line: readonly Pos[], destinationId?: string, maxM = NEAR_ROUTE_M): HavenNear[] {
  if (line.length === 0) return [];
  const ruler = rulerFor(line);
  const out: HavenNear[] = [];
  for (const h of Object.values(havens)) {
    const off = toLine(ruler, line, [h.lon, h.lat]);
    const destination = h.id === destinationId;
    if (destination || (h.status === 'open' && off <= maxM)) out.push({ haven: h, off_m: off, destination });
  }
  return out.sort((a, b) => Number(b.destination) - Number(a.destination) || a.off_m - b.off_m || a.haven.id.localeCompare(b.haven.id));
}

/** A threat zone near a route. */
export interface ZoneNear {
  zone: ThreatZone;
  /** The route enters or touches it. */
  crosses: boolean;
  /** Metres from the route to its nearest corner (0 when it crosses). */
  off_m: number;
}

/** The rings of a zone's area. */
function ringsOf(zone: ThreatZone): Pos[][] {
  const a = zone.area;
  if (a.type === 'Polygon') return a.coordinates as Pos[][];
  return (a.coordinates as Pos[][][]).flat();
}

/**
 * The threat zones the route crosses or passes within `maxM` of (measured to their corners), those it crosses
 * first, then by severity and distance.
 * @example zonesNearRoute(picture.threats, route.coordinates).map((z) => z.zone.id) // ['tz-3', 'tz-1']
 */
export function zonesNearRoute(threats: Readonly<Record<string, ThreatZone>>, line: readonly Pos[], maxM = NEAR_ROUTE_M): ZoneNear[] {
  if (line.length === 0) return [];
  const ruler = rulerFor(line);
  const geometry = line.length >= 2 ? lineString(line as Pos[]) : null;
  const rank = { 'no-go': 0, danger: 1, advisory: 2 } as const;
  const out: ZoneNear[] = [];
  for (const zone of Object.values(threats)) {
    let crosses = false;
    try {
      crosses = geometry ? booleanIntersects(geometry, zone.area) : booleanPointInPolygon(line[0], zone.area);
    } catch {
      crosses = false;
    }
    let off = Infinity;
    if (!crosses) for (const ring of ringsOf(zone)) for (const p of ring) off = Math.min(off, toLine(ruler, line, p));
    if (crosses || off <= maxM) out.push({ zone, crosses, off_m: crosses ? 0 : off });
  }
  return out.sort((a, b) => Number(b.crosses) - Number(a.crosses) || rank[a.zone.severity] - rank[b.zone.severity] || a.off_m - b.off_m);
}

/** A projection of [lon, lat] onto a drawing of `width` × `height` units, north up. */
export interface MapFrame {
  width: number;
  height: number;
  project(p: readonly [number, number]): [number, number];
  /** Metres per drawing unit, for a scale bar. */
  metresPerUnit: number;
  /** The middle of the drawing, [lon, lat], and the Web Mercator zoom (512 px tiles) that draws it at the same scale. */
  center: [number, number];
  zoom: number;
}

/**
 * The frame of a printed map: the points (the route, its checkpoints and ends) fitted into `width` × `height`
 * with `pad` units around, in an equirectangular projection true at their middle latitude (a route card's map
 * spans a few tens of kilometres, where that is as good as Web Mercator).
 * @example mapFrame([[11.9, 57.7], [12.0, 57.75]], 600, 400).project([11.9, 57.75]) // top-left corner, within the padding
 */
export function mapFrame(points: readonly (readonly [number, number])[], width: number, height: number, pad = 24): MapFrame {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  if (!Number.isFinite(minX)) {
    minX = maxX = 0;
    minY = maxY = 0;
  }
  const midLat = (minY + maxY) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  // At least about 500 m across, so a short route is not drawn at a street's scale.
  const spanX = Math.max((maxX - minX) * k, 0.005);
  const spanY = Math.max(maxY - minY, 0.005);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const metresPerDegreeLat = 111_320;
  return {
    width,
    height,
    project: ([lon, lat]) => [width / 2 + (lon - cx) * k * scale, height / 2 - (lat - cy) * scale],
    metresPerUnit: metresPerDegreeLat / scale,
    center: [cx, cy],
    // Mercator draws a degree of longitude 512·2^z/360 px wide at every latitude, as this frame draws it k·scale.
    zoom: Math.log2((k * scale * 360) / 512),
  };
}

/**
 * A round length for a scale bar no longer than `maxM` metres (1, 2 or 5 × a power of ten).
 * @example scaleBarMetres(3700) // 2000
 */
export function scaleBarMetres(maxM: number): number {
  if (!(maxM > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(maxM));
  for (const m of [5, 2, 1]) if (m * p <= maxM) return m * p;
  return p;
}

/** A MapLibre style, as far as {@link paperStyle} reads it. */
export interface StyleLike {
  layers: { id: string; type: string; paint?: Record<string, unknown>; layout?: Record<string, unknown> }[];
  [key: string]: unknown;
}

/**
 * The basemap's style made for paper: white ground, grey roads with darker casings, dark labels with white halos,
 * so the route and the zones drawn over it stand out in black and white (the screen style is dark).
 * @example paperStyle({ layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#11171d' } }] }).layers[0].paint // { 'background-color': '#ffffff' }
 */
export function paperStyle<S extends StyleLike>(style: S): S {
  const layers = style.layers.map((layer) => {
    const paint = { ...(layer.paint ?? {}) };
    if (layer.type === 'background') paint['background-color'] = '#ffffff';
    else if (layer.type === 'line') paint['line-color'] = layer.id.endsWith('-casing') ? '#8c8c8c' : '#cfcfcf';
    else if (layer.type === 'fill') paint['fill-color'] = '#f0f0f0';
    else if (layer.type === 'symbol') {
      paint['text-color'] = '#4a4a4a';
      paint['text-halo-color'] = '#ffffff';
      paint['text-halo-width'] = 1.5;
    }
    return { ...layer, paint };
  });
  return { ...style, layers };
}

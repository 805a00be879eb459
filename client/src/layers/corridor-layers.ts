// Convoy corridors as deck.gl layer props (client/src/layers): each convoy in its own colour, best route bold over a dark casing, alternatives lighter and dashed, a holding convoy's dashed and dimmed, a planned one's thinner; no-safe-route convoys flagged.
import type { PathLayerProps, ScatterplotLayerProps } from '@deck.gl/layers';
import { PathStyleExtension } from '@deck.gl/extensions';
import type { Convoy, ConvoyTrack, Corridor, RouteLeg } from '@corridor/protocol';
import { convoyColorHex, corridorLook, lookColor, type CorridorLook } from './convoy-look.js';
import type { LabelFont } from './text-measure.js';
import { CORRIDOR_CASING, hexToRgba, NO_ROUTE_COLOR, type RGBA } from './palette.js';
import { counted, type Words } from './words.js';

/** One drawn route: rank 0 is the best route, higher ranks the alternatives in order. */
export interface RoutePath {
  convoyId: string;
  convoy: Convoy;
  rank: number;
  path: [number, number][];
  /** The route's figures (distance, duration, exposure, clearance), for the tooltip. */
  leg: RouteLeg;
  /** The convoy's colour, `#rrggbb`. */
  hex: string;
  /** How the convoy's state draws it. */
  look: CorridorLook;
}

/** How much lighter an alternative is than its best route: its opacity, a share of the best's. */
const ALT_ALPHA = 0.62;

const pathCache = new WeakMap<Record<string, Convoy>, WeakMap<Record<string, Corridor>, RoutePath[]>>();

/**
 * All routes of the corridors of convoys that are drawn, alternatives first so the best routes draw over them.
 * A corridor is drawn only when it is `ok` and its convoy is present and neither arrived nor aborted.
 * The same array while both the `convoys` and `corridors` slices are unchanged.
 */
export function routePaths(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>): RoutePath[] {
  let inner = pathCache.get(convoys);
  if (!inner) pathCache.set(convoys, (inner = new WeakMap()));
  let out = inner.get(corridors);
  if (!out) {
    const paths: RoutePath[] = [];
    for (const c of Object.values(corridors)) {
      const convoy = convoys[c.convoyId];
      const look = convoy && corridorLook(convoy.state);
      if (c.status !== 'ok' || !convoy || !look) continue;
      const hex = convoyColorHex(convoys, convoy.id);
      c.routes.forEach((leg, rank) => paths.push({ convoyId: c.convoyId, convoy, rank, path: leg.coordinates, leg, hex, look }));
    }
    out = paths.sort((a, b) => b.rank - a.rank);
    inner.set(corridors, out);
  }
  return out;
}

const splitCache = new WeakMap<RoutePath[], { best: RoutePath[]; alt: RoutePath[] }>();
function split(paths: RoutePath[]) {
  let s = splitCache.get(paths);
  if (!s) splitCache.set(paths, (s = { best: paths.filter((r) => r.rank === 0), alt: paths.filter((r) => r.rank > 0) }));
  return s;
}
const bestPaths = (convoys: Record<string, Convoy>, corridors: Record<string, Corridor>) => split(routePaths(convoys, corridors)).best;
const altPaths = (convoys: Record<string, Convoy>, corridors: Record<string, Corridor>) => split(routePaths(convoys, corridors)).alt;

const dashes = [new PathStyleExtension({ dash: true })];

/**
 * The colour of a route: the convoy's, in its state's look; an alternative lighter.
 * @example routeColor({ hex: '#22d3ee', rank: 0, look: CORRIDOR_LOOKS.moving }) // [34, 211, 238, 255]
 */
export function routeColor(r: Pick<RoutePath, 'hex' | 'rank' | 'look'>): RGBA {
  return lookColor(r.hex, r.look, r.rank === 0 ? r.look.alpha : Math.round(r.look.alpha * ALT_ALPHA));
}

/** Dark casing under best routes so they read over any road colour; thinner under a convoy not yet moving. */
export function corridorCasingProps(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale = 1): PathLayerProps<RoutePath> {
  return {
    id: 'corridors-casing',
    data: bestPaths(convoys, corridors),
    getPath: (r) => r.path,
    getColor: CORRIDOR_CASING,
    getWidth: (r) => r.look.casingPx * scale,
    updateTriggers: { getWidth: scale },
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
  };
}

/** Best routes in their convoy's colour; a holding convoy's dashed (over its solid casing) and dimmed. */
export function corridorBestProps(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale = 1): PathLayerProps<RoutePath> & Record<string, unknown> {
  return {
    id: 'corridors-best',
    data: bestPaths(convoys, corridors),
    getPath: (r) => r.path,
    getColor: routeColor,
    getWidth: (r) => r.look.bestPx * scale,
    updateTriggers: { getWidth: scale },
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    getDashArray: (r: RoutePath) => r.look.dash,
    dashJustified: true,
    extensions: dashes,
    pickable: true,
  };
}

/** Alternatives: the convoy's colour, lighter, thin and dashed. */
export function corridorAltProps(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale = 1): PathLayerProps<RoutePath> & Record<string, unknown> {
  return {
    id: 'corridors-alternatives',
    data: altPaths(convoys, corridors),
    getPath: (r) => r.path,
    getColor: routeColor,
    getWidth: (r) => r.look.altPx * scale,
    updateTriggers: { getWidth: scale },
    widthUnits: 'pixels',
    getDashArray: [5, 3],
    dashJustified: true,
    extensions: dashes,
    pickable: true,
  };
}

/** A convoy drawn on the map by its name: where its lead unit is when tracked, else at the start of its best route, or at its origin. */
export interface ConvoyMark {
  convoy: Convoy;
  corridor?: Corridor;
  position: [number, number];
  blocked: boolean;
  /** The convoy's colour, `#rrggbb` (convoy-look.ts). */
  hex: string;
  /** Whether the map draws it: not once it has arrived or was aborted (the side panel still lists it). */
  drawn: boolean;
}

const markCache = new WeakMap<Record<string, Convoy>, WeakMap<Record<string, Corridor>, WeakMap<Record<string, ConvoyTrack>, ConvoyMark[]>>>();
/** No tracks: the marks of a picture without its tracks slice. */
const NO_TRACKS: Record<string, ConvoyTrack> = {};

/**
 * Convoy marks, the same array while the `convoys`, `corridors` and `tracks` slices are unchanged. A
 * tracked convoy (moving or holding, P21) is drawn where its lead unit last reported; any other at the
 * start of its best route, or at its origin without one.
 */
export function convoyMarks(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, tracks: Record<string, ConvoyTrack> = NO_TRACKS): ConvoyMark[] {
  let byCorridors = markCache.get(convoys);
  if (!byCorridors) markCache.set(convoys, (byCorridors = new WeakMap()));
  let byTracks = byCorridors.get(corridors);
  if (!byTracks) byCorridors.set(corridors, (byTracks = new WeakMap()));
  let marks = byTracks.get(tracks);
  if (!marks) {
    marks = Object.values(convoys).map((convoy) => {
      const corridor = corridors[convoy.id];
      const start = corridor?.status === 'ok' ? corridor.routes[0]?.coordinates[0] : undefined;
      const track = convoy.state === 'moving' || convoy.state === 'holding' ? tracks[convoy.id] : undefined;
      const drawn = convoy.state !== 'arrived' && convoy.state !== 'aborted';
      return { convoy, corridor, position: track?.at ?? start ?? convoy.origin, blocked: drawn && !!corridor && corridor.status !== 'ok', hex: convoyColorHex(convoys, convoy.id), drawn };
    });
    byTracks.set(tracks, marks);
  }
  return marks;
}

/**
 * Short status of a convoy's corridor for labels and the side panel, in `w`'s language.
 * @example corridorStatusText({ status: 'no_safe_route', ... }, words) // 'NO SAFE ROUTE'
 */
export function corridorStatusText(corridor: Corridor | undefined, w: Words): string {
  if (!corridor) return w.t('corridor.none');
  switch (corridor.status) {
    case 'ok':
      return corridor.routes.length > 1 ? w.t('corridor.routeAlternatives', counted(w, corridor.routes.length - 1)) : w.t('corridor.route');
    case 'no_safe_route':
      return w.t('corridor.noSafeRoute');
    case 'off_network':
      return w.t('corridor.offNetwork');
    case 'no_haven':
      return w.t('corridor.noHaven');
  }
}

const drawnCache = new WeakMap<ConvoyMark[], ConvoyMark[]>();

/** The convoy marks the map draws (not arrived, not aborted), the same array while the marks are the same. */
export function drawnConvoyMarks(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, tracks?: Record<string, ConvoyTrack>): ConvoyMark[] {
  const marks = convoyMarks(convoys, corridors, tracks);
  let drawn = drawnCache.get(marks);
  if (!drawn) drawnCache.set(marks, (drawn = marks.filter((m) => m.drawn)));
  return drawn;
}

/**
 * Fill of a convoy's marker: its colour in its state's look; dark red when it has no safe route.
 * @example convoyMarkerFill({ hex: '#22d3ee', blocked: false, convoy: { state: 'moving' } }) // [34, 211, 238, 255]
 */
export function convoyMarkerFill(m: Pick<ConvoyMark, 'hex' | 'blocked'> & { convoy: Pick<Convoy, 'state'> }): RGBA {
  if (m.blocked) return [127, 29, 29, 200];
  const look = corridorLook(m.convoy.state);
  return look ? lookColor(m.hex, { alpha: 255, dim: look.dim }) : hexToRgba(m.hex);
}

export function convoyMarkerProps(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale = 1, tracks?: Record<string, ConvoyTrack>): ScatterplotLayerProps<ConvoyMark> {
  return {
    id: 'convoys-markers',
    data: drawnConvoyMarks(convoys, corridors, tracks),
    getPosition: (m) => m.position,
    getRadius: (m) => convoyMarkerRadiusPx(m) * scale,
    radiusUnits: 'pixels',
    getFillColor: convoyMarkerFill,
    getLineColor: (m) => (m.blocked ? NO_ROUTE_COLOR : CORRIDOR_CASING),
    getLineWidth: (m) => (m.blocked ? 3 : 2),
    lineWidthUnits: 'pixels',
    stroked: true,
    pickable: true,
  };
}

/**
 * Convoy label: name, and in capitals why it cannot move when its corridor is not ok (in `w`'s language).
 * @example convoyLabel({ convoy: { name: 'CV-1 Water' }, blocked: false }, words) // 'CV-1 Water'
 */
export function convoyLabel(m: Pick<ConvoyMark, 'blocked' | 'corridor'> & { convoy: Pick<Convoy, 'name'> }, w: Words): string {
  return m.blocked ? `${m.convoy.name}\n${corridorStatusText(m.corridor, w)}` : m.convoy.name;
}

/** Font of convoy labels at scale 1 (a convoy that cannot move is drawn larger: 15 px). */
export const CONVOY_LABEL_FONT: LabelFont = { sizePx: 13, weight: 700, lineHeight: 1.15 };
/** Text size of a convoy label at scale 1, pixels. */
export const convoyLabelSizePx = (m: Pick<ConvoyMark, 'blocked'>) => (m.blocked ? 15 : 13);
/** Background padding of convoy labels at scale 1, pixels [x, y]. */
export const CONVOY_LABEL_PAD: [number, number] = [6, 3];

/**
 * Wordings of a convoy's label, fullest first: the short name is the part before the dash
 * ("EVAC BLUE – Backaplan to nearest haven" → "EVAC BLUE"); a blocked convoy keeps its status line.
 * @example convoyLabelTexts({ convoy: { name: 'EVAC RED – Biskopsgården' }, blocked: false }, words) // ['EVAC RED – Biskopsgården', 'EVAC RED']
 */
export function convoyLabelTexts(m: Pick<ConvoyMark, 'blocked' | 'corridor'> & { convoy: Pick<Convoy, 'name'> }, w: Words): string[] {
  const full = convoyLabel(m, w);
  const short = m.convoy.name.split(/\s+[–—-]\s+/)[0];
  if (short === m.convoy.name) return [full];
  return [full, convoyLabel({ ...m, convoy: { name: short } }, w)];
}

/** Radius of a convoy marker at scale 1, pixels (a blocked convoy is drawn twice as large). */
export const convoyMarkerRadiusPx = (m: Pick<ConvoyMark, 'blocked'>) => (m.blocked ? 14 : 7);

// Convoy corridors as deck.gl layer props (client/src/layers): best route bold, alternatives dashed, no-safe-route convoys flagged.
import type { PathLayerProps, ScatterplotLayerProps } from '@deck.gl/layers';
import { PathStyleExtension } from '@deck.gl/extensions';
import type { Convoy, Corridor } from '@corridor/protocol';
import type { LabelFont } from './text-measure.js';
import { memoBySlice } from './memo.js';
import { CORRIDOR_ALT, CORRIDOR_BEST, CORRIDOR_CASING, NO_ROUTE_COLOR } from './palette.js';
import { counted, type Words } from './words.js';

/** One drawn route: rank 0 is the best route, higher ranks the alternatives in order. */
export interface RoutePath {
  convoyId: string;
  rank: number;
  path: [number, number][];
}

/** All routes of all corridors, alternatives first so the best routes draw over them. */
export const routePaths = memoBySlice((corridors: Record<string, Corridor>): RoutePath[] => {
  const out: RoutePath[] = [];
  for (const c of Object.values(corridors)) {
    if (c.status !== 'ok') continue;
    c.routes.forEach((r, rank) => out.push({ convoyId: c.convoyId, rank, path: r.coordinates }));
  }
  return out.sort((a, b) => b.rank - a.rank);
});

const bestPaths = memoBySlice((corridors: Record<string, Corridor>) => routePaths(corridors).filter((r) => r.rank === 0));
const altPaths = memoBySlice((corridors: Record<string, Corridor>) => routePaths(corridors).filter((r) => r.rank > 0));

const dashes = [new PathStyleExtension({ dash: true })];

/** Dark casing under best routes so they read over any road colour. */
export function corridorCasingProps(corridors: Record<string, Corridor>, scale = 1): PathLayerProps<RoutePath> {
  return {
    id: 'corridors-casing',
    data: bestPaths(corridors),
    getPath: (r) => r.path,
    getColor: CORRIDOR_CASING,
    getWidth: 10 * scale,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
  };
}

export function corridorBestProps(corridors: Record<string, Corridor>, scale = 1): PathLayerProps<RoutePath> {
  return {
    id: 'corridors-best',
    data: bestPaths(corridors),
    getPath: (r) => r.path,
    getColor: CORRIDOR_BEST,
    getWidth: 5 * scale,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    pickable: true,
  };
}

export function corridorAltProps(corridors: Record<string, Corridor>, scale = 1): PathLayerProps<RoutePath> & Record<string, unknown> {
  return {
    id: 'corridors-alternatives',
    data: altPaths(corridors),
    getPath: (r) => r.path,
    getColor: CORRIDOR_ALT,
    getWidth: 2.5 * scale,
    widthUnits: 'pixels',
    getDashArray: [5, 3],
    dashJustified: true,
    extensions: dashes,
    pickable: true,
  };
}

/** A convoy drawn on the map by its name: at the start of its best route, or at its origin without one. */
export interface ConvoyMark {
  convoy: Convoy;
  corridor?: Corridor;
  position: [number, number];
  blocked: boolean;
}

const markCache = new WeakMap<Record<string, Convoy>, WeakMap<Record<string, Corridor>, ConvoyMark[]>>();

/** Convoy marks, the same array while both the `convoys` and `corridors` slices are unchanged. */
export function convoyMarks(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>): ConvoyMark[] {
  let inner = markCache.get(convoys);
  if (!inner) markCache.set(convoys, (inner = new WeakMap()));
  let marks = inner.get(corridors);
  if (!marks) {
    marks = Object.values(convoys).map((convoy) => {
      const corridor = corridors[convoy.id];
      const start = corridor?.status === 'ok' ? corridor.routes[0]?.coordinates[0] : undefined;
      return { convoy, corridor, position: start ?? convoy.origin, blocked: !!corridor && corridor.status !== 'ok' };
    });
    inner.set(corridors, marks);
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

export function convoyMarkerProps(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale = 1): ScatterplotLayerProps<ConvoyMark> {
  return {
    id: 'convoys-markers',
    data: convoyMarks(convoys, corridors),
    getPosition: (m) => m.position,
    getRadius: (m) => convoyMarkerRadiusPx(m) * scale,
    radiusUnits: 'pixels',
    getFillColor: (m) => (m.blocked ? [127, 29, 29, 200] : [8, 47, 73, 255]),
    getLineColor: (m) => (m.blocked ? NO_ROUTE_COLOR : CORRIDOR_BEST),
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

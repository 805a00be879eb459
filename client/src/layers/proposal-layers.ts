// Re-route proposals and unsafe corridors on the map (client/src/layers, P22): the routes a proposal
// offers from where its convoy is, in white dashes over the map (the best one bolder), and the
// route of a convoy whose way ahead is cut or endangered, struck through in red so no screen shows it
// as safe while a planner decides; and the way each convoy under way has come so far.
import type { PathLayerProps, ScatterplotLayerProps } from '@deck.gl/layers';
import { PathStyleExtension } from '@deck.gl/extensions';
import type { Convoy, ConvoyTrack, Corridor, ProposedRoute, RerouteProposal } from '@corridor/protocol';
import { routePaths, type RoutePath } from './corridor-layers.js';
import { NO_ROUTE_COLOR, type RGBA } from './palette.js';

/** One route of an open proposal. */
export interface ProposalPath {
  convoy: Convoy;
  proposal: RerouteProposal;
  rank: number;
  path: [number, number][];
  route: ProposedRoute;
}

const proposalCache = new WeakMap<Record<string, RerouteProposal>, ProposalPath[]>();

/** The routes of every open proposal of a convoy in the picture, alternatives first so the best draw over them. */
export function proposalPaths(proposals: Record<string, RerouteProposal>, convoys: Record<string, Convoy>): ProposalPath[] {
  let out = proposalCache.get(proposals);
  if (!out) {
    out = [];
    for (const p of Object.values(proposals)) {
      const convoy = convoys[p.convoyId];
      if (!convoy) continue;
      p.routes.forEach((route, rank) => out!.push({ convoy, proposal: p, rank, path: route.coordinates, route }));
    }
    out.sort((a, b) => b.rank - a.rank);
    proposalCache.set(proposals, out);
  }
  return out;
}

const PROPOSAL_BEST: RGBA = [255, 255, 255, 240];
const PROPOSAL_ALT: RGBA = [255, 255, 255, 150];
const dashes = [new PathStyleExtension({ dash: true })];

/** Proposed routes: white dashes, the best bolder. */
export function proposalProps(proposals: Record<string, RerouteProposal>, convoys: Record<string, Convoy>, scale = 1): PathLayerProps<ProposalPath> & Record<string, unknown> {
  return {
    id: 'reroute-proposals',
    data: proposalPaths(proposals, convoys),
    getPath: (r) => r.path,
    getColor: (r) => (r.rank === 0 ? PROPOSAL_BEST : PROPOSAL_ALT),
    getWidth: (r) => (r.rank === 0 ? 5 : 3) * scale,
    updateTriggers: { getWidth: scale },
    widthUnits: 'pixels',
    getDashArray: [3, 2],
    dashJustified: true,
    extensions: dashes,
    capRounded: true,
    pickable: true,
  };
}

const unsafeCache = new WeakMap<RoutePath[], RoutePath[]>();

/** Best routes of corridors whose way ahead is cut or endangered. */
export function unsafePaths(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>): RoutePath[] {
  const all = routePaths(convoys, corridors);
  let out = unsafeCache.get(all);
  if (!out) unsafeCache.set(all, (out = all.filter((r) => r.rank === 0 && (corridors[r.convoyId]?.endangeredBy?.length ?? 0) > 0)));
  return out;
}

/** An unsafe corridor's best route struck through in red dashes, over its own colour. */
export function unsafeProps(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale = 1): PathLayerProps<RoutePath> & Record<string, unknown> {
  return {
    id: 'corridors-unsafe',
    data: unsafePaths(convoys, corridors),
    getPath: (r) => r.path,
    getColor: NO_ROUTE_COLOR,
    getWidth: (r) => Math.max(3, r.look.bestPx - 2) * scale,
    updateTriggers: { getWidth: scale },
    widthUnits: 'pixels',
    getDashArray: [2, 2],
    dashJustified: true,
    extensions: dashes,
    pickable: true,
  };
}

/** The way a tracked convoy has come so far (its lead unit's trail, P21). */
export interface TrailPath {
  convoy: Convoy;
  path: [number, number][];
  color: RGBA;
}

const trailCache = new WeakMap<Record<string, ConvoyTrack>, TrailPath[]>();

/** White dots: on the convoy's own coloured route they read as the part done, off it as where it strayed. */
export const TRAIL_COLOR: RGBA = [241, 245, 249, 235];

/** Trails of the convoys moving or holding; the same array while the tracks are unchanged. */
export function trailPaths(tracks: Record<string, ConvoyTrack>, convoys: Record<string, Convoy>): TrailPath[] {
  let out = trailCache.get(tracks);
  if (!out) {
    out = [];
    for (const t of Object.values(tracks)) {
      const convoy = convoys[t.convoyId];
      if (!convoy || (convoy.state !== 'moving' && convoy.state !== 'holding') || !t.trail || t.trail.length < 2) continue;
      out.push({ convoy, path: t.trail, color: TRAIL_COLOR });
    }
    trailCache.set(tracks, out);
  }
  return out;
}

/** The track so far: a dotted white line over its corridor's best route. */
export function trailProps(tracks: Record<string, ConvoyTrack>, convoys: Record<string, Convoy>, scale = 1): PathLayerProps<TrailPath> & Record<string, unknown> {
  return {
    id: 'convoy-trails',
    data: trailPaths(tracks, convoys),
    getPath: (t) => t.path,
    getColor: (t) => t.color,
    getWidth: 3 * scale,
    updateTriggers: { getWidth: scale },
    widthUnits: 'pixels',
    getDashArray: [1, 1.5],
    dashJustified: true,
    extensions: dashes,
    capRounded: true,
    jointRounded: true,
  };
}

/** A checkpoint of the selected convoy on the map: where, its name (or the end it is) and whether passed. */
export interface CheckpointMark {
  convoy: Convoy;
  name: string;
  end?: 'origin' | 'destination';
  at: [number, number];
  passedMs?: number;
}

/**
 * The checkpoints of one convoy: as its track placed them on the corridor (the ends included, with when
 * each was passed), or, before it is tracked, its ends and the planner's named points.
 */
export function checkpointMarks(convoyId: string | null, convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, tracks: Record<string, ConvoyTrack>): CheckpointMark[] {
  const convoy = convoyId ? convoys[convoyId] : undefined;
  if (!convoy) return [];
  const track = tracks[convoy.id];
  if (track && track.checkpoints.length > 0) {
    const passed = new Map(track.passed.map((p) => [p.index, p.atMs]));
    return track.checkpoints.map((c, i) => ({ convoy, name: c.name, ...(c.end ? { end: c.end } : {}), at: c.at, ...(passed.has(i) ? { passedMs: passed.get(i) } : {}) }));
  }
  const best = corridors[convoy.id]?.status === 'ok' ? corridors[convoy.id].routes[0] : undefined;
  const ends = best ? [best.coordinates[0], best.coordinates[best.coordinates.length - 1]] : [convoy.origin, convoy.destination === 'nearest-haven' ? undefined : convoy.destination];
  const out: CheckpointMark[] = [];
  if (ends[0]) out.push({ convoy, name: '', end: 'origin', at: ends[0] });
  for (const c of convoy.checkpoints ?? []) out.push({ convoy, name: c.name, at: c.at });
  if (ends[1]) out.push({ convoy, name: '', end: 'destination', at: ends[1] });
  return out;
}

const CHECKPOINT_FILL: RGBA = [241, 245, 249, 255];
const CHECKPOINT_PASSED: RGBA = [100, 116, 139, 255];

/** The selected convoy's checkpoints: white rings, grey once passed; their names in the tooltip. */
export function checkpointProps(marks: CheckpointMark[], scale = 1): ScatterplotLayerProps<CheckpointMark> & Record<string, unknown> {
  return {
    id: 'convoy-checkpoints',
    data: marks,
    getPosition: (m) => m.at,
    getRadius: 6 * scale,
    radiusUnits: 'pixels',
    getFillColor: (m) => (m.passedMs !== undefined ? CHECKPOINT_PASSED : CHECKPOINT_FILL),
    getLineColor: [8, 20, 32, 255],
    getLineWidth: 2 * scale,
    lineWidthUnits: 'pixels',
    stroked: true,
    pickable: true,
    updateTriggers: { getRadius: scale, getLineWidth: scale },
  };
}

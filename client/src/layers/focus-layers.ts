// The convoy the wall puts forward (client/src/layers, issue 17): a broad glow under its corridor's best route
// and a ring round its marker, so the room finds on the map the convoy the focus panel speaks of.
import type { PathLayerProps, ScatterplotLayerProps } from '@deck.gl/layers';
import type { Convoy, ConvoyTrack, Corridor } from '@corridor/protocol';
import { convoyMarkerRadiusPx, drawnConvoyMarks, type ConvoyMark } from './corridor-layers.js';
import type { RGBA } from './palette.js';

/** The glow's colour: a warm white, off every hue the map already means something by. */
export const FOCUS_COLOR: RGBA = [255, 244, 214, 255];

/** The mark of the convoy in focus, as an array of one (or none), the same array while nothing it depends on changes. */
function focusedMark(id: string | null | undefined, convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, tracks?: Record<string, ConvoyTrack>): ConvoyMark[] {
  const marks = drawnConvoyMarks(convoys, corridors, tracks);
  let byId = cache.get(marks);
  if (!byId) cache.set(marks, (byId = new Map()));
  const key = id ?? '';
  let out = byId.get(key);
  if (!out) byId.set(key, (out = marks.filter((m) => m.convoy.id === id)));
  return out;
}
const cache = new WeakMap<ConvoyMark[], Map<string, ConvoyMark[]>>();

/** A broad translucent band under the focused convoy's best route (none when it has no route). */
export function focusRouteProps(id: string | null | undefined, convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale = 1, tracks?: Record<string, ConvoyTrack>): PathLayerProps<ConvoyMark> {
  return {
    id: 'focus-route',
    data: focusedMark(id, convoys, corridors, tracks).filter((m) => (m.corridor?.routes[0]?.coordinates.length ?? 0) > 1),
    getPath: (m) => m.corridor!.routes[0].coordinates as [number, number][],
    getColor: [FOCUS_COLOR[0], FOCUS_COLOR[1], FOCUS_COLOR[2], 90],
    getWidth: 18 * scale,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
  };
}

/** A ring round the focused convoy's marker, well outside it. */
export function focusRingProps(id: string | null | undefined, convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale = 1, tracks?: Record<string, ConvoyTrack>): ScatterplotLayerProps<ConvoyMark> {
  return {
    id: 'focus-ring',
    data: focusedMark(id, convoys, corridors, tracks),
    getPosition: (m) => m.position,
    getRadius: (m) => (convoyMarkerRadiusPx(m) + 16) * scale,
    radiusUnits: 'pixels',
    stroked: true,
    filled: false,
    getLineColor: FOCUS_COLOR,
    getLineWidth: 4 * scale,
    lineWidthUnits: 'pixels',
  };
}

// Roads the loaded network's assessment teams tagged closed or restricted (client/src/state, issue 16):
// fixed for as long as the server routes on that network, so read once per page from
// `GET /api/access/network` and drawn on every map of the picture, under the posted constraints.
import { createStore } from 'zustand/vanilla';
import type { Constraint } from '@corridor/protocol';

/** A road tagged by an assessment (IOM `operational_status`), as the map and the tooltip need it. */
export interface NetworkRoad {
  id: string;
  status: Exclude<Constraint['status'], 'open'>;
  /** Its lines, [lon, lat] each. */
  paths: [number, number][][];
  reason?: string;
  source?: string;
  /** The IOM `practicability` value (the heaviest vehicle it takes), as tagged. */
  practicability?: string;
  /** When the way was last edited, ISO 8601, when the network says. */
  verifiedAt?: string;
}

export const networkRoads = createStore<{ roads: readonly NetworkRoad[] }>(() => ({ roads: [] }));

const isPosition = (p: unknown): p is [number, number] => Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number';
const isLine = (l: unknown): l is [number, number][] => Array.isArray(l) && l.length >= 2 && l.every(isPosition);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The tagged roads of a GeoJSON FeatureCollection (the server's answer); a feature it cannot read is
 * left out rather than drawn wrong.
 * @example roadsOfCollection({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'ac-osm-w1', status: 'closed' }, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } }] }).length // 1
 */
export function roadsOfCollection(body: unknown): NetworkRoad[] {
  const features = (body as { features?: unknown })?.features;
  if (!Array.isArray(features)) return [];
  const roads: NetworkRoad[] = [];
  for (const f of features as { properties?: Record<string, unknown>; geometry?: { type?: string; coordinates?: unknown } }[]) {
    const p = f?.properties ?? {};
    const status = p.status;
    if ((status !== 'closed' && status !== 'restricted') || typeof p.id !== 'string') continue;
    const g = f.geometry;
    const paths = g?.type === 'LineString' && isLine(g.coordinates) ? [g.coordinates] : g?.type === 'MultiLineString' && Array.isArray(g.coordinates) ? g.coordinates.filter(isLine) : [];
    if (paths.length === 0) continue;
    // The raw tag values that say why (`practicability`, `surface`, ...), as the server gives them.
    const tags = (p.reasonTags ?? p.tags ?? {}) as Record<string, unknown>;
    const road: NetworkRoad = { id: p.id, status, paths };
    const reason = text(p.reason);
    const source = text(p.source);
    const practicability = text(p.practicability) ?? text(tags.practicability);
    const verifiedAt = text(p.verifiedAt);
    if (reason) road.reason = reason;
    if (source) road.source = source;
    if (practicability) road.practicability = practicability;
    if (verifiedAt) road.verifiedAt = verifiedAt;
    roads.push(road);
  }
  return roads;
}

let loading: Promise<void> | undefined;

/** Reads the tagged roads once per page (again after a failure, at the next call). */
export function loadNetworkRoads(): Promise<void> {
  loading ??= (async () => {
    try {
      const r = await fetch('/api/access/network', { credentials: 'same-origin' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      networkRoads.setState({ roads: roadsOfCollection(await r.json()) });
    } catch {
      // The picture works without them; the next page load or reconnection tries again.
      loading = undefined;
    }
  })();
  return loading;
}

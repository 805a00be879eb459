// Extent of what the picture shows (client/src/map): to frame the area of operations when the first snapshot
// arrives, and on the wall to keep it framed as things move (wall/wall-fit.ts).
import type { Picture } from '@corridor/protocol';

type Position = readonly number[];

/**
 * Bounding box of everything the map draws, [west, south, east, north] in degrees; null when empty: units,
 * havens, sites and flows, threat zones, access constraints, field reports, and each convoy the map draws
 * (not arrived or aborted) with its corridor's routes, the way it has come and its proposed re-routes, so that
 * a picture holding only a convoy opens with its corridor on screen (issue 17).
 * @example pictureBounds(emptyPicture()) // null
 */
export function pictureBounds(p: Pick<Picture, 'units' | 'havens' | 'sites' | 'threats'> & Partial<Pick<Picture, 'convoys' | 'corridors' | 'tracks' | 'proposals' | 'constraints' | 'flows' | 'reports'>>): [number, number, number, number] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const add = (lon: number, lat: number) => {
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;
    if (lon < w) w = lon;
    if (lon > e) e = lon;
    if (lat < s) s = lat;
    if (lat > n) n = lat;
  };
  const addAll = (points: Iterable<Position>) => {
    for (const q of points) add(q[0], q[1]);
  };
  for (const u of Object.values(p.units)) add(u.lon, u.lat);
  for (const h of Object.values(p.havens)) add(h.lon, h.lat);
  for (const x of Object.values(p.sites)) add(x.lon, x.lat);
  for (const f of Object.values(p.flows ?? {})) addAll([f.from, f.to]);
  for (const r of Object.values(p.reports ?? {})) add(r.at[0], r.at[1]);
  for (const z of Object.values(p.threats)) {
    const polys = z.area.type === 'Polygon' ? [z.area.coordinates] : z.area.coordinates;
    for (const rings of polys) addAll(rings[0]);
  }
  for (const c of Object.values(p.constraints ?? {})) {
    const g = c.geometry;
    if (g.type === 'LineString') addAll(g.coordinates);
    else if (g.type === 'MultiLineString' || g.type === 'Polygon') for (const line of g.coordinates) addAll(line);
    else for (const poly of g.coordinates) addAll(poly[0]);
  }
  for (const convoy of Object.values(p.convoys ?? {})) {
    if (convoy.state === 'arrived' || convoy.state === 'aborted') continue;
    add(convoy.origin[0], convoy.origin[1]);
    for (const r of p.corridors?.[convoy.id]?.routes ?? []) addAll(r.coordinates);
    const track = p.tracks?.[convoy.id];
    if (track) addAll([track.at, ...(track.trail ?? [])]);
    for (const r of p.proposals?.[convoy.id]?.routes ?? []) addAll(r.coordinates);
  }
  return Number.isFinite(w) ? [w, s, e, n] : null;
}

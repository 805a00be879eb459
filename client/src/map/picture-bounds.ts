// Extent of what the picture shows (client/src/map), to frame the area of operations when the first snapshot arrives.
import type { Picture } from '@corridor/protocol';

/**
 * Bounding box of units, havens, sites and threat zones, [west, south, east, north] in degrees; null when empty.
 * @example pictureBounds(emptyPicture()) // null
 */
export function pictureBounds(p: Picture): [number, number, number, number] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const add = (lon: number, lat: number) => {
    if (lon < w) w = lon;
    if (lon > e) e = lon;
    if (lat < s) s = lat;
    if (lat > n) n = lat;
  };
  for (const u of Object.values(p.units)) add(u.lon, u.lat);
  for (const h of Object.values(p.havens)) add(h.lon, h.lat);
  for (const x of Object.values(p.sites)) add(x.lon, x.lat);
  for (const z of Object.values(p.threats)) {
    const polys = z.area.type === 'Polygon' ? [z.area.coordinates] : z.area.coordinates;
    for (const rings of polys) for (const [lon, lat] of rings[0]) add(lon, lat);
  }
  return Number.isFinite(w) ? [w, s, e, n] : null;
}

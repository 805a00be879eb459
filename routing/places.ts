// The named places a route passes (routing/, issue 18): a KDBush index over a road file's places
// (area-name.ts reads them) and `placesAlong`, the few that best say where a line goes, in order.
import CheapRuler from 'cheap-ruler';
import KDBush from 'kdbush';
import type { NamedPlace } from './area-name.js';

/**
 * The kinds of place a route lists (OSM `place=*`), with what each costs against its distance, metres:
 * a town 600 m off the road says more than a hamlet beside it, a hamlet more than a locality.
 */
export const PLACE_PENALTY_M: Readonly<Record<string, number>> = {
  city: 0,
  town: 100,
  village: 400,
  suburb: 400,
  quarter: 600,
  neighbourhood: 800,
  hamlet: 1000,
  isolated_dwelling: 1200,
  locality: 1300,
};

/** Route metres per place listed, at least (issue 18: not every hamlet). */
export const PLACE_SPACING_M = 1000;
/** Most places listed for one route. */
export const MAX_PLACES = 30;

/** A place near a line: how far off it is and where along the line it is nearest, metres. */
interface Near {
  place: NamedPlace;
  offM: number;
  alongM: number;
  score: number;
}

/**
 * The places of a road file of the kinds a route lists, in a static spatial index (KDBush, degrees).
 * @example new PlaceIndex(await networkPlaces(file, cache)).placesAlong(route.coordinates) // ['Delmas 33', 'Pétion-Ville']
 */
export class PlaceIndex {
  readonly places: readonly NamedPlace[];
  private readonly index: KDBush;

  constructor(places: readonly NamedPlace[]) {
    this.places = places.filter((p) => Object.hasOwn(PLACE_PENALTY_M, p.place) && p.name.trim() !== '');
    this.index = new KDBush(Math.max(1, this.places.length));
    for (const p of this.places) this.index.add(p.at[0], p.at[1]);
    if (this.places.length === 0) this.index.add(0, 0);
    this.index.finish();
  }

  /** How many places it holds. */
  get size(): number {
    return this.places.length;
  }

  /**
   * The name of the place that best says where a point is (a notice's origin or destination): of the
   * places within `withinM` metres, the nearest, a more important kind counting as nearer
   * ({@link PLACE_PENALTY_M}); undefined when none is that near.
   * @example index.near([-72.3197, 18.5768]) // 'Nanraguette'
   */
  near(at: readonly [number, number], withinM = 1500): string | undefined {
    if (this.places.length === 0) return undefined;
    const ruler = new CheapRuler(at[1], 'meters');
    const [dx, dy] = degreesOf(ruler, withinM);
    let best: NamedPlace | undefined;
    let bestScore = Infinity;
    for (const id of this.index.range(at[0] - dx, at[1] - dy, at[0] + dx, at[1] + dy)) {
      const p = this.places[id];
      const d = ruler.distance(at as [number, number], p.at);
      if (d > withinM) continue;
      const score = d + PLACE_PENALTY_M[p.place];
      if (score < bestScore || (score === bestScore && best !== undefined && p.name < best.name)) {
        best = p;
        bestScore = score;
      }
    }
    return best?.name;
  }

  /** {@link placesAlong} with the default band: the shape the notice keeper asks of the road file's places. */
  along(coordinates: readonly [number, number][]): string[] {
    return this.placesAlong(coordinates);
  }

  /**
   * The names of the places within `withinM` metres of a line, in the order the line passes them, each
   * once: the line is cut into windows of {@link PLACE_SPACING_M} (more on a long route, so at most
   * {@link MAX_PLACES}), and each window names its best place not yet named (nearest, a more important
   * kind counting as nearer by {@link PLACE_PENALTY_M}).
   *
   *     line     ●━━━━━━━━━━━━━━╋━━━━━━━━━━━━━━━╋━━━━━━━━━━●
   *     window          1                2              3
   *     places   ·hamlet  ◆town   ·hamlet  ·locality   (none)
   *     listed            town    hamlet
   *
   * @example index.placesAlong([[-72.34, 18.54], [-72.29, 18.52]]) // ['Bizoton', 'Carrefour Feuilles']
   */
  placesAlong(coordinates: readonly [number, number][], withinM = 1500): string[] {
    if (this.places.length === 0 || coordinates.length === 0) return [];
    const line = coordinates.length === 1 ? [coordinates[0], coordinates[0]] : coordinates;
    let lat = 0;
    for (const c of line) lat += c[1];
    const ruler = new CheapRuler(lat / line.length, 'meters');
    // Metres along the line to each vertex.
    const at = new Float64Array(line.length);
    for (let i = 1; i < line.length; i++) at[i] = at[i - 1] + ruler.distance(line[i - 1], line[i]);
    const total = at[line.length - 1];
    // Candidates: places in each segment's box grown by withinM (a long line's whole box would hold a country).
    const [dx, dy] = degreesOf(ruler, withinM);
    const seen = new Set<number>();
    for (let i = 0; i + 1 < line.length; i++) {
      const [x1, y1] = line[i];
      const [x2, y2] = line[i + 1];
      for (const id of this.index.range(Math.min(x1, x2) - dx, Math.min(y1, y2) - dy, Math.max(x1, x2) + dx, Math.max(y1, y2) + dy)) seen.add(id);
    }
    const near: Near[] = [];
    for (const id of seen) {
      const place = this.places[id];
      const on = ruler.pointOnLine(line, place.at);
      const offM = ruler.distance(place.at, on.point);
      if (offM > withinM) continue;
      const alongM = at[on.index] + ruler.distance(line[on.index], on.point);
      near.push({ place, offM, alongM, score: offM + PLACE_PENALTY_M[place.place] });
    }
    if (near.length === 0) return [];
    const spacing = Math.max(PLACE_SPACING_M, total / MAX_PLACES);
    const windows = Math.max(1, Math.ceil(total / spacing));
    const byWindow: Near[][] = Array.from({ length: windows }, () => []);
    for (const n of near) byWindow[Math.min(windows - 1, Math.floor(n.alongM / spacing))].push(n);
    const named = new Set<string>();
    const chosen: Near[] = [];
    for (const list of byWindow) {
      list.sort((a, b) => a.score - b.score || a.alongM - b.alongM || (a.place.name < b.place.name ? -1 : 1));
      const best = list.find((n) => !named.has(n.place.name));
      if (!best) continue;
      named.add(best.place.name);
      chosen.push(best);
    }
    return chosen.sort((a, b) => a.alongM - b.alongM).map((n) => n.place.name);
  }
}

/**
 * The names of the places of `index` within `withinM` metres of a line, in order ({@link PlaceIndex.placesAlong}).
 * @example placesAlong(index, route.coordinates) // ['Martissant', 'Bizoton']
 */
export function placesAlong(index: PlaceIndex, coordinates: readonly [number, number][], withinM = 1500): string[] {
  return index.placesAlong(coordinates, withinM);
}

/** Degrees of longitude and latitude that span at least `m` metres where a ruler is. */
function degreesOf(ruler: CheapRuler, m: number): [number, number] {
  const [x, y] = ruler.offset([0, 0], m, m);
  return [x * 1.01, y * 1.01];
}

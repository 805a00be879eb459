// The havens the router knows (routing/): load and room given the standing corridors' assignments, the
// travel-time lower bound that orders and prunes candidate havens, and haven names for reasons.
import type { Haven } from '@corridor/protocol';
import { EARTH_RADIUS_M } from './road-graph.js';
import type { Tracked } from './tracked.js';

/**
 * Havens by id, with what the standing corridors assign to them. Havens are filled in convoy id order
 * against `capacity − occupancy − people already assigned` (routing/README.md).
 */
export class Havens {
  private readonly byId = new Map<string, Haven>();

  /**
   * @param tracked the router's standing corridors, read (never changed) for assignments.
   * @param heuristicPerM seconds per metre at the network's top speed (the time search's heuristic).
   */
  constructor(
    private readonly tracked: ReadonlyMap<string, Tracked>,
    private readonly heuristicPerM: number,
  ) {}

  get(id: string): Haven | undefined {
    return this.byId.get(id);
  }

  set(h: Haven): void {
    this.byId.set(h.id, h);
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  clear(): void {
    this.byId.clear();
  }

  values(): IterableIterator<Haven> {
    return this.byId.values();
  }

  /** People assigned to a haven by the corridors held, individuals. */
  load(havenId: string): number {
    let n = 0;
    for (const t of this.tracked.values()) if (t.havenId === havenId) n += t.people;
    return n;
  }

  /** Places left in a haven once the corridors held (but `exceptConvoy`'s) are counted, individuals. */
  room(h: Haven, exceptConvoy?: string): number {
    let assigned = 0;
    for (const [cid, t] of this.tracked) if (t.havenId === h.id && cid !== exceptConvoy) assigned += t.people;
    return h.capacity - h.occupancy - assigned;
  }

  /** Lower bound of the travel time between two points, seconds: the chord at the network's top speed. */
  lowerBound(a: [number, number], b: [number, number]): number {
    const R = Math.PI / 180;
    const v = (p: [number, number]) => [Math.cos(p[1] * R) * Math.cos(p[0] * R), Math.cos(p[1] * R) * Math.sin(p[0] * R), Math.sin(p[1] * R)];
    const [x1, y1, z1] = v(a);
    const [x2, y2, z2] = v(b);
    return Math.hypot(x1 - x2, y1 - y2, z1 - z2) * EARTH_RADIUS_M * this.heuristicPerM;
  }

  /** How reasons name a haven: "hv-1 (School)", or its id once it is gone. */
  name(id: string): string {
    const h = this.byId.get(id);
    return h ? `${id} (${h.name})` : id;
  }
}

// What a batch of committed events changes for the standing corridors (routing/): applies the batch to
// the overlays, havens and tracked convoys, and says per convoy whether its corridor is recomputed in
// full, its alternatives only, or only its clearance figures (issue: "exactly the corridors ... the
// change can affect"; routing/README.md "What gets recomputed").
import { mayUse, type Constraint, type Convoy, type Haven, type Picture, type PictureEvent, type RouteLeg, type ThreatZone } from '@corridor/protocol';
import { polylineAreaDistance } from './geometry.js';
import type { Havens } from './havens.js';
import { CLEARANCE_HORIZON_M, overlayOfConstraint, overlayOfThreat, type Overlays } from './overlays.js';
import type { RoadGraph } from './road-graph.js';
import { edgesBox, type Tracked } from './tracked.js';

/** What the batch affects, by convoy id; causes are overlay keys (`z:`, `c:`), haven or convoy ids. */
export interface Impact {
  /** Corridors to recompute, with their causes. */
  reroute: Map<string, Set<string>>;
  /** Corridors whose routes stay and whose clearance figures change, with their causes. */
  clearance: Map<string, Set<string>>;
  /** Legs with clearance already lowered by an added zone (no full recomputation needed). */
  lowered: Map<string, RouteLeg[]>;
  /** Corridors whose nearest zone was lifted: clearance is recomputed against every zone. */
  fullClearance: Set<string>;
  /** Corridors whose best route itself can change (otherwise only alternatives are searched again). */
  full: Set<string>;
}

/** The router's state that a batch changes. */
export interface ImpactState {
  graph: RoadGraph;
  overlays: Overlays;
  havens: Havens;
  tracked: Map<string, Tracked>;
}

/**
 * Applies a batch of events (already folded into `picture`) to the overlays, the havens and the
 * tracked convoys (dropping those that need no corridor any more), and returns which corridors the
 * change can affect and how. Recomputing them is the router's part.
 */
export function applyBatch(events: readonly PictureEvent[], picture: Picture, state: ImpactState): Impact {
  const { graph, overlays, havens, tracked } = state;
  const overlayKeys = new Set<string>();
  const havenIds = new Set<string>();
  const convoyIds = new Set<string>();
  const planIds = new Set<string>();
  for (const ev of events) {
    switch (ev.type) {
      case 'threat.upserted':
        overlayKeys.add(`z:${ev.zone.id}`);
        break;
      case 'threat.removed':
        overlayKeys.add(`z:${ev.id}`);
        break;
      case 'constraint.upserted':
        overlayKeys.add(`c:${ev.constraint.id}`);
        break;
      case 'constraint.removed':
        overlayKeys.add(`c:${ev.id}`);
        break;
      case 'haven.upserted':
        havenIds.add(ev.haven.id);
        break;
      case 'haven.removed':
        havenIds.add(ev.id);
        break;
      case 'convoy.upserted':
        convoyIds.add(ev.convoy.id);
        break;
      case 'convoy.removed':
        convoyIds.add(ev.id);
        break;
      case 'convoy.state-changed':
        convoyIds.add(ev.convoyId);
        break;
      case 'plan.upserted':
      case 'plan.removed':
        planIds.add(ev.type === 'plan.upserted' ? ev.plan.id : ev.id);
        break;
      default:
        break;
    }
  }
  const impact: Impact = { reroute: new Map(), clearance: new Map(), lowered: new Map(), fullClearance: new Set(), full: new Set() };
  const { reroute, clearance, lowered, fullClearance, full } = impact;
  const flag = (m: Map<string, Set<string>>, id: string, cause: string) => {
    const s = m.get(id);
    if (s) s.add(cause);
    else m.set(id, new Set([cause]));
  };

  for (const key of overlayKeys) {
    const id = key.slice(2);
    const next = key.startsWith('z:') ? picture.threats[id] : picture.constraints[id];
    const old = overlays.get(key);
    if (old && old.ref === next) continue;
    if (old) {
      overlays.remove(key);
      // Lifting costs only matters to searches that saw this overlay (exact: see Searcher.touched).
      for (const [cid, t] of tracked) {
        if (t.seen.has(key)) {
          flag(reroute, cid, key);
          full.add(cid);
        } else if (t.nearest === key) {
          flag(clearance, cid, key);
          fullClearance.add(cid);
        }
      }
    }
    if (next) {
      const o = key.startsWith('z:') ? overlayOfThreat(graph, next as ThreatZone) : overlayOfConstraint(graph, next as Constraint);
      overlays.add(key, o);
      // Raising costs only matters to corridors whose routes use the edges it touches.
      if (o.edges.length > 0) {
        const box = edgesBox(graph, o.edges);
        for (const [cid, t] of tracked) {
          if (!t.box || t.box[0] > box[2] || t.box[2] < box[0] || t.box[1] > box[3] || t.box[3] < box[1]) continue;
          let hit = false;
          for (const e of o.edges) {
            if (!t.edges.has(e)) continue;
            hit = true;
            if (t.bestEdges.has(e)) {
              full.add(cid);
              break;
            }
          }
          if (hit) flag(reroute, cid, key);
        }
      }
      if (o.area && (o.severity === 'no-go' || o.severity === 'danger')) {
        // A new zone can only lower clearance: each leg's figure becomes min(old, distance to it).
        for (const [cid, t] of tracked) {
          if (reroute.has(cid) || t.corridor.status !== 'ok') continue;
          let closer = false;
          const legs = t.corridor.routes.map((r) => {
            const current = r.min_clearance_m ?? CLEARANCE_HORIZON_M;
            const dm = polylineAreaDistance(o.area!, r.coordinates, current);
            if (dm >= current) return r;
            closer = true;
            return { ...r, min_clearance_m: round1(dm) };
          });
          if (!closer) continue;
          const best = Math.min(...legs.map((r) => r.min_clearance_m ?? Infinity));
          if (best <= Math.min(...t.corridor.routes.map((r) => r.min_clearance_m ?? Infinity))) t.nearest = key;
          flag(clearance, cid, key);
          lowered.set(cid, legs);
        }
      }
    }
  }

  for (const hid of havenIds) {
    const next = picture.havens[hid];
    const old = havens.get(hid);
    if (old === next) continue;
    if (next) havens.set(next);
    else havens.delete(hid);
    for (const [cid, t] of tracked) {
      if (t.convoy.destination !== 'nearest-haven') continue;
      if (t.havenId === hid) {
        if (!next || next.status !== 'open' || moved(old, next) || next.capacity - next.occupancy < havens.load(hid)) flag(reroute, cid, hid);
        continue;
      }
      // A haven that opens or gains room can serve convoys without one, or nearer ones.
      if (next && next.status === 'open' && havens.room(next, cid) >= t.people && mayUse(t.convoy, picture.plans)(hid)) {
        if (t.corridor.status !== 'ok' || havens.lowerBound(t.convoy.origin, [next.lon, next.lat]) < t.cost) flag(reroute, cid, hid);
      }
    }
  }

  // A plan's havens changed: its convoys bound for the nearest haven choose again.
  if (planIds.size > 0) {
    for (const [cid, t] of tracked) if (t.convoy.planId !== undefined && planIds.has(t.convoy.planId) && t.convoy.destination === 'nearest-haven') flag(reroute, cid, t.convoy.planId);
  }

  for (const cid of convoyIds) {
    const next = picture.convoys[cid];
    const t = tracked.get(cid);
    if (t && next === t.convoy) continue;
    if (!next || !needsCorridor(next)) {
      if (t) {
        tracked.delete(cid);
        // The places it held are free again: corridors without a haven may find one.
        if (t.havenId) {
          for (const [other, u] of tracked) if (u.corridor.status === 'no_haven') flag(reroute, other, t.havenId);
        }
      }
      continue;
    }
    if (t && !routeInputsChanged(t.convoy, next)) {
      t.convoy = next;
      continue;
    }
    flag(reroute, cid, cid);
  }
  return impact;
}

/**
 * Whether a convoy has a standing corridor: not once aborted or arrived (P20).
 * @example needsCorridor({ ...convoy, state: 'arrived' }) // false
 */
export function needsCorridor(c: Convoy): boolean {
  return c.state !== 'aborted' && c.state !== 'arrived';
}

/**
 * Whether a convoy changed in what its route depends on (ends, vehicle class, people), not just its state.
 * @example routeInputsChanged(c, { ...c, state: 'moving' }) // false
 */
export function routeInputsChanged(a: Convoy, b: Convoy): boolean {
  return (
    a.origin[0] !== b.origin[0] ||
    a.origin[1] !== b.origin[1] ||
    JSON.stringify(a.destination) !== JSON.stringify(b.destination) ||
    a.vehicleClass !== b.vehicleClass ||
    (a.people ?? 0) !== (b.people ?? 0) ||
    a.planId !== b.planId
  );
}


/**
 * Whether a haven is new or has moved.
 * @example moved(undefined, h) // true
 */
export function moved(a: Haven | undefined, b: Haven): boolean {
  return !a || a.lon !== b.lon || a.lat !== b.lat;
}

function round1(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 10) / 10 : x;
}

// Re-routing a moving convoy (@corridor/protocol, issue 12, P22): when the security picture cuts or
// endangers the part of a moving or holding convoy's corridor still ahead of it, the corridor is marked
// unsafe at once and a proposal is made from where the convoy is; a planner (or the plan's automatic
// acceptance) decides. The router never replaces a moving convoy's route by itself.
import type { RouteLeg } from './events.js';
import type { ZoneRef } from './server-messages.js';

/** One proposed route: the shape of a corridor's route, and what it costs or saves against the route ahead. */
export interface ProposedRoute extends RouteLeg {
  /** Its duration minus the time left on the current route, seconds: + costs time, − saves it. */
  delta_s: number;
}

/** Why a proposal was made. */
export interface ProposalCause {
  /** Zones and closed constraints that cut or endanger the route ahead. */
  zones: ZoneRef[];
  /** The haven the convoy was bound for, when it closed, filled or went. */
  havenId?: string;
  havenNow?: 'full' | 'closed' | 'no_room' | 'removed';
}

/** A re-route proposal for one convoy: routes from its current position, best first, or why there are none. */
export interface RerouteProposal {
  id: string;
  convoyId: string;
  cause: ProposalCause;
  /** Where the routes start: the convoy's last matched position, or its corridor's start without one. */
  from: [number, number];
  /** Whether `from` is the convoy's reported position (else the start of its corridor). */
  fromReport: boolean;
  status: 'ok' | 'no_safe_route' | 'no_haven' | 'off_network';
  /** Best first; empty unless status is `ok`. */
  routes: ProposedRoute[];
  /** The haven the routes lead to, when the destination is a haven. */
  havenId?: string;
  /** Zones that cut every path, when status is `no_safe_route`. */
  blockedBy?: string[];
  computedMs: number;
}

/** Zones and closed constraints that cut or endanger a corridor's route ahead of its convoy; absent or empty when none. */
export type Endangerment = ZoneRef[];

/**
 * Whether two lists of zone refs name the same zones, in any order.
 * @example sameZones([{ kind: 'zone', id: 'a' }], [{ kind: 'zone', id: 'a' }]) // true
 */
export function sameZones(a: readonly ZoneRef[] | undefined, b: readonly ZoneRef[] | undefined): boolean {
  const key = (z: ZoneRef) => `${z.kind}:${z.id}`;
  const x = (a ?? []).map(key).sort();
  const y = (b ?? []).map(key).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

// An evacuation plan's figures (issue 12), read from the picture: its convoys in the order they leave,
// and its people by target group as planned, under way and brought in. Shared by the HTTP API and the
// client's plan panel, so both say the same.
import type { Convoy, Picture, Plan } from './events.js';

/** Where a plan's people are, by the state of the convoy that carries them. */
export interface GroupFigures {
  /** The target group's id and name (`other` for people of convoys that name no group). */
  id: string;
  name: string;
  /** In convoys planned or approved, not yet gone. */
  waiting: number;
  /** In convoys moving or holding. */
  underWay: number;
  /** Brought in: in convoys that arrived. */
  arrived: number;
  /** In convoys aborted (still to be evacuated by another). */
  aborted: number;
}

/** A plan as its figures read. */
export interface PlanFigures {
  planId: string;
  /** Its convoys in the order they leave: the sequence first, then priority, departure and name. */
  order: string[];
  /** Per target group, in the plan's priority order; people of convoys naming no group last, as `other`. */
  groups: GroupFigures[];
  /** Convoy id → the convoy it waits for, while that one has not departed (the plan's sequence). */
  waitingFor: Record<string, string>;
}

/** The id of the figures of people in convoys that name no target group. */
export const OTHER_GROUP = 'other';

const WAITING = new Set(['planned', 'approved']);
const UNDER_WAY = new Set(['moving', 'holding']);

/**
 * The convoys of a plan in the order they leave: a convoy comes after the one it names in `after`;
 * otherwise by priority (1 first), planned departure, then name. A loop (refused on input) or a
 * convoy outside the plan named in `after` does not hide any convoy.
 * @example sequenceOf([{ id: 'b', after: 'a', ... }, { id: 'a', ... }]) // ['a', 'b']
 */
export function sequenceOf(convoys: readonly Convoy[]): string[] {
  const rank = (c: Convoy) => [c.priority ?? 3, c.departure ? Date.parse(c.departure) : Infinity, c.name, c.id] as const;
  const byRank = [...convoys].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] < rb[i] ? -1 : 1;
    return 0;
  });
  const ids = new Set(byRank.map((c) => c.id));
  const followers = new Map<string, Convoy[]>();
  const roots: Convoy[] = [];
  for (const c of byRank) {
    if (c.after !== undefined && ids.has(c.after) && c.after !== c.id) {
      const list = followers.get(c.after) ?? [];
      list.push(c);
      followers.set(c.after, list);
    } else roots.push(c);
  }
  const out: string[] = [];
  const placed = new Set<string>();
  const visit = (c: Convoy) => {
    if (placed.has(c.id)) return;
    placed.add(c.id);
    out.push(c.id);
    for (const f of followers.get(c.id) ?? []) visit(f);
  };
  for (const c of roots) visit(c);
  // Convoys caught in a loop have no root: place them by rank.
  for (const c of byRank) visit(c);
  return out;
}

/**
 * A plan's figures in a picture.
 * @example planFigures(plan, picture).groups[0] // { id: 'medical', name: 'Medical cases', waiting: 12, underWay: 0, arrived: 30, aborted: 0 }
 */
export function planFigures(plan: Plan, picture: Pick<Picture, 'convoys'>): PlanFigures {
  const convoys = Object.values(picture.convoys).filter((c) => c.planId === plan.id);
  const groups: GroupFigures[] = plan.targetGroups.map((g) => ({ id: g.id, name: g.name, waiting: 0, underWay: 0, arrived: 0, aborted: 0 }));
  const byId = new Map(groups.map((g) => [g.id, g]));
  const other: GroupFigures = { id: OTHER_GROUP, name: '', waiting: 0, underWay: 0, arrived: 0, aborted: 0 };
  const waitingFor: Record<string, string> = {};
  for (const c of convoys) {
    const slot: keyof GroupFigures = WAITING.has(c.state) ? 'waiting' : UNDER_WAY.has(c.state) ? 'underWay' : c.state === 'arrived' ? 'arrived' : 'aborted';
    let named = 0;
    for (const [gid, n] of Object.entries(c.peopleByGroup ?? {})) {
      const g = byId.get(gid) ?? other;
      g[slot] += n;
      named += n;
    }
    other[slot] += Math.max(0, (c.people ?? 0) - named);
    if (c.after !== undefined && WAITING.has(c.state)) {
      const first = picture.convoys[c.after];
      if (first && WAITING.has(first.state)) waitingFor[c.id] = c.after;
    }
  }
  if (other.waiting + other.underWay + other.arrived + other.aborted > 0) groups.push(other);
  return { planId: plan.id, order: sequenceOf(convoys), groups, waitingFor };
}
/**
 * Which havens a convoy may be sent to: those of its evacuation plan, or any when its plan names none
 * (or it has no plan) (issue 12).
 * @example mayUse({ ...convoy, planId: 'pl-1' }, { 'pl-1': { ...plan, havenIds: ['hv-a'] } })('hv-b') // false
 */
export function mayUse(convoy: Pick<Convoy, 'planId'>, plans: Readonly<Record<string, Plan>>): (havenId: string) => boolean {
  const plan = convoy.planId !== undefined && Object.hasOwn(plans, convoy.planId) ? plans[convoy.planId] : undefined;
  if (!plan?.havenIds) return () => true;
  const ids = new Set(plan.havenIds);
  return (id) => ids.has(id);
}

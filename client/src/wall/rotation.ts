// What the wall puts forward (client/src/wall, issue 17): the convoys that need attention (no safe route, or
// an open alert), and which of them the focus panel and the map's highlight show, each in turn for a while.
// Pure: WallFocus.tsx holds the state and the clock.
import type { Alert, Picture } from '@corridor/protocol';
import { convoyMarks } from '../layers/corridor-layers.js';

/** How long each convoy stays in focus, ms. */
export const FOCUS_PERIOD_MS = 15_000;

/** A convoy that needs attention, and why. */
export interface FocusCandidate {
  convoyId: string;
  /** Its corridor is not ok: it cannot move (no safe route, off the network, no haven with room). */
  blocked: boolean;
  /** Its alerts not yet cleared, unacknowledged first, newest first. */
  alerts: Alert[];
}

/**
 * The convoys the wall puts forward, most urgent first: those that cannot move, then those with an
 * unacknowledged alert, then those with only acknowledged ones; within each, the newest alert first, then by
 * id. Arrived and aborted convoys are not among them (their alerts are about the past).
 */
export function focusCandidates(p: Pick<Picture, 'convoys' | 'corridors' | 'alerts'>): FocusCandidate[] {
  const open = new Map<string, Alert[]>();
  for (const a of Object.values(p.alerts)) {
    if (!a.convoyId || a.clearedMs !== undefined || a.kind === 'arrived') continue;
    open.set(a.convoyId, [...(open.get(a.convoyId) ?? []), a]);
  }
  const out: FocusCandidate[] = [];
  for (const m of convoyMarks(p.convoys, p.corridors)) {
    if (!m.drawn) continue;
    const alerts = (open.get(m.convoy.id) ?? []).sort((a, b) => Number(!!a.acknowledged) - Number(!!b.acknowledged) || b.raisedMs - a.raisedMs);
    if (m.blocked || alerts.length > 0) out.push({ convoyId: m.convoy.id, blocked: m.blocked, alerts });
  }
  const rank = (c: FocusCandidate) => (c.blocked ? 0 : c.alerts.some((a) => !a.acknowledged) ? 1 : 2);
  const newest = (c: FocusCandidate) => Math.max(0, ...c.alerts.map((a) => a.raisedMs));
  return out.sort((a, b) => rank(a) - rank(b) || newest(b) - newest(a) || (a.convoyId < b.convoyId ? -1 : 1));
}

/** Which convoy is in focus, and since when. */
export interface FocusState {
  convoyId: string | null;
  sinceMs: number;
}

/**
 * The focus at `nowMs`: the convoy in focus stays for `periodMs`, then the next in `ids` (most urgent first)
 * after it takes its place, round and round; a convoy that no longer needs attention gives its place at once
 * to the most urgent; none, nothing.
 * @example nextFocus({ convoyId: 'a', sinceMs: 0 }, ['a', 'b'], 15_000) // { convoyId: 'b', sinceMs: 15_000 }
 */
export function nextFocus(state: FocusState, ids: readonly string[], nowMs: number, periodMs = FOCUS_PERIOD_MS): FocusState {
  if (ids.length === 0) return state.convoyId === null ? state : { convoyId: null, sinceMs: nowMs };
  const at = state.convoyId === null ? -1 : ids.indexOf(state.convoyId);
  if (at >= 0 && nowMs - state.sinceMs < periodMs) return state;
  if (at >= 0) return ids.length === 1 ? { convoyId: ids[0], sinceMs: nowMs } : { convoyId: ids[(at + 1) % ids.length], sinceMs: nowMs };
  // Not (or no longer) a candidate: start with the most urgent.
  return { convoyId: ids[0], sinceMs: nowMs };
}

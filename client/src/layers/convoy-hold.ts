// Why a holding convoy holds (client/src/layers): the reason and the condition to resume of the change
// that put it into holding, from its state history (P20). Pure, for the side panel and its tests.
import type { Convoy, StateChange } from '@corridor/protocol';

/** What a holding convoy's side panel entry says: why it holds, on what it moves again, since when. */
export interface Hold {
  reason: string;
  resumeWhen: string;
  /** Server time of the change into holding, ms since epoch. */
  sinceMs: number;
}

/**
 * The hold of a convoy in `holding`: the latest change into holding in its history; undefined for a
 * convoy in another state, or one whose state was set before histories were kept.
 * @example holdOf({ ...convoy, state: 'holding', stateHistory: [{ from: 'moving', to: 'holding', atMs: 5, reason: 'bridge out', resumeWhen: 'bridge cleared' }] })
 *   // { reason: 'bridge out', resumeWhen: 'bridge cleared', sinceMs: 5 }
 */
export function holdOf(convoy: Convoy): Hold | undefined {
  if (convoy.state !== 'holding' || !convoy.stateHistory) return undefined;
  let last: StateChange | undefined;
  for (let i = convoy.stateHistory.length - 1; i >= 0 && !last; i--) if (convoy.stateHistory[i].to === 'holding') last = convoy.stateHistory[i];
  if (!last || last.reason === undefined) return undefined;
  return { reason: last.reason, resumeWhen: last.resumeWhen ?? '', sinceMs: last.atMs };
}

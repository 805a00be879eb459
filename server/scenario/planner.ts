// The exercise's planner (server/scenario, P22): decides the re-route proposals the timeline does not,
// as an attentive planner would, so convoys never drive on through a closed road or a no-go zone for
// want of a decision. Some time after a proposal is made: it takes the best route when there is one,
// holds a moving convoy when there is none, and lets a convoy it held move again once a route is taken.
// Pure: the simulator sends what it returns through the same path as any planner.
import type { ClientCommand, Picture } from '@corridor/protocol';
import type { Scenario } from './scenario-file.js';

/** Why the exercise's planner holds a convoy, and when it lets it go (recorded in its stateHistory). */
export const NO_ROUTE_HOLD = { reason: 'No safe route from where it is (exercise planner)', resumeWhen: 'A safe route is found and taken' } as const;
export const ROUTE_TAKEN_REASON = 'Safe route taken (exercise planner)';

/**
 * The planner's decisions now: for each convoy of the scenario under way whose open proposal is at
 * least `afterMs` old, take its best route, or hold the convoy when the proposal has none; and move
 * again a convoy it held once its corridor is safe and no proposal is open. `msgIdOf` names each.
 */
export function plannerCommands(scenario: Scenario, picture: Picture, nowMs: number, afterMs: number, msgIdOf: (id: string) => string): ClientCommand[] {
  const out: ClientCommand[] = [];
  for (const seed of scenario.convoys) {
    const convoy = picture.convoys[seed.id];
    if (!convoy || (convoy.state !== 'moving' && convoy.state !== 'holding')) continue;
    const proposal = picture.proposals[seed.id];
    const lastHold = [...(convoy.stateHistory ?? [])].reverse().find((c) => c.to === 'holding');
    const heldByMe = convoy.state === 'holding' && lastHold?.reason === NO_ROUTE_HOLD.reason;
    if (proposal && nowMs - proposal.computedMs >= afterMs) {
      if (proposal.status === 'ok' && proposal.routes.length > 0) {
        out.push({ type: 'convoy.reroute', msgId: msgIdOf(`${proposal.id}:take`), convoyId: seed.id, proposalId: proposal.id, route: 0 });
      } else if (convoy.state === 'moving') {
        out.push({ type: 'convoy.state', msgId: msgIdOf(`${proposal.id}:hold`), convoyId: seed.id, to: 'holding', ...NO_ROUTE_HOLD });
      }
      continue;
    }
    const corridor = picture.corridors[seed.id];
    if (heldByMe && !proposal && corridor?.status === 'ok' && !corridor.endangeredBy?.length) {
      out.push({ type: 'convoy.state', msgId: msgIdOf(`${seed.id}:resume:${convoy.stateHistory?.length ?? 0}`), convoyId: seed.id, to: 'moving', reason: ROUTE_TAKEN_REASON });
    }
  }
  return out;
}

// The convoy state machine (@corridor/protocol): the states, the transitions allowed between them and
// what each needs (issue 12, P20). One pure function decides every change, for the server's commands,
// the fold of old logs and the tests alike.
import type { ProtocolError } from './messages.js';

/** Every state of a convoy, in the order of its life. */
export const CONVOY_STATES = ['planned', 'approved', 'moving', 'holding', 'arrived', 'aborted'] as const;
export type ConvoyState = (typeof CONVOY_STATES)[number];

/**
 * The transitions allowed, from each state (P20):
 *
 *     planned → approved → moving ⇄ holding
 *                            │         │
 *                            └→ arrived ←┘
 *     and aborted from any state but arrived and aborted.
 *
 * No state goes to itself: a retry is answered by its msgId (P8), not by a second change.
 */
export const CONVOY_TRANSITIONS: Readonly<Record<ConvoyState, readonly ConvoyState[]>> = {
  planned: ['approved', 'aborted'],
  approved: ['moving', 'aborted'],
  moving: ['holding', 'arrived', 'aborted'],
  holding: ['moving', 'arrived', 'aborted'],
  arrived: [],
  aborted: [],
};

/** How many changes a convoy keeps in its `stateHistory`, the latest last. */
export const MAX_STATE_HISTORY = 50;

/** What a change may say besides its target: why, and for `holding` the condition to move on. */
export interface TransitionInput {
  /** Why the convoy changes state; required for `holding` and `aborted`. */
  reason?: string;
  /** The condition on which a holding convoy may move again ("bridge cleared by engineers"); required for `holding`. */
  resumeWhen?: string;
}

/** A change the machine allowed: both states and what the sender said. */
export interface Transition extends TransitionInput {
  from: ConvoyState;
  to: ConvoyState;
}

export type TransitionResult = { ok: true; change: Transition } | { ok: false; error: ProtocolError };

/** States of logs written before issue 12, read as the states that replaced them. */
const LEGACY_STATES: Readonly<Record<string, ConvoyState>> = { held: 'holding', cancelled: 'aborted' };

/**
 * A stored state as the machine names it: `held` (before issue 12) is `holding`, `cancelled` is `aborted`.
 * @example currentStateName('held') // 'holding'
 */
export function currentStateName(state: string): ConvoyState {
  return LEGACY_STATES[state] ?? (state as ConvoyState);
}

/**
 * Whether the machine allows going from one state to another, whatever the change says.
 * @example canTransition('planned', 'moving') // false
 */
export function canTransition(from: ConvoyState, to: ConvoyState): boolean {
  return CONVOY_TRANSITIONS[from]?.includes(to) ?? false;
}

/** Whether a text says something: not absent, not only blanks. */
function said(text: string | undefined): boolean {
  return text !== undefined && text.trim().length > 0;
}

/**
 * What a change to `to` is missing, as the contract's `invalid` error naming the field; undefined
 * when it has what it needs. `prefix` is where the change sits in its message (nothing on HTTP).
 * @example transitionInputProblem('holding', { reason: 'bridge out' })?.path // 'resumeWhen'
 */
export function transitionInputProblem(to: ConvoyState, input: TransitionInput, prefix = ''): ProtocolError | undefined {
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  if ((to === 'holding' || to === 'aborted') && !said(input.reason)) {
    return { code: 'invalid', message: `${at('reason')} is required to put a convoy into ${to}: say why`, path: at('reason') };
  }
  if (to === 'holding' && !said(input.resumeWhen)) {
    return {
      code: 'invalid',
      message: `${at('resumeWhen')} is required to put a convoy into holding: the condition on which it may move again (e.g. "bridge cleared by engineers")`,
      path: at('resumeWhen'),
    };
  }
  if (to !== 'holding' && input.resumeWhen !== undefined) {
    return { code: 'invalid', message: `${at('resumeWhen')} is said only when a convoy goes into holding, not into ${to}`, path: at('resumeWhen') };
  }
  return undefined;
}

/**
 * The states a convoy in `from` may go to, in words for an error message.
 * @example allowedWords('approved') // 'moving or aborted'
 */
function allowedWords(from: ConvoyState): string {
  const next = CONVOY_TRANSITIONS[from];
  if (next.length === 0) return `nothing: ${from} is final`;
  return next.length === 1 ? next[0] : `${next.slice(0, -1).join(', ')} or ${next[next.length - 1]}`;
}

/**
 * Decides one change of state: the change with what it carries, or the error to answer. The change
 * must first say what its target needs (`reason` for holding and aborted, `resumeWhen` for holding:
 * `invalid`, naming the field), then be allowed by {@link CONVOY_TRANSITIONS} (`invalid_transition`,
 * naming both states). Only the keys given are kept, so live and replayed events compare equal.
 * @example transition('arrived', 'approved', {}).ok // false
 * @example transition('moving', 'holding', { reason: 'bridge out', resumeWhen: 'bridge cleared by engineers' })
 *   // { ok: true, change: { from: 'moving', to: 'holding', reason: 'bridge out', resumeWhen: 'bridge cleared by engineers' } }
 */
export function transition(from: ConvoyState, to: ConvoyState, input: TransitionInput = {}, path = 'to'): TransitionResult {
  const missing = transitionInputProblem(to, input);
  if (missing) return { ok: false, error: missing };
  if (!canTransition(from, to)) return { ok: false, error: forbiddenTransition(from, to, path) };
  const change: Transition = { from, to };
  if (input.reason !== undefined) change.reason = input.reason;
  if (input.resumeWhen !== undefined) change.resumeWhen = input.resumeWhen;
  return { ok: true, change };
}

/**
 * The error of a change the machine forbids, naming both states and what `from` allows.
 * @example forbiddenTransition('planned', 'moving', 'to').message
 *   // 'a convoy cannot go from planned to moving; from planned it may go to approved or aborted'
 */
export function forbiddenTransition(from: ConvoyState, to: ConvoyState, path: string): ProtocolError {
  return {
    code: 'invalid_transition',
    message: `a convoy cannot go from ${from} to ${to}; from ${from} it may go to ${allowedWords(from)}`,
    path,
  };
}

// Who is sending (server/gateway): a token's rights, the actor recorded on its events and the
// namespace of its msgIds (P8), made once per connection or request.
import type { Role } from '../auth/roles.js';
import type { TokenRecord } from '../auth/tokens.js';
import type { Submitter } from '../core/store.js';
import type { Actor } from '@corridor/protocol';

/** A signed-in sender as the gateway sees it. */
export interface Sender extends Submitter {
  actor: Actor;
  /** What it may do (roles.ts). */
  role: Role;
  /** The token's id: limits are counted per token (P15). */
  tokenId: string;
  /** For a token bound to one unit: the only unit it may report for. */
  unit?: string;
  /** Whether the per-token limits apply (P15); the server's own exercise traffic is exempt. */
  limited: boolean;
}

/**
 * The msgId namespace of a token (P8): the token itself, or for a token bound to one unit the unit,
 * so a device that is issued a new token keeps its retries.
 * @example scopeOf({ id: 'tk-1', unit: 'PATROL-21' }) // 'unit:PATROL-21'
 */
export function scopeOf(record: Pick<TokenRecord, 'id' | 'unit'>): string {
  return record.unit !== undefined ? `unit:${record.unit}` : `tk:${record.id}`;
}

/** The sender of a signed-in token. */
export function senderOf(record: TokenRecord): Sender {
  return {
    actor: { tokenId: record.id, org: record.org, role: record.role },
    role: record.role,
    tokenId: record.id,
    unit: record.unit,
    scope: scopeOf(record),
    limited: true,
  };
}

/** The built-in exercise's simulated traffic: may change anything, recorded as the system, not rate-limited. */
export const SCENARIO_SENDER: Sender = {
  actor: { tokenId: 'scenario', org: 'exercise', role: 'system' },
  role: 'admin',
  tokenId: 'scenario',
  scope: 'tk:scenario',
  limited: false,
};

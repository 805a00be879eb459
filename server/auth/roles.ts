// Roles and what each may do (server/auth): the one table HTTP and WebSocket both consult.
import type { ClientCommandType } from '../protocol/messages.js';

/** Roles of the contract ("Identity"). */
export const ROLES = ['field', 'planner', 'analyst', 'viewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Things a caller may be allowed to do. `read` covers the picture, convoys, events and routes. */
export type Action = 'read' | 'positions' | 'threats' | 'constraints' | 'sites' | 'flows' | 'convoys' | 'havens' | 'status';

const GRANTS: Record<Role, ReadonlySet<Action>> = {
  field: new Set(['read', 'positions']),
  analyst: new Set(['read', 'threats', 'constraints', 'sites', 'flows']),
  planner: new Set(['read', 'convoys', 'havens']),
  viewer: new Set(['read']),
  admin: new Set(['read', 'positions', 'threats', 'constraints', 'sites', 'flows', 'convoys', 'havens', 'status']),
};

/**
 * Whether a role may perform an action.
 * @example can('analyst', 'threats') // true
 * @example can('field', 'threats') // false
 */
export function can(role: string, action: Action): boolean {
  return GRANTS[role as Role]?.has(action) ?? false;
}

/** The action a WebSocket command needs. */
export function actionOf(type: ClientCommandType): Action {
  switch (type) {
    case 'position':
    case 'positions':
      return 'positions';
    case 'threat.upsert':
    case 'threat.remove':
      return 'threats';
    case 'constraint.upsert':
    case 'constraint.remove':
      return 'constraints';
    case 'site.upsert':
    case 'site.remove':
      return 'sites';
    case 'flow.upsert':
    case 'flow.remove':
      return 'flows';
    case 'convoy.upsert':
    case 'convoy.remove':
      return 'convoys';
    case 'haven.upsert':
    case 'haven.remove':
      return 'havens';
    case 'resync':
    case 'ping':
      return 'read';
  }
}

// Roles and what each may do (server/auth): the one table HTTP and WebSocket both consult.
import { commandKind, KINDS, type ClientCommandType, type Kind } from '@corridor/protocol';

/** Roles of the contract ("Identity"). */
export const ROLES = ['field', 'planner', 'analyst', 'viewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Things a caller may be allowed to do. `read` covers the picture, convoys, events and routes; `audit`
 * the audit trail; `agreement` reloading the sharing agreement (issue 13).
 */
export type Action = 'read' | 'positions' | 'status' | 'audit' | 'agreement' | 'review' | (typeof KINDS)[Kind]['action'];

/**
 * What each role may do. Planners draw threat zones and access constraints too: a planner who hears of a
 * closed bridge or a new checkpoint from a convoy leader must put it on the picture at once, not find
 * an analyst first; every change records who made it (the audit trail). Field reports (issue 15) are
 * sent by field units and by anyone who hears of something; analysts review (confirm, correct,
 * dismiss) and remove them.
 */
const GRANTS: Record<Role, ReadonlySet<Action>> = {
  field: new Set(['read', 'positions', 'reports']),
  analyst: new Set(['read', 'threats', 'constraints', 'sites', 'flows', 'reports', 'review']),
  planner: new Set(['read', 'convoys', 'havens', 'threats', 'constraints', 'reports']),
  viewer: new Set(['read']),
  admin: new Set(['read', 'positions', 'threats', 'constraints', 'sites', 'flows', 'convoys', 'havens', 'reports', 'review', 'status', 'audit', 'agreement']),
};

/**
 * Whether a role may perform an action.
 * @example can('analyst', 'threats') // true
 * @example can('field', 'threats') // false
 */
export function can(role: string, action: Action): boolean {
  return GRANTS[role as Role]?.has(action) ?? false;
}

/**
 * The action a command needs: its kind's (kinds.ts), `positions` for reports, `convoys` for a
 * convoy's change of state and an alert's acknowledgement (those who plan convoys run them, P20, P21), `read`
 * for the rest.
 * @example actionOf('convoy.state') // 'convoys'
 */
export function actionOf(type: ClientCommandType): Action {
  if (type === 'position' || type === 'positions' || type === 'unit.alert') return 'positions';
  // A deconfliction notice is sent, and a party's acknowledgement recorded, by those who run the convoy (P36).
  if (type === 'convoy.state' || type === 'alert.ack' || type === 'convoy.reroute' || type === 'convoy.route' || type === 'notice.send' || type === 'notice.ack') return 'convoys';
  // A report is sent by whoever saw it; reviewing and removing one is an analyst's (issue 15).
  if (type === 'report.review' || type === 'report.remove') return 'review';
  // An import of displacement figures is sites (and flows: the gateway asks for both when it has some, issue 17).
  if (type === 'sites.import') return 'sites';
  const ck = commandKind(type);
  return ck ? (KINDS[ck.kind].action as Action) : 'read';
}

/**
 * Everything a role may do, for a page that shows only the controls its user may use.
 * @example actionsOf('viewer') // ['read']
 */
export function actionsOf(role: string): Action[] {
  return [...(GRANTS[role as Role] ?? [])];
}

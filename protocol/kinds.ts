// The registry of entity kinds (@corridor/protocol): one entry per kind of thing a client may post and
// remove by id. Its slice of the picture, id prefix, commands, events, the action a role needs and how
// it reads in a sentence all come from here; a new kind is one entry, not a case in ten switches.

/** What the registry says of one kind. */
export interface KindSpec {
  /** The picture's slice holding entities of this kind (also the HTTP path: `/api/<slice>`). */
  slice: string;
  /** Prefix of the ids the server makes for it (STYLE: ids say their kind). */
  prefix: string;
  /** The field of the upsert command that holds the posted entity (`feature` for a threat zone). */
  input: string;
  /** The field of the upserted event that holds the stored entity (`zone` for a threat zone). */
  field: string;
  /** What a role must be allowed to change it (auth/roles). */
  action: string;
  /** Its name in a sentence ("there is no safe haven with id …"). */
  label: string;
  /** Whether the router must hear of its changes (zones, constraints, havens, convoys). */
  routing: boolean;
  /** Whether its removal says why (`deleted`, `expired`): kinds that expire. */
  expires: boolean;
}

/**
 * Every kind of entity posted and removed by id. Units (moved by position reports) and corridors (kept
 * by the router) are slices of the picture too, but no client posts or removes them by id.
 */
export const KINDS = {
  threat: { slice: 'threats', prefix: 'tz-', input: 'feature', field: 'zone', action: 'threats', label: 'threat zone', routing: true, expires: true },
  haven: { slice: 'havens', prefix: 'hv-', input: 'haven', field: 'haven', action: 'havens', label: 'safe haven', routing: true, expires: false },
  site: { slice: 'sites', prefix: 'st-', input: 'site', field: 'site', action: 'sites', label: 'displacement site', routing: false, expires: false },
  flow: { slice: 'flows', prefix: 'fl-', input: 'flow', field: 'flow', action: 'flows', label: 'displacement flow', routing: false, expires: false },
  constraint: { slice: 'constraints', prefix: 'ac-', input: 'constraint', field: 'constraint', action: 'constraints', label: 'access constraint', routing: true, expires: true },
  convoy: { slice: 'convoys', prefix: 'cv-', input: 'convoy', field: 'convoy', action: 'convoys', label: 'convoy', routing: true, expires: false },
  /** An evacuation plan: its target groups, the havens its convoys may use, its rule for re-routes (issue 12). */
  plan: { slice: 'plans', prefix: 'ep-', input: 'plan', field: 'plan', action: 'convoys', label: 'evacuation plan', routing: true, expires: false },
  /**
   * A field unit's standard report (issue 15): a road blocked, a checkpoint, an incident, needs,
   * displaced people seen, a note. Unverified until an analyst reviews it (`report.review`).
   */
  report: { slice: 'reports', prefix: 'fr-', input: 'report', field: 'report', action: 'reports', label: 'field report', routing: false, expires: false },
} as const satisfies Record<string, KindSpec>;

export type Kind = keyof typeof KINDS;
/** The picture slice of a kind, e.g. `threats`. */
export type SliceOf<K extends Kind> = (typeof KINDS)[K]['slice'];
/** Picture slices that hold entities addressed by id and posted by clients. */
export type EntitySlice = SliceOf<Kind>;
/** The upsert command's field of a kind, e.g. `feature`. */
export type InputOf<K extends Kind> = (typeof KINDS)[K]['input'];
/** The upserted event's field of a kind, e.g. `zone`. */
export type FieldOf<K extends Kind> = (typeof KINDS)[K]['field'];
/** The kinds whose removal says why. */
export type ExpiringKind = { [K in Kind]: (typeof KINDS)[K]['expires'] extends true ? K : never }[Kind];

/** Every kind, in the registry's order. */
export const KIND_NAMES = Object.keys(KINDS) as Kind[];

/** Kind by slice (`threats` → `threat`). */
const BY_SLICE = new Map<string, Kind>(KIND_NAMES.map((k) => [KINDS[k].slice, k]));
/** Kind and operation by command type (`threat.upsert`) and by event type (`threat.upserted`). */
const BY_COMMAND = new Map<string, { kind: Kind; op: 'upsert' | 'remove' }>();
const BY_EVENT = new Map<string, { kind: Kind; op: 'upserted' | 'removed' }>();
for (const kind of KIND_NAMES) {
  BY_COMMAND.set(`${kind}.upsert`, { kind, op: 'upsert' });
  BY_COMMAND.set(`${kind}.remove`, { kind, op: 'remove' });
  BY_EVENT.set(`${kind}.upserted`, { kind, op: 'upserted' });
  BY_EVENT.set(`${kind}.removed`, { kind, op: 'removed' });
}

/**
 * The kind a slice holds.
 * @example kindOfSlice('havens') // 'haven'
 */
export function kindOfSlice(slice: string): Kind | undefined {
  return BY_SLICE.get(slice);
}

/**
 * The kind and operation of a command type, or undefined for the others (`position`, `ping`, …).
 * @example commandKind('threat.remove') // { kind: 'threat', op: 'remove' }
 */
export function commandKind(type: string): { kind: Kind; op: 'upsert' | 'remove' } | undefined {
  return BY_COMMAND.get(type);
}

/**
 * The kind and operation of an event type, or undefined for the others (`position.reported`, corridors).
 * @example eventKind('convoy.upserted') // { kind: 'convoy', op: 'upserted' }
 */
export function eventKind(type: string): { kind: Kind; op: 'upserted' | 'removed' } | undefined {
  return BY_EVENT.get(type);
}

/**
 * Event types the router must hear about: the upserts and removals of the routing kinds, and a
 * convoy's change of state (an arrived or aborted convoy needs no corridor, P20).
 */
export const ROUTING_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...KIND_NAMES.filter((k) => KINDS[k].routing).flatMap((k) => [`${k}.upserted`, `${k}.removed`]),
  'convoy.state-changed',
  'convoy.route-chosen',
]);

/** Id prefix per slice (STYLE: ids say their kind). */
export const ID_PREFIX = Object.fromEntries(KIND_NAMES.map((k) => [KINDS[k].slice, KINDS[k].prefix])) as Record<EntitySlice, string>;

// The information-sharing agreement (server/sharing, issue 13): the organisations and their kinds, the
// markings from least to most restrictive, and the rules that say, per kind of item and marking, who
// receives it and how (in full, with fields removed, positions coarsened, delayed). Read from one YAML
// or JSON file (`CORRIDOR_AGREEMENT`) and checked before the server starts: every error names the
// file, the line and the field, and a server never starts with an agreement it could not read.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode } from 'yaml';
import { checkSchema } from '@corridor/protocol/validate';
import { ROLES, type Role } from '../auth/roles.js';

/** Kinds of organisation. */
export const ORG_KINDS = ['humanitarian', 'military', 'civil'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/**
 * The kinds of item a rule may name, and the fields a rule may remove from each (a source, a
 * callsign, a contact): what the sharing policy knows how to take out of the item wherever it goes.
 */
export const REMOVABLE_FIELDS = {
  unit: ['callsign', 'heading', 'speed', 'accuracy'],
  threat: ['source', 'label'],
  constraint: ['reason', 'verifiedBy', 'source'],
  // A haven's figures decide where convoys may go (its places): none of them is withheld.
  haven: [],
  site: ['source'],
  flow: ['source'],
  convoy: ['contact', 'plates', 'organisation', 'unitIds', 'leadUnitId'],
  plan: ['note', 'organisation'],
  corridor: [],
  alert: [],
  // A field report's unit and words can name a protected source.
  report: ['unitId', 'text', 'accuracy'],
} as const satisfies Record<string, readonly string[]>;
export type ItemKind = keyof typeof REMOVABLE_FIELDS;
export const ITEM_KINDS = Object.keys(REMOVABLE_FIELDS) as ItemKind[];

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' });
const Any = Type.Literal('*');
const strict = { additionalProperties: false } as const;

const OrganisationSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    kind: Type.Union(ORG_KINDS.map((k) => Type.Literal(k))),
    /** The marking of what it posts when the post names none; a post may only raise it. */
    defaultMarking: Id,
  },
  strict,
);

const RecipientsSchema = Type.Object(
  {
    /** Every organisation. */
    all: Type.Optional(Type.Literal(true)),
    orgs: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 500 })),
    orgKinds: Type.Optional(Type.Array(Type.Union(ORG_KINDS.map((k) => Type.Literal(k))), { minItems: 1 })),
    /** Narrows the organisations above to these roles (all roles when absent). */
    roles: Type.Optional(Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { minItems: 1 })),
  },
  strict,
);

const RuleSchema = Type.Object(
  {
    /** Kinds of item the rule is about, or `*` for every kind. */
    kinds: Type.Array(Type.Union([Any, ...ITEM_KINDS.map((k) => Type.Literal(k))]), { minItems: 1 }),
    /** Markings it is about, or `*`. */
    markings: Type.Array(Type.Union([Any, Id]), { minItems: 1 }),
    /** Only items owned by these organisations or kinds of organisation (every owner when absent). */
    from: Type.Optional(Type.Object({ orgs: Type.Optional(Type.Array(Id, { minItems: 1 })), orgKinds: Type.Optional(Type.Array(Type.Union(ORG_KINDS.map((k) => Type.Literal(k))), { minItems: 1 })) }, strict)),
    /** Who receives the items the rule is about. */
    to: RecipientsSchema,
    /** Fields taken out of the item (REMOVABLE_FIELDS of its kind). */
    remove: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1 })),
    /** Positions coarsened to a grid of this many metres. */
    coarsen_m: Type.Optional(Type.Integer({ minimum: 10, maximum: 100_000 })),
    /** Received this many minutes late. */
    delay_min: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
  },
  strict,
);

export const AgreementSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** Least restrictive first. */
    markings: Type.Array(Id, { minItems: 1, maxItems: 50 }),
    organisations: Type.Array(OrganisationSchema, { minItems: 1, maxItems: 1000 }),
    /** Looked at in order; the first whose kinds, markings, owner and recipients all match decides. */
    rules: Type.Array(RuleSchema, { maxItems: 1000 }),
  },
  strict,
);
export type Agreement = Static<typeof AgreementSchema>;
export type Rule = Agreement['rules'][number];
export type Organisation = Agreement['organisations'][number];

/** An agreement that cannot be used: the file, the line (1-based) and the field, in its message. */
export class AgreementError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${reason}`);
    this.name = 'AgreementError';
  }
}

/** The agreement the exercise ships with, on by default. */
export const EXERCISE_AGREEMENT_FILE = fileURLToPath(new URL('../../data/agreements/exercise.yaml', import.meta.url));

/** Reads and checks an agreement file; throws {@link AgreementError}. */
export function loadAgreement(file: string): Agreement {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgreementError(file, undefined, '', `cannot be read: ${(err as Error).message}`);
  }
  return parseAgreement(text, file);
}

/**
 * Parses and checks an agreement's text (YAML, of which JSON is a part): the schema, then what it
 * cannot say (names known, each defined once, fields a rule may remove).
 * @example parseAgreement('name: x\nmarkings: [open]\norganisations: []\nrules: []', 'a.yaml')
 *   // throws AgreementError('a.yaml:3: organisations: organisations must have at least 1 item')
 */
export function parseAgreement(text: string, file = 'agreement'): Agreement {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new AgreementError(file, lineCounter.linePos(e.pos[0]).line, '', `is not valid YAML or JSON: ${e.message.split('\n')[0]}`);
  }
  const lineOf = (path: string): number | undefined => {
    // The deepest node of the path that exists: a missing field is reported at its parent.
    let parts = pathParts(path);
    while (parts.length > 0) {
      const node = doc.getIn(parts, true) as YamlNode | undefined;
      if (node && (node as { range?: [number, number, number] }).range) return lineCounter.linePos((node as { range: [number, number, number] }).range[0]).line;
      parts = parts.slice(0, -1);
    }
    const root = doc.contents as YamlNode | null;
    return root && (isMap(root) || isSeq(root)) && root.range ? lineCounter.linePos(root.range[0]).line : 1;
  };
  const fail = (path: string, reason: string): never => {
    throw new AgreementError(file, lineOf(path), path, reason);
  };
  const raw = doc.toJS();
  const checked = checkSchema(AgreementSchema, raw);
  if (!checked.ok) {
    const path = checked.error.path ?? '';
    // The schema's message starts with the field it names; the error says it once.
    const reason = path && checked.error.message.startsWith(path) ? checked.error.message.slice(path.length).replace(/^:?\s*/, '') : checked.error.message;
    fail(path, reason);
  }
  const agreement = (checked as { value: Agreement }).value;
  const markings = new Set<string>();
  agreement.markings.forEach((m, i) => {
    if (markings.has(m)) fail(`markings[${i}]`, `"${m}" is listed twice`);
    markings.add(m);
  });
  const orgs = new Set<string>();
  agreement.organisations.forEach((o, i) => {
    if (orgs.has(o.id)) fail(`organisations[${i}].id`, `"${o.id}" is defined twice`);
    orgs.add(o.id);
    if (!markings.has(o.defaultMarking)) fail(`organisations[${i}].defaultMarking`, `"${o.defaultMarking}" is not one of the markings (${agreement.markings.join(', ')})`);
  });
  agreement.rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    r.markings.forEach((m, j) => {
      if (m !== '*' && !markings.has(m)) fail(`${at}.markings[${j}]`, `"${m}" is not one of the markings (${agreement.markings.join(', ')})`);
    });
    for (const side of ['from', 'to'] as const) {
      (r[side]?.orgs ?? []).forEach((o, j) => {
        if (!orgs.has(o)) fail(`${at}.${side}.orgs[${j}]`, `"${o}" is not one of the organisations`);
      });
    }
    if (!r.to.all && !r.to.orgs && !r.to.orgKinds && !r.to.roles) fail(`${at}.to`, 'names no recipient: give all, orgs, orgKinds or roles');
    if (r.remove) {
      if (r.kinds.includes('*')) fail(`${at}.remove`, 'fields are removed from named kinds of item: list them in kinds instead of *');
      r.remove.forEach((field, j) => {
        for (const kind of r.kinds as ItemKind[]) {
          const allowed: readonly string[] = REMOVABLE_FIELDS[kind];
          if (!allowed.includes(field)) fail(`${at}.remove[${j}]`, `"${field}" is not a field that can be removed from a ${kind} (${allowed.length > 0 ? allowed.join(', ') : 'none'})`);
        }
      });
    }
  });
  return agreement;
}

/** `rules[2].to.orgs[0]` → `['rules', 2, 'to', 'orgs', 0]`. */
function pathParts(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/** Who receives: a recipient's organisation (with its kind) and role. */
export interface Receiver {
  org: string;
  role: string;
}

/** How a recipient receives an item: not at all, or in full or altered. */
export type Delivery = { receives: false } | { receives: true; remove: readonly string[]; coarsenM?: number; delayMin?: number };

/** An item as the agreement looks at it: its kind, marking and owner organisation. */
export interface MarkedItem {
  kind: ItemKind;
  marking: string;
  owner: string;
}

/** The agreement, indexed for answering who receives what. */
export class SharingAgreement {
  private current!: Agreement;
  private orgs!: Map<string, Organisation>;
  private rank!: Map<string, number>;
  private readonly listeners = new Set<() => void>();
  /** Answers of {@link deliveryOf}, by kind, marking, owner and recipient; emptied when the agreement changes. */
  private readonly memo = new Map<string, Delivery>();

  constructor(agreement: Agreement) {
    this.index(agreement);
  }

  /** The agreement in force. */
  get agreement(): Agreement {
    return this.current;
  }

  /**
   * Puts another agreement in force (a reload while the server runs): every answer from now on is
   * the new one's, and whoever listens ({@link onChange}) drops what it made under the old one.
   */
  replace(agreement: Agreement): void {
    this.index(agreement);
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after each {@link replace}; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private index(agreement: Agreement): void {
    this.memo?.clear();
    this.current = agreement;
    this.orgs = new Map(agreement.organisations.map((o) => [o.id, o]));
    this.rank = new Map(agreement.markings.map((m, i) => [m, i]));
  }

  /** An organisation of the agreement. */
  organisation(id: string): Organisation | undefined {
    return this.orgs.get(id);
  }

  /**
   * The marking a post takes (issue 13): its own, at or above its organisation's default, never one
   * its organisation may not itself see; the default when it names none. An error message otherwise.
   */
  markingOf(posterOrg: string, role: Role | string, kind: ItemKind, asked: string | undefined): { marking: string } | { error: string } {
    const org = this.orgs.get(posterOrg);
    if (!org) return { error: `organisation "${posterOrg}" is not in the sharing agreement, so it may not post` };
    const marking = asked ?? org.defaultMarking;
    const rank = this.rank.get(marking);
    if (rank === undefined) return { error: `"${marking}" is not a marking of the agreement (${this.current.markings.join(', ')})` };
    if (rank < this.rank.get(org.defaultMarking)!) return { error: `"${marking}" is below ${posterOrg}'s default marking "${org.defaultMarking}": a post may only raise it` };
    // The poster's organisation must receive what it marks, as anyone else of it would.
    if (!this.delivery({ kind, marking, owner: '' }, { org: posterOrg, role }).receives) return { error: `${posterOrg} may not itself see items marked "${marking}"` };
    return { marking };
  }

  /**
   * How a recipient receives a stored item: its marking, or its owner's default when it carries none
   * (a report), or the least restrictive for an item of no known owner. The one answer the outbox's
   * policy and the gateway both use. A delayed delivery is a withheld one (the item as it is now is
   * never sent early) unless `delayed` asks for it: only the delay line's past versions are given so.
   */
  deliveryOf(kind: ItemKind, item: { owner?: string; marking?: string }, to: Receiver, opts: { delayed?: boolean } = {}): Delivery {
    const owner = item.owner ?? '';
    const marking = item.marking ?? this.orgs.get(owner)?.defaultMarking ?? this.current.markings[0];
    // The hot path (every fix, per audience): the answer for this kind, marking, owner and recipient, once.
    const key = `${kind}\u0000${marking}\u0000${owner}\u0000${to.org}\u0000${to.role}`;
    let d = this.memo.get(key);
    if (d === undefined) {
      if (this.memo.size >= 50_000) this.memo.clear();
      d = this.delivery({ kind, marking, owner }, to);
      this.memo.set(key, d);
    }
    return d.receives && d.delayMin !== undefined && !opts.delayed ? WITHHELD : d;
  }

  /** The kinds of item some rule delivers late, and the longest delay, minutes (0 when none does). */
  delays(): { kinds: ReadonlySet<ItemKind>; maxMin: number; minutes: readonly number[] } {
    const kinds = new Set<ItemKind>();
    const minutes = new Set<number>();
    for (const r of this.current.rules) {
      if (r.delay_min === undefined) continue;
      minutes.add(r.delay_min);
      for (const k of r.kinds) {
        if (k === '*') ITEM_KINDS.forEach((x) => kinds.add(x));
        else kinds.add(k as ItemKind);
      }
    }
    return { kinds, maxMin: Math.max(0, ...minutes), minutes: [...minutes].sort((a, b) => a - b) };
  }

  /** Whether some rule that delays names this recipient: its picture changes as time passes, not only with the log. */
  delaysFor(to: Receiver): boolean {
    const toOrg = this.orgs.get(to.org);
    return this.current.rules.some((r) => r.delay_min !== undefined && this.names(r, to, toOrg));
  }

  /** Whether a rule's recipients include this one. */
  private names(r: Rule, to: Receiver, toOrg: Organisation | undefined): boolean {
    const byOrg = r.to.all === true || (r.to.orgs ?? []).includes(to.org) || (toOrg !== undefined && (r.to.orgKinds ?? []).includes(toOrg.kind));
    const anyOrg = r.to.all === undefined && r.to.orgs === undefined && r.to.orgKinds === undefined;
    if (!(byOrg || anyOrg)) return false;
    return !r.to.roles || (r.to.roles as string[]).includes(to.role);
  }

  /**
   * Whether a recipient receives every item in full, whatever its kind, marking and owner: the first
   * rule that names it as a recipient is about every kind and marking, from every owner, and changes
   * nothing (the server's administrators under the exercise's agreement).
   */
  receivesAll(to: Receiver): boolean {
    const toOrg = this.orgs.get(to.org);
    for (const r of this.current.rules) {
      if (!this.names(r, to, toOrg)) continue;
      return r.kinds.includes('*') && r.markings.includes('*') && r.from === undefined && r.remove === undefined && r.coarsen_m === undefined && r.delay_min === undefined;
    }
    return false;
  }

  /**
   * How a recipient receives an item: its owner organisation in full; otherwise as the first rule
   * whose kinds, markings, owner and recipients match says; not at all when none does.
   */
  delivery(item: MarkedItem, to: Receiver): Delivery {
    if (item.owner === to.org) return FULL;
    const toOrg = this.orgs.get(to.org);
    const owner = this.orgs.get(item.owner);
    for (const r of this.current.rules) {
      if (!r.kinds.includes('*') && !(r.kinds as string[]).includes(item.kind)) continue;
      if (!r.markings.includes('*') && !r.markings.includes(item.marking)) continue;
      if (r.from && !((r.from.orgs ?? []).includes(item.owner) || (owner !== undefined && (r.from.orgKinds ?? []).includes(owner.kind)))) continue;
      if (!this.names(r, to, toOrg)) continue;
      return { receives: true, remove: r.remove ?? [], ...(r.coarsen_m !== undefined ? { coarsenM: r.coarsen_m } : {}), ...(r.delay_min !== undefined ? { delayMin: r.delay_min } : {}) };
    }
    return { receives: false };
  }
}

const FULL: Delivery = { receives: true, remove: [] };
const WITHHELD: Delivery = { receives: false };

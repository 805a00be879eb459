// The exercise scenario file (data/scenarios/*.json): its TypeBox schema, loading and cross-checks.
// Structure documented in data/scenarios/README.md; the logic that plays it lives in simulator.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  AccessStatusSchema,
  canTransition,
  ConstraintCategorySchema,
  type ConvoyState,
  FocalPointSchema,
  RadioNetSchema,
  HavenStatusSchema,
  NEEDS,
  REPORT_KINDS,
  SeveritySchema,
  transitionInputProblem,
  VehicleClassSchema,
} from '@corridor/protocol';
import { checkSchema, preview } from '@corridor/protocol/validate';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' });
const Lon = Type.Number({ minimum: -180, maximum: 180 });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const LonLat = Type.Tuple([Lon, Lat]);
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Count = Type.Integer({ minimum: 0, maximum: 100_000_000 });
/** Seconds of scenario time (after speed-up), from the start of a loop. */
const Seconds = Type.Number({ minimum: 0, maximum: 86_400 });
const strict = { additionalProperties: false } as const;

const PlaceSchema = Type.Object({ id: Id, name: Name, lon: Lon, lat: Lat }, strict);
const HavenSeedSchema = Type.Object(
  { id: Id, name: Name, lon: Lon, lat: Lat, capacity: Count, occupancy: Count, status: HavenStatusSchema, contact: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) },
  strict,
);
const SiteSeedSchema = Type.Object(
  {
    id: Id,
    name: Name,
    lon: Lon,
    lat: Lat,
    population: Count,
    kind: Type.Union([
      Type.Literal('camp'),
      Type.Literal('collective-centre'),
      Type.Literal('informal'),
      Type.Literal('host-community'),
    ]),
  },
  strict,
);
const FlowSeedSchema = Type.Object({ id: Id, from: Id, to: Id, people: Count }, strict);
/**
 * The field unit that leads a convoy (P21): it waits at the origin until the convoy moves, drives its
 * corridor's best route while it moves (taking a new route from where it is), stands while it holds,
 * and reports like any unit, so the convoy is tracked, alerts come and it arrives.
 */
const LeadSchema = Type.Object(
  {
    id: Id,
    callsign: Type.String({ minLength: 1, maxLength: 64 }),
    affiliation: Type.Union([Type.Literal('military'), Type.Literal('humanitarian'), Type.Literal('civil')]),
    /** Cruising speed, m/s; slower where the route's own pace is lower. */
    speedMps: Type.Number({ minimum: 1, maximum: 40 }),
    accuracyM: Type.Number({ minimum: 0, maximum: 1000 }),
  },
  strict,
);
const ConvoySeedSchema = Type.Object(
  {
    id: Id,
    name: Name,
    origin: Id,
    /** A place, haven or site id, or `nearest-haven`. */
    destination: Id,
    vehicleClass: VehicleClassSchema,
    people: Count,
    /** The state it is brought to by the machine's steps from planned (P20): planned, approved or moving. */
    state: Type.Union([Type.Literal('planned'), Type.Literal('approved'), Type.Literal('moving')]),
    lead: Type.Optional(LeadSchema),
    /** Re-routes it takes by itself: costing at most this many minutes, outside every danger zone (P22). */
    autoAcceptMinutes: Type.Optional(Type.Number({ minimum: 0, maximum: 240 })),
    /** The evacuation plan of the scenario it belongs to (P24). */
    plan: Type.Optional(Id),
    /** Its people by the plan's target group; they add up to `people`. */
    peopleByGroup: Type.Optional(Type.Record(Type.String(), Count)),
    priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    /** A convoy of the same plan it leaves after. */
    after: Type.Optional(Id),
    organisation: Type.Optional(Name),
    vehicles: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    contact: Type.Optional(Name),
    /** Its movement paperwork (issue 18), as a convoy's own fields: ConvoyInputSchema says what each holds. */
    focalPoint: Type.Optional(FocalPointSchema),
    vehicleType: Type.Optional(Name),
    markings: Type.Optional(Name),
    plates: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 200 })),
    personnel: Type.Optional(Count),
    cargo: Type.Optional(Type.String({ maxLength: 500 })),
    purpose: Type.Optional(Type.String({ maxLength: 500 })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    radioPlan: Type.Optional(Type.Array(RadioNetSchema, { maxItems: 12 })),
    onAlert: Type.Optional(Type.String({ maxLength: 1000 })),
    /** Named points on its route, by place id of the scenario, in the order it passes them; `hold` marks a hold point. */
    checkpoints: Type.Optional(Type.Array(Type.Object({ place: Id, hold: Type.Optional(Type.Boolean()) }, strict), { maxItems: 50 })),
  },
  strict,
);
/** An evacuation plan (P24): posted before the convoys that name it; `havens` are haven ids of the scenario. */
const PlanSeedSchema = Type.Object(
  {
    id: Id,
    name: Name,
    organisation: Type.Optional(Name),
    targetGroups: Type.Array(Type.Object({ id: Id, name: Name }, strict), { minItems: 1, maxItems: 20 }),
    havens: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 100 })),
    autoAcceptMinutes: Type.Optional(Type.Number({ minimum: 0, maximum: 240 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  strict,
);
const StopSchema = Type.Object({ place: Id, dwellS: Seconds }, strict);
const UnitSpecSchema = Type.Object(
  {
    id: Id,
    callsign: Type.String({ minLength: 1, maxLength: 64 }),
    affiliation: Type.Union([Type.Literal('military'), Type.Literal('humanitarian'), Type.Literal('civil')]),
    role: Name,
    vehicleClass: VehicleClassSchema,
    /** Cruising speed, m/s; slower where the road's own speed is lower. */
    speedMps: Type.Number({ minimum: 1, maximum: 40 }),
    /** Horizontal accuracy reported with each fix, metres. */
    accuracyM: Type.Number({ minimum: 0, maximum: 1000 }),
    /** Index of the stop the unit starts at (0 by default). */
    start: Type.Optional(Type.Integer({ minimum: 0 })),
    /** The task: stops visited in order, then again from the first. */
    stops: Type.Array(StopSchema, { minItems: 2, maxItems: 50 }),
    /** Periods (scenario seconds from the loop start) when the unit sends nothing, so it goes stale. */
    silences: Type.Optional(Type.Array(Type.Object({ atS: Seconds, forS: Seconds }, strict), { maxItems: 20 })),
  },
  strict,
);

const Inject = Type.String({ minLength: 1, maxLength: 300 });
const Label = Type.String({ maxLength: 200 });
const ThreatStepSchema = Type.Object(
  {
    atS: Seconds,
    action: Type.Literal('threat.upsert'),
    id: Id,
    inject: Inject,
    severity: SeveritySchema,
    label: Label,
    source: Label,
    /** A closed ring of [lon, lat] ... */
    polygon: Type.Optional(Type.Array(LonLat, { minItems: 4, maxItems: 1000 })),
    /** ... or a circle: centre and radius, metres. */
    center: Type.Optional(LonLat),
    radius_m: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 200_000 })),
    /** The zone expires this many scenario seconds after it is posted (sent as `validUntil`). */
    validForS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 })),
  },
  strict,
);
const ConstraintStepSchema = Type.Object(
  {
    atS: Seconds,
    action: Type.Literal('constraint.upsert'),
    id: Id,
    inject: Inject,
    status: AccessStatusSchema,
    category: ConstraintCategorySchema,
    reason: Type.String({ maxLength: 500 }),
    /** Roads affected, as lines of [lon, lat] (sent as a MultiLineString) ... */
    lines: Type.Optional(Type.Array(Type.Array(LonLat, { minItems: 2, maxItems: 1000 }), { minItems: 1, maxItems: 100 })),
    /** ... or an area, a closed ring. */
    polygon: Type.Optional(Type.Array(LonLat, { minItems: 4, maxItems: 1000 })),
    verifiedBy: Name,
    /** Where the information comes from. */
    source: Type.Optional(Name),
    validForS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 })),
  },
  strict,
);
const RemoveStepSchema = Type.Object(
  {
    atS: Seconds,
    action: Type.Union([Type.Literal('threat.remove'), Type.Literal('constraint.remove')]),
    id: Id,
    inject: Inject,
  },
  strict,
);
const HavenStepSchema = Type.Object(
  {
    atS: Seconds,
    action: Type.Literal('haven.update'),
    id: Id,
    inject: Inject,
    occupancy: Type.Optional(Count),
    status: Type.Optional(HavenStatusSchema),
  },
  strict,
);
/** Free text said with a change of state; the `convoy.state` command's own limits (P20). */
const StateText = Type.String({ minLength: 1, maxLength: 500, format: 'prose' });
const ConvoyStateStepSchema = Type.Object(
  {
    atS: Seconds,
    action: Type.Literal('convoy.state'),
    /** A convoy of the scenario. */
    id: Id,
    inject: Inject,
    /** The planner approves the convoy, starts it, holds it, or lets it move again (P20). */
    to: Type.Union([Type.Literal('approved'), Type.Literal('moving'), Type.Literal('holding')]),
    /** Why, shown with the convoy's state. */
    reason: StateText,
    /** For `holding` only, and required there: the condition on which it may move again. */
    resumeWhen: Type.Optional(StateText),
  },
  strict,
);
/** A planner takes a route of a convoy's open re-route proposal (P22); skipped when it has none. */
const RerouteStepSchema = Type.Object(
  {
    atS: Seconds,
    action: Type.Literal('convoy.reroute'),
    /** A convoy of the scenario. */
    id: Id,
    inject: Inject,
    /** Which of the proposal's routes, 0 (the best) by default. */
    route: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
  },
  strict,
);
/** A field unit's standard report (issue 15): its kind's form, at a point. A new report (and id) each loop. */
const ReportStepSchema = Type.Object(
  {
    atS: Seconds,
    action: Type.Literal('report.upsert'),
    /** Names the inject in the log; each loop's report gets an id of its own from the server. */
    id: Id,
    inject: Inject,
    /** A unit of the scenario. */
    unitId: Id,
    kind: Type.Union(REPORT_KINDS.map((k) => Type.Literal(k))),
    at: LonLat,
    casualties: Type.Optional(Type.Boolean()),
    needs: Type.Optional(Type.Array(Type.Union(NEEDS.map((n) => Type.Literal(n))), { minItems: 1, maxItems: NEEDS.length, uniqueItems: true })),
    people: Type.Optional(Count),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 500, format: 'prose' })),
  },
  strict,
);
const TimelineStepSchema = Type.Union([ThreatStepSchema, ConstraintStepSchema, RemoveStepSchema, HavenStepSchema, ConvoyStateStepSchema, RerouteStepSchema, ReportStepSchema]);
/** The schema of each action's step: an error in a step is told against its own action's fields. */
const STEP_SCHEMAS: Readonly<Record<Static<typeof TimelineStepSchema>['action'], TSchema>> = {
  'threat.upsert': ThreatStepSchema,
  'threat.remove': RemoveStepSchema,
  'constraint.upsert': ConstraintStepSchema,
  'constraint.remove': RemoveStepSchema,
  'haven.update': HavenStepSchema,
  'convoy.state': ConvoyStateStepSchema,
  'convoy.reroute': RerouteStepSchema,
  'report.upsert': ReportStepSchema,
};

/** The whole scenario file. */
export const ScenarioSchema = Type.Object(
  {
    $comment: Type.Optional(Type.String()),
    id: Id,
    /** Shown on every screen; must say EXERCISE. */
    name: Type.String({ minLength: 1, maxLength: 200 }),
    marking: Type.String({ minLength: 1, maxLength: 200 }),
    storyline: Type.String({ minLength: 1, maxLength: 4000 }),
    /** `source` of every site and flow figure. */
    source: Type.String({ minLength: 1, maxLength: 200 }),
    /** Area of play, [west, south, east, north], degrees. */
    bbox: Type.Tuple([Lon, Lat, Lon, Lat]),
    roads: Type.String({ maxLength: 500 }),
    /** Length of one pass of the timeline, scenario seconds; then it starts again. */
    loopS: Type.Number({ minimum: 60, maximum: 86_400 }),
    /** Wait before a unit retries a route that failed, scenario seconds. */
    retryS: Type.Number({ minimum: 1, maximum: 3600 }),
    /**
     * The exercise's planner decides a re-route proposal this long after it is made, scenario seconds:
     * takes its best route, or holds the convoy when it has none (planner.ts). Absent: only the
     * timeline decides.
     */
    plannerDecidesS: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
    places: Type.Array(PlaceSchema, { maxItems: 1000 }),
    havens: Type.Array(HavenSeedSchema, { maxItems: 1000 }),
    sites: Type.Array(SiteSeedSchema, { maxItems: 1000 }),
    flows: Type.Array(FlowSeedSchema, { maxItems: 1000 }),
    plans: Type.Optional(Type.Array(PlanSeedSchema, { maxItems: 20 })),
    convoys: Type.Array(ConvoySeedSchema, { maxItems: 100 }),
    units: Type.Array(UnitSpecSchema, { maxItems: 1000 }),
    timeline: Type.Array(TimelineStepSchema, { maxItems: 10_000 }),
  },
  strict,
);
export type Scenario = Static<typeof ScenarioSchema>;
export type UnitSpec = Static<typeof UnitSpecSchema>;
export type TimelineStep = Static<typeof TimelineStepSchema>;
export type HavenSeed = Static<typeof HavenSeedSchema>;
export type ConvoyStateStep = Static<typeof ConvoyStateStepSchema>;
export type ConvoySeed = Static<typeof ConvoySeedSchema>;
export type PlanSeed = Static<typeof PlanSeedSchema>;
export type LeadSpec = Static<typeof LeadSchema>;

/** The built-in exercise: EXERCISE NORTHERN RIVER 26 over central Gothenburg. */
export const DEFAULT_SCENARIO_FILE = fileURLToPath(new URL('../../data/scenarios/gothenburg-exercise.json', import.meta.url));

/** A scenario file that cannot be played; `path` names the offending field. */
export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/**
 * Where a place reference points: places, then havens, then sites share one id space.
 * @example resolvePlace(scenario, 'hv-ullevi') // [11.9862, 57.706]
 */
export function resolvePlace(scenario: Scenario, ref: string): [number, number] | undefined {
  const hit =
    scenario.places.find((p) => p.id === ref) ?? scenario.havens.find((h) => h.id === ref) ?? scenario.sites.find((s) => s.id === ref);
  return hit ? [hit.lon, hit.lat] : undefined;
}

/**
 * Checks a parsed JSON value against {@link ScenarioSchema}, then the references between its parts
 * (ids unique, places resolvable, id prefixes, polygon rings closed, one geometry per zone, convoy
 * holds and resumptions that the state machine allows in their order).
 * @throws ScenarioError naming the offending field.
 */
export function parseScenario(json: unknown): Scenario {
  const r = checkSchema(ScenarioSchema, json);
  if (!r.ok) throw stepError(json, r.error.path) ?? new ScenarioError(r.error.message, r.error.path);
  const s = r.value;
  // An exercise must never be mistaken for a real picture: its name says so.
  if (!/\bEXERCISE\b/.test(s.name)) throw new ScenarioError('name must contain the word EXERCISE', 'name');
  const seen = new Set<string>();
  const unique = (id: string, path: string) => {
    if (seen.has(id)) throw new ScenarioError(`${path} "${id}" is used twice`, path);
    seen.add(id);
  };
  s.places.forEach((p, i) => unique(p.id, `places[${i}].id`));
  s.havens.forEach((h, i) => unique(h.id, `havens[${i}].id`));
  s.sites.forEach((x, i) => unique(x.id, `sites[${i}].id`));
  s.flows.forEach((f, i) => unique(f.id, `flows[${i}].id`));
  s.convoys.forEach((c, i) => unique(c.id, `convoys[${i}].id`));
  s.units.forEach((u, i) => unique(u.id, `units[${i}].id`));
  s.convoys.forEach((c, i) => c.lead && unique(c.lead.id, `convoys[${i}].lead.id`));
  const place = (ref: string, path: string) => {
    if (!resolvePlace(s, ref)) throw new ScenarioError(`${path} "${ref}" is not a place, haven or site of the scenario`, path);
  };
  const prefix = (id: string, want: string, path: string) => {
    // STYLE "Naming": ids say their kind, as the server's own ids do.
    if (!id.startsWith(want)) throw new ScenarioError(`${path} "${id}" must start with "${want}"`, path);
  };
  s.havens.forEach((h, i) => prefix(h.id, 'hv-', `havens[${i}].id`));
  s.sites.forEach((x, i) => prefix(x.id, 'st-', `sites[${i}].id`));
  s.flows.forEach((f, i) => {
    prefix(f.id, 'fl-', `flows[${i}].id`);
    place(f.from, `flows[${i}].from`);
    place(f.to, `flows[${i}].to`);
  });
  const plans = s.plans ?? [];
  plans.forEach((p, i) => {
    unique(p.id, `plans[${i}].id`);
    prefix(p.id, 'ep-', `plans[${i}].id`);
    (p.havens ?? []).forEach((h, j) => {
      if (!s.havens.some((x) => x.id === h)) throw new ScenarioError(`plans[${i}].havens[${j}] "${h}" is not a haven of the scenario`, `plans[${i}].havens[${j}]`);
    });
  });
  s.convoys.forEach((c, i) => {
    prefix(c.id, 'cv-', `convoys[${i}].id`);
    place(c.origin, `convoys[${i}].origin`);
    if (c.destination !== 'nearest-haven') place(c.destination, `convoys[${i}].destination`);
    (c.checkpoints ?? []).forEach((cp, j) => {
      if (!s.places.some((p) => p.id === cp.place)) throw new ScenarioError(`convoys[${i}].checkpoints[${j}].place "${cp.place}" is not a place of the scenario`, `convoys[${i}].checkpoints[${j}].place`);
    });
    const plan = c.plan === undefined ? undefined : plans.find((p) => p.id === c.plan);
    if (c.plan !== undefined && !plan) throw new ScenarioError(`convoys[${i}].plan "${c.plan}" is not a plan of the scenario`, `convoys[${i}].plan`);
    if (c.peopleByGroup) {
      if (!plan) throw new ScenarioError(`convoys[${i}].peopleByGroup needs a plan`, `convoys[${i}].plan`);
      for (const g of Object.keys(c.peopleByGroup)) {
        if (!plan.targetGroups.some((t) => t.id === g)) throw new ScenarioError(`convoys[${i}].peopleByGroup.${g} is not a target group of plan "${plan.id}"`, `convoys[${i}].peopleByGroup.${g}`);
      }
      const sum = Object.values(c.peopleByGroup).reduce((a, b) => a + b, 0);
      if (sum !== c.people) throw new ScenarioError(`convoys[${i}].people (${c.people}) must be the sum of peopleByGroup (${sum})`, `convoys[${i}].people`);
    }
    if (c.after !== undefined) {
      const j = s.convoys.findIndex((x) => x.id === c.after);
      if (j < 0 || j >= i || s.convoys[j].plan !== c.plan) {
        throw new ScenarioError(`convoys[${i}].after "${c.after}" must be a convoy of the same plan listed before it`, `convoys[${i}].after`);
      }
    }
  });
  s.units.forEach((u, i) => {
    u.stops.forEach((stop, j) => place(stop.place, `units[${i}].stops[${j}].place`));
    if (u.start !== undefined && u.start >= u.stops.length) {
      throw new ScenarioError(`units[${i}].start must be below the number of stops (${u.stops.length})`, `units[${i}].start`);
    }
  });
  s.timeline.forEach((step, i) => {
    const path = `timeline[${i}]`;
    if (step.atS >= s.loopS) throw new ScenarioError(`${path}.atS must be below loopS (${s.loopS})`, `${path}.atS`);
    if (step.action === 'threat.upsert' || step.action === 'threat.remove') prefix(step.id, 'tz-', `${path}.id`);
    if (step.action === 'constraint.upsert' || step.action === 'constraint.remove') prefix(step.id, 'ac-', `${path}.id`);
    if (step.action === 'haven.update' && !s.havens.some((h) => h.id === step.id)) {
      throw new ScenarioError(`${path}.id "${step.id}" is not a haven of the scenario`, `${path}.id`);
    }
    if (step.action === 'threat.upsert') {
      const circle = step.center !== undefined && step.radius_m !== undefined;
      if (circle === (step.polygon !== undefined) || (step.center === undefined) !== (step.radius_m === undefined)) {
        throw new ScenarioError(`${path} needs either polygon or center with radius_m`, path);
      }
    }
    if (step.action === 'constraint.upsert' && (step.lines === undefined) === (step.polygon === undefined)) {
      throw new ScenarioError(`${path} needs either lines or polygon`, path);
    }
    if (step.action === 'convoy.state') checkConvoyStep(s, step, path);
    if (step.action === 'convoy.reroute' && !s.convoys.some((c) => c.id === step.id)) {
      throw new ScenarioError(`${path}.id "${step.id}" is not a convoy of the scenario`, `${path}.id`);
    }
  });
  checkConvoyStepOrder(s);
  return s;
}

/**
 * The error of a timeline step that breaks the schema, said against the schema of its own `action`
 * (the union of all steps would name a field of another action, e.g. `severity`); undefined when
 * `path` is not inside a step that is an object.
 */
function stepError(json: unknown, path: string | undefined): ScenarioError | undefined {
  const m = /^timeline\[(\d+)\]/.exec(path ?? '');
  if (!m) return undefined;
  const at = `timeline[${m[1]}]`;
  const step: unknown = (json as { timeline: unknown[] }).timeline[Number(m[1])];
  if (typeof step !== 'object' || step === null || Array.isArray(step)) return undefined;
  const action: unknown = (step as { action?: unknown }).action;
  if (typeof action !== 'string' || !Object.hasOwn(STEP_SCHEMAS, action)) {
    const known = Object.keys(STEP_SCHEMAS).join(', ');
    return new ScenarioError(`${at}.action must be one of ${known}, got ${preview(action)}`, `${at}.action`);
  }
  const r = checkSchema(STEP_SCHEMAS[action as keyof typeof STEP_SCHEMAS], step, at);
  return r.ok ? undefined : new ScenarioError(r.error.message, r.error.path);
}

/**
 * One `convoy.state` step on its own: a convoy of the scenario, and what its target needs (P20:
 * `resumeWhen` for holding and only there).
 * @throws ScenarioError naming the offending field.
 */
function checkConvoyStep(s: Scenario, step: ConvoyStateStep, path: string): void {
  const seed = s.convoys.find((c) => c.id === step.id);
  if (!seed) throw new ScenarioError(`${path}.id "${step.id}" is not a convoy of the scenario`, `${path}.id`);
  if (step.reason.trim() === '') throw new ScenarioError(`${path}.reason must say why, not only blanks`, `${path}.reason`);
  const problem = transitionInputProblem(step.to, step, path);
  if (problem) throw new ScenarioError(problem.message, problem.path);
}

/**
 * The `convoy.state` steps of each convoy, in time order within a loop, must be changes the machine
 * allows one after the other from the convoy's seed state (P20): planned → approved → moving ⇄
 * holding. Each loop brings the convoy back to its seed state.
 * @throws ScenarioError naming the first step out of turn (`timeline[i].to`).
 */
function checkConvoyStepOrder(s: Scenario): void {
  const steps = s.timeline
    .map((step, index) => ({ step, index }))
    .filter((d): d is { step: ConvoyStateStep; index: number } => d.step.action === 'convoy.state')
    .sort((a, b) => a.step.atS - b.step.atS || a.index - b.index);
  const state = new Map<string, ConvoyState>(s.convoys.map((c) => [c.id, c.state]));
  for (const { step, index } of steps) {
    const from = state.get(step.id)!;
    if (!canTransition(from, step.to)) {
      const path = `timeline[${index}].to`;
      throw new ScenarioError(`${path}: convoy "${step.id}" is ${from} by then, and a convoy cannot go from ${from} to ${step.to}`, path);
    }
    state.set(step.id, step.to);
  }
}

/**
 * Reads and checks a scenario file.
 * @example loadScenario().name // 'EXERCISE NORTHERN RIVER 26'
 * @throws ScenarioError when the file is not valid; an I/O error when it cannot be read.
 */
export function loadScenario(file: string = DEFAULT_SCENARIO_FILE): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new ScenarioError(`scenario file is not valid JSON: ${err.message}`);
    throw err;
  }
  return parseScenario(json);
}

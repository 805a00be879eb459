// Property tests of the sharing policy (server/sharing/policy.ts, issue 13) over pure code: random
// agreements, random pictures of items with random owners and markings, random recipients. What
// AgreementPolicy gives an audience is exactly what SharingAgreement.deliveryOf says it receives, with
// the fields it removes absent and the positions it coarsens on the grid, and names nothing withheld.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TObject } from '@sinclair/typebox';
import {
  ConstraintSchema,
  ConvoySchema,
  emptyPicture,
  FlowSchema,
  HavenSchema,
  KINDS,
  PlanSchema,
  ReportSchema,
  SiteSchema,
  ThreatZoneSchema,
  UnitSchema,
  type Kind,
  type Picture,
  type PictureEvent,
} from '@corridor/protocol';
import { ROLES } from '../../server/auth/roles.js';
import { ITEM_KINDS, ORG_KINDS, parseAgreement, REMOVABLE_FIELDS, SharingAgreement, type Agreement, type ItemKind } from '../../server/sharing/agreement.js';
import { AgreementPolicy, audienceKey, coarsen, RESTRICTED_AREA } from '../../server/sharing/policy.js';

type Json = Record<string, any>;
type Posted = 'unit' | Kind;
const POSTED: readonly Posted[] = ['unit', 'threat', 'haven', 'site', 'flow', 'constraint', 'convoy', 'plan', 'report'];
const SLICE: Record<Posted, Exclude<keyof Picture, 'seq'>> = { unit: 'units', threat: 'threats', haven: 'havens', site: 'sites', flow: 'flows', constraint: 'constraints', convoy: 'convoys', plan: 'plans', report: 'reports' };
const PREFIX: Record<Posted, string> = { unit: 'un-', threat: 'tz-', haven: 'hv-', site: 'st-', flow: 'fl-', constraint: 'ac-', convoy: 'cv-', plan: 'ep-', report: 'fr-' };

const SEED = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
console.log(`sharing policy property seed ${SEED}`);
const RUNS = 300;

// ---------------------------------------------------------------- random agreements

const MARKING_POOL = ['open', 'shared', 'partners', 'coalition', 'secret'];
const ORG_POOL = ['ORG-A', 'ORG-B', 'ORG-C', 'ORG-D', 'ORG-E'];

/** Of the fields each kind may lose, those every kind of the list may lose. */
function removableOfAll(kinds: readonly ItemKind[]): string[] {
  return (REMOVABLE_FIELDS[kinds[0]] as readonly string[]).filter((f) => kinds.every((k) => (REMOVABLE_FIELDS[k] as readonly string[]).includes(f)));
}

/** A rule the schema allows (never `delay_min`: a delayed delivery is withheld today, set aside here). */
function ruleArb(markings: string[], orgs: string[]): fc.Arbitrary<Json> {
  const base = fc.record(
    {
      kinds: fc.oneof(fc.constant(['*']), fc.constantFrom(...ITEM_KINDS).map((k) => [k]), fc.subarray(ITEM_KINDS, { minLength: 1 })),
      markings: fc.oneof(fc.constant(['*']), fc.subarray(markings, { minLength: 1 })),
      from: fc.record({ orgs: fc.subarray(orgs, { minLength: 1 }), orgKinds: fc.subarray([...ORG_KINDS], { minLength: 1 }) }, { requiredKeys: [] }),
      to: fc
        .record(
          { all: fc.constant(true as const), orgs: fc.subarray(orgs, { minLength: 1 }), orgKinds: fc.subarray([...ORG_KINDS], { minLength: 1 }), roles: fc.subarray([...ROLES], { minLength: 1 }) },
          { requiredKeys: [] },
        )
        .filter((to) => Object.keys(to).length > 0),
      coarsen_m: fc.integer({ min: 10, max: 100_000 }),
    },
    { requiredKeys: ['kinds', 'markings', 'to'] },
  );
  return base.chain((r) => {
    const kinds = r.kinds as readonly string[];
    const allowed = kinds.includes('*') ? [] : removableOfAll(kinds as ItemKind[]);
    if (allowed.length === 0) return fc.constant(r as Json);
    return fc.option(fc.subarray(allowed, { minLength: 1 }), { nil: undefined }).map((remove) => (remove ? { ...r, remove } : r) as Json);
  });
}

/** A random agreement, read as the server reads one; those parseAgreement refuses are left out. */
const agreementArb: fc.Arbitrary<Agreement> = fc
  .uniqueArray(fc.constantFrom(...MARKING_POOL), { minLength: 1, maxLength: 4 })
  .chain((markings) =>
    fc
      .uniqueArray(fc.record({ id: fc.constantFrom(...ORG_POOL), kind: fc.constantFrom(...ORG_KINDS), defaultMarking: fc.constantFrom(...markings) }), { minLength: 1, maxLength: 4, selector: (o) => o.id })
      .chain((organisations) => fc.array(ruleArb(markings, organisations.map((o) => o.id)), { maxLength: 7 }).map((rules) => ({ name: 'random', markings, organisations, rules }))),
  )
  .map((obj) => {
    try {
      return parseAgreement(JSON.stringify(obj), 'random.json');
    } catch {
      return undefined;
    }
  })
  .filter((a): a is Agreement => a !== undefined);

// ---------------------------------------------------------------- random pictures

/** A position with 6 decimals anywhere on Earth. */
const positionArb = fc.tuple(fc.integer({ min: -180_000_000, max: 180_000_000 }), fc.integer({ min: -90_000_000, max: 90_000_000 })).map(([x, y]) => [x / 1e6, y / 1e6] as [number, number]);

/** One item before it has an id: its kind, owner, marking, positions and whether it names others. */
interface Spec {
  kind: Posted;
  owner: string | undefined;
  marking: string | undefined;
  at: [number, number];
  to: [number, number];
  /** Picks among the picture's other items (a corridor's zones, references), as fractions. */
  picks: number[];
  corridor: boolean;
}

const specArb = (agreement: Agreement): fc.Arbitrary<Spec> =>
  fc.record({
    kind: fc.constantFrom(...POSTED),
    // Owners of the agreement, one it does not know, or none (an item stored before issue 13).
    owner: fc.option(fc.constantFrom(...agreement.organisations.map((o) => o.id), 'STRANGER'), { nil: undefined, freq: 6 }),
    // Markings of the agreement, one it does not know, or none (its owner's default).
    marking: fc.option(fc.constantFrom(...agreement.markings, 'unknown-marking'), { nil: undefined, freq: 4 }),
    at: positionArb,
    to: positionArb,
    picks: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 3, maxLength: 3 }),
    corridor: fc.boolean(),
  });

/** Ids: a kind's prefix and a token of 10 lower-case letters no other id holds; texts are upper case, so no text holds an id. */
const tokensArb = (n: number) => fc.uniqueArray(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 10, maxLength: 10 }), { minLength: n, maxLength: n });

interface World {
  agreement: Agreement;
  picture: Picture;
  /** Each item's kind by id. */
  kinds: Map<string, Posted>;
  to: { org: string; role: string };
}

/** A square of `d` degrees around a point, as a closed ring. */
function square([x0, y0]: [number, number], d = 0.001): [number, number][] {
  // Within the world: a point at a pole or the antimeridian has its square on the inner side.
  const x = Math.min(x0, 180 - d);
  const y = Math.min(y0, 90 - d);
  return [
    [x, y],
    [x + d, y],
    [x + d, y + d],
    [x, y + d],
    [x, y],
  ].map(([a, b]) => [Math.round(a * 1e6) / 1e6, Math.round(b * 1e6) / 1e6] as [number, number]);
}

/**
 * A picture of the specs' items. With `references`, items also name others by id as the protocol
 * lets them (a plan its havens, a convoy its plan, the convoy it leaves after, its units; a
 * corridor the haven it leads to); without, only corridors name zones and constraints (which the
 * policy knows how to hide).
 */
function buildPicture(specs: Spec[], tokens: string[], references: boolean): { picture: Picture; kinds: Map<string, Posted> } {
  const picture = emptyPicture();
  const kinds = new Map<string, Posted>();
  const ids = specs.map((s, i) => `${PREFIX[s.kind]}${tokens[i]}`);
  specs.forEach((s, i) => kinds.set(ids[i], s.kind));
  const of = (kind: Posted) => ids.filter((id) => kinds.get(id) === kind);
  const pick = <T>(list: T[], f: number): T | undefined => (list.length > 0 ? list[Math.floor(f * list.length)] : undefined);
  const zones = [...of('threat'), ...of('constraint')];
  specs.forEach((s, i) => {
    const id = ids[i];
    const T = tokens[i].toUpperCase();
    const mark: Json = {};
    if (s.owner !== undefined) mark.owner = s.owner;
    if (s.marking !== undefined) mark.marking = s.marking;
    let item: Json;
    switch (s.kind) {
      case 'unit':
        item = { unitId: id, lon: s.at[0], lat: s.at[1], timeMs: 1, seenMs: 2, heading: 90, speed: 4, accuracy: 7, callsign: `CALLSIGN-${T}`, ...mark };
        break;
      case 'threat':
        item = { id, severity: 'danger', label: `LABEL-${T}`, source: `SOURCE-${T}`, geometry: { type: 'Point', coordinates: s.at }, radiusM: 100, area: { type: 'Polygon', coordinates: [square(s.at)] }, ...mark, updatedMs: 3 };
        break;
      case 'haven':
        item = { id, name: `HAVEN-${T}`, lon: s.at[0], lat: s.at[1], capacity: 100, occupancy: 9, status: 'open', ...mark, updatedMs: 3 };
        break;
      case 'site':
        item = { id, name: `SITE-${T}`, lon: s.at[0], lat: s.at[1], population: 40, date: '2026-12-06', source: `SOURCE-${T}`, kind: 'camp', ...mark, updatedMs: 3 };
        break;
      case 'flow':
        item = { id, from: s.at, to: s.to, people: 30, date: '2026-12-06', source: `SOURCE-${T}`, ...mark, updatedMs: 3 };
        break;
      case 'constraint':
        item = { id, status: 'closed', category: 'hostilities', reason: `REASON-${T}`, source: `SOURCE-${T}`, geometry: { type: 'LineString', coordinates: [s.at, s.to] }, verifiedAt: '2026-12-06T10:00:00Z', verifiedBy: `VERIFIER-${T}`, ...mark, updatedMs: 3 };
        break;
      case 'convoy':
        item = {
          id,
          name: `CONVOY-${T}`,
          origin: s.at,
          destination: s.to,
          vehicleClass: '4wd',
          state: 'planned',
          checkpoints: [{ name: `CHECKPOINT-${T}`, at: s.to }],
          contact: `CONTACT-${T}`,
          plates: [`PLATE-${T}`],
          organisation: `ORGANISATION-${T}`,
          ...mark,
          updatedMs: 3,
        };
        if (references) {
          const [plan, unit, after] = [pick(of('plan'), s.picks[0]), pick(of('unit'), s.picks[1]), pick(of('convoy'), s.picks[2])];
          if (plan) item.planId = plan;
          if (unit) [item.leadUnitId, item.unitIds] = [unit, [unit]];
          if (after && after !== id) item.after = after;
        }
        break;
      case 'plan':
        item = { id, name: `PLAN-${T}`, organisation: `ORGANISATION-${T}`, note: `NOTE-${T}`, targetGroups: [{ id: 'children', name: 'Children' }], ...mark, updatedMs: 3 };
        if (references) {
          const haven = pick(of('haven'), s.picks[0]);
          if (haven) item.havenIds = [haven];
        }
        break;
      case 'report':
        item = { id, kind: 'note', unitId: `UNIT-${T}`, at: s.at, accuracy: 8, text: `TEXT-${T}`, timeMs: 1, receivedMs: 2, status: 'unverified', ...mark, updatedMs: 3 };
        break;
    }
    (picture[SLICE[s.kind]] as Record<string, Json>)[id] = item;
  });
  specs.forEach((s, i) => {
    const id = ids[i];
    if (s.kind === 'convoy' && s.corridor) {
      // A corridor re-routed around some zones and constraints, naming them (and one's label) as the router does.
      const named = [...new Set([pick(zones, s.picks[0]), pick(zones, s.picks[1])].filter((z): z is string => z !== undefined))];
      const refs = named.map((z) => ({ kind: kinds.get(z) === 'threat' ? ('zone' as const) : ('constraint' as const), id: z }));
      const label = named[0] && kinds.get(named[0]) === 'threat' ? (picture.threats[named[0]].label as string) : 'no zone';
      const haven = references ? pick(of('haven'), s.picks[2]) : undefined;
      picture.corridors[id] = {
        convoyId: id,
        status: 'ok',
        routes: [{ coordinates: [s.at, s.to], distance_m: 1000, duration_s: 100, exposure_m: 0, min_clearance_m: null }],
        reason: named.length > 0 ? `re-routed around ${named.join(' and ')} (${label}): +2 min` : 'computed',
        why: { code: 'rerouted_around', zones: refs, deltaS: 120 },
        cause: named,
        endangeredBy: refs,
        computedMs: 4,
        ...(haven ? { havenId: haven } : {}),
      };
    }
  });
  picture.seq = 7;
  return { picture, kinds };
}

const worldArb = (references: boolean): fc.Arbitrary<World> =>
  agreementArb.chain((agreement) =>
    fc.array(specArb(agreement), { minLength: 1, maxLength: 14 }).chain((specs) =>
      fc
        .record({
          tokens: tokensArb(specs.length),
          // Recipients of the agreement's organisations, and of one it does not know.
          org: fc.constantFrom(...agreement.organisations.map((o) => o.id), 'STRANGER'),
          role: fc.constantFrom(...ROLES),
        })
        .map(({ tokens, org, role }) => ({ agreement, ...buildPicture(specs, tokens, references), to: { org, role } })),
    ),
  );

// ---------------------------------------------------------------- what the checks read

/** Every position of an item by where it is (`origin`, `checkpoints[0].at`, `area[0][2]`): the fields the policy coarsens. -0 is read as 0. */
function positionsOf(kind: Posted, item: Json): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  const put = (at: string, v: unknown) => {
    if (Array.isArray(v) && typeof v[0] === 'number') out[at] = [v[0] + 0, v[1] + 0];
    else if (Array.isArray(v)) v.forEach((x, i) => put(`${at}[${i}]`, x));
  };
  switch (kind) {
    case 'unit':
    case 'haven':
    case 'site':
      put('lon,lat', [item.lon, item.lat]);
      break;
    case 'flow':
      put('from', item.from);
      put('to', item.to);
      break;
    case 'threat':
      put('geometry', item.geometry?.coordinates);
      put('area', item.area?.coordinates);
      break;
    case 'constraint':
      put('geometry', item.geometry?.coordinates);
      break;
    case 'convoy':
      put('origin', item.origin);
      if (Array.isArray(item.destination)) put('destination', item.destination);
      (item.checkpoints ?? []).forEach((c: Json, i: number) => put(`checkpoints[${i}].at`, c.at));
      break;
    case 'report':
      put('at', item.at);
      break;
    case 'plan':
      break;
  }
  return out;
}

/** The item without its positions (what coarsening must leave as it is). */
function withoutPositions(kind: Posted, item: Json): Json {
  const out = { ...item };
  for (const f of { unit: ['lon', 'lat'], haven: ['lon', 'lat'], site: ['lon', 'lat'], flow: ['from', 'to'], threat: ['geometry', 'area'], constraint: ['geometry'], convoy: ['origin', 'destination', 'checkpoints'], plan: [], report: ['at'] }[kind]) delete out[f];
  return out;
}

/** The agreement as the server holds it, and the policy under it (one per world: worlds are printed plain). */
const sharingOf = new WeakMap<World, SharingAgreement>();
function sharing(w: World): SharingAgreement {
  let s = sharingOf.get(w);
  if (!s) sharingOf.set(w, (s = new SharingAgreement(w.agreement)));
  return s;
}

function policyOf(w: World): { policy: AgreementPolicy; audience: string } {
  return { policy: new AgreementPolicy(sharing(w), () => w.picture), audience: audienceKey(w.to) };
}

/** How SharingAgreement.deliveryOf says the world's recipient receives an item. */
function receives(w: World, kind: Posted, item: Json) {
  return sharing(w).deliveryOf(kind, item, w.to);
}

function* items(w: World): Generator<[id: string, kind: Posted, item: Json]> {
  for (const kind of POSTED) for (const [id, item] of Object.entries(w.picture[SLICE[kind]] as Record<string, Json>)) yield [id, kind, item];
}

/** Every array in a JSON value. */
function* arrays(v: unknown): Generator<unknown[]> {
  if (Array.isArray(v)) {
    yield v;
    for (const x of v) yield* arrays(x);
  } else if (v && typeof v === 'object') for (const x of Object.values(v)) yield* arrays(x);
}

const run = (arb: fc.Arbitrary<World>, check: (w: World) => void) => fc.assert(fc.property(arb, check), { numRuns: RUNS, seed: SEED });

describe('the sharing policy against random agreements, pictures and recipients (issue 13)', () => {
  const plain = worldArb(false);

  it('(a) an audience receives exactly the items SharingAgreement.deliveryOf says it receives: nothing more, nothing less', () => {
    run(plain, (w) => {
      const { policy, audience } = policyOf(w);
      const out = policy.picture(audience, w.picture);
      for (const kind of POSTED) {
        const given = Object.entries(w.picture[SLICE[kind]] as Record<string, Json>).filter(([, item]) => receives(w, kind, item).receives);
        expect(Object.keys(out[SLICE[kind]]).sort(), SLICE[kind]).toEqual(given.map(([id]) => id).sort());
      }
      // A corridor follows its convoy.
      expect(Object.keys(out.corridors).sort()).toEqual(Object.keys(w.picture.corridors).filter((id) => Object.hasOwn(out.convoys, id)).sort());
    });
  });

  it('(b) removed fields are absent, coarsened positions are those coarsen() gives and lie on its grid, and nothing else changes', () => {
    run(plain, (w) => {
      const { policy, audience } = policyOf(w);
      const out = policy.picture(audience, w.picture);
      for (const [id, kind, item] of items(w)) {
        const d = receives(w, kind, item);
        if (!d.receives) continue;
        const got = (out[SLICE[kind]] as Record<string, Json>)[id];
        for (const f of d.remove) expect(got, `${id}.${f}`).not.toHaveProperty(f);
        const kept = withoutPositions(kind, item);
        for (const f of d.remove) delete kept[f];
        expect(withoutPositions(kind, got), id).toEqual(kept);
        const before = positionsOf(kind, item);
        const after = positionsOf(kind, got);
        if (d.coarsenM === undefined) {
          expect(after, id).toEqual(before);
          continue;
        }
        const m = d.coarsenM;
        const coarse = Object.fromEntries(Object.entries(before).map(([at, p]) => [at, coarsen(p, m).map((x) => x + 0)]));
        expect(after, `${kind} ${id} on the ${m} m grid`).toEqual(coarse);
        for (const [at, [lon0, lat0]] of Object.entries(before)) {
          const [lon, lat] = after[at];
          // On the grid: latitude a whole number of steps of m metres, longitude of m metres at the
          // grid's latitude (to the 6 decimals kept), each within half a step of where it was.
          const stepLat = m / 111_320;
          const gridLat = Math.round(lat / stepLat) * stepLat;
          const stepLon = m / (111_320 * Math.max(0.01, Math.cos((gridLat * Math.PI) / 180)));
          // A grid point beyond a pole or the antimeridian is held at the edge (coarsen()).
          if (Math.abs(lat) < 90) expect(Math.abs(lat - gridLat), `${id} ${at} latitude on the grid`).toBeLessThan(1e-6);
          if (Math.abs(lon) < 180) expect(Math.abs(lon - Math.round(lon / stepLon) * stepLon), `${id} ${at} longitude on the grid`).toBeLessThan(1e-6);
          expect(Math.abs(lat - lat0), `${id} ${at} latitude moved`).toBeLessThanOrEqual(stepLat / 2 + 2e-6);
          expect(Math.abs(lon - lon0), `${id} ${at} longitude moved`).toBeLessThanOrEqual(stepLon / 2 + 2e-6);
        }
      }
    });
  });

  it('(b) a coarsened position is still a position: longitude within ±180°, latitude within ±90°', () => {
    run(plain, (w) => {
      const { policy, audience } = policyOf(w);
      const out = policy.picture(audience, w.picture);
      for (const kind of POSTED) {
        for (const [id, got] of Object.entries(out[SLICE[kind]] as Record<string, Json>)) {
          for (const [at, [lon, lat]] of Object.entries(positionsOf(kind, got))) expect({ id, at, lon, lat, valid: Math.abs(lon) <= 180 && Math.abs(lat) <= 90 }).toMatchObject({ valid: true });
        }
      }
    });
  });

  it('(c) the text an audience receives holds no id of a withheld item, no removed text, and its counts are those of what it receives', () => {
    run(plain, (w) => {
      const { policy, audience } = policyOf(w);
      const out = policy.picture(audience, w.picture);
      const text = JSON.stringify(out);
      for (const [id, kind, item] of items(w)) {
        const d = receives(w, kind, item);
        if (!d.receives) {
          expect(text.includes(id), `withheld ${id} in the picture's text`).toBe(false);
          continue;
        }
        for (const f of d.remove) for (const v of [item[f]].flat()) if (typeof v === 'string') expect(text.includes(v), `removed ${id}.${f} in the picture's text`).toBe(false);
      }
      for (const kind of POSTED) {
        const n = [...items(w)].filter(([, k, item]) => k === kind && receives(w, kind, item).receives).length;
        expect(Object.keys(out[SLICE[kind]]).length, `number of ${SLICE[kind]}`).toBe(n);
      }
      // Withheld zones are named "restricted-area" at most once in a list, so their number does not show.
      for (const list of arrays(out)) {
        const named = list.filter((x) => x === RESTRICTED_AREA || (x as Json | null)?.id === RESTRICTED_AREA);
        expect(new Set(named.map((x) => (typeof x === 'string' ? x : (x as Json).kind))).size, JSON.stringify(list)).toBe(named.length);
      }
    });
  });

  it('(d) events: the upsert of a withheld item is not sent, nor the removal of one never seen; those of received items are sent as the picture gives them', () => {
    run(plain, (w) => {
      const { policy, audience } = policyOf(w);
      const out = policy.picture(audience, w.picture);
      let seq = 100;
      for (const [id, kind, item] of items(w)) {
        const d = receives(w, kind, item);
        const got = (out[SLICE[kind]] as Record<string, Json>)[id];
        const was: Json = {};
        if (item.owner !== undefined) was.owner = item.owner;
        if (item.marking !== undefined) was.marking = item.marking;
        if (kind === 'unit') {
          const e = policy.event(audience, { seq: ++seq, timeMs: 1, type: 'position.reported', units: [item] } as PictureEvent) as Json | undefined;
          expect(e && e.units, id).toEqual(d.receives ? [got] : undefined);
          continue;
        }
        const field = KINDS[kind].field;
        const upsert = policy.event(audience, { seq: ++seq, timeMs: 1, type: `${kind}.upserted`, [field]: item } as unknown as PictureEvent) as Json | undefined;
        expect(upsert && upsert[field], `${kind}.upserted ${id}`).toEqual(d.receives ? got : undefined);
        const removal = { seq: ++seq, timeMs: 1, type: `${kind}.removed`, id, ...(KINDS[kind].expires ? { reason: 'deleted' } : {}), was } as unknown as PictureEvent;
        const removed = policy.event(audience, removal) as Json | undefined;
        if (!d.receives) expect(removed, `${kind}.removed ${id}, never seen`).toBeUndefined();
        else {
          expect(removed, `${kind}.removed ${id}, seen`).toMatchObject({ type: `${kind}.removed`, id });
          expect(removed).not.toHaveProperty('was');
        }
        if (kind === 'convoy' && w.picture.corridors[id]) {
          const corridor = policy.event(audience, { seq: ++seq, timeMs: 1, type: 'corridor.recomputed', corridor: w.picture.corridors[id] } as PictureEvent);
          expect(corridor === undefined, `corridor.recomputed of ${id}`).toBe(!d.receives);
        }
      }
    });
  });

  it('(c) an item of another organisation that names others by id (its havens, plan, units, the convoy it follows; the haven a corridor leads to) names none the audience does not receive', () => {
    run(worldArb(true), (w) => {
      const { policy, audience } = policyOf(w);
      const out = policy.picture(audience, w.picture);
      // Its own organisation's items are as it posted them (policy.ts): what they name, it named itself.
      const others = { ...out } as Json;
      for (const kind of POSTED) others[SLICE[kind]] = Object.fromEntries(Object.entries(out[SLICE[kind]] as Record<string, Json>).filter(([, item]) => item.owner !== w.to.org));
      const text = JSON.stringify(others);
      for (const [id, kind, item] of items(w)) if (!receives(w, kind, item).receives) expect(text.includes(id), `withheld ${kind} ${id} named in the picture's text`).toBe(false);
    });
  });
});

describe('failing cases found by the properties, kept as named tests (issue 13)', () => {
  const twoOrgs = (rules: Json[]) =>
    new SharingAgreement(
      parseAgreement(
        JSON.stringify({ name: 'case', markings: ['open'], organisations: [{ id: 'MIL', kind: 'military', defaultMarking: 'open' }, { id: 'NGO', kind: 'humanitarian', defaultMarking: 'open' }], rules }),
      ),
    );

  it('(d) a field report reviewed into a constraint the recipient may not see does not name that constraint (issue 15)', () => {
    const sharing = twoOrgs([
      { kinds: ['constraint'], markings: ['open'], from: { orgKinds: ['military'] }, to: { orgKinds: ['military'] } },
      { kinds: ['report'], markings: ['open'], to: { all: true } },
    ]);
    const p = emptyPicture();
    p.seq = 3;
    p.constraints['ac-secret'] = { id: 'ac-secret', status: 'closed', category: 'hostilities', geometry: { type: 'LineString', coordinates: [[11.96, 57.7], [11.97, 57.7]] }, verifiedAt: '2026-12-06T10:00:00Z', verifiedBy: 'MIL', owner: 'MIL', updatedMs: 1 };
    const report = { id: 'fr-1', kind: 'road-blocked' as const, unitId: 'U1', at: [11.965, 57.7] as [number, number], timeMs: 1, receivedMs: 1, status: 'confirmed' as const, review: { org: 'MIL', role: 'analyst', atMs: 2, constraintId: 'ac-secret' }, owner: 'NGO', updatedMs: 2 };
    p.reports['fr-1'] = report;
    const policy = new AgreementPolicy(sharing, () => p);
    const ngo = policy.picture('field@NGO', p);
    expect(ngo.reports['fr-1'].review).toEqual({ org: 'MIL', role: 'analyst', atMs: 2 });
    expect(JSON.stringify(ngo)).not.toContain('ac-secret');
    expect(JSON.stringify(policy.event('field@NGO', { seq: 4, timeMs: 2, type: 'report.upserted', report }))).not.toContain('ac-secret');
    expect(policy.picture('analyst@MIL', p).reports['fr-1'].review?.constraintId).toBe('ac-secret');
  });

  it("(c) a zone whose label the agreement removes is not named by that label in a corridor's reason (the router names zones \"zone tz-1 (label)\", routing/overlays.ts)", () => {
    const sharing = twoOrgs([
      { kinds: ['threat'], markings: ['open'], to: { all: true }, remove: ['label'] },
      { kinds: ['*'], markings: ['open'], to: { all: true } },
    ]);
    const p = emptyPicture();
    p.seq = 3;
    p.threats['tz-1'] = { id: 'tz-1', severity: 'danger', label: 'Sniper fire', geometry: { type: 'Point', coordinates: [11.97, 57.7] }, radiusM: 100, area: { type: 'Polygon', coordinates: [square([11.97, 57.7])] }, owner: 'MIL', updatedMs: 1 };
    p.convoys['cv-1'] = { id: 'cv-1', name: 'Food', origin: [11.96, 57.69], destination: [11.98, 57.71], vehicleClass: '4wd', state: 'planned', owner: 'MIL', updatedMs: 1 };
    const corridor = { convoyId: 'cv-1', status: 'ok' as const, routes: [], reason: 're-routed around zone tz-1 (Sniper fire): +2 min', why: { code: 'rerouted_around' as const, zones: [{ kind: 'zone' as const, id: 'tz-1' }], deltaS: 120 }, cause: ['tz-1'], computedMs: 2 };
    p.corridors['cv-1'] = corridor;
    const policy = new AgreementPolicy(sharing, () => p);
    const out = policy.picture('viewer@NGO', p);
    expect(out.threats['tz-1']).not.toHaveProperty('label');
    expect(JSON.stringify(out)).not.toContain('Sniper fire');
    expect(JSON.stringify(policy.event('viewer@NGO', { seq: 4, timeMs: 2, type: 'corridor.recomputed', corridor }))).not.toContain('Sniper fire');
  });

  it.each([
    ['a unit in Fiji on a 10 km grid', [179.99, -17.8]],
    ['a unit near the pole on a 10 km grid', [11.9, 89.99]],
  ] as const)('(b) %s stays a position: longitude within ±180°, latitude within ±90°', (_what, at) => {
    const sharing = twoOrgs([{ kinds: ['unit'], markings: ['open'], to: { all: true }, coarsen_m: 10_000 }]);
    const p = emptyPicture();
    p.units['un-1'] = { unitId: 'un-1', lon: at[0], lat: at[1], timeMs: 1, seenMs: 1, owner: 'MIL' };
    const u = new AgreementPolicy(sharing, () => p).picture('viewer@NGO', p).units['un-1'];
    expect({ lon: Math.abs(u.lon) <= 180, lat: Math.abs(u.lat) <= 90 }, `coarsened to [${u.lon}, ${u.lat}]`).toEqual({ lon: true, lat: true });
  });
});

describe('what a rule may remove (issue 13)', () => {
  // What the server sends must keep the contract's schemas (protocol/server-messages.ts), whatever the agreement removes.
  const SCHEMAS: Record<Posted, TObject> = { unit: UnitSchema, threat: ThreatZoneSchema, haven: HavenSchema, site: SiteSchema, flow: FlowSchema, constraint: ConstraintSchema, convoy: ConvoySchema, plan: PlanSchema, report: ReportSchema };
  it.each(POSTED)('no field a rule may remove from a %s is one its wire schema requires', (kind) => {
    const required = new Set(SCHEMAS[kind].required ?? []);
    expect((REMOVABLE_FIELDS[kind] as readonly string[]).filter((f) => required.has(f))).toEqual([]);
  });
});

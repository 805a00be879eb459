// The information-sharing agreement (server/sharing/agreement.ts, issue 13): the exercise's reads; a bad
// one is refused with the file, the line and the field; who receives what, and how, under the exercise's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgreementError, EXERCISE_AGREEMENT_FILE, ITEM_KINDS, loadAgreement, parseAgreement, SharingAgreement } from '../../server/sharing/agreement.js';

const BASE = `name: test
markings: [open, closed]
organisations:
  - { id: A, kind: humanitarian, defaultMarking: open }
  - { id: M, kind: military, defaultMarking: open }
rules:
  - kinds: ['*']
    markings: [open]
    to: { all: true }
`;

function refusal(text: string): AgreementError {
  try {
    parseAgreement(text, 'test.yaml');
  } catch (err) {
    if (err instanceof AgreementError) return err;
    throw err;
  }
  throw new Error('the agreement was accepted');
}

describe('reading an agreement', () => {
  it("reads the exercise's, with the organisations and markings the exercise needs", () => {
    const a = loadAgreement(EXERCISE_AGREEMENT_FILE);
    expect(a.markings).toEqual(['releasable-all', 'humanitarian', 'coalition-only', 'restricted']);
    expect(a.organisations.map((o) => [o.id, o.kind])).toEqual(expect.arrayContaining([['UN-OCHA', 'humanitarian'], ['WFP', 'humanitarian'], ['BLUE-BDE', 'military'], ['CIVPRO', 'civil']]));
  });

  it.each([
    ['a field of the wrong type', BASE.replace('markings: [open, closed]', 'markings: open'), 2, 'markings', /must be an array/],
    ['an unknown kind of organisation', BASE.replace('kind: military', 'kind: navy'), 5, 'organisations[1].kind', /must be one of "humanitarian", "military", "civil", got "navy"/],
    ['a default marking that is not one', BASE.replace('kind: military, defaultMarking: open', 'kind: military, defaultMarking: secret'), 5, 'organisations[1].defaultMarking', /"secret" is not one of the markings \(open, closed\)/],
    ['a rule for an unknown marking', BASE.replace("markings: [open]\n", 'markings: [shut]\n'), 8, 'rules[0].markings[0]', /"shut" is not one of the markings/],
    ['an unknown organisation in a rule', BASE.replace('to: { all: true }', 'to: { orgs: [Z] }'), 9, 'rules[0].to.orgs[0]', /"Z" is not one of the organisations/],
    ['a field a kind does not have', BASE.replace("kinds: ['*']", 'kinds: [unit]').replace('to: { all: true }', 'to: { all: true }\n    remove: [cargo]'), 10, 'rules[0].remove[0]', /"cargo" is not a field that can be removed from a unit \(callsign, heading, speed, accuracy\)/],
    ['an organisation defined twice', BASE.replace('id: M,', 'id: A,'), 5, 'organisations[1].id', /"A" is defined twice/],
    ['a coarsening too fine', BASE.replace('to: { all: true }', 'to: { all: true }\n    coarsen_m: 1'), 10, 'rules[0].coarsen_m', /must be at least 10, got 1/],
    ['a field it does not know', `${BASE}extra: 1\n`, 10, 'extra', /is not a known field/],
    ['text that is not YAML (an unclosed bracket, found at the end)', 'name: [\n', 2, '', /is not valid YAML or JSON/],
    ['a rule with no recipient', BASE.replace('to: { all: true }', 'to: {}'), 9, 'rules[0].to', /names no recipient/],
  ])('refuses %s, naming the line and the field', (_what, text, line, field, reason) => {
    const err = refusal(text);
    expect({ line: err.line, field: err.field }).toEqual({ line, field });
    expect(err.reason).toMatch(reason);
    expect(err.message.startsWith(`test.yaml:${line}: `)).toBe(true);
  });

  it('reads JSON as well', () => {
    const json = JSON.stringify({ name: 'j', markings: ['open'], organisations: [{ id: 'A', kind: 'civil', defaultMarking: 'open' }], rules: [] });
    expect(parseAgreement(json).organisations[0].id).toBe('A');
  });
});

describe("who receives what under the exercise's agreement", () => {
  const sharing = new SharingAgreement(loadAgreement(EXERCISE_AGREEMENT_FILE));
  const humanitarian = [{ org: 'UN-OCHA', role: 'viewer' }, { org: 'WFP', role: 'planner' }, { org: 'MSF', role: 'field' }];

  it('an item marked coalition-only never reaches a humanitarian organisation, whatever its kind, owner or role', () => {
    for (const kind of ITEM_KINDS) for (const to of humanitarian) expect(sharing.delivery({ kind, marking: 'coalition-only', owner: 'BLUE-BDE' }, to)).toEqual({ receives: false });
    expect(sharing.delivery({ kind: 'threat', marking: 'coalition-only', owner: 'BLUE-BDE' }, { org: 'BLUE-BDE', role: 'viewer' }).receives).toBe(true);
  });

  it("military units reach humanitarian organisations coarsened to 1 km without callsign, the civil protection agency 15 minutes late, military ones in full", () => {
    expect(sharing.delivery({ kind: 'unit', marking: 'releasable-all', owner: 'BLUE-BDE' }, { org: 'WFP', role: 'viewer' })).toEqual({ receives: true, remove: ['callsign', 'heading', 'speed'], coarsenM: 1000 });
    expect(sharing.delivery({ kind: 'unit', marking: 'releasable-all', owner: 'BLUE-BDE' }, { org: 'CIVPRO', role: 'viewer' })).toEqual({ receives: true, remove: [], delayMin: 15 });
    // As it is now, a delayed item is withheld; only the delay line's past versions are given.
    expect(sharing.deliveryOf('unit', { owner: 'BLUE-BDE' }, { org: 'CIVPRO', role: 'viewer' })).toEqual({ receives: false });
    expect(sharing.deliveryOf('unit', { owner: 'BLUE-BDE' }, { org: 'CIVPRO', role: 'viewer' }, { delayed: true })).toEqual({ receives: true, remove: [], delayMin: 15 });
    expect(sharing.delaysFor({ org: 'CIVPRO', role: 'viewer' })).toBe(true);
    expect(sharing.delaysFor({ org: 'WFP', role: 'viewer' })).toBe(false);
    expect(sharing.delivery({ kind: 'unit', marking: 'releasable-all', owner: 'BLUE-BDE' }, { org: 'BLUE-BDE', role: 'viewer' })).toEqual({ receives: true, remove: [] });
    expect(sharing.delivery({ kind: 'unit', marking: 'releasable-all', owner: 'WFP' }, { org: 'BLUE-BDE', role: 'viewer' })).toEqual({ receives: true, remove: [] });
  });

  it('restricted: the owner organisation, military analysts and the server administrators only; an owner always receives its own in full', () => {
    expect(sharing.delivery({ kind: 'site', marking: 'restricted', owner: 'WFP' }, { org: 'UN-OCHA', role: 'planner' }).receives).toBe(false);
    expect(sharing.delivery({ kind: 'site', marking: 'restricted', owner: 'WFP' }, { org: 'UN-OCHA', role: 'analyst' }).receives).toBe(false);
    expect(sharing.delivery({ kind: 'site', marking: 'restricted', owner: 'WFP' }, { org: 'BLUE-BDE', role: 'analyst' }).receives).toBe(true);
    expect(sharing.delivery({ kind: 'site', marking: 'restricted', owner: 'WFP' }, { org: 'BLUE-BDE', role: 'viewer' }).receives).toBe(false);
    expect(sharing.delivery({ kind: 'site', marking: 'restricted', owner: 'WFP' }, { org: 'admin', role: 'admin' }).receives).toBe(true);
    expect(sharing.delivery({ kind: 'unit', marking: 'coalition-only', owner: 'BLUE-BDE' }, { org: 'admin', role: 'admin' }).receives).toBe(true);
    expect(sharing.receivesAll({ org: 'admin', role: 'admin' })).toBe(true);
    expect(sharing.receivesAll({ org: 'BLUE-BDE', role: 'analyst' })).toBe(false);
    expect(sharing.receivesAll({ org: 'WFP', role: 'admin' })).toBe(false);
    // An administrator's role in another organisation is no key to everything.
    expect(sharing.delivery({ kind: 'unit', marking: 'coalition-only', owner: 'BLUE-BDE' }, { org: 'WFP', role: 'admin' }).receives).toBe(false);
    expect(sharing.delivery({ kind: 'site', marking: 'restricted', owner: 'WFP' }, { org: 'WFP', role: 'field' })).toEqual({ receives: true, remove: [] });
  });

  it('a post takes its organisation default, may raise it, never lower it, nor mark what its organisation may not see', () => {
    expect(sharing.markingOf('MSF', 'planner', 'site', undefined)).toEqual({ marking: 'humanitarian' });
    expect(sharing.markingOf('WFP', 'planner', 'site', 'humanitarian')).toEqual({ marking: 'humanitarian' });
    expect(sharing.markingOf('MSF', 'planner', 'site', 'releasable-all')).toMatchObject({ error: expect.stringMatching(/below MSF's default marking "humanitarian"/) });
    expect(sharing.markingOf('WFP', 'planner', 'threat', 'coalition-only')).toMatchObject({ error: expect.stringMatching(/WFP may not itself see items marked "coalition-only"/) });
    expect(sharing.markingOf('NOBODY', 'planner', 'threat', undefined)).toMatchObject({ error: expect.stringMatching(/not in the sharing agreement/) });
  });

  it('property: roles of one organisation receive alike, but for restricted items (military analysts); an owner always receives; coalition-only never reaches a humanitarian organisation', () => {
    const orgs = sharing.agreement.organisations.map((o) => o.id);
    fc.assert(
      fc.property(fc.constantFrom(...ITEM_KINDS), fc.constantFrom(...sharing.agreement.markings), fc.constantFrom(...orgs), fc.constantFrom(...orgs), (kind, marking, owner, to) => {
        const roles = ['field', 'planner', 'analyst', 'viewer'];
        const got = roles.map((role) => sharing.delivery({ kind, marking, owner }, { org: to, role }).receives);
        if (marking !== 'restricted') expect(new Set(got).size).toBe(1);
        else if (owner !== to) expect(got).toEqual(roles.map((role) => role === 'analyst' && sharing.organisation(to)?.kind === 'military'));
        if (owner === to) expect(got.every(Boolean)).toBe(true);
        if (marking === 'coalition-only' && sharing.organisation(to)?.kind === 'humanitarian' && owner !== to) expect(got.some(Boolean)).toBe(false);
      }),
    );
  });
});

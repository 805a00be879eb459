// The order a plan's convoys leave in (plan-book.ts): property-tested on random sequences, and the
// figures of its people by target group.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayUse, planFigures, sequenceOf, type Convoy, type Plan } from '@corridor/protocol';

const convoy = (id: string, extra: Partial<Convoy> = {}): Convoy => ({ id, name: id, origin: [0, 0], destination: 'nearest-haven', vehicleClass: '4wd', state: 'planned', updatedMs: 0, ...extra });

describe('sequenceOf', () => {
  it('lists every convoy once, each after the one it names, whatever the links (loops included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ after: fc.option(fc.nat(9), { nil: undefined }), priority: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }) }), { minLength: 1, maxLength: 10 }),
        (specs) => {
          const convoys = specs.map((s, i) => convoy(`c${i}`, { ...(s.after !== undefined ? { after: `c${s.after}` } : {}), ...(s.priority !== undefined ? { priority: s.priority } : {}) }));
          const order = sequenceOf(convoys);
          expect([...order].sort()).toEqual(convoys.map((c) => c.id).sort());
          // Where the links make no loop, a convoy comes after the one it names.
          const inLoop = (c: Convoy) => {
            const seen = new Set<string>();
            for (let at: Convoy | undefined = c; at; at = convoys.find((x) => x.id === at!.after)) {
              if (seen.has(at.id)) return true;
              seen.add(at.id);
            }
            return false;
          };
          for (const c of convoys) {
            if (c.after === undefined || inLoop(c) || !convoys.some((x) => x.id === c.after)) continue;
            expect(order.indexOf(c.after)).toBeLessThan(order.indexOf(c.id));
          }
        },
      ),
    );
  });

  it('puts priority 1 first, then the earlier departure, then the name', () => {
    const order = sequenceOf([
      convoy('c', { priority: 2 }),
      convoy('b', { priority: 1, departure: '2026-12-06T10:00:00Z' }),
      convoy('a', { priority: 1, departure: '2026-12-06T11:00:00Z' }),
      convoy('d', { after: 'a', priority: 5 }),
    ]);
    expect(order).toEqual(['b', 'a', 'd', 'c']);
  });
});

describe('planFigures', () => {
  const plan: Plan = { id: 'pl-1', name: 'P', targetGroups: [{ id: 'med', name: 'Medical' }, { id: 'fam', name: 'Families' }], updatedMs: 0 };
  it('counts people by group and by where their convoy is; people named by no group as other; which convoys wait', () => {
    const convoys = Object.fromEntries(
      [
        convoy('a', { planId: 'pl-1', peopleByGroup: { med: 5, fam: 10 }, people: 15, state: 'moving' }),
        convoy('b', { planId: 'pl-1', peopleByGroup: { fam: 7 }, people: 7, state: 'approved', after: 'c' }),
        convoy('c', { planId: 'pl-1', people: 4, state: 'planned' }),
        convoy('d', { planId: 'pl-1', peopleByGroup: { med: 2 }, people: 2, state: 'arrived' }),
        convoy('e', { people: 100, state: 'planned' }),
      ].map((c) => [c.id, c]),
    );
    const f = planFigures(plan, { convoys });
    expect(f.groups).toEqual([
      { id: 'med', name: 'Medical', waiting: 0, underWay: 5, arrived: 2, aborted: 0 },
      { id: 'fam', name: 'Families', waiting: 7, underWay: 10, arrived: 0, aborted: 0 },
      { id: 'other', name: '', waiting: 4, underWay: 0, arrived: 0, aborted: 0 },
    ]);
    expect(f.waitingFor).toEqual({ b: 'c' });
    expect(f.order).not.toContain('e');
  });

  it('mayUse: a plan that names havens limits its convoys to them; no plan or no list, any', () => {
    const plans = { 'pl-1': { ...plan, havenIds: ['hv-a'] }, 'pl-2': plan };
    expect(mayUse({ planId: 'pl-1' }, plans)('hv-b')).toBe(false);
    expect(mayUse({ planId: 'pl-1' }, plans)('hv-a')).toBe(true);
    expect(mayUse({ planId: 'pl-2' }, plans)('hv-b')).toBe(true);
    expect(mayUse({}, plans)('hv-b')).toBe(true);
  });
});

// Evacuation plans in the page (test/client → client/src/ui): target groups typed one per line keep their
// ids across edits, UTC date inputs, and the server's refusals worded in the page's language by their code.
import { describe, expect, it } from 'vitest';
import { groupId, groupsOf } from '../../client/src/ui/EvacuationPlans.js';
import { errorText } from '../../client/src/ui/error-text.js';
import { isoToUtcInput, utcInputToIso } from '../../client/src/ui/PlanConvoy.js';
import { EN, plain, wordsOf } from './words-fixture.js';

describe('target groups typed one per line', () => {
  it('makes ids from names, unique, and a fallback for names of no Latin letter', () => {
    expect(groupId('Medical cases', new Set())).toBe('medical-cases');
    expect(groupId('Personnes âgées', new Set())).toBe('personnes-agees');
    expect(groupId('Medical cases', new Set(['medical-cases']))).toBe('medical-cases-2');
    expect(groupId('حالات طبية', new Set())).toBe('group');
    expect(groupId('حالات طبية', new Set(['group']))).toBe('group-2');
  });

  it('keeps the id of a group whose name stays, whatever its place; blank lines are dropped', () => {
    const before = groupsOf('Medical cases\nFamilies');
    expect(before).toEqual([
      { id: 'medical-cases', name: 'Medical cases' },
      { id: 'families', name: 'Families' },
    ]);
    const after = groupsOf('Unaccompanied children\n\n  Families \nMedical cases', before);
    expect(after).toEqual([
      { id: 'unaccompanied-children', name: 'Unaccompanied children' },
      { id: 'families', name: 'Families' },
      { id: 'medical-cases', name: 'Medical cases' },
    ]);
    // Two groups of one name still get two ids.
    expect(new Set(groupsOf('A\nA').map((g) => g.id)).size).toBe(2);
  });
});

describe('UTC date inputs', () => {
  it('reads a datetime-local value as UTC and writes one back', () => {
    expect(utcInputToIso('2026-12-06T14:30')).toBe('2026-12-06T14:30:00Z');
    expect(utcInputToIso('')).toBeUndefined();
    expect(isoToUtcInput('2026-12-06T14:30:00Z')).toBe('2026-12-06T14:30');
    expect(isoToUtcInput('2026-12-06T16:30:00+02:00')).toBe('2026-12-06T14:30');
    expect(isoToUtcInput(undefined)).toBe('');
  });
});

describe("the server's refusals in the page's language", () => {
  it('words each code a planner meets, naming the field, never the English sentence', () => {
    expect(errorText({ code: 'out_of_sequence', path: 'to' }, EN)).toBe('The convoy it leaves after has not departed yet.');
    expect(plain(errorText({ code: 'invalid', path: 'peopleByGroup.elderly' }, EN))).toBe('Check the field peopleByGroup.elderly.');
    expect(errorText({ code: 'outside_window', path: 'to' }, wordsOf('fr'))).toMatch(/^Nous sommes hors du créneau/);
    expect(errorText({ code: 'in_use', path: 'id' }, wordsOf('ar'))).toMatch(/خطة/);
    expect(errorText({ code: 'internal', path: '' }, EN)).toBe('The server refused it (internal).');
  });
});

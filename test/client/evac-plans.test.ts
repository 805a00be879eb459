// Evacuation plans in the page (test/client → client/src/ui): target groups typed one per line keep their
// ids across edits, UTC date inputs, the server's refusals worded in the page's language by their code, and
// the commands that edit a zone or a constraint.
import { describe, expect, it } from 'vitest';
import { groupId, groupsOf } from '../../client/src/ui/EvacuationPlans.js';
import { errorText } from '../../client/src/ui/error-text.js';
import { constraintEdit, zoneEdit } from '../../client/src/ui/EditZone.js';
import type { Constraint, ThreatZone } from '@corridor/protocol';
import { validateCommand } from '@corridor/protocol/validate';
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

describe('editing a zone or a constraint keeps its shape and id', () => {
  const NOW = Date.parse('2026-12-06T10:00:00Z');
  const zone: ThreatZone = { id: 'tz-1', severity: 'danger', label: 'Plume', source: 'Rescue 61', radiusM: 300, geometry: { type: 'Point', coordinates: [11.96, 57.72] }, area: { type: 'Polygon', coordinates: [] }, validUntilMs: NOW + 3_600_000, updatedMs: 1 };
  it('a zone: new severity and label, the same point and radius, validity kept unless set', () => {
    const cmd = zoneEdit(zone, { severity: 'no-go', label: ' Plume (growing) ', source: 'Rescue 61', validForMin: '' }, NOW);
    expect(validateCommand(cmd, NOW)).toMatchObject({ ok: true });
    expect(cmd).toMatchObject({ type: 'threat.upsert', feature: { geometry: zone.geometry, properties: { id: 'tz-1', severity: 'no-go', label: 'Plume (growing)', radius_m: 300, validUntil: '2026-12-06T11:00:00.000Z' } } });
    const renewed = zoneEdit(zone, { severity: 'danger', label: '', source: '', validForMin: '30' }, NOW) as { feature: { properties: Record<string, unknown> } };
    expect(renewed.feature.properties).toEqual({ id: 'tz-1', severity: 'danger', radius_m: 300, validUntil: '2026-12-06T10:30:00.000Z' });
  });
  it('a constraint: new status, category and reason, verified now by the editor', () => {
    const c: Constraint = { id: 'ac-1', status: 'closed', category: 'physical-environment', reason: 'Fire', geometry: { type: 'LineString', coordinates: [[11.98, 57.72], [11.99, 57.73]] }, verifiedAt: '2026-12-06T09:00:00Z', verifiedBy: 'Police', updatedMs: 1 };
    const cmd = constraintEdit(c, { status: 'restricted', category: 'hostilities', reason: 'One bore open' }, 'WFP', NOW);
    expect(validateCommand(cmd, NOW)).toMatchObject({ ok: true });
    expect(cmd).toMatchObject({ constraint: { id: 'ac-1', status: 'restricted', category: 'hostilities', reason: 'One bore open', geometry: c.geometry, verifiedAt: '2026-12-06T10:00:00.000Z', verifiedBy: 'WFP' } });
  });
});

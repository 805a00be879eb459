// Unit tests of server/core/commands.ts: commands normalised into log events (ids, circles, times, defaults).
import { area, booleanPointInPolygon, distance } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { commandToEvent, newId, type Command, type CommandContext, type EntitySlice } from '../../server/core/commands.js';
import type { EventOf } from '@corridor/protocol';

const NOW = Date.parse('2026-11-21T10:00:00Z');
function ctx(existing: Array<[EntitySlice, string]> = []): CommandContext {
  let n = 0;
  const set = new Set(existing.map(([s, id]) => `${s}:${id}`));
  return {
    nowMs: NOW,
    actor: { tokenId: 'tk-1', org: 'wfp', role: 'analyst' },
    exists: (slice, id) => set.has(`${slice}:${id}`),
    newId: (prefix) => `${prefix}${++n}`,
    convoyState: (id) => (set.has(`convoys:${id}`) ? 'planned' : undefined),
    alertStanding: (id) => (set.has(`alerts:${id}`) ? 'unacknowledged' : set.has(`alerts-acked:${id}`) ? 'acknowledged' : undefined),
    proposalOf: () => undefined,
  };
}
function event<T extends EventOf<any>['type']>(cmd: Command, c = ctx()): EventOf<T> {
  const r = commandToEvent(cmd, c);
  if (!r.ok) throw new Error(`refused: ${r.error.message}`);
  return r.event as unknown as EventOf<T>;
}

describe('commandToEvent', () => {
  it('turns a position into a unit fix: time → timeMs, seenMs = receipt, no undefined keys', () => {
    const e = event<'position.reported'>({ type: 'position', msgId: 'm1', unitId: 'u1', lon: 11.96, lat: 57.7, time: '2026-11-21T09:59:00Z' });
    expect(e.type).toBe('position.reported');
    expect(e.msgId).toBe('m1');
    expect(e.actor?.tokenId).toBe('tk-1');
    // The unit names its owner, the organisation of the token that reported it (issue 13).
    expect(e.units).toEqual([{ unitId: 'u1', lon: 11.96, lat: 57.7, timeMs: NOW - 60_000, seenMs: NOW, owner: 'wfp' }]);
    expect(Object.keys(e.units[0])).not.toContain('heading');
  });

  it("a TAK unit's report keeps its CoT type and its sender's stale time", () => {
    const e = event<'position.reported'>({ type: 'position', msgId: 'm2', unitId: 'ANDROID-1', lon: 11.96, lat: 57.7, cotType: 'a-f-G-U-C', stale: '2026-11-21T10:05:00Z' });
    expect(e.units[0]).toMatchObject({ cotType: 'a-f-G-U-C', staleMs: NOW + 300_000 });
  });

  it("a unit's emergency: raised once while open, ended by its cancel, with where and what the unit said", () => {
    const raise = { type: 'unit.alert' as const, msgId: 'e1', unitId: 'ANDROID-1', kind: 'emergency' as const, at: [11.96, 57.7] as [number, number], text: '911 Alert', callsign: 'BRAVO' };
    const raised = event<'alert.raised'>(raise);
    expect(raised.alert).toEqual({ id: 'al-emergency-ANDROID-1', unitId: 'ANDROID-1', kind: 'emergency', raisedMs: NOW, owner: 'wfp', detail: { at: [11.96, 57.7], text: '911 Alert', callsign: 'BRAVO' } });
    const open = ctx([['alerts' as EntitySlice, 'al-emergency-ANDROID-1']]);
    expect(commandToEvent(raise, open)).toMatchObject({ ok: false, error: { code: 'invalid', path: 'unitId' } });
    expect(event<'alert.cleared'>({ ...raise, cancel: true }, open)).toMatchObject({ type: 'alert.cleared', id: 'al-emergency-ANDROID-1', reason: 'cause_ended' });
    expect(commandToEvent({ ...raise, cancel: true }, ctx())).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('defaults a position without time to the receipt time', () => {
    const e = event<'position.reported'>({ type: 'positions', reports: [{ unitId: 'a', lon: 1, lat: 2 }, { unitId: 'b', lon: 3, lat: 4, heading: 90 }] });
    expect(e.units.map((u) => u.timeMs)).toEqual([NOW, NOW]);
    expect(e.units[1].heading).toBe(90);
  });

  it('buffers a Point threat into a 64-step circle of radius_m and converts validUntil', () => {
    const e = event<'threat.upserted'>({
      type: 'threat.upsert',
      feature: {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [11.966, 57.702] },
        properties: { severity: 'no-go', radius_m: 500, validUntil: '2026-11-21T12:00:00Z' },
      },
    });
    const z = e.zone;
    expect(z.id).toBe('tz-1');
    expect(z.validUntilMs).toBe(NOW + 2 * 3600_000);
    expect(z.area.type).toBe('Polygon');
    const ring = (z.area as { coordinates: [number, number][][] }).coordinates[0];
    expect(ring).toHaveLength(65); // 64 steps + closing position
    const d = distance([11.966, 57.702], ring[10], { units: 'meters' });
    expect(d).toBeGreaterThan(495);
    expect(d).toBeLessThan(505);
    expect(booleanPointInPolygon([11.966, 57.702], z.area)).toBe(true);
    expect(area(z.area)).toBeGreaterThan(Math.PI * 500 * 500 * 0.98);
  });

  it('keeps a polygon threat as its own area and takes its id from properties, then feature.id', () => {
    const square = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]] as [number, number][]] };
    const a = event<'threat.upserted'>({ type: 'threat.upsert', feature: { type: 'Feature', id: 7, geometry: square, properties: { severity: 'danger' } } });
    expect(a.zone.id).toBe('7');
    expect(a.zone.area).toBe(square);
    const b = event<'threat.upserted'>({ type: 'threat.upsert', feature: { type: 'Feature', id: 7, geometry: square, properties: { id: 'tz-x', severity: 'danger' } } });
    expect(b.zone.id).toBe('tz-x');
  });

  it('applies haven and convoy defaults and kind prefixes', () => {
    const h = event<'haven.upserted'>({ type: 'haven.upsert', haven: { name: 'School', lon: 1, lat: 2, capacity: 100, status: 'open' } });
    expect(h.haven).toMatchObject({ id: 'hv-1', occupancy: 0, updatedMs: NOW });
    const c = event<'convoy.upserted'>({ type: 'convoy.upsert', convoy: { name: 'C1', origin: [1, 2], destination: 'nearest-haven' } });
    expect(c.convoy).toMatchObject({ id: 'cv-1', vehicleClass: '4wd', state: 'planned' });
    const s = event<'site.upserted'>({ type: 'site.upsert', site: { name: 'S', lon: 1, lat: 2, population: 5, date: '2026-11-01', source: 'DTM' } });
    expect(s.site.id).toBe('st-1');
    const f = event<'flow.upserted'>({ type: 'flow.upsert', flow: { from: [1, 2], to: [3, 4], people: 5, date: '2026-11-01', source: 'DTM' } });
    expect(f.flow.id).toBe('fl-1');
    const k = event<'constraint.upserted'>({
      type: 'constraint.upsert',
      constraint: {
        status: 'closed',
        category: 'hostilities',
        geometry: { type: 'LineString', coordinates: [[1, 2], [3, 4]] },
        verifiedAt: '2026-11-21T09:00:00Z',
        verifiedBy: 'OCHA',
      },
    });
    expect(k.constraint.id).toBe('ac-1');
  });

  it('refuses the removal of an unknown id with not_found, and accepts a known one', () => {
    for (const [type, slice] of [
      ['threat.remove', 'threats'],
      ['haven.remove', 'havens'],
      ['site.remove', 'sites'],
      ['flow.remove', 'flows'],
      ['constraint.remove', 'constraints'],
      ['convoy.remove', 'convoys'],
    ] as const) {
      const missing = commandToEvent({ type, id: 'x-1' }, ctx());
      expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', path: 'id' } });
      const found = commandToEvent({ type, id: 'x-1' }, ctx([[slice, 'x-1']]));
      expect(found.ok).toBe(true);
    }
    const removed = event<'threat.removed'>({ type: 'threat.remove', id: 'tz-9' }, ctx([['threats', 'tz-9']]));
    expect(removed.reason).toBe('deleted');
  });
});

describe('newId', () => {
  it('makes prefixed ids that sort by creation time', () => {
    const a = newId('tz-', 1_000_000);
    const b = newId('tz-', 2_000_000);
    expect(a).toMatch(/^tz-[0-9a-z]{18}$/);
    expect(a < b).toBe(true);
    expect(newId('cv-')).not.toBe(newId('cv-'));
  });
});

// The field unit's view (server/out/field-view.ts, issue 15): only what concerns the unit, from the
// picture its audience may see.
import { describe, expect, it } from 'vitest';
import { decodeLine, emptyPicture, type Convoy, type Picture, type ThreatZone } from '@corridor/protocol';
import { convoyOfUnit, fieldView } from '../../server/out/field-view.js';

const HERE: [number, number] = [11.966, 57.708];

function zone(id: string, at: [number, number], d = 0.002): ThreatZone {
  const ring: [number, number][] = [
    [at[0] - d, at[1] - d],
    [at[0] + d, at[1] - d],
    [at[0] + d, at[1] + d],
    [at[0] - d, at[1] + d],
    [at[0] - d, at[1] - d],
  ];
  return { id, severity: 'danger', geometry: { type: 'Polygon', coordinates: [ring] }, area: { type: 'Polygon', coordinates: [ring] }, updatedMs: 1 };
}

function convoy(id: string, state: Convoy['state'], extra: Partial<Convoy> = {}): Convoy {
  return { id, name: id.toUpperCase(), origin: HERE, destination: [11.97, 57.7], vehicleClass: '4wd', state, updatedMs: 1, ...extra };
}

function picture(): Picture {
  const p = emptyPicture();
  p.units.U1 = { unitId: 'U1', lon: HERE[0], lat: HERE[1], timeMs: 1, seenMs: 1 };
  p.units.U2 = { unitId: 'U2', lon: 11.967, lat: 57.709, timeMs: 1, seenMs: 1, callsign: 'TWO' };
  p.units.FAR = { unitId: 'FAR', lon: 12.9, lat: 57.9, timeMs: 1, seenMs: 1 };
  p.threats['tz-near'] = zone('tz-near', [11.966, 57.72]); // about 1.3 km north
  p.threats['tz-far'] = zone('tz-far', [12.5, 57.9]);
  return p;
}

describe('fieldView', () => {
  it('sends zones within the radius, not beyond, and nothing of other units unless asked', () => {
    const view = fieldView(picture(), { unitId: 'U1', radiusM: 5000, units: false });
    expect([...view.keys()].sort()).toEqual(['z:tz-near']);
    const tight = fieldView(picture(), { unitId: 'U1', radiusM: 1000, units: false });
    expect(tight.has('z:tz-near')).toBe(false);
    const withUnits = fieldView(picture(), { unitId: 'U1', radiusM: 5000, units: true });
    expect(withUnits.get('u:U2')).toEqual({ k: 'unit', id: 'U2', at: [11.967, 57.709], timeMs: 1, callsign: 'TWO' });
    expect(withUnits.has('u:FAR')).toBe(false);
    expect(withUnits.has('u:U1')).toBe(false);
  });

  it('sends a zone cutting its way ahead however far, and its convoy with the route, haven and checkpoints ahead', () => {
    const p = picture();
    p.convoys['cv-1'] = convoy('cv-1', 'moving', { leadUnitId: 'U1' });
    p.havens['hv-1'] = { id: 'hv-1', name: 'Ullevi', lon: 11.97, lat: 57.7, capacity: 100, occupancy: 0, status: 'open', updatedMs: 1 };
    const route: [number, number][] = [HERE, [11.968, 57.704], [11.97, 57.7]];
    p.corridors['cv-1'] = { convoyId: 'cv-1', status: 'ok', havenId: 'hv-1', routes: [{ coordinates: route, distance_m: 1234.4, duration_s: 180.6, exposure_m: 0, min_clearance_m: null }], reason: '', computedMs: 1, endangeredBy: [{ kind: 'zone', id: 'tz-far' }] };
    p.tracks['cv-1'] = {
      convoyId: 'cv-1',
      unitId: 'U1',
      at: HERE,
      timeMs: 1,
      progress: { done_m: 124, left_m: 1110 },
      doneBefore_m: 0,
      offset_m: 0,
      etaMs: 1_000_014_000,
      checkpoints: [
        { name: '', end: 'origin', at: HERE, along_m: 0, offset_m: 0 },
        { name: 'Bridge', at: [11.968, 57.704], along_m: 600, offset_m: 0 },
        { name: '', end: 'destination', at: [11.97, 57.7], along_m: 1234, offset_m: 0 },
      ],
      passed: [{ index: 0, name: '', atMs: 1 }],
      recent: [],
      routeKey: 'k',
    };
    const view = fieldView(p, { unitId: 'U1', radiusM: 5000, units: false });
    expect(view.has('z:tz-far')).toBe(true);
    const c = view.get('convoy');
    expect(c).toMatchObject({ k: 'convoy', id: 'cv-1', state: 'moving', status: 'ok', distanceM: 1234, durationS: 181, unsafe: ['tz-far'], haven: { name: 'Ullevi', at: [11.97, 57.7], status: 'open' } });
    expect(c?.k === 'convoy' && c.ahead).toEqual([
      { name: 'Bridge', at: [11.968, 57.704], alongM: 600 },
      { name: 'Ullevi', at: [11.97, 57.7], alongM: 1234 },
    ]);
    expect(c?.k === 'convoy' && decodeLine(c.route!)).toEqual(route);
    // Progress rounded, so a few metres more is not a message.
    expect(view.get('progress')).toEqual({ k: 'progress', convoyId: 'cv-1', doneM: 100, leftM: 1100, etaMs: 1_000_020_000 });
  });

  it("sends the road network's tagged roads within the radius as constraints, not those beyond (issue 16)", () => {
    const road = (id: string, at: [number, number]) => ({ id, status: 'closed' as const, category: 'physical-environment', geometry: { type: 'LineString' as const, coordinates: [at, [at[0] + 0.001, at[1]]] as [number, number][] } });
    const view = fieldView(picture(), { unitId: 'U1', radiusM: 2000, units: false }, [road('ac-osm-w1', [11.967, 57.71]), road('ac-osm-w2', [12.5, 57.9])]);
    expect(view.get('c:ac-osm-w1')).toMatchObject({ k: 'constraint', id: 'ac-osm-w1', status: 'closed', category: 'physical-environment' });
    expect(decodeLine((view.get('c:ac-osm-w1') as { lines: string[] }).lines[0])[0]).toEqual([11.967, 57.71]);
    expect(view.has('c:ac-osm-w2')).toBe(false);
  });

  it('picks the convoy a unit travels with: under way before planned, ended ones never', () => {
    const p = picture();
    p.convoys.a = convoy('a', 'planned', { leadUnitId: 'U1', updatedMs: 5 });
    p.convoys.b = convoy('b', 'moving', { unitIds: ['U1'], updatedMs: 2 });
    p.convoys.c = convoy('c', 'arrived', { leadUnitId: 'U1', updatedMs: 9 });
    expect(convoyOfUnit(p, 'U1')?.id).toBe('b');
    p.convoys.b = convoy('b', 'aborted', { unitIds: ['U1'] });
    expect(convoyOfUnit(p, 'U1')?.id).toBe('a');
    expect(convoyOfUnit(p, 'U2')).toBeUndefined();
  });

  it('sends its own alerts and reports only', () => {
    const p = picture();
    p.alerts['al-1'] = { id: 'al-1', unitId: 'U1', kind: 'casevac', raisedMs: 5, detail: { text: '2 wounded' } };
    p.alerts['al-2'] = { id: 'al-2', unitId: 'U2', kind: 'emergency', raisedMs: 5, detail: {} };
    p.alerts['al-3'] = { id: 'al-3', unitId: 'U1', kind: 'emergency', raisedMs: 5, detail: {}, clearedMs: 6 };
    p.reports['fr-1'] = { id: 'fr-1', kind: 'note', unitId: 'U1', at: HERE, text: 'x', timeMs: 3, receivedMs: 3, status: 'confirmed', review: { org: 'OCHA', role: 'analyst', atMs: 4, remark: 'Thanks' }, updatedMs: 4 };
    p.reports['fr-2'] = { id: 'fr-2', kind: 'note', unitId: 'U2', at: HERE, text: 'y', timeMs: 3, receivedMs: 3, status: 'unverified', updatedMs: 3 };
    const view = fieldView(p, { unitId: 'U1', radiusM: 500, units: false });
    expect([...view.keys()].sort()).toEqual(['a:al-1', 'r:fr-1']);
    expect(view.get('a:al-1')).toEqual({ k: 'alert', id: 'al-1', kind: 'casevac', raisedMs: 5, text: '2 wounded' });
    expect(view.get('r:fr-1')).toEqual({ k: 'report', id: 'fr-1', kind: 'note', status: 'confirmed', timeMs: 3, remark: 'Thanks' });
  });
});

// Layer props tests (test/client → client/src/layers): stable data identity, stale styling, severity colours.
import { describe, expect, it } from 'vitest';
import { applyEvents } from '@corridor/protocol';
import { emptyPicture, type Picture, type PictureEvent, type ThreatZone, type Unit } from '@corridor/protocol';
import { convoyLabel, convoyMarks, corridorBestProps, corridorAltProps } from '../../client/src/layers/corridor-layers.js';
import { havenIconProps, havenLabel } from '../../client/src/layers/haven-layers.js';
import { occupancyTenths } from '../../client/src/layers/icons.js';
import { SEVERITY_COLORS, STALE_COLOR, LABEL_COLOR } from '../../client/src/layers/palette.js';
import { siteCircleProps, siteRadiusPx, bearingDeg } from '../../client/src/layers/site-layers.js';
import { threatZoneProps, zoneFillColor, zoneLabel, zoneLineColor, labelPoint } from '../../client/src/layers/threat-layers.js';
import { staleKey, unitLabel, unitLabelTexts, unitSymbolProps, unitList } from '../../client/src/layers/unit-layers.js';
import type { PlacedLabel } from '../../client/src/layers/label-placement.js';
import { labelLook } from '../../client/src/layers/label-look.js';
import { EN } from './words-fixture.js';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const square = (lon: number, lat: number, d = 0.01): [number, number][][] => [
  [
    [lon, lat],
    [lon + d, lat],
    [lon + d, lat + d],
    [lon, lat + d],
    [lon, lat],
  ],
];
const zone = (id: string, severity: ThreatZone['severity'], label?: string): ThreatZone => ({
  id,
  severity,
  label,
  geometry: { type: 'Polygon', coordinates: square(11.95, 57.7) },
  area: { type: 'Polygon', coordinates: square(11.95, 57.7) },
  updatedMs: T0,
});
const unit = (unitId: string, lon: number, seenMs: number, extra: Partial<Unit> = {}): Unit => ({
  unitId,
  lon,
  lat: 57.7,
  timeMs: seenMs,
  seenMs,
  ...extra,
});

let seq = 0;
const ev = <E extends Omit<PictureEvent, 'seq' | 'timeMs'>>(e: E) => ({ ...e, seq: ++seq, timeMs: T0 + seq }) as unknown as PictureEvent;

function basePicture(): Picture {
  seq = 0;
  return applyEvents(emptyPicture(), [
    ev({ type: 'position.reported', units: [unit('u-1', 11.96, T0, { callsign: 'BRAVO 1', affiliation: 'military', heading: 90 }), unit('u-2', 11.97, T0 - 120_000, { callsign: 'WFP LOG 2', affiliation: 'humanitarian' })] }),
    ev({ type: 'threat.upserted', zone: zone('tz-1', 'no-go', 'Bridge collapse') }),
    ev({ type: 'threat.upserted', zone: zone('tz-2', 'advisory') }),
    ev({ type: 'haven.upserted', haven: { id: 'hv-1', name: 'Ullevi', lon: 11.98, lat: 57.71, capacity: 500, occupancy: 340, status: 'open', updatedMs: T0 } }),
    ev({ type: 'site.upserted', site: { id: 'st-1', name: 'Backaplan', lon: 11.95, lat: 57.72, population: 10_000, date: '2026-11-21', source: 'test', updatedMs: T0 } }),
  ]);
}

describe('stable data identity (STYLE: layers redraw only what moved)', () => {
  it('keeps threat, haven and site data arrays when only units move', () => {
    const p1 = basePicture();
    const p2 = applyEvents(p1, [ev({ type: 'position.reported', units: [unit('u-1', 11.961, T0 + 5000)] })]);
    expect(p2.units).not.toBe(p1.units);
    expect(threatZoneProps(p2.threats).data).toBe(threatZoneProps(p1.threats).data);
    expect(havenIconProps(p2.havens).data).toBe(havenIconProps(p1.havens).data);
    expect(siteCircleProps(p2.sites).data).toBe(siteCircleProps(p1.sites).data);
    expect(corridorBestProps(p2.convoys, p2.corridors).data).toBe(corridorBestProps(p1.convoys, p1.corridors).data);
    expect(convoyMarks(p2.convoys, p2.corridors)).toBe(convoyMarks(p1.convoys, p1.corridors));
    // The units layer does get new data, with the moved position.
    const moved = unitSymbolProps(p2.units, { nowMs: T0, staleAfterMs: 60_000 }).data as Unit[];
    expect(moved).not.toBe(unitSymbolProps(p1.units, { nowMs: T0, staleAfterMs: 60_000 }).data);
    expect(moved.find((u) => u.unitId === 'u-1')!.lon).toBe(11.961);
    // The callsign sent earlier is kept on the moved unit (apply-event keeps the last known one).
    expect(moved.find((u) => u.unitId === 'u-1')!.callsign).toBe('BRAVO 1');
  });

  it('gives new threat data when a zone changes, and the same data for the same slice on every call', () => {
    const p1 = basePicture();
    expect(threatZoneProps(p1.threats).data).toBe(threatZoneProps(p1.threats).data);
    const p2 = applyEvents(p1, [ev({ type: 'threat.upserted', zone: zone('tz-3', 'danger', 'Sniper') })]);
    expect(threatZoneProps(p2.threats).data).not.toBe(threatZoneProps(p1.threats).data);
    expect((threatZoneProps(p2.threats).data as unknown[]).length).toBe(3);
  });
});

describe('stale units', () => {
  const clock = { nowMs: T0 + 10_000, staleAfterMs: 60_000 };

  it('marks a silent unit in its label and greys it', () => {
    const p = basePicture();
    const [fresh, stale] = ['u-1', 'u-2'].map((id) => p.units[id]);
    expect(unitLabel(fresh, clock, EN)).toBe('BRAVO 1');
    expect(unitLabel(stale, clock, EN)).toBe('WFP LOG 2 · STALE 2 min');
    // When crowded, a stale label may lose the minutes but never the STALE mark.
    expect(unitLabelTexts(stale, clock, EN)).toEqual(['WFP LOG 2 · STALE 2 min', 'WFP LOG 2 · STALE']);
    expect(unitLabelTexts(fresh, clock, EN)).toEqual(['BRAVO 1']);
    const look = (datum: Unit) => labelLook({ family: 'unit', datum } as Parameters<typeof labelLook>[0], clock, 1).color;
    expect(look(fresh)).toEqual(LABEL_COLOR);
    expect(look(stale)).toEqual(STALE_COLOR);
  });

  it('draws the stale symbol for a stale unit and the live one otherwise', () => {
    const p = basePicture();
    const getIcon = unitSymbolProps(p.units, clock).getIcon as unknown as (u: Unit) => { id: string };
    // A military unit in APP-6's friendly frame, a humanitarian one in its own asset icon (issue 17).
    expect(getIcon(p.units['u-1']).id).toBe('unit:SFGPU-----:live');
    expect(getIcon(p.units['u-2']).id).toBe('unit:asset:humanitarian:stale');
  });

  it('changes the update trigger only when the set of stale units changes', () => {
    const units = unitList(basePicture().units);
    const a = staleKey(units, clock);
    expect(staleKey(units, { ...clock, nowMs: clock.nowMs + 5_000 })).toBe(a);
    // 55 s later u-1 has been silent for 65 s: now it is stale too.
    const b = staleKey(units, { ...clock, nowMs: clock.nowMs + 55_000 });
    expect(b).not.toBe(a);
    expect(b).toContain('u-1');
    expect(unitSymbolProps(basePicture().units, clock).updateTriggers).toEqual({ getIcon: a, getPixelOffset: '' });
  });
});

describe('threat zones by severity', () => {
  it('fills no-go red, danger orange and advisory faint yellow', () => {
    expect(zoneFillColor({ severity: 'no-go' })).toEqual(SEVERITY_COLORS['no-go'].fill);
    const [r, g, b] = zoneFillColor({ severity: 'no-go' });
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
    const danger = zoneFillColor({ severity: 'danger' });
    expect(danger[0]).toBeGreaterThan(200);
    expect(danger[1]).toBeGreaterThan(90);
    expect(danger[1]).toBeLessThan(160);
    const advisory = zoneFillColor({ severity: 'advisory' });
    expect(advisory[3]).toBeLessThan(40); // almost outline only
    expect(zoneLineColor({ severity: 'advisory' })[3]).toBeGreaterThan(200);
  });

  it('draws the most severe zone last and labels zones by severity', () => {
    const p = basePicture();
    const parts = threatZoneProps(p.threats).data as { zone: ThreatZone }[];
    expect(parts.map((x) => x.zone.severity)).toEqual(['advisory', 'no-go']);
    expect(zoneLabel(p.threats['tz-1'], EN)).toBe('NO-GO · Bridge collapse');
    expect(zoneLabel(p.threats['tz-2'], EN)).toBe('ADVISORY · tz-2');
    const [lon, lat] = labelPoint(p.threats['tz-1']);
    expect(lon).toBeCloseTo(11.955, 6);
    expect(lat).toBeCloseTo(57.705, 6);
  });
});

describe('havens, sites and convoys', () => {
  it('shows occupancy of capacity and the bar in tenths', () => {
    expect(havenLabel({ name: 'Ullevi', occupancy: 340, capacity: 500, status: 'open' }, EN)).toBe('Ullevi\n340 / 500');
    expect(havenLabel({ name: 'Mässan', occupancy: 4500, capacity: 4500, status: 'full' }, EN)).toBe('Mässan\n4,500 / 4,500 FULL');
    expect(occupancyTenths({ occupancy: 340, capacity: 500 })).toBe(7);
    expect(occupancyTenths({ occupancy: 900, capacity: 500 })).toBe(10);
    expect(occupancyTenths({ occupancy: 0, capacity: 0 })).toBe(10);
  });

  it('sizes sites by the square root of population', () => {
    expect(siteRadiusPx(10_000) - 5).toBeCloseTo(4 * (siteRadiusPx(625) - 5), 6);
    expect(siteRadiusPx(0)).toBe(5);
  });

  it('turns flow arrows along their bearing', () => {
    expect(bearingDeg([11.9, 57.7], [11.9, 57.8])).toBeCloseTo(0, 6);
    expect(bearingDeg([11.9, 57.7], [12.0, 57.7])).toBeCloseTo(90, 6);
    expect(bearingDeg([11.9, 57.7], [11.8, 57.7])).toBeCloseTo(270, 6);
  });

  it('separates best routes from alternatives and flags a convoy with no safe route', () => {
    seq = 100;
    const p0 = emptyPicture();
    const convoy = (id: string, name: string) => ({ id, name, origin: [11.9, 57.7] as [number, number], destination: 'nearest-haven' as const, vehicleClass: '4wd' as const, state: 'planned' as const, updatedMs: T0 });
    const leg = (lon: number) => ({ coordinates: [[lon, 57.7], [lon + 0.01, 57.71]] as [number, number][], distance_m: 1000, duration_s: 120, exposure_m: 0, min_clearance_m: null });
    const p = applyEvents(p0, [
      ev({ type: 'convoy.upserted', convoy: convoy('cv-1', 'EVAC BLUE') }),
      ev({ type: 'convoy.upserted', convoy: convoy('cv-2', 'EVAC RED') }),
      ev({ type: 'corridor.recomputed', corridor: { convoyId: 'cv-1', status: 'ok', routes: [leg(11.91), leg(11.92), leg(11.93)], reason: 'initial', computedMs: T0 } }),
      ev({ type: 'corridor.recomputed', corridor: { convoyId: 'cv-2', status: 'no_safe_route', routes: [], blockedBy: ['tz-1'], reason: 'bridge closed', computedMs: T0 } }),
    ]);
    const best = corridorBestProps(p.convoys, p.corridors).data as { rank: number; path: [number, number][] }[];
    const alts = corridorAltProps(p.convoys, p.corridors).data as { rank: number }[];
    expect(best.map((r) => r.rank)).toEqual([0]);
    expect(best[0].path[0]).toEqual([11.91, 57.7]);
    expect(alts.map((r) => r.rank).sort()).toEqual([1, 2]);
    expect(corridorAltProps(p.convoys, p.corridors).getDashArray).toEqual([5, 3]);
    const marks = convoyMarks(p.convoys, p.corridors);
    const red = marks.find((m) => m.convoy.id === 'cv-2')!;
    expect(red.blocked).toBe(true);
    expect(convoyLabel(red, EN)).toBe('EVAC RED\nNO SAFE ROUTE');
    expect(convoyLabel(marks.find((m) => m.convoy.id === 'cv-1')!, EN)).toBe('EVAC BLUE');
  });
});

// Tests of the pure fold of log events into the picture (protocol/apply-event.ts): identity of
// untouched slices, fix ordering (P6), idempotent folding (P2), late corridors (P9) and replay.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, applyEventsInPlace, isStale } from '@corridor/protocol';
import {
  emptyPicture,
  MAX_CONSTRAINT_HISTORY,
  MAX_TRAIL_POINTS,
  pictureFromJson,
  type Convoy,
  type Corridor,
  type Haven,
  type NewEvent,
  type Picture,
  type PictureEvent,
  type ThreatZone,
  type Unit,
} from '@corridor/protocol';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`apply-event property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

const square = { type: 'Polygon' as const, coordinates: [[[12, 57], [12.1, 57], [12.1, 57.1], [12, 57], [12, 57]] as [number, number][]] };
const unit = (unitId: string, timeMs: number, extra: Partial<Unit> = {}): Unit => ({ unitId, lon: 12, lat: 57, timeMs, seenMs: timeMs, ...extra });
const zone = (id: string): ThreatZone => ({ id, severity: 'no-go', geometry: square, area: square, updatedMs: 0 });
const haven = (id: string, occupancy = 0): Haven => ({ id, name: id, lon: 12, lat: 57, capacity: 100, occupancy, status: 'open', updatedMs: 0 });
const convoy = (id: string): Convoy => ({ id, name: id, origin: [12, 57], destination: 'nearest-haven', vehicleClass: '4wd', state: 'planned', updatedMs: 0 });
const corridor = (convoyId: string, computedMs = 0): Corridor => ({ convoyId, status: 'ok', routes: [], reason: 'computed', computedMs });

/** Stamps events with consecutive seqs from `from + 1` (what the event log does, P1). */
function stamp(events: NewEvent[], from = 0): PictureEvent[] {
  return events.map((e, i) => ({ ...e, seq: from + i + 1, timeMs: 1000 * (from + i + 1) }) as PictureEvent);
}

describe('applyEvents: slices', () => {
  it('keeps the identity of every slice an event does not touch', () => {
    const base = applyEvents(emptyPicture(), stamp([{ type: 'threat.upserted', zone: zone('tz-1') }, { type: 'position.reported', units: [unit('u1', 1)] }]));
    const next = applyEvent(base, { type: 'haven.upserted', haven: haven('hv-1'), seq: 3, timeMs: 3 });
    expect(next).not.toBe(base);
    expect(next.havens).not.toBe(base.havens);
    for (const key of ['units', 'threats', 'sites', 'flows', 'constraints', 'convoys', 'corridors'] as const) expect(next[key]).toBe(base[key]);
    expect(next.threats['tz-1']).toBe(base.threats['tz-1']);
  });

  it('does not modify its input', () => {
    const base = applyEvents(emptyPicture(), stamp([{ type: 'haven.upserted', haven: haven('hv-1') }]));
    const copy = structuredClone(base);
    applyEvents(base, stamp([{ type: 'haven.removed', id: 'hv-1' }, { type: 'position.reported', units: [unit('u1', 5)] }], 1));
    expect(base).toEqual(copy);
  });

  it('copies a slice once per batch, and unchanged entries keep their identity', () => {
    const base = applyEvents(emptyPicture(), stamp([{ type: 'position.reported', units: [unit('u1', 1), unit('u2', 1)] }]));
    const next = applyEvents(base, stamp([{ type: 'position.reported', units: [unit('u1', 2)] }, { type: 'position.reported', units: [unit('u1', 3)] }], 1));
    expect(next.units.u2).toBe(base.units.u2);
    expect(next.units.u1.timeMs).toBe(3);
    expect(next.seq).toBe(3);
  });

  it('applyEventsInPlace gives the same picture as applyEvents, and leaves earlier slices intact', () => {
    const events = stamp([{ type: 'haven.upserted', haven: haven('hv-1') }, { type: 'convoy.upserted', convoy: convoy('cv-1') }]);
    const live = emptyPicture();
    const handedOut = live.havens;
    applyEventsInPlace(live, events);
    expect(live).toEqual(applyEvents(emptyPicture(), events));
    expect(handedOut).toEqual({});
  });
});

describe('applyEventsInPlace: units', () => {
  it('updates the units slice where it is, with the same result as applyEvents', () => {
    const events = stamp([
      { type: 'position.reported', units: [unit('u1', 1000, { callsign: 'ALPHA' }), unit('u2', 1000)] },
      { type: 'haven.upserted', haven: haven('hv-1') },
      { type: 'position.reported', units: [unit('u1', 2000, { lon: 12.5 }), unit('u2', 500, { lon: 11 })] },
    ]);
    const live = emptyPicture();
    const units = live.units;
    applyEventsInPlace(live, events.slice(0, 2));
    applyEventsInPlace(live, events.slice(2));
    expect(live.units).toBe(units);
    expect(live).toEqual(applyEvents(emptyPicture(), events));
    expect(live.units.u1).toMatchObject({ lon: 12.5, callsign: 'ALPHA' });
    expect(live.units.u2.timeMs).toBe(1000);
  });
});

describe('applyEvents: positions (P6)', () => {
  it('never moves a unit back to an older fix', () => {
    const p1 = applyEvents(emptyPicture(), stamp([{ type: 'position.reported', units: [unit('u1', 2000, { lon: 13 })] }]));
    const p2 = applyEvents(p1, stamp([{ type: 'position.reported', units: [unit('u1', 1000, { lon: 11 })] }], 1));
    expect(p2.units.u1.lon).toBe(13);
    expect(p2.seq).toBe(2);
    const p3 = applyEvents(p2, stamp([{ type: 'position.reported', units: [unit('u1', 2000, { lon: 14 })] }], 2));
    expect(p3.units.u1.lon).toBe(14); // an equal time is a newer report of the same instant
  });

  it('keeps the last known callsign and affiliation when a report omits them', () => {
    const p1 = applyEvents(emptyPicture(), stamp([{ type: 'position.reported', units: [unit('u1', 1, { callsign: 'BRAVO 11', affiliation: 'military' })] }]));
    const p2 = applyEvents(p1, stamp([{ type: 'position.reported', units: [unit('u1', 2)] }], 1));
    expect(p2.units.u1).toMatchObject({ callsign: 'BRAVO 11', affiliation: 'military', timeMs: 2 });
    const p3 = applyEvents(p2, stamp([{ type: 'position.reported', units: [unit('u1', 3, { callsign: 'BRAVO 12' })] }], 2));
    expect(p3.units.u1.callsign).toBe('BRAVO 12');
  });
});

describe('regressions (kept fast-check counterexamples)', () => {
  it('a report without callsign after one with it leaves no undefined affiliation key (JSON round trip)', () => {
    const p = applyEvents(
      emptyPicture(),
      stamp([
        { type: 'position.reported', units: [{ unitId: 'u2', lon: 0, lat: 0, timeMs: 0, seenMs: 0, callsign: 'ALPHA' }] },
        { type: 'position.reported', units: [{ unitId: 'u2', lon: 0, lat: 0, timeMs: 0, seenMs: 0 }] },
      ]),
    );
    expect(Object.keys(p.units.u2)).not.toContain('affiliation');
    expect(pictureFromJson(JSON.parse(JSON.stringify(p)))).toStrictEqual(p);
  });
});

describe('applyEvents: seq (P1, P2)', () => {
  it('ignores events at or below the picture seq and returns the very same picture', () => {
    const base = applyEvents(emptyPicture(), stamp([{ type: 'haven.upserted', haven: haven('hv-1') }, { type: 'haven.upserted', haven: haven('hv-2') }]));
    const replayed = applyEvents(base, stamp([{ type: 'haven.removed', id: 'hv-1' }, { type: 'haven.removed', id: 'hv-2' }]));
    expect(replayed).toBe(base);
  });

  it('applies a frame received twice only once', () => {
    const frame = stamp([{ type: 'haven.upserted', haven: haven('hv-1', 5) }, { type: 'haven.upserted', haven: haven('hv-1', 9) }]);
    const once = applyEvents(emptyPicture(), frame);
    const twice = applyEvents(once, frame);
    expect(twice).toBe(once);
    expect(once.havens['hv-1'].occupancy).toBe(9);
  });

  it('applies only the new tail of an overlapping frame', () => {
    const events = stamp([
      { type: 'haven.upserted', haven: haven('hv-1', 1) },
      { type: 'haven.upserted', haven: haven('hv-1', 2) },
      { type: 'haven.upserted', haven: haven('hv-1', 3) },
    ]);
    const p = applyEvents(applyEvents(emptyPicture(), events.slice(0, 2)), events.slice(1));
    expect(p.seq).toBe(3);
    expect(p.havens['hv-1'].occupancy).toBe(3);
  });
});

describe('applyEvents: access constraints (P32)', () => {
  const line = { type: 'LineString' as const, coordinates: [[12, 57], [12.1, 57]] as [number, number][] };
  const posted = (status: 'open' | 'restricted' | 'closed', verifiedAt: string, extra: Record<string, unknown> = {}) =>
    ({ type: 'constraint.upserted', constraint: { id: 'ac-1', status, category: 'hostilities', geometry: line, verifiedAt, verifiedBy: 'OCHA', updatedMs: 0, ...extra } }) as unknown as NewEvent;
  const actor = { tokenId: 't', org: 'WFP', role: 'analyst' };

  it('keeps since when the status holds (from its verification, at the latest its receipt) and who changed it, newest last', () => {
    const [a, b, c] = stamp([posted('closed', '1970-01-01T00:00:00.500Z'), posted('closed', '1970-01-01T00:00:01.900Z', { reason: 'still shut' }), posted('restricted', '1970-01-01T00:00:02.500Z')]);
    const p = applyEvents(emptyPicture(), [{ ...a, actor }, b, { ...c, actor: { ...actor, org: 'UNHAS' } }]);
    const k = p.constraints['ac-1'];
    expect(k.status).toBe('restricted');
    // A new status holds from its verification (2.5 s) but not before it reached the server (3 s): 2.5 s.
    expect(k.sinceMs).toBe(2500);
    expect(k.history?.map((h) => [h.atMs, h.status, h.org ?? null, h.reason ?? null])).toEqual([
      [1000, 'closed', 'WFP', null],
      [2000, 'closed', null, 'still shut'],
      [3000, 'restricted', 'UNHAS', null],
    ]);
    // The same status again keeps its first since.
    expect(applyEvents(emptyPicture(), [a, b]).constraints['ac-1'].sinceMs).toBe(500);
  });

  it('reads a category of the list before the typology as the indicator it counts under, and keeps at most MAX_CONSTRAINT_HISTORY changes', () => {
    const events = stamp(Array.from({ length: MAX_CONSTRAINT_HISTORY + 5 }, () => posted('closed', '1970-01-01T00:00:00Z', { category: 'bureaucratic' })));
    const k = applyEvents(emptyPicture(), events).constraints['ac-1'];
    expect(k.category).toBe('movement-restriction');
    expect(k.history).toHaveLength(MAX_CONSTRAINT_HISTORY);
    expect(k.history?.at(-1)?.atMs).toBe(events.at(-1)!.timeMs);
  });
});

describe('applyEvents: convoys and corridors (P9)', () => {
  it('drops the corridor of a removed convoy', () => {
    const p = applyEvents(
      emptyPicture(),
      stamp([{ type: 'convoy.upserted', convoy: convoy('cv-1') }, { type: 'corridor.recomputed', corridor: corridor('cv-1') }, { type: 'convoy.removed', id: 'cv-1' }]),
    );
    expect(p.convoys).toEqual({});
    expect(p.corridors).toEqual({});
  });

  it('ignores a late corridor for a convoy that no longer exists, but still advances seq', () => {
    const base = applyEvents(emptyPicture(), stamp([{ type: 'convoy.upserted', convoy: convoy('cv-1') }, { type: 'convoy.removed', id: 'cv-1' }]));
    const p = applyEvents(base, stamp([{ type: 'corridor.recomputed', corridor: corridor('cv-1') }], 2));
    expect(p.corridors).toEqual({});
    expect(p.seq).toBe(3);
  });

  it('accepts a corridor for a convoy created earlier in the same batch', () => {
    const p = applyEvents(emptyPicture(), stamp([{ type: 'convoy.upserted', convoy: convoy('cv-1') }, { type: 'corridor.recomputed', corridor: corridor('cv-1', 7) }]));
    expect(p.corridors['cv-1'].computedMs).toBe(7);
  });
});

describe('applyEvents: tracks and alerts (P21)', () => {
  const planner = { tokenId: 'tk-p', org: 'WFP', role: 'planner' };
  const alert = (id: string, convoyId = 'cv-1') => ({ id, convoyId, kind: 'off_corridor' as const, raisedMs: 5, detail: { distance_m: 300 } });
  const base = () => applyEvents(emptyPicture(), stamp([{ type: 'convoy.upserted', convoy: convoy('cv-1') }, { type: 'alert.raised', alert: alert('al-1') }, { type: 'alert.raised', alert: alert('al-2') }]));

  it('shows an alert until it is both acknowledged (who, when, remark) and cleared, in either order', () => {
    const acked = applyEvents(base(), [{ type: 'alert.acknowledged', id: 'al-1', remark: 'seen', actor: planner, seq: 4, timeMs: 4000 }]);
    expect(acked.alerts['al-1'].acknowledged).toEqual({ by: planner, atMs: 4000, remark: 'seen' });
    const cleared = applyEvents(acked, [
      { type: 'alert.cleared', id: 'al-1', reason: 'cause_ended', seq: 5, timeMs: 5000 },
      { type: 'alert.cleared', id: 'al-2', reason: 'cause_ended', seq: 6, timeMs: 6000 },
    ]);
    expect(Object.keys(cleared.alerts)).toEqual(['al-2']);
    expect(cleared.alerts['al-2'].clearedMs).toBe(6000);
    const gone = applyEvents(cleared, [{ type: 'alert.acknowledged', id: 'al-2', actor: planner, seq: 7, timeMs: 7000 }]);
    expect(Object.keys(gone.alerts)).toEqual([]);
  });

  it('drops tracks and alerts of convoys that are gone, and those arriving late for them', () => {
    const track = { convoyId: 'cv-1', unitId: 'u1', at: [12, 57] as [number, number], timeMs: 1, progress: { done_m: 10, left_m: 90 }, doneBefore_m: 0, offset_m: 0, checkpoints: [], passed: [], recent: [], routeKey: 'k' };
    const tracked = applyEvents(base(), [{ type: 'convoy.tracked', track, seq: 4, timeMs: 4000 }]);
    expect(tracked.tracks['cv-1']).toEqual({ ...track, trail: [[12, 57]] });
    const removed = applyEvents(tracked, [{ type: 'convoy.removed', id: 'cv-1', seq: 5, timeMs: 5000 }]);
    expect([Object.keys(removed.tracks), Object.keys(removed.alerts)]).toEqual([[], []]);
    const late = applyEvents(removed, [
      { type: 'convoy.tracked', track, seq: 6, timeMs: 6000 },
      { type: 'alert.raised', alert: alert('al-3'), seq: 7, timeMs: 7000 },
    ]);
    expect([Object.keys(late.tracks), Object.keys(late.alerts), late.seq]).toEqual([[], [], 7]);
  });
});

describe('applyEvents: the trail of a tracked convoy', () => {
  const track = (at: [number, number], timeMs: number) => ({ convoyId: 'cv-1', unitId: 'u1', at, timeMs, progress: { done_m: 0, left_m: 90 }, doneBefore_m: 0, offset_m: 0, checkpoints: [], passed: [], recent: [], routeKey: 'k' });
  it('folds the positions into a trail, skipping those within 25 m of the last, thinning the older half past its size, the same on replay', () => {
    let p = applyEvents(emptyPicture(), stamp([{ type: 'convoy.upserted', convoy: convoy('cv-1') }]));
    const events: PictureEvent[] = [];
    // 700 positions 0.0005° of latitude (55 m) apart, with one 11 m step between each.
    for (let i = 0; i < 700; i++) {
      events.push({ type: 'convoy.tracked', track: track([12, 57 + i * 0.0005], i * 2), seq: 10 + 2 * i, timeMs: i });
      events.push({ type: 'convoy.tracked', track: track([12, 57 + i * 0.0005 + 0.0001], i * 2 + 1), seq: 11 + 2 * i, timeMs: i });
    }
    p = applyEvents(p, events);
    const trail = p.tracks['cv-1'].trail!;
    expect(trail.length).toBeLessThanOrEqual(MAX_TRAIL_POINTS);
    expect(trail[0]).toEqual([12, 57]);
    expect(trail[trail.length - 1]).toEqual([12, 57 + 699 * 0.0005]);
    // In order, never two points nearer than the step.
    for (let i = 1; i < trail.length; i++) expect(trail[i][1]).toBeGreaterThan(trail[i - 1][1] + 0.0002);
    // The events carry no trail: the fold makes it, event by event or all at once alike.
    expect(events.every((e) => e.type !== 'convoy.tracked' || e.track.trail === undefined)).toBe(true);
    let one = applyEvents(emptyPicture(), stamp([{ type: 'convoy.upserted', convoy: convoy('cv-1') }]));
    for (const e of events) one = applyEvents(one, [e]);
    expect(one.tracks['cv-1'].trail).toEqual(trail);
  });
});

describe('applyEvents: a proposal and its alternatives (P22)', () => {
  const leg = (x: number) => ({ coordinates: [[x, 57], [x + 0.01, 57]] as [number, number][], distance_m: 600, duration_s: 60, exposure_m: 0, min_clearance_m: null, delta_s: 5 });
  const proposal = (id: string, routes: number) => ({ id, convoyId: 'cv-1', cause: { zones: [{ kind: 'zone' as const, id: 'tz-1' }] }, from: [12, 57] as [number, number], fromReport: true, status: 'ok' as const, routes: Array.from({ length: routes }, (_, i) => leg(12 + i)), computedMs: 1 });
  const base = () => applyEvents(emptyPicture(), stamp([{ type: 'convoy.upserted', convoy: { ...convoy('cv-1'), state: 'moving' } }, { type: 'reroute.proposed', proposal: proposal('rp-1', 1) }]));
  it('adds the alternatives to the open proposal of that id', () => {
    const p = applyEvents(base(), stamp([{ type: 'reroute.proposed', more: true, proposal: proposal('rp-1', 3) }], 3));
    expect(p.proposals['cv-1'].routes).toHaveLength(3);
  });
  it('drops alternatives for a proposal decided or replaced meanwhile', () => {
    const corridor: Corridor = { convoyId: 'cv-1', status: 'ok', routes: [leg(12)], reason: 'r', computedMs: 2 };
    const decided = applyEvents(base(), stamp([{ type: 'reroute.decided', convoyId: 'cv-1', proposalId: 'rp-1', route: 0, corridor }, { type: 'reroute.proposed', more: true, proposal: proposal('rp-1', 3) }], 3));
    expect(decided.proposals['cv-1']).toBeUndefined();
    const replaced = applyEvents(base(), stamp([{ type: 'reroute.proposed', proposal: proposal('rp-2', 1) }, { type: 'reroute.proposed', more: true, proposal: proposal('rp-1', 3) }], 3));
    expect(replaced.proposals['cv-1']).toMatchObject({ id: 'rp-2', routes: [leg(12)] });
  });
});

describe('applyEvents: corridor refreshes (P11)', () => {
  const leg = (x: number, clearance: number | null) => ({ coordinates: [[x, 57], [x + 0.01, 57]] as [number, number][], distance_m: 600, duration_s: 60, exposure_m: 0, min_clearance_m: clearance });
  const held: Corridor = { convoyId: 'cv-1', status: 'ok', routes: [leg(12, null), leg(12.1, 900)], reason: 'corridor computed', deltaS: 30, cause: ['tz-0'], computedMs: 5 };
  const base = () => applyEvents(emptyPicture(), stamp([{ type: 'convoy.upserted', convoy: convoy('cv-1') }, { type: 'corridor.recomputed', corridor: held }]));

  it('sets the clearance of each held route, the reason, cause and time, and drops deltaS; routes keep their coordinates', () => {
    const p = applyEvents(base(), stamp([{ type: 'corridor.refreshed', refresh: { convoyId: 'cv-1', clearance: [120.5, 900], reason: 'route unchanged; nearest zone is zone tz-9 at 121 m', cause: ['tz-9'], computedMs: 9 } }], 2));
    const c = p.corridors['cv-1'];
    expect(c.routes.map((r) => r.min_clearance_m)).toEqual([120.5, 900]);
    expect(c.routes[0].coordinates).toBe(held.routes[0].coordinates);
    // An unchanged route keeps its identity, so the map redraws only what moved.
    expect(c.routes[1]).toBe(held.routes[1]);
    expect(c).toMatchObject({ reason: 'route unchanged; nearest zone is zone tz-9 at 121 m', cause: ['tz-9'], computedMs: 9, status: 'ok' });
    expect(c.deltaS).toBeUndefined();
  });

  it('removes a cause the refresh does not carry', () => {
    const p = applyEvents(base(), stamp([{ type: 'corridor.refreshed', refresh: { convoyId: 'cv-1', clearance: [null, null], reason: 'no zone left', computedMs: 9 } }], 2));
    expect(p.corridors['cv-1'].cause).toBeUndefined();
    expect(p.corridors['cv-1'].routes.map((r) => r.min_clearance_m)).toEqual([null, null]);
  });

  it('ignores a refresh for a convoy without a corridor, or with another number of routes, but still advances seq', () => {
    const one = applyEvents(base(), stamp([{ type: 'corridor.refreshed', refresh: { convoyId: 'cv-1', clearance: [5], reason: 'x', computedMs: 9 } }], 2));
    expect(one.corridors['cv-1']).toEqual({ ...held, version: 1 });
    expect(one.corridors['cv-1'].routes.map((r) => r.min_clearance_m)).toEqual([null, 900]);
    expect(one.seq).toBe(3);
    const none = applyEvents(emptyPicture(), stamp([{ type: 'convoy.upserted', convoy: convoy('cv-2') }, { type: 'corridor.refreshed', refresh: { convoyId: 'cv-2', clearance: [], reason: 'x', computedMs: 9 } }]));
    expect(none.corridors).toEqual({});
    expect(none.seq).toBe(2);
  });
});

describe('isStale', () => {
  it('counts a unit stale once no report arrived for longer than staleAfterMs', () => {
    const u = unit('u1', 0, { seenMs: 10_000 });
    expect(isStale(u, 10_000 + 120_000, 120_000)).toBe(false);
    expect(isStale(u, 10_000 + 120_001, 120_000)).toBe(true);
  });
});

// ---------------------------------------------------------------- replay (property)

const ids = (prefix: string) => fc.constantFrom(`${prefix}1`, `${prefix}2`, `${prefix}3`);
const eventArb: fc.Arbitrary<NewEvent> = fc.oneof(
  fc.record({
    type: fc.constant('position.reported' as const),
    units: fc.array(
      fc.record({
        unitId: ids('u'),
        // JSON has no −0 (it writes 0), and the snapshot round trip below compares with Object.is.
        lon: fc.double({ min: -180, max: 180, noNaN: true }).map((x) => x + 0),
        lat: fc.double({ min: -90, max: 90, noNaN: true }).map((x) => x + 0),
        timeMs: fc.integer({ min: 0, max: 50 }),
        seenMs: fc.integer({ min: 0, max: 50 }),
        callsign: fc.option(fc.constantFrom('ALPHA', 'BRAVO'), { nil: undefined }),
      }).map((u) => Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) as unknown as Unit),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  ids('tz-').map((id) => ({ type: 'threat.upserted' as const, zone: zone(id) })),
  fc.record({ type: fc.constant('threat.removed' as const), id: ids('tz-'), reason: fc.constantFrom('deleted' as const, 'expired' as const) }),
  fc.tuple(ids('hv-'), fc.nat(100)).map(([id, occ]) => ({ type: 'haven.upserted' as const, haven: haven(id, occ) })),
  ids('hv-').map((id) => ({ type: 'haven.removed' as const, id })),
  ids('st-').map((id) => ({ type: 'site.upserted' as const, site: { id, name: id, lon: 0, lat: 0, population: 5, date: '2026-11-21', source: 's', updatedMs: 0 } })),
  ids('st-').map((id) => ({ type: 'site.removed' as const, id })),
  ids('fl-').map((id) => ({ type: 'flow.upserted' as const, flow: { id, from: [0, 0] as [number, number], to: [1, 1] as [number, number], people: 3, date: '2026-11-21', source: 's', updatedMs: 0 } })),
  ids('fl-').map((id) => ({ type: 'flow.removed' as const, id })),
  ids('ac-').map((id) => ({
    type: 'constraint.upserted' as const,
    constraint: { id, status: 'closed' as const, category: 'hostilities' as const, geometry: square, verifiedAt: '2026-11-21T00:00:00Z', verifiedBy: 'x', updatedMs: 0 },
  })),
  ids('ac-').map((id) => ({ type: 'constraint.removed' as const, id, reason: 'expired' as const })),
  ids('cv-').map((id) => ({ type: 'convoy.upserted' as const, convoy: convoy(id) })),
  ids('cv-').map((id) => ({ type: 'convoy.removed' as const, id })),
  fc.tuple(ids('cv-'), fc.nat(1000)).map(([id, ms]) => ({ type: 'corridor.recomputed' as const, corridor: corridor(id, ms) })),
  fc.tuple(ids('cv-'), fc.nat(1000)).map(([id, ms]) => ({ type: 'corridor.refreshed' as const, refresh: { convoyId: id, clearance: [], reason: 'refreshed', computedMs: ms } })),
);

/** Cuts `events` into consecutive batches at the given (unsorted, possibly repeated) positions. */
function split<T>(events: T[], cuts: number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const c of [...at, events.length]) {
    out.push(events.slice(from, c));
    from = c;
  }
  return out;
}

describe('replay (property)', () => {
  it('one by one, in one batch and in random batch splits all give the same picture', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 10 }), (raw, cuts) => {
        const events = stamp(raw);
        const whole = applyEvents(emptyPicture(), events);
        const oneByOne = events.reduce<Picture>((p, e) => applyEvent(p, e), emptyPicture());
        const batched = split(events, cuts).reduce<Picture>((p, batch) => applyEvents(p, batch), emptyPicture());
        expect(oneByOne).toEqual(whole);
        expect(batched).toEqual(whole);
        expect(whole.seq).toBe(events.length);
        // Applying everything again changes nothing (P2).
        expect(applyEvents(whole, events)).toBe(whole);
        // Snapshots are stored and sent as JSON: the picture must survive the round trip exactly
        // (no keys holding `undefined`, which JSON drops).
        expect(pictureFromJson(JSON.parse(JSON.stringify(whole)))).toStrictEqual(whole);
        // P9: no corridor outlives its convoy.
        for (const id of Object.keys(whole.corridors)) expect(whole.convoys).toHaveProperty(id);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a unit holds its newest fix whatever the arrival order of equal-seq-ordered reports (P6)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 20 }), (times) => {
        const events = stamp(times.map((t) => ({ type: 'position.reported' as const, units: [unit('u1', t, { lon: t / 10 })] })));
        const p = applyEvents(emptyPicture(), events);
        expect(p.units.u1.timeMs).toBe(Math.max(...times));
      }),
      { seed: SEED },
    );
  });
});

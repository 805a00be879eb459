// Tracking a convoy against its corridor (server/convoys/tracking.ts, P21): progress and checkpoints,
// speed and ETA from the convoy's own reports, how long off the corridor or still, arrival, and the
// reconciliation of alerts with their causes (raised once, cleared when the cause ends).
import CheapRuler from 'cheap-ruler';
import { describe, expect, it } from 'vitest';
import type { Convoy, ConvoyTrack, Corridor } from '@corridor/protocol';
import { CorridorLine } from '../../routing/corridor-line.js';
import { DEFAULT_TRACKING, placeCheckpoints, reconcileAlerts, stepTrack, type Fix } from '../../server/convoys/tracking.js';

const ruler = new CheapRuler(57.7, 'meters');
const A: [number, number] = [11.95, 57.7];
/** A road 12 km east, straight but for a bend at 10 km (on one latitude, so the line's projection is the test's). */
const B = ruler.offset(A, 10_000, 0) as [number, number];
const C = ruler.offset(A, 12_000, 0) as [number, number];
const coords = [A, B, C];
/** 12 km in 20 min by the road speeds: 10 m/s. */
const corridor: Corridor = {
  convoyId: 'cv-1',
  status: 'ok',
  routes: [{ coordinates: coords, distance_m: 12_000, duration_s: 1200, exposure_m: 0, min_clearance_m: null }],
  reason: 'corridor computed',
  computedMs: 0,
};
const convoy: Convoy = {
  id: 'cv-1',
  name: 'EVAC 1',
  origin: A,
  destination: C,
  vehicleClass: '4wd',
  state: 'moving',
  leadUnitId: 'u-lead',
  people: 40,
  checkpoints: [{ name: 'Bridge', at: ruler.offset(A, 6000, 20) as [number, number] }],
  updatedMs: 0,
};
const line = new CorridorLine(coords);
const checkpoints = placeCheckpoints(convoy, line, 'Ullevi');
const T0 = Date.parse('2026-12-06T08:00:00Z');

/** Steps the track through fixes, returning every step. */
function drive(fixes: Fix[], c: Convoy = convoy) {
  let previous: ConvoyTrack | undefined;
  return fixes.map((fix) => {
    const step = stepTrack({ convoy: c, corridor, line, checkpoints, previous, unitId: 'u-lead', fix, settings: DEFAULT_TRACKING })!;
    previous = step.track;
    return step;
  });
}
/** A fix `east` m east and `north` m north of A, `s` seconds after T0. */
const at = (s: number, east: number, north = 0): Fix => {
  const [lon, lat] = ruler.offset(A, east, north);
  return { lon, lat, timeMs: T0 + s * 1000 };
};

describe('placeCheckpoints', () => {
  it('puts the ends and the planner\'s own on the route in order, with their distances along it', () => {
    expect(checkpoints.map((c) => [c.end ?? c.name, c.along_m])).toEqual([
      ['origin', 0],
      ['Bridge', 6000],
      ['destination', 12_000],
    ]);
    expect(checkpoints[2].name).toBe('Ullevi');
  });
});

describe('stepTrack', () => {
  it('measures progress and passes checkpoints with the fix time', () => {
    const steps = drive([at(0, 0), at(300, 3000), at(610, 6050)]);
    expect(steps.map((s) => s.track.progress)).toEqual([
      { done_m: 0, left_m: 12_000 },
      { done_m: 3000, left_m: 9000 },
      { done_m: 6050, left_m: 5950 },
    ]);
    expect(steps[2].track.passed).toEqual([
      { index: 0, name: '', atMs: T0 },
      { index: 1, name: 'Bridge', atMs: T0 + 610_000 },
    ]);
  });

  it('takes the ETA from the convoy\'s own recent speed, not the road speeds, once it has one', () => {
    // 5 m/s, half the road speed: 4 min of reports every 20 s.
    const fixes = Array.from({ length: 13 }, (_, i) => at(i * 20, i * 100));
    const steps = drive(fixes);
    // The first report has no speed yet: the road speeds say 12 km at 10 m/s.
    expect(steps[0].track.speed_mps).toBeUndefined();
    expect(steps[0].track.etaMs).toBe(T0 + 1_200_000);
    const last = steps[steps.length - 1].track;
    expect(last.speed_mps).toBe(5);
    // 12,000 − 1,200 = 10,800 m left at 5 m/s is 36 min after the last fix (at 240 s).
    expect(last.etaMs).toBe(T0 + 240_000 + 2_160_000);
  });

  it('measures the speed over the last five minutes only', () => {
    // 10 min at 10 m/s, then 5 min at 2 m/s.
    const fast = Array.from({ length: 31 }, (_, i) => at(i * 20, i * 200));
    const slow = Array.from({ length: 15 }, (_, i) => at(620 + i * 20, 6000 + (i + 1) * 40));
    const steps = drive([...fast, ...slow]);
    expect(steps[30].track.speed_mps).toBe(10);
    expect(steps[steps.length - 1].track.speed_mps).toBeCloseTo(2, 0);
  });

  it('counts off the corridor from the first fix beyond 150 m, and says so after 60 s', () => {
    const steps = drive([at(0, 1000), at(20, 1100, 200), at(50, 1200, 220), at(81, 1300, 250), at(100, 1400, 10)]);
    expect(steps.map((s) => s.offCorridor)).toEqual([false, false, false, true, false]);
    expect(steps[3].track.offSinceMs).toBe(T0 + 20_000);
    expect(steps[3].track.offset_m).toBe(250);
    expect(steps[4].track.offSinceMs).toBeUndefined();
  });

  it('says a convoy stopped after 5 min still outside a checkpoint, not at one, and not while holding', () => {
    const still = [at(0, 3000), at(120, 3010), at(240, 3005, 5), at(301, 3012)];
    expect(drive(still).map((s) => s.stopped)).toEqual([false, false, false, true]);
    const atBridge = [at(0, 6000), at(301, 6010)];
    expect(drive(atBridge).map((s) => s.stopped)).toEqual([false, false]);
    expect(drive(still, { ...convoy, state: 'holding' }).map((s) => s.stopped)).toEqual([false, false, false, false]);
    // Moving on ends it.
    expect(drive([...still, at(320, 3500)]).map((s) => s.stopped)).toEqual([false, false, false, true, false]);
  });

  it('arrives within 100 m of the destination and passes it then; a holding convoy has no ETA', () => {
    const steps = drive([at(0, 0), at(1000, 11_950, 30)]);
    expect(steps[1].arrived).toBe(true);
    expect(steps[1].track.passed.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(steps[1].track.etaMs).toBeUndefined();
    const holding = drive([at(0, 0)], { ...convoy, state: 'holding' });
    expect(holding[0].track.etaMs).toBeUndefined();
    expect(holding[0].arrived).toBe(false);
  });

  it('goes on counting progress after a re-route from where the convoy is, and never passes a checkpoint the new route leaves aside', () => {
    const [first] = drive([at(0, 3000)]);
    // The new route starts at the convoy (3 km east), goes 1 km north, then east to the end: it leaves the bridge (6 km east) aside.
    const P = ruler.offset(A, 3000, 0) as [number, number];
    const Q = ruler.offset(A, 3000, 1000) as [number, number];
    const R = ruler.offset(A, 12_000, 1000) as [number, number];
    const detour: Corridor = { ...corridor, routes: [{ coordinates: [P, Q, R, C], distance_m: 11_000, duration_s: 1100, exposure_m: 0, min_clearance_m: null }], computedMs: 1 };
    const line2 = new CorridorLine(detour.routes[0].coordinates);
    const checkpoints2 = placeCheckpoints(convoy, line2, 'Ullevi');
    expect(checkpoints2[1]).toMatchObject({ name: 'Bridge', offset_m: expect.any(Number) });
    expect(checkpoints2[1].offset_m).toBeGreaterThan(900);
    const step = stepTrack({ convoy, corridor: detour, line: line2, checkpoints: checkpoints2, previous: first.track, unitId: 'u-lead', fix: at(300, 6000, 1000), settings: DEFAULT_TRACKING })!;
    expect(step.track.doneBefore_m).toBe(3000);
    expect(step.track.progress.done_m).toBe(3000 + 4000);
    // 1 km north and 3 km east done of 11 km; a metre either way for the line's own projection.
    expect(Math.abs(step.track.progress.left_m - 7000)).toBeLessThanOrEqual(2);
    expect(step.track.passed.map((p) => p.index)).toEqual([0]);
  });

  it('ignores a fix older than the track (store-and-forward)', () => {
    const [first] = drive([at(100, 500)]);
    expect(stepTrack({ convoy, corridor, line, checkpoints, previous: first.track, unitId: 'u-lead', fix: at(50, 400), settings: DEFAULT_TRACKING })).toBeUndefined();
  });
});

describe('reconcileAlerts', () => {
  it('raises a cause that comes back as the alert still shown for it (cleared, not acknowledged), not a new one', () => {
    const open = new Map<string, string>();
    const cause = { kind: 'silent' as const, detail: { sinceMs: 1 } };
    const again = reconcileAlerts({ convoyId: 'cv-1', kinds: new Set(['silent'] as const), causes: [cause], open, nowMs: 9, newId: () => 'al-new', shown: (key) => (key === 'cv-1|silent' ? 'al-old' : undefined) });
    expect(again).toEqual([{ type: 'alert.raised', alert: { id: 'al-old', convoyId: 'cv-1', kind: 'silent', raisedMs: 9, detail: { sinceMs: 1 } } }]);
    expect(open.get('cv-1|silent')).toBe('al-old');
  });

  const kinds = new Set(['off_corridor', 'danger_zone'] as const);
  it('raises an alert once per cause and clears it when the cause ends, leaving other kinds and convoys alone', () => {
    const open = new Map<string, string>([['cv-2|off_corridor', 'al-other'], ['cv-1|silent', 'al-silent']]);
    let n = 0;
    const newId = () => `al-${++n}`;
    const cause = { kind: 'off_corridor' as const, detail: { distance_m: 300 } };
    const first = reconcileAlerts({ convoyId: 'cv-1', kinds, causes: [cause], open, nowMs: 5, newId });
    expect(first).toEqual([{ type: 'alert.raised', alert: { id: 'al-1', convoyId: 'cv-1', kind: 'off_corridor', raisedMs: 5, detail: { distance_m: 300 } } }]);
    expect(reconcileAlerts({ convoyId: 'cv-1', kinds, causes: [cause], open, nowMs: 6, newId })).toEqual([]);
    const zones = [1, 2].map((z) => ({ kind: 'danger_zone' as const, detail: { zoneId: `tz-${z}` } }));
    expect(reconcileAlerts({ convoyId: 'cv-1', kinds, causes: zones, open, nowMs: 7, newId })).toEqual([
      { type: 'alert.raised', alert: expect.objectContaining({ id: 'al-2', detail: { zoneId: 'tz-1' } }) },
      { type: 'alert.raised', alert: expect.objectContaining({ id: 'al-3', detail: { zoneId: 'tz-2' } }) },
      { type: 'alert.cleared', id: 'al-1', reason: 'cause_ended' },
    ]);
    expect([...open.keys()].sort()).toEqual(['cv-1|danger_zone|tz-1', 'cv-1|danger_zone|tz-2', 'cv-1|silent', 'cv-2|off_corridor']);
  });
});

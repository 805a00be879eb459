// How often the tracker stores a convoy's track (server/convoys/tracker.ts, P21): a lead unit reporting
// twice a second along its route gives a track every 2 s of fix time, not one per report; a report that
// says something new (a checkpoint passed) is stored at once.
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, type Convoy, type ConvoyTrack, type Corridor, type NewEvent, type Picture, type PictureEvent } from '@corridor/protocol';
import { ConvoyTracker } from '../../server/convoys/tracker.js';
import { DEFAULT_TRACKING } from '../../server/convoys/tracking.js';

const T0 = Date.parse('2026-12-06T09:00:00Z');
// A straight road east, 0.02° of longitude (about 1.2 km at 57° N); a checkpoint halfway.
const ROUTE: [number, number][] = Array.from({ length: 21 }, (_, i) => [11.95 + i * 0.001, 57.7]);
const convoy: Convoy = { id: 'cv-t', name: 'T', origin: ROUTE[0], destination: ROUTE[20], vehicleClass: '4wd', state: 'moving', leadUnitId: 'lead-t', checkpoints: [{ name: 'Half', at: ROUTE[10] }], updatedMs: 0 };
const corridor: Corridor = { convoyId: 'cv-t', status: 'ok', routes: [{ coordinates: ROUTE, distance_m: 1190, duration_s: 120, exposure_m: 0, min_clearance_m: null }], reason: 'r', computedMs: 0 };

describe('the tracker stores a track when it says something new, else every 2 s of fix time', () => {
  it('20 s of reports every 500 ms: about ten tracks, and one at the checkpoint', () => {
    let seq = 0;
    let picture: Picture = applyEvents(emptyPicture(), [
      { type: 'convoy.upserted', convoy, seq: ++seq, timeMs: T0 },
      { type: 'corridor.recomputed', corridor, seq: ++seq, timeMs: T0 },
    ] as PictureEvent[]);
    const tracker = new ConvoyTracker({ settings: DEFAULT_TRACKING, staleAfterMs: 120_000 });
    tracker.start(picture, { append: () => undefined, exists: () => true, picture: () => picture, now: () => T0 });
    const tracked: ConvoyTrack[] = [];
    // 40 reports, 500 ms apart, walking the road at 30 m/s (15 m a report): past the checkpoint at ~595 m.
    for (let i = 0; i < 40; i++) {
      const lon = 11.95 + (i * 15) / (111_320 * Math.cos((57.7 * Math.PI) / 180));
      const event = { type: 'position.reported', units: [{ unitId: 'lead-t', lon, lat: 57.7, timeMs: T0 + i * 500, seenMs: T0 + i * 500 }], seq: ++seq, timeMs: T0 + i * 500 } as PictureEvent;
      picture = applyEvents(picture, [event]);
      const reaction = tracker.onCommitted([event], picture);
      const events = (reaction?.events ?? []) as NewEvent[];
      picture = applyEvents(picture, events.map((e) => ({ ...e, seq: ++seq, timeMs: T0 + i * 500 }) as PictureEvent));
      for (const e of events) if (e.type === 'convoy.tracked') tracked.push(e.track);
    }
    const times = tracked.map((t) => t.timeMs - T0);
    // The first report, then every 2 s (4 reports), plus the report that passed the checkpoint.
    expect(tracked.length).toBeGreaterThanOrEqual(10);
    expect(tracked.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < times.length; i++) {
      const sayNew = tracked[i].passed.length > tracked[i - 1].passed.length;
      if (!sayNew) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(2000);
    }
    const passing = tracked.find((t) => t.passed.some((p) => p.name === 'Half'));
    expect(passing).toBeDefined();
    // Stored the moment it passed (525 m along, 70 m short of it: within the 75 m of a checkpoint), at
    // 17.5 s, off the 2 s cadence of the others.
    const at = passing!.timeMs - T0;
    expect(at).toBe(17_500);
  });
});

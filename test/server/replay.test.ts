// The after-action replay's parts (server/replay, issue 16) on real SQLite files: the binary search
// for the seq at a moment, seeking across checkpoints equal to folding from the start (property), the
// checkpointer's schedule and retention, the seek pool's refusals, a past picture through a sharing
// agreement with delays, and the exports read back with an independent CSV parser.
import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvents, applyEventsInPlace, emptyPicture, type NewEvent, type Picture, type PictureEvent } from '@corridor/protocol';
import { databaseFile, SqliteEventLog } from '../../server/log/event-log.js';
import { Checkpointer } from '../../server/replay/checkpointer.js';
import { checkpointText, historyFile, HistoryStore } from '../../server/replay/history-store.js';
import { LogIndex, pictureAtSeq, SeekTooFarError } from '../../server/replay/seek.js';
import { ReplayError, ReplayService } from '../../server/replay/replay.js';
import { REPLAY_CSV_COLUMNS, replayCsvHead, replayCsvPart, TrackBuilder } from '../../server/replay/exports.js';
import { Outbox } from '../../server/out/outbox.js';
import { parseAgreement, SharingAgreement } from '../../server/sharing/agreement.js';
import { DelayLine } from '../../server/sharing/delay.js';
import { AgreementPolicy } from '../../server/sharing/policy.js';
import { silentLogger, tempDir, waitFor } from './helpers.js';

const T0 = Date.UTC(2026, 11, 6, 8, 0, 0);

/** Appends events one per transaction at the given times; returns them stamped. */
async function appendAt(log: SqliteEventLog, items: ReadonlyArray<{ event: NewEvent; timeMs: number }>): Promise<PictureEvent[]> {
  const out: PictureEvent[] = [];
  for (const { event, timeMs } of items) {
    const r = await log.append([{ event: structuredClone(event), msgIds: [] }], timeMs);
    out.push(...r.events.map((e) => e.event));
  }
  return out;
}

const fix = (unitId: string, lon: number, timeMs: number): NewEvent => ({ type: 'position.reported', units: [{ unitId, lon, lat: 57.7, timeMs, seenMs: timeMs }] }) as NewEvent;

/** The picture as a JSON round trip (what a checkpoint or an HTTP answer holds). */
const asJson = (p: Picture) => JSON.parse(JSON.stringify(p)) as Picture;

describe('replay: the seq at a moment (binary search on the primary key)', () => {
  it('finds the last event stored at or before each moment, 0 before the first', async () => {
    const tmp = tempDir();
    const log = new SqliteEventLog(databaseFile(tmp.dir));
    try {
      const idx0 = new LogIndex(new Database(databaseFile(tmp.dir), { readonly: true }));
      expect(idx0.seqAt(T0)).toBe(0);
      expect(idx0.bounds()).toBeUndefined();
      const times = [1000, 1000, 2000, 3000, 3000, 3000, 5000, 9000];
      await appendAt(log, times.map((t, i) => ({ event: fix('u1', 11 + i / 100, T0 + t), timeMs: T0 + t })));
      const index = new LogIndex(new Database(databaseFile(tmp.dir), { readonly: true }));
      const expected = (at: number) => times.filter((t) => t <= at).length;
      for (const at of [0, 999, 1000, 1001, 1999, 2000, 2500, 3000, 4999, 5000, 8999, 9000, 1e9]) expect(index.seqAt(T0 + at), `at +${at} ms`).toBe(expected(at));
      expect(index.bounds()).toEqual({ first: { seq: 1, timeMs: T0 + 1000 }, last: { seq: 8, timeMs: T0 + 9000 } });
      index.db.close();
      idx0.db.close();
    } finally {
      await log.close();
      tmp.cleanup();
    }
  });
});

// Small worlds: a few units, zones and convoys, so events hit the same items again and again.
const unitId = fc.constantFrom('u1', 'u2', 'u3');
const zoneId = fc.constantFrom('tz-1', 'tz-2');
const convoyId = fc.constantFrom('cv-1', 'cv-2');
const square = (lon: number) => ({ type: 'Polygon' as const, coordinates: [[[lon, 57.7], [lon + 0.01, 57.7], [lon + 0.01, 57.71], [lon, 57.71], [lon, 57.7]]] });
const anEvent: fc.Arbitrary<(timeMs: number) => NewEvent> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(unitId, fc.double({ min: 11, max: 12, noNaN: true }), fc.integer({ min: -5000, max: 0 })).map(([u, lon, back]) => (t: number) => fix(u, lon, t + back)) },
  { weight: 1, arbitrary: fc.tuple(zoneId, fc.double({ min: 11, max: 12, noNaN: true })).map(([id, lon]) => (t: number) => ({ type: 'threat.upserted', zone: { id, severity: 'no-go', geometry: square(lon), area: square(lon), updatedMs: t } }) as NewEvent) },
  { weight: 1, arbitrary: zoneId.map((id) => () => ({ type: 'threat.removed', id, reason: 'deleted' }) as NewEvent) },
  { weight: 1, arbitrary: fc.tuple(convoyId, fc.constantFrom('planned', 'approved')).map(([id, state]) => (t: number) => ({ type: 'convoy.upserted', convoy: { id, name: `Convoy ${id}`, origin: [11.5, 57.7], destination: [11.6, 57.71], vehicleClass: 'truck', state, updatedMs: t } }) as unknown as NewEvent) },
  { weight: 1, arbitrary: convoyId.map((id) => () => ({ type: 'convoy.removed', id }) as NewEvent) },
  {
    weight: 1,
    arbitrary: fc.tuple(convoyId, fc.string({ maxLength: 8 })).map(([id, reason]) => (t: number) => ({ type: 'corridor.recomputed', corridor: { convoyId: id, status: 'ok', routes: [{ coordinates: [[11.5, 57.7], [11.6, 57.71]], distance_m: 100, duration_s: 10, exposure_m: 0, min_clearance_m: null }], reason, computedMs: t } }) as NewEvent),
  },
);

describe('replay: seeking across checkpoints gives the fold from the start (property)', () => {
  it('pictureAtSeq from the newest checkpoint equals folding the whole log, at every moment asked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(anEvent, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat({ max: 40 }), { maxLength: 10 }),
        // Moments near the events' own times (just before, at, just after an event), and beyond the ends.
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(-1, 0, 1)), { minLength: 1, maxLength: 6 }),
        async (steps, checkpointAt, moments) => {
          const tmp = tempDir();
          const log = new SqliteEventLog(databaseFile(tmp.dir));
          const history = new HistoryStore(historyFile(tmp.dir));
          try {
            // The live side, as the server holds it: the picture folded in place as events commit.
            const live = emptyPicture();
            const checkpointer = new Checkpointer({ history, picture: () => live, logger: silentLogger, every: 1e9, intervalMs: 3_600_000 });
            let t = T0;
            const events: PictureEvent[] = [];
            const taken: number[] = [];
            for (let i = 0; i < steps.length; i++) {
              t += steps[i][1];
              const [e] = await appendAt(log, [{ event: steps[i][0](t), timeMs: t }]);
              events.push(e);
              applyEventsInPlace(live, [structuredClone(e)]);
              if (checkpointAt.includes(i + 1)) {
                await checkpointer.checkpoint();
                taken.push(live.seq);
              }
            }
            await checkpointer.stop();
            const index = new LogIndex(new Database(databaseFile(tmp.dir), { readonly: true }));
            const times = [T0 - 1, ...events.map((e) => e.timeMs), t + 1];
            for (const [k, offset] of moments) {
              const atMs = times[k % times.length] + offset;
              const seq = index.seqAt(atMs);
              expect(seq).toBe(events.filter((e) => e.timeMs <= atMs).length);
              const fromStart = pictureAtSeq(index, undefined, seq);
              const fromCheckpoint = pictureAtSeq(index, history, seq);
              expect(fromStart.fromSeq).toBe(0);
              expect(fromCheckpoint.fromSeq).toBe(Math.max(0, ...taken.filter((c) => c <= seq)));
              expect(asJson(fromCheckpoint.picture)).toEqual(asJson(fromStart.picture));
              // And both are the pure fold of the events up to that seq (P2: replaying the log is the picture).
              expect(asJson(fromStart.picture)).toEqual(asJson(applyEvents(emptyPicture(), events.slice(0, seq).map((e) => structuredClone(e)))));
            }
            index.db.close();
          } finally {
            history.close();
            await log.close();
            tmp.cleanup();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a seek that would fold more than allowed', async () => {
    const tmp = tempDir();
    const log = new SqliteEventLog(databaseFile(tmp.dir));
    try {
      await appendAt(log, [1, 2, 3, 4, 5].map((i) => ({ event: fix('u1', 11 + i / 10, T0 + i), timeMs: T0 + i })));
      const index = new LogIndex(new Database(databaseFile(tmp.dir), { readonly: true }));
      expect(() => pictureAtSeq(index, undefined, 5, 3)).toThrow(SeekTooFarError);
      expect(pictureAtSeq(index, undefined, 3, 3).picture.units.u1.lon).toBeCloseTo(11.3, 9);
      index.db.close();
    } finally {
      await log.close();
      tmp.cleanup();
    }
  });
});

describe('replay: the checkpointer', () => {
  it('writes a checkpoint after N events, the picture as of its seq, and prunes past the retention (never the newest)', async () => {
    const tmp = tempDir();
    const history = new HistoryStore(historyFile(tmp.dir));
    let now = T0;
    const picture = emptyPicture();
    const checkpointer = new Checkpointer({ history, picture: () => picture, logger: silentLogger, every: 3, intervalMs: 3_600_000, retentionMs: 2 * 86_400_000, now: () => now });
    try {
      picture.seq = 2;
      checkpointer.committed(2);
      await new Promise((r) => setTimeout(r, 20));
      expect(history.count()).toBe(0);
      picture.seq = 3;
      checkpointer.committed(1);
      await checkpointer.checkpoint(); // waits for the one under way
      expect(history.newest()?.seq).toBe(3);
      for (const day of [1, 2, 3, 4]) {
        now = T0 + day * 86_400_000;
        picture.seq = 3 + day;
        await checkpointer.checkpoint();
      }
      // Taken at days 0..4, kept for 2 days at day 4: days 2, 3 and 4 remain.
      expect(history.count()).toBe(3);
      expect(history.atOrBeforeSeq(4)).toBeUndefined();
      expect(history.atOrBeforeSeq(5)?.seq).toBe(5);
      expect(history.atOrBeforeSeq(100)?.seq).toBe(7);
      now = T0 + 30 * 86_400_000;
      history.prune(now);
      expect(history.newest()?.seq).toBe(7);
      expect(history.count()).toBe(1);
    } finally {
      await checkpointer.stop();
      history.close();
      tmp.cleanup();
    }
  });
});

describe('replay: a checkpoint is the picture as of its seq', () => {
  it('keeps the units as they were when it started, while the store updates them in place meanwhile', async () => {
    const tmp = tempDir();
    const history = new HistoryStore(historyFile(tmp.dir));
    const picture = emptyPicture();
    // Enough units that the text is made in several pieces, with turns of the event loop between.
    for (let i = 0; i < 50_000; i++) picture.units[`u${i}`] = { unitId: `u${i}`, lon: 11, lat: 57.7, timeMs: T0, seenMs: T0 };
    picture.seq = 10;
    const checkpointer = new Checkpointer({ history, picture: () => picture, logger: silentLogger });
    try {
      const writing = checkpointer.checkpoint();
      // What a commit does meanwhile: the units slice changed in place (apply-event.ts), the seq moved on.
      let turns = 0;
      const commit = setImmediate(() => {
        turns++;
        applyEventsInPlace(picture, [{ seq: 11, timeMs: T0 + 1, type: 'position.reported', units: [{ unitId: 'u49999', lon: 12, lat: 58, timeMs: T0 + 1, seenMs: T0 + 1 }] }]);
      });
      expect(await writing).toBe(true);
      clearImmediate(commit);
      expect(turns).toBe(1); // the commit did come while the checkpoint was being made
      const stored = history.atOrBeforeSeq(100)!;
      expect(stored.seq).toBe(10);
      const back = JSON.parse(checkpointText(stored.body)) as Picture;
      expect(back.seq).toBe(10);
      expect(back.units.u49999).toEqual({ unitId: 'u49999', lon: 11, lat: 57.7, timeMs: T0, seenMs: T0 });
      expect(Object.keys(back.units)).toHaveLength(50_000);
    } finally {
      await checkpointer.stop();
      history.close();
      tmp.cleanup();
    }
  });
});

describe('replay: the seek pool', () => {
  it('answers on a seek thread, refuses beyond its threads and queue, and refuses a fold past its limit', async () => {
    const tmp = tempDir();
    const log = new SqliteEventLog(databaseFile(tmp.dir));
    const picture = emptyPicture();
    const events = await appendAt(log, Array.from({ length: 20 }, (_, i) => ({ event: fix(`u${i % 3}`, 11 + i / 100, T0 + i * 10), timeMs: T0 + i * 10 })));
    const replay = new ReplayService({ logFile: databaseFile(tmp.dir), dataDir: tmp.dir, picture: () => picture, onCommit: () => () => undefined, logger: silentLogger, threads: 1, queue: 0, maxFold: 15 });
    try {
      expect(replay.range()).toEqual({ firstSeq: 1, firstMs: T0, lastSeq: 20, lastMs: T0 + 190 });
      const first = replay.seek(T0 + 55);
      // One thread, no queue: a second seek while the first runs is refused at once.
      await expect(replay.seek(T0 + 55)).rejects.toMatchObject({ code: 'unavailable' });
      const answer = await first;
      expect(answer.seq).toBe(6);
      expect(JSON.parse(answer.json)).toEqual(asJson(applyEvents(emptyPicture(), events.slice(0, 6))));
      // 20 events from the start: more than the 15 allowed, until a checkpoint is near.
      await expect(replay.seek(T0 + 1000)).rejects.toBeInstanceOf(ReplayError);
      await expect(replay.seek(T0 + 1000)).rejects.toMatchObject({ code: 'outside_window' });
      Object.assign(picture, applyEvents(emptyPicture(), events.slice(0, 10)));
      await replay.checkpointer.checkpoint();
      expect((await replay.seek(T0 + 1000)).seq).toBe(20);
      expect((await replay.seek(T0 - 1)).json).toBe(JSON.stringify(emptyPicture()));
    } finally {
      await replay.close();
      await log.close();
      tmp.cleanup();
    }
  });
});

describe('replay: a log the history is behind', () => {
  it('is checkpointed at start when it has more events after the newest checkpoint than the schedule allows', async () => {
    const tmp = tempDir();
    const log = new SqliteEventLog(databaseFile(tmp.dir));
    const events = await appendAt(log, [1, 2, 3, 4, 5].map((i) => ({ event: fix('u1', 11 + i / 10, T0 + i), timeMs: T0 + i })));
    const picture = applyEvents(emptyPicture(), events);
    const open = (every: number) => new ReplayService({ logFile: databaseFile(tmp.dir), dataDir: tmp.dir, picture: () => picture, onCommit: () => () => undefined, logger: silentLogger, checkpointEvery: every });
    try {
      const lenient = open(10);
      await new Promise((r) => setTimeout(r, 50));
      expect(lenient.history.count()).toBe(0);
      await lenient.close(); // a stop with events since the last checkpoint writes one
      const history = new HistoryStore(historyFile(tmp.dir), { readonly: true });
      expect(history.newest()?.seq).toBe(5);
      history.close();
      // The same picture again: the history is no longer behind it, nothing more is written.
      const again = open(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(again.history.count()).toBe(1);
      await again.close();
      rmHistory(tmp.dir);
      const strict = open(3);
      await waitFor(() => strict.history.count() === 1, 5000, 'a checkpoint at start');
      expect(strict.history.newest()?.seq).toBe(5);
      await strict.close();
    } finally {
      await log.close();
      tmp.cleanup();
    }
  });
});

/** Deletes the history of a data folder (as an operator might). */
function rmHistory(dir: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(historyFile(dir) + suffix, { force: true });
}

describe('replay: a past picture through a sharing agreement with delays', () => {
  const AGREEMENT = `
name: delays
markings: [open]
organisations:
  - { id: MIL, kind: military, defaultMarking: open }
  - { id: CIV, kind: civil, defaultMarking: open }
rules:
  - { kinds: [unit], markings: [open], from: { orgs: [MIL] }, to: { orgs: [CIV] }, delay_min: 10 }
  - { kinds: ['*'], markings: [open], to: { all: true } }
`;
  it('withholds from a delayed audience what it receives late, where its live picture gives it as it was', () => {
    let now = T0;
    const picture = emptyPicture();
    const sharing = new SharingAgreement(parseAgreement(AGREEMENT));
    const line = new DelayLine({ picture: () => picture, delays: () => sharing.delays(), stepMs: 60_000, now: () => now });
    const policy = new AgreementPolicy(sharing, () => picture, { delayLine: line, now: () => now });
    const outbox = new Outbox({ picture: () => picture, policy, staleAfterMs: 120_000, now: () => now });
    picture.units.mil1 = { unitId: 'mil1', lon: 11.9, lat: 57.7, timeMs: T0, seenMs: T0, owner: 'MIL' };
    picture.units.civ1 = { unitId: 'civ1', lon: 11.8, lat: 57.7, timeMs: T0, seenMs: T0, owner: 'CIV' };
    for (let m = 0; m < 15; m++) {
      now += 60_000;
      picture.seq++;
      line.sample();
    }
    const civ = outbox.audience({ tokenId: 't1', org: 'CIV', role: 'viewer' });
    const mil = outbox.audience({ tokenId: 't2', org: 'MIL', role: 'viewer' });
    // Live, the civil audience is given the military unit as it was 10 minutes ago ...
    expect(Object.keys(outbox.picture(civ).units).sort()).toEqual(['civ1', 'mil1']);
    // ... in a past picture, not at all (the delay line holds only the present's past).
    const past = JSON.parse(outbox.pastPictureJson(civ, JSON.stringify(picture))) as Picture;
    expect(Object.keys(past.units)).toEqual(['civ1']);
    const full = JSON.parse(outbox.pastPictureJson(mil, JSON.stringify(picture))) as Picture;
    expect(Object.keys(full.units).sort()).toEqual(['civ1', 'mil1']);
  });
});

describe('replay: exports', () => {
  const actor = { tokenId: 'tk-1', org: 'WFP', role: 'coordinator' };
  const events = [
    { seq: 7, timeMs: T0, type: 'position.reported', units: [{ unitId: 'u1', lon: 11.123456789, lat: 57.7, timeMs: T0, seenMs: T0 }, { unitId: 'u2', lon: 11.2, lat: 57.8, timeMs: T0, seenMs: T0 }], actor },
    { seq: 8, timeMs: T0 + 1000, type: 'threat.upserted', zone: { id: 'tz-1', severity: 'no-go', label: '=HYPERLINK("x")', geometry: square(11), area: square(11), updatedMs: T0 }, actor },
    { seq: 9, timeMs: T0 + 2000, type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'holding', reason: 'checkpoint, closed' },
    { seq: 10, timeMs: T0 + 3000, type: 'alert.raised', alert: { id: 'al-1', convoyId: 'cv-1', kind: 'off_corridor', raisedMs: T0, detail: {} } },
  ] as unknown as PictureEvent[];

  it('gives one CSV line per item changed, formula-safe, read back by csv-parse', () => {
    const text = replayCsvHead() + replayCsvPart(events.slice(0, 2)) + replayCsvPart(events.slice(2));
    expect(text.startsWith('\uFEFFseq,time,type,kind,item,org,role,summary\r\n')).toBe(true);
    expect(text.split('\r\n').length).toBe(1 + 5 + 1);
    const rows = parse(text.slice(1), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([...REPLAY_CSV_COLUMNS]);
    expect(rows.map((r) => [r.seq, r.kind, r.item])).toEqual([['7', 'unit', 'u1'], ['7', 'unit', 'u2'], ['8', 'threat', 'tz-1'], ['9', 'convoy', 'cv-1'], ['10', 'convoy', 'cv-1']]);
    expect(rows[0]).toMatchObject({ time: new Date(T0).toISOString(), org: 'WFP', role: 'coordinator', summary: '11.12346 57.7' });
    // A label that a spreadsheet would run as a formula is given as text.
    expect(rows[2].summary).toBe('no-go =HYPERLINK("x")');
    expect(text).toContain(`"no-go =HYPERLINK(""x"")"`);
    expect(rows[3].summary).toBe('moving → holding: checkpoint, closed');
    expect(rows[4].summary).toBe('off_corridor');
    expect(replayCsvPart([])).toBe('');
  });

  it('gives each unit one line through its fixes in time order, and each corridor with its validity', () => {
    const b = new TrackBuilder((id) => (id === 'cv-1' ? 'Convoy one' : undefined));
    const pos = (seq: number, unitId: string, lon: number, fixMs: number) => ({ seq, timeMs: T0 + seq * 1000, type: 'position.reported', units: [{ unitId, lon, lat: 57.7, timeMs: fixMs, seenMs: fixMs, callsign: `CS-${unitId}` }] }) as PictureEvent;
    const corridor = (seq: number, convoyId: string, lon: number) => ({ seq, timeMs: T0 + seq * 1000, type: 'corridor.recomputed', corridor: { convoyId, status: 'ok', routes: [{ coordinates: [[lon, 57.7], [lon + 0.1, 57.8]], distance_m: 1, duration_s: 1, exposure_m: 0, min_clearance_m: null }], reason: 'r', computedMs: 0 } }) as PictureEvent;
    b.add([pos(1, 'u1', 11.1, T0 + 1000), corridor(2, 'cv-1', 11), pos(3, 'u1', 11.3, T0 + 3000)]);
    // A store-and-forward fix of an earlier moment arrives last.
    b.add([pos(4, 'u1', 11.2, T0 + 2000), pos(5, 'u2', 12, T0 + 5000), corridor(6, 'cv-1', 11.5), corridor(7, 'cv-2', 12)]);
    const fc1 = b.collection();
    const u1 = fc1.features.find((f) => f.properties.unitId === 'u1')!;
    expect(u1.geometry).toEqual({ type: 'LineString', coordinates: [[11.1, 57.7, 0, (T0 + 1000) / 1000], [11.2, 57.7, 0, (T0 + 2000) / 1000], [11.3, 57.7, 0, (T0 + 3000) / 1000]] });
    expect(u1.properties).toMatchObject({ kind: 'unit', callsign: 'CS-u1', fixes: 3 });
    expect(fc1.features.find((f) => f.properties.unitId === 'u2')!.geometry.type).toBe('Point');
    const corridors = fc1.features.filter((f) => f.properties.kind === 'corridor');
    expect(corridors.map((f) => [f.properties.convoyId, f.properties.validFromMs, f.properties.validToMs, f.properties.convoyName])).toEqual([
      ['cv-1', T0 + 2000, T0 + 6000, 'Convoy one'],
      ['cv-1', T0 + 6000, null, 'Convoy one'],
      ['cv-2', T0 + 7000, null, undefined],
    ]);
    expect(corridors[0].geometry.coordinates).toEqual([[11, 57.7, 0, (T0 + 2000) / 1000], [11.1, 57.8, 0, (T0 + 2000) / 1000]]);
  });
});

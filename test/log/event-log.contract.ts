// The contract of the EventLog interface (server/log/event-log.ts), as one suite any implementation
// runs: the SQLite log on the main thread and on its writer thread today, a distributed log tomorrow.
// P1 seq and time, P3 reads after commit, P8 msgIds per sender with their content, dedupe and conflict,
// order of appends in flight, following new events, the health probe.
import { describe, expect, it } from 'vitest';
import type { AppendedEvent, AppendResult, EventLog, StoredEvent } from '../../server/log/event-log.js';
import type { NewEvent } from '@corridor/protocol';
import { tempDir, waitFor } from '../server/helpers.js';

export const haven = (id: string): NewEvent => ({
  type: 'haven.upserted',
  haven: { id, name: id, lon: 1, lat: 2, capacity: 10, occupancy: 0, status: 'open', updatedMs: 5 },
});

/**
 * Runs the contract against `open(dir)`, a log kept in folder `dir` (opened again on the same folder
 * after a close, it must hold what was stored).
 */
export function eventLogContract(name: string, open: (dir: string) => Promise<EventLog>): void {
  describe(`EventLog contract: ${name}`, () => {
    /**
     * The events an append stored: handed back by the append, or, on a shared log (which folds what it
     * follows), read back by the seqs it answered.
     */
    const appended = async (log: EventLog, result: AppendResult): Promise<AppendedEvent[]> => {
      if (!log.shared) return result.events;
      const seqs = new Set(result.outcomes.filter((o) => !o.duplicate && !o.conflict && !o.error).map((o) => o.seq));
      if (seqs.size === 0) return [];
      const rows = await log.readSince(Math.min(...seqs) - 1, 10_000);
      return rows.filter((r) => seqs.has(r.seq)).map((r) => ({ ...r, event: JSON.parse(r.json) }));
    };
    const withLog = async (fn: (log: EventLog, dir: string) => Promise<void>) => {
      const tmp = tempDir();
      const log = await open(tmp.dir);
      try {
        await fn(log, tmp.dir);
      } finally {
        await log.close();
        tmp.cleanup();
      }
    };

    it('P1: stamps strictly increasing seq without gaps, and the server time, onto the events themselves', () =>
      withLog(async (log) => {
        const a = await appended(log, await log.append([{ event: haven('hv-1'), msgIds: [] }], 1000));
        const entries = [{ event: haven('hv-2'), msgIds: [] }, { event: haven('hv-3'), msgIds: [] }];
        const b = await appended(log, await log.append(entries, 2000));
        expect(a.map((e) => e.seq)).toEqual([1]);
        expect(b.map((e) => e.seq)).toEqual([2, 3]);
        // A shared log's events come back from the log; a log of one instance's are the objects appended.
        if (!log.shared) expect(b[1].event).toBe(entries[1].event);
        expect(b[1].event).toMatchObject({ seq: 3, timeMs: 2000, type: 'haven.upserted' });
        expect(JSON.parse(b[1].json)).toEqual(b[1].event);
        expect(log.lastSeq()).toBe(3);
      }));

    it('reads events after a seq, in order, limited, and holds them across a reopen', async () => {
      const tmp = tempDir();
      const log = await open(tmp.dir);
      await log.append(['a', 'b', 'c', 'd'].map((id) => ({ event: haven(id), msgIds: [] })), 1);
      await log.close();
      const again = await open(tmp.dir);
      expect(again.lastSeq()).toBe(4);
      const rows = await again.readSince(1, 2);
      expect(rows.map((r) => r.seq)).toEqual([2, 3]);
      expect(rows.map((r) => r.type)).toEqual(['haven.upserted', 'haven.upserted']);
      expect(JSON.parse(rows[0].json).haven.id).toBe('b');
      expect((await again.append([{ event: haven('e'), msgIds: [] }], 1)).outcomes[0].seq).toBe(5);
      await again.close();
      tmp.cleanup();
    });

    it('P8: finds every msgId of an entry under its sender scope only, with its fingerprint', () =>
      withLog(async (log) => {
        await log.append(
          [
            { event: haven('a'), msgIds: ['m1'], scope: 'tk:1', fingerprints: [11] },
            { event: haven('b'), msgIds: ['m2', 'm3'], scope: 'tk:1', fingerprints: [12, 13] },
            { event: haven('c'), msgIds: ['m1'], scope: 'tk:2', fingerprints: [21] },
          ],
          1,
        );
        expect(await log.lookupMsgId('tk:1', 'm1')).toEqual({ seq: 1, fingerprint: 11 });
        expect(await log.lookupMsgId('tk:1', 'm3')).toEqual({ seq: 2, fingerprint: 13 });
        expect(await log.lookupMsgId('tk:2', 'm1')).toEqual({ seq: 3, fingerprint: 21 });
        expect(await log.lookupMsgId('tk:2', 'm2')).toBeUndefined();
        expect(await log.lookupMsgId('tk:1', 'nope')).toBeUndefined();
      }));

    it('P8: a dedupe entry whose msgId is stored appends nothing: the first seq for the same content, a conflict for other content', () =>
      withLog(async (log) => {
        await log.append([{ event: haven('a'), msgIds: ['m1'], scope: 's', fingerprints: [1], dedupe: true }], 1);
        const r = await log.append(
          [
            { event: haven('b'), msgIds: ['m2'], scope: 's', fingerprints: [2], dedupe: true },
            { event: haven('a-again'), msgIds: ['m1'], scope: 's', fingerprints: [1], dedupe: true },
            { event: haven('b-other'), msgIds: ['m2'], scope: 's', fingerprints: [99], dedupe: true },
            { event: haven('c'), msgIds: ['m3'], scope: 's', fingerprints: [3], dedupe: true },
            { event: haven('a-elsewhere'), msgIds: ['m1'], scope: 'other', fingerprints: [1], dedupe: true },
          ],
          2,
        );
        expect(r.outcomes).toEqual([
          { seq: 2, duplicate: false },
          { seq: 1, duplicate: true },
          { seq: 0, duplicate: false, conflict: true },
          { seq: 3, duplicate: false },
          { seq: 4, duplicate: false },
        ]);
        expect((await appended(log, r)).map((e) => [e.seq, (e.event as { haven: { id: string } }).haven.id])).toEqual([
          [2, 'b'],
          [3, 'c'],
          [4, 'a-elsewhere'],
        ]);
        expect(log.lastSeq()).toBe(4);
      }));

    it('P1/P8: appends handed over before earlier ones are durable are stored in order, as if one after the other', () =>
      withLog(async (log) => {
        const pending = [
          log.append([{ event: haven('a'), msgIds: ['k1'], scope: 's', fingerprints: [1], dedupe: true }], 1),
          log.append(
            [
              { event: haven('b'), msgIds: ['k2'], scope: 's', fingerprints: [2], dedupe: true },
              { event: haven('c'), msgIds: ['k3'], scope: 's', fingerprints: [3], dedupe: true },
            ],
            2,
          ),
          log.append(
            [
              { event: haven('a-again'), msgIds: ['k1'], scope: 's', fingerprints: [1], dedupe: true },
              { event: haven('d'), msgIds: ['k4'], scope: 's', fingerprints: [4], dedupe: true },
            ],
            3,
          ),
        ];
        const [r1, r2, r3] = await Promise.all(pending);
        expect((await appended(log, r1)).map((e) => e.seq)).toEqual([1]);
        expect((await appended(log, r2)).map((e) => [e.seq, e.event.timeMs])).toEqual([
          [2, 2],
          [3, 2],
        ]);
        expect(r3.outcomes).toEqual([
          { seq: 1, duplicate: true },
          { seq: 4, duplicate: false },
        ]);
        expect((await log.readSince(0, 10)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
      }));

    it('follows new events from a seq, in order and without gaps, across appends, until stopped', () =>
      withLog(async (log) => {
        await log.append([{ event: haven('a'), msgIds: [] }], 1);
        const seen: StoredEvent[] = [];
        const follower = log.follow(1, (events) => seen.push(...events));
        await log.append([{ event: haven('b'), msgIds: [] }, { event: haven('c'), msgIds: [] }], 2);
        await log.append([{ event: haven('d'), msgIds: [] }], 3);
        await waitFor(() => seen.length >= 3, 3000, 'followed events');
        expect(seen.map((e) => e.seq)).toEqual([2, 3, 4]);
        follower.stop();
        await log.append([{ event: haven('e'), msgIds: [] }], 4);
        await new Promise((r) => setTimeout(r, 400));
        expect(seen).toHaveLength(3);
      }));

    it('takes the health probe (a small durable write) while it can write', () =>
      withLog(async (log) => {
        await expect(log.probe()).resolves.toBeUndefined();
      }));
  });
}

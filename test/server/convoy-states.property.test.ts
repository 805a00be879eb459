// Property test of the convoy state machine (P20) through the server's own path: random sequences of
// commands, legal and not, go through the store (commands → events → fold, several in one commit) and
// through the pure machine alone; both always agree, and replaying the log gives the same convoys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, transition, type ConvoyState, type PictureEvent } from '@corridor/protocol';
import { upsertedState, type Command } from '../../server/core/commands.js';
import { CommandError, PictureStore } from '../../server/core/store.js';
import { FileSnapshotStore, snapshotDir } from '../../server/log/snapshot-store.js';
import { databaseFile, SqliteEventLog } from '../../server/log/event-log.js';
import { silentLogger, tempDir } from './helpers.js';

const actor = { tokenId: 'tk-7', org: 'WFP', role: 'planner' };
const by = { actor, scope: 'tk:tk-7' };
const convoyId = fc.constantFrom('cv-1', 'cv-2', 'cv-3');
const state = fc.constantFrom<ConvoyState>('planned', 'approved', 'moving', 'holding', 'arrived', 'aborted');
/** A reason or a condition to resume: often given, sometimes blank or absent, so that some changes lack what they need. */
const words = fc.option(fc.constantFrom('bridge out', 'road cleared', 'crowd at checkpoint', 'bridge cleared by engineers'), { nil: undefined });

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('convoy.state' as const), convoyId, to: state, reason: words, resumeWhen: words }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('convoy.upsert' as const),
      convoy: fc.record(
        { id: convoyId, name: fc.constantFrom('A', 'B'), origin: fc.constant([11.96, 57.7] as [number, number]), destination: fc.constant('nearest-haven' as const), state },
        { requiredKeys: ['id', 'name', 'origin', 'destination'] },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('convoy.remove' as const), id: convoyId }) },
);

/** Drops the keys whose value is undefined, as a client's JSON would. */
function clean(cmd: Command): Command {
  return JSON.parse(JSON.stringify(cmd)) as Command;
}

/** What the pure machine says of one command against the states so far: the outcome, and the states after it. */
function model(states: Map<string, ConvoyState>, cmd: Command): string {
  if (cmd.type === 'convoy.state') {
    const from = states.get(cmd.convoyId);
    if (from === undefined) return 'not_found';
    const r = transition(from, cmd.to, cmd);
    if (!r.ok) return r.error.code;
    states.set(cmd.convoyId, r.change.to);
    return 'ok';
  }
  if (cmd.type === 'convoy.upsert') {
    const r = upsertedState(cmd.convoy, states.get(cmd.convoy.id!));
    if (!r.ok) return r.error.code;
    states.set(cmd.convoy.id!, r.state);
    return 'ok';
  }
  if (cmd.type === 'convoy.remove') {
    if (!states.has(cmd.id)) return 'not_found';
    states.delete(cmd.id);
    return 'ok';
  }
  throw new Error(`unexpected ${cmd.type}`);
}

describe('P20: the state machine and the store agree (property)', () => {
  it('random command sequences: the same outcomes and states, and replay gives the same convoys', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
    console.log(`convoy state machine property seed ${seed}`);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(commandArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }), async (groups) => {
        const tmp = tempDir();
        try {
          const file = databaseFile(tmp.dir);
          const store = await PictureStore.open({ log: new SqliteEventLog(file), snapshots: new FileSnapshotStore(snapshotDir(tmp.dir)), logger: silentLogger, snapshotEvery: 5 });
          const states = new Map<string, ConvoyState>();
          let changes = 0;
          for (const group of groups.map((g) => g.map(clean))) {
            // A group is sent without waiting (one commit): each is judged on what those before it leave.
            const expected = group.map((cmd) => model(states, cmd));
            const settled = await Promise.allSettled(group.map((cmd) => store.submit(cmd, by)));
            const got = settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as CommandError).error.code));
            expect(got).toEqual(expected);
            changes += group.filter((c, i) => c.type === 'convoy.state' && expected[i] === 'ok').length;
            await store.idle();
            expect(Object.fromEntries(Object.entries(store.picture.convoys).map(([id, c]) => [id, c.state]))).toEqual(Object.fromEntries(states));
          }
          const events = (await store.readSince(0, 1_000_000)).map((r) => JSON.parse(r.json) as PictureEvent);
          expect(events.filter((e) => e.type === 'convoy.state-changed')).toHaveLength(changes);
          // Every change in the log names who made it and the state it left.
          for (const e of events) if (e.type === 'convoy.state-changed') expect(e.actor).toEqual(actor);
          const live = structuredClone(store.picture);
          expect(applyEvents(emptyPicture(), events).convoys).toEqual(live.convoys);
          await store.close();
          // Restarted from its snapshot and the log's tail.
          const reopened = await PictureStore.open({ log: new SqliteEventLog(file), snapshots: new FileSnapshotStore(snapshotDir(tmp.dir)), logger: silentLogger });
          expect(reopened.picture.convoys).toEqual(live.convoys);
          await reopened.close();
        } finally {
          tmp.cleanup();
        }
      }),
      { numRuns: 40, seed },
    );
  });

  it('each change in the history names its states, who and when; the history holds what the log says', async () => {
    const tmp = tempDir();
    try {
      const store = await PictureStore.open({ log: new SqliteEventLog(databaseFile(tmp.dir)), snapshots: new FileSnapshotStore(snapshotDir(tmp.dir)), logger: silentLogger, now: () => 5000 });
      await store.submit({ type: 'convoy.upsert', convoy: { id: 'cv-1', name: 'A', origin: [11.96, 57.7], destination: 'nearest-haven' } }, by);
      await store.submit({ type: 'convoy.state', convoyId: 'cv-1', to: 'approved' }, by);
      await store.submit({ type: 'convoy.state', convoyId: 'cv-1', to: 'moving', reason: 'window open' }, by);
      await store.submit({ type: 'convoy.state', convoyId: 'cv-1', to: 'holding', reason: 'bridge out', resumeWhen: 'bridge cleared by engineers' }, by);
      await expect(store.submit({ type: 'convoy.state', convoyId: 'cv-1', to: 'approved' }, by)).rejects.toMatchObject({ error: { code: 'invalid_transition' } });
      // An upsert that edits fields keeps the state and the history.
      await store.submit({ type: 'convoy.upsert', convoy: { id: 'cv-1', name: 'A renamed', origin: [11.96, 57.7], destination: 'nearest-haven' } }, by);
      const c = store.picture.convoys['cv-1'];
      expect(c).toMatchObject({ name: 'A renamed', state: 'holding' });
      expect(c.stateHistory).toEqual([
        { from: 'planned', to: 'approved', atMs: 5000, by: actor },
        { from: 'approved', to: 'moving', atMs: 5000, by: actor, reason: 'window open' },
        { from: 'moving', to: 'holding', atMs: 5000, by: actor, reason: 'bridge out', resumeWhen: 'bridge cleared by engineers' },
      ]);
      await store.close();
    } finally {
      tmp.cleanup();
    }
  });
});

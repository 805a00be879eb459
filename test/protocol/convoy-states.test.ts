// Unit tests of protocol/convoy-states.ts and its fold (protocol/apply-event.ts): the table of
// transitions, what holding and aborted need, the history kept on the convoy, and old logs (P20).
import { describe, expect, it } from 'vitest';
import {
  applyEvents,
  canTransition,
  CONVOY_STATES,
  CONVOY_TRANSITIONS,
  emptyPicture,
  MAX_STATE_HISTORY,
  pictureFromJson,
  transition,
  type Convoy,
  type ConvoyState,
  type PictureEvent,
} from '@corridor/protocol';

const actor = { tokenId: 'tk-1', org: 'WFP', role: 'planner' };
const convoy: Convoy = { id: 'cv-1', name: 'EVAC 1', origin: [11.96, 57.7], destination: [11.97, 57.71], vehicleClass: '4wd', state: 'planned', updatedMs: 1 };
const hold = { reason: 'bridge out at Göta älv', resumeWhen: 'bridge cleared by engineers' };

describe('P20: the table of transitions', () => {
  it('allows exactly planned → approved → moving ⇄ holding → arrived, and aborted from all but arrived and aborted', () => {
    const allowed = CONVOY_STATES.flatMap((from) => CONVOY_STATES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(
      [
        'planned→approved',
        'approved→moving',
        'moving→holding',
        'holding→moving',
        'moving→arrived',
        'holding→arrived',
        'planned→aborted',
        'approved→aborted',
        'moving→aborted',
        'holding→aborted',
      ].sort(),
    );
    expect(CONVOY_TRANSITIONS.arrived).toEqual([]);
    expect(CONVOY_TRANSITIONS.aborted).toEqual([]);
  });

  it('refuses approving an arrived convoy and moving one never approved, naming both states', () => {
    const arrived = transition('arrived', 'approved');
    expect(arrived).toMatchObject({ ok: false, error: { code: 'invalid_transition', path: 'to' } });
    if (!arrived.ok) expect(arrived.error.message).toMatch(/from arrived to approved/);
    const unapproved = transition('planned', 'moving');
    expect(unapproved).toMatchObject({ ok: false, error: { code: 'invalid_transition' } });
    if (!unapproved.ok) expect(unapproved.error.message).toBe('a convoy cannot go from planned to moving; from planned it may go to approved or aborted');
  });

  it('refuses a state going to itself (a retry is answered by its msgId, P8)', () => {
    for (const s of CONVOY_STATES) expect(transition(s, s, { reason: 'r', resumeWhen: s === 'holding' ? 'w' : undefined }).ok).toBe(false);
  });

  it('holding needs a reason and a condition to resume; aborted a reason; blanks are not a reason', () => {
    expect(transition('moving', 'holding', {})).toMatchObject({ ok: false, error: { code: 'invalid', path: 'reason' } });
    expect(transition('moving', 'holding', { reason: '  ' })).toMatchObject({ ok: false, error: { code: 'invalid', path: 'reason' } });
    expect(transition('moving', 'holding', { reason: 'bridge out' })).toMatchObject({ ok: false, error: { code: 'invalid', path: 'resumeWhen' } });
    expect(transition('planned', 'aborted', {})).toMatchObject({ ok: false, error: { code: 'invalid', path: 'reason' } });
    expect(transition('moving', 'arrived', { resumeWhen: 'never' })).toMatchObject({ ok: false, error: { code: 'invalid', path: 'resumeWhen' } });
    expect(transition('moving', 'holding', hold)).toEqual({ ok: true, change: { from: 'moving', to: 'holding', ...hold } });
    expect(transition('approved', 'moving')).toEqual({ ok: true, change: { from: 'approved', to: 'moving' } });
  });
});

describe('P20: the fold of convoy.state-changed', () => {
  const stamp = (events: Array<Record<string, unknown>>) => events.map((e, i) => ({ seq: i + 1, timeMs: 1000 * (i + 1), ...e }) as unknown as PictureEvent);

  it('sets the state and records who, when and why, the latest last', () => {
    const p = applyEvents(
      emptyPicture(),
      stamp([
        { type: 'convoy.upserted', convoy },
        { type: 'convoy.state-changed', actor, convoyId: 'cv-1', from: 'planned', to: 'approved' },
        { type: 'convoy.state-changed', actor, convoyId: 'cv-1', from: 'approved', to: 'moving' },
        { type: 'convoy.state-changed', actor, convoyId: 'cv-1', from: 'moving', to: 'holding', ...hold },
      ]),
    );
    expect(p.convoys['cv-1'].state).toBe('holding');
    expect(p.convoys['cv-1'].updatedMs).toBe(4000);
    expect(p.convoys['cv-1'].stateHistory).toEqual([
      { from: 'planned', to: 'approved', atMs: 2000, by: actor },
      { from: 'approved', to: 'moving', atMs: 3000, by: actor },
      { from: 'moving', to: 'holding', atMs: 4000, by: actor, ...hold },
    ]);
  });

  it('keeps the history across an upsert that edits fields, and records a change of state by upsert', () => {
    const p = applyEvents(
      emptyPicture(),
      stamp([
        { type: 'convoy.upserted', convoy },
        { type: 'convoy.state-changed', actor, convoyId: 'cv-1', from: 'planned', to: 'approved' },
        { type: 'convoy.upserted', actor, convoy: { ...convoy, name: 'EVAC 1 (renamed)', state: 'approved' } },
        { type: 'convoy.upserted', actor, convoy: { ...convoy, state: 'moving' } },
      ]),
    );
    expect(p.convoys['cv-1'].name).toBe('EVAC 1');
    expect(p.convoys['cv-1'].stateHistory?.map((h) => `${h.from}→${h.to}@${h.atMs}`)).toEqual(['planned→approved@2000', 'approved→moving@4000']);
  });

  it(`keeps the last ${MAX_STATE_HISTORY} changes`, () => {
    const events: Array<Record<string, unknown>> = [{ type: 'convoy.upserted', convoy: { ...convoy, state: 'moving' } }];
    for (let i = 0; i < 60; i++) {
      const from: ConvoyState = i % 2 === 0 ? 'moving' : 'holding';
      events.push({ type: 'convoy.state-changed', actor, convoyId: 'cv-1', from, to: from === 'moving' ? 'holding' : 'moving', ...(from === 'moving' ? hold : {}) });
    }
    const history = applyEvents(emptyPicture(), stamp(events)).convoys['cv-1'].stateHistory!;
    expect(history).toHaveLength(MAX_STATE_HISTORY);
    expect(history.at(-1)!.atMs).toBe(61_000);
  });

  it('ignores a change for a convoy that no longer exists (as P9)', () => {
    const p = applyEvents(
      emptyPicture(),
      stamp([
        { type: 'convoy.upserted', convoy },
        { type: 'convoy.removed', id: 'cv-1' },
        { type: 'convoy.state-changed', actor, convoyId: 'cv-1', from: 'planned', to: 'approved' },
      ]),
    );
    expect(p.convoys['cv-1']).toBeUndefined();
    expect(p.seq).toBe(3);
  });
});

describe('P20: logs and snapshots written before the machine', () => {
  it('reads a stored convoy.upserted saying held or cancelled as holding or aborted', () => {
    // Events as an old log holds them, text and all.
    const old = [
      '{"seq":1,"timeMs":1000,"type":"convoy.upserted","convoy":{"id":"cv-a","name":"A","origin":[11.96,57.7],"destination":[11.97,57.71],"vehicleClass":"4wd","state":"held","updatedMs":1000}}',
      '{"seq":2,"timeMs":2000,"type":"convoy.upserted","convoy":{"id":"cv-b","name":"B","origin":[11.96,57.7],"destination":"nearest-haven","vehicleClass":"4wd","state":"cancelled","updatedMs":2000}}',
      '{"seq":3,"timeMs":3000,"type":"convoy.upserted","convoy":{"id":"cv-c","name":"C","origin":[11.96,57.7],"destination":"nearest-haven","vehicleClass":"4wd","state":"moving","updatedMs":3000}}',
    ].map((j) => JSON.parse(j) as PictureEvent);
    const p = applyEvents(emptyPicture(), old);
    expect(p.convoys['cv-a'].state).toBe('holding');
    expect(p.convoys['cv-b'].state).toBe('aborted');
    expect(p.convoys['cv-c'].state).toBe('moving');
    // And the machine goes on from there: a holding convoy may move again, an aborted one not.
    expect(canTransition(p.convoys['cv-a'].state, 'moving')).toBe(true);
    expect(canTransition(p.convoys['cv-b'].state, 'approved')).toBe(false);
  });

  it('reads an old snapshot the same way', () => {
    const old = JSON.parse(JSON.stringify({ ...emptyPicture(), seq: 7, convoys: { 'cv-a': { ...convoy, id: 'cv-a', state: 'held' }, 'cv-b': { ...convoy, id: 'cv-b', state: 'cancelled' } } }));
    const p = pictureFromJson(old);
    expect([p.convoys['cv-a'].state, p.convoys['cv-b'].state]).toEqual(['holding', 'aborted']);
  });
});

// Integration test of a convoy's change of state (P20) against a real server on a random port:
// POST /api/convoys/:id/state through the whole cycle, its refusals (409, 400, 404, 403), upsert as no
// way around the machine, and the convoy.state command over a real WebSocket, acked and idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient } from './helpers.js';

describe('P20: POST /api/convoys/:id/state', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  const tokens: Record<string, string> = {};
  const state = (id: string, body: unknown, token = tokens.planner, headers?: Record<string, string>) => call(`${url}/api/convoys/${id}/state`, { token, body, headers });
  const convoyOf = async (id: string) => (await call(`${url}/api/convoys`, { token: tokens.viewer })).body.convoys.find((c: { id: string }) => c.id === id);
  const post = (id: string, extra: Record<string, unknown> = {}) =>
    call(`${url}/api/convoys`, { token: tokens.planner, body: { id, name: `Convoy ${id}`, origin: [11.963, 57.701], destination: [11.968, 57.703], ...extra } });

  beforeAll(async () => {
    server = await startTestServer(tmp.dir);
    url = server.url;
    for (const role of ['planner', 'analyst', 'viewer', 'field', 'admin'] as const) tokens[role] = server.tokens.create({ org: 'WFP', role }).token;
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('goes planned → approved → moving → holding (reason, resumeWhen) → moving → arrived, recording who, when and why', async () => {
    expect((await post('cv-cycle')).status).toBe(201);
    let last = 0;
    const steps = [
      { to: 'approved' },
      { to: 'moving' },
      { to: 'holding', reason: 'bridge out at Hisingsbron', resumeWhen: 'bridge cleared by engineers' },
      { to: 'moving', reason: 'bridge cleared' },
      { to: 'arrived' },
    ];
    for (const step of steps) {
      const r = await state('cv-cycle', step);
      expect(r, JSON.stringify(step)).toMatchObject({ status: 200, body: { seq: expect.any(Number), state: step.to } });
      expect(r.body.seq).toBeGreaterThan(last);
      last = r.body.seq;
    }
    const convoy = await convoyOf('cv-cycle');
    expect(convoy.state).toBe('arrived');
    expect(convoy.stateHistory.map((h: { from: string; to: string }) => `${h.from}→${h.to}`)).toEqual([
      'planned→approved',
      'approved→moving',
      'moving→holding',
      'holding→moving',
      'moving→arrived',
    ]);
    expect(convoy.stateHistory[2]).toMatchObject({
      reason: 'bridge out at Hisingsbron',
      resumeWhen: 'bridge cleared by engineers',
      by: { org: 'WFP', role: 'planner', tokenId: expect.any(String) },
      atMs: expect.any(Number),
    });
    // The audit trail holds each change as an event with its actor.
    const events = (await call(`${url}/api/events?since=0&limit=1000`, { token: tokens.viewer })).body.events;
    const changes = events.filter((e: { type: string; convoyId?: string }) => e.type === 'convoy.state-changed' && e.convoyId === 'cv-cycle');
    expect(changes).toHaveLength(5);
    expect(changes[2]).toMatchObject({ from: 'moving', to: 'holding', actor: { org: 'WFP', role: 'planner' } });
  });

  it('409 invalid_transition naming both states for approving an arrived convoy and moving one never approved; nothing changes', async () => {
    const approveArrived = await state('cv-cycle', { to: 'approved' });
    expect(approveArrived).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition', path: 'to' } } });
    expect(approveArrived.body.error.message).toMatch(/from arrived to approved/);
    await post('cv-new');
    const moveUnapproved = await state('cv-new', { to: 'moving' });
    expect(moveUnapproved).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition' } } });
    expect(moveUnapproved.body.error.message).toMatch(/from planned to moving/);
    expect((await convoyOf('cv-new')).state).toBe('planned');
    expect((await convoyOf('cv-cycle')).state).toBe('arrived');
    const events = (await call(`${url}/api/events?since=0&limit=1000`, { token: tokens.viewer })).body.events;
    const changes = (id: string) => events.filter((e: { type: string; convoyId?: string }) => e.type === 'convoy.state-changed' && e.convoyId === id).length;
    expect([changes('cv-cycle'), changes('cv-new')]).toEqual([5, 0]);
  });

  it('400 naming the field for holding without a reason or without resumeWhen, aborting without a reason, a bad target', async () => {
    await post('cv-bad');
    await state('cv-bad', { to: 'approved' });
    await state('cv-bad', { to: 'moving' });
    expect(await state('cv-bad', { to: 'holding' })).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'reason' } } });
    expect(await state('cv-bad', { to: 'holding', reason: 'bridge out' })).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'resumeWhen' } } });
    expect(await state('cv-bad', { to: 'aborted', reason: '   ' })).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'reason' } } });
    expect(await state('cv-bad', { to: 'held', reason: 'r' })).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'to' } } });
    expect(await state('cv-bad', { reason: 'r' })).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'to' } } });
    expect(await state('cv-bad', { to: 'arrived', extra: 1 })).toMatchObject({ status: 400, body: { error: { code: 'invalid' } } });
    expect((await convoyOf('cv-bad')).state).toBe('moving');
    expect(await state('cv-bad', { to: 'aborted', reason: 'road mined' })).toMatchObject({ status: 200, body: { state: 'aborted' } });
  });

  it('404 not_found for an unknown convoy; 403 for roles that do not plan convoys', async () => {
    expect(await state('cv-nowhere', { to: 'approved' })).toMatchObject({ status: 404, body: { error: { code: 'not_found', path: 'id' } } });
    await post('cv-roles');
    for (const role of ['analyst', 'viewer', 'field']) {
      expect(await state('cv-roles', { to: 'approved' }, tokens[role])).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    }
    expect(await state('cv-roles', { to: 'approved' }, tokens.admin)).toMatchObject({ status: 200, body: { state: 'approved' } });
  });

  it('an Idempotency-Key retry answers the first seq and changes nothing again', async () => {
    await post('cv-retry');
    const first = await state('cv-retry', { to: 'approved' }, tokens.planner, { 'idempotency-key': 'approve-cv-retry' });
    const again = await state('cv-retry', { to: 'approved' }, tokens.planner, { 'idempotency-key': 'approve-cv-retry' });
    expect(first).toMatchObject({ status: 200, body: { state: 'approved' } });
    expect(again).toMatchObject({ status: 200, body: { seq: first.body.seq, state: 'approved' } });
    expect((await convoyOf('cv-retry')).stateHistory).toHaveLength(1);
  });

  it('an upsert edits fields and keeps the state; a state change by upsert only as the machine allows without a reason', async () => {
    await post('cv-up');
    await state('cv-up', { to: 'approved' });
    await state('cv-up', { to: 'moving' });
    // Re-posting the convoy without a state (or with its own) keeps it moving.
    expect((await post('cv-up', { people: 40 })).status).toBe(201);
    expect(await convoyOf('cv-up')).toMatchObject({ state: 'moving', people: 40 });
    expect((await post('cv-up', { state: 'moving', people: 41 })).status).toBe(201);
    // No way around the machine: back to planned is refused, holding needs the state route's reason.
    expect(await post('cv-up', { state: 'planned' })).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition', path: 'state' } } });
    expect(await post('cv-up', { state: 'holding' })).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'state' } } });
    expect(await post('cv-new-moving', { state: 'moving' })).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition', path: 'state' } } });
    // A legal change without a reason is recorded like any other.
    expect((await post('cv-up', { state: 'arrived' })).status).toBe(201);
    const c = await convoyOf('cv-up');
    expect(c.state).toBe('arrived');
    expect(c.stateHistory.at(-1)).toMatchObject({ from: 'moving', to: 'arrived', by: { role: 'planner' } });
  });

  it('the convoy.state command over the WebSocket: acked, errored with both states, idempotent by msgId', async () => {
    await post('cv-ws');
    const ws = await TestClient.connect(url, tokens.planner);
    /** Sends a command and waits for its `nth` answer under its msgId (a retry is answered again, P8). */
    const send = async (message: Record<string, unknown>, nth = 1) => {
      ws.send(message);
      const answered = () => ws.received.filter((m) => (m.type === 'ack' || m.type === 'error') && m.msgId === message.msgId);
      await ws.next(() => answered().length >= nth);
      return answered()[nth - 1];
    };
    try {
      await ws.next((m) => m.type === 'snapshot');
      const ack = await send({ type: 'convoy.state', msgId: 'ws-1', convoyId: 'cv-ws', to: 'approved' });
      expect(ack).toMatchObject({ type: 'ack', msgId: 'ws-1', seq: expect.any(Number) });
      const retry = await send({ type: 'convoy.state', msgId: 'ws-1', convoyId: 'cv-ws', to: 'approved' }, 2);
      expect(retry).toMatchObject({ type: 'ack', seq: ack.seq });
      const conflict = await send({ type: 'convoy.state', msgId: 'ws-1', convoyId: 'cv-ws', to: 'aborted', reason: 'x' }, 3);
      expect(conflict).toMatchObject({ type: 'error', code: 'conflict', path: 'msgId' });
      const illegal = await send({ type: 'convoy.state', msgId: 'ws-2', convoyId: 'cv-ws', to: 'arrived' });
      expect(illegal).toMatchObject({ type: 'error', msgId: 'ws-2', code: 'invalid_transition', path: 'to' });
      expect(illegal.message).toMatch(/from approved to arrived/);
      const missing = await send({ type: 'convoy.state', msgId: 'ws-3', convoyId: 'cv-ws', to: 'aborted' });
      expect(missing).toMatchObject({ type: 'error', code: 'invalid', path: 'reason' });
      const unknown = await send({ type: 'convoy.state', msgId: 'ws-4', convoyId: 'cv-ghost', to: 'approved' });
      expect(unknown).toMatchObject({ type: 'error', code: 'not_found', path: 'convoyId' });
      // Two changes sent without waiting are judged in order.
      ws.send({ type: 'convoy.state', msgId: 'ws-5', convoyId: 'cv-ws', to: 'moving' });
      const hold = await send({ type: 'convoy.state', msgId: 'ws-6', convoyId: 'cv-ws', to: 'holding', reason: 'crowd at checkpoint', resumeWhen: 'police escort arrives' });
      expect(hold).toMatchObject({ type: 'ack' });
      // The delta carries the change, and the client's fold shows the hold.
      const delta = await ws.next((m) => m.type === 'delta' && m.events.some((e: { type: string; to?: string }) => e.type === 'convoy.state-changed' && e.to === 'holding'));
      expect(delta.events.find((e: { type: string; to?: string }) => e.to === 'holding')).toMatchObject({ convoyId: 'cv-ws', from: 'moving', reason: 'crowd at checkpoint', resumeWhen: 'police escort arrives' });
      expect((await convoyOf('cv-ws')).state).toBe('holding');
      const viewer = await TestClient.connect(url, tokens.viewer);
      try {
        const refused = await viewer.request({ type: 'convoy.state', msgId: 'v-1', convoyId: 'cv-ws', to: 'moving' });
        expect(refused).toMatchObject({ type: 'error', code: 'forbidden' });
      } finally {
        await viewer.close();
      }
    } finally {
      await ws.close();
    }
  });
});

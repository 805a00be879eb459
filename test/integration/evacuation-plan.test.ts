// Integration test of evacuation plans (issue 12) against a real server: a plan's target groups and
// havens, its convoys' people by group, the sequence (a convoy leaves after another), the movement
// window, the figures of GET /api/plans, and a plan that still has convoys kept from deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient } from './helpers.js';

const ORIGIN: [number, number] = [11.963, 57.701];
const HAVEN: [number, number] = [11.968, 57.703];
const GROUPS = [
  { id: 'medical', name: 'Medical cases' },
  { id: 'children', name: 'Unaccompanied children' },
  { id: 'families', name: 'Families' },
];

describe('evacuation plans', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let planner: string;
  let viewer: string;
  const post = (path: string, body: unknown, token = planner) => call(`${url}/api/${path}`, { token, body });
  const state = (id: string, body: unknown) => post(`convoys/${id}/state`, body);
  const convoy = (id: string, extra: Record<string, unknown>) => post('convoys', { id, name: `Convoy ${id}`, origin: ORIGIN, destination: HAVEN, planId: 'ep-north', ...extra });

  beforeAll(async () => {
    server = await startTestServer(tmp.dir);
    url = server.url;
    planner = server.tokens.create({ org: 'UNHCR', role: 'planner' }).token;
    viewer = server.tokens.create({ org: 'NGO', role: 'viewer' }).token;
    expect((await post('havens', { id: 'hv-school', name: 'School', lon: HAVEN[0], lat: HAVEN[1], capacity: 500, status: 'open' })).status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('refuses a plan that names a haven that does not exist, or a group twice, naming the field', async () => {
    const unknown = await post('plans', { id: 'ep-x', name: 'X', targetGroups: GROUPS, havenIds: ['hv-school', 'hv-nowhere'] });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found', path: 'havenIds[1]' } } });
    expect(unknown.body.error.message).toContain('hv-nowhere');
    const twice = await post('plans', { id: 'ep-x', name: 'X', targetGroups: [...GROUPS, { id: 'medical', name: 'Again' }] });
    expect(twice).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'targetGroups[3].id' } } });
    expect((await post('plans', { id: 'ep-x', name: 'X', targetGroups: [] })).body.error.path).toBe('targetGroups');
    // Only those who plan convoys make plans.
    expect((await post('plans', { name: 'X', targetGroups: GROUPS }, viewer)).status).toBe(403);
  });

  it('takes a plan, and convoys that carry its people by group', async () => {
    const plan = await post('plans', { id: 'ep-north', name: 'Northern districts', organisation: 'UNHCR', targetGroups: GROUPS, havenIds: ['hv-school'], autoAcceptMinutes: 5 });
    expect(plan).toMatchObject({ status: 201, body: { id: 'ep-north' } });
    const first = await convoy('cv-1', { peopleByGroup: { medical: 12, children: 30 }, priority: 1, vehicles: 3, plates: ['ABC 123'] });
    expect(first.status).toBe(201);
    const stored = (await call(`${url}/api/convoys/cv-1`, { token: viewer })).body.convoy;
    expect(stored).toMatchObject({ planId: 'ep-north', people: 42, peopleByGroup: { medical: 12, children: 30 }, priority: 1, plates: ['ABC 123'] });
  });

  it('refuses a convoy whose plan, groups, total or sequence do not hold, naming the field', async () => {
    expect(await convoy('cv-bad', { planId: 'ep-none' })).toMatchObject({ status: 404, body: { error: { code: 'not_found', path: 'planId' } } });
    const group = await convoy('cv-bad', { peopleByGroup: { elderly: 4 } });
    expect(group).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'peopleByGroup.elderly' } } });
    expect(group.body.error.message).toContain('medical, children, families');
    expect(await convoy('cv-bad', { peopleByGroup: { medical: 4 }, people: 5 })).toMatchObject({ status: 400, body: { error: { path: 'people' } } });
    expect(await post('convoys', { name: 'No plan', origin: ORIGIN, destination: HAVEN, peopleByGroup: { medical: 4 } })).toMatchObject({ status: 400, body: { error: { path: 'planId' } } });
    expect(await convoy('cv-bad', { after: 'cv-none' })).toMatchObject({ status: 404, body: { error: { code: 'not_found', path: 'after' } } });
    expect(await convoy('cv-bad', { window: { from: '2026-12-01T10:00:00Z', until: '2026-12-01T09:00:00Z' } })).toMatchObject({ status: 400, body: { error: { path: 'window.until' } } });
    // A loop in the sequence: cv-1 after cv-2 after cv-1.
    expect((await convoy('cv-2', { peopleByGroup: { families: 60 }, after: 'cv-1', priority: 2 })).status).toBe(201);
    const loop = await convoy('cv-1', { peopleByGroup: { medical: 12, children: 30 }, priority: 1, after: 'cv-2' });
    expect(loop).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'after' } } });
    expect(loop.body.error.message).toMatch(/loop/);
    const list = (await call(`${url}/api/convoys`, { token: viewer })).body.convoys.map((c: { id: string }) => c.id);
    expect(list).not.toContain('cv-bad');
  });

  it('a convoy does not depart before the one the plan puts first has (409 out_of_sequence), nor outside its window (409 outside_window)', async () => {
    expect((await state('cv-2', { to: 'approved' })).status).toBe(200);
    const early = await state('cv-2', { to: 'moving' });
    expect(early).toMatchObject({ status: 409, body: { error: { code: 'out_of_sequence', path: 'to' } } });
    expect(early.body.error.message).toBe('convoy "cv-2" leaves after convoy "cv-1", which is planned and has not departed');
    expect((await call(`${url}/api/convoys/cv-2`, { token: viewer })).body.convoy.state).toBe('approved');
    // Over the WebSocket the same.
    const ws = await TestClient.connect(url, planner);
    try {
      await ws.next((m) => m.type === 'snapshot');
      const err = await ws.request({ type: 'convoy.state', msgId: 'seq-1', convoyId: 'cv-2', to: 'moving' });
      expect(err).toMatchObject({ type: 'error', code: 'out_of_sequence', path: 'to' });
    } finally {
      await ws.close();
    }
    expect(ws.violations).toEqual([]);
    expect((await state('cv-1', { to: 'approved' })).status).toBe(200);
    expect((await state('cv-1', { to: 'moving' })).status).toBe(200);
    expect((await state('cv-2', { to: 'moving' })).status).toBe(200);

    const now = Date.now();
    const past = { from: new Date(now - 3 * 3600_000).toISOString(), until: new Date(now - 3600_000).toISOString() };
    expect((await convoy('cv-3', { peopleByGroup: { families: 20 }, window: past, departure: past.from, priority: 3 })).status).toBe(201);
    expect((await state('cv-3', { to: 'approved' })).status).toBe(200);
    const late = await state('cv-3', { to: 'moving' });
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'outside_window', path: 'to' } } });
    expect(late.body.error.message).toContain('has closed');
    const open = { from: new Date(now - 3600_000).toISOString(), until: new Date(now + 3600_000).toISOString() };
    expect((await convoy('cv-3', { peopleByGroup: { families: 20 }, window: open, priority: 3 })).status).toBe(201);
    expect((await state('cv-3', { to: 'moving' })).status).toBe(200);
  });

  it('GET /api/plans gives the convoys in the order they leave and the people by group, by where they are', async () => {
    expect((await state('cv-3', { to: 'aborted', reason: 'driver unavailable' })).status).toBe(200);
    expect((await convoy('cv-4', { peopleByGroup: { medical: 3 }, priority: 1 })).status).toBe(201);
    const { body } = await call(`${url}/api/plans`, { token: viewer });
    expect(body.plans).toHaveLength(1);
    const plan = body.plans[0];
    expect(plan).toMatchObject({ id: 'ep-north', name: 'Northern districts', havenIds: ['hv-school'], autoAcceptMinutes: 5 });
    // Priority 1 first (cv-1 then its follower cv-2, then cv-4 by name), cv-3 (priority 3) last.
    expect(plan.order).toEqual(['cv-1', 'cv-2', 'cv-4', 'cv-3']);
    expect(plan.groups).toEqual([
      { id: 'medical', name: 'Medical cases', waiting: 3, underWay: 12, arrived: 0, aborted: 0 },
      { id: 'children', name: 'Unaccompanied children', waiting: 0, underWay: 30, arrived: 0, aborted: 0 },
      { id: 'families', name: 'Families', waiting: 0, underWay: 60, arrived: 0, aborted: 20 },
    ]);
    expect((await call(`${url}/api/plans/ep-north`, { token: viewer })).body.plan.order).toEqual(plan.order);
    expect((await call(`${url}/api/plans/ep-none`, { token: viewer })).status).toBe(404);
  });

  it('a planner chooses among a planned convoy\'s routes; not one it does not have, nor once it is under way', async () => {
    expect((await post('convoys', { id: 'cv-r', name: 'Route choice', origin: ORIGIN, destination: HAVEN })).status).toBe(201);
    const corridor = async () => (await call(`${url}/api/convoys/cv-r`, { token: viewer })).body.convoy.corridor;
    for (let i = 0; i < 50 && !(await corridor()); i++) await new Promise((r) => setTimeout(r, 20));
    const missing = await post('convoys/cv-r/route', { route: 3 });
    expect(missing).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: 'route' } } });
    expect(missing.body.error.message).toContain('it has routes 0 to 0');
    expect((await post('convoys/cv-r/route', { route: 'two' })).body.error.path).toBe('route');
    expect((await post('convoys/cv-r/route', { route: 0 }, viewer)).status).toBe(403);
    expect((await post('convoys/cv-r/route', { route: 0 })).status).toBe(200);
    expect(await corridor()).toMatchObject({ chosen: true, status: 'ok' });
    expect((await state('cv-r', { to: 'approved' })).status).toBe(200);
    expect((await state('cv-r', { to: 'moving' })).status).toBe(200);
    expect(await post('convoys/cv-r/route', { route: 0 })).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition' } } });
    expect((await call(`${url}/api/convoys/cv-r`, { token: planner, method: 'DELETE' })).status).toBe(200);
  });

  it('a plan is not deleted from under a convoy posted a moment before, still in the queue', async () => {
    const ws = await TestClient.connect(url, planner);
    try {
      await ws.next((m) => m.type === 'snapshot');
      // Sent without waiting: the removal is judged against the queue, where the convoy names the plan.
      ws.send({ type: 'plan.upsert', msgId: 'q-plan', plan: { id: 'ep-queued', name: 'Queued plan', targetGroups: [{ id: 'all', name: 'Everyone' }] } });
      ws.send({ type: 'convoy.upsert', msgId: 'q-convoy', convoy: { id: 'cv-queued', name: 'Queued convoy', origin: [11.9625, 57.7005], destination: [11.969, 57.7045], planId: 'ep-queued' } });
      ws.send({ type: 'plan.remove', msgId: 'q-remove', id: 'ep-queued' });
      const answer = await ws.next((m) => m.msgId === 'q-remove');
      expect(answer).toMatchObject({ type: 'error', code: 'in_use' });
      expect((await ws.next((m) => m.msgId === 'q-convoy')).type).toBe('ack');
    } finally {
      await ws.close();
    }
    expect((await call(`${url}/api/convoys/cv-queued`, { token: planner, method: 'DELETE' })).status).toBe(200);
    expect((await call(`${url}/api/plans/ep-queued`, { token: planner, method: 'DELETE' })).status).toBe(200);
  });

  it('a plan with convoys is not deleted from under them (409 in_use); once they are gone it is', async () => {
    const refused = await call(`${url}/api/plans/ep-north`, { token: planner, method: 'DELETE' });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'in_use', path: 'id' } } });
    expect(refused.body.error.message).toContain('"cv-1"');
    for (const id of ['cv-1', 'cv-2', 'cv-3', 'cv-4']) expect((await call(`${url}/api/convoys/${id}`, { token: planner, method: 'DELETE' })).status).toBe(200);
    expect((await call(`${url}/api/plans/ep-north`, { token: planner, method: 'DELETE' })).status).toBe(200);
    expect((await call(`${url}/api/plans`, { token: viewer })).body.plans).toEqual([]);
  });
});

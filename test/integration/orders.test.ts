// Integration test of a convoy's orders (P27) against a real server: the devices of its lead unit are
// told at once when it is approved to move, held (with why and when it moves again), given a route;
// also on a send-only socket (`stream=none`), which gets no frames; other units' sockets hear nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient } from './helpers.js';

const ORIGIN: [number, number] = [11.963, 57.701];
const HAVEN: [number, number] = [11.968, 57.703];

describe('P27: orders to the lead unit', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let planner: string;
  let lead: TestClient;
  let leadPicture: TestClient;
  let other: TestClient;
  const state = (body: unknown) => call(`${url}/api/convoys/cv-o/state`, { token: planner, body });

  beforeAll(async () => {
    server = await startTestServer(tmp.dir);
    url = server.url;
    planner = server.tokens.create({ org: 'WFP', role: 'planner' }).token;
    const leadToken = server.tokens.create({ org: 'WFP', role: 'field', unit: 'lead-o' }).token;
    const otherToken = server.tokens.create({ org: 'WFP', role: 'field', unit: 'someone-else' }).token;
    lead = await TestClient.connect(url, leadToken, { stream: 'none' });
    leadPicture = await TestClient.connect(url, leadToken);
    other = await TestClient.connect(url, otherToken, { stream: 'none' });
    expect((await call(`${url}/api/convoys`, { token: planner, body: { id: 'cv-o', name: 'EVAC O', origin: ORIGIN, destination: HAVEN, leadUnitId: 'lead-o', checkpoints: [{ name: 'Bridge', at: [11.965, 57.702] }] } })).status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all([lead.close(), leadPicture.close(), other.close()]);
    await server.close();
    tmp.cleanup();
  });

  it('tells the lead unit, on both its sockets, each change of state with the route to drive; no one else', async () => {
    expect((await state({ to: 'approved' })).status).toBe(200);
    const approved = await lead.next((m) => m.type === 'orders' && m.state === 'approved');
    expect(approved).toMatchObject({ cause: 'state', convoyId: 'cv-o', name: 'EVAC O', checkpoints: [{ name: 'Bridge', at: [11.965, 57.702] }] });
    expect(approved.route?.coordinates?.length).toBeGreaterThanOrEqual(2);
    expect((await state({ to: 'moving' })).status).toBe(200);
    await lead.next((m) => m.type === 'orders' && m.state === 'moving');
    expect((await state({ to: 'holding', reason: 'Bridge closed', resumeWhen: 'Engineers clear it' })).status).toBe(200);
    const held = await lead.next((m) => m.type === 'orders' && m.state === 'holding');
    expect(held).toMatchObject({ reason: 'Bridge closed', resumeWhen: 'Engineers clear it' });
    // The picture socket of the same unit is told too, besides its frames.
    await leadPicture.next((m) => m.type === 'orders' && m.state === 'holding');
    // The send-only socket got orders and nothing of the picture; the other unit, nothing.
    expect(lead.received.some((m) => m.type === 'snapshot' || m.type === 'delta')).toBe(false);
    expect(other.received.filter((m) => m.type === 'orders')).toEqual([]);
    expect([...lead.violations, ...leadPicture.violations]).toEqual([]);
  });
});

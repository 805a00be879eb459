// Integration test of the havens' book (P23) against a real server: an approved convoy reserves places
// at its haven, an approval that would overfill it is refused (409 no_room) counting every reservation,
// an abort releases the places, and GET /api/havens says what is occupied, reserved and free.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer } from './helpers.js';

const HAVEN: [number, number] = [11.968, 57.703];

describe('P23: havens\' places across convoys', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  let planner: string;
  const state = (id: string, body: unknown) => call(`${url}/api/convoys/${id}/state`, { token: planner, body });
  const haven = async () => (await call(`${url}/api/havens`, { token: planner })).body.havens.find((h: { id: string }) => h.id === 'hv-school');

  beforeAll(async () => {
    server = await startTestServer(tmp.dir);
    url = server.url;
    planner = server.tokens.create({ org: 'WFP', role: 'planner' }).token;
    expect((await call(`${url}/api/havens`, { token: planner, body: { id: 'hv-school', name: 'School', lon: HAVEN[0], lat: HAVEN[1], capacity: 100, occupancy: 80, status: 'open' } })).status).toBe(201);
    for (const [id, people] of [
      ['cv-a', 15],
      ['cv-b', 10],
    ] as const) {
      const posted = await call(`${url}/api/convoys`, { token: planner, body: { id, name: `Convoy ${id}`, origin: [11.963, 57.701], destination: HAVEN, people } });
      expect(posted.status).toBe(201);
    }
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('an approved convoy reserves its people\'s places; a planned one does not', async () => {
    expect(await haven()).toMatchObject({ occupancy: 80, reserved: 0, free: 20, convoys: [] });
    expect((await state('cv-a', { to: 'approved' })).status).toBe(200);
    expect(await haven()).toMatchObject({ occupancy: 80, reserved: 15, free: 5, convoys: ['cv-a'] });
  });

  it('refuses an approval that would overfill the haven, naming it and the places left; nothing changes', async () => {
    const refused = await state('cv-b', { to: 'approved' });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'no_room', path: 'to' } } });
    expect(refused.body.error.message).toMatch(/overfill haven "School": its 10 people, 5 places free once the 15 reserved by other convoys are counted/);
    const b = (await call(`${url}/api/convoys/cv-b`, { token: planner })).body.convoy;
    expect(b.state).toBe('planned');
    // Posting it approved is no way around it either.
    const upsert = await call(`${url}/api/convoys`, { token: planner, body: { id: 'cv-b', name: 'Convoy cv-b', origin: [11.963, 57.701], destination: HAVEN, people: 10, state: 'approved' } });
    expect(upsert).toMatchObject({ status: 409, body: { error: { code: 'no_room', path: 'state' } } });
  });

  it('an abort releases the places, and the other convoy may then be approved', async () => {
    expect((await state('cv-a', { to: 'aborted', reason: 'vehicles requisitioned' })).status).toBe(200);
    expect(await haven()).toMatchObject({ reserved: 0, free: 20 });
    expect((await state('cv-b', { to: 'approved' })).status).toBe(200);
    expect(await haven()).toMatchObject({ reserved: 10, free: 10, convoys: ['cv-b'] });
  });
});

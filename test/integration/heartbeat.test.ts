// Heartbeats on /ws (server/net/heartbeat.ts) against a real server: a socket that stops answering
// pings is dropped, one that answers stays.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir, waitFor } from '../server/helpers.js';
import { startTestServer, TestClient } from './helpers.js';

const ADMIN = 'admin-token-for-tests-0123456789';

describe('heartbeats', () => {
  const tmp = tempDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer(tmp.dir, { heartbeatMs: 100 });
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('drops a socket that no longer answers pings and keeps a live one', async () => {
    const live = await TestClient.connect(server.url, ADMIN);
    const dead = await TestClient.connect(server.url, ADMIN);
    await Promise.all([live.next((m) => m.type === 'snapshot'), dead.next((m) => m.type === 'snapshot')]);
    let closedAt = 0;
    dead.ws.on('close', () => (closedAt = Date.now()));
    // A paused socket reads nothing, so it never sees the pings and never answers them.
    (dead.ws as unknown as { _socket: Socket })._socket.pause();
    const start = Date.now();
    expect(server.clients()).toBe(2);
    await waitFor(() => server.clients() === 1, 3000, 'dead socket dropped');
    expect(Date.now() - start).toBeLessThan(3000);
    (dead.ws as unknown as { _socket: Socket })._socket.resume();
    await waitFor(() => closedAt > 0, 3000, 'client sees the close');
    expect(live.ws.readyState).toBe(live.ws.OPEN);
    await live.close();
  });
});

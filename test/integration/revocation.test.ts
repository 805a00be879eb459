// Integration test of token revocation on open WebSocket sessions, against a real server with real
// sockets: revoking a token (as `npm run token -- revoke` does, from another connection to
// tokens.db) closes its sockets with CLOSE_TOKEN_REVOKED, refuses its reconnects, and leaves others open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { TokenStore, tokensFile } from '../../server/auth/tokens.js';
import { CLOSE_TOKEN_REVOKED } from '@corridor/protocol';
import { tempDir } from '../server/helpers.js';
import { startTestServer, TestClient } from './helpers.js';

describe('revoking a token with open WebSocket sessions', () => {
  const tmp = tempDir();
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer(tmp.dir, { revocationCheckMs: 100 });
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  const closed = (client: TestClient) =>
    new Promise<{ code: number; reason: string }>((resolve) => client.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

  it('closes every socket of the revoked token within a check, refuses its reconnect, and keeps other sessions', async () => {
    const field = server.tokens.create({ org: 'ngo-a', role: 'field', unit: 'fa-1' });
    const viewer = server.tokens.create({ org: 'ngo-b', role: 'viewer' });
    const map = await TestClient.connect(server.url, field.token);
    const uplink = await TestClient.connect(server.url, field.token, { stream: 'none' });
    const other = await TestClient.connect(server.url, viewer.token);
    await Promise.all([map.next((m) => m.type === 'snapshot'), other.next((m) => m.type === 'snapshot')]);
    const ack = await uplink.request({ type: 'position', msgId: 'rv-1', unitId: 'fa-1', lon: 11.965, lat: 57.702 });
    expect(ack.type).toBe('ack');

    const mapClosed = closed(map);
    const uplinkClosed = closed(uplink);
    // Another connection to the same tokens.db, as the token CLI in its own process.
    const cli = new TokenStore(tokensFile(tmp.dir));
    expect(cli.revoke(field.record.id)).toBe(true);
    cli.close();

    expect(await mapClosed).toEqual({ code: CLOSE_TOKEN_REVOKED, reason: 'token revoked' });
    expect(await uplinkClosed).toEqual({ code: CLOSE_TOKEN_REVOKED, reason: 'token revoked' });
    await expect(TestClient.connect(server.url, field.token)).rejects.toThrow(/401/);

    // The other organisation's session is untouched and still receives the picture.
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    const analyst = server.tokens.create({ org: 'ops', role: 'admin' });
    const writer = await TestClient.connect(server.url, analyst.token, { stream: 'none' });
    const next = await writer.request({ type: 'position', msgId: 'rv-2', unitId: 'x-9', lon: 11.966, lat: 57.703 });
    await other.next((m) => m.type === 'delta' && m.seq >= next.seq);
    // The fix accepted before the revocation stays in the picture.
    expect(server.store.picture.units['fa-1']).toMatchObject({ lon: 11.965, lat: 57.702 });
    await Promise.all([other.close(), writer.close()]);
  });
});

// Issue 9's smaller HTTP items against a real server: Node's own refusals (bad request line, headers
// too large) in the contract's JSON, an empty body, an Authorization header of another scheme, and
// liveness and readiness.
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer } from './helpers.js';

const ADMIN = 'admin-token-for-tests-0123456789';

/** Writes raw bytes to the server and returns everything it answers until it closes. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write(bytes));
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

function bodyOf(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

describe('issue 9: HTTP edges', () => {
  const tmp = tempDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer(tmp.dir);
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it("a request Node cannot parse gets the contract's JSON, not an empty body", async () => {
    const bad = await raw(server.port, 'NOT A REQUEST\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(bad)).toEqual({ error: { code: 'invalid', message: expect.stringMatching(/not valid HTTP/), path: '' } });
    const big = await raw(server.port, `GET /api/picture HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(big)).toMatchObject({ error: { code: 'headers_too_large' } });
    // The server goes on.
    expect((await call(`${server.url}/healthz`)).status).toBe(200);
  });

  it('an empty body is bad_json, not a missing field', async () => {
    for (const kind of ['positions', 'threats', 'havens']) {
      const r = await call(`${server.url}/api/${kind}`, { token: ADMIN, method: 'POST', raw: '', headers: { 'content-type': 'application/json' } });
      expect(r, kind).toMatchObject({ status: 400, body: { error: { code: 'bad_json', message: expect.stringMatching(/empty/) } } });
    }
    const none = await call(`${server.url}/api/positions`, { token: ADMIN, method: 'POST' });
    expect(none).toMatchObject({ status: 400, body: { error: { code: 'bad_json' } } });
  });

  it('an Authorization header of another scheme is named', async () => {
    const basic = await call(`${server.url}/api/picture`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', message: expect.stringMatching(/Basic scheme.*Bearer/) } } });
    const empty = await call(`${server.url}/api/picture`, { headers: { authorization: 'Bearer' } });
    expect(empty.body.error.message).toMatch(/Bearer <token>/);
    const none = await call(`${server.url}/api/picture`);
    expect(none.body.error.message).toMatch(/a token is required/);
  });

  it('liveness and readiness answer without a token', async () => {
    expect(await call(`${server.url}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(`${server.url}/readyz`)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});

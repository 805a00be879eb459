// The start-up admin token across restarts (issue 17): kept in the data directory when not configured,
// so a wall signed in with it stays signed in; `npm run token -- rotate-admin` replaces it at once.
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE, startupAdminToken } from '../../server/auth/admin-token.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer, TestClient } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

describe('the start-up admin token', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('is made once, kept readable by its owner only, and the same after a restart of the same data directory', async () => {
    const dir = path.join(tmp.dir, 'kept');
    const first = await startTestServer(dir, { adminToken: undefined });
    const token = first.adminToken;
    await first.close();
    expect(readFileSync(path.join(dir, ADMIN_TOKEN_FILE), 'utf8').trim()).toBe(token);
    expect(statSync(path.join(dir, ADMIN_TOKEN_FILE)).mode & 0o077).toBe(0);

    const again = await startTestServer(dir, { adminToken: undefined });
    try {
      expect(again.adminToken).toBe(token);
      // A browser's session cookie holds the token: it is still good after the restart.
      expect((await call(`${again.url}/api/picture`, { token })).status).toBe(200);
    } finally {
      await again.close();
    }
  });

  it('is the configured one when CORRIDOR_ADMIN_TOKEN is set, and a hand-broken kept file is replaced', () => {
    const dir = path.join(tmp.dir, 'set');
    expect(startupAdminToken(dir + '-none', 'configured-token-0123456789')).toEqual({ token: 'configured-token-0123456789', from: 'setting' });
    const made = startupAdminToken(dir);
    expect(made.from).toBe('new');
    expect(startupAdminToken(dir)).toEqual({ token: made.token, from: 'kept' });
    writeFileSync(path.join(dir, ADMIN_TOKEN_FILE), 'short\n');
    const remade = startupAdminToken(dir);
    expect(remade.from).toBe('new');
    expect(remade.token).not.toBe(made.token);
  });

  it('is replaced by rotate-admin: the old one is refused at once and the new one is kept for the next start', async () => {
    const dir = path.join(tmp.dir, 'rotated');
    const server = await startTestServer(dir, { adminToken: undefined });
    const old = server.adminToken;
    try {
      const out = await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'server/cli/token.ts'), 'rotate-admin'], {
        cwd: root,
        env: { ...process.env, CORRIDOR_DATA_DIR: dir },
      });
      const lines = out.stdout.trim().split('\n');
      const fresh = lines[lines.length - 1];
      expect(fresh).toMatch(/^crd_/);
      expect(fresh).not.toBe(old);
      expect((await call(`${server.url}/api/picture`, { token: old })).status).toBe(401);
      expect((await call(`${server.url}/api/picture`, { token: fresh })).status).toBe(200);
      expect(readFileSync(path.join(dir, ADMIN_TOKEN_FILE), 'utf8').trim()).toBe(fresh);
    } finally {
      await server.close();
    }
  });

  it('sends the area and whether the exercise runs with every snapshot and picture', async () => {
    const server = await startTestServer(path.join(tmp.dir, 'area'), { areaName: 'Port-au-Prince' });
    try {
      const picture = (await call(`${server.url}/api/picture`, { token: server.adminToken })).body as Record<string, unknown>;
      expect(picture).toMatchObject({ area: 'Port-au-Prince', exercise: false });
      const client = await TestClient.connect(server.url, server.adminToken);
      const snap = await client.next((m) => m.type === 'snapshot');
      expect(snap).toMatchObject({ area: 'Port-au-Prince', exercise: false });
      await client.close();
    } finally {
      await server.close();
    }
  });
});

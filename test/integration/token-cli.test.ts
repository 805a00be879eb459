// Tests of the token CLI (server/cli/token.ts) as a child process, with the tokens used on a real server.
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken, tokensFile } from '../../server/auth/tokens.js';
import { databaseFile } from '../../server/log/event-log.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

function cli(dataDir: string, ...args: string[]) {
  return cliWith({}, dataDir, ...args);
}

function cliWith(env: Record<string, string>, dataDir: string, ...args: string[]) {
  return run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'server/cli/token.ts'), ...args], {
    cwd: root,
    env: { ...process.env, CORRIDOR_AGREEMENT: '', CORRIDOR_DATA_DIR: dataDir, ...env },
  });
}

describe('npm run token', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('creates a token printed alone on the last line, usable at once, and revokes it by id', async () => {
    const created = await cli(tmp.dir, 'create', '--org', 'WFP', '--role', 'planner');
    const lines = created.stdout.trim().split('\n');
    const token = lines[lines.length - 1];
    expect(token).toMatch(/^crd_[A-Za-z0-9_-]{43}$/);
    const id = /(tk-[0-9a-f]+)/.exec(created.stdout)![1];
    // In tokens.db, by its hash; the event log's file is not even made.
    const db = new Database(tokensFile(tmp.dir), { readonly: true });
    expect(db.prepare('SELECT id FROM tokens WHERE hash = ?').pluck().get(hashToken(token))).toBe(id);
    db.close();
    expect(existsSync(databaseFile(tmp.dir))).toBe(false);

    const server = await startTestServer(tmp.dir);
    try {
      expect((await call(`${server.url}/api/picture`, { token })).status).toBe(200);
      // The role holds: a planner may not post displacement sites (an analyst's).
      const site = { name: 'S', lon: 11.966, lat: 57.702, population: 10, date: '2026-11-21', source: 'test' };
      expect((await call(`${server.url}/api/sites`, { token, body: site })).status).toBe(403);
      const listed = await cli(tmp.dir, 'list');
      expect(listed.stdout).toContain(`${id}\tWFP\tplanner`);
      expect(listed.stdout).not.toContain(token);
      const revoked = await cli(tmp.dir, 'revoke', id);
      expect(revoked.stdout).toContain(id);
      expect((await call(`${server.url}/api/picture`, { token })).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('refuses a bad role or a missing org with a message and exit code 2', async () => {
    await expect(cli(tmp.dir, 'create', '--org', 'WFP', '--role', 'general')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--role must be one of') });
    await expect(cli(tmp.dir, 'create', '--role', 'viewer')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--org is required') });
    await expect(cli(tmp.dir, 'revoke', 'tk-none')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('no token with id tk-none') });
  });

  it("refuses an organisation the sharing agreement does not know, naming those it does; none without an agreement", async () => {
    await expect(cli(tmp.dir, 'create', '--org', 'ACME', '--role', 'viewer')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--org "ACME" is not an organisation of the sharing agreement exercise\.yaml \(UN-OCHA, WFP, .*BLUE-BDE, CIVPRO/),
    });
    const bad = path.join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nmarkings: [open]\norganisations:\n  - { id: A, kind: navy, defaultMarking: open }\nrules: []\n');
    await expect(cliWith({ CORRIDOR_AGREEMENT: bad }, tmp.dir, 'create', '--org', 'A', '--role', 'viewer')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('bad.yaml:4: organisations[0].kind') });
    const free = await cliWith({ CORRIDOR_AGREEMENT: 'none' }, tmp.dir, 'create', '--org', 'ACME', '--role', 'viewer');
    expect(free.stdout).toContain('for ACME (viewer)');
  });
});

// Integration test of server/main.ts with server/log/network-identity.ts: the real server, started on
// the built-in network, then on another road file with the same data directory, refuses to start
// (exit 2, a sentence naming both networks) until CORRIDOR_NETWORK_CHANGED=adopt carries the picture over.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../server/helpers.js';
import { call } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN = 'admin-token-for-network-tests-0123';
const MINI_ROADS = path.join(root, 'test/fixtures/roads/mini.geojson');

interface Run {
  /** The server's base URL once it printed its sign-in URL; undefined when it exited first. */
  url?: string;
  /** Resolves with the exit code and what it wrote. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stop(): void;
}

/** Starts `node --import tsx server/main.ts` as npm start does; resolves once it serves, or has exited. */
function startMain(dataDir: string, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      CORRIDOR_SCENARIO: 'none',
      PORT: '0',
      CORRIDOR_DATA_DIR: dataDir,
      CORRIDOR_ADMIN_TOKEN: ADMIN,
      CORRIDOR_COT_PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const stop = () => void child.kill('SIGTERM');
  return new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=/.exec(stdout);
      if (m) resolve({ url: m[1], exited, stop });
    });
    void exited.then(() => resolve({ exited, stop }));
  });
}

/** The run's URL; fails with what the server wrote when it exited instead of serving. */
async function served(run: Run): Promise<string> {
  if (run.url) return run.url;
  const { code, stderr } = await run.exited;
  throw new Error(`the server exited with ${code} instead of serving: ${stderr}`);
}

describe('a data directory on another road network (server/main.ts)', () => {
  const tmp = tempDir();
  const running: Run[] = [];
  afterAll(async () => {
    for (const run of running) run.stop();
    await Promise.all(running.map((r) => r.exited));
    tmp.cleanup();
  });

  it('is refused with exit code 2 and both networks named, and starts when told to adopt the new one', async () => {
    // 1. The built-in network, with one haven in the log.
    const first = await startMain(tmp.dir);
    running.push(first);
    const haven = await call(`${await served(first)}/api/havens`, { token: ADMIN, body: { name: 'School', lon: 11.965, lat: 57.703, capacity: 200, status: 'open' } });
    expect(haven.status).toBe(201);
    first.stop();
    expect((await first.exited).code).toBe(0);

    // 2. Another road file, same directory: refused before anything is served.
    const second = await startMain(tmp.dir, { CORRIDOR_ROADS: MINI_ROADS });
    running.push(second);
    expect(second.url).toBeUndefined();
    const refused = await second.exited;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Cannot start: the data directory .* belongs to the road network "large-network\.json" \(key [0-9a-f]{12}\)/m);
    expect(refused.stderr).toMatch(/this start was given "mini\.geojson" \(key [0-9a-f]{12}\)/);
    expect(refused.stderr).toContain('use another CORRIDOR_DATA_DIR');
    expect(refused.stderr).toContain('set CORRIDOR_NETWORK_CHANGED=adopt');

    // 3. Adopted: it starts, with the picture carried over.
    const third = await startMain(tmp.dir, { CORRIDOR_ROADS: MINI_ROADS, CORRIDOR_NETWORK_CHANGED: 'adopt' });
    running.push(third);
    const picture = await call(`${await served(third)}/api/picture`, { token: ADMIN });
    expect(picture.body.picture.havens[haven.body.id]).toMatchObject({ name: 'School' });
    third.stop();
    expect((await third.exited).code).toBe(0);
  });

  it('refuses to start with a sharing agreement it cannot read, naming the file, the line and the field (issue 13)', async () => {
    const bad = path.join(tmp.dir, 'sharing.yaml');
    writeFileSync(bad, 'name: x\nmarkings: [open]\norganisations:\n  - { id: A, kind: civil, defaultMarking: secret }\nrules: []\n');
    const run = await startMain(tmp.dir, { CORRIDOR_AGREEMENT: bad });
    running.push(run);
    const refused = await run.exited;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Cannot start: CORRIDOR_AGREEMENT: .*sharing\.yaml:4: organisations\[0\]\.defaultMarking: "secret" is not one of the markings \(open\)$/m);
    expect(run.url).toBeUndefined();
  });
});

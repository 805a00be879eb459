// Integration test of `npm start` (scripts/start.mjs → server/main.ts) under a service manager's stop:
// SIGTERM to the npm process, or to its whole process group, or twice with a SIGINT as well, must
// stop the server, leave no process of it behind, and end npm with the server's exit code (0).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../server/helpers.js';
import { call } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN = 'admin-token-for-start-tests-0123';

/** A port free at the moment of asking. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Processes of a process group, with their command lines (`ps` reads the same on Linux and macOS). */
function groupProcesses(pgid: number): Array<{ pid: number; args: string }> {
  const out = spawnSync('ps', ['-A', '-o', 'pid=,pgid=,args='], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === pgid)
    .map((m) => ({ pid: Number(m[1]), args: m[3] }));
}

/** Resolves when `check` holds, or with false after `timeoutMs`. */
async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Started {
  npm: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/**
 * `npm start` in a process group of its own, as a service manager starts it; resolves once the
 * sign-in URL is printed. CORRIDOR_SKIP_CLIENT_BUILD: the client was built in beforeAll, or is there.
 */
async function npmStart(dataDir: string): Promise<Started> {
  const port = await freePort();
  const npm = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CORRIDOR_SCENARIO: 'none',
      PORT: String(port),
      CORRIDOR_DATA_DIR: dataDir,
      CORRIDOR_ADMIN_TOKEN: ADMIN,
      CORRIDOR_COT_PORT: '0',
      // A small network: the start takes a second rather than importing Gothenburg.
      CORRIDOR_ROADS: path.join(root, 'test/fixtures/roads/mini.geojson'),
      CORRIDOR_SKIP_CLIENT_BUILD: '1',
      LOG_LEVEL: 'warn',
    },
  });
  started.push(npm);
  let output = '';
  npm.stdout!.on('data', (d) => (output += d));
  npm.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no sign-in URL within 30 s:\n${output}`)), 30_000);
    npm.stdout!.on('data', () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(({ code }) => reject(new Error(`npm start exited with ${code} before serving:\n${output}`)));
  });
  return { npm, url, exited, output: () => output };
}

const started: ChildProcess[] = [];

describe('npm start stopped by a service manager', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  beforeAll(() => {
    // Built only when missing: CORRIDOR_SKIP_CLIENT_BUILD then keeps start.mjs from rebuilding it.
    if (!existsSync(path.join(root, 'dist/client/index.html'))) {
      const build = spawnSync(path.join(root, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
      expect(build.status).toBe(0);
    }
  });

  afterEach(() => {
    // Whatever a failing test left: the whole group, by its id.
    for (const npm of started.splice(0)) {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  /** Stops the running `npm start` with `send`, then holds it to a clean end within 15 s. */
  async function stopsCleanly(run: Started, send: (pid: number) => void): Promise<void> {
    const pgid = run.npm.pid!;
    const server = groupProcesses(pgid).filter((p) => p.args.includes('server/main.ts'));
    expect(server, 'the server process is in npm start’s group').toHaveLength(1);
    expect((await call(`${run.url}/api/picture`, { token: ADMIN })).status).toBe(200);

    send(pgid);
    const end = await Promise.race([run.exited, new Promise<undefined>((r) => setTimeout(r, 15_000))]);
    expect(end, `npm start did not end within 15 s:\n${run.output()}`).toEqual({ code: 0, signal: null });
    const empty = await eventually(() => groupProcesses(pgid).length === 0, 15_000);
    expect(empty, `left behind: ${JSON.stringify(groupProcesses(pgid))}`).toBe(true);
    await expect(fetch(`${run.url}/healthz`)).rejects.toThrow();
    expect(run.output()).not.toMatch(/npm error/);
  }

  it('SIGTERM to the npm process alone', async () => {
    const run = await npmStart(path.join(tmp.dir, 'a'));
    await stopsCleanly(run, (pid) => process.kill(pid, 'SIGTERM'));
  });

  it('SIGTERM to the whole process group', async () => {
    const run = await npmStart(path.join(tmp.dir, 'b'));
    await stopsCleanly(run, (pgid) => process.kill(-pgid, 'SIGTERM'));
  });

  it('SIGTERM, then SIGTERM and SIGINT again while the server is stopping', async () => {
    const run = await npmStart(path.join(tmp.dir, 'c'));
    await stopsCleanly(run, (pid) => {
      process.kill(pid, 'SIGTERM');
      process.kill(pid, 'SIGTERM');
      process.kill(pid, 'SIGINT');
    });
  });
});

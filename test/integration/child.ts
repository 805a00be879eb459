// A server child process for tests that must see it survive, crash or restart (test/integration):
// the real startServer with the fake router (child-server.ts), configured from the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHILD_ADMIN = 'admin-token-for-tests-0123456789';

export interface Child {
  child: ChildProcess;
  url: string;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** What the process wrote to stdout so far (its log, as pino writes it). */
  stdout(): string;
  /** Whether it is still running. */
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts a server process on a free port with `dataDir`; resolves once it listens. Node itself with
 * tsx's loader, not the tsx CLI, so a signal hits the server process and not a wrapper.
 */
export function startChild(dataDir: string, env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/integration/child-server.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', CORRIDOR_DATA_DIR: dataDir, CORRIDOR_ADMIN_TOKEN: CHILD_ADMIN, CORRIDOR_SCENARIO: 'none', CORRIDOR_COT_PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /LISTENING (\S+)/.exec(out);
      if (m) {
        resolve({
          child,
          url: m[1],
          stderr: () => err,
          stdout: () => out,
          alive: () => child.exitCode === null && child.signalCode === null,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

// `npm start`: builds the client when its build is missing or older than its sources, then runs the
// server, passes it SIGINT/SIGTERM, and exits with its exit code. `CORRIDOR_SKIP_CLIENT_BUILD=1`
// serves dist/client as it is (tests, installs without the client's sources).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from './server-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const built = path.join(root, 'dist', 'client', 'index.html');

/** After the first signal, how long the server has to stop before it is killed, ms (its own limit is 10 s). */
const KILL_AFTER_MS = 12_000;
/** How often the parent is looked at, ms. */
const PARENT_POLL_MS = 250;

/** The process running now: the client build, then the server. */
let child;
/** The first stop signal received, if any. */
let stopSignal;

/** The exit code of a process that ended with `code` or by `signal`, as a shell reports it (128 + n). */
const exitCode = (code, signal) => code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1);

/**
 * Passes a stop signal to the running child, every time it comes: the server stops once, however
 * many arrive, and this script never exits before it, so a second Ctrl-C or SIGTERM cannot leave the
 * server running without a parent. A server that has not stopped after KILL_AFTER_MS is killed.
 */
function stop(signal) {
  if (!child) process.exit(exitCode(null, signal));
  if (stopSignal === undefined) setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS).unref();
  stopSignal ??= signal;
  child.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
// A closed terminal: the server has no SIGHUP handler (it would die without closing the log), so it is asked to stop.
process.on('SIGHUP', () => stop('SIGTERM'));

// npm runs this script through `sh -c`. dash (Debian's /bin/sh) does not exec it, so a SIGTERM that
// npm forwards to its child kills that shell and never reaches this process, which lived on with the
// server (issue: `npm start` stopped with SIGTERM left the server running). package.json execs the
// script, so the signal comes here; whatever runs it, a parent that goes away stops the server too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, PARENT_POLL_MS).unref();

/** Runs a command as the current child; resolves with its exit code (128 + n when a signal ended it). */
function run(command, args) {
  child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(exitCode(code, signal)));
  });
}

/** Newest modification time (ms) of any file under the given folders. */
function newest(dirs) {
  let latest = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else latest = Math.max(latest, statSync(full).mtimeMs);
    }
  };
  dirs.forEach((d) => walk(path.join(root, d)));
  return latest;
}

const skipBuild = process.env.CORRIDOR_SKIP_CLIENT_BUILD === '1';
const stale =
  !skipBuild &&
  (!existsSync(built) || statSync(built).mtimeMs < Math.max(newest(['client', 'protocol']), statSync(path.join(root, 'vite.config.ts')).mtimeMs));
if (stale) {
  console.log('Building the client (once; later starts reuse dist/client)...');
  // Asynchronously, so a signal during the build stops the build, and the server is not started after it.
  const status = await run(bin('vite'), ['build', '--logLevel', 'warn']);
  if (stopSignal !== undefined) process.exit(status);
  if (status !== 0) {
    console.error('The client build failed; see the messages above.');
    process.exit(status);
  }
}

// With the collector settings of scripts/server-flags.mjs (bench:ingest runs it with the same ones).
process.exit(await run(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'server', 'main.ts')]));

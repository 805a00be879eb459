// The field stream's bandwidth in the exercise (issue 15), over a real socket: a minute of the built-in
// exercise at its own speed, as the lead of EVAC BLUE's phone receives it with the default settings,
// counted on the wire (TCP bytes after permessage-deflate). The goal is under 20 KiB per minute, a
// GPRS-class link; `npm run bench:field` measures longer and with other settings (docs/bench-field.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FieldMessage } from '@corridor/protocol';
import { TokenStore, tokensFile } from '../../server/auth/tokens.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN = 'field-bandwidth-admin-token-0123456789';
const MEASURE_MS = 60_000;
const LIMIT_BYTES_PER_MIN = 20 * 1024;

/**
 * Starts `server/main.ts` (the exercise runs there, not in the test server of child-server.ts) on a free
 * port with `dataDir`; resolves with the process and its base URL once /healthz answers.
 */
async function startExercise(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CORRIDOR_DATA_DIR: dataDir, CORRIDOR_ADMIN_TOKEN: ADMIN, CORRIDOR_COT_PORT: '0', CORRIDOR_SCENARIO: 'exercise', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      log += d;
      const m = /(http:\/\/[^\s/]+)\/\?token=/.exec(log);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${log.slice(-3000)}`)));
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not answer /healthz:\n${log.slice(-3000)}`);
}

describe('the field stream in the exercise (issue 15)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'corridor-field-bandwidth-'));
  let server: { child: ChildProcess; url: string } | undefined;
  let token: string;

  beforeAll(async () => {
    // Made as the token CLI makes it (npm run token -- create --org UNHCR --role field --unit ex-blue-lead),
    // before the server starts, so the phone connects as the exercise begins.
    const store = new TokenStore(tokensFile(dir));
    token = store.create({ org: 'UNHCR', role: 'field', unit: 'ex-blue-lead' }).token;
    store.close();
    server = await startExercise(dir);
  });

  afterAll(async () => {
    const child = server?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'sends the lead of EVAC BLUE its convoy at once, then its changes, in under 20 KiB per minute on the wire',
    async () => {
      const ws = new WebSocket(`${server!.url.replace(/^http/, 'ws')}/ws?stream=field`, { headers: { authorization: `Bearer ${token}` } });
      const messages: { atMs: number; bytes: number; m: FieldMessage }[] = [];
      let measuring = true;
      ws.on('message', (data: Buffer) => measuring && messages.push({ atMs: Date.now(), bytes: data.length, m: JSON.parse(data.toString()) as FieldMessage }));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const openedMs = Date.now();
      expect(ws.extensions).toContain('permessage-deflate');
      await new Promise((r) => setTimeout(r, MEASURE_MS));
      // TCP payload read from the connection on (handshake, frames and pings), before the close adds its own.
      const socket = (ws as unknown as { _socket: Socket })._socket;
      const wireBytes = socket.bytesRead;
      const seconds = (Date.now() - openedMs) / 1000;
      measuring = false;
      ws.close();

      const perMin = (wireBytes / seconds) * 60;
      const textBytes = messages.reduce((n, x) => n + x.bytes, 0);
      const convoy = messages.find((x) => {
        const item = x.m.type === 'field' ? x.m.set.convoy : undefined;
        return item?.k === 'convoy' && item.id === 'cv-ex-blue';
      });
      console.log(
        `field stream, ex-blue-lead, default settings, ${seconds.toFixed(0)} s of the exercise: ${wireBytes} bytes on the wire (${(perMin / 1024).toFixed(1)} KiB/min), ` +
          `${textBytes} bytes of text, ${messages.length} messages; its convoy after ${convoy ? ((convoy.atMs - openedMs) / 1000).toFixed(1) : '-'} s`,
      );
      expect(messages[0].m).toMatchObject({ type: 'field', full: true });
      expect(convoy, 'a convoy item for cv-ex-blue').toBeDefined();
      // The exercise seeds its convoys on its first ticks (a second apart); CI runs other files beside this one.
      expect(convoy!.atMs - openedMs).toBeLessThan(20_000);
      expect(messages.length).toBeGreaterThan(1);
      expect(messages.filter((x) => x.atMs > convoy!.atMs).length, 'messages after the convoy item').toBeGreaterThan(0);
      expect(perMin).toBeLessThan(LIMIT_BYTES_PER_MIN);
    },
    150_000,
  );
});

// One-message benchmark (`npm run bench:messages`): how long the server's event loop is held by each of
// the largest and most hostile single messages the limits admit (issue 9), measured inside the server
// (`GET /api/status`, perf_hooks.monitorEventLoopDelay) on the real Gothenburg router with standing
// corridors. Prints a table and writes it to docs/bench-messages.md (BENCH_WRITE=0: print only).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { SERVER_NODE_FLAGS } from '../scripts/server-flags.mjs';
import { comb, HEAVY_MESSAGES, zone } from '../test/integration/heavy-messages.js';
import { MAX_GEOMETRY_POSITIONS, MAX_BATCH_REPORTS } from '@corridor/protocol';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRIES = Number(process.env.BENCH_TRIES ?? 5);
const CONVOYS = Number(process.env.BENCH_CONVOYS ?? 30);
const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'corridor-bench-'));
  const token = `bench-admin-token-${Math.random().toString(36).slice(2)}`;
  const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CORRIDOR_DATA_DIR: dataDir, CORRIDOR_ADMIN_TOKEN: token, CORRIDOR_SCENARIO: 'none', CORRIDOR_COT_PORT: '0', CORRIDOR_TOKEN_RATE: '1000000', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const cleanup = () => {
    server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=/.exec(out);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const api = async (p: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };

  // Standing corridors across the city, so a zone change has routing to do.
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let i = 0; i < CONVOYS; i++) {
    const at = () => [11.9 + 0.12 * rand(), 57.66 + 0.07 * rand()];
    await api('/api/convoys', { method: 'POST', body: JSON.stringify({ id: `cv-${i}`, name: `Convoy ${i}`, origin: at(), destination: at() }) });
  }
  await new Promise((r) => setTimeout(r, 2000));
  progress(`${CONVOYS} convoys posted`);

  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?token=${token}&stream=none`, { maxPayload: 64 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const answers = new Map<string, (m: { type: string; code?: string }) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    answers.get(m.msgId)?.(m);
  });
  const sendWs = (text: string) =>
    new Promise<string>((resolve) => {
      const id = /"msgId":"([^"]+)"/.exec(text.slice(0, 300))![1];
      answers.set(id, (m) => resolve(m.type === 'error' ? m.code! : m.type));
      ws.send(text);
    });

  /** The server's longest event-loop stall while `send` is answered and what it set off has run, ms. */
  async function stall(send: () => Promise<string>): Promise<{ ms: number; answer: string }> {
    await new Promise((r) => setTimeout(r, 300));
    await api('/api/status'); // restarts the figures
    const answer = await send();
    await new Promise((r) => setTimeout(r, 300)); // the router's corridors, the frame, the commit
    const ms = (await api('/api/status')).body.eventLoop.maxMs as number;
    return { ms, answer };
  }

  const rows: Array<{ what: string; bytes: number; answer: string; ms: number[] }> = [];
  const idle: number[] = [];
  for (let i = 0; i < TRIES; i++) idle.push((await stall(async () => 'nothing')).ms);
  rows.push({ what: 'nothing (the idle server, for reference)', bytes: 0, answer: '', ms: idle });
  for (const [what, make] of HEAVY_MESSAGES) {
    const ms: number[] = [];
    let answer = '';
    let bytes = 0;
    for (let i = 0; i < TRIES; i++) {
      const text = make(i);
      bytes = Buffer.byteLength(text);
      const r = await stall(() => sendWs(text));
      ms.push(r.ms);
      answer = r.answer;
    }
    rows.push({ what: `WebSocket: ${what}`, bytes, answer, ms });
    progress(`${what}: ${ms.join(', ')} ms`);
  }
  const httpCases: Array<[string, string, (i: number) => string]> = [
    [`HTTP: a zone of ${MAX_GEOMETRY_POSITIONS} positions (comb)`, '/api/threats', (i) => JSON.stringify(zone([comb(Math.floor((MAX_GEOMETRY_POSITIONS - 5) / 4))], `http-comb-${i}`))],
    [`HTTP: a batch of ${MAX_BATCH_REPORTS} reports`, '/api/positions', (i) => JSON.stringify(Array.from({ length: MAX_BATCH_REPORTS }, (_, k) => ({ unitId: `h-${k}`, lon: 11.95, lat: 57.7, msgId: `h-${i}-${k}` })))],
  ];
  for (const [what, p, make] of httpCases) {
    const ms: number[] = [];
    let answer = '';
    let bytes = 0;
    for (let i = 0; i < TRIES; i++) {
      const body = make(i);
      bytes = Buffer.byteLength(body);
      const r = await stall(async () => String((await api(p, { method: 'POST', body })).status));
      ms.push(r.ms);
      answer = r.answer;
    }
    rows.push({ what, bytes, answer, ms });
    progress(`${what}: ${ms.join(', ')} ms`);
  }

  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const table = [
    `Machine: ${cpus()[0].model.trim()}, ${cpus().length} cores, Node ${process.version}; the server on the Gothenburg network with ${CONVOYS} standing corridors, ${TRIES} tries per message; the longest event-loop stall in the server from sending the message until 300 ms after its answer, measured with \`monitorEventLoopDelay\` (resolution 2 ms, so the idle server reads a few ms).`,
    '',
    '| message | bytes | answer | longest stall, min / median / max (ms) |',
    '| --- | ---: | --- | ---: |',
    ...rows.map((r) => `| ${r.what} | ${r.bytes.toLocaleString('en')} | ${r.answer} | ${Math.min(...r.ms)} / ${med(r.ms)} / ${Math.max(...r.ms)} |`),
  ].join('\n');
  console.log(table);
  if (process.env.BENCH_WRITE !== '0') {
    writeFileSync(path.join(root, 'docs', 'bench-messages.md'), `# One-message benchmark\n\nProduced by \`npm run bench:messages\` (${new Date().toISOString().slice(0, 10)}).\n\n${table}\n`);
  }
  ws.close();
  server.kill('SIGTERM');
  await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
  cleanup();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

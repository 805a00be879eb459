// `npm run bench:cot`: Cursor-on-Target position events per second accepted durably over 100 TCP streams,
// with the time from each event to a map client, on this machine; then the same with 10,000 idle
// connections held open beside them; then the bytes per minute a TAK stream receives in the exercise.
// Starts the real server as a child process (npm start's flags) on loopback. Knobs (environment):
// BENCH_PHASE_S seconds per phase (8); BENCH_RAMP comma-separated offered rates (events/s);
// BENCH_IDLE idle connections of the idle phase (10000); BENCH_EXERCISE_S seconds of the exercise
// phase (60); BENCH_WRITE=0 prints without writing docs/bench-cot.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { SERVER_NODE_FLAGS } from '../scripts/server-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STREAMS = 100;
const UNITS = 2000;
const PHASE_S = Number(process.env.BENCH_PHASE_S ?? 8);
const RAMP = (process.env.BENCH_RAMP ?? '2000,5000,10000,15000,20000').split(',').map(Number);
const IDLE = Number(process.env.BENCH_IDLE ?? 10_000);
const EXERCISE_S = Number(process.env.BENCH_EXERCISE_S ?? 60);
const TOKEN = 'bench-cot-admin-token-0123456789';
const P99_LIMIT_MS = 100;

interface Server {
  child: ChildProcess;
  url: string;
  cotPort: number;
  dir: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU seconds and resident MB of a process, from /proc. */
function usage(pid: number): { cpuS: number; rssMb: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { cpuS: (Number(fields[11]) + Number(fields[12])) / 100, rssMb: (Number(fields[21]) * 4096) / 1e6 };
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const dir = mkdtempSync(path.join(tmpdir(), 'corridor-bench-cot-'));
  const cotPort = await freePort();
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      CORRIDOR_DATA_DIR: dir,
      CORRIDOR_ADMIN_TOKEN: TOKEN,
      CORRIDOR_COT_PORT: String(cotPort),
      CORRIDOR_TOKEN_RATE: '10000000',
      CORRIDOR_TOKEN_MAX_SOCKETS: '100000',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/[^\s/]+)\/\?token=/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out.slice(-2000)}`)));
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url, cotPort, dir };
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode === null) {
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    await exited;
  }
  rmSync(s.dir, { recursive: true, force: true });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function seqOf(s: Server): Promise<number> {
  return ((await (await fetch(`${s.url}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { seq: number }).seq;
}

/** A self-report of unit `u` at time `t`, in TAK's single-line wire form. */
function report(u: number, t: number): string {
  const time = new Date(t).toISOString();
  const lon = 11.9 + (u % 100) * 0.001;
  const lat = 57.68 + Math.floor(u / 100) * 0.001 + (t % 1000) * 1e-7;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><event version="2.0" uid="BENCH-${u}" type="a-f-G-U-C" time="${time}" start="${time}" stale="${new Date(t + 120_000).toISOString()}" how="m-g"><point lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}" hae="10" ce="5" le="9999999"/><detail><contact callsign="BENCH ${u}"/><track course="90" speed="5"/></detail></event>`;
}

interface Row {
  phase: string;
  offered: number;
  accepted: number;
  p50: number;
  p99: number;
  cpuUs: number;
  rssMb: number;
}

/** One phase: `rate` events/s over the streams for PHASE_S, measuring acceptance and event-to-map-client time. */
async function phase(s: Server, streams: net.Socket[], rate: number, label: string): Promise<Row> {
  const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/ws?token=${TOKEN}`);
  const latencies: number[] = [];
  let measuring = false;
  ws.on('message', (data) => {
    if (!measuring) return;
    const now = Date.now();
    const m = JSON.parse(data.toString()) as { type: string; events?: { type: string; units?: { unitId: string; timeMs: number }[] }[] };
    if (m.type !== 'delta') return;
    for (const e of m.events ?? []) if (e.type === 'position.reported') for (const u of e.units ?? []) if (u.unitId.startsWith('BENCH-')) latencies.push(now - u.timeMs);
  });
  await new Promise((r) => ws.once('open', r));
  await new Promise((r) => setTimeout(r, 500));
  const seq0 = await seqOf(s);
  const cpu0 = usage(s.child.pid!);
  measuring = true;
  const started = Date.now();
  let sent = 0;
  let unit = 0;
  const tickMs = 20;
  while (Date.now() - started < PHASE_S * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    const chunks = new Map<net.Socket, string>();
    while (sent < due) {
      const u = unit++ % UNITS;
      const socket = streams[u % streams.length];
      // Times are unique per event (ms apart), so each is its own msgId and stored.
      chunks.set(socket, (chunks.get(socket) ?? "") + report(u, Date.now()));
      sent++;
    }
    for (const [socket, text] of chunks) socket.write(text);
    await new Promise((r) => setTimeout(r, tickMs));
  }
  const elapsed = (Date.now() - started) / 1000;
  // What is still queued is committed within a moment; counted as accepted when it is.
  await new Promise((r) => setTimeout(r, 1500));
  measuring = false;
  const seq1 = await seqOf(s);
  const cpu1 = usage(s.child.pid!);
  ws.close();
  latencies.sort((a, b) => a - b);
  const accepted = (seq1 - seq0) / elapsed;
  return { phase: label, offered: rate, accepted: Math.round(accepted), p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuUs: Math.round(((cpu1.cpuS - cpu0.cpuS) * 1e6) / Math.max(1, seq1 - seq0)), rssMb: Math.round(cpu1.rssMb) };
}

async function signedInStreams(s: Server, n: number): Promise<net.Socket[]> {
  const streams: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = await connect(s.cotPort);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.write(`<auth><cot username="bench-${i}" password="${TOKEN}" uid="bench-${i}"/></auth>`);
    streams.push(socket);
  }
  await new Promise((r) => setTimeout(r, 500));
  return streams;
}

async function main(): Promise<void> {
  console.log(`bench:cot on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}: ${STREAMS} CoT streams, ${UNITS} units, ${PHASE_S} s per phase`);
  const rows: Row[] = [];
  const s = await startServer({ CORRIDOR_SCENARIO: 'none', CORRIDOR_AGREEMENT: 'none' });
  let idleOpen = 0;
  try {
    const streams = await signedInStreams(s, STREAMS);
    for (const rate of RAMP) {
      const row = await phase(s, streams, rate, 'ramp');
      rows.push(row);
      console.log(JSON.stringify(row));
      if (row.accepted < rate * 0.95) break;
    }
    // 10,000 connections that never sign in, held open (each is closed by the server after its sign-in
    // time; the bench opens them again as they go), beside the streams at a steady rate.
    const idle: net.Socket[] = [];
    for (let i = 0; i < IDLE; i++) {
      try {
        const socket = await connect(s.cotPort);
        socket.on('error', () => undefined);
        idle.push(socket);
      } catch {
        break;
      }
    }
    idleOpen = idle.filter((x) => !x.destroyed).length;
    const steady = RAMP.find((r) => r >= 5000) ?? RAMP[0];
    const row = await phase(s, streams, steady, `with ${idleOpen} idle connections`);
    rows.push(row);
    console.log(JSON.stringify(row));
    for (const x of [...idle, ...streams]) x.destroy();
  } finally {
    await stopServer(s);
  }

  // The exercise as a TAK device hears it: bytes per minute on one viewer's stream.
  const ex = await startServer({ CORRIDOR_SCENARIO: 'exercise' });
  let bytes = 0;
  let events = 0;
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const socket = await connect(ex.cotPort);
    socket.write(`<auth><cot username="viewer" password="${TOKEN}"/></auth>`);
    let first = 0;
    socket.on('data', (d: Buffer) => {
      if (first === 0) first = d.length;
      bytes += d.length;
      events += (d.toString('latin1').match(/<\/event>/g) ?? []).length;
    });
    await new Promise((r) => setTimeout(r, EXERCISE_S * 1000));
    socket.destroy();
  } finally {
    await stopServer(ex);
  }
  const perMin = (bytes / EXERCISE_S) * 60;

  const table = [
    '| phase | offered events/s | accepted durably /s | event → map client p50 (ms) | p99 (ms) | server CPU per event (µs) | server RSS (MB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.phase} | ${r.offered} | ${r.accepted} | ${r.p50} | ${r.p99} | ${r.cpuUs} | ${r.rssMb} |`),
  ].join('\n');
  const exercise = `A TAK stream signed in as an administrator during ${EXERCISE_S} s of the built-in exercise (at its own speed) received ${Math.round(bytes / 1024)} KiB in ${events} CoT events: **${Math.round(perMin / 1024)} KiB per minute** (the first second holds the whole picture; then what changes, once a second).`;
  const text = `${table}\n\n${exercise}\n`;
  console.log(`\n${text}`);
  if (process.env.BENCH_WRITE !== '0') {
    const doc = `# bench:cot\n\n\`npm run bench:cot\` on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: ${STREAMS} signed-in CoT streams reporting ${UNITS} units (self-reports as ATAK sends them), one WebSocket map client timing each event from its CoT \`time\` to the frame that carries it; ${PHASE_S} s per phase; the ramp stops at the first rate not accepted in full (95 %); the goal for the event-to-map-client time is ${P99_LIMIT_MS} ms at p99. "Accepted durably" is the events committed to the log per second.\n\n${text}`;
    writeFileSync(path.join(root, 'docs', 'bench-cot.md'), doc);
    console.log('written to docs/bench-cot.md');
  }
}

await main();

// `npm run bench:ingest`: durable position updates per second over WebSocket with 10 map clients, on this machine.
// Starts the real server as a child process, offers position reports at fixed rates from sender sockets,
// and measures acks, post-to-client latency (report `time` → frame received), bytes to each client and
// the server's CPU and memory. Everything runs on loopback; every loop is bounded in count and time.
// Knobs (environment): BENCH_PHASE_S seconds per phase (8); BENCH_RAMP comma-separated offered rates;
// BENCH_WRITE=0 prints without writing docs/bench-ingest.md; BENCH_SERVER_NODE_ARGS extra Node flags for
// the server (e.g. `--cpu-prof --cpu-prof-dir=DIR`); BENCH_SERVER_LOG=FILE keeps the server's info log;
// CORRIDOR_LOG_THREAD=0 is passed through to compare main-thread commits with the writer thread;
// BENCH_ZONE_EVERY_S=N posts 100 standing convoys first, then a no-go zone across their routes every N
// seconds (lifted at the next change), so the router works beside the ingest; the table then goes to
// docs/bench-ingest-zones.md. BENCH_TRACKED=N posts N moving convoys first whose lead units are
// N of the reporting units (u-0 …), so convoy tracking (P21) runs on the ingest path; the table then goes
// to docs/bench-ingest-tracked.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { SERVER_NODE_FLAGS } from '../scripts/server-flags.mjs';
import { startModuleWorker } from '../server/worker.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLIENTS = 10;
const UNITS = 2000;
const SENDER_SOCKETS = 4;
const FIXED_RATE = 20_000;
const PHASE_S = Number(process.env.BENCH_PHASE_S ?? 8);
const RAMP = process.env.BENCH_RAMP
  ? process.env.BENCH_RAMP.split(',').map(Number)
  : [10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 60_000, 80_000, 100_000];
/** Extra Node flags for the server child (e.g. `--cpu-prof` to profile it). */
const SERVER_NODE_ARGS = [
  ...SERVER_NODE_FLAGS, // as `npm start` runs the server
  ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
];
const P99_LIMIT_MS = 100;
const ZONE_EVERY_S = Number(process.env.BENCH_ZONE_EVERY_S ?? 0);
const ZONE_CONVOYS = 100;
const TRACKED = Number(process.env.BENCH_TRACKED ?? 0);

interface ClientStats {
  latencies: number[];
  bytes: number[];
}

await main();

// ---------------------------------------------------------------- helpers
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function freePort(): Promise<number> {
  return import('node:net').then(
    ({ createServer }) =>
      new Promise((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const port = (s.address() as { port: number }).port;
          s.close(() => resolve(port));
        });
      }),
  );
}

/** CPU seconds (user + system) and resident memory (MB) of a process, from /proc. */
function processUsage(pid: number): { cpuS: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuS: ticks / 100, rssMb: (rssPages * 4096) / 1e6 };
}

async function waitHealthy(base: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('server did not become healthy in time');
}

interface PhaseResult {
  offered: number;
  accepted: number;
  errors: number;
  ackP50: number;
  ackP99: number;
  p2cP50: number;
  p2cP99: number;
  bytesPerClient: number;
  cpuPct: number;
  rssMb: number;
  /** CPU of this process (senders, and the map clients' worker thread), % of one core. */
  benchCpuPct: number;
  unacked: number;
}

// ---------------------------------------------------------------- zone changes beside the ingest

/**
 * Posts {@link ZONE_CONVOYS} convoys across the middle of the Gothenburg network, then every
 * {@link ZONE_EVERY_S} seconds a no-go zone of 300 m on a point of one of their routes, lifting the
 * one before: the router recomputes the corridors it cuts while the ingest runs.
 */
async function startZoneChanges(base: string, token: string): Promise<{ stop(): void; changes(): number; rerouted(): string }> {
  const api = async (p: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    return res.json() as Promise<any>;
  };
  let seed = 42;
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const at = () => [11.94 + 0.06 * rand(), 57.69 + 0.03 * rand()];
  for (let i = 0; i < ZONE_CONVOYS; i++) {
    await api('/api/convoys', { method: 'POST', body: JSON.stringify({ id: `cv-${i}`, name: `Convoy ${i}`, origin: at(), destination: at() }) });
    // Approved, then moving: the state machine's steps (SPEC P20).
    for (const to of ['approved', 'moving']) await api(`/api/convoys/cv-${i}/state`, { method: 'POST', body: JSON.stringify({ to }) });
  }
  // Wait for the corridors, and pick the points zones will fall on from their routes.
  let points: number[][] = [];
  for (let i = 0; i < 50 && points.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const { convoys } = await api('/api/convoys');
    points = convoys.flatMap((c: any) => (c.corridor?.features?.[0]?.geometry.coordinates ?? []).filter((_: unknown, k: number) => k % 10 === 5));
  }
  process.stderr.write(`${ZONE_CONVOYS} convoys standing; a zone change every ${ZONE_EVERY_S} s\n`);
  let changes = 0;
  const reroutes: number[] = [];
  let previous: string | undefined;
  const change = async () => {
    const changedMs = Date.now();
    if (previous) await api(`/api/threats/${previous}`, { method: 'DELETE' });
    const center = points[Math.floor(rand() * points.length)];
    const id = `tz-bench-${changes}`;
    await api('/api/threats', { method: 'POST', body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: center }, properties: { id, severity: 'no-go', radius_m: 300, label: 'bench' } }) });
    previous = id;
    changes++;
    // Moving convoys given a re-route proposal for this zone (P22), counted a moment later (from the
    // convoys, not the audit trail, which would hand the server tens of thousands of fixes to send meanwhile).
    setTimeout(async () => {
      const { convoys } = await api('/api/convoys');
      reroutes.push(convoys.filter((c: any) => c.proposal?.computedMs >= changedMs && c.proposal.cause.zones.some((z: any) => z.id === id)).length);
    }, 2000).unref();
  };
  const timer = setInterval(() => void change().catch(() => undefined), ZONE_EVERY_S * 1000);
  return {
    stop: () => clearInterval(timer),
    changes: () => changes,
    rerouted: () => (reroutes.length ? (reroutes.reduce((a, b) => a + b, 0) / reroutes.length).toFixed(1) : 'n/a'),
  };
}

// ---------------------------------------------------------------- tracked convoys on the ingest path

/**
 * Posts {@link TRACKED} moving convoys, each led by one of the reporting units (`u-<i>`), from where
 * that unit reports to a point across the network: every report of those units is matched to a
 * corridor, and alerts come and go, while the ingest runs (P21).
 */
async function startTracked(base: string, token: string): Promise<void> {
  const api = async (p: string, body: unknown) => {
    const res = await fetch(`${base}${p}`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    return res.json() as Promise<any>;
  };
  for (let i = 0; i < TRACKED; i++) {
    // The unit's own report position (see lonText/latText below) and a destination to the south-west.
    const origin = [11.97 + (i % 50) * 0.001, 57.7 + Math.floor(i / 50) * 0.001];
    await api('/api/convoys', { id: `cv-t${i}`, name: `Tracked ${i}`, origin, destination: [11.95 + (i % 10) * 0.002, 57.69], leadUnitId: `u-${i}` });
    for (const to of ['approved', 'moving']) await api(`/api/convoys/cv-t${i}/state`, { to });
  }
  process.stderr.write(`${TRACKED} moving convoys tracked by units u-0 … u-${TRACKED - 1}\n`);
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const loadStart = loadavg()[0];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'corridor-bench-'));
  const port = await freePort();
  const token = 'bench-admin-token-' + Math.random().toString(36).slice(2);
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [...SERVER_NODE_ARGS, '--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CORRIDOR_DATA_DIR: dataDir,
      CORRIDOR_ADMIN_TOKEN: token,
      CORRIDOR_SCENARIO: 'none',
      CORRIDOR_COT_PORT: '0',
      // The senders share one token and offer up to 60,000 updates/s: above the per-token default (P15).
      CORRIDOR_TOKEN_RATE: '1000000',
      LOG_LEVEL: process.env.BENCH_SERVER_LOG ? 'info' : 'warn',
    },
    stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'pipe' : 'ignore', 'inherit'],
  });
  // BENCH_SERVER_LOG=FILE keeps the server's info log (its once-a-second commit summary) for reading.
  if (process.env.BENCH_SERVER_LOG) server.stdout!.pipe(createWriteStream(process.env.BENCH_SERVER_LOG));
  const cleanup = () => {
    server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  await waitHealthy(base, server, 180_000);

  const zones = ZONE_EVERY_S > 0 ? await startZoneChanges(base, token) : undefined;
  if (TRACKED > 0) await startTracked(base, token);
  const wsUrl = `ws://127.0.0.1:${port}/ws?token=${token}`;
  const worker = startModuleWorker(pathToFileURL(path.join(root, 'bench', 'ingest-clients.ts')), { url: wsUrl, count: CLIENTS });
  const fromWorker = (kind: string) =>
    new Promise<any>((resolve) => {
      const on = (m: any) => {
        if (m.kind === kind) {
          worker.off('message', on);
          resolve(m);
        }
      };
      worker.on('message', on);
    });
  await fromWorker('ready');

  // Senders report like a gateway's uplink: send-only sockets (P13), so the frames go to the 10 map
  // clients alone. They mask every frame with a random key, as any WebSocket client must (RFC 6455
  // §5.3): an all-zero key would spare the server its unmasking and flatter the figures.
  const senders = await Promise.all(
    Array.from({ length: SENDER_SOCKETS }, () => {
      const ws = new WebSocket(`${wsUrl}&stream=none`);
      return new Promise<WebSocket>((resolve, reject) => {
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    }),
  );
  const pending = new Map<number, number>();
  let ackLatencies: number[] = [];
  let accepted = 0;
  let errors = 0;
  // An ack's msgId is sliced out without JSON.parse, so the sender does not starve the shared CPUs.
  const ACK_PREFIX = '{"type":"ack","msgId":"b';
  for (const ws of senders) {
    ws.on('message', (data: Buffer) => {
      if (data.length > 256) return;
      const text = data.toString();
      if (text.startsWith(ACK_PREFIX)) {
        const n = Number(text.slice(ACK_PREFIX.length, text.indexOf('"', ACK_PREFIX.length)));
        const sent = pending.get(n);
        if (sent !== undefined) {
          pending.delete(n);
          ackLatencies.push(performance.now() - sent);
          accepted++;
        }
      } else if (text.startsWith('{"type":"error"')) {
        errors++;
      }
    });
  }
  const rawSockets = senders.map((ws) => (ws as unknown as { _socket: import('node:net').Socket })._socket);

  let counter = 0;
  // Each unit's coordinate texts, made once: the senders should spend the shared CPU on sending.
  const lonText = Array.from({ length: UNITS * 7 }, (_, k) => (11.97 + (Math.floor(k / 7) % 50) * 0.001 + (k % 7) * 1e-5).toFixed(6));
  const latText = Array.from({ length: UNITS }, (_, unit) => (57.7 + Math.floor(unit / 50) * 0.001).toFixed(6));
  async function phase(rate: number, seconds: number): Promise<PhaseResult> {
    ackLatencies = [];
    accepted = 0;
    errors = 0;
    worker.postMessage('collect');
    await fromWorker('stats');
    const usage0 = processUsage(server.pid!);
    const bench0 = process.cpuUsage();
    const t0 = performance.now();
    const tickMs = 5;
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - t0;
        if (elapsed >= seconds * 1000) {
          clearInterval(timer);
          resolve();
          return;
        }
        const due = Math.floor((elapsed / 1000) * rate) - sent;
        const now = Date.now();
        const iso = new Date(now).toISOString();
        // One write per sender socket per tick (cork), as a real gateway batching its uplink would.
        for (const socket of rawSockets) socket.cork();
        const sentAt = performance.now();
        for (let i = 0; i < due; i++) {
          const n = counter++;
          const unit = n % UNITS;
          const msg = `{"type":"position","msgId":"b${n}","unitId":"u-${unit}","lon":${lonText[unit * 7 + (n % 7)]},"lat":${latText[unit]},"time":"${iso}","speed":10,"heading":${n % 360}}`;
          pending.set(n, sentAt);
          senders[n % SENDER_SOCKETS].send(msg);
        }
        for (const socket of rawSockets) socket.uncork();
        sent += Math.max(0, due);
      }, tickMs);
    });
    const wall = (performance.now() - t0) / 1000;
    // Let in-flight acks and frames arrive (bounded wait).
    const drainStart = Date.now();
    while (pending.size > 0 && Date.now() - drainStart < 3000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    const usage1 = processUsage(server.pid!);
    const bench1 = process.cpuUsage(bench0);
    worker.postMessage('collect');
    const stats: ClientStats = await fromWorker('stats');
    const unacked = pending.size;
    pending.clear();
    const acks = ackLatencies.sort((a, b) => a - b);
    const p2c = stats.latencies.sort((a, b) => a - b);
    const span = wall + (Date.now() - drainStart) / 1000;
    return {
      offered: rate,
      accepted: accepted / wall,
      errors,
      ackP50: percentile(acks, 50),
      ackP99: percentile(acks, 99),
      p2cP50: percentile(p2c, 50),
      p2cP99: percentile(p2c, 99),
      bytesPerClient: stats.bytes.reduce((a, b) => a + b, 0) / stats.bytes.length / wall,
      cpuPct: ((usage1.cpuS - usage0.cpuS) / span) * 100,
      rssMb: usage1.rssMb,
      benchCpuPct: ((bench1.user + bench1.system) / 1e6 / span) * 100,
      unacked,
    };
  }

  const results: { label: string; r: PhaseResult }[] = [];
  // Steady state is what is measured: the first seconds of load also pay for JIT compilation and heap growth.
  process.stderr.write(`warm-up...\n`);
  await phase(5_000, 2);
  await phase(10_000, 3);
  process.stderr.write(`fixed rate ${FIXED_RATE}/s for ${PHASE_S} s...\n`);
  results.push({ label: 'fixed', r: await phase(FIXED_RATE, PHASE_S) });
  let best: PhaseResult | undefined;
  for (const rate of RAMP) {
    process.stderr.write(`ramp ${rate}/s for ${PHASE_S} s...\n`);
    const r = await phase(rate, PHASE_S);
    results.push({ label: 'ramp', r });
    const held = r.p2cP99 < P99_LIMIT_MS && r.accepted >= rate * 0.95 && r.unacked === 0;
    if (held) best = r;
    else break;
  }

  const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const rows = results.map(
    ({ label, r }) =>
      `| ${label} | ${r.offered} | ${fmt(r.accepted, 0)} | ${fmt(r.ackP50)} | ${fmt(r.ackP99)} | ${fmt(r.p2cP50)} | ${fmt(r.p2cP99)} | ${fmt(r.bytesPerClient / 1024, 0)} | ${fmt(r.cpuPct, 0)} | ${fmt((r.cpuPct * 1e4) / r.accepted, 0)} | ${fmt(r.rssMb, 0)} | ${fmt(r.benchCpuPct, 0)} | ${r.unacked} | ${r.errors} |`,
  );
  const table = [
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; ${CLIENTS} map clients, ${SENDER_SOCKETS} sender sockets, ${UNITS} units, ${PHASE_S} s per phase, all on loopback${zones ? `; ${ZONE_CONVOYS} standing convoys and a no-go zone across their routes every ${ZONE_EVERY_S} s (${zones.changes()} zone changes in all, each giving ${zones.rerouted()} moving convoys a re-route proposal on average)` : ''}${TRACKED > 0 ? `; ${TRACKED} moving convoys led by reporting units, every report of theirs matched to a corridor (P21)` : ''}. Load average (1 min) ${loadStart.toFixed(2)} before the run, ${loadavg()[0].toFixed(2)} after it; the bench process (senders and clients) shares the 2 cores with the server.`,
    '',
    '| phase | offered (updates/s) | accepted (updates/s) | ack p50 (ms) | ack p99 (ms) | post-to-client p50 (ms) | post-to-client p99 (ms) | to each client (KiB/s) | server CPU (% of one core) | server CPU per update (µs) | server RSS (MB) | bench CPU (% of one core) | unacked at end | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    best
      ? `Highest offered rate with p99 post-to-client under ${P99_LIMIT_MS} ms and every update acknowledged: **${best.offered} updates/s** (accepted ${fmt(best.accepted, 0)}/s).`
      : `No ramp step kept p99 post-to-client under ${P99_LIMIT_MS} ms.`,
    '',
    'How to read it:',
    '- *accepted*: acks received during the phase, per second of the phase. *ack*: send → ack received by the sender (P3: after the commit holding it).',
    "- *post-to-client*: the report's `time` (stamped when the sender made it) → map client 0 received the frame holding it. Frames merge superseded fixes (P4), so only fixes that reach the client are timed.",
    '- *to each client*: bytes of snapshot and delta messages per client per second. *server CPU*: user + system of the server process (all threads), per second of the phase and per accepted update.',
    '- *bench CPU*: this process, which runs the 4 senders (send-only sockets, `stream=none`, P13) and the 10 map clients (fixes as rows, `fixes=rows`, P14, as the browser client asks for them; each parses every frame and makes its units, as a map would) on the same 2 cores.',
    '- *unacked at end*: sent but not acknowledged 3 s after the phase ended (still queued, not lost: the crash test covers loss).',
  ].join('\n');
  console.log(table);
  if (process.env.BENCH_WRITE !== '0') {
    // The command as run, with the knobs that were set.
    const knobs = ['BENCH_ZONE_EVERY_S', 'BENCH_TRACKED', 'BENCH_RAMP', 'BENCH_PHASE_S'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('');
    const file = zones ? 'bench-ingest-zones.md' : TRACKED > 0 ? 'bench-ingest-tracked.md' : 'bench-ingest.md';
    writeFileSync(
      path.join(root, 'docs', file),
      `# Ingest benchmark${zones ? ` with a zone change every ${ZONE_EVERY_S} s` : ''}${TRACKED > 0 ? ` with ${TRACKED} tracked convoys` : ''}\n\nProduced by \`${knobs}npm run bench:ingest\` (${new Date().toISOString().slice(0, 10)}).\n\n${table}\n`,
    );
  }
  zones?.stop();
  worker.postMessage('close');
  senders.forEach((s) => s.close());
  // A graceful stop lets `--cpu-prof` write its profile; bounded, then SIGKILL in cleanup.
  server.kill('SIGTERM');
  await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
  cleanup();
  process.exit(0);
}

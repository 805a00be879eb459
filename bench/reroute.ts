// `npm run bench:reroute`: how soon every screen learns that a new zone cuts the route ahead of moving
// convoys, and gets each affected convoy's re-route proposal (P22), on the Gothenburg network.
// Starts the real server as a child process (its routing thread, its SQLite log), posts 100 convoys
// moving across the middle of the network with a lead unit each, reported a quarter of the way along
// its route, then drops no-go zones one at a time on the route ahead of one of them, and times, on 5 map
// clients over real WebSockets, the `corridor.endangered` and `reroute.proposed` events of every convoy
// the zone cuts, from the moment the zone was sent. Each zone is lifted before the next.
// Knobs (environment): BENCH_ZONES (30) zones dropped; BENCH_CONVOYS (100); BENCH_WRITE=0 prints without
// writing docs/bench-reroute.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { along, lineString, length as turfLength } from '@turf/turf';
import WebSocket from 'ws';
import { SERVER_NODE_FLAGS } from '../scripts/server-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONVOYS = Number(process.env.BENCH_CONVOYS ?? 100);
const ZONES = Number(process.env.BENCH_ZONES ?? 30);
const SCREENS = 5;
const ZONE_RADIUS_M = 250;
/** Longest wait for one zone's proposals, ms: a zone whose proposals do not all come counts as such. */
const WAIT_MS = 10_000;


function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** What one screen saw: when each convoy's unsafe mark and proposal arrived, per zone id. */
class Screen {
  readonly endangered = new Map<string, Map<string, number>>();
  readonly proposed = new Map<string, Map<string, number>>();
  /** When each convoy's alternatives arrived (`reroute.proposed` with `more`), per zone id. */
  readonly alternatives = new Map<string, Map<string, number>>();
  readonly alternativesStored = new Map<string, Map<string, number>>();
  /** Server times (`timeMs` of the events): when the zone was stored, when each proposal naming it was. */
  readonly zoneStored = new Map<string, number>();
  readonly proposalStored = new Map<string, Map<string, number>>();
  readonly markStored = new Map<string, Map<string, number>>();
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const at = performance.now();
      const text = data.toString();
      // Frames of fixes only carry nothing of interest here: skip their parse.
      if (!text.includes('corridor.endangered') && !text.includes('reroute.proposed') && !text.includes('threat.upserted')) return;
      const m = JSON.parse(text) as { type: string; events?: any[] };
      for (const e of m.events ?? []) {
        if (e.type === 'threat.upserted') this.zoneStored.set(e.zone.id, e.timeMs);
        if (e.type === 'corridor.endangered') {
          for (const z of e.endangeredBy) note(this.endangered, z.id, e.convoyId, at);
          for (const z of e.endangeredBy) note(this.markStored, z.id, e.convoyId, e.timeMs);
        }
        if (e.type === 'reroute.proposed' && !e.more) {
          for (const z of e.proposal.cause.zones) note(this.proposed, z.id, e.proposal.convoyId, at);
          for (const z of e.proposal.cause.zones) note(this.proposalStored, z.id, e.proposal.convoyId, e.timeMs);
        }
        if (e.type === 'reroute.proposed' && e.more) {
          for (const z of e.proposal.cause.zones) note(this.alternatives, z.id, e.proposal.convoyId, at);
          for (const z of e.proposal.cause.zones) note(this.alternativesStored, z.id, e.proposal.convoyId, e.timeMs);
        }
      }
    });
  }
}
function note(m: Map<string, Map<string, number>>, zone: string, convoy: string, at: number): void {
  let byConvoy = m.get(zone);
  if (!byConvoy) m.set(zone, (byConvoy = new Map()));
  if (!byConvoy.has(convoy)) byConvoy.set(convoy, at);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'corridor-bench-reroute-'));
  const port = await freePort();
  const token = 'bench-admin-token-' + Math.random().toString(36).slice(2);
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CORRIDOR_DATA_DIR: dataDir, CORRIDOR_ADMIN_TOKEN: token, CORRIDOR_SCENARIO: 'none', CORRIDOR_COT_PORT: '0', CORRIDOR_TOKEN_RATE: '1000000', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const cleanup = () => {
    server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 720) throw new Error('server did not become healthy in time');
    await new Promise((r) => setTimeout(r, 250));
  }
  const api = async (p: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${base}${p}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    return res.json() as Promise<any>;
  };

  // 100 moving convoys across the middle of the network, each with a lead unit.
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const at = () => [11.94 + 0.06 * rand(), 57.69 + 0.035 * rand()];
  for (let i = 0; i < CONVOYS; i++) {
    await api('/api/convoys', { body: { id: `cv-${i}`, name: `Convoy ${i}`, origin: at(), destination: at(), leadUnitId: `lead-${i}` } });
    for (const to of ['approved', 'moving']) await api(`/api/convoys/cv-${i}/state`, { body: { to } });
  }
  let routes = new Map<string, [number, number][]>();
  for (let i = 0; i < 100 && routes.size < CONVOYS * 0.9; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const { convoys } = await api('/api/convoys');
    routes = new Map(convoys.filter((c: any) => c.corridor?.status === 'ok').map((c: any) => [c.id, c.corridor.features[0].geometry.coordinates]));
  }
  // Each lead a quarter of the way along its route: proposals start where the convoys are.
  const reports = [...routes].map(([id, line]) => {
    const [lon, lat] = along(lineString(line), turfLength(lineString(line)) * 0.25).geometry.coordinates;
    return { unitId: `lead-${id.slice(3)}`, lon, lat };
  });
  await api('/api/positions', { body: reports });
  await new Promise((r) => setTimeout(r, 1000));
  process.stderr.write(`${routes.size} convoys moving with corridors; ${ZONES} zones to drop\n`);

  const screens = await Promise.all(
    Array.from({ length: SCREENS }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { maxPayload: 256 * 1024 * 1024 });
      return new Promise<Screen>((resolve, reject) => {
        ws.once('open', () => resolve(new Screen(ws)));
        ws.once('error', reject);
      });
    }),
  );
  await new Promise((r) => setTimeout(r, 1000));

  const markServerMs: number[] = [];
  const proposalServerMs: number[] = [];
  const markMs: number[] = [];
  const proposalMs: number[] = [];
  const alternativesMs: number[] = [];
  const alternativesServerMs: number[] = [];
  const lastProposalMs: number[] = [];
  const affected: number[] = [];
  let incomplete = 0;
  const ids = [...routes.keys()];
  for (let k = 0; k < ZONES; k++) {
    // On the route ahead of one convoy: between half and three quarters of the way.
    const line = routes.get(ids[Math.floor(rand() * ids.length)])!;
    const center = along(lineString(line), turfLength(lineString(line)) * (0.5 + 0.25 * rand())).geometry.coordinates;
    const id = `tz-bench-${k}`;
    const t0 = performance.now();
    await api('/api/threats', { body: { type: 'Feature', geometry: { type: 'Point', coordinates: center }, properties: { id, severity: 'no-go', radius_m: ZONE_RADIUS_M, label: 'bench' } } });
    // Every screen has every cut convoy's proposal, or the wait ends.
    const done = () => {
      const cut = new Set<string>();
      for (const s of screens) for (const c of s.endangered.get(id)?.keys() ?? []) cut.add(c);
      return cut.size > 0 && screens.every((s) => [...cut].every((c) => s.proposed.get(id)?.has(c)));
    };
    const until = performance.now() + WAIT_MS;
    while (!done() && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
    // The alternatives follow the best routes: give them a moment to come too.
    await new Promise((r) => setTimeout(r, 500));
    const cut = new Set<string>();
    for (const s of screens) for (const c of s.endangered.get(id)?.keys() ?? []) cut.add(c);
    if (cut.size === 0) {
      // The zone fell where no route ahead passes (a convoy already past it): nothing to time.
      await api(`/api/threats/${id}`, { method: 'DELETE' });
      continue;
    }
    if (!done()) incomplete++;
    affected.push(cut.size);
    let last = 0;
    const stored = screens[0].zoneStored.get(id);
    for (const c of cut) {
      const mark = screens[0].markStored.get(id)?.get(c);
      const prop = screens[0].proposalStored.get(id)?.get(c);
      const alt = screens[0].alternativesStored.get(id)?.get(c);
      if (stored !== undefined && alt !== undefined) alternativesServerMs.push(alt - stored);
      const alternatives = Math.max(...screens.map((s) => s.alternatives.get(id)?.get(c) ?? Infinity));
      if (Number.isFinite(alternatives)) alternativesMs.push(alternatives - t0);
      if (stored !== undefined && mark !== undefined) markServerMs.push(mark - stored);
      if (stored !== undefined && prop !== undefined) proposalServerMs.push(prop - stored);
      const marked = Math.max(...screens.map((s) => s.endangered.get(id)?.get(c) ?? Infinity));
      const proposed = Math.max(...screens.map((s) => s.proposed.get(id)?.get(c) ?? Infinity));
      if (Number.isFinite(marked)) markMs.push(marked - t0);
      if (Number.isFinite(proposed)) {
        proposalMs.push(proposed - t0);
        last = Math.max(last, proposed - t0);
      }
    }
    lastProposalMs.push(last);
    await api(`/api/threats/${id}`, { method: 'DELETE' });
    await new Promise((r) => setTimeout(r, 300));
  }

  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const [m, p, l] = [sorted(markMs), sorted(proposalMs), sorted(lastProposalMs)];
  const [ms, ps] = [sorted(markServerMs), sorted(proposalServerMs)];
  const [a, as] = [sorted(alternativesMs), sorted(alternativesServerMs)];
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
  const table = [
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; Gothenburg network, ${routes.size} moving convoys with a lead unit a quarter of the way along, ${SCREENS} map clients, all on loopback; ${affected.length} of ${ZONES} no-go zones of ${ZONE_RADIUS_M} m cut routes ahead (${(affected.reduce((a, b) => a + b, 0) / Math.max(1, affected.length)).toFixed(1)} convoys each on average, at most ${Math.max(0, ...affected)}); ${incomplete} zone(s) whose proposals did not all reach every screen within ${WAIT_MS / 1000} s.`,
    '',
    '| from the zone sent to … on every screen | samples | p50 (ms) | p95 (ms) | max (ms) |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| a cut convoy's corridor marked unsafe | ${m.length} | ${f(percentile(m, 50))} | ${f(percentile(m, 95))} | ${f(m[m.length - 1])} |`,
    `| a cut convoy's re-route proposal | ${p.length} | ${f(percentile(p, 50))} | ${f(percentile(p, 95))} | ${f(p[p.length - 1])} |`,
    `| the last proposal of the zone | ${l.length} | ${f(percentile(l, 50))} | ${f(percentile(l, 95))} | ${f(l[l.length - 1])} |`,
    `| its alternatives (convoys that have some) | ${a.length} | ${f(percentile(a, 50))} | ${f(percentile(a, 95))} | ${f(a[a.length - 1])} |`,
    '',
    '| in the server, from the zone stored to … stored | samples | p50 (ms) | p95 (ms) | max (ms) |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| a cut convoy's unsafe mark | ${ms.length} | ${f(percentile(ms, 50))} | ${f(percentile(ms, 95))} | ${f(ms[ms.length - 1])} |`,
    `| a cut convoy's re-route proposal | ${ps.length} | ${f(percentile(ps, 50))} | ${f(percentile(ps, 95))} | ${f(ps[ps.length - 1])} |`,
    `| its alternatives (convoys that have some) | ${as.length} | ${f(percentile(as, 50))} | ${f(percentile(as, 95))} | ${f(as[as.length - 1])} |`,
    '',
    'The first table is what a screen sees; the second is the server\'s own part, between the `timeMs` of the stored events (the zone\'s, and the mark\'s or proposal\'s), without the HTTP request before it and the frame after it.',
    '',
    'Each time of the first table runs from sending `POST /api/threats` to the moment the slowest of the map clients received the event (a `corridor.endangered`, or a `reroute.proposed` naming the zone), so it includes the HTTP request, validation, the durable commit, the check of every moving convoy\'s route ahead, the route queries on the routing thread from each convoy\'s position to its haven or destination, the commit of the proposals and the next frame (P4: frames go out at most every 50 ms). A proposal comes with its best route (one search per destination, with the destination\'s target tree); its two alternatives (a few more searches each) follow as an addition to it once every cut convoy has its best route (\'its alternatives\').',
  ].join('\n');
  console.log(table);
  if (process.env.BENCH_WRITE !== '0') {
    const knobs = ['BENCH_ZONES', 'BENCH_CONVOYS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('');
    writeFileSync(path.join(root, 'docs', 'bench-reroute.md'), `# Re-route benchmark\n\nProduced by \`${knobs}npm run bench:reroute\` (${new Date().toISOString().slice(0, 10)}).\n\n${table}\n`);
  }
  for (const s of screens) s.ws.close();
  server.kill('SIGTERM');
  await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
  cleanup();
  process.exit(0);
}

await main();

// Map clients for bench:ingest, in a worker thread: counts bytes per client and, on the first client of
// each audience, samples post-to-client latency and what its fixes carry (units, heading, grid).
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { expandDeltaEvents } from '@corridor/protocol';
import type { Unit } from '@corridor/protocol';

/** What the first client of one audience received since the last `collect`. */
export interface AudienceSample {
  /** Post-to-client latency of every fix received, ms. */
  latencies: number[];
  fixes: number;
  /** Distinct units among the fixes. */
  units: number;
  /** Fixes that carry a heading (the senders give every report one). */
  withHeading: number;
  /** Fixes whose position lies on the grid of `gridM` metres (0 without one). */
  onGrid: number;
}

/** The worker's answer to `collect`. */
export interface ClientsStats {
  /** Per audience, in the order of workerData's audience numbers. */
  audiences: AudienceSample[];
  /** Bytes received per client. */
  bytes: number[];
}

const port = parentPort!;
const { clients, audiences, gridM } = workerData as {
  /** Each client's socket URL (with its token) and audience number (0 … audiences - 1). */
  clients: { url: string; audience: number }[];
  audiences: number;
  /** A coarsening grid (metres) to look for in the fixes, or undefined for no look. */
  gridM?: number;
};
const count = clients.length;
/** The client that samples each audience: its first. */
const sampler = clients.map((c, i) => clients.findIndex((d) => d.audience === c.audience) === i);
const emptySample = (): AudienceSample => ({ latencies: [], fixes: 0, units: 0, withHeading: 0, onGrid: 0 });
let samples = Array.from({ length: audiences }, emptySample);
let unitSets = Array.from({ length: audiences }, () => new Set<string>());
let bytes = new Array<number>(count).fill(0);
let ready = 0;
const sockets: WebSocket[] = [];

/** Whether a position is on the grid of `m` metres as the sharing policy coarsens (server/sharing/policy.ts). */
function onGrid(lon: number, lat: number, m: number): boolean {
  const stepLat = m / 111_320;
  const stepLon = m / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  // Coarsened positions are rounded to 6 decimals: within a thousandth of a step of a grid line.
  const near = (x: number, step: number) => Math.abs(x / step - Math.round(x / step)) < 1e-3;
  return near(lat, stepLat) && near(lon, stepLon);
}

for (let i = 0; i < count; i++) {
  // Fixes as rows (P14), as the browser client asks for them.
  const ws = new WebSocket(`${clients[i].url}&fixes=rows`);
  const audience = clients[i].audience;
  sockets.push(ws);
  ws.on('message', (data: Buffer) => {
    bytes[i] += data.length;
    const now = Date.now();
    // Every client parses every frame and makes its units, as a map would; the first of each audience samples them.
    const msg = JSON.parse(data.toString()) as { type: string; events?: Array<{ type: string; units?: Unit[] }> };
    if (msg.type === 'snapshot') {
      if (++ready === count) port.postMessage({ kind: 'ready' });
      return;
    }
    if (msg.type !== 'delta' || !msg.events) return;
    expandDeltaEvents(msg.events);
    if (!sampler[i]) return;
    const sample = samples[audience];
    for (const event of msg.events) {
      if (event.type !== 'position.reported' || !event.units) continue;
      for (const unit of event.units) sample.latencies.push(now - unit.timeMs);
      // What the fixes carry, when the audiences differ (BENCH_AUDIENCES): not spent on the single audience.
      if (audiences === 1) continue;
      sample.fixes += event.units.length;
      for (const unit of event.units) {
        unitSets[audience].add(unit.unitId);
        if (unit.heading !== undefined) sample.withHeading++;
        if (gridM !== undefined && onGrid(unit.lon, unit.lat, gridM)) sample.onGrid++;
      }
    }
  });
  ws.on('error', (err) => port.postMessage({ kind: 'error', message: String(err) }));
}
port.on('message', (cmd: string) => {
  if (cmd === 'collect') {
    samples.forEach((s, a) => (s.units = unitSets[a].size));
    port.postMessage({ kind: 'stats', audiences: samples, bytes } satisfies ClientsStats & { kind: string });
    samples = Array.from({ length: audiences }, emptySample);
    unitSets = Array.from({ length: audiences }, () => new Set<string>());
    bytes = new Array<number>(count).fill(0);
  } else if (cmd === 'close') {
    sockets.forEach((s) => s.close());
    setTimeout(() => process.exit(0), 200);
  }
});

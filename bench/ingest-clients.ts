// Map clients for bench:ingest, in a worker thread: counts bytes per client and samples post-to-client latency.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { expandDeltaEvents } from '@corridor/protocol';
import type { Unit } from '@corridor/protocol';

const port = parentPort!;
const { url, count } = workerData as { url: string; count: number };
let latencies: number[] = [];
let bytes = new Array<number>(count).fill(0);
let ready = 0;
const sockets: WebSocket[] = [];

for (let i = 0; i < count; i++) {
  // Fixes as rows (P14), as the browser client asks for them.
  const ws = new WebSocket(`${url}&fixes=rows`);
  sockets.push(ws);
  ws.on('message', (data: Buffer) => {
    bytes[i] += data.length;
    const now = Date.now();
    // Every client parses every frame and makes its units, as a map would; latency is sampled on the first one.
    const msg = JSON.parse(data.toString()) as { type: string; events?: Array<{ type: string; units?: Unit[] }> };
    if (msg.type === 'snapshot') {
      if (++ready === count) port.postMessage({ kind: 'ready' });
      return;
    }
    if (msg.type !== 'delta' || !msg.events) return;
    expandDeltaEvents(msg.events);
    if (i !== 0) return;
    for (const event of msg.events) {
      if (event.type !== 'position.reported' || !event.units) continue;
      for (const unit of event.units) latencies.push(now - unit.timeMs);
    }
  });
  ws.on('error', (err) => port.postMessage({ kind: 'error', message: String(err) }));
}
port.on('message', (cmd: string) => {
  if (cmd === 'collect') {
    port.postMessage({ kind: 'stats', latencies, bytes });
    latencies = [];
    bytes = new Array<number>(count).fill(0);
  } else if (cmd === 'close') {
    sockets.forEach((s) => s.close());
    setTimeout(() => process.exit(0), 200);
  }
});

// Map clients for bench:ingest, in a worker thread: counts bytes per client and samples post-to-client latency.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, count } = workerData;
let latencies = [];
let bytes = new Array(count).fill(0);
let ready = 0;
const sockets = [];
for (let i = 0; i < count; i++) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  ws.on('message', (data) => {
    bytes[i] += data.length;
    const now = Date.now();
    // Every client parses every frame, as a map would; latency is sampled on the first one.
    const msg = JSON.parse(data.toString());
    if (msg.type === 'snapshot') {
      if (++ready === count) parentPort.postMessage({ kind: 'ready' });
      return;
    }
    if (msg.type !== 'delta' || i !== 0) return;
    for (const event of msg.events) {
      if (event.type !== 'position.reported') continue;
      for (const unit of event.units) latencies.push(now - unit.timeMs);
    }
  });
  ws.on('error', (err) => parentPort.postMessage({ kind: 'error', message: String(err) }));
}
parentPort.on('message', (cmd) => {
  if (cmd === 'collect') {
    parentPort.postMessage({ kind: 'stats', latencies, bytes });
    latencies = [];
    bytes = new Array(count).fill(0);
  } else if (cmd === 'close') {
    sockets.forEach((s) => s.close());
    setTimeout(() => process.exit(0), 200);
  }
});

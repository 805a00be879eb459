// `npm run bench:cluster` (issue 19): instances on one shared log on NATS JetStream, on this machine.
// 0. The log alone: position events appended in batches by this process, no server (what the log costs).
// 1. Scaling: updates accepted durably per second with 1, 2 and 3 instances on one NATS node (R1), the
//    senders offering more than the cluster takes; with each process's CPU per update.
// 2. Latency: three NATS nodes (R3) and three instances at a steady rate: send-to-ack, and post-to-client
//    from a map client of another instance than the sender's.
// 3. Fault: the stream's leader node killed under 5,000 updates/s offered across the three instances:
//    acknowledged updates lost and duplicated, the longest stall, and whether the pictures agree.
// Everything runs on loopback on one machine: every instance, every NATS node and the senders share its
// cores, so the figures are CPU-bound and say what one machine does, not what a cluster of machines does.
// BENCH_SCALE_RATE (default 30000), BENCH_SCALE_S (8), BENCH_LATENCY_RATE (3000), BENCH_FAULT_RATE (5000),
// BENCH_FAULT_S (20), BENCH_APPEND_BATCH (1000), BENCH_APPEND_EVENTS (100000), BENCH_PHASES
// (appends,scale,latency,fault); BENCH_WRITE=0 prints without writing
// docs/bench-cluster.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { NatsEventLog } from '../server/log/nats-log.js';
import { checkLog, cpuMs, offerLoad, percentile, pictures, startRig, watchLatency, type Rig } from './cluster-rig.js';
import { NATS_SKIP_REASON, startNatsCluster, streamLeader } from '../test/nats/harness.js';

const lines: string[] = [];
/** Prints a line of the report and keeps it for docs/bench-cluster.md. */
function out(line: string): void {
  console.log(line);
  lines.push(line);
}

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const phases = new Set((process.env.BENCH_PHASES ?? 'appends,scale,latency,fault').split(','));

if (NATS_SKIP_REASON) {
  console.error(`bench:cluster needs nats-server: ${NATS_SKIP_REASON}`);
  process.exit(2);
}

/** CPU of every process of the rig, ms: each instance's and the NATS nodes' together. */
function rigCpu(rig: Rig): { instances: number[]; nats: number } {
  return { instances: rig.instances.map((i) => cpuMs(i.child.child.pid)), nats: rig.nats.nodes.reduce((sum, n) => sum + cpuMs(n.pid()), 0) };
}

/**
 * The log alone, without a server: batches of position events appended to the shared log in this
 * process, each batch's publishes in flight together, as the store hands them over (R1, one node).
 */
async function appends(): Promise<void> {
  const batch = num('BENCH_APPEND_BATCH', 1000);
  const total = num('BENCH_APPEND_EVENTS', 100_000);
  out(`\n0. The shared log alone: ${total.toLocaleString('en')} position events appended in batches of ${batch}, one NATS node (R1), no server`);
  const nats = await startNatsCluster(1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'corridor-appends-'));
  try {
    const log = await NatsEventLog.open({ servers: [nats.url], mirrorFile: path.join(dir, 'corridor.db'), instance: 'bench', logger: pino({ level: 'silent' }) });
    const natsBefore = cpuMs(nats.nodes[0].pid());
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let n = 0; n < total; n += batch) {
      const entries = Array.from({ length: batch }, (_, i) => {
        const k = n + i;
        const event = { msgId: `a-${k}`, type: 'position.reported', units: [{ unitId: `U-${k % 500}`, lon: 11.96 + (k % 97) * 1e-4, lat: 57.7, timeMs: Date.now(), seenMs: Date.now() }] };
        return { event: event as never, json: JSON.stringify(event), msgIds: [`a-${k}`], scope: 'tk:bench', fingerprints: [k], dedupe: true };
      });
      await log.append(entries, Date.now());
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const natsCpu = cpuMs(nats.nodes[0].pid()) - natsBefore;
    await log.close();
    out('| appended, events/s | CPU per event, this process (publish, copy, msgId index) | CPU per event, NATS |');
    out('| ---: | ---: | ---: |');
    out(`| ${Math.round(total / seconds).toLocaleString('en')} | ${((cpu.user + cpu.system) / total).toFixed(0)} µs | ${((natsCpu * 1000) / total).toFixed(0)} µs |`);
  } finally {
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function scale(): Promise<void> {
  const rate = num('BENCH_SCALE_RATE', 30_000);
  const seconds = num('BENCH_SCALE_S', 8);
  out(`\n1. Scaling: ${rate.toLocaleString('en')} updates/s offered for ${seconds} s, one NATS node (R1), a WebSocket sender per instance`);
  out('| instances | accepted durably, updates/s | ack p50 | ack p99 | CPU per update, each instance | CPU per update, NATS |');
  out('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of [1, 2, 3]) {
    const rig = await startRig({ natsNodes: 1, instances: n, replicas: 1 });
    try {
      const urls = rig.instances.map((i) => i.child.url);
      const before = rigCpu(rig);
      const started = Date.now();
      const result = await offerLoad({ urls, ratePerS: rate, durationS: seconds, retryAfterMs: 120_000, drainS: 60 });
      // From the first offer to the last acknowledgement: what the cluster took, whatever was offered.
      const elapsedS = (Date.now() - started) / 1000;
      const after = rigCpu(rig);
      const perInstance = after.instances.map((c, i) => ((c - before.instances[i]) * 1000) / result.acked);
      const natsUs = ((after.nats - before.nats) * 1000) / result.acked;
      out(
        `| ${n} | ${Math.round(result.acked / elapsedS).toLocaleString('en')} | ${percentile(result.ackMs, 50)} ms | ${percentile(result.ackMs, 99)} ms | ${perInstance.map((u) => `${u.toFixed(0)} µs`).join(', ')} | ${natsUs.toFixed(0)} µs |`,
      );
    } finally {
      await rig.close();
    }
  }
}

async function latency(): Promise<void> {
  const rate = num('BENCH_LATENCY_RATE', 3000);
  out(`\n2. Latency: three NATS nodes (R3), three instances, ${rate.toLocaleString('en')} updates/s for 15 s`);
  const rig = await startRig({ natsNodes: 3, instances: 3, replicas: 3 });
  try {
    const urls = rig.instances.map((i) => i.child.url);
    const watcher = await watchLatency(urls[0], 0, 3);
    const result = await offerLoad({ urls, ratePerS: rate, durationS: 15 });
    await new Promise((r) => setTimeout(r, 1000));
    watcher.close();
    const l = watcher.latencies.slice(Math.floor(watcher.latencies.length / 5)); // past the first seconds' warm-up
    out('| figure | p50 | p99 | max | samples |');
    out('| --- | ---: | ---: | ---: | ---: |');
    out(`| send to ack | ${percentile(result.ackMs, 50)} ms | ${percentile(result.ackMs, 99)} ms | ${Math.max(...result.ackMs)} ms | ${result.ackMs.length} |`);
    out(`| post to a client of another instance | ${percentile(l, 50)} ms | ${percentile(l, 99)} ms | ${Math.max(...l)} ms | ${l.length} |`);
  } finally {
    await rig.close();
  }
}

async function fault(): Promise<void> {
  const rate = num('BENCH_FAULT_RATE', 5000);
  const seconds = num('BENCH_FAULT_S', 20);
  out(`\n3. Fault: the stream's leader node killed ${Math.round(seconds / 4)} s into ${seconds} s of ${rate.toLocaleString('en')} updates/s offered across three instances (three NATS nodes, R3)`);
  const rig = await startRig({ natsNodes: 3, instances: 3, replicas: 3 });
  try {
    const urls = rig.instances.map((i) => i.child.url);
    let killed = '';
    const result = await offerLoad({
      urls,
      ratePerS: rate,
      durationS: seconds,
      during: async (ms) => {
        if (killed || ms < (seconds * 1000) / 4) return;
        killed = 'pending';
        const leader = await streamLeader(rig.nats, 'CORRIDOR');
        killed = leader?.name ?? 'none';
        await leader?.kill();
      },
    });
    const all = await pictures(urls, 60_000);
    const log = checkLog(rig.instances[0].dir, result.acks);
    const same = all.every((p) => p.seq === all[0].seq && p.text === all[0].text);
    out('| offered | acknowledged | lost | duplicated | sent again (same msgId) | longest stall | pictures equal | leader killed |');
    out('| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
    out(`| ${result.offered} | ${result.acked} | ${log.lost.length} | ${log.duplicated.length} | ${result.retries} | ${(result.longestStallMs / 1000).toFixed(1)} s | ${same ? `yes, at seq ${all[0].seq}` : `no: ${all.map((p) => p.seq).join(', ')}`} | ${killed} |`);
  } finally {
    await rig.close();
  }
}

out(`bench:cluster on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; everything on loopback on this one machine`);
if (phases.has('appends')) await appends();
if (phases.has('scale')) await scale();
if (phases.has('latency')) await latency();
if (phases.has('fault')) await fault();
if (process.env.BENCH_WRITE !== '0') {
  const header = `# bench:cluster\n\n\`npm run bench:cluster\`, ${new Date().toISOString().slice(0, 10)}. Every instance, NATS node and sender on one machine, on loopback.\n`;
  writeFileSync(new URL('../docs/bench-cluster.md', import.meta.url), `${header}\n${lines.join('\n')}\n`);
}

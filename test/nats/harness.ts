// nats-server on loopback for the tests and benchmarks of the shared log (issue 19): one JetStream node,
// or a three-node cluster for the fault tests. Each node runs from a config file in a temporary folder,
// so it can be killed and started again on the same ports and storage (a node that comes back).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A program from Debian (in /usr/sbin or /usr/bin) or on PATH, or undefined. Looked for, not run: a run
 * of `--version` that failed for a moment would skip every test that needs it, quietly.
 */
export function findProgram(name: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean)]) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Where Debian puts the server (`apt-get install -y nats-server`), or the one on PATH. */
export function natsServerBinary(): string | undefined {
  return findProgram('nats-server');
}

/** Why the NATS tests skip on this machine, or undefined when they can run. */
export const NATS_SKIP_REASON = natsServerBinary() ? undefined : 'nats-server is not installed (apt-get install -y nats-server); .ci/run installs it';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NatsNode {
  readonly name: string;
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  /** Whether the process is running. */
  running(): boolean;
  /** The process id while it runs. */
  pid(): number | undefined;
  /** Starts it (again), on the same ports and storage; resolves when it answers /healthz. */
  start(): Promise<void>;
  /** SIGKILL: the node dies as a machine would. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

export interface NatsCluster {
  readonly nodes: NatsNode[];
  /** Every node's URL, comma-separated: what `CORRIDOR_LOG` takes. */
  readonly url: string;
  /** Stops every node and removes the storage. */
  close(): Promise<void>;
}

interface NodeSpec {
  name: string;
  port: number;
  monitorPort: number;
  clusterPort?: number;
  routes?: number[];
  dir: string;
}

function configText(spec: NodeSpec, clusterName: string): string {
  const lines = [
    `server_name: ${spec.name}`,
    `listen: 127.0.0.1:${spec.port}`,
    `http: 127.0.0.1:${spec.monitorPort}`,
    `jetstream { store_dir: "${path.join(spec.dir, spec.name)}" }`,
  ];
  if (spec.clusterPort) {
    lines.push(`cluster {`, `  name: ${clusterName}`, `  listen: 127.0.0.1:${spec.clusterPort}`, `  routes: [${(spec.routes ?? []).map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}]`, `}`);
  }
  return lines.join('\n') + '\n';
}

function makeNode(spec: NodeSpec, binary: string, clusterName: string): NatsNode {
  const conf = path.join(spec.dir, `${spec.name}.conf`);
  writeFileSync(conf, configText(spec, clusterName));
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const node: NatsNode = {
    name: spec.name,
    url: `nats://127.0.0.1:${spec.port}`,
    port: spec.port,
    monitorPort: spec.monitorPort,
    running: () => proc !== undefined && proc.exitCode === null && proc.signalCode === null,
    pid: () => (node.running() ? proc!.pid : undefined),
    async start() {
      if (node.running()) return;
      const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      proc = child;
      exited = new Promise((resolve) => child.once('exit', () => resolve()));
      await waitHealthy(spec.monitorPort, () => (child.exitCode !== null ? `nats-server ${spec.name} exited: ${stderr}` : undefined));
    },
    async kill() {
      if (!node.running()) return;
      proc!.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!node.running()) return;
      proc!.kill('SIGTERM');
      await exited;
    },
  };
  return node;
}

/** Waits until the monitoring port answers (the server is up; JetStream may still elect its leaders). */
async function waitHealthy(monitorPort: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    try {
      const res = await fetch(`http://127.0.0.1:${monitorPort}/varz`);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`nats-server on monitor port ${monitorPort} did not come up in 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One JetStream node on loopback. */
export async function startNats(): Promise<NatsCluster> {
  return startNatsCluster(1);
}

/** `size` JetStream nodes on loopback, clustered when more than one. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const binary = natsServerBinary();
  if (!binary) throw new Error(NATS_SKIP_REASON);
  const dir = mkdtempSync(path.join(tmpdir(), 'corridor-nats-'));
  const specs: NodeSpec[] = [];
  for (let i = 0; i < size; i++) {
    specs.push({ name: `n${i + 1}`, port: await freePort(), monitorPort: await freePort(), clusterPort: size > 1 ? await freePort() : undefined, dir });
  }
  for (const s of specs) s.routes = specs.filter((o) => o !== s).map((o) => o.clusterPort!);
  const nodes = specs.map((s) => makeNode(s, binary, 'corridor-test'));
  await Promise.all(nodes.map((n) => n.start()));
  if (size > 1) await waitJetStreamCluster(nodes);
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    async close() {
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the cluster's JetStream has a meta leader (streams can then be made). */
async function waitJetStreamCluster(nodes: NatsNode[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${nodes[0].monitorPort}/jsz`);
      const body = (await res.json()) as { meta_cluster?: { leader?: string } };
      if (body.meta_cluster?.leader) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('the NATS cluster elected no JetStream leader in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The node that leads a stream now (its server_name), read from a node's monitoring port. */
export async function streamLeader(cluster: NatsCluster, stream: string): Promise<NatsNode | undefined> {
  for (const node of cluster.nodes) {
    if (!node.running()) continue;
    try {
      const res = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz?streams=true`);
      const body = (await res.json()) as { account_details?: Array<{ stream_detail?: Array<{ name: string; cluster?: { leader?: string } }> }> };
      for (const acc of body.account_details ?? []) {
        for (const s of acc.stream_detail ?? []) {
          if (s.name === stream && s.cluster?.leader) return cluster.nodes.find((n) => n.name === s.cluster!.leader);
        }
      }
    } catch {
      /* ask the next */
    }
  }
  return undefined;
}

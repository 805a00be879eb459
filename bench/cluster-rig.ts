// A cluster on this machine for bench:cluster and the fault tests (issue 19): nats-server nodes, server
// instances as processes of their own on the shared log, and field senders that post over WebSocket at
// a fixed rate across the instances, retrying what is not acknowledged with the same msgId as a real
// client does. Afterwards the log is read from an instance's copy and every acknowledged update is looked
// for: lost (acknowledged, not in the log) and duplicated (in the log more than once).
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { expandDeltaEvents } from '@corridor/protocol';
import { TokenStore, tokensFile } from '../server/auth/tokens.js';
import { databaseFile } from '../server/log/event-log.js';
import { startChild, CHILD_ADMIN, type Child } from '../test/integration/child.js';
import { startNatsCluster, type NatsCluster } from '../test/nats/harness.js';

/** The field token every instance knows (written into each data folder before it starts). */
export const FIELD_TOKEN = 'cluster-rig-field-token-0123456789abcdef';
export { CHILD_ADMIN as ADMIN_TOKEN };

export interface Rig {
  nats: NatsCluster;
  instances: Array<{ name: string; dir: string; child: Child }>;
  /** Starts (again) the instance at `i` on its data folder. */
  restart(i: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts `natsNodes` nats-servers and `instances` server processes on one shared stream of `replicas` copies. */
export async function startRig(opts: { natsNodes: number; instances: number; replicas: number; roleTtlS?: number }): Promise<Rig> {
  const nats = await startNatsCluster(opts.natsNodes);
  const root = mkdtempSync(path.join(tmpdir(), 'corridor-rig-'));
  const names = ['a', 'b', 'c', 'd', 'e'].slice(0, opts.instances);
  const env = (name: string): Record<string, string> => ({
    CORRIDOR_LOG: nats.url,
    CORRIDOR_LOG_REPLICAS: String(opts.replicas),
    CORRIDOR_INSTANCE: name,
    CORRIDOR_ROLE_TTL_S: String(opts.roleTtlS ?? 3),
    CORRIDOR_TOKEN_RATE: '1000000',
    ...(process.env.RIG_LOG_LEVEL ? { LOG_LEVEL: process.env.RIG_LOG_LEVEL } : {}),
  });
  const instances: Rig['instances'] = [];
  try {
    for (const name of names) {
      const dir = path.join(root, name);
      const tokens = new TokenStore(tokensFile(dir));
      tokens.create({ org: 'WFP', role: 'field', id: 'tk-rig-field', token: FIELD_TOKEN });
      tokens.close();
      // One at a time: the first makes the stream, the others find it.
      instances.push({ name, dir, child: await startChild(dir, env(name)) });
    }
  } catch (err) {
    for (const i of instances) await i.child.stop();
    await nats.close();
    throw err;
  }
  return {
    nats,
    instances,
    async restart(i) {
      const inst = instances[i];
      if (inst.child.alive()) return;
      inst.child = await startChild(inst.dir, env(inst.name));
    },
    async close() {
      await Promise.all(instances.map((i) => stopChild(i.child)));
      await nats.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** SIGTERM, then SIGKILL when the process has not ended within 10 s. */
async function stopChild(child: Child): Promise<void> {
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 10_000);
  await child.stop();
  clearTimeout(timer);
}

/** What became of the updates offered. */
export interface LoadResult {
  offered: number;
  acked: number;
  /** Sends that were answered with an error or not at all, then retried (the same msgId). */
  retries: number;
  /** msgIds never acknowledged by the end (still retrying when the run stopped). */
  unacked: number;
  /** The longest time no acknowledgement arrived at all while updates were offered, ms. */
  longestStallMs: number;
  /** Each acknowledged msgId with its seq. */
  acks: Map<string, number>;
  /** Send-to-ack time of every acknowledged update (first send), ms. */
  ackMs: number[];
}

interface Sender {
  url: string;
  ws?: WebSocket;
  open: boolean;
}

/**
 * Offers `ratePerS` position reports a second for `durationS` across `urls` (round robin, one socket per
 * instance), each with its own msgId. A report without an ack within `retryAfterMs`, or answered with
 * an error, is sent again with the same msgId through the next instance, as a field client would.
 * `during(elapsedMs)` is called every 100 ms (to kill something). Resolves once every report was
 * acknowledged or `drainS` passed after the last offer.
 */
export async function offerLoad(opts: {
  urls: string[];
  ratePerS: number;
  durationS: number;
  units?: number;
  retryAfterMs?: number;
  drainS?: number;
  during?: (elapsedMs: number) => void | Promise<void>;
}): Promise<LoadResult> {
  const units = opts.units ?? 600;
  const retryAfterMs = opts.retryAfterMs ?? 3000;
  const senders: Sender[] = opts.urls.map((url) => ({ url, open: false }));
  const pending = new Map<string, { body: string; firstMs: number; lastMs: number; via: number }>();
  const acks = new Map<string, number>();
  const ackMs: number[] = [];
  let retries = 0;
  let lastAckMs = Date.now();
  let longestStallMs = 0;

  const connect = (s: Sender) => {
    const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/ws?token=${FIELD_TOKEN}&stream=none`);
    s.ws = ws;
    ws.on('open', () => (s.open = true));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; msgId?: string; seq?: number };
      if (m.type !== 'ack' && m.type !== 'error') return;
      const p = m.msgId ? pending.get(m.msgId) : undefined;
      if (!p) return;
      if (m.type === 'error') {
        p.lastMs = 0; // sent again at the next look
        return;
      }
      const now = Date.now();
      longestStallMs = Math.max(longestStallMs, now - lastAckMs);
      lastAckMs = now;
      acks.set(m.msgId!, m.seq!);
      ackMs.push(now - p.firstMs);
      pending.delete(m.msgId!);
    });
    const lost = () => {
      s.open = false;
      setTimeout(() => connect(s), 200).unref();
    };
    ws.on('close', lost);
    ws.on('error', () => undefined);
  };
  for (const s of senders) connect(s);
  const deadline = Date.now() + 10_000;
  while (!senders.every((s) => s.open)) {
    if (Date.now() > deadline) throw new Error('the senders could not connect to every instance');
    await new Promise((r) => setTimeout(r, 20));
  }

  const send = (msgId: string, preferred: number): boolean => {
    const p = pending.get(msgId)!;
    for (let k = 0; k < senders.length; k++) {
      const i = (preferred + k) % senders.length;
      const s = senders[i];
      if (s.open && s.ws!.readyState === WebSocket.OPEN) {
        s.ws!.send(p.body);
        p.lastMs = Date.now();
        p.via = i;
        return true;
      }
    }
    return false;
  };

  const started = Date.now();
  let offered = 0;
  const tickMs = 10;
  await new Promise<void>((resolve) => {
    let lastLook = 0;
    const timer = setInterval(() => {
      const now = Date.now();
      const elapsed = now - started;
      if (elapsed < opts.durationS * 1000) {
        const due = Math.floor((elapsed / 1000) * opts.ratePerS);
        for (; offered < due; offered++) {
          const msgId = `r-${offered}`;
          const unit = `RIG-${offered % units}`;
          const body = JSON.stringify({ type: 'position', msgId, unitId: unit, lon: 11.96 + (offered % 97) * 1e-4, lat: 57.7 + (offered % 89) * 1e-4, time: new Date(now).toISOString() });
          pending.set(msgId, { body, firstMs: now, lastMs: 0, via: 0 });
          // A unit reports through one instance (units a multiple of the instances): a watcher knows whose it is.
          send(msgId, offered % senders.length);
        }
      }
      if (now - lastLook >= 100) {
        lastLook = now;
        void opts.during?.(elapsed);
        // Unanswered or refused: again, through the next instance, with the same msgId.
        for (const [msgId, p] of pending) {
          if (p.lastMs === 0 || now - p.lastMs > retryAfterMs) {
            if (p.lastMs !== 0 || p.firstMs !== now) retries++;
            send(msgId, p.via + 1);
          }
        }
        if (pending.size > 0 && elapsed >= opts.durationS * 1000) longestStallMs = Math.max(longestStallMs, now - lastAckMs);
      }
      const done = elapsed >= opts.durationS * 1000 && (pending.size === 0 || elapsed > (opts.durationS + (opts.drainS ?? 30)) * 1000);
      if (done) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  for (const s of senders) {
    s.ws?.removeAllListeners('close');
    s.ws?.close();
  }
  return { offered, acked: acks.size, retries, unacked: pending.size, longestStallMs, acks, ackMs };
}

/** CPU time a process has used so far (user + system), ms, read from /proc. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are the 12th and 13th fields after the command name, in clock ticks (100 a second).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * A map client on `url` that times each fix from its report's time to its arrival, for the units that
 * report through another instance than its own (`own` of `instances`, units numbered RIG-k, k mod instances).
 */
export async function watchLatency(url: string, own: number, instances: number): Promise<{ latencies: number[]; close(): void }> {
  const latencies: number[] = [];
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${CHILD_ADMIN}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data: Buffer) => {
      const now = Date.now();
      const msg = JSON.parse(data.toString()) as { type: string; events?: Array<{ type: string; units?: Array<{ unitId: string; timeMs: number }> }> };
      if (msg.type === 'snapshot') return resolve();
      if (msg.type !== 'delta' || !msg.events) return;
      expandDeltaEvents(msg.events as never);
      for (const e of msg.events) {
        if (e.type !== 'position.reported' || !e.units) continue;
        for (const u of e.units) {
          const k = Number(u.unitId.slice(4));
          if (u.unitId.startsWith('RIG-') && k % instances !== own) latencies.push(now - u.timeMs);
        }
      }
    });
  });
  return { latencies, close: () => ws.close() };
}

/** Acknowledged updates missing from the log, and updates the log holds more than once, read from an instance's copy. */
export function checkLog(dir: string, acks: Map<string, number>): { lost: string[]; duplicated: string[]; positions: number } {
  const db = new Database(databaseFile(dir), { readonly: true });
  try {
    const seen = new Map<string, number>();
    const rows = db.prepare("SELECT body FROM events WHERE type = 'position.reported'").pluck().all() as string[];
    for (const body of rows) {
      const m = /"msgId":"(r-\d+)"/.exec(body);
      if (m) seen.set(m[1], (seen.get(m[1]) ?? 0) + 1);
    }
    const lost = [...acks.keys()].filter((id) => !seen.has(id));
    const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    return { lost, duplicated, positions: rows.length };
  } finally {
    db.close();
  }
}

/** Each instance's picture as it answers `GET /api/picture`, once all are at the same seq (or after `waitMs`). */
export async function pictures(urls: string[], waitMs = 20_000): Promise<Array<{ seq: number; text: string }>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const all = await Promise.all(
      urls.map(async (url) => {
        const res = await fetch(`${url}/api/picture`, { headers: { authorization: `Bearer ${CHILD_ADMIN}` } });
        const body = (await res.json()) as { picture: { seq: number } & Record<string, unknown> };
        return { seq: body.picture.seq, text: canonical(body.picture) };
      }),
    );
    if (all.every((p) => p.seq === all[0].seq) || Date.now() > deadline) return all;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** JSON with every object's keys in order: two pictures compared whatever order their maps were filled in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** The p-th percentile of `xs` (0–100). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

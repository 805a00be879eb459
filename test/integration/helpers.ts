// Integration test helpers (test/integration): a real server on port 0 with a fake router, and a
// WebSocket client that queues what it receives so tests can wait for a given message.
import path from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { WebSocket } from 'ws';
import { ServerMessageSchemas } from '@corridor/protocol';
import { InlineRouting } from '../../server/routing-service.js';
import { startServer, type RunningServer, type ServerDeps } from '../../server/app.js';
import type { Config } from '../../server/config.js';
import { FakeEngine, silentLogger } from '../server/helpers.js';

/** Test configuration: port 0, the given data folder, no scenario, quiet. */
export function testConfig(dataDir: string, extra: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminToken: 'admin-token-for-tests-0123456789',
    scenario: 'none',
    networkChanged: 'refuse',
    cotPort: 0,
    staleAfterMs: 120_000,
    clientBufferBytes: 8 * 1024 * 1024,
    heartbeatMs: 30_000,
    snapshotEvery: 1000,
    snapshotIntervalMs: 60_000,
    logLevel: 'silent',
    logThread: true,
    // Tests send faster than a field unit: the per-token rate (P15) is tested on its own.
    tokenRatePerS: 1_000_000,
    ...extra,
  };
}

/** Starts an in-process server with a {@link FakeEngine}; the client is served from `<dataDir>/client`. */
export async function startTestServer(dataDir: string, extra: Partial<Config> = {}, deps: Partial<ServerDeps> = {}): Promise<RunningServer & { engine: FakeEngine }> {
  const engine = new FakeEngine();
  const server = await startServer(testConfig(dataDir, extra), { routing: new InlineRouting(engine), logger: silentLogger, clientDir: path.join(dataDir, 'client'), ...deps });
  return Object.assign(server, { engine });
}

export type Json = Record<string, any>;

const serverChecks = Object.fromEntries(Object.entries(ServerMessageSchemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]));

/** Why a server message breaks its schema (protocol/server-messages.ts), or undefined when it keeps it. */
export function serverMessageProblem(m: Json): string | undefined {
  const check = serverChecks[m.type as string];
  if (!check) return `unknown server message type ${JSON.stringify(m.type)}`;
  if (check.Check(m)) return undefined;
  const first = check.Errors(m).First();
  return `${m.type} breaks its schema at ${first?.path}: ${first?.message} (${JSON.stringify(first?.value)?.slice(0, 200)})`;
}

/**
 * A WebSocket client that keeps every message it gets, parsed, and holds each to the server-message
 * schemas: {@link close} fails a test whose server sent a message its schema does not allow.
 */
export class TestClient {
  readonly received: Json[] = [];
  /** Messages that broke their schema. */
  readonly violations: string[] = [];
  private waiters: Array<{ match: (m: Json) => boolean; resolve: (m: Json) => void }> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Json;
      const problem = serverMessageProblem(m);
      if (problem) this.violations.push(problem);
      this.received.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  /** Opens `/ws` with `token` and any further query parameters (e.g. `{ stream: 'none' }`). */
  static connect(url: string, token?: string, query: Record<string, string> = {}): Promise<TestClient> {
    const params = new URLSearchParams(token ? { token, ...query } : query).toString();
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws${params ? `?${params}` : ''}`;
    const ws = new WebSocket(wsUrl, { maxPayload: 64 * 1024 * 1024 });
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (already received or coming) that matches. */
  next(match: (m: Json) => boolean, timeoutMs = 5000): Promise<Json> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms; got types ${this.received.map((r) => r.type).slice(-10).join(',')}`));
      }, timeoutMs).unref();
    });
  }

  /** Sends a command and waits for its ack or error. */
  async request(message: Json, timeoutMs = 5000): Promise<Json> {
    this.send(message);
    return this.next((m) => (m.type === 'ack' || m.type === 'error') && m.msgId === message.msgId, timeoutMs);
  }

  /** Highest seq seen in snapshots and deltas. */
  seq(): number {
    let seq = 0;
    for (const m of this.received) if (m.type === 'snapshot' || m.type === 'delta') seq = Math.max(seq, m.seq);
    return seq;
  }

  /** Closes the socket; rejects when the server sent a message its schema does not allow. */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    }).then(() => {
      if (this.violations.length > 0) throw new Error(`the server sent messages outside their schemas:\n${this.violations.slice(0, 5).join('\n')}`);
    });
  }
}

/** fetch with a bearer token; returns status, headers and the parsed JSON (or text) body. */
export async function call(
  url: string,
  opts: { method?: string; token?: string; body?: unknown; raw?: string; headers?: Record<string, string>; redirect?: RequestRedirect } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let payload: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method: opts.method ?? (payload !== undefined ? 'POST' : 'GET'), headers, body: payload, redirect: opts.redirect ?? 'manual' });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text (pages)
  }
  return { status: res.status, headers: res.headers, body, text };
}

// Three instances on one shared log behind HAProxy with deploy/haproxy.cfg (issue 19), reached only
// through the balancer: a browser's HTTP calls and its socket stick to one instance by the balancer's
// cookie, a write through any instance reaches every socket, and a socket whose instance is killed
// comes back through the same address, on a live instance, and resyncs without a gap. While NATS is out
// of reach, the instances stay in the balancer and serve reads, and refuse writes themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { tempDir } from '../server/helpers.js';
import { CHILD_ADMIN as ADMIN, startChild, type Child } from '../integration/child.js';
import { call, serverMessageProblem, type Json } from '../integration/helpers.js';
import { findProgram, freePort, NATS_SKIP_REASON, startNats, type NatsCluster } from '../nats/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG = path.join(root, 'deploy/haproxy.cfg');
const NAMES = ['a', 'b', 'c'] as const;
type Name = (typeof NAMES)[number];

const HAPROXY = findProgram('haproxy');
const SKIP_REASON = NATS_SKIP_REASON ?? (HAPROXY ? undefined : 'haproxy is not installed (apt-get install -y haproxy)');

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sends one command to HAProxy's admin socket and returns its whole answer. */
function adminCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path: socketPath });
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('error', reject);
    s.on('end', () => resolve(out));
    s.on('connect', () => s.write(`${command}\n`));
  });
}

/** The state HAProxy holds of each server of the `corridor` backend (`UP`, `DOWN`, ...), from `show stat`. */
async function serverStates(socketPath: string): Promise<Record<string, string>> {
  const lines = (await adminCommand(socketPath, 'show stat')).split('\n');
  const header = lines[0].replace(/^# /, '').split(',');
  const status = header.indexOf('status');
  const out: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[0] === 'corridor' && (NAMES as readonly string[]).includes(f[1])) out[f[1]] = f[status];
  }
  return out;
}

/** The value of cookie `name` among a response's Set-Cookie headers, if it sets one. */
function setCookie(headers: Headers, name: string): string | undefined {
  for (const line of headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

const zone = (id: string, dx = 0) => ({
  type: 'Feature',
  properties: { id, severity: 'danger', label: `zone ${id}` },
  geometry: { type: 'Polygon', coordinates: [[[11.9641 + dx, 57.7011], [11.9651 + dx, 57.7011], [11.9651 + dx, 57.7021], [11.9641 + dx, 57.7021], [11.9641 + dx, 57.7011]]] },
});

/**
 * A browser's socket to `/ws` with the headers a browser sends (its cookies, its page's Origin):
 * keeps every message, parsed and held to the server-message schemas, and the handshake's answer.
 */
class BrowserSocket {
  readonly received: Json[] = [];
  readonly violations: string[] = [];
  /** Set-Cookie headers of the handshake's answer (the balancer's cookie when it moved the browser). */
  upgradeHeaders: Record<string, string | string[] | undefined> = {};
  readonly closed: Promise<void>;
  private waiters: Array<{ match: (m: Json) => boolean; resolve: (m: Json) => void }> = [];

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('error', () => {}); // a killed instance resets the socket; 'close' follows
    ws.on('upgrade', (res) => (this.upgradeHeaders = res.headers));
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

  static open(url: string, headers: Record<string, string>, onOpen?: (s: BrowserSocket) => void): Promise<BrowserSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
    const socket = new BrowserSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        onOpen?.(socket);
        resolve(socket);
      });
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first message (already received or coming) that matches. */
  next(match: (m: Json) => boolean, timeoutMs = 10_000): Promise<Json> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${this.received.map((r) => `${r.type}:${r.since ?? ''}-${r.seq ?? ''}`).slice(-10).join(',')}`));
      }, timeoutMs).unref();
    });
  }

  /** The seq its picture is at: the highest of its snapshots and deltas. */
  seq(): number {
    let seq = 0;
    for (const m of this.received) if (m.type === 'snapshot' || m.type === 'delta') seq = Math.max(seq, m.seq);
    return seq;
  }

  close(): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}

describe.skipIf(!!SKIP_REASON)(`three instances behind HAProxy with deploy/haproxy.cfg (issue 19)${SKIP_REASON ? `: skipped, ${SKIP_REASON}` : ''}`, () => {
  const dirs: Array<ReturnType<typeof tempDir>> = [];
  let statsSocket = '';
  let nats: NatsCluster | undefined;
  const instances = new Map<Name, Child>();
  let haproxy: ChildProcess | undefined;
  let haproxyOut = '';
  let lb = '';
  let origin = '';
  const sockets: BrowserSocket[] = [];

  // Whatever happens to the test, no process outlives it.
  const killAll = () => {
    for (const s of sockets) s.close();
    if (haproxy && haproxy.exitCode === null && haproxy.signalCode === null) haproxy.kill('SIGKILL');
    for (const c of instances.values()) if (c.alive()) c.child.kill('SIGKILL');
  };

  beforeAll(async () => {
    process.once('exit', killAll);
    for (let i = 0; i < 4; i++) dirs.push(tempDir(i < 3 ? 'corridor-test-' : 'corridor-haproxy-'));
    statsSocket = path.join(dirs[3].dir, 'admin.sock');
    nats = await startNats();
    const started = await Promise.all(
      NAMES.map((name, i) => startChild(dirs[i].dir, { CORRIDOR_LOG: nats!.url, CORRIDOR_INSTANCE: name, CORRIDOR_ROLE_TTL_S: '2' }).then((c) => instances.set(name, c))),
    );
    expect(started).toHaveLength(3);

    const port = await freePort();
    lb = `http://127.0.0.1:${port}`;
    // What a page served through the balancer sends as its Origin.
    origin = lb;
    const backend = (name: Name) => new URL(instances.get(name)!.url).host;
    haproxy = spawn(HAPROXY!, ['-f', CONFIG, '-db'], {
      cwd: root,
      env: {
        ...process.env,
        CORRIDOR_LB_ADDR: '127.0.0.1',
        CORRIDOR_LB_PORT: String(port),
        CORRIDOR_LB_STATS: statsSocket,
        CORRIDOR_BACKEND_A: backend('a'),
        CORRIDOR_BACKEND_B: backend('b'),
        CORRIDOR_BACKEND_C: backend('c'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => (haproxyOut = (haproxyOut + d.toString()).slice(-8000));
    haproxy.stdout!.on('data', keep);
    haproxy.stderr!.on('data', keep);
    // Ready when its admin socket answers and it has seen all three pass their health check.
    await until(
      async () => {
        if (haproxy!.exitCode !== null) throw new Error(`haproxy exited with ${haproxy!.exitCode}: ${haproxyOut}`);
        try {
          const states = await serverStates(statsSocket);
          return NAMES.every((n) => states[n] === 'UP');
        } catch {
          return false;
        }
      },
      'haproxy to listen with all three instances up',
      15_000,
    );
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    if (haproxy && haproxy.exitCode === null && haproxy.signalCode === null) {
      const exited = new Promise((r) => haproxy!.once('exit', r));
      haproxy.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    await Promise.all([...instances.values()].map((c) => Promise.race([c.stop(), new Promise((r) => setTimeout(r, 5000))])));
    killAll();
    process.removeListener('exit', killAll);
    await nats?.close();
    for (const d of dirs) d.cleanup();
  }, 30_000);

  /** `GET /api/status` through the balancer with its cookie set to `name`: which instance answered, and its figures. */
  async function statusOf(name: Name): Promise<{ instance: string; seq: number; clients: number }> {
    const r = await call(`${lb}/api/status`, { token: ADMIN, headers: { cookie: `corridor_lb=${name}` } });
    expect(r.status, r.text).toBe(200);
    return r.body;
  }

  /** `POST /api/threats` through the balancer, as an operator's browser pinned to `name` would. */
  async function postZone(id: string, name: Name, dx = 0): Promise<{ seq: number; lbCookie?: string }> {
    const r = await call(`${lb}/api/threats`, { token: ADMIN, body: zone(id, dx), headers: { cookie: `corridor_lb=${name}` } });
    expect(r.status, `${id}: ${r.text}`).toBe(201);
    return { seq: r.body.seq, lbCookie: setCookie(r.headers, 'corridor_lb') };
  }

  // The browser under test: its cookies after signing in through the balancer, and its socket.
  let browserCookie = '';
  let home: Name = 'a';
  let socket: BrowserSocket;

  it('keeps a browser\'s HTTP calls and its WebSocket on the instance its cookie names', async () => {
    // The balancer's cookie names the instance it answers for: each goes where its cookie says.
    for (const name of NAMES) expect((await statusOf(name)).instance).toBe(name);

    // Signing in: the server sets the session cookie, the balancer its own beside it.
    const signIn = await call(`${lb}/?token=${ADMIN}`);
    expect(signIn.status).toBe(303);
    const session = setCookie(signIn.headers, 'corridor_session');
    const lbCookie = setCookie(signIn.headers, 'corridor_lb');
    expect(session).toBeDefined();
    expect(NAMES).toContain(lbCookie);
    home = lbCookie as Name;
    browserCookie = `corridor_lb=${home}; corridor_session=${session}`;

    // Its HTTP calls, on the session cookie alone, all reach that instance.
    for (let i = 0; i < 5; i++) {
      const r = await call(`${lb}/api/status`, { headers: { cookie: browserCookie } });
      expect(r.status, r.text).toBe(200);
      expect(r.body.instance).toBe(home);
    }
    // So does its socket: that instance, and no other, counts one more client.
    const before = Object.fromEntries(await Promise.all(NAMES.map(async (n) => [n, (await statusOf(n)).clients] as const)));
    socket = await BrowserSocket.open(lb, { cookie: browserCookie, origin });
    sockets.push(socket);
    await socket.next((m) => m.type === 'snapshot');
    // A valid cookie is not set again (indirect).
    expect(socket.upgradeHeaders['set-cookie']).toBeUndefined();
    for (const n of NAMES) expect((await statusOf(n)).clients).toBe(before[n] + (n === home ? 1 : 0));
  });

  it('streams a write made through another instance to the socket', async () => {
    const other = NAMES.find((n) => n !== home)!;
    const { seq } = await postZone('tz-through-other', other);
    const delta = await socket.next((m) => m.type === 'delta' && m.seq >= seq);
    expect(delta.events.map((e: Json) => e.zone?.id)).toContain('tz-through-other');
    // A cookie write from the browser's own page goes through too (the Host header is kept, so the
    // server sees its own origin).
    const own = await call(`${lb}/api/threats`, { body: zone('tz-own-page', 0.0002), headers: { cookie: browserCookie, origin } });
    expect(own.status, own.text).toBe(201);
    await socket.next((m) => m.type === 'delta' && m.seq >= own.body.seq);
  });

  it('moves a socket whose instance was killed to a live one, which resyncs it without a gap', async () => {
    const lastSeq = socket.seq();
    const dead = instances.get(home)!;
    const live = NAMES.filter((n) => n !== home);

    const t0 = performance.now();
    dead.child.kill('SIGKILL');
    await socket.closed;
    const tClosed = performance.now();

    // Meanwhile, writes through the balancer, some from browsers still pinned to the dead instance:
    // each is sent to a live one and answered (option redispatch), and told its new instance.
    const ids: string[] = [];
    let head = 0;
    for (let i = 0; i < 6; i++) {
      const id = `tz-missed-${i}`;
      const pinned: Name = i % 2 === 0 ? home : live[i % 2];
      const r = await postZone(id, pinned, 0.0003 * (i + 2));
      ids.push(id);
      head = Math.max(head, r.seq);
      if (pinned === home) expect(live).toContain(r.lbCookie);
    }
    const tPosted = performance.now();

    // The browser reconnects through the same address with the cookie it had, asking for what it
    // missed as soon as the socket opens (client/src/net/connection.ts).
    const back = await BrowserSocket.open(lb, { cookie: browserCookie, origin }, (s) => s.send({ type: 'resync', since: lastSeq }));
    sockets.push(back);
    const tOpen = performance.now();
    const resynced = await back.next((m) => m.type === 'delta' && m.since === lastSeq);
    await back.next((m) => (m.type === 'delta' || m.type === 'snapshot') && m.seq >= head);
    const tCaughtUp = performance.now();

    // It landed on a live instance, and the balancer's new cookie names it.
    const moved = (Array.isArray(back.upgradeHeaders['set-cookie']) ? back.upgradeHeaders['set-cookie'] : [])
      .map((line) => /^corridor_lb=([^;]*)/.exec(line)?.[1])
      .find((v) => v !== undefined) as Name | undefined;
    expect(live).toContain(moved);
    expect((await statusOf(moved!)).clients).toBe(1);

    // Exactly the missed events: every seq after lastSeq, once, in order, with the writes made meanwhile.
    const seqs = resynced.events.map((e: Json) => e.seq as number);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => lastSeq + 1 + i));
    expect(resynced.seq).toBe(lastSeq + seqs.length);
    expect(resynced.seq).toBeGreaterThanOrEqual(head);
    expect(resynced.events.filter((e: Json) => e.type === 'threat.upserted').map((e: Json) => e.zone.id)).toEqual(ids);

    // Its picture is at the same seq as both live instances'.
    await until(async () => (await Promise.all(live.map(statusOf))).every((s) => s.seq === back.seq()), 'the live instances and the client to agree on seq');
    expect(back.seq()).toBe(head);

    // And it stays live: the next write arrives as a delta that follows on from it.
    const after = await postZone('tz-after', live[1], 0.003);
    const next = await back.next((m) => m.type === 'delta' && m.seq >= after.seq);
    expect(next.since).toBe(head);

    // The health checks take the dead instance out by themselves (fall 2 at fastinter 0.5 s), and
    // leave the others in.
    await until(async () => (await serverStates(statsSocket))[home] === 'DOWN', `haproxy to mark ${home} down`, 10_000);
    const tDown = performance.now();
    const states = await serverStates(statsSocket);
    for (const n of live) expect(states[n]).toBe('UP');
    // Now marked down, its cookie is ignored at once: no retry, a live instance and a new cookie.
    const stale = await call(`${lb}/api/status`, { headers: { cookie: browserCookie } });
    expect(stale.status, stale.text).toBe(200);
    expect(live).toContain(stale.body.instance);
    expect(setCookie(stale.headers, 'corridor_lb')).toBe(stale.body.instance);
    expect([...socket.violations, ...back.violations]).toEqual([]);

    const ms = (t: number) => `${Math.round(t - t0)} ms`;
    console.log(
      `instance ${home} killed: its socket closed after ${ms(tClosed)}; ${ids.length} writes through the balancer done by ${ms(tPosted)}; ` +
        `the browser reconnected to ${moved} by ${ms(tOpen)} and had caught up (resync of ${seqs.length} events, seq ${lastSeq} → ${resynced.seq}) ${ms(tCaughtUp)} after the kill ` +
        `(${Math.round(tCaughtUp - tPosted)} ms from reconnecting to caught up); haproxy's checks marked ${home} down ${ms(tDown)} after the kill`,
    );
  }, 30_000);

  // Last: it stops the one NATS node (and starts it again). Every live instance then refuses writes
  // itself, and the balancer must keep sending reads to them: /healthz answers 200 `degraded`, not 503.
  it('keeps serving reads through the balancer while NATS is out of reach, and writes again when it is back', async () => {
    const live = NAMES.filter((n) => instances.get(n)!.alive());
    expect(live.length).toBeGreaterThanOrEqual(2);
    const before = await postZone('tz-before-outage', live[0], 0.004);
    const signIn = await call(`${lb}/?token=${ADMIN}`);
    expect(signIn.status).toBe(303);
    const cookie = `corridor_session=${setCookie(signIn.headers, 'corridor_session')}`;
    const failedChecks = async () => {
      const lines = (await adminCommand(statsSocket, 'show stat')).split('\n');
      const header = lines[0].replace(/^# /, '').split(',');
      const chkfail = header.indexOf('chkfail');
      return Object.fromEntries(lines.filter((l) => l.startsWith('corridor,')).map((l) => l.split(',')).filter((f) => live.includes(f[1] as Name)).map((f) => [f[1], f[chkfail]]));
    };
    const node = nats!.nodes[0];
    const t0 = performance.now();
    await node.stop();
    try {
      // A write through the balancer to each live instance is refused by that instance, in its own words
      // (an instance knows the log is out of reach once a commit of its own has failed).
      for (const n of live) {
        let refused: Awaited<ReturnType<typeof call>> | undefined;
        await until(
          async () => {
            const r = await call(`${lb}/api/threats`, { token: ADMIN, body: zone('tz-during-outage', 0.005), headers: { cookie: `corridor_lb=${n}` } });
            if (r.status === 503) refused = r;
            return refused !== undefined;
          },
          `a write through the balancer to ${n} to be refused`,
          40_000,
        );
        expect(refused!.headers.get('content-type')).toMatch(/^application\/json/);
        expect(refused!.body.error.code, refused!.text).toBe('unavailable');
      }
      const tRefused = performance.now();
      // Each says why it is degraded, and answers its health check all the same.
      for (const n of live) {
        const health = await call(`${instances.get(n)!.url}/healthz`);
        expect(health.status).toBe(200);
        expect(health.body.status, health.text).toBe('degraded');
      }
      for (const n of live) expect((await call(`${instances.get(n)!.url}/readyz`)).status).toBe(503);

      // Longer than a check interval (inter 2 s): no check fails, so every live instance stays in.
      const chkfail = await failedChecks();
      const watchUntil = Date.now() + 2_500;
      while (Date.now() < watchUntil) {
        const states = await serverStates(statsSocket);
        for (const n of live) expect(states[n], `${n} while NATS is out: ${JSON.stringify(states)}`).toBe('UP');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await failedChecks()).toEqual(chkfail);

      // Reads through the balancer: the picture as it was, and a new socket with its snapshot.
      const read = await call(`${lb}/api/picture`, { token: ADMIN });
      expect(read.status, read.text).toBe(200);
      expect(read.body.picture.threats['tz-before-outage']).toBeDefined();
      expect(read.body.picture.threats['tz-during-outage']).toBeUndefined();
      const reader = await BrowserSocket.open(lb, { cookie, origin });
      sockets.push(reader);
      const snapshot = await reader.next((m) => m.type === 'snapshot');
      expect(snapshot.seq).toBeGreaterThanOrEqual(before.seq);
      expect(snapshot.picture.threats['tz-before-outage']).toBeDefined();
      const tRead = performance.now();

      // NATS back: writes through the balancer are stored again, and reach the socket opened meanwhile.
      await node.start();
      const tBack = performance.now();
      let stored: Awaited<ReturnType<typeof call>> | undefined;
      await until(
        async () => {
          const r = await call(`${lb}/api/threats`, { token: ADMIN, body: zone('tz-after-outage', 0.006) });
          if (r.status === 201) stored = r;
          return stored !== undefined;
        },
        'writes through the balancer to be stored again',
        20_000,
      );
      const tWrites = performance.now();
      await reader.next((m) => m.type === 'delta' && m.seq >= stored!.body.seq);
      expect(reader.violations).toEqual([]);
      const ms = (t: number) => `${Math.round(t - t0)} ms`;
      console.log(
        `NATS stopped: a write through the balancer to each of ${live.join(', ')} was refused (503 unavailable) by ${ms(tRefused)}; they stayed up in haproxy, ` +
          `and the picture and a socket's snapshot were read through it by ${ms(tRead)}; NATS started again at ${ms(tBack)}, writes stored again by ${ms(tWrites)}`,
      );
    } finally {
      await node.start();
    }
  }, 50_000);
});

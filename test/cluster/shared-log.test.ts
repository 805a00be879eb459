// Several instances on one shared log (issue 19), each a real server on its own port and data folder,
// on a real nats-server started here: the same picture at the same seq, acks only once the stream has
// the event, a retry through another instance stored once, reactors on one instance at a time, a
// restart that catches up, and an engine lost and found again.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import type { Config } from '../../server/config.js';
import { parseAgreement } from '../../server/sharing/agreement.js';
import { call, startTestServer, TestClient } from '../integration/helpers.js';
import { tempDir } from '../server/helpers.js';
import { NATS_SKIP_REASON, startNats, type NatsCluster } from '../nats/harness.js';

const TOKEN = 'cluster-planner-token-0123456789abcdef';
const FIELD = 'cluster-field-token-0123456789abcdef0';

/** Config of one instance of the cluster. */
function instanceConfig(nats: NatsCluster, instance: string): Partial<Config> {
  return { sharedLog: { servers: nats.url.split(','), replicas: 1, instance, roleTtlMs: 1500 } };
}

async function startInstance(nats: NatsCluster, dir: string, instance: string): Promise<RunningServer> {
  const server = await startTestServer(dir, instanceConfig(nats, instance));
  // The same token on every instance (shared tokens have their own test).
  for (const [id, role, token] of [['tk-cluster-planner', 'planner', TOKEN], ['tk-cluster-field', 'field', FIELD]]) {
    try {
      server.tokens.create({ org: 'WFP', role, id, token });
    } catch {
      /* kept from an earlier start */
    }
  }
  return server;
}

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A picture as JSON with its slices' keys in order: two instances' folds compared. */
function pictureText(server: RunningServer): string {
  const p = server.store.picture as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(p).sort()) {
    const v = p[key];
    out[key] = v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v;
  }
  return JSON.stringify(out);
}

const zone = (id: string, dx = 0) => ({
  type: 'Feature',
  properties: { id, severity: 'danger', label: `zone ${id}` },
  geometry: { type: 'Polygon', coordinates: [[[11.9641 + dx, 57.7011], [11.9651 + dx, 57.7011], [11.9651 + dx, 57.7021], [11.9641 + dx, 57.7021], [11.9641 + dx, 57.7011]]] },
});

describe.skipIf(!!NATS_SKIP_REASON)('instances on one shared log (issue 19)', () => {
  const dirs = [tempDir(), tempDir(), tempDir()];
  let nats: NatsCluster;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    nats = await startNats();
    a = await startInstance(nats, dirs[0].dir, 'a');
    b = await startInstance(nats, dirs[1].dir, 'b');
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await nats?.close();
    for (const d of dirs) d.cleanup();
  });

  it('folds everyone\'s updates into the same picture at the same seq on every instance', async () => {
    const sent: Array<Promise<{ status: number; body: any }>> = [];
    for (let i = 0; i < 20; i++) {
      const to = i % 2 === 0 ? a : b;
      sent.push(call(`${to.url}/api/positions`, { token: FIELD, body: { unitId: `U-${i % 5}`, lon: 11.963 + i * 1e-4, lat: 57.701, msgId: `p-${i}` } }));
      if (i % 5 === 0) sent.push(call(`${to.url}/api/threats`, { token: TOKEN, body: zone(`z-${i}`, i * 1e-4) }));
    }
    const answers = await Promise.all(sent);
    for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    const top = Math.max(...answers.map((r) => r.body.seq as number));
    await until(() => a.store.seq >= top && b.store.seq >= top, 'both instances to fold every event');
    await Promise.all([a.store.idle(), b.store.idle()]);
    await until(() => a.store.seq === b.store.seq, 'the same seq');
    expect(pictureText(a)).toBe(pictureText(b));
    expect(Object.keys(a.store.picture.threats).sort()).toEqual(['z-0', 'z-10', 'z-15', 'z-5']);
    // seq is the stream's: every event has its own, with no gap.
    const rows = await a.store.readSince(0, 10_000);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  });

  it('acknowledges only what another instance can already read, and streams it to that instance\'s clients', async () => {
    const watcher = await TestClient.connect(b.url, TOKEN);
    await watcher.next((m) => m.type === 'snapshot');
    const r = await call(`${a.url}/api/threats`, { token: TOKEN, body: zone('z-live') });
    expect(r.status).toBe(201);
    const delta = await watcher.next((m) => m.type === 'delta' && m.seq >= r.body.seq);
    expect(delta.seq).toBeGreaterThanOrEqual(r.body.seq);
    expect(b.store.picture.threats['z-live']).toBeDefined();
    await watcher.close();
  });

  it('signs in at every instance a token made at one of them, and stops it at all once revoked there', async () => {
    const made = a.tokens.create({ org: 'WFP', role: 'viewer' });
    await until(async () => (await call(`${b.url}/api/picture`, { token: made.token })).status === 200, 'the token to work on the other instance', 3000);
    b.tokens.revoke(made.record.id);
    await until(async () => (await call(`${a.url}/api/picture`, { token: made.token })).status === 401, 'the revocation to reach the first instance', 3000);
  });

  it('stores a retry sent through another instance once and answers it with the first seq (P8)', async () => {
    const body = { unitId: 'U-retry', lon: 11.964, lat: 57.702, msgId: 'retry-1', time: new Date().toISOString() };
    const first = await call(`${a.url}/api/positions`, { token: FIELD, body });
    const again = await call(`${b.url}/api/positions`, { token: FIELD, body });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.seq).toBe(first.body.seq);
    const other = await call(`${b.url}/api/positions`, { token: FIELD, body: { ...body, lon: 11.965 } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflict');
    const rows = await b.store.readSince(0, 100_000);
    expect(rows.filter((e) => e.json.includes('"U-retry"'))).toHaveLength(1);
  });

  it('runs the reactors on one instance at a time, and another takes them when it stops', async () => {
    await until(() => a.cluster!.reacting() !== b.cluster!.reacting(), 'one instance to hold the role');
    const convoy = { id: 'cv-one', name: 'Convoy one', origin: [11.963, 57.701], destination: [11.968, 57.703] };
    const made = await call(`${b.url}/api/convoys`, { token: TOKEN, body: convoy });
    expect(made.status, JSON.stringify(made.body)).toBeLessThan(300);
    await until(() => a.store.picture.corridors['cv-one'] !== undefined && b.store.picture.corridors['cv-one'] !== undefined, 'the corridor on both');
    await new Promise((r) => setTimeout(r, 300));
    const rows = await a.store.readSince(0, 100_000);
    const corridorEvents = rows.filter((e) => e.type.startsWith('corridor.') && e.json.includes('"cv-one"'));
    expect(corridorEvents).toHaveLength(1);

    // The holder stops: the other takes the role and its reactors answer the next change.
    const holder = a.cluster!.reacting() ? a : b;
    const other = holder === a ? b : a;
    const dir = holder === a ? dirs[0].dir : dirs[1].dir;
    const name = holder === a ? 'a' : 'b';
    await holder.close();
    await until(() => other.cluster!.reacting(), 'the other instance to take the role', 8000);
    const second = await call(`${other.url}/api/convoys`, { token: TOKEN, body: { ...convoy, id: 'cv-two', name: 'Convoy two' } });
    expect(second.status).toBeLessThan(300);
    await until(() => other.store.picture.corridors['cv-two'] !== undefined, 'the new holder to route the new convoy');

    // The stopped instance comes back on its data folder, catches up from its copy and snapshot, and agrees.
    const back = await startInstance(nats, dir, name);
    if (holder === a) a = back;
    else b = back;
    await until(() => back.store.seq === other.store.seq, 'the restarted instance to catch up');
    expect(back.cluster!.reacting()).toBe(false);
    expect(pictureText(back)).toBe(pictureText(other));
  }, 30_000);

  it('refuses writes with `unavailable` while the engine is out of reach, keeps serving reads, and resumes by itself', async () => {
    const node = nats.nodes[0];
    await node.stop();
    await until(async () => (await call(`${a.url}/api/threats`, { token: TOKEN, body: zone('z-down') })).status === 503, 'writes to be refused');
    const refused = await call(`${a.url}/api/threats`, { token: TOKEN, body: zone('z-down') });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('unavailable');
    const read = await call(`${a.url}/api/picture`, { token: TOKEN });
    expect(read.status).toBe(200);
    expect(read.body.picture.threats['z-live']).toBeDefined();
    await node.start();
    await until(async () => (await call(`${a.url}/api/threats`, { token: TOKEN, body: zone('z-after') })).status === 201, 'writes to resume', 20_000);
    await until(() => b.store.picture.threats['z-after'] !== undefined, 'the other instance to see the write');
  }, 40_000);
});

describe.skipIf(!!NATS_SKIP_REASON)('the sharing agreement on a shared log (issue 19)', () => {
  const tmp = tempDir();
  const agreementText = (version: string) => `
name: cluster-test ${version}
markings: [open]
organisations:
  - { id: admin, kind: civil, defaultMarking: open }
  - { id: WFP, kind: humanitarian, defaultMarking: open }
rules:
  - { kinds: ['*'], markings: ['*'], to: { all: true } }
`;
  let nats: NatsCluster;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    nats = await startNats();
    for (const name of ['a', 'b', 'c']) {
      const file = path.join(tmp.dir, `${name}.yaml`);
      writeFileSync(file, agreementText('v1'));
      servers.push(await startTestServer(path.join(tmp.dir, name), { ...instanceConfig(nats, name), agreementFile: file }, { agreement: parseAgreement(agreementText('v1'), file) }));
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    await nats?.close();
    tmp.cleanup();
  });

  it('puts an agreement reloaded at one instance in force at every instance whose file holds it, and keeps a differing file out', async () => {
    const [a, b, c] = servers;
    writeFileSync(path.join(tmp.dir, 'a.yaml'), agreementText('v2'));
    writeFileSync(path.join(tmp.dir, 'b.yaml'), agreementText('v2'));
    writeFileSync(path.join(tmp.dir, 'c.yaml'), agreementText('v3'));
    const { name } = await a.reloadAgreement!();
    expect(name).toBe('cluster-test v2');
    const nameAt = async (s: RunningServer) => (await call(`${s.url}/api/agreement`, { token: s.adminToken })).body.agreement.name as string;
    await until(async () => (await nameAt(b)) === 'cluster-test v2', 'the other instance to put it in force');
    await until(() => c.store.seq === a.store.seq, 'the third instance to fold the change');
    await new Promise((r) => setTimeout(r, 200));
    expect(await nameAt(c)).toBe('cluster-test v1');
  });
});

// Integration tests of server/auth/token-sync.ts and the token CLI with CORRIDOR_LOG (issue 19): token
// stores in separate data folders sharing one bucket on a real nats-server, over real sockets.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, type KV, type NatsConnection } from 'nats';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, encodeToken } from '../../server/auth/token-record.js';
import { shareTokens, TOKENS_BUCKET, type SharedTokens } from '../../server/auth/token-sync.js';
import { hashToken, TokenStore, tokensFile } from '../../server/auth/tokens.js';
import { freePort, NATS_SKIP_REASON, startNats, type NatsCluster } from '../nats/harness.js';
import { tempDir } from '../server/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** `npm run token` as a child process, with CORRIDOR_LOG and a data folder of its own. */
function cli(env: Record<string, string>, ...args: string[]) {
  return run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'server/cli/token.ts'), ...args], {
    cwd: root,
    env: { ...process.env, CORRIDOR_AGREEMENT: '', ...env },
  });
}

/** Resolves with the ms it took once `check` holds; fails when it does not within `ms`. */
async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

/** One instance's part: a token store in its own folder, its own connection, what it logged. */
interface Instance {
  store: TokenStore;
  shared: SharedTokens;
  nc: NatsConnection;
  logs: Array<{ msg: string; level: number; [k: string]: unknown }>;
  close(): Promise<void>;
}

describe.skipIf(!!NATS_SKIP_REASON)(`tokens shared through NATS JetStream${NATS_SKIP_REASON ? ` (skipped: ${NATS_SKIP_REASON})` : ''}`, () => {
  let nats: NatsCluster;
  let admin: NatsConnection;
  const open: Instance[] = [];
  const folders: Array<ReturnType<typeof tempDir>> = [];

  beforeAll(async () => {
    nats = await startNats();
    admin = await connect({ servers: nats.url });
  });
  afterEach(async () => {
    for (const i of open.splice(0)) await i.close();
    for (const f of folders.splice(0)) f.cleanup();
  });
  afterAll(async () => {
    await admin?.close();
    await nats?.close();
  });

  function folder(): string {
    const f = tempDir('corridor-shared-tokens-');
    folders.push(f);
    return f.dir;
  }

  /** A store in `dir` (opened before sharing, for tokens made there first), then shared through `bucket`. */
  async function instance(bucket: string, dir = folder(), store = new TokenStore(tokensFile(dir))): Promise<Instance> {
    const logs: Instance['logs'] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const nc = await connect({ servers: nats.url });
    const shared = await shareTokens({ nc, tokens: store, logger, bucket });
    const i: Instance = {
      store,
      shared,
      nc,
      logs,
      async close() {
        await shared.close();
        await nc.close();
        store.close();
      },
    };
    open.push(i);
    return i;
  }

  const bucketOf = (name: string): Promise<KV> => admin.jetstream().views.kv(name);

  it('a token created on A verifies on B within 1 s; revoked on B, it stops verifying on A within 1 s', async () => {
    const a = await instance('t_create_revoke');
    const b = await instance('t_create_revoke');
    const { token, record } = a.store.create({ org: 'WFP', role: 'planner' });
    expect(await within(1000, () => b.store.verify(token)?.id === record.id)).toBeLessThan(1000);
    expect(b.store.verify(token)).toMatchObject({ org: 'WFP', role: 'planner' });

    expect(b.store.revoke(record.id)).toBe(true);
    await within(1000, () => a.store.verify(token) === undefined);
    expect(a.store.revokedAmong([record.id])).toEqual([record.id]);
    expect(a.store.list().find((r) => r.id === record.id)?.revoked).toBe(true);
  });

  it('keeps a revocation against an older put of the same record, and writes it back to the bucket', async () => {
    const a = await instance('t_revocation_wins');
    const { token, record } = a.store.create({ org: 'WFP', role: 'viewer' });
    await a.shared.flush();
    const before = a.store.record(record.id)!;
    a.store.revoke(record.id);
    await a.shared.flush();
    // A writer that ignores revisions (an old version, a hand-made put) puts the record as it was.
    const kv = await bucketOf('t_revocation_wins');
    await kv.put(record.id, encodeToken(before));
    // The bucket is mended: its last value is the revoked record again, and A never let the token in.
    await within(1000, async () => {
      const e = await kv.get(record.id);
      const d = e && decodeToken(record.id, e.string());
      return !!d && 'record' in d && d.record.revoked;
    });
    expect(a.store.verify(token)).toBeUndefined();
    // And a store that joins now gets the revocation.
    const c = await instance('t_revocation_wins');
    expect(c.store.record(record.id)?.revoked).toBe(true);
    expect(c.store.verify(token)).toBeUndefined();
  });

  it('puts the records of an older local store on start: hashes, revocations, never the token', async () => {
    const dir = folder();
    const old = new TokenStore(tokensFile(dir));
    const kept = old.create({ org: 'WFP', role: 'planner' });
    const gone = old.create({ org: 'BLUE-BDE', role: 'field', unit: 'PATROL-21' });
    old.revoke(gone.record.id);
    const b = await instance('t_seed');
    const a = await instance('t_seed', dir, old);
    expect(a.logs).toContainEqual(expect.objectContaining({ msg: 'sharing tokens through NATS', seeded: 2 }));

    const kv = await bucketOf('t_seed');
    const keptEntry = await kv.get(kept.record.id);
    expect(decodeToken(kept.record.id, keptEntry!.string())).toEqual({ record: { ...kept.record, hash: hashToken(kept.token) } });
    expect(keptEntry!.string()).not.toContain(kept.token);
    const goneEntry = await kv.get(gone.record.id);
    expect(decodeToken(gone.record.id, goneEntry!.string())).toMatchObject({ record: { unit: 'PATROL-21', revoked: true } });

    // The instance already running takes them too.
    await within(1000, () => b.store.verify(kept.token)?.id === kept.record.id);
    expect(b.store.verify(gone.token)).toBeUndefined();
    expect(b.store.revokedAmong([gone.record.id])).toEqual([gone.record.id]);
  });

  it('skips and logs a bad value in the bucket, and goes on sharing', async () => {
    const a = await instance('t_garbage');
    const b = await instance('t_garbage');
    const kv = await bucketOf('t_garbage');
    await kv.put('tk-garbage', new TextEncoder().encode('crd_not_a_record'));
    await kv.put('tk-wrong', JSON.stringify({ id: 'tk-wrong', hash: hashToken('crd_wrong'), org: 'WFP', role: 'general', createdMs: 1, revoked: false }));
    await kv.put('tk-elsewhere', JSON.stringify({ id: 'tk-admin', hash: hashToken('crd_takeover'), org: 'admin', role: 'admin', createdMs: 9e12, revoked: false }));
    const { token, record } = a.store.create({ org: 'WFP', role: 'viewer' });
    await within(1000, () => b.store.verify(token)?.id === record.id);

    const skipped = (i: Instance) => i.logs.filter((l) => l.msg === 'skipped a bad record in the shared token bucket').map((l) => [l.key, l.reason]);
    for (const i of [a, b]) {
      expect(skipped(i)).toEqual([
        ['tk-garbage', 'not JSON'],
        ['tk-wrong', expect.stringContaining('role is not one of')],
        ['tk-elsewhere', 'id tk-admin is not the key'],
      ]);
      // The value is not in the log: it could be a token put there by mistake.
      expect(JSON.stringify(i.logs)).not.toContain('crd_not_a_record');
      expect(i.store.record('tk-garbage')).toBeUndefined();
      expect(i.store.record('tk-wrong')).toBeUndefined();
      expect(i.store.verify('crd_takeover')).toBeUndefined();
    }
    // A store that joins later reads past them too.
    const c = await instance('t_garbage');
    expect(c.store.verify(token)?.id).toBe(record.id);
    expect(skipped(c)).toHaveLength(3);
  });

  it('the CLI with CORRIDOR_LOG creates a token that verifies on a running shared store, and lists and revokes it from another folder', async () => {
    const server = await instance(TOKENS_BUCKET);
    const env = { CORRIDOR_LOG: nats.url, CORRIDOR_DATA_DIR: folder() };
    const created = await cli(env, 'create', '--org', 'WFP', '--role', 'planner');
    const lines = created.stdout.trim().split('\n');
    const token = lines[lines.length - 1];
    expect(token).toMatch(/^crd_[A-Za-z0-9_-]{43}$/);
    expect(lines[0]).toMatch(/^Created tk-[0-9a-f]{12} for WFP \(planner\)\. It is shown once:$/);
    const id = /(tk-[0-9a-f]+)/.exec(created.stdout)![1];
    await within(1000, () => server.store.verify(token)?.id === id);

    // Another machine, with a data folder of its own: it sees the cluster's tokens, and puts none of
    // its own there (a stray folder on an operator's machine must not spread its tokens).
    const elsewhere = { CORRIDOR_LOG: nats.url, CORRIDOR_DATA_DIR: folder() };
    const stray = new TokenStore(tokensFile(elsewhere.CORRIDOR_DATA_DIR));
    const local = stray.create({ org: 'WFP', role: 'admin' });
    stray.close();
    const listed = await cli(elsewhere, 'list');
    expect(listed.stdout).toContain(`${id}\tWFP\tplanner\t-\t`);
    expect(listed.stdout).not.toContain(token);
    expect(await (await bucketOf(TOKENS_BUCKET)).get(local.record.id)).toBeNull();
    expect(server.store.verify(local.token)).toBeUndefined();
    const revoked = await cli(elsewhere, 'revoke', id);
    expect(revoked.stdout).toBe(`Revoked ${id}\n`);
    await within(1000, () => server.store.verify(token) === undefined);

    // rotate-admin reaches the running store as well.
    const rotated = await cli(elsewhere, 'rotate-admin');
    const admin = rotated.stdout.trim().split('\n').pop()!;
    await within(1000, () => server.store.verify(admin)?.id === 'tk-admin');
  });
});

describe.skipIf(!!NATS_SKIP_REASON)(`tokens shared through a NATS server that goes away${NATS_SKIP_REASON ? ` (skipped: ${NATS_SKIP_REASON})` : ''}`, () => {
  it('keeps a revocation made while the server is down and shares it once the server is back', async () => {
    const nats = await startNats();
    const folders = [tempDir(), tempDir()];
    const stores = folders.map((f) => new TokenStore(tokensFile(f.dir)));
    const ncs = await Promise.all(stores.map(() => connect({ servers: nats.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 })));
    const logger = pino({ level: 'silent' });
    const shared = await Promise.all(stores.map((tokens, i) => shareTokens({ nc: ncs[i], tokens, logger, bucket: 't_outage' })));
    try {
      const [a, b] = stores;
      const { token, record } = a.create({ org: 'WFP', role: 'planner' });
      await within(1000, () => b.verify(token)?.id === record.id);
      await nats.nodes[0].stop();
      a.revoke(record.id);
      await expect(shared[0].flush(300)).rejects.toThrow(/not yet in the shared bucket t_outage/);
      await nats.nodes[0].start();
      await shared[0].flush(15_000);
      await within(15_000, () => b.verify(token) === undefined);
    } finally {
      for (const s of shared) await s.close();
      for (const nc of ncs) await nc.close();
      for (const s of stores) s.close();
      for (const f of folders) f.cleanup();
      await nats.close();
    }
  });
});

describe('npm run token with CORRIDOR_LOG and no NATS server', () => {
  it('stops with exit code 2, naming the URL it could not reach', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const tmp = tempDir();
    try {
      await expect(cli({ CORRIDOR_LOG: url, CORRIDOR_DATA_DIR: tmp.dir }, 'create', '--org', 'WFP', '--role', 'viewer')).rejects.toMatchObject({
        code: 2,
        stdout: '',
        stderr: expect.stringContaining(`cannot reach the NATS server at ${url} (CORRIDOR_LOG)`),
      });
      await expect(cli({ CORRIDOR_LOG: url, CORRIDOR_DATA_DIR: tmp.dir }, 'list')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining(url) });
    } finally {
      tmp.cleanup();
    }
  });
});

// Moving an operation from the embedded log to a shared one (issue 19): a server on SQLite takes updates,
// stops; `npm run log -- to-nats` copies its log into an empty stream; an instance started on the shared
// log with a new data folder folds the same picture at the same seq, and answers a retry of an update
// acknowledged before the move with its first seq.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonical } from '../../bench/cluster-rig.js';
import { unstamped } from '../../server/log/copy-to-stream.js';
import { call, startTestServer } from '../integration/helpers.js';
import { tempDir } from '../server/helpers.js';
import { NATS_SKIP_REASON, startNats, type NatsCluster } from '../nats/harness.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = (env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/log.ts'), 'to-nats'], { cwd: root, env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('the stored JSON of an event without its stamp', () => {
  it('is the body as appended, or the parsed event without seq and time when stored otherwise', () => {
    expect(unstamped(7, 1000, '{"seq":7,"timeMs":1000,"type":"haven.removed","id":"hv-1"}')).toBe('{"type":"haven.removed","id":"hv-1"}');
    expect(unstamped(7, 1000, '{"seq":7,"timeMs":1000}')).toBe('{}');
    expect(unstamped(7, 1000, '{"type":"x","timeMs":1000,"seq":7}')).toBe('{"type":"x"}');
  });
});

describe.skipIf(!!NATS_SKIP_REASON)('an embedded log copied into a shared one', () => {
  const tmp = tempDir();
  let nats: NatsCluster;

  beforeAll(async () => {
    nats = await startNats();
  }, 30_000);

  afterAll(async () => {
    await nats?.close();
    tmp.cleanup();
  });

  it('gives instances on the shared log the same picture at the same seq, and the same answers to retries', async () => {
    const oldDir = path.join(tmp.dir, 'embedded');
    const old = await startTestServer(oldDir);
    const field = 'copy-field-token-0123456789abcdefgh';
    old.tokens.create({ org: 'WFP', role: 'field', id: 'tk-copy-field', token: field });
    const posted: number[] = [];
    const report = (i: number) => ({ unitId: `U-${i % 4}`, lon: 11.963 + i * 1e-4, lat: 57.701, msgId: `m-${i}`, time: new Date(1_796_000_000_000 + i).toISOString() });
    for (let i = 0; i < 30; i++) {
      const r = await call(`${old.url}/api/positions`, { token: field, body: report(i) });
      expect(r.status).toBe(202);
      posted.push(r.body.seq);
    }
    const zone = { type: 'Feature', properties: { id: 'z-old', severity: 'danger' }, geometry: { type: 'Polygon', coordinates: [[[11.9641, 57.7011], [11.9651, 57.7011], [11.9651, 57.7021], [11.9641, 57.7011]]] } };
    expect((await call(`${old.url}/api/threats`, { token: old.adminToken, body: zone })).status).toBe(201);
    await old.store.idle();
    const before = { seq: old.store.seq, text: canonical(old.store.picture) };
    await old.close();

    const copied = await cli({ CORRIDOR_DATA_DIR: oldDir, CORRIDOR_LOG: nats.url });
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toMatch(new RegExp(`Copied ${before.seq} events`));

    const shared = await startTestServer(path.join(tmp.dir, 'shared'), { sharedLog: { servers: [nats.url], replicas: 1, instance: 'a', roleTtlMs: 1500 } });
    try {
      shared.tokens.create({ org: 'WFP', role: 'field', id: 'tk-copy-field', token: field });
      await shared.store.idle();
      const rows = await shared.store.readSince(0, 100_000);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: before.seq }, (_, i) => i + 1));
      expect(shared.store.seq).toBe(before.seq);
      expect(canonical(shared.store.picture)).toBe(before.text);
      expect(shared.store.picture.threats['z-old']).toBeDefined();
      // An update acknowledged before the move, sent again: its first seq, nothing stored.
      const again = await call(`${shared.url}/api/positions`, { token: field, body: report(3) });
      expect(again.status).toBe(202);
      expect(again.body.seq).toBe(posted[3]);
      // The same msgId with other content is still a conflict (its fingerprint came along).
      const other = await call(`${shared.url}/api/positions`, { token: field, body: { ...report(3), lon: 12 } });
      expect(other.status).toBe(409);
    } finally {
      await shared.close();
    }

    // A stream that holds events already is not copied into.
    const twice = await cli({ CORRIDOR_DATA_DIR: oldDir, CORRIDOR_LOG: nats.url });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/already holds \d+ events; a log is copied into an empty stream only/);
  }, 60_000);
});

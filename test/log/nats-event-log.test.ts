// The EventLog contract (event-log.contract.ts) held against the shared log on a real nats-server (issue
// 19): each data folder a stream of its own, so every case starts from seq 1 as on SQLite.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { databaseFile } from '../../server/log/event-log.js';
import { NatsEventLog } from '../../server/log/nats-log.js';
import { silentLogger } from '../server/helpers.js';
import { NATS_SKIP_REASON, startNats, type NatsCluster } from '../nats/harness.js';
import { eventLogContract } from './event-log.contract.js';

describe.skipIf(!!NATS_SKIP_REASON)('the shared log on NATS JetStream', () => {
  let nats: NatsCluster;
  beforeAll(async () => {
    nats = await startNats();
  }, 30_000);
  afterAll(async () => {
    await nats?.close();
  });
  eventLogContract('NATS JetStream with a SQLite copy', (dir) =>
    NatsEventLog.open({ servers: [nats.url], mirrorFile: databaseFile(dir), stream: `T${createHash('sha1').update(dir).digest('hex').slice(0, 12).toUpperCase()}`, instance: 'contract', logger: silentLogger }),
  );
});

// The shared log's faults, measured (issue 19), the short version of `npm run bench:cluster`: a
// three-node NATS cluster holding the stream in three copies (R3), three server instances, field senders
// posting across them at a steady rate; the stream's leader node is killed partway. Every acknowledged
// update must be in the log once, and every instance must hold the same picture afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLog, offerLoad, pictures, startRig, type Rig } from '../../bench/cluster-rig.js';
import { NATS_SKIP_REASON, streamLeader } from '../nats/harness.js';

describe.skipIf(!!NATS_SKIP_REASON)('the stream leader dies under load (issue 19)', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ natsNodes: 3, instances: 3, replicas: 3 });
  }, 90_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('loses and duplicates no acknowledged update, and every instance ends with the same picture', async () => {
    const urls = rig.instances.map((i) => i.child.url);
    let killed: string | undefined;
    let killedAt = 0;
    const result = await offerLoad({
      urls,
      ratePerS: 1500,
      durationS: 10,
      during: async (elapsedMs) => {
        if (killed || elapsedMs < 3000) return;
        killed = 'pending';
        const leader = await streamLeader(rig.nats, 'CORRIDOR');
        if (!leader) throw new Error('the stream has no leader to kill');
        killedAt = elapsedMs;
        killed = leader.name;
        await leader.kill();
      },
    });
    const all = await pictures(urls);
    const log = checkLog(rig.instances[0].dir, result.acks);
    const shown = { offered: result.offered, acked: result.acked, retries: result.retries, unacked: result.unacked, lost: log.lost.length, duplicated: log.duplicated.length, stallS: result.longestStallMs / 1000, killed, killedAtS: killedAt / 1000 };
    console.log(`leader kill under load: ${JSON.stringify(shown)}`);
    expect(killed).toMatch(/^n\d$/);
    expect(result.unacked).toBe(0);
    expect(result.acked).toBe(result.offered);
    expect(log.lost).toEqual([]);
    expect(log.duplicated).toEqual([]);
    for (const p of all) expect(p.seq).toBe(all[0].seq);
    for (const p of all.slice(1)) expect(p.text === all[0].text).toBe(true);
  }, 120_000);
});

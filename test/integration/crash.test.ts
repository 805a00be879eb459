// Crash test (test/integration): a server child process is killed with SIGKILL in the middle of a
// stream of acknowledged positions; after a restart every acknowledged msgId is in the log (P3).
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../server/helpers.js';
import { CHILD_ADMIN as ADMIN, startChild, type Child } from './child.js';
import { call, TestClient } from './helpers.js';

describe('kill -9 mid-stream', () => {
  const tmp = tempDir();
  const children: Child['child'][] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    tmp.cleanup();
  });

  it('P3: loses no acknowledged update', async () => {
    const first = await startChild(tmp.dir);
    children.push(first.child);
    const client = await TestClient.connect(first.url, ADMIN);
    const acked = new Set<string>();
    client.ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'ack') acked.add(m.msgId);
    });
    client.ws.on('error', () => {});
    // Keep up to 200 positions in flight; kill the server once 3000 are acked, while more are coming.
    let sent = 0;
    let inFlightAtKill = 0;
    await new Promise<void>((resolve) => {
      const pump = () => {
        if (client.ws.readyState !== client.ws.OPEN) return resolve();
        while (sent - acked.size < 200) {
          client.send({ type: 'position', msgId: `k-${sent}`, unitId: `k${sent % 50}`, lon: 11.96 + (sent % 100) / 10_000, lat: 57.7 });
          sent++;
        }
        if (acked.size >= 3000) {
          inFlightAtKill = sent - acked.size;
          first.child.kill('SIGKILL');
          return resolve();
        }
        setImmediate(pump);
      };
      pump();
    });
    await new Promise((r) => first.child.once('exit', r));
    expect(first.child.signalCode).toBe('SIGKILL');
    // Acks that were already on their way when the signal landed count too: they promised durability.
    const ackedAtKill = new Set(acked);
    expect(ackedAtKill.size).toBeGreaterThanOrEqual(3000);
    expect(inFlightAtKill).toBeGreaterThan(0); // killed mid-stream, with updates unanswered

    const second = await startChild(tmp.dir);
    children.push(second.child);
    const stored = new Set<string>();
    for (let since = 0; ; ) {
      const page = (await call(`${second.url}/api/events?since=${since}&limit=10000`, { token: ADMIN })).body;
      if (page.events.length === 0) break;
      for (const e of page.events) if (e.msgId) stored.add(e.msgId);
      since = page.events[page.events.length - 1].seq;
    }
    const lost = [...ackedAtKill].filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});

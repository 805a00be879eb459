// Fuzzing (short version; `npm run fuzz` runs it long): thousands of broken, random and hostile
// messages over the WebSocket and HTTP against a real server process. Every one is answered, with a
// code of the contract (never `internal`), the connection stays open, and the server keeps answering.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../server/helpers.js';
import { CONTRACT_CODES, fuzzMessage, fuzzRequest } from '../fuzz/messages.js';
import { CHILD_ADMIN as ADMIN, startChild, type Child } from './child.js';
import { call, TestClient } from './helpers.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 3000);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 300);
console.info(`fuzz: fast-check seed ${SEED} (FC_SEED=${SEED} to replay), ${MESSAGES} messages, ${REQUESTS} requests`);

describe('fuzzed input against a real server process', () => {
  const tmp = tempDir();
  let server: Child;
  beforeAll(async () => {
    server = await startChild(tmp.dir, { CORRIDOR_TOKEN_RATE: '10000000' });
  });
  afterAll(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it(`answers each of ${MESSAGES} fuzzed WebSocket messages with an ack, a pong or a contract error, on one connection`, async () => {
    const messages = fc.sample(fuzzMessage, { seed: SEED, numRuns: MESSAGES });
    const c = await TestClient.connect(server.url, ADMIN, { stream: 'none' });
    let closed = false;
    c.ws.on('close', () => (closed = true));
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      c.ws.send(m);
      if (i % 200 === 199) await waitFor(() => c.received.length >= i - 100, 20_000, 'answers keep coming');
    }
    await waitFor(() => c.received.length >= messages.length, 60_000 + messages.length, `answers to all ${messages.length} messages`);
    expect(closed).toBe(false);
    expect(c.received).toHaveLength(messages.length);
    const bad = c.received.filter((m) => !(m.type === 'ack' || m.type === 'pong' || (m.type === 'error' && CONTRACT_CODES.has(m.code) && typeof m.message === 'string')));
    expect(bad).toEqual([]);
    await c.close();
    expect(server.alive(), server.stderr()).toBe(true);
  });

  it(`answers each of ${REQUESTS} fuzzed HTTP requests with contract JSON`, async () => {
    const requests = fc.sample(fuzzRequest, { seed: SEED + 1, numRuns: REQUESTS });
    for (const r of requests) {
      const answer = await call(`${server.url}${r.path}`, { token: ADMIN, method: r.method, raw: typeof r.body === 'string' ? r.body : r.body.toString('latin1'), headers: { 'content-type': 'application/json' } });
      if (answer.status >= 400) {
        expect(answer.status, `${r.method} ${r.path}`).toBeLessThan(500);
        expect(CONTRACT_CODES.has(answer.body?.error?.code), `${r.method} ${r.path} ${answer.text.slice(0, 200)}`).toBe(true);
      }
    }
    expect((await call(`${server.url}/healthz`)).body).toEqual({ status: 'ok' });
  });
});

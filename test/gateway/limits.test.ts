// Tests of the per-token limits (server/gateway/limits.ts, P15): the token bucket under an injected clock, and open sockets per token.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter, SocketCounter } from '../../server/gateway/limits.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`gateway limits property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);
const RUNS = { seed: SEED, numRuns: 300 };

/** A clock the test moves by hand, ms. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The number of buckets held: sweep() is only observable in the memory it frees. */
const bucketCount = (r: RateLimiter) => (r as unknown as { buckets: Map<string, unknown> }).buckets.size;

/** Takes 1 until refused; how many were taken. */
function drain(r: RateLimiter, key: string, max = 1_000_000): number {
  let n = 0;
  while (n < max && r.take(key).ok) n++;
  return n;
}

describe('RateLimiter (P15)', () => {
  it('allows a burst of 2 × rate at once, then refuses with a retryAfterMs that is right', () => {
    const c = clock();
    const r = new RateLimiter(10, c.now);
    for (let i = 0; i < 20; i++) expect(r.take('t')).toEqual({ ok: true });
    const refused = r.take('t');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.retryAfterMs).toBe(100); // one unit comes back every 100 ms at 10/s
    c.advance(refused.retryAfterMs - 1);
    expect(r.take('t').ok).toBe(false);
    c.advance(1);
    expect(r.take('t')).toEqual({ ok: true });
  });

  it('says how long for a larger cost too, and that cost then goes through', () => {
    const c = clock();
    const r = new RateLimiter(100, c.now);
    expect(r.take('t', 200).ok).toBe(true);
    const refused = r.take('t', 50);
    expect(refused).toEqual({ ok: false, retryAfterMs: 500 });
    c.advance(500);
    expect(r.take('t', 50)).toEqual({ ok: true });
    expect(r.take('t').ok).toBe(false);
  });

  it('refills in proportion to the time passed, up to 2 × rate', () => {
    const c = clock();
    const r = new RateLimiter(10, c.now);
    expect(drain(r, 't')).toBe(20);
    c.advance(500);
    expect(drain(r, 't')).toBe(5);
    c.advance(1000);
    expect(drain(r, 't')).toBe(10);
    c.advance(60_000); // a minute idle fills the bucket, no more
    expect(drain(r, 't')).toBe(20);
  });

  it('a refused take takes nothing', () => {
    const c = clock();
    const r = new RateLimiter(10, c.now);
    expect(r.take('t', 15).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect(r.take('t', 6).ok).toBe(false);
    expect(r.take('t', 5)).toEqual({ ok: true });
    expect(r.take('t').ok).toBe(false);
  });

  it('keeps keys independent', () => {
    const c = clock();
    const r = new RateLimiter(10, c.now);
    expect(drain(r, 'a')).toBe(20);
    expect(r.take('a').ok).toBe(false);
    expect(drain(r, 'b')).toBe(20);
    c.advance(100);
    expect(drain(r, 'a')).toBe(1);
    expect(drain(r, 'b')).toBe(1);
  });

  it('sweep() forgets full buckets only', () => {
    const c = clock();
    const r = new RateLimiter(10, c.now);
    r.take('full', 0);
    r.take('busy', 20);
    r.take('part', 5);
    expect(bucketCount(r)).toBe(3);
    r.sweep();
    expect(bucketCount(r)).toBe(2); // 'full' is gone
    // A bucket still refilling keeps what was taken from it (forgetting it would hand out a full one).
    expect(r.take('busy').ok).toBe(false);
    c.advance(500); // part: 15 + 5 = 20, full again; busy: 5
    r.sweep();
    expect(bucketCount(r)).toBe(1);
    expect(drain(r, 'busy')).toBe(5);
    // A forgotten key starts again with a full bucket.
    expect(drain(r, 'full')).toBe(20);
  });

  it('seed case: rate 10, take 5, wait 315 ms, a take of 19 is refused and goes through after retryAfterMs (at most 1 ms late)', () => {
    const c = clock();
    const r = new RateLimiter(10, c.now);
    r.take('k', 5);
    c.advance(315); // 18.15 units
    const refused = r.take('k', 19);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect([85, 86]).toContain(refused.retryAfterMs);
    c.advance(refused.retryAfterMs);
    expect(r.take('k', 19)).toEqual({ ok: true });
  });

  it('RateLimiter.error gives code rate_limited and the wait in seconds', () => {
    const e = RateLimiter.error(5000, 1234);
    expect(e.code).toBe('rate_limited');
    expect(e.path).toBe('');
    expect(e.message).toContain('5000 updates a second');
    expect(e.message).toContain('1.3 s');
  });

  it('P15: a cost above 2 × rate can never go through, and is told so (retryAfterMs Infinity), taking nothing', () => {
    // The bucket never holds more than 2 × rate, so such a take would break the rate guarantee (the
    // property below); the gateway tells the sender to send smaller batches instead.
    const c = clock();
    const r = new RateLimiter(100, c.now);
    expect(r.take('t', 999)).toEqual({ ok: false, retryAfterMs: Infinity });
    c.advance(60_000);
    expect(r.take('t', 999)).toEqual({ ok: false, retryAfterMs: Infinity });
    expect(r.take('t', 200)).toEqual({ ok: true });
  });
});

describe('RateLimiter (property)', () => {
  const rate = fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0.1, max: 1000, noNaN: true }));
  const steps = (r: number) =>
    fc.array(fc.record({ advanceMs: fc.integer({ min: 0, max: 3000 }), cost: fc.integer({ min: 0, max: Math.ceil(3 * r) }) }), { maxLength: 60 });

  it('P15: over any steps, the cost accepted never exceeds 2 × rate + rate × elapsed / 1000', () => {
    fc.assert(
      fc.property(rate.chain((r) => fc.tuple(fc.constant(r), steps(r))), ([r, list]) => {
        const c = clock();
        const limiter = new RateLimiter(r, c.now);
        let accepted = 0;
        let elapsed = 0;
        for (const { advanceMs, cost } of list) {
          c.advance(advanceMs);
          elapsed += advanceMs;
          if (limiter.take('k', cost).ok) accepted += cost;
          expect(accepted).toBeLessThanOrEqual(2 * r + (r * elapsed) / 1000 + 1e-6);
        }
      }),
      RUNS,
    );
  });

  it('P15: after any history, a refused take of at most 2 × rate goes through after retryAfterMs, and not 2 ms sooner', () => {
    fc.assert(
      fc.property(
        rate.chain((r) =>
          fc.tuple(fc.constant(r), steps(r), fc.integer({ min: 0, max: 3000 }), fc.double({ min: 0, max: 1, noNaN: true })),
        ),
        ([r, history, waitMs, share]) => {
          const cost = Math.max(1, Math.floor(share * 2 * r));
          fc.pre(cost <= 2 * r);
          // Two limiters with the same history: one waits retryAfterMs, the other 1 ms less.
          const run = () => {
            const c = clock();
            const limiter = new RateLimiter(r, c.now);
            for (const { advanceMs, cost: k } of history) {
              c.advance(advanceMs);
              limiter.take('k', k);
            }
            c.advance(waitMs);
            return { c, limiter };
          };
          const a = run();
          const refused = a.limiter.take('k', cost);
          if (refused.ok) return;
          expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1);
          expect(Number.isInteger(refused.retryAfterMs)).toBe(true);
          a.c.advance(refused.retryAfterMs);
          expect(a.limiter.take('k', cost)).toEqual({ ok: true });
          // Rounding up in floating point may make the answer 1 ms long, never 2.
          if (refused.retryAfterMs > 2) {
            const b = run();
            b.c.advance(refused.retryAfterMs - 2);
            expect(b.limiter.take('k', cost).ok).toBe(false);
          }
        },
      ),
      RUNS,
    );
  });
});

describe('SocketCounter (P15)', () => {
  it('acquires up to max, refuses beyond, and release frees one', () => {
    const s = new SocketCounter(3);
    expect([s.acquire('t'), s.acquire('t'), s.acquire('t')]).toEqual([true, true, true]);
    expect(s.acquire('t')).toBe(false);
    expect(s.count('t')).toBe(3);
    s.release('t');
    expect(s.count('t')).toBe(2);
    expect(s.acquire('t')).toBe(true);
    expect(s.acquire('t')).toBe(false);
  });

  it('counts per key', () => {
    const s = new SocketCounter(2);
    expect(s.acquire('a')).toBe(true);
    expect(s.acquire('a')).toBe(true);
    expect(s.acquire('a')).toBe(false);
    expect(s.acquire('b')).toBe(true);
    expect(s.count('a')).toBe(2);
    expect(s.count('b')).toBe(1);
    expect(s.count('c')).toBe(0);
  });

  it('never counts below zero: releasing more than acquired leaves the key at 0', () => {
    const s = new SocketCounter(1);
    s.release('t');
    expect(s.count('t')).toBe(0);
    expect(s.acquire('t')).toBe(true);
    s.release('t');
    s.release('t');
    expect(s.count('t')).toBe(0);
    expect(s.acquire('t')).toBe(true);
    expect(s.acquire('t')).toBe(false);
  });
});

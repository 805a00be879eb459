// Limits per token (server/gateway, P15): updates per second and open sockets, so one token, or
// one stolen token, cannot take the server from everyone else.
import type { ProtocolError } from '@corridor/protocol';

/** The per-token limits (configurable, see config.ts and the README). */
export interface TokenLimits {
  /** Updates per second a token may send, sustained; a burst of twice that is allowed. */
  ratePerS: number;
  /** Sockets (WebSocket, and later other streams) a token may hold open at once. */
  maxSockets: number;
}

export const DEFAULT_TOKEN_LIMITS: TokenLimits = { ratePerS: 5000, maxSockets: 64 };

/**
 * What a request costs against its token's rate, in updates (P15), in proportion to the work it makes
 * the server do: a position report is one; a message one per KiB (a zone of 250 KiB is 250, so a token
 * cannot grow the picture by gigabytes a second at the same rate as it reports positions); requests that
 * serialise the picture or read the log as many as that work is worth.
 */
export const COST = {
  /** A message or HTTP body of `bytes`. */
  message: (bytes: number) => Math.max(1, Math.ceil(bytes / 1024)),
  /** A WebSocket upgrade: a snapshot of the picture for a picture socket. */
  upgrade: 100,
  /** A `resync`: up to 10,000 events read from the log, or a snapshot. */
  resync: 500,
  /** `GET /api/picture`, `/api/convoys`: the picture serialised. */
  picture: 100,
  /** `GET /api/events?limit=N`: N rows read. */
  events: (limit: number) => 1 + Math.ceil(limit / 10),
  /** `GET /api/route`: a search over the road graph. */
  route: 20,
  /** Any other request. */
  request: 1,
} as const;

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * A token bucket per key: `ratePerS` units come back each second up to `2 × ratePerS`. Synchronous
 * and allocation-free after a key's first use, since it is on every message's path.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;

  constructor(
    private readonly ratePerS: number,
    private readonly now: () => number = Date.now,
  ) {
    this.capacity = 2 * ratePerS;
  }

  /**
   * Takes `cost` units from `key`'s bucket; on refusal nothing is taken and the answer says when
   * enough will be back, ms from now: Infinity for a cost above the bucket's `2 × ratePerS`, which
   * could only go through by breaking the rate.
   */
  take(key: string, cost = 1): { ok: true } | { ok: false; retryAfterMs: number } {
    if (cost > this.capacity) return { ok: false, retryAfterMs: Infinity };
    const nowMs = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.capacity, atMs: nowMs };
      this.buckets.set(key, b);
    } else if (nowMs > b.atMs) {
      b.tokens = Math.min(this.capacity, b.tokens + ((nowMs - b.atMs) * this.ratePerS) / 1000);
      b.atMs = nowMs;
    }
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { ok: true };
    }
    const missing = cost - b.tokens;
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((missing * 1000) / this.ratePerS)) };
  }

  /** Forgets buckets that have filled up again (idle keys), so the map does not grow with every token ever seen. */
  sweep(): void {
    const nowMs = this.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((nowMs - b.atMs) * this.ratePerS) / 1000 >= this.capacity) this.buckets.delete(key);
    }
  }

  /** The error of a refused take. */
  static error(ratePerS: number, retryAfterMs: number): ProtocolError {
    return {
      code: 'rate_limited',
      message: `this token sends more than ${ratePerS} updates a second; the message was not accepted: send it again in ${Math.ceil(retryAfterMs / 100) / 10} s`,
      path: '',
    };
  }
}

/** Open sockets per key, up to a maximum. */
export class SocketCounter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts one more socket for `key`, or refuses when it has `max` already. */
  acquire(key: string): boolean {
    const n = this.open.get(key) ?? 0;
    if (n >= this.max) return false;
    this.open.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = (this.open.get(key) ?? 1) - 1;
    if (n <= 0) this.open.delete(key);
    else this.open.set(key, n);
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}

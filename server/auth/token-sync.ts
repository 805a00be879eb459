// Access tokens shared by every instance (server/auth, issue 19): a TokenStore's own writes go to a NATS
// JetStream key-value bucket, and every record of the bucket, now and later, comes into the store, so a
// token made or revoked on one instance (or with `npm run token`) works or stops on all of them within a
// second, while `verify` and `revokedAmong` stay local, synchronous lookups.
//
// - Key: the token id; value: encodeToken (the hash, never the token).
// - Every put is a compare-and-set on the key's last revision, of the bucket's record merged with ours
//   (mergeTokens), so the bucket only moves forward: a revocation is never overwritten by a put made
//   from an older record, whichever instance loses the race.
// - A write that cannot reach the bucket is kept and tried again until it does; `flush` waits for it.
import { Events, type KV, type KvEntry, type NatsConnection, type QueuedIterator } from 'nats';
import type { Logger } from 'pino';
import { decodeToken, encodeToken, mergeTokens, sameToken, TOKEN_ID, type StoredToken } from './token-record.js';
import type { TokenStore } from './tokens.js';

/** The bucket's name unless told otherwise. */
export const TOKENS_BUCKET = 'corridor_tokens';

/** Values kept per key, so an operator can see a token's changes (`nats kv history`). */
const HISTORY = 5;
/** How long the start waits for the bucket's records to arrive, ms. */
const READY_WAIT_MS = 10_000;
/** How long the start waits for the local records the bucket lacked to be put, ms. */
const SEED_WAIT_MS = 10_000;
/** How long `flush` waits by default, and `close` at most, ms. */
const FLUSH_WAIT_MS = 10_000;
const CLOSE_WAIT_MS = 2_000;
/** Pause before a failed put is tried again, doubling up to the maximum, ms. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;
/** Compare-and-set attempts of one put before it counts as failed (and waits its turn to retry). */
const CAS_TRIES = 10;
/** JetStream's "wrong last sequence": another writer changed the key since we read it. */
const WRONG_LAST_SEQUENCE = 10071;

export interface ShareTokensOptions {
  /** A connection to the cluster; the caller opens and closes it. */
  nc: NatsConnection;
  tokens: TokenStore;
  logger: Logger;
  /** Copies of the bucket across the cluster's nodes when this call creates it (default 1); as the log's. */
  replicas?: number;
  /** The bucket's name (default {@link TOKENS_BUCKET}). */
  bucket?: string;
  /**
   * Whether to put the local records the bucket lacks or holds older (default true: an instance's start).
   * False for the CLI, which puts only its own changes, so that a stray data folder on an operator's
   * machine cannot spread its tokens (or its admin token) to the cluster.
   */
  seed?: boolean;
}

export interface SharedTokens {
  /** Resolves once every local write so far is in the bucket; rejects after `timeoutMs` (default 10 s). */
  flush(timeoutMs?: number): Promise<void>;
  /** Stops sharing: waits a little for writes in flight, stops following the bucket. Leaves `nc` open. */
  close(): Promise<void>;
}

/**
 * Shares `tokens` through the bucket. Resolves once the bucket's records are in the local store and the
 * local records the bucket lacked (an instance with older tokens of its own) are in the bucket. Rejects
 * when the bucket cannot be opened or read. Close it before the TokenStore.
 * @example const shared = await shareTokens({ nc, tokens, logger, replicas: 3 }); … await shared.close();
 */
export async function shareTokens(opts: ShareTokensOptions): Promise<SharedTokens> {
  const { nc, tokens } = opts;
  const seed = opts.seed ?? true;
  const bucket = opts.bucket ?? TOKENS_BUCKET;
  const logger = opts.logger.child({ part: 'token-sync', bucket });
  const kv: KV = await nc.jetstream().views.kv(bucket, { history: HISTORY, replicas: opts.replicas ?? 1 });

  /** Ids whose local record may hold something the bucket lacks. */
  const pending = new Set<string>();
  const drained = new Set<() => void>();
  let draining = false;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let lastError: Error | undefined;

  const send = (id: string): void => {
    pending.add(id);
    drain();
  };

  /** Puts the pending records one after the other; on a failure, tries again later from there. */
  function drain(): void {
    if (draining || closed) return;
    clearTimeout(retryTimer);
    draining = true;
    void (async () => {
      while (pending.size > 0 && !closed) {
        const id = pending.values().next().value as string;
        pending.delete(id);
        try {
          await put(id);
        } catch (err) {
          pending.add(id);
          lastError = err as Error;
          logger.warn({ err, tokenId: id, retryMs }, 'a token change could not be written to the shared bucket; trying again');
          retryTimer = setTimeout(drain, retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
          break;
        }
      }
      draining = false;
      if (pending.size === 0) {
        retryMs = RETRY_MIN_MS;
        lastError = undefined;
        for (const done of drained) done();
      }
    })();
  }

  /** Compare-and-set of the bucket's record for `id`, merged with the local one. */
  async function put(id: string): Promise<void> {
    const local = tokens.record(id);
    if (!local) return;
    if (!TOKEN_ID.test(id)) {
      logger.warn({ tokenId: id }, 'a token whose id cannot be a key of the bucket is not shared');
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const entry = await kv.get(id);
      const decoded = entry?.operation === 'PUT' ? decodeToken(id, entry.string()) : undefined;
      const current = decoded && 'record' in decoded ? decoded.record : undefined;
      const merged = current ? mergeTokens(current, local) : local;
      if (current && sameToken(merged, current)) return;
      try {
        // A deleted key or a bad value has a revision too: replace it, still only if nobody wrote meanwhile.
        if (entry) await kv.update(id, encodeToken(merged), entry.revision);
        else await kv.create(id, encodeToken(merged));
        return;
      } catch (err) {
        if ((err as { api_error?: { err_code?: number } }).api_error?.err_code !== WRONG_LAST_SEQUENCE || attempt >= CAS_TRIES) throw err;
      }
    }
  }

  function flush(timeoutMs = FLUSH_WAIT_MS): Promise<void> {
    if (pending.size === 0 && !draining) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        drained.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        drained.delete(done);
        reject(new Error(`token changes not yet in the shared bucket ${bucket} after ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`));
      }, timeoutMs);
      drained.add(done);
    });
  }

  /** Keys the bucket had or got, so that the start knows which local records it lacks. */
  const seen = new Set<string>();

  /** Takes one entry of the bucket into the local store. Never throws: a bad record is logged and skipped. */
  function take(e: KvEntry): void {
    seen.add(e.key);
    if (e.operation !== 'PUT') {
      // Tokens are revoked, never deleted; put back the local record so the bucket stays complete.
      logger.warn({ key: e.key, operation: e.operation }, 'a token was deleted from the shared bucket; revoke tokens instead (npm run token -- revoke)');
      if (seed && tokens.record(e.key)) send(e.key);
      return;
    }
    const decoded = decodeToken(e.key, e.string());
    if ('error' in decoded) {
      // The value is not logged: it could be a token put there by mistake.
      logger.warn({ key: e.key, revision: e.revision, bytes: e.length, reason: decoded.error }, 'skipped a bad record in the shared token bucket');
      if (seed && tokens.record(e.key)) send(e.key);
      return;
    }
    try {
      const outcome = tokens.apply(decoded.record);
      if (outcome === 'kept-local' && seed) send(e.key);
      else if (outcome === 'applied') logger.debug({ tokenId: e.key, revoked: decoded.record.revoked }, 'token record taken from the shared bucket');
    } catch (err) {
      logger.warn({ err, key: e.key, revision: e.revision }, 'could not take a record of the shared token bucket into the local store');
    }
  }

  const offWrite = tokens.onWrite((record: StoredToken) => send(record.id));

  // The bucket's last revision now: the watch has delivered every record there is once it reaches it.
  const { state } = (await kv.status()).streamInfo;
  let ready!: () => void;
  const loaded = new Promise<void>((resolve) => (ready = resolve));
  if (state.messages === 0) ready();

  let watch: QueuedIterator<KvEntry> | undefined = await kv.watch({ key: '>' });
  const following = (async () => {
    while (!closed) {
      if (watch) {
        try {
          for await (const e of watch) {
            take(e);
            if (e.revision >= state.last_seq) ready();
          }
        } catch (err) {
          if (!closed) logger.error({ err }, 'following the shared token bucket failed');
        }
        watch = undefined;
        if (closed) return;
        if (nc.isClosed()) {
          logger.error('the NATS connection is closed: token changes made elsewhere no longer arrive');
          return;
        }
      }
      // Following again from every key's last value is harmless: taking a record twice changes nothing.
      try {
        watch = await kv.watch({ key: '>' });
        if (closed) watch.stop();
      } catch (err) {
        logger.error({ err }, 'could not follow the shared token bucket; trying again');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();

  // After a reconnection the watch's consumer may be gone with the server that held it; the client would
  // notice only after missed heartbeats (about 10 s), so follow afresh at once, and retry waiting puts.
  const statuses = nc.status();
  void (async () => {
    for await (const s of statuses) {
      if (s.type !== Events.Reconnect || closed) continue;
      logger.info('reconnected to NATS; following the shared token bucket afresh');
      watch?.stop();
      drain();
    }
  })();

  async function close(): Promise<void> {
    if (closed) return;
    offWrite();
    try {
      await flush(CLOSE_WAIT_MS);
    } catch (err) {
      logger.warn({ err, tokenIds: [...pending] }, 'closing with token changes not written to the shared bucket');
    }
    closed = true;
    clearTimeout(retryTimer);
    // Typed as a plain AsyncIterable, it is a QueuedIterator: stopping it removes the listener from nc.
    (statuses as Partial<QueuedIterator<unknown>>).stop?.();
    watch?.stop();
    await following;
  }

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      loaded,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the shared token bucket ${bucket} did not deliver its records in ${READY_WAIT_MS / 1000} s`)), READY_WAIT_MS);
      }),
    ]);
  } catch (err) {
    await close();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  let seeded = 0;
  for (const r of seed ? tokens.records() : []) {
    if (!seen.has(r.id)) {
      send(r.id);
      seeded++;
    }
  }
  try {
    await flush(SEED_WAIT_MS);
  } catch (err) {
    logger.warn({ err }, 'local tokens the shared bucket lacked are not all in it yet; still trying');
  }
  logger.info({ tokens: tokens.records().length, seeded }, 'sharing tokens through NATS');
  return { flush, close };
}

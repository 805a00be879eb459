// The reactors' role on a shared log (issue 19): the router's recomputations, expiry, convoy tracking,
// notices and the exercise must happen once per change, not once per instance. One instance holds the
// role at a time, by a lease in a JetStream key-value bucket whose entries expire: the holder renews it,
// and when it dies the key expires and another instance takes it. A holder that cannot renew gives the
// role up before its lease can have expired, so two instances never react at once by the clock; what two
// did start across a hand-over is stored once (the entries' Nats-Msg-Id, nats-log.ts).
import type { JetStreamClient, KV } from 'nats';
import type { Logger } from 'pino';

export interface RoleOptions {
  js: JetStreamClient;
  /** This instance's name, the lease's value. */
  instance: string;
  logger: Logger;
  /** How long a lease lives without renewal, ms (default 6 s): how soon a dead holder's role is taken. */
  ttlMs?: number;
  /** Copies of the bucket (as the stream's). */
  replicas?: number;
  /** Called when this instance takes the role; the next change of role waits for it. */
  onGain(): Promise<void>;
  /** Called when this instance gives the role up (or lost it). */
  onLose(): Promise<void>;
}

const BUCKET = 'corridor_roles';
const KEY = 'reactors';

/** The lease on the reactors' role, tried for and renewed on a timer. */
export class RoleLease {
  private revision = 0;
  private holding = false;
  private lastRenewMs = 0;
  private timer?: NodeJS.Timeout;
  private changing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly ttlMs: number;

  private constructor(
    private readonly kv: KV,
    private readonly opts: RoleOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? 6000;
  }

  /** Opens the bucket and makes a first try for the role (resolves once a role gained is started). */
  static async start(opts: RoleOptions): Promise<RoleLease> {
    const ttlMs = opts.ttlMs ?? 6000;
    const kv = await opts.js.views.kv(BUCKET, { history: 1, ttl: ttlMs, replicas: opts.replicas ?? 1 });
    const lease = new RoleLease(kv, opts);
    await lease.tick();
    await lease.changing;
    lease.schedule();
    return lease;
  }

  /** Whether this instance holds the role now. */
  get held(): boolean {
    return this.holding;
  }

  /** The instance that holds the role, as the bucket says (undefined when none). */
  async holder(): Promise<string | undefined> {
    const entry = await this.kv.get(KEY);
    return entry && entry.operation === 'PUT' ? entry.string() : undefined;
  }

  /** Gives the role up (a clean stop): another instance takes it at its next try, not after the lease runs out. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.changing;
    if (!this.holding) return;
    await this.lose('stopping');
    await this.changing;
    await this.kv.delete(KEY, { previousSeq: this.revision }).catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    if (this.holding) {
      try {
        this.revision = await this.kv.update(KEY, new TextEncoder().encode(this.opts.instance), this.revision);
        this.lastRenewMs = now;
      } catch (err) {
        const message = (err as Error).message;
        if (/wrong last sequence/i.test(message)) this.lose('another instance holds the role');
        // Out of reach: give it up before the lease can have run out for the others.
        else if (now - this.lastRenewMs > this.ttlMs * 0.6) this.lose(`the lease could not be renewed: ${message}`);
      }
      return;
    }
    try {
      this.revision = await this.kv.create(KEY, new TextEncoder().encode(this.opts.instance));
      this.lastRenewMs = now;
      this.gain();
    } catch {
      // Held by another instance (or the engine is out of reach): try again at the next tick.
    }
  }

  private gain(): void {
    this.holding = true;
    this.opts.logger.info({ instance: this.opts.instance }, 'this instance took the reactors role (router, expiry, tracking, notices)');
    this.changing = this.changing.then(() => this.opts.onGain()).catch((err) => this.opts.logger.error({ err }, 'starting the reactors failed'));
  }

  private lose(why: string): void {
    this.holding = false;
    this.opts.logger.warn({ instance: this.opts.instance, why }, 'this instance gave up the reactors role');
    this.changing = this.changing.then(() => this.opts.onLose()).catch((err) => this.opts.logger.error({ err }, 'stopping the reactors failed'));
  }
}

// A failing condition told once (server/util): when it starts, as a summary while it lasts, and when
// it ends. A full disk fails every commit; logging each one wrote thousands of lines a second (issue 9).
import type { Logger } from 'pino';

/** What is known of a condition while it fails. */
export interface Failing {
  /** When it started failing, ms since epoch. */
  sinceMs: number;
  /** Failures since then. */
  failures: number;
  /** The latest failure's message, for health answers. */
  reason: string;
}

/**
 * Tracks one condition (committing to the log, writing a snapshot): {@link fail} on each failure,
 * {@link ok} on each success. The first failure is logged with its error; later ones only as a
 * summary every `summaryMs`; the recovery once, with how long it lasted.
 */
export class FailingCondition {
  private current?: Failing;
  private lastSummaryMs = 0;
  private sinceSummary = 0;

  constructor(
    private readonly logger: Logger,
    /** What fails, as the subject of a sentence: "committing to the event log". */
    private readonly what: string,
    private readonly summaryMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The condition while it fails, else undefined. */
  get state(): Readonly<Failing> | undefined {
    return this.current;
  }

  /** Notes a failure; `context` is logged with the first one and with summaries. */
  fail(err: unknown, context: Record<string, unknown> = {}): void {
    const nowMs = this.now();
    const reason = err instanceof Error ? err.message : String(err);
    if (!this.current) {
      this.current = { sinceMs: nowMs, failures: 1, reason };
      this.lastSummaryMs = nowMs;
      this.sinceSummary = 0;
      this.logger.error({ err, ...context }, `${this.what} failed; further failures are summarised every ${Math.round(this.summaryMs / 1000)} s until it recovers`);
      return;
    }
    this.current.failures++;
    this.current.reason = reason;
    this.sinceSummary++;
    if (nowMs - this.lastSummaryMs >= this.summaryMs) {
      this.logger.error(
        { failures: this.sinceSummary, failingForMs: nowMs - this.current.sinceMs, reason, ...context },
        `${this.what} is still failing`,
      );
      this.lastSummaryMs = nowMs;
      this.sinceSummary = 0;
    }
  }

  /** Notes a success; ends a failing period with one line. */
  ok(): void {
    if (!this.current) return;
    const nowMs = this.now();
    this.logger.warn({ failures: this.current.failures, failedForMs: nowMs - this.current.sinceMs }, `${this.what} works again`);
    this.current = undefined;
  }
}

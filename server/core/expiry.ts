// Zones and constraints past their validity (server/core): a reactor that removes each when its
// `validUntil` passes, with reason `expired`, and at start-up those that expired while the server was down.
import type { Picture, PictureEvent } from '@corridor/protocol';
import type { Reactor, ReactorContext } from './reactor.js';
import { wasOf } from './commands.js';

/** Longest timer delay Node accepts is 2^31−1 ms; further expiries are looked at again hourly. */
const MAX_TIMER_MS = 3_600_000;

/** Removes threat zones and access constraints once their validity has passed. */
export class ExpiryReactor implements Reactor {
  readonly name = 'expiry';
  readonly types: ReadonlySet<string> = new Set(['threat.upserted', 'threat.removed', 'constraint.upserted', 'constraint.removed']);
  private ctx?: ReactorContext;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  start(_picture: Picture, ctx: ReactorContext): void {
    this.ctx = ctx;
    this.expireDue();
  }

  onCommitted(_events: readonly PictureEvent[]): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Appends a removal, reason `expired`, for everything past its validity not already being removed. */
  private expireDue(): void {
    const ctx = this.ctx!;
    const nowMs = ctx.now();
    const picture = ctx.picture();
    const events = [];
    for (const zone of Object.values(picture.threats)) {
      if (zone.validUntilMs !== undefined && zone.validUntilMs <= nowMs && ctx.exists('threats', zone.id)) {
        events.push({ type: 'threat.removed' as const, id: zone.id, reason: 'expired' as const, was: wasOf(zone) });
      }
    }
    for (const c of Object.values(picture.constraints)) {
      const until = c.validUntil === undefined ? undefined : Date.parse(c.validUntil);
      if (until !== undefined && until <= nowMs && ctx.exists('constraints', c.id)) {
        events.push({ type: 'constraint.removed' as const, id: c.id, reason: 'expired' as const, was: wasOf(c) });
      }
    }
    if (events.length > 0) ctx.append({ events });
    this.schedule();
  }

  /** Sets the timer for the next validity to pass. */
  private schedule(): void {
    clearTimeout(this.timer);
    const ctx = this.ctx;
    if (!ctx || this.stopped) return;
    const picture = ctx.picture();
    let next = Infinity;
    // Skip what is already queued for removal, so the timer does not spin until it commits.
    for (const zone of Object.values(picture.threats)) {
      if (zone.validUntilMs !== undefined && ctx.exists('threats', zone.id)) next = Math.min(next, zone.validUntilMs);
    }
    for (const c of Object.values(picture.constraints)) {
      if (c.validUntil !== undefined && ctx.exists('constraints', c.id)) next = Math.min(next, Date.parse(c.validUntil));
    }
    if (next === Infinity) return;
    const delay = Math.max(0, Math.min(next - ctx.now(), MAX_TIMER_MS));
    this.timer = setTimeout(() => this.expireDue(), delay);
    this.timer.unref();
  }
}

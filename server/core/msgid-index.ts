// What a msgId is (server/core, P8): new, a retry of a message that is queued, committing or stored (its
// first seq answers it), or a conflict (the sender used it for other content). Each sender has its own
// msgIds (its scope). The log is asked asynchronously, as a replicated log would answer.
import type { EventLog } from '../log/event-log.js';

/** A queued or committing entry, as the index knows it: its msgIds and their fingerprints. */
export interface Carrier {
  msgIds: readonly string[];
  fingerprints?: readonly number[];
}

/** What a msgId turned out to be. */
export type MsgIdState<P extends Carrier> =
  | { kind: 'new' }
  | { kind: 'stored'; seq: number }
  | { kind: 'in-flight'; carrier: P }
  | { kind: 'conflict' };

/** Whether two fingerprints tell different content apart (NaN or null: not known, so no conflict). */
function differs(a: number | null | undefined, b: number): boolean {
  return a !== undefined && a !== null && !Number.isNaN(a) && !Number.isNaN(b) && a !== b;
}

/** The in-flight msgIds of one store and the decisions on them. */
export class MsgIdIndex<P extends Carrier> {
  private readonly inflight = new Map<string, P>();

  constructor(private readonly log: EventLog) {}

  /** The in-flight key of a sender's msgId (scopes and msgIds hold no control characters). */
  private static key(scope: string, msgId: string): string {
    return `${scope}\n${msgId}`;
  }

  /** Notes a queued entry's msgIds, so their retries find it (P8 while in flight). */
  track(scope: string, carrier: P): void {
    for (const id of carrier.msgIds) this.inflight.set(MsgIdIndex.key(scope, id), carrier);
  }

  /** Forgets a settled entry's msgIds: from now on the log answers for them. */
  untrack(scope: string, carrier: P): void {
    for (const id of carrier.msgIds) {
      const key = MsgIdIndex.key(scope, id);
      if (this.inflight.get(key) === carrier) this.inflight.delete(key);
    }
  }

  /** What a msgId is while only what is in flight is looked at (synchronous). */
  inFlight(scope: string, msgId: string, fingerprint: number): MsgIdState<P> | undefined {
    const carrier = this.inflight.get(MsgIdIndex.key(scope, msgId));
    if (!carrier) return undefined;
    const i = carrier.msgIds.indexOf(msgId);
    return differs(carrier.fingerprints?.[i], fingerprint) ? { kind: 'conflict' } : { kind: 'in-flight', carrier };
  }

  /** What a msgId is: in flight, else as the log has it. */
  async classify(scope: string, msgId: string, fingerprint: number): Promise<MsgIdState<P>> {
    const flying = this.inFlight(scope, msgId, fingerprint);
    if (flying) return flying;
    const stored = await this.log.lookupMsgId(scope, msgId);
    // A copy may have been queued while the log was asked.
    const meanwhile = this.inFlight(scope, msgId, fingerprint);
    if (meanwhile) return meanwhile;
    if (!stored) return { kind: 'new' };
    return differs(stored.fingerprint, fingerprint) ? { kind: 'conflict' } : { kind: 'stored', seq: stored.seq };
  }
}

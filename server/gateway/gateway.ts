// The one way in (server/gateway): every input, whatever carries it (WebSocket, HTTP, the exercise,
// later Cursor-on-Target or an import), is limited, authorised, validated, bound to its unit and
// submitted here, so a carrier only reads its own format and hands over commands.
import type { Logger } from 'pino';
import { actionOf, can } from '../auth/roles.js';
import type { Command } from '../core/commands.js';
import { CommandError, type PictureStore, type SubmitResult } from '../core/store.js';
import { ClientCommandSchemas, commandKind, KINDS, type ClientCommand, type ClientCommandType, type Kind, type ProtocolError } from '@corridor/protocol';
import type { SharingAgreement } from '../sharing/agreement.js';
import { preview, validateCommand, type Result } from '@corridor/protocol/validate';
import { DEFAULT_TOKEN_LIMITS, RateLimiter, SocketCounter, type TokenLimits } from './limits.js';
import { parseMessage, sniffMsgId } from './parse.js';
import { MessageReader, READ_INLINE_BYTES, stringField, type Form, type Read } from './read.js';
import type { Sender } from './sender.js';

/**
 * Uncommitted commands at which input stops being taken until the store is idle again: WebSocket
 * reading pauses (the backlog then waits in the senders' TCP buffers, not the server's heap) and
 * HTTP writes are answered 503. The limit also caps a group commit, so throughput can never exceed
 * it divided by the commit time: 5,000 held a loaded machine (commits of 300-600 ms) to about 9,000
 * updates/s, measured; 20,000 lets commits of up to 1 s carry 20,000 updates/s.
 */
export const MAX_INGEST_BACKLOG = 20_000;

/** How a carrier names the parts of its messages in errors, where they differ from the WebSocket's. */
export interface CarrierPaths {
  /** Path of report i of a `positions` command: `reports[i]` on the WebSocket, `[i]` or `` on HTTP. */
  report?: (i: number) => string;
  /** Path of a command's own msgId: `msgId`, or `Idempotency-Key` on HTTP. */
  msgId?: string;
  /**
   * Fields the carrier names otherwise, by the WebSocket's path: on HTTP a posted convoy's
   * `convoy.state` is the body's `state`, and a change of state's `convoyId` is the URL's `id`.
   */
  fields?: Readonly<Record<string, string>>;
  /**
   * The field that holds a posted entity on the WebSocket (`convoy`); on HTTP the body is the entity,
   * so the store's `convoy.planId` is the body's `planId`.
   */
  body?: string;
}

/** A carrier message read: the msgId to answer under (when it had one) and the checked command. */
export interface CommandRead {
  msgId?: string;
  checked: Result<ClientCommand>;
}

/** Answers a submitted command: an error (nothing stored, P5), or once durable its seq (P3). */
export type Answer = (error: ProtocolError | undefined, result?: SubmitResult) => void;

export interface GatewayOptions {
  store: PictureStore;
  logger: Logger;
  limits?: TokenLimits;
  now?: () => number;
  /**
   * The information-sharing agreement (issue 13): a post's marking must be one its organisation may
   * use, and a post without one takes its organisation's default. Absent: markings are not checked.
   */
  sharing?: SharingAgreement;
}

/** Refusals logged in full per token and minute; the rest are counted into one summary line. */
const REFUSALS_LOGGED_PER_MINUTE = 5;

/** The gateway every input goes through. */
export class Gateway {
  readonly limits: TokenLimits;
  private readonly store: PictureStore;
  private readonly logger: Logger;
  private readonly rate: RateLimiter;
  private readonly sockets: SocketCounter;
  private readonly refusals = new Map<string, { logged: number; more: number; codes: Record<string, number> }>();
  private readonly timer: NodeJS.Timeout;
  private readonly reader: MessageReader;
  private drainWaiters?: Promise<void>;
  private readonly sharing?: SharingAgreement;

  constructor(opts: GatewayOptions) {
    this.store = opts.store;
    this.sharing = opts.sharing;
    this.logger = opts.logger;
    this.limits = opts.limits ?? DEFAULT_TOKEN_LIMITS;
    this.rate = new RateLimiter(this.limits.ratePerS, opts.now);
    this.sockets = new SocketCounter(this.limits.maxSockets);
    this.reader = new MessageReader(opts.logger);
    this.timer = setInterval(() => {
      this.rate.sweep();
      this.summariseRefusals();
    }, 60_000);
    this.timer.unref();
  }

  /** Stops the timers and the reader thread. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.summariseRefusals();
    await this.reader.close();
  }

  // ------------------------------------------------------------ limits (P15)

  /** Charges `cost` updates to the sender's token; the error to answer when it is over its rate. */
  charge(sender: Sender, cost = 1): (ProtocolError & { retryAfterMs: number }) | undefined {
    if (!sender.limited) return undefined;
    const taken = this.rate.take(sender.tokenId, cost);
    if (taken.ok) return undefined;
    if (taken.retryAfterMs === Infinity) {
      return {
        code: 'rate_limited',
        message: `a batch of ${cost} updates is more than this token may send at once (${2 * this.limits.ratePerS}); send it in smaller batches`,
        path: '',
        retryAfterMs: 1000,
      };
    }
    return { ...RateLimiter.error(this.limits.ratePerS, taken.retryAfterMs), retryAfterMs: taken.retryAfterMs };
  }

  /** Counts an open socket of the sender's token; the error when it holds as many as it may. */
  openSocket(sender: Sender): ProtocolError | undefined {
    if (!sender.limited || this.sockets.acquire(sender.tokenId)) return undefined;
    return {
      code: 'too_many_connections',
      message: `this token has ${this.limits.maxSockets} sockets open, as many as one token may; close one first`,
      path: '',
    };
  }

  /** Releases a socket counted by {@link openSocket}. */
  closeSocket(sender: Sender): void {
    if (sender.limited) this.sockets.release(sender.tokenId);
  }

  // ------------------------------------------------------------ backpressure

  /** Whether the store's backlog is over {@link MAX_INGEST_BACKLOG}: stop taking input until {@link drained}. */
  get overloaded(): boolean {
    return this.store.backlog >= MAX_INGEST_BACKLOG;
  }

  /** Resolves once the store has committed what it holds. */
  drained(): Promise<void> {
    this.drainWaiters ??= this.store.idle().then(() => {
      this.drainWaiters = undefined;
    });
    return this.drainWaiters;
  }

  // ------------------------------------------------------------ reading messages

  /**
   * Reads one JSON carrier message (a WebSocket message) into a checked command: at once when it is
   * small, by promise when it is read on the reader thread (read.ts). Either way a role that may not
   * send its type is refused as such, however broken the rest of it is.
   */
  readCommand(sender: Sender, bytes: Buffer, nowMs: number): CommandRead | Promise<CommandRead> {
    if (bytes.length <= READ_INLINE_BYTES) {
      const parsed = parseMessage(bytes);
      if (!parsed.ok) return { msgId: sniffMsgId(bytes.subarray(0, 4096).toString('utf8')), checked: parsed };
      return { msgId: stringField(parsed.value, 'msgId'), checked: this.check(sender, parsed.value, nowMs) };
    }
    return (this.reader.read(bytes, 'command', nowMs) as Promise<Read>).then((read): CommandRead => {
      const msgId = read.msgId ?? (read.checked.ok ? undefined : sniffMsgId(bytes.subarray(0, 4096).toString('utf8')));
      if (read.type !== undefined && Object.hasOwn(ClientCommandSchemas, read.type) && !can(sender.role, actionOf(read.type as ClientCommandType))) {
        return { msgId, checked: refuse('forbidden', `the role ${sender.role} may not send ${read.type}`, 'type') };
      }
      if (!read.checked.ok) return { msgId, checked: read.checked };
      return { msgId, checked: this.senderChecks(sender, read.checked.value as ClientCommand, {}) };
    });
  }

  /**
   * Reads the body of an HTTP write of a known command type: the role first, then the body read as
   * `form` (on the reader thread when large) and made into the command, then the unit binding.
   */
  async readBody(sender: Sender, type: ClientCommandType, form: Form, bytes: Buffer, nowMs: number, make: (value: never) => Command, paths: CarrierPaths = {}): Promise<Result<Command>> {
    if (!can(sender.role, actionOf(type))) return refuse('forbidden', `the role ${sender.role} may not send ${type}`, 'type');
    const read = await this.reader.read(bytes, form, nowMs);
    if (!read.checked.ok) return read.checked;
    return this.senderChecks(sender, make(read.checked.value as never), paths);
  }

  /**
   * Reads the input of a carrier that parses and validates its own format on a thread of its own (an
   * import of displacement figures, issue 17): the role first, so a token that may not send `type`
   * costs no reading at all, then the carrier's `read` (which must validate what it makes as
   * {@link check} would), then the unit binding and the marking.
   */
  async readWith<C extends Command>(sender: Sender, type: ClientCommandType, read: () => Promise<Result<C>>, paths: CarrierPaths = {}): Promise<Result<C>> {
    if (!can(sender.role, actionOf(type))) return refuse('forbidden', `the role ${sender.role} may not send ${type}`, 'type');
    const made = await read();
    if (!made.ok) return made;
    return this.senderChecks(sender, made.value, paths);
  }

  // ------------------------------------------------------------ commands

  /**
   * A JSON carrier's message (the WebSocket's): a known `type`, a role that may send it, then the
   * schema and the semantic checks, then the unit binding. The role is checked before the message
   * is validated, so a token that may not send a kind costs no more than reading its type.
   */
  check(sender: Sender, raw: unknown, nowMs: number, paths: CarrierPaths = {}): Result<ClientCommand> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return refuse('invalid', `the message must be a JSON object, got ${preview(raw)}`, '');
    }
    const type = (raw as { type?: unknown }).type;
    if (typeof type !== 'string') return refuse('invalid', 'type is required and must be a string', 'type');
    if (!Object.hasOwn(ClientCommandSchemas, type)) {
      return refuse('unknown_type', `type ${preview(type)} is not a known message type (known: ${Object.keys(ClientCommandSchemas).join(', ')})`, 'type');
    }
    return this.checkWith(sender, type as ClientCommandType, () => validateCommand(raw, nowMs), paths) as Result<ClientCommand>;
  }

  /**
   * A command of a known type that its carrier validates in its own terms (HTTP bodies, whose error
   * paths are the body's own): role, then `validate`, then the unit binding.
   */
  checkWith<C extends Command | ClientCommand>(sender: Sender, type: ClientCommandType, validate: () => Result<C>, paths: CarrierPaths = {}): Result<C> {
    if (!can(sender.role, actionOf(type))) {
      return refuse('forbidden', `the role ${sender.role} may not send ${type}`, 'type');
    }
    const checked = validate();
    if (!checked.ok) return checked;
    return this.senderChecks(sender, checked.value, paths);
  }

  /** What depends on the sender once a command is valid: its unit binding, then its marking (issue 13). */
  private senderChecks<C extends Command | ClientCommand>(sender: Sender, cmd: C, paths: CarrierPaths): Result<C> {
    const bound = this.bindingError(sender, cmd, paths);
    if (bound) return { ok: false, error: bound };
    // An import with flows changes flows too: the role must be allowed both (issue 17).
    if (cmd.type === 'sites.import' && (cmd.flows?.length ?? 0) > 0 && !can(sender.role, 'flows')) {
      return refuse('forbidden', `the role ${sender.role} may not post displacement flows; import without origins`, 'flows');
    }
    if (!this.sharing) return { ok: true, value: cmd };
    // A token of an organisation the agreement does not name (one issued before a reload dropped it) posts nothing.
    if (!this.sharing.organisation(sender.actor.org)) {
      return refuse('forbidden', `organisation "${sender.actor.org}" is not in the sharing agreement, so it may not post`, '');
    }
    // The hot path: a report names no entity; only a marking it gives is looked at.
    if (cmd.type === 'position' && cmd.marking === undefined) return { ok: true, value: cmd };
    const unseen = cmd.type === 'position' || cmd.type === 'positions' ? undefined : this.unseenTarget(sender, cmd, this.sharing, paths);
    if (unseen) return { ok: false, error: unseen };
    return this.marked(sender, cmd, paths, this.sharing);
  }

  /**
   * A command that names an entity its sender may not see (issue 13): a removal, a change of state, a
   * decision or an acknowledgement is answered as for an id that does not exist (the same 404 and
   * words), so it cannot tell the two apart; an upsert may not take its id over.
   */
  private unseenTarget(sender: Sender, cmd: Command | ClientCommand, sharing: SharingAgreement, paths: CarrierPaths): ProtocolError | undefined {
    const picture = this.store.picture;
    // Named as the carrier names the field, as the store's own not_found would be (carrierError).
    const at = (path: string) => paths.fields?.[path] ?? path;
    const to = { org: sender.actor.org, role: sender.role };
    const sees = (kind: Kind | 'unit', item: { owner?: string; marking?: string }) => sharing.deliveryOf(kind, item, to).receives;
    const convoyCmd = cmd.type === 'convoy.state' || cmd.type === 'convoy.reroute' || cmd.type === 'convoy.route' || cmd.type === 'notice.send' || cmd.type === 'notice.ack';
    if (convoyCmd) {
      const convoy = picture.convoys[cmd.convoyId];
      if (convoy && !sees('convoy', convoy)) return { code: 'not_found', message: `there is no convoy with id "${cmd.convoyId}"`, path: at('convoyId') };
      return undefined;
    }
    if (cmd.type === 'alert.ack') {
      const alert = picture.alerts[cmd.alertId];
      const convoy = alert?.convoyId !== undefined ? picture.convoys[alert.convoyId] : undefined;
      const unit = alert?.unitId !== undefined ? picture.units[alert.unitId] : undefined;
      if ((convoy && !sees('convoy', convoy)) || (unit && !sees('unit', unit))) return { code: 'not_found', message: `there is no open alert with id "${cmd.alertId}"`, path: at('alertId') };
      return undefined;
    }
    if (cmd.type === 'sites.import') {
      // An import may not take over the id of a site or flow its sender may not see, as an upsert may not (issue 17).
      const lists = [['site', 'sites', cmd.sites] as const, ['flow', 'flows', cmd.flows ?? []] as const];
      for (const [kind, slice, items] of lists) {
        const records = picture[slice] as Record<string, { owner?: string; marking?: string }>;
        // The sites an import updates share a few owners and markings: each pair is asked once.
        const seen = new Map<string, boolean>();
        const mine = (held: { owner?: string; marking?: string }) => {
          const key = `${held.owner ?? ''}\u0000${held.marking ?? ''}`;
          let yes = seen.get(key);
          if (yes === undefined) seen.set(key, (yes = sees(kind, held)));
          return yes;
        };
        for (let i = 0; i < items.length; i++) {
          const id = items[i].id;
          if (id !== undefined && Object.hasOwn(records, id) && !mine(records[id])) {
            return { code: 'forbidden', message: `the id "${id}" may not be used: another organisation's ${KINDS[kind].label} holds it out of your sight`, path: `${slice}[${i}].id` };
          }
        }
      }
      return undefined;
    }
    if (cmd.type === 'report.review') {
      const report = picture.reports[cmd.reportId];
      if (report && !sees('report', report)) return { code: 'not_found', message: `there is no field report with id "${cmd.reportId}"`, path: at('reportId') };
      const constraint = cmd.constraintId !== undefined ? picture.constraints[cmd.constraintId] : undefined;
      if (constraint && !sees('constraint', constraint)) return { code: 'not_found', message: `there is no access constraint with id "${cmd.constraintId}"`, path: 'constraintId' };
      return undefined;
    }
    const ck = commandKind(cmd.type);
    if (!ck) return undefined;
    const spec = KINDS[ck.kind];
    const records = picture[spec.slice] as Record<string, { owner?: string; marking?: string }>;
    if (ck.op === 'remove') {
      const id = (cmd as { id: string }).id;
      if (Object.hasOwn(records, id) && !sees(ck.kind, records[id])) return { code: 'not_found', message: `there is no ${spec.label} with id "${id}"`, path: 'id' };
      return undefined;
    }
    const input = (cmd as unknown as Record<string, Record<string, unknown>>)[spec.input];
    const id = ck.kind === 'threat' ? ((input.properties as { id?: string }).id ?? (input.id as string | undefined)) : (input.id as string | undefined);
    const where = paths.body !== undefined ? '' : `${spec.input}.`;
    if (id !== undefined && Object.hasOwn(records, String(id)) && !sees(ck.kind, records[String(id)])) {
      return { code: 'forbidden', message: `the id "${id}" may not be used; post it without an id, or under another`, path: `${where}${ck.kind === 'threat' ? 'properties.' : ''}id` };
    }
    // What a convoy or a plan names must be answered for as the store answers an id that does not
    // exist (commands.ts), when its sender may not see it: its plan, the convoy it leaves after, its havens.
    const hidden = <T extends { owner?: string; marking?: string }>(kind: Kind, all: Record<string, T>, ref: string) => Object.hasOwn(all, ref) && !sees(kind, all[ref]);
    if (ck.kind === 'convoy') {
      const c = input as { planId?: string; after?: string };
      if (c.planId !== undefined && hidden('plan', picture.plans, c.planId)) return { code: 'not_found', message: `there is no evacuation plan with id "${c.planId}"`, path: `${where}planId` };
      if (c.after !== undefined && hidden('convoy', picture.convoys, c.after)) return { code: 'not_found', message: `there is no convoy with id "${c.after}" to leave after`, path: `${where}after` };
    }
    if (ck.kind === 'plan') {
      const havenIds = (input as { havenIds?: string[] }).havenIds ?? [];
      for (const [i, h] of havenIds.entries()) {
        if (hidden('haven', picture.havens, h)) return { code: 'not_found', message: `there is no safe haven with id "${h}"`, path: `${where}havenIds[${i}]` };
      }
    }
    return undefined;
  }

  /**
   * A post's marking under the agreement (issue 13): one its organisation may use (at or above its
   * default, one it may itself see), or refused naming the field; an entity posted without one takes
   * its organisation's default. A report without one keeps none (its owner's default is read then),
   * so the hot path makes no new object.
   */
  private marked<C extends Command | ClientCommand>(sender: Sender, cmd: C, paths: CarrierPaths, sharing: SharingAgreement): Result<C> {
    const org = sender.actor.org;
    const refuseAt = (path: string, error: string): Result<C> => refuse('invalid', `${path}: ${error}`, path);
    if (cmd.type === 'position') {
      if (cmd.marking === undefined) return { ok: true, value: cmd };
      const m = sharing.markingOf(org, sender.role, 'unit', cmd.marking);
      return 'error' in m ? refuseAt('marking', m.error) : { ok: true, value: cmd };
    }
    if (cmd.type === 'positions') {
      for (const [i, r] of cmd.reports.entries()) {
        if (r.marking === undefined) continue;
        const m = sharing.markingOf(org, sender.role, 'unit', r.marking);
        if ('error' in m) return refuseAt(join(reportPath(paths, i), 'marking'), m.error);
      }
      return { ok: true, value: cmd };
    }
    if (cmd.type === 'sites.import') return this.markedImport(sender, cmd, sharing) as Result<C>;
    const ck = commandKind(cmd.type);
    if (ck?.op !== 'upsert') return { ok: true, value: cmd };
    const field = KINDS[ck.kind].input;
    const input = (cmd as unknown as Record<string, Record<string, unknown>>)[field];
    const threat = ck.kind === 'threat';
    const holder = threat ? (input.properties as Record<string, unknown>) : input;
    const asked = holder.marking as string | undefined;
    const m = sharing.markingOf(org, sender.role, ck.kind, asked);
    const where = paths.body !== undefined ? '' : `${field}.`;
    if ('error' in m) return refuseAt(`${where}${threat ? 'properties.' : ''}marking`, m.error);
    if (asked !== undefined) return { ok: true, value: cmd };
    const filled = threat ? { ...input, properties: { ...holder, marking: m.marking } } : { ...input, marking: m.marking };
    return { ok: true, value: { ...cmd, [field]: filled } as C };
  }

  /**
   * An import's markings (issue 17): each marking it uses is checked once (an import of 100,000 sites
   * names one or two), and the items without one take their organisation's default.
   */
  private markedImport(sender: Sender, cmd: Extract<Command | ClientCommand, { type: 'sites.import' }>, sharing: SharingAgreement): Result<typeof cmd> {
    const org = sender.actor.org;
    const lists = [['site', 'sites', cmd.sites] as const, ['flow', 'flows', cmd.flows ?? []] as const];
    const filled: Record<string, unknown[]> = {};
    for (const [kind, field, items] of lists) {
      const checked = new Set<string>();
      let fallback: string | undefined;
      let missing = false;
      for (let i = 0; i < items.length; i++) {
        const asked = items[i].marking;
        if (asked === undefined) {
          missing = true;
          continue;
        }
        if (checked.has(asked)) continue;
        const m = sharing.markingOf(org, sender.role, kind, asked);
        if ('error' in m) return refuse('invalid', `${field}[${i}].marking: ${m.error}`, `${field}[${i}].marking`);
        checked.add(asked);
      }
      if (!missing) continue;
      const m = sharing.markingOf(org, sender.role, kind, undefined);
      if ('error' in m) return refuse('invalid', `${field}: ${m.error}`, field);
      fallback = m.marking;
      // Object.assign: an import's items are copied several times faster than by a spread (commands.ts).
      filled[field] = items.map((item) => (item.marking === undefined ? Object.assign({}, item, { marking: fallback }) : item));
    }
    return { ok: true, value: { ...cmd, ...filled } as typeof cmd };
  }

  /**
   * The marking a sender's post of a kind takes when it names none (its organisation's default under
   * the agreement); undefined without an agreement, or when the sender may not post. A carrier that
   * makes many items (an import, issue 17) gives it to them as it makes them, so none is copied here.
   */
  defaultMarking(sender: Sender, kind: Kind): string | undefined {
    if (!this.sharing) return undefined;
    const m = this.sharing.markingOf(sender.actor.org, sender.role, kind, undefined);
    return 'marking' in m ? m.marking : undefined;
  }

  /** A token bound to a unit may report only for that unit. */
  private bindingError(sender: Sender, cmd: Command | ClientCommand, paths: CarrierPaths): ProtocolError | undefined {
    if (sender.unit === undefined) return undefined;
    let path: string | undefined;
    if ((cmd.type === 'position' || cmd.type === 'unit.alert') && cmd.unitId !== sender.unit) path = 'unitId';
    else if (cmd.type === 'report.upsert' && cmd.report.unitId !== sender.unit) path = paths.body !== undefined ? 'unitId' : 'report.unitId';
    else if (cmd.type === 'positions') {
      const i = cmd.reports.findIndex((r) => r.unitId !== sender.unit);
      if (i >= 0) path = join(reportPath(paths, i), 'unitId');
    }
    return path === undefined ? undefined : { code: 'forbidden', message: `this token may report only for unit ${sender.unit}`, path: paths.fields?.[path] ?? path };
  }

  /**
   * Submits a checked command under the sender: a batch of reports is charged for its reports beyond
   * the message itself (P15), then the store answers once it is durable (P3), a retry (P8) or an
   * error. `done` is called exactly once, never with an exception escaping to the carrier.
   */
  submit(sender: Sender, cmd: Command, done: Answer, paths: CarrierPaths = {}): void {
    if (cmd.type === 'positions' && cmd.reports.length > 1) {
      const over = this.charge(sender, cmd.reports.length - 1);
      if (over) return done(over);
    }
    try {
      this.store.submitWith(cmd, sender, (err, result) => {
        if (!err) return done(undefined, result);
        if (err instanceof CommandError) return done(carrierError(err.error, paths));
        this.logger.error({ err }, 'submit failed');
        done({ code: 'internal', message: 'the server failed to handle the message', path: '' });
      });
    } catch (err) {
      this.logger.error({ err, type: cmd.type }, 'submit threw');
      done({ code: 'internal', message: 'the server failed to handle the message', path: '' });
    }
  }

  /**
   * Validates and submits under a sender in one step, answering by promise (the exercise's simulated
   * traffic, tests). Rejects with a CommandError.
   */
  submitAs(sender: Sender, raw: unknown): Promise<SubmitResult> {
    const nowMs = Date.now();
    const checked = this.check(sender, raw, nowMs);
    if (!checked.ok) return Promise.reject(new CommandError(checked.error));
    const cmd = checked.value;
    if (cmd.type === 'ping' || cmd.type === 'resync') return Promise.resolve({ seq: this.store.seq, duplicate: false });
    return new Promise((resolve, reject) => this.submit(sender, cmd as Command, (err, r) => (err ? reject(new CommandError(err)) : resolve(r!))));
  }

  // ------------------------------------------------------------ refusals in the server log

  /**
   * Logs a refused message: the first few per token and minute in full, the rest as one summary a
   * minute, so a client sending garbage cannot fill the log (issue 9).
   */
  refused(sender: Sender | undefined, carrier: string, error: ProtocolError, msgId?: string): void {
    const key = sender?.tokenId ?? '(no token)';
    let r = this.refusals.get(key);
    if (!r) {
      r = { logged: 0, more: 0, codes: {} };
      this.refusals.set(key, r);
    }
    if (r.logged < REFUSALS_LOGGED_PER_MINUTE) {
      r.logged++;
      this.logger.warn({ tokenId: key, carrier, code: error.code, path: error.path, msgId }, 'message refused');
      return;
    }
    r.more++;
    r.codes[error.code] = (r.codes[error.code] ?? 0) + 1;
  }

  private summariseRefusals(): void {
    for (const [tokenId, r] of this.refusals) {
      if (r.more > 0) this.logger.warn({ tokenId, refused: r.more, codes: r.codes }, 'more messages refused in the last minute');
    }
    this.refusals.clear();
  }
}

function refuse(code: ProtocolError['code'], message: string, path: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code, message, path } };
}

function join(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

function reportPath(paths: CarrierPaths, i: number): string {
  return paths.report ? paths.report(i) : `reports[${i}]`;
}

/** An error of the store in the carrier's own paths (a batch's reports, a command's msgId). */
function carrierError(error: ProtocolError, paths: CarrierPaths): ProtocolError {
  const path = error.path ?? '';
  const report = /^reports\[(\d+)\]\.?(.*)$/.exec(path);
  let mapped = path;
  if (report && paths.report) mapped = join(paths.report(Number(report[1])), report[2]);
  else if (path === 'msgId' && paths.msgId) mapped = paths.msgId;
  else if (paths.fields && Object.hasOwn(paths.fields, path)) mapped = paths.fields[path];
  else if (paths.body && path.startsWith(`${paths.body}.`)) mapped = path.slice(paths.body.length + 1);
  if (mapped === path) return error;
  // The message names the field as the carrier does, where it begins with it.
  const message = error.message.startsWith(`${path}:`) ? `${mapped}:${error.message.slice(path.length + 1)}` : error.message;
  return { ...error, path: mapped, message };
}

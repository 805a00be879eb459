// The HTTP API's writes (server/net/http): each request becomes one command handed to the gateway,
// like a WebSocket message (origin, rate, backlog, body, role, validation, unit binding, submit).
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { can, type Action } from '../../auth/roles.js';
import type { Command } from '../../core/commands.js';
import { entityIdOf, type PictureStore } from '../../core/store.js';
import type { CarrierPaths, Gateway } from '../../gateway/gateway.js';
import { COST } from '../../gateway/limits.js';
import { cookieWriteAllowed, originAllowed } from '../../gateway/origin.js';
import type { PictureEvent } from '@corridor/protocol';
import { KIND_NAMES, KINDS, MAX_MESSAGE_BYTES, type AlertAck, type ClientCommandType, type ConvoyStateChange, type RerouteDecision, type RouteChoice, type ReportReview, type NoticeAck, type NoticeSend, type Kind } from '@corridor/protocol';
import { checkSchema, type Result } from '@corridor/protocol/validate';
import { IdSchema } from '@corridor/protocol';
import { HttpError } from './errors.js';

export interface WriteOptions {
  store: PictureStore;
  gateway: Gateway;
  /** Origins besides the server's own whose pages may write with a browser's cookie. */
  allowedOrigins: readonly string[];
}

/** Refuses a request whose token's role may not do `action` (403). */
export const allow =
  (action: Action): RequestHandler =>
  (req, _res, next) => {
    if (can(req.auth!.role, action)) return next();
    next(new HttpError({ code: 'forbidden', message: `the role ${req.auth!.role} may not do this` }));
  };

/** The command a kind's accepted body makes: its upsert, with the body in the kind's input field. */
function upsertOf(kind: Kind, value: unknown, msgId: string | undefined): Command {
  return { type: `${kind}.upsert`, msgId, [KINDS[kind].input]: value } as unknown as Command;
}

function wrap<T>(r: Result<T>, make: (value: T) => Command): Result<Command> {
  return r.ok ? { ok: true, value: make(r.value) } : r;
}

/**
 * What every write meets before its body is read (issue 9, P15): a browser page of another origin may
 * not write with the victim's cookie; the token's rate is charged for the body's announced size
 * (`cost`, one per KiB up to the largest message by default); the ingest backlog; and the write holds
 * one of the token's connections until answered, so one token cannot make the server hold many bodies.
 */
export function writeGate(gateway: Gateway, allowedOrigins: readonly string[], cost: (bytes: number) => number = (bytes) => COST.message(Math.min(bytes, MAX_MESSAGE_BYTES))): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const allowed = req.authVia === 'cookie' ? cookieWriteAllowed(req.headers, allowedOrigins) : originAllowed(req.headers, allowedOrigins);
    if (!allowed) {
      return next(
        new HttpError({
          code: 'forbidden',
          message:
            req.headers.origin !== undefined
              ? `a page of origin ${String(req.headers.origin).slice(0, 200)} may not write here (CORRIDOR_ALLOWED_ORIGINS lists the origins allowed besides this server's own)`
              : "a write signed in by the session cookie must come from this server's own pages",
        }),
      );
    }
    const length = Number(req.headers['content-length']);
    const over = gateway.charge(req.sender!, Number.isFinite(length) ? cost(length) : 1);
    if (over) return next(new HttpError({ code: over.code, message: over.message, path: '' }, 429, over.retryAfterMs / 1000));
    if (gateway.overloaded) {
      return next(new HttpError({ code: 'unavailable', message: 'the server is committing a backlog of updates; try again in a moment', path: '' }, 503, 1));
    }
    const tooMany = gateway.openSocket(req.sender!);
    if (tooMany) return next(new HttpError({ ...tooMany }, 429, 1));
    res.once('close', () => gateway.closeSocket(req.sender!));
    next();
  };
}

/** `POST /positions`, `POST` and `DELETE` of every kind of entity, a convoy's change of state, mounted under `/api`. */
export function writeRoutes(opts: WriteOptions): express.Router {
  const { store, gateway } = opts;
  const api = express.Router();

  // Before the body is read: a browser page of another origin may not write with the victim's
  // cookie (issue 9); the token's rate (P15) and the ingest backlog are checked at once.
  api.use(writeGate(gateway, opts.allowedOrigins));
  // The body as bytes, read through the gateway's reader (size, depth, empty body: P7, issue 9).
  api.use(express.raw({ type: () => true, limit: MAX_MESSAGE_BYTES }));
  // A body sent without Content-Length (chunked) is charged for its size once read (P15).
  api.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.headers['content-length'] !== undefined || !Buffer.isBuffer(req.body)) return next();
    const over = gateway.charge(req.sender!, COST.message(req.body.length) - 1);
    if (over) return next(new HttpError({ code: over.code, message: over.message, path: '' }, 429, over.retryAfterMs / 1000));
    next();
  });

  /** The body's bytes (an empty body is read as such, and refused as `bad_json` by the reader). */
  const bytesOf = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

  const idempotencyKey = (req: Request): string | undefined => {
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 128)) {
      throw new HttpError({ code: 'invalid', message: 'Idempotency-Key must be 1 to 128 characters', path: 'Idempotency-Key' });
    }
    return key;
  };

  /** Submits a checked command through the gateway; resolves once durable (P3). */
  const submit = (req: Request, checked: Result<Command>, paths: CarrierPaths) =>
    new Promise<{ seq: number; duplicate: boolean }>((resolve, reject) => {
      if (!checked.ok) return reject(new HttpError({ ...checked.error }));
      gateway.submit(
        req.sender!,
        checked.value,
        (error, result) => {
          if (!error) return resolve(result!);
          const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
          reject(new HttpError({ code: error.code, message: error.message, path: error.path ?? '' }, undefined, retryAfterMs === undefined ? undefined : retryAfterMs / 1000));
        },
        paths,
      );
    });

  /** The entity id an accepted (or replayed, P8) upsert stands for. */
  const idOfSeq = async (seq: number) => {
    const [row] = await store.readSince(seq - 1, 1);
    return row ? entityIdOf(JSON.parse(row.json) as PictureEvent) : undefined;
  };

  api.post('/positions', async (req, res) => {
    const bytes = bytesOf(req);
    // One report or an array: the body's first character says which, for the field paths of errors.
    const many = /^\s*\[/.test(bytes.subarray(0, 64).toString('utf8'));
    const paths: CarrierPaths = { report: (i) => (many ? `[${i}]` : '') };
    const checked = await gateway.readBody(req.sender!, 'positions', 'positions', bytes, Date.now(), (reports) => ({ type: 'positions', reports }), paths);
    const result = await submit(req, checked, paths);
    res.status(202).json({ accepted: checked.ok && checked.value.type === 'positions' ? checked.value.reports.length : 0, seq: result.seq });
  });

  // Every kind of the registry: `POST /api/<slice>` and `DELETE /api/<slice>/:id`.
  for (const kind of KIND_NAMES) {
    const slice = KINDS[kind].slice;
    const upsert = `${kind}.upsert` as ClientCommandType;
    const remove = `${kind}.remove` as ClientCommandType;
    // A posted convoy is the body itself: the WebSocket's `convoy.state` is its `state` (P20).
    const paths: CarrierPaths = { msgId: 'Idempotency-Key', fields: { [`${KINDS[kind].input}.state`]: 'state' }, body: KINDS[kind].input };
    api.post(`/${slice}`, async (req, res) => {
      const key = idempotencyKey(req);
      const checked = await gateway.readBody(req.sender!, upsert, slice, bytesOf(req), Date.now(), (value) => upsertOf(kind, value, key), paths);
      const result = await submit(req, checked, paths);
      res.status(result.duplicate ? 200 : 201).json({ id: await idOfSeq(result.seq), seq: result.seq });
    });
    api.delete(`/${slice}/:id`, async (req, res) => {
      const key = idempotencyKey(req);
      const checked = gateway.checkWith(req.sender!, remove, () => wrap(checkSchema(IdSchema, req.params.id, 'id'), (id) => ({ type: remove, id, msgId: key }) as Command), paths);
      const result = await submit(req, checked, paths);
      res.json({ seq: result.seq });
    });
  }

  // A convoy's change of state (P20): `{"to","reason"?,"resumeWhen"?}` → `{"seq","state"}`; the
  // machine's refusal is `409 invalid_transition`, an unknown convoy `404 not_found`.
  const statePaths: CarrierPaths = { msgId: 'Idempotency-Key', fields: { convoyId: 'id' } };
  api.post('/convoys/:id/state', async (req, res) => {
    const key = idempotencyKey(req);
    const read = await gateway.readBody(req.sender!, 'convoy.state', 'convoy-state', bytesOf(req), Date.now(), (change: ConvoyStateChange) => ({ type: 'convoy.state', msgId: key, convoyId: req.params.id, ...change }) as Command, statePaths);
    const id = checkSchema(IdSchema, req.params.id, 'id');
    const checked = read.ok && !id.ok ? id : read;
    const result = await submit(req, checked, statePaths);
    res.json({ seq: result.seq, state: checked.ok && checked.value.type === 'convoy.state' ? checked.value.to : undefined });
  });

  // A planner takes a route of a convoy's re-route proposal (P22): `{"proposalId","route"?}` → `{"seq"}`;
  // a proposal that is not the convoy's open one is `409 stale_proposal`.
  const reroutePaths: CarrierPaths = { msgId: 'Idempotency-Key', fields: { convoyId: 'id' } };
  api.post('/convoys/:id/reroute', async (req, res) => {
    const key = idempotencyKey(req);
    const read = await gateway.readBody(req.sender!, 'convoy.reroute', 'convoy-reroute', bytesOf(req), Date.now(), (d: RerouteDecision) => ({ type: 'convoy.reroute', msgId: key, convoyId: req.params.id, ...d }) as Command, reroutePaths);
    const id = checkSchema(IdSchema, req.params.id, 'id');
    const checked = read.ok && !id.ok ? id : read;
    const result = await submit(req, checked, reroutePaths);
    res.json({ seq: result.seq });
  });

  // A planner's choice among a planned or approved convoy's routes (issue 12): `{"route"}` → `{"seq"}`;
  // a convoy already under way is `409 invalid_transition`, a route it does not have `400`.
  const routePaths: CarrierPaths = { msgId: 'Idempotency-Key', fields: { convoyId: 'id' } };
  api.post('/convoys/:id/route', async (req, res) => {
    const key = idempotencyKey(req);
    const read = await gateway.readBody(req.sender!, 'convoy.route', 'convoy-route', bytesOf(req), Date.now(), (d: RouteChoice) => ({ type: 'convoy.route', msgId: key, convoyId: req.params.id, ...d }) as Command, routePaths);
    const id = checkSchema(IdSchema, req.params.id, 'id');
    const checked = read.ok && !id.ok ? id : read;
    const result = await submit(req, checked, routePaths);
    res.json({ seq: result.seq });
  });

  // An alert's acknowledgement (P21): `{"remark"?}` or no body → `{"seq"}`; an alert already
  // acknowledged is `409 already_acknowledged`, one that is not there `404 not_found`.
  const ackPaths: CarrierPaths = { msgId: 'Idempotency-Key', fields: { alertId: 'id' } };
  api.post('/alerts/:id/ack', async (req, res) => {
    const key = idempotencyKey(req);
    const body = bytesOf(req);
    const bytes = body.length === 0 ? Buffer.from('{}') : body;
    const read = await gateway.readBody(req.sender!, 'alert.ack', 'alert-ack', bytes, Date.now(), (ack: AlertAck) => ({ type: 'alert.ack', msgId: key, alertId: req.params.id, ...ack }) as Command, ackPaths);
    const id = checkSchema(IdSchema, req.params.id, 'id');
    const checked = read.ok && !id.ok ? id : read;
    const result = await submit(req, checked, ackPaths);
    res.json({ seq: result.seq });
  });

  // A convoy's deconfliction notice (issue 18, P36): sent to the parties, `{"version"?}` or no body, and
  // a party's acknowledgement recorded, `{"version"?,"by","remark"?}` → `{"seq","version","status"}`. A
  // version no longer held, or a change its status does not allow, is `409 invalid_transition`; a convoy
  // without a notice (not yet approved) `404 not_found`.
  const noticePaths: CarrierPaths = { msgId: 'Idempotency-Key', fields: { convoyId: 'id' } };
  for (const [action, type, form] of [['send', 'notice.send', 'notice-send'], ['acknowledge', 'notice.ack', 'notice-ack']] as const) {
    api.post(`/convoys/:id/notice/${action}`, async (req, res) => {
      const key = idempotencyKey(req);
      const body = bytesOf(req);
      const bytes = body.length === 0 ? Buffer.from('{}') : body;
      const read = await gateway.readBody(req.sender!, type, form, bytes, Date.now(), (n: NoticeSend | NoticeAck) => ({ type, msgId: key, convoyId: req.params.id, ...n }) as Command, noticePaths);
      const id = checkSchema(IdSchema, req.params.id, 'id');
      const checked = read.ok && !id.ok ? id : read;
      const result = await submit(req, checked, noticePaths);
      const version = checked.ok && (checked.value.type === 'notice.send' || checked.value.type === 'notice.ack') ? checked.value.version : undefined;
      res.json({ seq: result.seq, ...(version !== undefined ? { version } : {}), status: action === 'send' ? 'sent' : 'acknowledged' });
    });
  }

  // An analyst's review of a field report (issue 15): `{"status","changes"?,"remark"?,"constraintId"?}`
  // → `{"seq"}`; a report that is not there is `404 not_found`.
  const reviewPaths: CarrierPaths = { msgId: 'Idempotency-Key', fields: { reportId: 'id' } };
  api.post('/reports/:id/review', async (req, res) => {
    const key = idempotencyKey(req);
    const read = await gateway.readBody(req.sender!, 'report.review', 'report-review', bytesOf(req), Date.now(), (r: ReportReview) => ({ type: 'report.review', msgId: key, reportId: req.params.id, ...r }) as Command, reviewPaths);
    const id = checkSchema(IdSchema, req.params.id, 'id');
    const checked = read.ok && !id.ok ? id : read;
    const result = await submit(req, checked, reviewPaths);
    res.json({ seq: result.seq });
  });
  return api;
}

// The HTTP API and pages (server/net, express 5): every answer of the contract, errors always as
// `{"error":{"code","message","path"}}` JSON (P5, P7), sign-in by bearer token or session cookie.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { CorridorEngine } from '../../routing/types.js';
import { can, type Action } from '../auth/roles.js';
import { actorOf, sessionCookie, tokenFromHeaders } from '../auth/session.js';
import type { TokenRecord, TokenStore } from '../auth/tokens.js';
import type { Command } from '../core/commands.js';
import { CommandError, entityIdOf, type PictureStore } from '../core/store.js';
import type { PictureEvent } from '../protocol/events.js';
import { MAX_MESSAGE_BYTES, type ErrorCode, type ProtocolError } from '../protocol/messages.js';
import {
  checkSchema,
  validateConstraint,
  validateConvoy,
  validateFlow,
  validateHaven,
  validatePositionBatch,
  validateSite,
  validateThreat,
  type Result,
} from '../protocol/validate.js';
import { Type } from '@sinclair/typebox';

export interface HttpOptions {
  store: PictureStore;
  tokens: TokenStore;
  engine: CorridorEngine;
  logger: Logger;
  staleAfterMs: number;
  /** Folder of the built client (index.html + assets), usually dist/client. */
  clientDir: string;
  /** Extra routers mounted at the root after sign-in (the basemap: /basemap/*, /fonts/*). */
  routers?: Router[];
}

/** HTTP status per error code. */
const STATUS: Record<ErrorCode, number> = {
  bad_json: 400,
  invalid: 400,
  invalid_geometry: 400,
  time_in_future: 400,
  unknown_type: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  no_safe_route: 422,
  off_network: 422,
  unavailable: 503,
  internal: 500,
};

/** An HTTP error carrying the contract's error body; extra fields (like `blockedBy`) go into it. */
export class HttpError extends Error {
  constructor(
    readonly error: ProtocolError & { [extra: string]: unknown },
    readonly status = STATUS[error.code],
  ) {
    super(error.message);
  }
}

function sendError(res: Response, status: number, error: ProtocolError & { [extra: string]: unknown }): void {
  res.status(status).json({ error: { ...error, path: error.path ?? '' } });
}

/** Pages of the single-page client (CONTRACT "Pages"). */
export const PAGES = ['/', '/wall', '/access', '/field'];

const IdParam = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' });

declare module 'express-serve-static-core' {
  interface Request {
    /** The signed-in token's record (set by the sign-in middleware). */
    auth?: TokenRecord;
  }
}

/** Builds the express application. */
export function createHttpApp(opts: HttpOptions): express.Express {
  const { store, tokens, engine, logger } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // `?token=T` on a page signs the browser in: cookie set, token dropped from the address bar.
  app.use((req, res, next) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (token === undefined || req.method !== 'GET' || req.path.startsWith('/api/')) return next();
    const url = new URL(req.originalUrl, 'http://localhost');
    url.searchParams.delete('token');
    if (!tokens.verify(token)) return signInPage(res, 'That token is not valid or has been revoked.');
    res.setHeader('Set-Cookie', sessionCookie(token, req.secure));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, url.pathname + url.search);
  });

  // Sign-in for everything below: bearer token or session cookie.
  app.use((req, res, next) => {
    const record = tokens.verify(tokenFromHeaders(req));
    if (record) {
      req.auth = record;
      return next();
    }
    if (req.method === 'GET' && PAGES.includes(req.path)) return signInPage(res);
    const given = tokenFromHeaders(req) !== undefined;
    sendError(res, 401, {
      code: 'unauthorized',
      message: given ? 'the token is not valid or has been revoked' : 'a token is required: Authorization: Bearer <token>',
    });
  });

  const api = express.Router();
  api.use(express.json({ limit: MAX_MESSAGE_BYTES, type: () => true, strict: false }));

  const allow = (action: Action) => (req: Request, _res: Response, next: NextFunction) => {
    if (can(req.auth!.role, action)) return next();
    next(new HttpError({ code: 'forbidden', message: `the role ${req.auth!.role} may not do this` }));
  };

  const submit = async (req: Request, cmd: Command) => {
    try {
      return await store.submit(cmd, actorOf(req.auth!));
    } catch (err) {
      if (err instanceof CommandError) throw new HttpError({ ...err.error });
      throw err;
    }
  };
  /** The entity id an accepted (or replayed, P8) upsert stands for. */
  const idOfSeq = async (seq: number) => {
    const [row] = await store.readSince(seq - 1, 1);
    return row ? entityIdOf(JSON.parse(row.json) as PictureEvent) : undefined;
  };
  const idempotencyKey = (req: Request): string | undefined => {
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 128)) {
      throw new HttpError({ code: 'invalid', message: 'Idempotency-Key must be 1 to 128 characters', path: 'Idempotency-Key' });
    }
    return key;
  };
  const body = <T>(r: Result<T>): T => {
    if (!r.ok) throw new HttpError({ ...r.error });
    return r.value;
  };
  const param = (req: Request): string => body(checkSchema(IdParam, req.params.id, 'id'));

  // ---------------------------------------------------------------- reading
  api.get('/picture', allow('read'), (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ seq: store.picture.seq, staleAfterMs: opts.staleAfterMs, serverTimeMs: Date.now(), picture: store.picture });
  });

  api.get('/convoys', allow('read'), (_req, res) => {
    const p = store.picture;
    res.json({ seq: p.seq, convoys: Object.values(p.convoys).map((c) => ({ ...c, corridor: p.corridors[c.id] ?? null })) });
  });

  api.get('/events', allow('read'), async (req, res) => {
    const since = intParam(req, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(req, 'limit', 1000, 1, 10_000);
    const rows = await store.readSince(since, limit);
    res.type('application/json').send(
      `{"seq":${store.picture.seq},"events":[${rows.map((r) => r.json).join(',')}]}`,
    );
  });

  api.get('/route', allow('read'), (req, res) => {
    const from = lonLatParam(req, 'from');
    const to = lonLatParam(req, 'to');
    const alternatives = intParam(req, 'alternatives', 0, 0, 5);
    const weight = req.query.weight ?? 'time';
    if (weight !== 'time' && weight !== 'distance') {
      throw new HttpError({ code: 'invalid', message: `weight must be "time" or "distance", got ${JSON.stringify(weight)}`, path: 'weight' });
    }
    const vehicleClass = req.query.vehicleClass;
    const classes = ['motorbike', '4wd', 'light_truck', 'heavy_truck', 'truck_trailer'] as const;
    if (vehicleClass !== undefined && !classes.includes(vehicleClass as (typeof classes)[number])) {
      throw new HttpError({ code: 'invalid', message: `vehicleClass must be one of ${classes.join(', ')}`, path: 'vehicleClass' });
    }
    const answer = engine.route({ from, to, alternatives, weight, vehicleClass: vehicleClass as (typeof classes)[number] | undefined });
    if (!answer.ok) {
      if (answer.code === 'no_safe_route') {
        throw new HttpError({ code: 'no_safe_route', message: answer.message, path: '', blockedBy: answer.blockedBy });
      }
      throw new HttpError({ code: 'off_network', message: answer.message, path: answer.path, distance_m: answer.distanceM });
    }
    res.json({
      type: 'FeatureCollection',
      features: answer.routes.map((r, rank) => ({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: r.coordinates },
        properties: {
          rank,
          distance_m: r.distance_m,
          duration_s: r.duration_s,
          exposure_m: r.exposure_m,
          min_clearance_m: r.min_clearance_m,
        },
      })),
    });
  });

  // ---------------------------------------------------------------- writing
  api.post('/positions', allow('positions'), async (req, res) => {
    const reports = body(validatePositionBatch(req.body, Date.now()));
    const unit = req.auth!.unit;
    if (unit !== undefined) {
      const i = reports.findIndex((r) => r.unitId !== unit);
      if (i >= 0) {
        const where = Array.isArray(req.body) ? `[${i}].unitId` : 'unitId';
        throw new HttpError({ code: 'forbidden', message: `this token may report only for unit ${unit}`, path: where });
      }
    }
    const result = await submit(req, { type: 'positions', reports });
    res.status(202).json({ accepted: reports.length, seq: result.seq });
  });

  type Kind = 'threats' | 'havens' | 'sites' | 'flows' | 'constraints' | 'convoys';
  const upserts: Record<Kind, (raw: unknown, msgId: string | undefined) => Command> = {
    threats: (raw, msgId) => ({ type: 'threat.upsert', msgId, feature: body(validateThreat(raw, Date.now())) }),
    havens: (raw, msgId) => ({ type: 'haven.upsert', msgId, haven: body(validateHaven(raw)) }),
    sites: (raw, msgId) => ({ type: 'site.upsert', msgId, site: body(validateSite(raw, Date.now())) }),
    flows: (raw, msgId) => ({ type: 'flow.upsert', msgId, flow: body(validateFlow(raw, Date.now())) }),
    constraints: (raw, msgId) => ({ type: 'constraint.upsert', msgId, constraint: body(validateConstraint(raw, Date.now())) }),
    convoys: (raw, msgId) => ({ type: 'convoy.upsert', msgId, convoy: body(validateConvoy(raw)) }),
  };
  const removes: Record<Kind, Command['type']> = {
    threats: 'threat.remove',
    havens: 'haven.remove',
    sites: 'site.remove',
    flows: 'flow.remove',
    constraints: 'constraint.remove',
    convoys: 'convoy.remove',
  };
  for (const kind of Object.keys(upserts) as Kind[]) {
    api.post(`/${kind}`, allow(kind), async (req, res) => {
      const cmd = upserts[kind](req.body, idempotencyKey(req));
      const result = await submit(req, cmd);
      res.status(result.duplicate ? 200 : 201).json({ id: await idOfSeq(result.seq), seq: result.seq });
    });
    api.delete(`/${kind}/:id`, allow(kind), async (req, res) => {
      const id = param(req);
      const result = await submit(req, { type: removes[kind], id, msgId: idempotencyKey(req) } as Command);
      res.json({ seq: result.seq });
    });
  }

  app.use('/api', api);
  for (const router of opts.routers ?? []) app.use(router);

  // ---------------------------------------------------------------- the client
  const index = path.join(opts.clientDir, 'index.html');
  app.get(PAGES, (_req, res) => {
    if (!existsSync(index)) {
      return sendError(res, 503, { code: 'unavailable', message: 'the client is not built yet: run npm run build' });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index);
  });
  app.use(express.static(opts.clientDir, { index: false, fallthrough: true }));

  app.use((req, res) => {
    sendError(res, 404, { code: 'not_found', message: `there is nothing at ${req.method} ${req.path}` });
  });

  // Errors thrown or passed on anywhere above end here: JSON, never HTML or a stack.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      if (err.status < 500) logger.warn({ code: err.error.code, path: err.error.path, tokenId: req.auth?.id, url: req.path }, 'request refused');
      return sendError(res, err.status, err.error);
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') {
      return sendError(res, 413, { code: 'payload_too_large', message: `the body is larger than ${MAX_MESSAGE_BYTES} bytes (P7)` });
    }
    if (e?.type === 'entity.parse.failed') {
      return sendError(res, 400, { code: 'bad_json', message: `the body is not JSON: ${e.message}` });
    }
    if (e?.status && e.status >= 400 && e.status < 500) {
      return sendError(res, e.status, { code: 'invalid', message: e.message ?? 'the request is not valid' });
    }
    logger.error({ err, url: req.path }, 'request failed');
    sendError(res, 500, { code: 'internal', message: 'the server failed to handle the request' });
  });
  return app;
}

function intParam(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpError({ code: 'invalid', message: `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`, path: name });
  }
  return Number(raw);
}

function lonLatParam(req: Request, name: 'from' | 'to'): [number, number] {
  const raw = req.query[name];
  const m = typeof raw === 'string' ? /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(raw) : null;
  if (!m) {
    throw new HttpError({
      code: 'invalid',
      message: `${name} must be "lon,lat" in decimal degrees, like 11.97,57.70; got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`,
      path: name,
    });
  }
  const lon = Number(m[1]);
  const lat = Number(m[2]);
  if (lon < -180 || lon > 180) throw new HttpError({ code: 'invalid', message: `${name} longitude must be from -180 to 180, got ${lon}`, path: name });
  if (lat < -90 || lat > 90) throw new HttpError({ code: 'invalid', message: `${name} latitude must be from -90 to 90, got ${lat}`, path: name });
  return [lon, lat];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small sign-in page (401): the one place an HTML answer is right, since a person reads it. */
function signInPage(res: Response, problem?: string): void {
  res.status(401).type('html').setHeader('Cache-Control', 'no-store');
  res.send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Corridor: sign in</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input,button{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}p.err{color:#b00020}</style>
</head><body data-testid="sign-in">
<h1>Corridor</h1>
${problem ? `<p class="err" role="alert">${escapeHtml(problem)}</p>` : ''}
<p>Sign in with the access token you were given (the start-up address carries the admin token).</p>
<form method="get"><label for="token">Token</label><input id="token" name="token" type="password" autocomplete="off" required><button type="submit">Sign in</button></form>
</body></html>`);
}

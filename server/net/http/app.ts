// The HTTP side (server/net/http, express 5): health, sign-in, the read and write routers of the
// API, the basemap and the built client; every error as `{"error":{"code","message","path"}}` (P5).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RoutingService } from '../../routing-service.js';
import type { TokenStore } from '../../auth/tokens.js';
import type { PictureStore } from '../../core/store.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { Outbox } from '../../out/outbox.js';
import type { Agreement } from '../../sharing/agreement.js';
import { MAX_MESSAGE_BYTES } from '@corridor/protocol';
import { HttpError, sendError } from './errors.js';
import { readRoutes, type ServerStatus } from './read-routes.js';
import { PAGES, PAPER_PAGE, PAPER_ROUTES, requireSignIn, tokenSignIn } from './sign-in.js';
import { writeRoutes } from './write-routes.js';
import { adminRoutes, type AdminOptions } from './admin-routes.js';
import { accessRoutes } from '../../access/routes.js';
import type { NetworkAccess } from '../../access/network.js';
import { replayRoutes } from './replay-routes.js';
import { displacementRoutes } from '../../displacement/routes.js';
import { exportRoutes } from './export-routes.js';
import type { ReplayService } from '../../replay/replay.js';

export { HttpError } from './errors.js';
export { PAGES } from './sign-in.js';

export interface HttpOptions {
  store: PictureStore;
  gateway: Gateway;
  tokens: TokenStore;
  routing: RoutingService;
  logger: Logger;
  /** Every read's answer, as the reader may see it. */
  outbox: Outbox;
  /** Origins besides the server's own whose pages may write with a browser's cookie. */
  allowedOrigins: readonly string[];
  /** The server's figures for `GET /api/status`. */
  status: () => ServerStatus;
  /** Folder of the built client (index.html + assets), usually dist/client. */
  clientDir: string;
  /** Extra routers mounted at the root after sign-in (the basemap: /basemap/*, /fonts/*). */
  routers?: Router[];
  /** The information-sharing agreement in force (issue 13), if any (it may be reloaded). */
  agreement: () => Agreement | undefined;
  /** After how long without a report a unit counts as stale, ms. */
  staleAfterMs: number;
  /** Reads the agreement's file again and puts it in force (`POST /api/agreement/reload`). */
  reloadAgreement?: AdminOptions['reloadAgreement'];
  /** The loaded road network's own access constraints (issue 16), if it has any. */
  networkAccess?: NetworkAccess;
  /** The after-action replay (issue 16): past pictures and exports of the log; absent, those routes are not served. */
  replay?: ReplayService;
  /** The largest import of displacement figures, bytes (`CORRIDOR_IMPORT_MAX_BYTES`, issue 17); 64 MiB when absent. */
  importMaxBytes?: number;
}

/** `/healthz`'s answer: `ok`, or `degraded` with why (the event log cannot be written). */
export function healthOf(store: PictureStore): { status: 'ok' } | { status: 'degraded'; reasons: string[] } {
  const failing = store.failing;
  if (!failing) return { status: 'ok' };
  return {
    status: 'degraded',
    reasons: [`the event log cannot be written since ${new Date(failing.sinceMs).toISOString()} (${failing.failures} failed commits): ${failing.reason}`],
  };
}

/** Builds the express application. */
export function createHttpApp(opts: HttpOptions): express.Express {
  const { store, tokens, logger } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // Liveness: the process answers; `degraded` says what does not work (issue 9: a full disk).
  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(healthOf(store));
  });
  // Readiness, for load balancers: 503 while updates cannot be stored.
  app.get('/readyz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const health = healthOf(store);
    if (health.status === 'ok') return res.json({ status: 'ready' });
    res.status(503).json({ status: 'degraded', error: { code: 'unavailable', message: health.reasons.join('; '), path: '' } });
  });

  app.use(tokenSignIn(tokens, opts.allowedOrigins));
  app.use(requireSignIn(tokens));
  // Before the reads: `GET /api/picture?at=` is the replay's (issue 16); without `at` it passes on.
  if (opts.replay) app.use('/api', replayRoutes({ ...opts, replay: opts.replay }));
  // Before the writes, whose body limit (2 MiB) is not an import's (issue 17).
  app.use('/api', displacementRoutes(opts));
  app.use('/api', readRoutes(opts));
  app.use('/api', exportRoutes(opts));
  app.use('/api', writeRoutes(opts));
  app.use('/api', adminRoutes(opts));
  app.use('/api', accessRoutes({ ...opts, network: opts.networkAccess }));
  for (const router of opts.routers ?? []) app.use(router);

  // ---------------------------------------------------------------- the client
  const index = path.join(opts.clientDir, 'index.html');
  app.get([...PAGES, ...PAPER_ROUTES], (req, res, next) => {
    // A paperwork page only for an id as ids may be; anything else is no page.
    if (req.params.id !== undefined && !PAPER_PAGE.test(req.path)) return next();
    if (!existsSync(index)) {
      return sendError(res, 503, { code: 'unavailable', message: 'the client is not built yet: run npm run build' });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index);
  });
  app.use(express.static(opts.clientDir, { index: false, fallthrough: true }));

  app.use((req, res) => {
    sendError(res, 404, { code: 'not_found', message: `there is nothing at ${req.method} ${req.path.slice(0, 200)}` });
  });

  // Errors thrown or passed on anywhere above end here: JSON, never HTML or a stack.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      // Logged per token, a few in full and the rest summarised (a flood must not fill the log).
      if (err.status < 500) opts.gateway.refused(req.sender, `http ${req.method} ${req.path.slice(0, 100)}`, err.error);
      return sendError(res, err.status, err.error, err.retryAfterS);
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') {
      return sendError(res, 413, { code: 'payload_too_large', message: `the body is larger than ${MAX_MESSAGE_BYTES} bytes (P7)` });
    }
    if (e?.status && e.status >= 400 && e.status < 500) {
      return sendError(res, e.status, { code: 'invalid', message: (e.message ?? 'the request is not valid').slice(0, 200) });
    }
    logger.error({ err, url: req.path.slice(0, 200) }, 'request failed');
    sendError(res, 500, { code: 'internal', message: 'the server failed to handle the request' });
  });
  return app;
}

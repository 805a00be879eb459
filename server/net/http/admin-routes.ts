// The administrators' part of the HTTP API (server/net/http, issue 13): the audit trail, read only by
// administrators and each reading of it recorded in the log; the sharing agreement reloaded from its
// file while the server runs. Mounted after the write routes, whose checks (origin, rate, backlog,
// the body read) every POST here has passed.
import express, { type Request } from 'express';
import type { Logger } from 'pino';
import type { PictureStore } from '../../core/store.js';
import type { Gateway } from '../../gateway/gateway.js';
import { COST } from '../../gateway/limits.js';
import { AgreementError } from '../../sharing/agreement.js';
import { auditCsv, readAuditTrail, type AuditQuery } from '../../out/audit.js';
import { allow } from './write-routes.js';
import { HttpError } from './errors.js';

export interface AdminOptions {
  store: PictureStore;
  gateway: Gateway;
  logger: Logger;
  /** Reads the agreement's file again and puts it in force; throws AgreementError. Absent: none is configured. */
  reloadAgreement?: (by: NonNullable<Request['sender']>['actor']) => Promise<{ seq: number; name: string; digest: string }>;
}

/** The item kinds the trail can be filtered by. */
const AUDIT_KINDS = ['unit', 'threat', 'haven', 'site', 'flow', 'constraint', 'convoy', 'plan', 'alert', 'agreement', 'audit', 'import', 'notice'];
const AUDIT_PARAMS = new Set(['from', 'to', 'org', 'item', 'kind', 'after', 'limit', 'format']);

/** `/audit`, `/agreement/reload`, mounted under `/api`. */
export function adminRoutes(opts: AdminOptions): express.Router {
  const api = express.Router();

  // The audit trail (issue 13): every change with who, when, the item before and after; JSON or CSV.
  api.get('/audit', allow('audit'), async (req, res) => {
    const query = auditQuery(req);
    const format = req.query.format === undefined ? 'json' : req.query.format;
    if (format !== 'json' && format !== 'csv') throw new HttpError({ code: 'invalid', message: `format must be "json" or "csv", got ${JSON.stringify(format).slice(0, 40)}`, path: 'format' });
    // Folding the log is work in proportion to it: charged as reading that many events.
    const over = opts.gateway.charge(req.sender!, COST.events(Math.max(query.limit, opts.store.picture.seq)));
    if (over) throw new HttpError({ code: over.code, message: over.message, path: '' }, 429, over.retryAfterMs / 1000);
    const page = await readAuditTrail((since, limit) => opts.store.readSince(since, limit), query);
    // Reading the trail is itself on it: who read what, before the answer leaves.
    const asked = Object.fromEntries(Object.entries(req.query).filter(([k, v]) => AUDIT_PARAMS.has(k) && typeof v === 'string').map(([k, v]) => [k, String(v).slice(0, 200)]));
    await opts.store.record({ type: 'audit.read', query: asked, rows: page.rows.length }, req.sender!.actor);
    opts.logger.info({ by: req.sender!.actor, query: asked, rows: page.rows.length }, 'audit trail read');
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.setHeader('Content-Disposition', `attachment; filename="audit-trail-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}Z.csv"`);
      if (page.next !== undefined) res.setHeader('X-Next-After', String(page.next));
      res.type('text/csv; charset=utf-8; header=present').send(auditCsv(page.rows));
      return;
    }
    res.json({ rows: page.rows, ...(page.next !== undefined ? { next: page.next } : {}), scanned: page.scanned });
  });

  // The agreement reloaded from its file (or on SIGHUP): a change logged as `agreement.changed`, and
  // every open client sent the picture it may see under the new one.
  api.post('/agreement/reload', allow('agreement'), async (req, res) => {
    if (!opts.reloadAgreement) throw new HttpError({ code: 'not_found', message: 'no information-sharing agreement file is configured (CORRIDOR_AGREEMENT)', path: '' }, 404);
    try {
      const done = await opts.reloadAgreement(req.sender!.actor);
      res.json(done);
    } catch (err) {
      if (err instanceof AgreementError) throw new HttpError({ code: 'invalid_agreement', message: `the agreement in force is unchanged: ${err.message}`, path: err.field }, 422);
      throw err;
    }
  });
  return api;
}

/** The audit query of a request's parameters, each checked. */
function auditQuery(req: Request): AuditQuery {
  const q = req.query;
  for (const k of Object.keys(q)) if (!AUDIT_PARAMS.has(k)) throw new HttpError({ code: 'invalid', message: `unknown parameter ${JSON.stringify(k).slice(0, 40)}: the audit trail takes ${[...AUDIT_PARAMS].join(', ')}`, path: k.slice(0, 40) });
  const text = (name: string, pattern: RegExp, what: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !pattern.test(v)) throw new HttpError({ code: 'invalid', message: `${name} must be ${what}, got ${JSON.stringify(v).slice(0, 80)}`, path: name });
    return v;
  };
  const time = (name: string): number | undefined => {
    const v = text(name, /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'a date or time in ISO 8601 with its zone, like 2026-12-06T10:00:00Z');
    if (v === undefined) return undefined;
    const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
    if (!Number.isFinite(ms)) throw new HttpError({ code: 'invalid', message: `${name} is not a real date or time: ${JSON.stringify(v)}`, path: name });
    return ms;
  };
  const whole = (name: string, min: number, max: number): number | undefined => {
    const v = text(name, /^\d{1,16}$/, `a whole number from ${min} to ${max}`);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (n < min || n > max) throw new HttpError({ code: 'invalid', message: `${name} must be a whole number from ${min} to ${max}, got ${n}`, path: name });
    return n;
  };
  const kind = text('kind', /^[a-z]+$/, `one of ${AUDIT_KINDS.join(', ')}`);
  if (kind !== undefined && !AUDIT_KINDS.includes(kind)) throw new HttpError({ code: 'invalid', message: `kind must be one of ${AUDIT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`, path: 'kind' });
  const fromMs = time('from');
  const toMs = time('to');
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new HttpError({ code: 'invalid', message: 'to must be after from', path: 'to' });
  const org = text('org', /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'an organisation id');
  const item = text('item', /^[^\u0000-\u001f]{1,128}$/, 'an item id of 1 to 128 characters');
  const afterSeq = whole('after', 0, Number.MAX_SAFE_INTEGER);
  return {
    ...(fromMs !== undefined ? { fromMs } : {}),
    ...(toMs !== undefined ? { toMs } : {}),
    ...(org !== undefined ? { org } : {}),
    ...(item !== undefined ? { item } : {}),
    ...(kind !== undefined ? { kind } : {}),
    ...(afterSeq !== undefined ? { afterSeq } : {}),
    limit: whole('limit', 1, 10_000) ?? 1000,
  };
}

// The displacement figures' HTTP API (server/displacement, issue 17), mounted under `/api` before the
// writes (its body limit is its own): `POST /displacement/import` reads a CSV or JSON file on the import
// thread and hands the sites it gives to the gateway as one `sites.import` command (one event, P35);
// `GET /displacement/export.csv|flows.csv|export.geojson` give the sites and flows as the caller's
// audience may see them (outbox), written a part at a time.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Flow, ProtocolError, Site } from '@corridor/protocol';
import { newId, type Command } from '../core/commands.js';
import type { Gateway } from '../gateway/gateway.js';
import { COST } from '../gateway/limits.js';
import { charger } from '../net/http/charge.js';
import { HttpError } from '../net/http/errors.js';
import { allow, writeGate } from '../net/http/write-routes.js';
import { Outbox, type Audience } from '../out/outbox.js';
import { DisplacementImporter } from './importer.js';
import { flowFeature, flowsCsvRows, FLOWS_CSV_HEAD, siteFeature, sitesCsvRows, SITES_CSV_HEAD } from './formats.js';
import type { ImportReport } from './read-import.js';

/** The largest import body by default (`CORRIDOR_IMPORT_MAX_BYTES`), bytes: 64 MiB. */
export const DEFAULT_IMPORT_MAX_BYTES = 64 * 1024 * 1024;
/** Imports read at once, server-wide; more are answered 503 (each may hold its file and more in memory). */
export const MAX_IMPORTS_AT_ONCE = 4;
/** Items written per part of an export, with a turn of the event loop between parts. */
const EXPORT_PART = 5000;

export interface DisplacementOptions {
  gateway: Gateway;
  outbox: Outbox;
  logger: Logger;
  /** Origins besides the server's own whose pages may write with a browser's cookie. */
  allowedOrigins: readonly string[];
  /** The largest import body, bytes (`CORRIDOR_IMPORT_MAX_BYTES`). */
  importMaxBytes?: number;
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The first problems of a report in a sentence: `row 4 population: "x" is not a number; …`. */
function firstProblems(report: ImportReport, n = 3): string {
  return report.errors
    .slice(0, n)
    .map((e) => `row ${e.row}${e.field ? ` ${e.field}` : ''}: ${e.message}`)
    .join('; ');
}

/** `/displacement/import`, `/displacement/export.csv`, `/displacement/flows.csv`, `/displacement/export.geojson`. */
export function displacementRoutes(opts: DisplacementOptions): express.Router {
  const { gateway, outbox } = opts;
  const limit = opts.importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
  const importer = new DisplacementImporter(opts.logger.child({ part: 'displacement-import' }));
  const audienceOf = (req: Request): Audience => outbox.audience(Outbox.recipientOf(req.sender!.actor, req.sender!.unit));
  const charge = charger(gateway);
  const api = express.Router();
  let reading = 0;

  // An import costs its size, one update per KiB (P15), up to the token's whole burst: one import of
  // any size may go through, the next waits until the token's rate has come back.
  const gate = writeGate(gateway, opts.allowedOrigins, (bytes) => Math.min(COST.message(bytes), 2 * gateway.limits.ratePerS));
  const raw = express.raw({ type: () => true, limit });
  /** The body as bytes up to the import limit; beyond it 413 saying the limit. */
  const body = (req: Request, res: Response, next: NextFunction) =>
    raw(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === 'entity.too.large') {
        return next(new HttpError({ code: 'payload_too_large', message: `the import is larger than ${limit} bytes, the most this server takes (CORRIDOR_IMPORT_MAX_BYTES); split the file`, path: '' }, 413));
      }
      next(err);
    });
  /** At most {@link MAX_IMPORTS_AT_ONCE} imports are read at once. */
  const slot = (req: Request, res: Response, next: NextFunction) => {
    if (reading >= MAX_IMPORTS_AT_ONCE) return next(new HttpError({ code: 'unavailable', message: `the server is reading ${reading} imports; try again in a moment`, path: '' }, 503, 5));
    reading++;
    res.once('close', () => reading--);
    importer.warm(Number(req.headers['content-length']) || 0);
    next();
  };

  api.post('/displacement/import', allow('sites'), gate, slot, body, async (req, res) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // The sender's default marking goes on every item as it is read, so none is copied to take it later.
    const read = await importer.read(bytes, Date.now(), { marking: gateway.defaultMarking(req.sender!, 'site') });
    const answer = read.answer;
    if ('error' in answer) throw new HttpError({ ...answer.error });
    const { asked, report } = answer;
    if (answer.problem) return refuse(res, answer.problem, report);
    if (asked.dryRun) return res.status(200).json(report);
    if (report.errorCount > 0 && !asked.skipInvalid) {
      const message = `${report.counts.skipped} of ${report.counts.rows} rows could not be read, so nothing was imported (${firstProblems(report)}${report.errorCount > 3 ? '; …' : ''}): correct them, or import the readable rows with skipInvalid`;
      return refuse(res, { code: 'invalid_rows', message, path: '' }, report);
    }
    const { sites, flows } = await read.take();
    const id = newId('im-');
    const cmd = { type: 'sites.import', import: { id, name: asked.name, rows: report.counts.rows, skipped: report.counts.skipped }, sites, flows } as Command;
    // Each row was validated on the import thread with the protocol's own validator (validateSite,
    // validateFlow); the gateway checks the role, the ids the sender may take and the markings.
    const checked = gateway.checkWith(req.sender!, 'sites.import', () => ({ ok: true, value: cmd }));
    if (!checked.ok) throw new HttpError({ ...checked.error });
    // The checks of 100,000 items and making them into the event are two pieces of work: sockets get a turn between.
    await yieldTurn();
    const seq = await new Promise<number>((resolve, reject) =>
      gateway.submit(req.sender!, checked.value, (error, result) => {
        if (!error) return resolve(result!.seq);
        const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
        reject(new HttpError({ code: error.code, message: error.message, path: error.path ?? '' }, undefined, retryAfterMs === undefined ? undefined : retryAfterMs / 1000));
      }),
    );
    res.status(201).json({ ...report, id, seq });
  });

  /** The sites and flows the caller may see, in id order, with the seq of the picture they come from. */
  const view = (req: Request): { seq: number; sites: Site[]; flows: Flow[] } => {
    const p = outbox.picture(audienceOf(req));
    const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return { seq: p.seq, sites: Object.values(p.sites).sort(byId), flows: Object.values(p.flows).sort(byId) };
  };

  /** Writes `items` a part at a time, `head` first and `tail` last, a turn of the event loop between parts. */
  const send = async <T>(res: Response, head: string, items: readonly T[], part: (items: T[]) => string, tail = '') => {
    res.write(head);
    for (let i = 0; i < items.length; i += EXPORT_PART) {
      res.write(part(items.slice(i, i + EXPORT_PART)));
      if (i + EXPORT_PART < items.length) await yieldTurn();
    }
    res.end(tail);
  };

  const headers = (res: Response, type: string, file: string) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
    res.type(type);
  };

  api.get('/displacement/export.csv', allow('read'), charge(COST.picture), async (req, res) => {
    const { seq, sites } = view(req);
    headers(res, 'text/csv; charset=utf-8', `corridor-displacement-${seq}.csv`);
    await send(res, SITES_CSV_HEAD, sites, sitesCsvRows);
  });

  api.get('/displacement/flows.csv', allow('read'), charge(COST.picture), async (req, res) => {
    const { seq, flows } = view(req);
    headers(res, 'text/csv; charset=utf-8', `corridor-flows-${seq}.csv`);
    await send(res, FLOWS_CSV_HEAD, flows, flowsCsvRows);
  });

  api.get('/displacement/export.geojson', allow('read'), charge(COST.picture), async (req, res) => {
    const { seq, sites, flows } = view(req);
    headers(res, 'application/geo+json', `corridor-displacement-${seq}.geojson`);
    const features: (() => string)[] = [...sites.map((s) => () => siteFeature(s)), ...flows.map((f) => () => flowFeature(f))];
    let first = true;
    const part = (items: (() => string)[]) => {
      const text = items.map((f) => f()).join(',');
      const out = first || text === '' ? text : `,${text}`;
      first = false;
      return out;
    };
    await send(res, `{"type":"FeatureCollection","seq":${seq},"features":[`, features, part, ']}');
  });

  return api;
}

/** A refused import: the contract's error and the same report as a dry run's, so the page can show what to correct. */
function refuse(res: Response, error: ProtocolError, report: ImportReport): void {
  res.status(400).json({ error: { ...error, path: error.path ?? '' }, ...report });
}

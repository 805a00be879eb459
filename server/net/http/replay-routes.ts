// The after-action replay's HTTP reads (server/net/http, issue 16): the picture at a past moment
// (`GET /api/picture?at=`), the log's bounds for a slider, and a window of the log as CSV or as
// GeoJSON trips. Every answer passes the outbox for the reader's audience; seeks run on a seek thread
// (server/replay), exports are read and written a page at a time with turns of the event loop between.
import express, { type Request, type Response } from 'express';
import { charger } from './charge.js';
import type { PictureEvent } from '@corridor/protocol';
import type { Gateway } from '../../gateway/gateway.js';
import { COST } from '../../gateway/limits.js';
import { Outbox, type Audience } from '../../out/outbox.js';
import type { AppendedEvent, StoredEvent } from '../../log/event-log.js';
import { ReplayError, type ReplayService } from '../../replay/replay.js';
import { replayCsvHead, replayCsvPart, TrackBuilder } from '../../replay/exports.js';
import { allow } from './write-routes.js';
import { HttpError } from './errors.js';

export interface ReplayRouteOptions {
  replay: ReplayService;
  gateway: Gateway;
  outbox: Outbox;
  /** After how long without a report a unit counts as stale, ms (sent with every picture). */
  staleAfterMs: number;
  /** Clock, ms since epoch. */
  now?: () => number;
}

/** The longest window an export covers, ms (24 h). */
export const MAX_WINDOW_MS = 24 * 3_600_000;
/** The most events an export reads (a window of a busy day is refused: narrow it). */
export const MAX_EXPORT_EVENTS = 1_000_000;
/** Events read, passed to the audience and written per part of an export. */
const PAGE = 2000;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * A query parameter holding an ISO 8601 time with its zone, as ms since epoch; undefined when absent.
 * Throws a 400 `invalid` naming the parameter otherwise.
 * @example isoParam({ query: { at: '2026-12-06T14:30:00Z' } } as Request, 'at') // 1796567400000
 */
export function isoParam(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const ms = typeof raw === 'string' && ISO_TIME.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) {
    throw new HttpError({
      code: 'invalid',
      message: `${name} must be an ISO 8601 time with its zone, like 2026-12-06T14:30:00Z; got ${JSON.stringify(raw).slice(0, 80)}`,
      path: name,
    });
  }
  return ms;
}

/** `from` and `to` of an export: both given, `from <= to`, at most {@link MAX_WINDOW_MS} apart. */
function windowParams(req: Request): { fromMs: number; toMs: number } {
  const fromMs = isoParam(req, 'from');
  const toMs = isoParam(req, 'to');
  if (fromMs === undefined) throw new HttpError({ code: 'invalid', message: 'from is required: the start of the window, an ISO 8601 time like 2026-12-06T14:30:00Z', path: 'from' });
  if (toMs === undefined) throw new HttpError({ code: 'invalid', message: 'to is required: the end of the window, an ISO 8601 time like 2026-12-06T15:30:00Z', path: 'to' });
  if (fromMs > toMs) throw new HttpError({ code: 'invalid', message: `from (${new Date(fromMs).toISOString()}) is after to (${new Date(toMs).toISOString()})`, path: 'from' });
  if (toMs - fromMs > MAX_WINDOW_MS) {
    throw new HttpError({ code: 'invalid', message: `the window is ${((toMs - fromMs) / 3_600_000).toFixed(1)} h long; an export covers at most ${MAX_WINDOW_MS / 3_600_000} h`, path: 'to' });
  }
  return { fromMs, toMs };
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `/picture?at=`, `/replay/range`, `/replay/events.csv`, `/replay/tracks.geojson`, mounted under `/api` before the reads. */
export function replayRoutes(opts: ReplayRouteOptions): express.Router {
  const { replay, gateway, outbox } = opts;
  const now = opts.now ?? Date.now;
  const audienceOf = (req: Request): Audience => outbox.audience(Outbox.recipientOf(req.sender!.actor, req.sender!.unit));
  const api = express.Router();

  /** Charges a read to the token's rate (P15), as read-routes.ts does. */
  const charge = charger(gateway);

  /** The events of a window: the first and last seq, refused when there are too many. */
  const windowSeqs = (req: Request): { fromMs: number; toMs: number; after: number; upTo: number } => {
    const { fromMs, toMs } = windowParams(req);
    const after = replay.seqAt(fromMs - 1);
    const upTo = replay.seqAt(toMs);
    if (upTo - after > MAX_EXPORT_EVENTS) {
      throw new HttpError({ code: 'invalid', message: `the window holds ${upTo - after} events; an export reads at most ${MAX_EXPORT_EVENTS}: choose a shorter window`, path: 'to' });
    }
    return { fromMs, toMs, after, upTo };
  };
  // An export reads its window's events: charged as that many rows (P15), the window's bounds found first.
  const chargeWindow = charge((req) => {
    const w = windowSeqs(req);
    (req as Request & { window?: typeof w }).window = w;
    return COST.events(Math.max(1, w.upTo - w.after));
  });
  const windowOf = (req: Request) => (req as Request & { window?: ReturnType<typeof windowSeqs> }).window!;

  /** Reads a window a page at a time, as the audience may see it, handing each page on; stops when the reader goes. */
  const eachPage = async (req: Request, res: Response, after: number, upTo: number, page: (events: PictureEvent[]) => Promise<void> | void) => {
    const audience = audienceOf(req);
    let gone = false;
    res.once('close', () => (gone = true));
    while (after < upTo && !gone) {
      const rows = replay.read(after, upTo, PAGE);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].seq;
      const seen = outbox.events(audience, rows as StoredEvent[]) as Array<StoredEvent | AppendedEvent>;
      await page(seen.map((r) => ('event' in r ? r.event : (JSON.parse(r.json) as PictureEvent))));
      await yieldTurn();
    }
  };

  // The picture at a past moment (issue 16): without `at`, the live picture's route (read-routes.ts) answers.
  api.get(
    '/picture',
    (req, _res, next) => (req.query.at === undefined ? next('route') : next()),
    allow('read'),
    charge((req) => ((isoParam(req, 'at') ?? 0) >= now() ? COST.picture : COST.resync)),
    async (req, res) => {
      const atMs = isoParam(req, 'at')!;
      const at = new Date(atMs).toISOString();
      const audience = audienceOf(req);
      res.setHeader('Cache-Control', 'no-store');
      const head = (seq: number, live: boolean) => `{"seq":${seq},"at":${JSON.stringify(at)},"atMs":${atMs},"live":${live},"staleAfterMs":${opts.staleAfterMs},"serverTimeMs":${now()}`;
      // A time at or after now is the live picture; so is a moment after which nothing was stored,
      // but for an audience given items late (its live picture shows them as they were; a past one withholds them).
      const live = outbox.pictureJson(audience);
      if (atMs >= now() || (replay.seqAt(atMs) === live.seq && !outbox.delayed(audience))) {
        res.type('application/json').send(`${head(live.seq, atMs >= now())},"picture":${live.json}}`);
        return;
      }
      let found;
      try {
        found = await replay.seek(atMs);
      } catch (err) {
        if (err instanceof ReplayError) throw new HttpError({ code: err.code, message: err.message, path: err.code === 'outside_window' ? 'at' : '' }, undefined, err.retryAfterS);
        throw err;
      }
      res.type('application/json').send(`${head(found.seq, false)},"picture":${outbox.pastPictureJson(audience, found.json)}}`);
    },
  );

  // The slider's bounds: the log's first and last events.
  api.get('/replay/range', allow('read'), charge(() => COST.request), (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(replay.range());
  });

  // A window's events as CSV (RFC 4180, BOM, CRLF), one line per item changed, as the audience sees them.
  api.get('/replay/events.csv', allow('read'), chargeWindow, async (req, res) => {
    const { fromMs, toMs, after, upTo } = windowOf(req);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="corridor-events-${stamp(fromMs)}-${stamp(toMs)}.csv"`);
    res.type('text/csv; charset=utf-8');
    const write = (text: string) => (res.write(text) ? Promise.resolve() : new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve))));
    await write(replayCsvHead());
    try {
      await eachPage(req, res, after, upTo, async (events) => {
        const part = replayCsvPart(events);
        if (part) await write(part);
      });
      res.end();
    } catch (err) {
      // The head is sent: a failure midway can only cut the answer short, which the reader sees.
      res.destroy(err as Error);
    }
  });

  // A window's unit trips and corridors as GeoJSON for Kepler.gl's trip layer, as the audience sees them.
  api.get('/replay/tracks.geojson', allow('read'), chargeWindow, async (req, res) => {
    const { fromMs, toMs, after, upTo } = windowOf(req);
    const seen = outbox.picture(audienceOf(req));
    const builder = new TrackBuilder((id) => (Object.hasOwn(seen.convoys, id) ? seen.convoys[id].name : undefined));
    await eachPage(req, res, after, upTo, (events) => builder.add(events));
    const { features } = builder.collection();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="corridor-tracks-${stamp(fromMs)}-${stamp(toMs)}.geojson"`);
    res.type('application/geo+json');
    // Written a feature at a time with turns of the event loop between, never as one text of a million fixes.
    const properties = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), firstSeq: after + 1, lastSeq: upTo };
    const write = (text: string) => (res.write(text) ? Promise.resolve() : new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve))));
    try {
      await write(`{"type":"FeatureCollection","properties":${JSON.stringify(properties)},"features":[`);
      let started = performance.now();
      for (let i = 0; i < features.length && !res.destroyed; i++) {
        await write(`${i === 0 ? '' : ','}${JSON.stringify(features[i])}`);
        if (performance.now() - started > 10) {
          await yieldTurn();
          started = performance.now();
        }
      }
      res.end(']}');
    } catch (err) {
      res.destroy(err as Error);
    }
  });

  return api;
}

/** A time for a file name: `20261206T143000Z`. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';
}

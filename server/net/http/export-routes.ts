// The GIS and field-device exports over HTTP (server/net/http, issue 18), mounted under `/api` with the
// other reads: `GET /convoys/:id/route.{geojson,kml,gpx}` (a convoy's corridor, points and what lies
// near its route) and `GET /picture.{geojson,kml,gpx}` (everything the caller may see). Each is made
// from the picture as the caller's audience may see it (the outbox's view, never the stored picture),
// charged as a read of the picture, and written a part at a time with turns of the event loop between.
import express, { type Request, type Response } from 'express';
import type { Gateway } from '../../gateway/gateway.js';
import { COST } from '../../gateway/limits.js';
import { Outbox, type Audience } from '../../out/outbox.js';
import { pictureExport, routeExport, type GeoExport } from '../../out/geo-export.js';
import { geojsonParts } from '../../out/geojson-export.js';
import { gpxParts } from '../../out/gpx-export.js';
import { kmlParts } from '../../out/kml-export.js';
import { charger } from './charge.js';
import { HttpError } from './errors.js';
import { allow } from './write-routes.js';

export interface ExportOptions {
  gateway: Gateway;
  /** Every export is what the caller's audience may see. */
  outbox: Outbox;
}

/** The formats, by file extension: media type and writer. */
export const EXPORT_FORMATS = {
  geojson: { type: 'application/geo+json', parts: geojsonParts },
  kml: { type: 'application/vnd.google-earth.kml+xml', parts: kmlParts },
  gpx: { type: 'application/gpx+xml', parts: gpxParts },
} as const;
type Format = keyof typeof EXPORT_FORMATS;

/** Text written at once before the event loop gets a turn, characters (about 64 KiB). */
const PART_CHARS = 64 * 1024;

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Until the socket has taken what was written (or closed). */
const drained = (res: Response) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });

/** A file name's part made of safe characters (`cv-1`, never a quote or a slash). */
function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
}

/**
 * Writes a document's parts, about {@link PART_CHARS} at a time: after each, a turn of the event loop
 * (or the socket's drain); stops when the caller went away.
 */
async function send(res: Response, format: Format, file: string, doc: GeoExport): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
  res.setHeader('Content-Type', `${EXPORT_FORMATS[format].type}; charset=utf-8`);
  let buffer = '';
  try {
    for (const part of EXPORT_FORMATS[format].parts(doc)) {
      buffer += part;
      if (buffer.length < PART_CHARS) continue;
      const more = res.write(buffer);
      buffer = '';
      if (res.destroyed) return;
      if (more) await yieldTurn();
      else await drained(res);
      if (res.destroyed) return;
    }
    res.end(buffer);
  } catch (err) {
    // Once the head is sent no error answer can follow: the download breaks off instead of ending as if whole.
    if (!res.headersSent) throw err;
    res.destroy(err as Error);
  }
}

/** `/convoys/:id/route.{geojson,kml,gpx}` and `/picture.{geojson,kml,gpx}`, mounted under `/api`. */
export function exportRoutes(opts: ExportOptions): express.Router {
  const { outbox } = opts;
  const audienceOf = (req: Request): Audience => outbox.audience(Outbox.recipientOf(req.sender!.actor, req.sender!.unit));
  const charge = charger(opts.gateway);
  const api = express.Router();

  for (const format of Object.keys(EXPORT_FORMATS) as Format[]) {
    api.get(`/convoys/:id/route.${format}`, allow('read'), charge(COST.picture), async (req, res) => {
      const view = outbox.picture(audienceOf(req));
      const id = String(req.params.id);
      const doc = routeExport(view, id, Date.now());
      // Unknown and not visible are the same answer: an export says nothing of what the caller may not see.
      if (!doc) throw new HttpError({ code: 'not_found', message: `no convoy ${JSON.stringify(id).slice(0, 80)} in the picture`, path: 'id' });
      const version = Object.hasOwn(view.corridors, id) ? view.corridors[id].version : undefined;
      await send(res, format, `corridor-route-${fileSafe(id)}${version !== undefined ? `-v${version}` : ''}.${format}`, doc);
    });

    api.get(`/picture.${format}`, allow('read'), charge(COST.picture), async (req, res) => {
      const view = outbox.picture(audienceOf(req));
      await send(res, format, `corridor-picture-${view.seq}.${format}`, pictureExport(view, Date.now()));
    });
  }
  return api;
}

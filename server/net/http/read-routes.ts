// The HTTP API's reads (server/net/http): the picture, convoys, the audit trail and route queries.
// Every role may read (roles.ts); nothing here changes state.
import express, { type Request } from 'express';
import { charger } from './charge.js';
import type { RoutingService } from '../../routing-service.js';
import type { PictureStore } from '../../core/store.js';
import type { Gateway } from '../../gateway/gateway.js';
import { Outbox, type Audience } from '../../out/outbox.js';
import { COST } from '../../gateway/limits.js';
import { actionsOf } from '../../auth/roles.js';
import { havenBook, planFigures, VehicleClassSchema } from '@corridor/protocol';
import type { Agreement } from '../../sharing/agreement.js';
import { allow } from './write-routes.js';
import { alertView, convoyView } from './convoy-view.js';
import { HttpError } from './errors.js';
import { isoParam } from './replay-routes.js';
import type { ReplayService } from '../../replay/replay.js';
import { cotDataPackage, cotDocument, cotItems, corridorUid } from '../../out/cot-picture.js';

/** What `GET /api/status` tells an administrator (and the message benchmark). */
export interface ServerStatus {
  seq: number;
  /** Picture sockets open. */
  clients: number;
  /** Updates queued or committing. */
  backlog: number;
  uptimeS: number;
  rssMb: number;
  /** The event loop since the previous call: its longest stall, 99th percentile and mean, ms. */
  eventLoop: { maxMs: number; p99Ms: number; meanMs: number; sinceMs: number };
}

export interface ReadOptions {
  store: PictureStore;
  gateway: Gateway;
  /** The server's figures for `GET /api/status`; the event-loop figures restart at each call. */
  status: () => ServerStatus;
  routing: RoutingService;
  /** Every answer here is what the reader's audience may see. */
  outbox: Outbox;
  /** The information-sharing agreement in force (issue 13), if any. */
  agreement: () => Agreement | undefined;
  /** After how long without a report a unit counts as stale, ms (CoT stale times). */
  staleAfterMs: number;
  /** The after-action replay (issue 16): the seq that stood at a moment, for `GET /events?until=`. */
  replay?: Pick<ReplayService, 'seqAt'>;
}

const VEHICLE_CLASSES = VehicleClassSchema.anyOf.map((s) => s.const);

/** `/me`, `/picture`, `/convoys`, `/convoys/:id`, `/convoys/:id/notice`, `/alerts`, `/events`, `/route`, mounted under `/api`. */
export function readRoutes(opts: ReadOptions): express.Router {
  const { store, routing, gateway, outbox } = opts;
  const audienceOf = (req: Request): Audience => outbox.audience(Outbox.recipientOf(req.sender!.actor, req.sender!.unit));
  const api = express.Router();

  /** Charges a read to the token's rate (P15): as much as the work it makes the server do. */
  const charge = charger(gateway);

  // The picture's text is made once per audience and seq however many ask for it (outbox.ts).
  api.get('/picture', allow('read'), charge(() => COST.picture), (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/json').send(outbox.pictureResponse(audienceOf(req)));
  });

  // Convoys with their corridors as GeoJSON (convoy-view.ts), as the reader's audience may see them.
  api.get('/convoys', allow('read'), charge(() => COST.picture), (req, res) => {
    const p = outbox.picture(audienceOf(req));
    res.json({ seq: p.seq, convoys: Object.values(p.convoys).map((c) => convoyView(c, p)) });
  });

  api.get('/convoys/:id', allow('read'), charge(() => COST.picture), (req, res) => {
    const p = outbox.picture(audienceOf(req));
    const id = String(req.params.id);
    const convoy = Object.hasOwn(p.convoys, id) ? p.convoys[id] : undefined;
    if (!convoy) throw new HttpError({ code: 'not_found', message: `no convoy ${JSON.stringify(id).slice(0, 80)} in the picture`, path: 'id' });
    res.json({ seq: p.seq, convoy: convoyView(convoy, p) });
  });

  // A convoy's deconfliction notice (issue 18, P36) as the reader may see it: its reference, version,
  // status, window, ordered roads and the rest; `404 not_found` for a convoy without one (not yet approved).
  api.get('/convoys/:id/notice', allow('read'), charge(() => COST.picture), (req, res) => {
    const p = outbox.picture(audienceOf(req));
    const id = String(req.params.id);
    if (!Object.hasOwn(p.convoys, id)) throw new HttpError({ code: 'not_found', message: `no convoy ${JSON.stringify(id).slice(0, 80)} in the picture`, path: 'id' });
    const notice = Object.hasOwn(p.notices, id) ? p.notices[id] : undefined;
    if (!notice) throw new HttpError({ code: 'not_found', message: `convoy ${JSON.stringify(id).slice(0, 80)} has no deconfliction notice: one is drafted once it is approved and routed`, path: 'id' });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ...notice, seq: p.seq });
  });

  // The picture as Cursor-on-Target (issue 14), as the reader's audience may see it: one XML document of
  // events, a TAK data package to import (zip), a convoy's corridor as a route ATAK can navigate.
  api.get('/cot', allow('read'), charge(() => COST.picture), (req, res) => {
    const now = Date.now();
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/xml').send(cotDocument(cotItems(outbox.picture(audienceOf(req)), opts.staleAfterMs, now), now));
  });

  api.get('/cot.zip', allow('read'), charge(() => COST.picture), (req, res) => {
    const now = Date.now();
    const p = outbox.picture(audienceOf(req));
    const stamp = new Date(now).toISOString().slice(0, 19).replace(/:/g, '');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="corridor-picture-${stamp}Z.zip"`);
    res.type('application/zip').send(Buffer.from(cotDataPackage(cotItems(p, opts.staleAfterMs, now), now, `Corridor picture ${stamp}Z (seq ${p.seq})`, `corridor-picture-${p.seq}`)));
  });

  api.get('/convoys/:id/route.cot', allow('read'), charge(() => COST.picture), (req, res) => {
    const p = outbox.picture(audienceOf(req));
    const id = String(req.params.id);
    if (!Object.hasOwn(p.convoys, id)) throw new HttpError({ code: 'not_found', message: `no convoy ${JSON.stringify(id).slice(0, 80)} in the picture`, path: 'id' });
    const now = Date.now();
    const route = cotItems({ ...p, units: {}, threats: {}, havens: {}, sites: {}, corridors: Object.hasOwn(p.corridors, id) ? { [id]: p.corridors[id] } : {} } as typeof p, opts.staleAfterMs, now).get(corridorUid(id));
    if (!route) throw new HttpError({ code: 'not_found', message: `convoy ${JSON.stringify(id).slice(0, 80)} has no safe route to give`, path: 'id' });
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/xml').send(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${route.xml(now)}`);
  });

  // Evacuation plans with their convoys in the order they leave and their people by target group (issue 12).
  api.get('/plans', allow('read'), charge(() => COST.picture), (req, res) => {
    const p = outbox.picture(audienceOf(req));
    res.json({ seq: p.seq, plans: Object.values(p.plans).map((plan) => ({ ...plan, ...planFigures(plan, p) })) });
  });

  api.get('/plans/:id', allow('read'), charge(() => COST.picture), (req, res) => {
    const p = outbox.picture(audienceOf(req));
    const id = String(req.params.id);
    const plan = Object.hasOwn(p.plans, id) ? p.plans[id] : undefined;
    if (!plan) throw new HttpError({ code: 'not_found', message: `no evacuation plan ${JSON.stringify(id).slice(0, 80)} in the picture`, path: 'id' });
    res.json({ seq: p.seq, plan: { ...plan, ...planFigures(plan, p) } });
  });

  // The information-sharing agreement in force (issue 13): its organisations, markings and rules, which
  // every party has agreed to and may read; 404 when none is configured.
  api.get('/agreement', allow('read'), (req, res) => {
    const agreement = opts.agreement();
    if (!agreement) throw new HttpError({ code: 'not_found', message: 'no information-sharing agreement is in force (CORRIDOR_AGREEMENT=none)', path: '' });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ agreement });
  });

  // Who the caller is and what it may do: a page shows only the controls its user may use.
  api.get('/me', (req, res) => {
    const s = req.sender!;
    res.setHeader('Cache-Control', 'no-store');
    // The agreement under which the picture reaches it (issue 13), so a page can say so.
    const inForce = opts.agreement();
    const org = inForce?.organisations.find((o) => o.id === s.actor.org);
    const agreement = inForce ? { name: inForce.name, org: org ? { id: org.id, kind: org.kind, defaultMarking: org.defaultMarking } : null, markings: inForce.markings } : null;
    res.json({ tokenId: s.tokenId, org: s.actor.org, role: s.role, unit: s.unit ?? null, actions: actionsOf(s.role), agreement });
  });

  // Havens with their places: occupied, reserved by convoys approved or under way, free (P23).
  api.get('/havens', allow('read'), charge(() => COST.picture), (req, res) => {
    const p = outbox.picture(audienceOf(req));
    const book = havenBook(p);
    res.json({ seq: p.seq, havens: Object.values(p.havens).map((h) => ({ ...h, reserved: book[h.id].reserved, free: book[h.id].free, convoys: book[h.id].convoys })) });
  });

  // Alerts still shown (P21): not both acknowledged and cleared, oldest first, each with its convoy.
  api.get('/alerts', allow('read'), charge(() => COST.picture), (req, res) => {
    const p = outbox.picture(audienceOf(req));
    const alerts = Object.values(p.alerts)
      .sort((a, b) => a.raisedMs - b.raisedMs)
      .map((a) => ({ ...alertView(a), convoyId: a.convoyId }));
    res.json({ seq: p.seq, alerts });
  });

  api.get('/events', allow('read'), charge((req) => COST.events(Math.min(10_000, Number(req.query.limit) || 1000))), async (req, res) => {
    const since = intParam(req, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(req, 'limit', 1000, 1, 10_000);
    // Playback of the replay (issue 16): `until` stops before the first event stored later than it.
    const untilMs = isoParam(req, 'until');
    if (untilMs !== undefined && !opts.replay) throw new HttpError({ code: 'unavailable', message: 'this server keeps no replay of its log', path: 'until' });
    const untilSeq = untilMs === undefined ? undefined : opts.replay!.seqAt(untilMs);
    const skip = typesParam(req, 'skip');
    if (skip) {
      // The facts of the log without the types named (the replay's list without the stream of positions):
      // at most SKIP_SCAN seqs are looked at per call, and `scannedTo` says where the next call starts.
      const toSeq = Math.min(untilSeq ?? store.picture.seq, since + SKIP_SCAN);
      const stored = toSeq <= since ? [] : await store.readSkipping(since, toSeq, limit, skip);
      const scannedTo = stored.length === limit ? stored[stored.length - 1].seq : Math.max(since, toSeq);
      const rows = outbox.events(audienceOf(req), stored);
      res.type('application/json').send(`{"seq":${store.picture.seq},${untilSeq === undefined ? '' : `"untilSeq":${untilSeq},`}"scannedTo":${scannedTo},"events":[${rows.map((r) => r.json).join(',')}]}`);
      return;
    }
    const count = untilSeq === undefined ? limit : Math.min(limit, Math.max(0, untilSeq - since));
    const rows = count === 0 ? [] : outbox.events(audienceOf(req), await store.readSince(since, count));
    res.type('application/json').send(`{"seq":${store.picture.seq},${untilSeq === undefined ? '' : `"untilSeq":${untilSeq},`}"events":[${rows.map((r) => r.json).join(',')}]}`);
  });

  api.get('/status', allow('status'), (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(opts.status());
  });

  api.get('/route', allow('read'), charge(() => COST.route), async (req, res) => {
    const from = lonLatParam(req, 'from');
    const to = lonLatParam(req, 'to');
    const alternatives = intParam(req, 'alternatives', 0, 0, 5);
    const weight = req.query.weight ?? 'time';
    if (weight !== 'time' && weight !== 'distance') {
      throw new HttpError({ code: 'invalid', message: `weight must be "time" or "distance", got ${JSON.stringify(weight).slice(0, 80)}`, path: 'weight' });
    }
    const vehicleClass = req.query.vehicleClass;
    if (vehicleClass !== undefined && !VEHICLE_CLASSES.includes(vehicleClass as (typeof VEHICLE_CLASSES)[number])) {
      throw new HttpError({ code: 'invalid', message: `vehicleClass must be one of ${VEHICLE_CLASSES.join(', ')}`, path: 'vehicleClass' });
    }
    const answer = await routing.route({ from, to, alternatives, weight, vehicleClass: vehicleClass as (typeof VEHICLE_CLASSES)[number] | undefined });
    if (!answer.ok) {
      if (answer.code === 'no_safe_route') {
        // A refusal names only the zones the reader may know of.
        const blockedBy = outbox.zones(audienceOf(req), answer.blockedBy);
        const message = blockedBy.length === answer.blockedBy.length ? answer.message : 'no safe route between these points: every path is cut by a zone or constraint';
        throw new HttpError({ code: 'no_safe_route', message, path: '', blockedBy });
      }
      throw new HttpError({ code: 'off_network', message: answer.message, path: answer.path, distance_m: answer.distanceM });
    }
    const fewer = answer.fewerAlternatives;
    res.json({
      type: 'FeatureCollection',
      // Fewer alternatives than asked: which limits no other route kept, in figures and in a sentence.
      ...(fewer
        ? {
            alternatives: {
              ...fewer,
              why: `${fewer.found} of the ${fewer.asked} alternatives asked for: no other route takes at most ${fewer.maxStretch} times the best route's ${weight === 'distance' ? 'length' : 'time'} while sharing less than ${Math.round(fewer.maxShared * 100)} % of its length with a better one (on a road network with few loops, or between ends joined one way only, there is often none)`,
            },
          }
        : {}),
      features: answer.routes.map((r, rank) => ({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: r.coordinates },
        properties: {
          rank,
          distance_m: r.distance_m,
          duration_s: r.duration_s,
          exposure_m: r.exposure_m,
          min_clearance_m: r.min_clearance_m,
          // The roads it follows, in order (issue 18).
          ...(r.roads ? { roads: r.roads } : {}),
        },
      })),
    });
  });
  return api;
}

/** Most seqs one `GET /api/events?skip=` looks at: about 10 ms of SQLite on the main thread (40 ms for 200,000 measured). */
const SKIP_SCAN = 50_000;

/**
 * A comma-separated list of event types (`skip=position.reported,convoy.tracked`), each once, at most
 * 20; undefined when absent; 400 naming the parameter when it is not one.
 */
function typesParam(req: Request, name: string): string[] | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const types = typeof raw === 'string' ? raw.split(',') : [];
  if (types.length === 0 || types.length > 20 || new Set(types).size !== types.length || !types.every((t) => /^[a-z][a-z-]{0,40}\.[a-z][a-z-]{0,40}$/.test(t))) {
    throw new HttpError({ code: 'invalid', message: `${name} must be up to 20 event types like position.reported, comma-separated, each once; got ${JSON.stringify(raw).slice(0, 80)}`, path: name });
  }
  return types;
}

function intParam(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpError({ code: 'invalid', message: `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw).slice(0, 80)}`, path: name });
  }
  return Number(raw);
}

/** A `lon,lat` query parameter in decimal degrees (`from`, `to`); 400 naming it when it is not one. */
export function lonLatParam(req: Request, name: 'from' | 'to'): [number, number] {
  const raw = req.query[name];
  const m = typeof raw === 'string' ? /^\s*(-?\d{1,3}(?:\.\d{1,15})?)\s*,\s*(-?\d{1,2}(?:\.\d{1,15})?)\s*$/.exec(raw) : null;
  if (!m) {
    throw new HttpError({
      code: 'invalid',
      message: `${name} must be "lon,lat" in decimal degrees, like 11.97,57.70; got ${raw === undefined ? 'nothing' : JSON.stringify(raw).slice(0, 80)}`,
      path: name,
    });
  }
  const lon = Number(m[1]);
  const lat = Number(m[2]);
  if (lon < -180 || lon > 180) throw new HttpError({ code: 'invalid', message: `${name} longitude must be from -180 to 180, got ${lon}`, path: name });
  if (lat < -90 || lat > 90) throw new HttpError({ code: 'invalid', message: `${name} latitude must be from -90 to 90, got ${lat}`, path: name });
  return [lon, lat];
}

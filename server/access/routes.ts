// The access view's API (server/access, issue 16), mounted under `/api`: the network's own constraints,
// the access list (JSON, CSV, GeoJSON), a constraint's history and "can we get from A to B now".
// Every answer is what the caller's audience may see (outbox); the router works on its own thread.
import express, { type Request } from 'express';
import { charger } from '../net/http/charge.js';
import { VehicleClassSchema, type Picture, type RouteLeg, type VehicleClass, type ZoneRef } from '@corridor/protocol';
import type { Gateway } from '../gateway/gateway.js';
import { COST } from '../gateway/limits.js';
import { HttpError } from '../net/http/errors.js';
import { lonLatParam } from '../net/http/read-routes.js';
import { allow } from '../net/http/write-routes.js';
import { Outbox, type Audience } from '../out/outbox.js';
import type { RoutingService } from '../routing-service.js';
import { RESTRICTED_AREA } from '../sharing/policy.js';
import { accessCsv, accessGeoJson } from './formats.js';
import { AccessQueryError, accessList, parseAccessQuery, type AccessItem } from './list.js';
import { NetworkAccess } from './network.js';

export interface AccessOptions {
  gateway: Gateway;
  routing: RoutingService;
  outbox: Outbox;
  /** The loaded network's own constraints (none when the road file has no assessment tags). */
  network?: NetworkAccess;
  /** Clock for the list's age filters, ms since epoch. */
  now?: () => number;
}

/**
 * What an access check costs the caller's rate (P15): the best route, and when there is none, the
 * blocking search and up to MAX_OPENER_TRIES searches with one zone lifted (routing/router.ts).
 */
export const ACCESS_CHECK_COST = 3 * COST.route;

const VEHICLE_CLASSES = VehicleClassSchema.anyOf.map((s) => s.const) as readonly string[];

/** The route figures an access answer gives, with the roads it follows (issue 18). */
function figures(r: RouteLeg): Pick<RouteLeg, 'coordinates' | 'distance_m' | 'duration_s' | 'exposure_m' | 'min_clearance_m' | 'roads'> {
  return { coordinates: r.coordinates, distance_m: r.distance_m, duration_s: r.duration_s, exposure_m: r.exposure_m, min_clearance_m: r.min_clearance_m, ...(r.roads ? { roads: r.roads } : {}) };
}

/** `/access/network`, `/access/constraints{,.csv,.geojson}`, `/access/constraints/:id/history`, `/access/check`. */
export function accessRoutes(opts: AccessOptions): express.Router {
  const { gateway, routing, outbox } = opts;
  const network = opts.network ?? NetworkAccess.none;
  const now = opts.now ?? Date.now;
  const audienceOf = (req: Request): Audience => outbox.audience(Outbox.recipientOf(req.sender!.actor, req.sender!.unit));
  const api = express.Router();

  const charge = charger(gateway);

  /** Of some zone and constraint references, those the audience may know of; withheld ones become one `restricted-area` per kind. */
  const visible = (audience: Audience, refs: readonly ZoneRef[]): { refs: ZoneRef[]; withheld: boolean } => {
    if (refs.length === 0) return { refs: [], withheld: false };
    const known = new Set(outbox.zones(audience, refs.map((r) => r.id)));
    const out = refs.filter((r) => known.has(r.id) && r.id !== RESTRICTED_AREA);
    const hiddenKinds = [...new Set(refs.filter((r) => !known.has(r.id)).map((r) => r.kind))];
    return { refs: [...out, ...hiddenKinds.map((kind) => ({ kind, id: RESTRICTED_AREA }))], withheld: hiddenKinds.length > 0 };
  };

  // The network's own closed and restricted roads: the same for every caller (the road file is shared
  // by all), made once per loaded network, so a client may keep it while its ETag holds.
  api.get('/access/network', allow('read'), charge(COST.request), (req, res) => {
    res.setHeader('ETag', network.etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    const asked = String(req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (asked.includes(network.etag) || asked.includes('*')) return res.status(304).end();
    res.type('application/geo+json').send(network.geojson);
  });

  const list = (req: Request): { seq: number; items: AccessItem[] } => {
    let filter;
    try {
      filter = parseAccessQuery(req.query as Record<string, unknown>);
    } catch (err) {
      if (err instanceof AccessQueryError) throw new HttpError({ code: 'invalid', message: err.message, path: err.path });
      throw err;
    }
    const p = outbox.picture(audienceOf(req));
    return { seq: p.seq, items: accessList(p, network.items, filter, now()) };
  };

  api.get('/access/constraints', allow('read'), charge(COST.picture), (req, res) => {
    const { seq, items } = list(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ seq, constraints: items });
  });

  api.get('/access/constraints.csv', allow('read'), charge(COST.picture), (req, res) => {
    const { seq, items } = list(req);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="corridor-access-${seq}.csv"`);
    res.type('text/csv; charset=utf-8').send(accessCsv(items));
  });

  api.get('/access/constraints.geojson', allow('read'), charge(COST.picture), (req, res) => {
    const { seq, items } = list(req);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="corridor-access-${seq}.geojson"`);
    res.type('application/geo+json').send(accessGeoJson(items, seq));
  });

  // One constraint's changes as the audience may see them; one it may not see is answered as one that
  // does not exist (the same words), so an id says nothing of what is withheld.
  api.get('/access/constraints/:id/history', allow('read'), charge(COST.request), (req, res) => {
    const id = String(req.params.id);
    const p = outbox.picture(audienceOf(req));
    const c = Object.hasOwn(p.constraints, id) ? p.constraints[id] : undefined;
    res.setHeader('Cache-Control', 'no-store');
    if (c) return res.json({ seq: p.seq, id, origin: 'picture', history: c.history ?? [] });
    // The network's roads change only with the road file: they have no history here.
    if (network.items.some((i) => i.id === id)) return res.json({ seq: p.seq, id, origin: 'network', history: [] });
    throw new HttpError({ code: 'not_found', message: `no access constraint ${JSON.stringify(id).slice(0, 80)}`, path: 'id' });
  });

  api.get('/access/check', allow('read'), charge(ACCESS_CHECK_COST), async (req, res) => {
    const from = lonLatParam(req, 'from');
    const to = lonLatParam(req, 'to');
    const weight = req.query.weight ?? 'time';
    if (weight !== 'time' && weight !== 'distance') {
      throw new HttpError({ code: 'invalid', message: `weight must be "time" or "distance", got ${JSON.stringify(weight).slice(0, 80)}`, path: 'weight' });
    }
    const vehicleClass = req.query.vehicleClass;
    if (vehicleClass !== undefined && (typeof vehicleClass !== 'string' || !VEHICLE_CLASSES.includes(vehicleClass))) {
      throw new HttpError({ code: 'invalid', message: `vehicleClass must be one of ${VEHICLE_CLASSES.join(', ')}; got ${JSON.stringify(vehicleClass).slice(0, 80)}`, path: 'vehicleClass' });
    }
    let answer;
    try {
      answer = await routing.check({ from, to, weight, vehicleClass: vehicleClass as VehicleClass | undefined });
    } catch (err) {
      throw new HttpError({ code: 'unavailable', message: `the router could not answer: ${(err as Error).message.split('\n')[0].slice(0, 200)}`, path: '' });
    }
    const audience = audienceOf(req);
    const seq = outbox.picture(audience).seq;
    res.setHeader('Cache-Control', 'no-store');
    if (answer.ok) {
      return res.json({ ok: true, route: figures(answer.route), restricted: visible(audience, answer.restricted).refs, seq });
    }
    if (answer.code === 'off_network') {
      throw new HttpError({ code: 'off_network', message: answer.message, path: answer.path, distance_m: answer.distanceM });
    }
    const blocked = visible(audience, answer.blockedBy);
    // The cheapest opener the audience may know of; when every opener is withheld, that one exists, unnamed (P34).
    const known = answer.openers.find((o) => visible(audience, [o.ref]).withheld === false);
    const opensIf = known ? { ref: known.ref, route: figures(known.route) } : answer.openers.length > 0 ? { withheld: true } : null;
    // The sentence names what cuts the way as the audience sees it (a label or reason an agreement
    // removes for it is not said), never the router's own words, which know every zone.
    const why = answer.why.code === 'no_safe_route' ? { code: 'no_safe_route' as const, blockedBy: blocked.refs } : answer.why;
    const message = answer.why.code === 'no_safe_route' ? cutSentence(blocked.refs, outbox.picture(audience)) : answer.message;
    res.json({ ok: false, code: 'no_safe_route', message, why, blockedBy: blocked.refs, opensIf, seq });
  });

  return api;
}

/**
 * "no safe route between these points: every path is cut by zone tz-1 (Sniper fire) and constraint
 * ac-2": the zones and constraints as an audience sees them (labels and reasons it may have), the
 * withheld ones as "a restricted area".
 */
function cutSentence(refs: readonly ZoneRef[], picture: Picture): string {
  const names = refs.map((r) => {
    if (r.id === RESTRICTED_AREA) return 'a restricted area';
    const label = r.kind === 'zone' ? (Object.hasOwn(picture.threats, r.id) ? picture.threats[r.id].label : undefined) : Object.hasOwn(picture.constraints, r.id) ? picture.constraints[r.id].reason : undefined;
    return `${r.kind} ${r.id}${label ? ` (${label})` : ''}`;
  });
  if (names.length === 0) return 'no safe route between these points: every path is cut by a zone or constraint';
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `no safe route between these points: every path is cut by ${list}`;
}

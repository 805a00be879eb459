// What a read costs the token that asks (server/net/http, P15): a middleware that charges the token's
// rate as much as the work the read makes the server do, and answers 429 with when to try again.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Gateway } from '../../gateway/gateway.js';
import { HttpError } from './errors.js';

/**
 * Makes the charging middleware of a router: `charge(cost)` with a fixed cost, or one the request
 * decides (a page of events costs by its length).
 */
export function charger(gateway: Pick<Gateway, 'charge'>): (cost: number | ((req: Request) => number)) => RequestHandler {
  return (cost) => (req: Request, _res: Response, next: NextFunction) => {
    const over = gateway.charge(req.sender!, typeof cost === 'number' ? cost : cost(req));
    if (over) return next(new HttpError({ code: over.code, message: over.message, path: '' }, 429, over.retryAfterMs / 1000));
    next();
  };
}

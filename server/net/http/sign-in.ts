// Sign-in over HTTP (server/net/http): `?token=T` on a page sets the session cookie and sends the
// browser to the page without the token; every request below it needs a bearer token or the cookie.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { credentialsOf, sessionCookie } from '../../auth/session.js';
import type { TokenRecord, TokenStore } from '../../auth/tokens.js';
import { senderOf, type Sender } from '../../gateway/sender.js';
import { sendError } from './errors.js';

/** Pages of the single-page client (CONTRACT "Pages"). */
export const PAGES = ['/', '/wall', '/access', '/field'];

declare module 'express-serve-static-core' {
  interface Request {
    /** The signed-in token's record (set by {@link requireSignIn}). */
    auth?: TokenRecord;
    /** The signed-in token as the gateway's sender. */
    sender?: Sender;
    /** How the token came: a bearer header, or the browser's session cookie. */
    authVia?: 'bearer' | 'cookie';
  }
}

/**
 * The page a sign-in link leads to: the page named by the parsed path when it is one of
 * {@link PAGES}, else `/`, with the query kept but the token dropped. Built from the parsed path,
 * never from the raw request: `/.//evil.example/x?token=T` once redirected to `//evil.example/x`,
 * another site (issue 9).
 * @example signInTarget('/wall', new URLSearchParams('lang=fr&token=T')) // '/wall?lang=fr'
 */
export function signInTarget(pathname: string, query: URLSearchParams): string {
  const trimmed = pathname.replace(/\/+$/, '') || '/';
  const page = PAGES.includes(trimmed) ? trimmed : '/';
  const kept = new URLSearchParams();
  for (const [k, v] of query) if (k !== 'token') kept.append(k, v);
  const search = kept.toString();
  return search ? `${page}?${search}` : page;
}

/** `?token=T` on a page (GET): sets the cookie and redirects to the page without the token. */
export function tokenSignIn(tokens: TokenStore): RequestHandler {
  return (req, res, next) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (token === undefined || req.method !== 'GET' || req.path.startsWith('/api/')) return next();
    if (!tokens.verify(token)) return signInPage(res, 'That token is not valid or has been revoked.');
    res.setHeader('Set-Cookie', sessionCookie(token, req.secure));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, signInTarget(req.path, new URL(req.originalUrl, 'http://localhost').searchParams));
  };
}

/** Sign-in for everything below: bearer token or session cookie; pages get the sign-in page. */
export function requireSignIn(tokens: TokenStore): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const credentials = credentialsOf(req);
    const record = tokens.verify(credentials.token);
    if (record) {
      req.auth = record;
      req.sender = senderOf(record);
      req.authVia = credentials.via;
      return next();
    }
    if (req.method === 'GET' && PAGES.includes(req.path)) return signInPage(res);
    sendError(res, 401, {
      code: 'unauthorized',
      message:
        credentials.problem ??
        (credentials.token !== undefined ? 'the token is not valid or has been revoked' : 'a token is required: Authorization: Bearer <token>'),
    });
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small sign-in page (401): the one place an HTML answer is right, since a person reads it. */
export function signInPage(res: Response, problem?: string): void {
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

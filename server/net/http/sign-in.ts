// Sign-in over HTTP (server/net/http): `?token=T` on a page sets the session cookie and sends the
// browser to the page without the token; every request below it needs a bearer token or the cookie.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { credentialsOf, sessionCookie } from '../../auth/session.js';
import type { TokenRecord, TokenStore } from '../../auth/tokens.js';
import { cookieWriteAllowed } from '../../gateway/origin.js';
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

/**
 * `?token=T` on a page (GET): sets the cookie and redirects to the page without the token. A browser
 * already signed in with another valid token is asked first (a form posted to `/sign-in`, which only
 * this server's own pages may post): a link from another site must not quietly sign someone in as
 * somebody else (issue 9).
 */
export function tokenSignIn(tokens: TokenStore, allowedOrigins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST' && req.path === '/sign-in') return confirmSignIn(tokens, allowedOrigins, req, res);
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (token === undefined || req.method !== 'GET' || req.path.startsWith('/api/')) return next();
    const record = tokens.verify(token);
    if (!record) return signInPage(res, 'That token is not valid or has been revoked.');
    const target = signInTarget(req.path, queryOf(req));
    const current = credentialsOf(req);
    const signedInAs = current.via === 'cookie' && current.token !== token ? tokens.verify(current.token) : undefined;
    if (signedInAs) return switchPage(res, signedInAs, record, token, target);
    res.setHeader('Set-Cookie', sessionCookie(token, req.secure));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, target);
  };
}

/** The query of a request (an address that cannot be parsed has none). */
function queryOf(req: Request): URLSearchParams {
  try {
    return new URL(req.originalUrl, 'http://localhost').searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** `POST /sign-in` from the switch page: only from this server's own pages, then as `?token=` does. */
function confirmSignIn(tokens: TokenStore, allowedOrigins: readonly string[], req: Request, res: Response): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
    if (body.length > 4096) req.destroy();
  });
  req.on('end', () => {
    if (!cookieWriteAllowed(req.headers, allowedOrigins)) return signInPage(res, "Signing in here is only possible from this server's own pages.");
    const form = new URLSearchParams(body);
    const token = form.get('token') ?? '';
    if (!tokens.verify(token)) return signInPage(res, 'That token is not valid or has been revoked.');
    const to = form.get('to') ?? '/';
    const [pathname, search = ''] = to.split('?', 2);
    res.setHeader('Set-Cookie', sessionCookie(token, req.secure));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, signInTarget(pathname, new URLSearchParams(search)));
  });
}

function describeToken(r: TokenRecord): string {
  return `${r.org} (${r.role}${r.unit ? `, unit ${r.unit}` : ''})`;
}

/** Asks a browser signed in with one token whether to switch to another. */
function switchPage(res: Response, current: TokenRecord, next: TokenRecord, token: string, target: string): void {
  res.status(200).type('html').setHeader('Cache-Control', 'no-store');
  res.send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Corridor: switch sign-in?</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}button,a{font:inherit;padding:.5rem 1rem;margin:.25rem .5rem .25rem 0;display:inline-block}</style>
</head><body data-testid="switch-sign-in">
<h1>Corridor</h1>
<p>This browser is signed in as <b>${escapeHtml(describeToken(current))}</b>.</p>
<p>The link you followed signs in as <b>${escapeHtml(describeToken(next))}</b>. Switch only if you expected this link.</p>
<form method="post" action="/sign-in"><input type="hidden" name="token" value="${escapeHtml(token)}"><input type="hidden" name="to" value="${escapeHtml(target)}">
<button type="submit">Switch to ${escapeHtml(describeToken(next))}</button>
<a href="${escapeHtml(target)}">Stay signed in as ${escapeHtml(describeToken(current))}</a></form>
</body></html>`);
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

// Sign-in over HTTP (server/net/http): `?token=T` on a page sets the session cookie and sends the
// browser to the page without the token; every request below it needs a bearer token or the cookie.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { credentialsOf, sessionCookie } from '../../auth/session.js';
import type { TokenRecord, TokenStore } from '../../auth/tokens.js';
import { cookieWriteAllowed } from '../../gateway/origin.js';
import { senderOf, type Sender } from '../../gateway/sender.js';
import type { MessageKey } from '@corridor/protocol/i18n';
import { sendError } from './errors.js';
import { pageLanguage, pageWords, type PageWords } from './page-words.js';

/** Pages of the single-page client (CONTRACT "Pages"). */
export const PAGES = ['/', '/wall', '/access', '/field', '/audit', '/import'];
/** A convoy's printable movement paperwork (issue 18): `/convoys/:id/notice` and `/convoys/:id/card`, the id as ids may be. */
export const PAPER_PAGE = /^\/convoys\/[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\/(?:notice|card)$/;
/** The same as express paths, for serving the client. */
export const PAPER_ROUTES = ['/convoys/:id/notice', '/convoys/:id/card'];

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
 * {@link PAGES} or a convoy's paperwork ({@link PAPER_PAGE}), else `/`, with the query kept but the token dropped. Built from the parsed path,
 * never from the raw request: `/.//evil.example/x?token=T` once redirected to `//evil.example/x`,
 * another site (issue 9).
 * @example signInTarget('/wall', new URLSearchParams('lang=fr&token=T')) // '/wall?lang=fr'
 */
export function signInTarget(pathname: string, query: URLSearchParams): string {
  const trimmed = pathname.replace(/\/+$/, '') || '/';
  const page = PAGES.includes(trimmed) || PAPER_PAGE.test(trimmed) ? trimmed : '/';
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
    if (!record) return signInPage(req, res, 'signIn.invalid');
    const target = signInTarget(req.path, queryOf(req));
    const current = credentialsOf(req);
    const signedInAs = current.via === 'cookie' && current.token !== token ? tokens.verify(current.token) : undefined;
    if (signedInAs) return switchPage(req, res, signedInAs, record, token, target);
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
    if (!cookieWriteAllowed(req.headers, allowedOrigins)) return signInPage(req, res, 'signIn.foreignPage');
    const form = new URLSearchParams(body);
    const token = form.get('token') ?? '';
    if (!tokens.verify(token)) return signInPage(req, res, 'signIn.invalid');
    const to = form.get('to') ?? '/';
    const [pathname, search = ''] = to.split('?', 2);
    res.setHeader('Set-Cookie', sessionCookie(token, req.secure));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, signInTarget(pathname, new URLSearchParams(search)));
  });
}

function describeToken(r: TokenRecord, w: PageWords): string {
  return r.unit ? w.t('signIn.whoUnit', { org: r.org, role: r.role, unit: r.unit }) : w.t('signIn.who', { org: r.org, role: r.role });
}

/** The head of a server page in `w`'s language and direction. */
function pageHead(w: PageWords, title: string, css: string): string {
  return `<!doctype html>
<html lang="${w.lang}" dir="${w.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
<style>body{font:16px system-ui,'Noto Sans','Noto Sans Arabic',sans-serif;max-width:${css};margin:4rem auto;padding:0 1rem}button,a,input{font:inherit}</style>`;
}

/** Asks a browser signed in with one token whether to switch to another, in the request's language. */
function switchPage(req: Request, res: Response, current: TokenRecord, next: TokenRecord, token: string, target: string): void {
  const w = pageWords(pageLanguage(req));
  res.status(200).type('html').setHeader('Cache-Control', 'no-store');
  res.send(`${pageHead(w, w.t('signIn.switchTitle'), '32rem')}
<style>button,a{padding:.5rem 1rem;margin:.25rem 0;margin-inline-end:.5rem;display:inline-block}</style>
</head><body data-testid="switch-sign-in">
<h1>Corridor</h1>
<p>${w.t('signIn.signedInAs', { who: describeToken(current, w) })}</p>
<p>${w.t('signIn.linkSignsInAs', { who: describeToken(next, w) })}</p>
<form method="post" action="/sign-in"><input type="hidden" name="token" value="${escapeHtml(token)}"><input type="hidden" name="to" value="${escapeHtml(target)}">
<button type="submit">${w.t('signIn.switchTo', { who: describeToken(next, w) })}</button>
<a href="${escapeHtml(target)}">${w.t('signIn.stay', { who: describeToken(current, w) })}</a></form>
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
    if (req.method === 'GET' && PAGES.includes(req.path)) return signInPage(req, res);
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
export function signInPage(req: Request, res: Response, problem?: MessageKey): void {
  const w = pageWords(pageLanguage(req));
  // The language chosen in the address goes on with the token, to the page it leads to.
  const lang = typeof req.query.lang === 'string' ? `<input type="hidden" name="lang" value="${w.lang}">` : '';
  res.status(401).type('html').setHeader('Cache-Control', 'no-store');
  res.send(`${pageHead(w, w.t('signIn.title'), '28rem')}
<style>input,button{padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}p.err{color:#b00020}</style>
</head><body data-testid="sign-in">
<h1>Corridor</h1>
${problem ? `<p class="err" role="alert">${w.t(problem)}</p>` : ''}
<p>${w.t('signIn.intro')}</p>
<form method="get">${lang}<label for="token">${w.t('signIn.token')}</label><input id="token" name="token" type="password" autocomplete="off" required><button type="submit">${w.t('signIn.submit')}</button></form>
</body></html>`);
}

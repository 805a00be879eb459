// Where a request's token comes from (server/auth): `Authorization: Bearer`, the session cookie, or,
// for WebSocket upgrades only, the `token` query parameter (CONTRACT "Identity").
import type { IncomingMessage } from 'node:http';
import type { Actor } from '@corridor/protocol';
import type { TokenRecord } from './tokens.js';

/** Name of the session cookie set by `?token=T` sign-in. */
export const SESSION_COOKIE = 'corridor_session';

/** Cookies of a request as name → value (first one wins, values URI-decoded when possible). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value: a malformed escape is just a wrong token
    }
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** The token a request carries and how: `Authorization: Bearer`, or the session cookie a browser holds. */
export interface Credentials {
  token?: string;
  via?: 'bearer' | 'cookie';
  /** Why an Authorization header could not be read, in a sentence (another scheme, no token). */
  problem?: string;
}

/** The bearer token, else the session cookie's token; an Authorization header of another scheme is named. */
export function credentialsOf(req: IncomingMessage): Credentials {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return { token: m[1], via: 'bearer' };
    const scheme = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]{1,32})/.exec(auth)?.[1];
    return {
      problem:
        scheme && scheme.toLowerCase() !== 'bearer'
          ? `the Authorization header uses the ${scheme} scheme; this server takes Authorization: Bearer <token>`
          : 'the Authorization header must be "Bearer <token>", with one token',
    };
  }
  const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  return token === undefined ? {} : { token, via: 'cookie' };
}

/** The bearer token, else the session cookie's token, else undefined. */
export function tokenFromHeaders(req: IncomingMessage): string | undefined {
  return credentialsOf(req).token;
}

/** The `Set-Cookie` value that signs a browser in: HttpOnly, SameSite=Strict, whole site. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The actor recorded on events for a token (audit trail). */
export function actorOf(record: TokenRecord): Actor {
  return { tokenId: record.id, org: record.org, role: record.role };
}

// Where a request's token comes from (server/auth): `Authorization: Bearer`, the session cookie, or,
// for WebSocket upgrades only, the `token` query parameter (CONTRACT "Identity").
import type { IncomingMessage } from 'node:http';
import type { Actor } from '../protocol/events.js';
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

/** The bearer token, else the session cookie's token, else undefined. */
export function tokenFromHeaders(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  return parseCookies(req.headers.cookie).get(SESSION_COOKIE);
}

/** The `Set-Cookie` value that signs a browser in: HttpOnly, SameSite=Strict, whole site. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The actor recorded on events for a token (audit trail). */
export function actorOf(record: TokenRecord): Actor {
  return { tokenId: record.id, org: record.org, role: record.role };
}

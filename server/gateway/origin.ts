// Which web pages may act with a browser's session (server/gateway, issue 9): a page of another
// origin (another port or subdomain of the same site gets past SameSite) must not open /ws with the
// victim's cookie, nor make writes with it.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a request's `Origin` may act on this server: its own origin (the `Host` the request was
 * sent to) or one of `allowed` (`CORRIDOR_ALLOWED_ORIGINS`, exact `scheme://host:port` origins).
 * A request without `Origin` is not from a page of another origin (browsers send it on every
 * WebSocket handshake and every cross-origin write); the caller decides what else it needs.
 * @example originAllowed({ origin: 'http://evil.example', host: 'ops.example:8080' }, []) // false
 */
export function originAllowed(headers: IncomingHttpHeaders, allowed: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  let host: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    host = url.host;
  } catch {
    return false; // "null" (a sandboxed frame, a file) or garbage
  }
  // The same host and port as the request's own: a page this server served (directly, or through a
  // proxy that keeps the Host header, whatever scheme the proxy speaks outside).
  return headers.host !== undefined && host.toLowerCase() === headers.host.toLowerCase();
}

/**
 * Whether a state-changing request signed in by the session cookie comes from this server's own
 * pages: an allowed `Origin`, or without one a `Sec-Fetch-Site` of `same-origin`. A request with a
 * bearer token is not a browser acting on a cookie and needs neither.
 */
export function cookieWriteAllowed(headers: IncomingHttpHeaders, allowed: readonly string[]): boolean {
  if (headers.origin !== undefined) return originAllowed(headers, allowed);
  const site = headers['sec-fetch-site'];
  return site === 'same-origin';
}

/**
 * Parses `CORRIDOR_ALLOWED_ORIGINS`: origins separated by commas or spaces, each `scheme://host[:port]`.
 * Throws an Error naming the first that is not one.
 * @example parseAllowedOrigins('https://ops.example.org, http://10.0.0.5:8080') // ['https://ops.example.org', 'http://10.0.0.5:8080']
 */
export function parseAllowedOrigins(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((item) => {
      let url: URL;
      try {
        url = new URL(item);
      } catch {
        throw new Error(`"${item}" is not an origin like https://ops.example.org`);
      }
      const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !/\/./.test(item.replace(/^[a-z]+:\/\//i, ''));
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
        throw new Error(`"${item}" is not an origin like https://ops.example.org (scheme, host and port only)`);
      }
      return url.origin;
    });
}

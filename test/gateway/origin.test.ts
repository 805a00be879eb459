// Tests of which web pages may act with a browser's session (server/gateway/origin.ts, issue 9): Origin, Sec-Fetch-Site and CORRIDOR_ALLOWED_ORIGINS.
import { describe, expect, it } from 'vitest';
import { cookieWriteAllowed, originAllowed, parseAllowedOrigins } from '../../server/gateway/origin.js';

const HOST = 'ops.example:8080';

describe('originAllowed (issue 9)', () => {
  it('allows a request without Origin (not from a page of another origin)', () => {
    expect(originAllowed({ host: HOST }, [])).toBe(true);
    expect(originAllowed({}, [])).toBe(true);
  });

  it('allows an Origin of the same host and port as the Host header, http or https, in any case', () => {
    expect(originAllowed({ origin: 'http://ops.example:8080', host: HOST }, [])).toBe(true);
    expect(originAllowed({ origin: 'https://ops.example:8080', host: HOST }, [])).toBe(true); // behind a TLS proxy keeping Host
    expect(originAllowed({ origin: 'http://OPS.Example:8080', host: HOST }, [])).toBe(true);
    expect(originAllowed({ origin: 'http://ops.example:8080', host: 'OPS.EXAMPLE:8080' }, [])).toBe(true);
    expect(originAllowed({ origin: 'https://ops.example', host: 'ops.example' }, [])).toBe(true);
    expect(originAllowed({ origin: 'http://[::1]:8080', host: '[::1]:8080' }, [])).toBe(true);
  });

  it('refuses another port, another subdomain, another site', () => {
    expect(originAllowed({ origin: 'http://ops.example:8081', host: HOST }, [])).toBe(false);
    expect(originAllowed({ origin: 'http://ops.example', host: HOST }, [])).toBe(false);
    expect(originAllowed({ origin: 'http://evil.ops.example:8080', host: HOST }, [])).toBe(false);
    expect(originAllowed({ origin: 'http://example:8080', host: HOST }, [])).toBe(false);
    expect(originAllowed({ origin: 'http://evil.example', host: HOST }, [])).toBe(false); // the TSDoc example
    expect(originAllowed({ origin: 'http://ops.example:8080.evil.example', host: HOST }, [])).toBe(false);
  });

  it('refuses "null", file://, other schemes and garbage', () => {
    for (const origin of ['null', 'file://', 'file:///etc/passwd', 'ws://ops.example:8080', 'chrome-extension://abc', 'garbage', '', '://ops.example:8080']) {
      expect(originAllowed({ origin, host: HOST }, []), origin).toBe(false);
    }
  });

  it('refuses any Origin when the request has no Host header', () => {
    expect(originAllowed({ origin: 'http://ops.example:8080' }, [])).toBe(false);
  });

  it('allows an Origin listed in allowed, only that exact one', () => {
    const allowed = ['https://map.example.org', 'http://10.0.0.5:8080'];
    expect(originAllowed({ origin: 'https://map.example.org', host: HOST }, allowed)).toBe(true);
    expect(originAllowed({ origin: 'http://10.0.0.5:8080', host: HOST }, allowed)).toBe(true);
    expect(originAllowed({ origin: 'http://map.example.org', host: HOST }, allowed)).toBe(false);
    expect(originAllowed({ origin: 'https://map.example.org:444', host: HOST }, allowed)).toBe(false);
    expect(originAllowed({ origin: 'http://10.0.0.5:8081', host: HOST }, allowed)).toBe(false);
  });
});

describe('cookieWriteAllowed (issue 9)', () => {
  it('allows a write with an allowed Origin (own or listed) and refuses a foreign one', () => {
    expect(cookieWriteAllowed({ origin: 'http://ops.example:8080', host: HOST }, [])).toBe(true);
    expect(cookieWriteAllowed({ origin: 'https://map.example.org', host: HOST }, ['https://map.example.org'])).toBe(true);
    expect(cookieWriteAllowed({ origin: 'http://evil.example', host: HOST }, [])).toBe(false);
    expect(cookieWriteAllowed({ origin: 'null', host: HOST }, [])).toBe(false);
  });

  it('a foreign Origin is refused even when Sec-Fetch-Site claims same-origin', () => {
    expect(cookieWriteAllowed({ origin: 'http://evil.example', host: HOST, 'sec-fetch-site': 'same-origin' }, [])).toBe(false);
  });

  it('without Origin, allows only Sec-Fetch-Site: same-origin', () => {
    expect(cookieWriteAllowed({ host: HOST, 'sec-fetch-site': 'same-origin' }, [])).toBe(true);
    expect(cookieWriteAllowed({ host: HOST }, [])).toBe(false);
    expect(cookieWriteAllowed({ host: HOST, 'sec-fetch-site': 'cross-site' }, [])).toBe(false);
    expect(cookieWriteAllowed({ host: HOST, 'sec-fetch-site': 'same-site' }, [])).toBe(false);
    expect(cookieWriteAllowed({ host: HOST, 'sec-fetch-site': 'none' }, [])).toBe(false);
  });
});

describe('parseAllowedOrigins', () => {
  it('reads nothing from undefined or an empty value', () => {
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(parseAllowedOrigins('')).toEqual([]);
    expect(parseAllowedOrigins(' , ')).toEqual([]);
  });

  it('reads origins separated by commas and spaces (the TSDoc example)', () => {
    expect(parseAllowedOrigins('https://ops.example.org, http://10.0.0.5:8080')).toEqual(['https://ops.example.org', 'http://10.0.0.5:8080']);
    expect(parseAllowedOrigins('https://a.example http://b.example:81,https://c.example/')).toEqual([
      'https://a.example',
      'http://b.example:81',
      'https://c.example',
    ]);
  });

  it('the origins it returns are accepted by originAllowed as browsers send them', () => {
    const allowed = parseAllowedOrigins('https://ops.example.org, http://10.0.0.5:8080');
    expect(originAllowed({ origin: 'https://ops.example.org', host: HOST }, allowed)).toBe(true);
    expect(originAllowed({ origin: 'http://10.0.0.5:8080', host: HOST }, allowed)).toBe(true);
  });

  it('throws an Error naming a value with a path, a non-http scheme or garbage', () => {
    for (const bad of ['https://ops.example.org/app', 'https://ops.example.org/?x=1', 'ftp://files.example', 'ws://ops.example:8080', 'ops.example.org', 'garbage', 'https://']) {
      expect(() => parseAllowedOrigins(`https://fine.example, ${bad}`), bad).toThrow(Error);
      try {
        parseAllowedOrigins(`https://fine.example, ${bad}`);
      } catch (err) {
        expect((err as Error).message).toContain(`"${bad}"`);
      }
    }
  });
});

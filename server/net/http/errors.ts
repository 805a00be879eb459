// The HTTP face of the contract's errors (server/net/http): `{"error":{"code","message","path"}}`
// with the status each code stands for (P5, P7), never HTML or a stack.
import type { Response } from 'express';
import type { ErrorCode, ProtocolError } from '@corridor/protocol';

/** HTTP status per error code. */
export const STATUS: Record<ErrorCode, number> = {
  bad_json: 400,
  invalid: 400,
  invalid_geometry: 400,
  time_in_future: 400,
  unknown_type: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  timeout: 408,
  conflict: 409,
  invalid_transition: 409,
  already_acknowledged: 409,
  stale_proposal: 409,
  no_room: 409,
  out_of_sequence: 409,
  outside_window: 409,
  in_use: 409,
  invalid_rows: 400,
  no_safe_route: 422,
  off_network: 422,
  invalid_agreement: 422,
  rate_limited: 429,
  too_many_connections: 429,
  headers_too_large: 431,
  unavailable: 503,
  internal: 500,
};

/** An HTTP error carrying the contract's error body; extra fields (like `blockedBy`) go into it. */
export class HttpError extends Error {
  constructor(
    readonly error: ProtocolError & { [extra: string]: unknown },
    readonly status = STATUS[error.code],
    /** Seconds after which a retry may succeed (`Retry-After`), for 429 and 503. */
    readonly retryAfterS?: number,
  ) {
    super(error.message);
  }
}

export function sendError(res: Response, status: number, error: ProtocolError & { [extra: string]: unknown }, retryAfterS?: number): void {
  if (retryAfterS !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterS))));
  res.status(status).json({ error: { ...error, path: error.path ?? '' } });
}

const REASON: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * The raw answer to a request Node could not parse (its own default is an empty 400): the contract's
 * JSON, then the connection is closed, as Node does.
 */
export function rawErrorResponse(err: { code?: string; message?: string }): string {
  const [status, code, message]: [number, ErrorCode, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'the request headers are larger than this server reads (16 KiB)']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT'
        ? [408, 'timeout', 'the request did not arrive whole in time']
        : [400, 'invalid', `the request is not valid HTTP/1.1 (${(err.code ?? 'parse error').slice(0, 64)})`];
  const body = JSON.stringify({ error: { code, message, path: '' } });
  return `HTTP/1.1 ${status} ${REASON[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

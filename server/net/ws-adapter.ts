// The WebSocket endpoint `/ws` (server/net): sign-in, origin and per-token socket limit on upgrade,
// then each connection's messages go to a WsSession (ws-session.ts), which hands commands to the
// gateway. `/ws?stream=none` opens a socket for sending only: no snapshot and no frames (P13);
// `/ws?fixes=rows` receives position events as rows of numbers (P14); `/ws?stream=field` is a field
// unit's low-bandwidth stream (issue 15, field-feed.ts), compressed (permessage-deflate).
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { credentialsOf } from '../auth/session.js';
import type { TokenStore } from '../auth/tokens.js';
import type { Gateway } from '../gateway/gateway.js';
import { COST } from '../gateway/limits.js';
import { originAllowed } from '../gateway/origin.js';
import { senderOf, type Sender } from '../gateway/sender.js';
import { CLOSE_TOKEN_REVOKED, FIELD_RADIUS_M, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '@corridor/protocol';
import type { FieldViewOptions } from '../out/field-view.js';
import type { FieldFeed } from './field-feed.js';
import { Outbox } from '../out/outbox.js';
import type { Broadcaster, ClientFormat } from './broadcast.js';
import { startHeartbeat } from './heartbeat.js';
import { WsSession, type SessionSocket } from './ws-session.js';

/**
 * Messages up to this size are read and answered with `payload_too_large` when over
 * MAX_MESSAGE_BYTES (P7), and the connection stays open: a message a little too large (a zone drawn
 * in too much detail) is told so. A larger one is not read: `ws` closes the connection with 1009
 * (message too big) as soon as the frame header announces it, so no client can make the server hold
 * or unmask more than this of one message (reading 4 MiB held the event loop for 23-52 ms, measured
 * with bench:messages). Bytes.
 */
export const WS_MAX_PAYLOAD = MAX_MESSAGE_BYTES + 256 * 1024;

export interface WsOptions {
  server: Server;
  gateway: Gateway;
  broadcaster: Broadcaster;
  /** Field units' low-bandwidth streams (`stream=field`). */
  fieldFeed: FieldFeed;
  /** Knows what each socket's token may see. */
  outbox: Outbox;
  tokens: TokenStore;
  logger: Logger;
  heartbeatMs: number;
  /** Unsent bytes at which a socket stops being read until they drain (P15). */
  bufferLimitBytes: number;
  /** Origins besides the server's own whose pages may open /ws (CORRIDOR_ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
  /** How often open sockets' tokens are checked for revocation, ms (default 5,000). */
  revocationCheckMs?: number;
}

/** A running WebSocket endpoint. */
export interface WsEndpoint {
  readonly wss: WebSocketServer;
  close(): Promise<void>;
}

/**
 * Unmasked, unfragmented WebSocket text frames (RFC 6455 §5.2) of `texts`, back to back in one buffer:
 * what `ws` would write for each `send(text)` on a server socket. Writing them straight to the socket
 * keeps order with `ws`'s own writes because, without permessage-deflate (off here) and Blobs (never
 * sent), `ws` writes every message to the socket at once and queues nothing.
 */
export function textFrames(texts: readonly string[]): Buffer {
  let size = 0;
  const lengths = new Array<number>(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const n = Buffer.byteLength(texts[i], 'utf8');
    lengths[i] = n;
    size += n + (n < 126 ? 2 : n < 65_536 ? 4 : 10);
  }
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const n = lengths[i];
    buf[at++] = 0x81; // FIN + text opcode
    if (n < 126) buf[at++] = n;
    else if (n < 65_536) {
      buf[at++] = 126;
      buf.writeUInt16BE(n, at);
      at += 2;
    } else {
      buf[at++] = 127;
      buf.writeBigUInt64BE(BigInt(n), at);
      at += 8;
    }
    at += buf.write(texts[i], at, 'utf8');
  }
  return buf;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' };

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message, path: '' } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The raw socket under a `ws` WebSocket (acks are written to it directly, see textFrames). */
function rawSocket(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/** A compressed `ws` WebSocket as a session's socket: every text through `ws` (it frames and deflates). */
function deflatedSocket(ws: WebSocket): SessionSocket {
  return {
    get open() {
      return ws.readyState === ws.OPEN;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    sendTexts(texts) {
      if (ws.readyState !== ws.OPEN) return;
      for (const text of texts) ws.send(text);
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}

/**
 * The field stream's options from `/ws?stream=field&radius=M&units=1`, or why they are wrong.
 * @example fieldOptions(new URLSearchParams('radius=2000'), 'U1') // { unitId: 'U1', radiusM: 2000, units: false }
 */
export function fieldOptions(params: URLSearchParams, unitId: string): FieldViewOptions | string {
  const radius = params.get('radius');
  const radiusM = radius === null ? FIELD_RADIUS_M.default : Number(radius);
  if (!Number.isInteger(radiusM) || radiusM < FIELD_RADIUS_M.min || radiusM > FIELD_RADIUS_M.max) {
    return `radius must be a whole number of metres from ${FIELD_RADIUS_M.min} to ${FIELD_RADIUS_M.max}, got "${String(radius).slice(0, 32)}"`;
  }
  const units = params.get('units') ?? '0';
  if (units !== '0' && units !== '1') return `units must be "0" or "1", got "${units.slice(0, 32)}"`;
  return { unitId, radiusM, units: units === '1' };
}

/** A `ws` WebSocket as a session's socket. */
function sessionSocket(ws: WebSocket): SessionSocket {
  return {
    get open() {
      return ws.readyState === ws.OPEN;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    sendTexts(texts) {
      const socket = rawSocket(ws);
      // Never after our close frame (CLOSING), nor into a socket that is gone.
      if (ws.readyState !== ws.OPEN || !socket || socket.destroyed) return;
      socket.write(textFrames(texts));
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}

/** Attaches `/ws` to the HTTP server. */
export function attachWebSocket(opts: WsOptions): WsEndpoint {
  const { gateway, broadcaster, tokens, logger } = opts;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_PAYLOAD,
    perMessageDeflate: false,
    // P5: invalid UTF-8 must be answered with an error, not a 1007 close, so the check is ours.
    skipUTF8Validation: true,
  });
  // Field phones on links of a few kilobits per second: their stream is compressed, with the context
  // kept between messages (a view's items repeat their keys and words), and small messages too.
  const fieldWss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_PAYLOAD,
    perMessageDeflate: { threshold: 0, zlibDeflateOptions: { level: 9, memLevel: 8 } },
    skipUTF8Validation: true,
  });
  const stopHeartbeat = startHeartbeat(wss, opts.heartbeatMs);
  const stopFieldHeartbeat = startHeartbeat(fieldWss, opts.heartbeatMs);
  const sessions = new Map<WebSocket, WsSession>();

  // A token revoked while its sockets are open (`npm run token -- revoke`, possibly from another
  // process) ends them within one check: they are closed with CLOSE_TOKEN_REVOKED, and a reconnect is
  // refused at the upgrade (401) like any invalid token.
  const revocationTimer = setInterval(() => {
    if (sessions.size === 0) return;
    let revoked: Set<string>;
    try {
      revoked = new Set(tokens.revokedAmong([...new Set([...sessions.values()].map((s) => s.sender.tokenId))]));
    } catch (err) {
      logger.error({ err }, 'checking open sockets for revoked tokens failed');
      return;
    }
    if (revoked.size === 0) return;
    for (const [ws, session] of sessions) {
      if (revoked.has(session.sender.tokenId)) ws.close(CLOSE_TOKEN_REVOKED, 'token revoked');
    }
    logger.warn({ tokenIds: [...revoked] }, 'token revoked: its open websocket sessions were closed');
  }, opts.revocationCheckMs ?? 5000);
  revocationTimer.unref();

  // Input flow control: every socket's reading pauses while the ingest backlog is over its limit.
  let overloaded = false;
  let pauses = 0;
  let lastPauseWarnMs = 0;
  function onOverload(): void {
    if (overloaded) return;
    overloaded = true;
    for (const s of sessions.values()) s.setOverloaded(true);
    pauses++;
    const nowMs = Date.now();
    if (nowMs - lastPauseWarnMs >= 10_000) {
      lastPauseWarnMs = nowMs;
      logger.warn({ pauses }, 'ingest backlog over its limit; reading from sockets paused until it is committed');
      pauses = 0;
    }
    void gateway.drained().then(() => {
      overloaded = false;
      for (const s of sessions.values()) s.setOverloaded(false);
    });
  }

  opts.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its own error listener off an upgraded socket: without one, a peer that resets the
    // connection while it is refused (or at any later moment) would end the process (issue 9).
    socket.on('error', (err) => logger.debug({ err: err.message }, 'upgrade socket error'));
    try {
      upgrade(req, socket, head);
    } catch (err) {
      logger.error({ err }, 'websocket upgrade failed');
      socket.destroy();
    }
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'not_found', `there is no WebSocket at ${url.pathname.slice(0, 200)}; use /ws`);
    if (!originAllowed(req.headers, opts.allowedOrigins)) {
      return refuseUpgrade(socket, 403, 'forbidden', `a page of origin ${String(req.headers.origin).slice(0, 200)} may not open a socket here (CORRIDOR_ALLOWED_ORIGINS lists the origins allowed besides this server's own)`);
    }
    const credentials = credentialsOf(req);
    if (credentials.problem) return refuseUpgrade(socket, 401, 'unauthorized', credentials.problem);
    const record = tokens.verify(credentials.token ?? url.searchParams.get('token') ?? undefined);
    if (!record) return refuseUpgrade(socket, 401, 'unauthorized', 'a valid token is required (cookie or ?token=)');
    const stream = url.searchParams.get('stream') ?? 'picture';
    if (stream !== 'picture' && stream !== 'none' && stream !== 'field') {
      return refuseUpgrade(socket, 400, 'invalid', `stream must be "picture", "none" or "field", got "${stream.slice(0, 64)}"`);
    }
    let field: FieldViewOptions | undefined;
    if (stream === 'field') {
      if (record.unit === undefined) {
        return refuseUpgrade(socket, 400, 'invalid', 'stream=field is for a token bound to a unit (npm run token -- create --role field --unit UNIT)');
      }
      const options = fieldOptions(url.searchParams, record.unit);
      if (typeof options === 'string') return refuseUpgrade(socket, 400, 'invalid', options);
      field = options;
    }
    const version = url.searchParams.get('v');
    if (version !== null && version !== String(PROTOCOL_VERSION)) {
      return refuseUpgrade(socket, 400, 'invalid', `this server speaks protocol version ${PROTOCOL_VERSION}, not ${version.slice(0, 16)}: reload the page, or update the client`);
    }
    const fixes = url.searchParams.get('fixes') ?? 'objects';
    if (fixes !== 'objects' && fixes !== 'rows') {
      return refuseUpgrade(socket, 400, 'invalid', `fixes must be "objects" or "rows", got "${fixes.slice(0, 64)}"`);
    }
    const sender = senderOf(record);
    // An upgrade costs a snapshot of the picture: charged, so reconnect storms are bounded (P15).
    const over = gateway.charge(sender, COST.upgrade);
    if (over) {
      gateway.refused(sender, 'websocket', over);
      return refuseUpgrade(socket, 429, over.code, over.message);
    }
    const tooMany = gateway.openSocket(sender);
    if (tooMany) {
      gateway.refused(sender, 'websocket', tooMany);
      return refuseUpgrade(socket, 429, tooMany.code, tooMany.message);
    }
    const format: ClientFormat | undefined = stream === 'picture' ? { rows: fixes === 'rows' } : undefined;
    let counted = true;
    const release = () => {
      if (counted) gateway.closeSocket(sender);
      counted = false;
    };
    // A handshake that never completes (the peer went away) must give its count back too.
    socket.once('close', release);
    // Emitted as 'connection' so heartbeat.ts sees every socket too.
    if (field) fieldWss.handleUpgrade(req, socket, head, (ws) => fieldWss.emit('connection', ws, req, sender, field, release));
    else wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, sender, format, release));
  }

  fieldWss.on('connection', (ws: WebSocket, _req: IncomingMessage, sender: Sender, view: FieldViewOptions, release: () => void) => {
    const audience = opts.outbox.audience(Outbox.recipientOf(sender.actor, sender.unit));
    const log = logger.child({ tokenId: sender.tokenId, role: sender.role, unit: sender.unit });
    // Its convoy's orders come in its view (the convoy item), sent at once when they change: not twice.
    const socket = deflatedSocket(ws);
    const handle = opts.fieldFeed.add({ send: (text) => socket.sendTexts([text]), get bufferedAmount() { return ws.bufferedAmount; } }, audience, view);
    log.info({ radiusM: view.radiusM, units: view.units }, 'field client connected');
    serve(ws, sender, socket, log, release, {
      resync: async () => opts.fieldFeed.resend(handle),
      closed: () => opts.fieldFeed.remove(handle),
    });
  });

  wss.on('connection', (ws: WebSocket, _req: IncomingMessage, sender: Sender, format: ClientFormat | undefined, release: () => void) => {
    // P13: a socket opened with `stream=none` only sends updates and gets their answers.
    const audience = opts.outbox.audience(Outbox.recipientOf(sender.actor, sender.unit));
    const client = format ? broadcaster.add(ws, audience, format) : undefined;
    // A unit's devices are told their convoy's orders at once, on either kind of socket (P27).
    const dropUnit = sender.unit !== undefined ? broadcaster.addUnit(sender.unit, ws, audience) : undefined;
    const log = logger.child({ tokenId: sender.tokenId, role: sender.role });
    log.info({ clients: broadcaster.size, picture: client !== undefined }, 'websocket client connected');
    serve(ws, sender, sessionSocket(ws), log, release, {
      resync: client ? (since) => broadcaster.resync(client, since) : undefined,
      closed: () => {
        if (client) broadcaster.remove(client);
        dropUnit?.();
      },
    });
  });

  /** A connected socket's messages to its session, and its end. */
  function serve(ws: WebSocket, sender: Sender, socket: SessionSocket, log: Logger, release: () => void, hooks: { resync?: (since: number) => Promise<void>; closed: () => void }): void {
    const session = new WsSession(socket, sender, {
      gateway,
      logger: log,
      bufferLimitBytes: opts.bufferLimitBytes,
      resync: hooks.resync,
    });
    session.onOverload = onOverload;
    if (overloaded) session.setOverloaded(true);
    sessions.set(ws, session);
    rawSocket(ws)?.on('drain', () => session.onDrain());
    ws.on('message', (data: RawData) => {
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      session.onMessage(buffer);
    });
    ws.on('close', () => {
      sessions.delete(ws);
      release();
      hooks.closed();
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'websocket error'));
  }

  return {
    wss,
    close: () =>
      new Promise<void>((resolve) => {
        stopHeartbeat();
        stopFieldHeartbeat();
        clearInterval(revocationTimer);
        for (const ws of [...wss.clients, ...fieldWss.clients]) ws.close(1001, 'server shutting down');
        fieldWss.close();
        wss.close(() => resolve());
        // Sockets that do not answer the close handshake are cut after a moment.
        setTimeout(() => {
          for (const ws of [...wss.clients, ...fieldWss.clients]) ws.terminate();
        }, 1000).unref();
      }),
  };
}

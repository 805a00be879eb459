// The WebSocket endpoint `/ws` (server/net): sign-in on upgrade, then each message is size-checked (P7),
// parsed, validated and submitted; answered by ack after commit (P3) or error (P5), never a close.
// `/ws?stream=none` opens a socket for sending only: no snapshot and no frames (P13); `/ws?fixes=rows`
// receives position events as rows of numbers (P14).
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { actionOf, can } from '../auth/roles.js';
import { actorOf, tokenFromHeaders } from '../auth/session.js';
import type { TokenRecord, TokenStore } from '../auth/tokens.js';
import type { Command } from '../core/commands.js';
import { CommandError, type PictureStore } from '../core/store.js';
import type { Actor } from '../protocol/events.js';
import { CLOSE_TOKEN_REVOKED, MAX_MESSAGE_BYTES, type ProtocolError } from '../protocol/messages.js';
import { validateCommand } from '../protocol/validate.js';
import type { Broadcaster, ClientFormat, ClientHandle } from './broadcast.js';
import { startHeartbeat } from './heartbeat.js';

/**
 * Messages up to this size are read and answered with `payload_too_large` when over
 * MAX_MESSAGE_BYTES (P7); only beyond it does `ws` close the socket (1009), bytes.
 */
export const WS_MAX_PAYLOAD = 16 * 1024 * 1024;

/**
 * Uncommitted commands at which WebSocket input stops being read until the store is idle again.
 * Under overload the backlog then waits in the senders' TCP buffers instead of the server's heap, so
 * memory stays bounded. The limit also caps a group commit, so throughput can never exceed it divided
 * by the commit time: 5,000 held a loaded machine (commits of 300-600 ms) to about 9,000 updates/s,
 * measured; 20,000 lets commits of up to 1 s carry 20,000 updates/s.
 */
export const MAX_INGEST_BACKLOG = 20_000;

export interface WsOptions {
  server: Server;
  store: PictureStore;
  broadcaster: Broadcaster;
  tokens: TokenStore;
  logger: Logger;
  heartbeatMs: number;
  /** How often open sockets' tokens are checked for revocation, ms (default 5,000). */
  revocationCheckMs?: number;
}

/** A running WebSocket endpoint. */
export interface WsEndpoint {
  readonly wss: WebSocketServer;
  close(): Promise<void>;
}

/** The `msgId` of an oversized or unparsable message, read from its first bytes, when it has one. */
export function sniffMsgId(text: string): string | undefined {
  const m = /"msgId"\s*:\s*"((?:[^"\\]|\\.){1,128})"/.exec(text.slice(0, 4096));
  return m ? m[1] : undefined;
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

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found' };

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Attaches `/ws` to the HTTP server. */
export function attachWebSocket(opts: WsOptions): WsEndpoint {
  const { store, broadcaster, tokens, logger } = opts;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_PAYLOAD,
    perMessageDeflate: false,
    // P5: invalid UTF-8 must be answered with an error, not a 1007 close, so the check is ours.
    skipUTF8Validation: true,
  });
  const stopHeartbeat = startHeartbeat(wss, opts.heartbeatMs);

  // A token revoked while its sockets are open (`npm run token -- revoke`, possibly from another
  // process) ends them within one check: they are closed with CLOSE_TOKEN_REVOKED, and a reconnect is
  // refused at the upgrade (401) like any invalid token.
  const tokenOf = new Map<WebSocket, string>();
  const revocationTimer = setInterval(() => {
    if (tokenOf.size === 0) return;
    let revoked: Set<string>;
    try {
      revoked = new Set(tokens.revokedAmong([...new Set(tokenOf.values())]));
    } catch (err) {
      logger.error({ err }, 'checking open sockets for revoked tokens failed');
      return;
    }
    if (revoked.size === 0) return;
    for (const [ws, id] of tokenOf) {
      if (!revoked.has(id)) continue;
      tokenOf.delete(ws);
      ws.close(CLOSE_TOKEN_REVOKED, 'token revoked');
    }
    logger.warn({ tokenIds: [...revoked] }, 'token revoked: its open websocket sessions were closed');
  }, opts.revocationCheckMs ?? 5000);
  revocationTimer.unref();

  // Input flow control: pause every socket's reading while the store's backlog is over the limit.
  let inputPaused = false;
  let pauses = 0;
  let lastPauseWarnMs = 0;
  function checkBacklog(): void {
    if (inputPaused || store.backlog < MAX_INGEST_BACKLOG) return;
    inputPaused = true;
    for (const ws of wss.clients) ws.pause();
    pauses++;
    const nowMs = Date.now();
    if (nowMs - lastPauseWarnMs >= 10_000) {
      lastPauseWarnMs = nowMs;
      logger.warn({ backlog: store.backlog, pauses }, 'ingest backlog over its limit; reading from sockets paused until it is committed');
      pauses = 0;
    }
    void store.idle().then(() => {
      inputPaused = false;
      for (const ws of wss.clients) ws.resume();
    });
  }

  opts.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'not_found', `there is no WebSocket at ${url.pathname}; use /ws`);
    const record = tokens.verify(tokenFromHeaders(req) ?? url.searchParams.get('token') ?? undefined);
    if (!record) return refuseUpgrade(socket, 401, 'unauthorized', 'a valid token is required (cookie or ?token=)');
    const stream = url.searchParams.get('stream') ?? 'picture';
    if (stream !== 'picture' && stream !== 'none') {
      return refuseUpgrade(socket, 400, 'invalid', `stream must be "picture" or "none", got "${stream.slice(0, 64)}"`);
    }
    const fixes = url.searchParams.get('fixes') ?? 'objects';
    if (fixes !== 'objects' && fixes !== 'rows') {
      return refuseUpgrade(socket, 400, 'invalid', `fixes must be "objects" or "rows", got "${fixes.slice(0, 64)}"`);
    }
    const format: ClientFormat | undefined = stream === 'picture' ? { rows: fixes === 'rows' } : undefined;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, record, format));
  });

  wss.on('connection', (ws: WebSocket, _req: IncomingMessage, record: TokenRecord, format: ClientFormat | undefined) => {
    // P13: a socket opened with `stream=none` only sends updates and gets their answers.
    const client = format ? broadcaster.add(ws, format) : undefined;
    const picture = client !== undefined;
    if (inputPaused) ws.pause();
    const log = logger.child({ tokenId: record.id, role: record.role });
    log.info({ clients: broadcaster.size, picture }, 'websocket client connected');
    // One actor object per connection, shared by all its events (it is serialised, never mutated).
    const actor = actorOf(record);
    tokenOf.set(ws, record.id);
    ws.on('message', (data: RawData) => onMessage(ws, client, record, actor, log, data));
    ws.on('close', () => {
      tokenOf.delete(ws);
      if (client) broadcaster.remove(client);
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'websocket error'));
  });

  function send(ws: WebSocket, message: object): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  // Acks of one commit are settled together; they are gathered per socket and written at the next
  // tick as one buffer of ready-made WebSocket frames, one write per socket per commit (P3 acks at
  // tens of thousands of updates/s: a `ws.send` per ack cost about twice the CPU, measured).
  const acks = new Map<WebSocket, string[]>();
  const flushAcks = () => {
    for (const [ws, texts] of acks) {
      const socket = (ws as unknown as { _socket?: Socket })._socket;
      // Never after our close frame (CLOSING), nor into a socket that is gone.
      if (ws.readyState !== ws.OPEN || !socket || socket.destroyed) continue;
      socket.write(textFrames(texts));
    }
    acks.clear();
  };
  function sendAck(ws: WebSocket, msgId: string, seq: number): void {
    if (ws.readyState !== ws.OPEN) return;
    const text = `{"type":"ack","msgId":${JSON.stringify(msgId)},"seq":${seq}}`;
    const texts = acks.get(ws);
    if (texts) texts.push(text);
    else {
      if (acks.size === 0) process.nextTick(flushAcks);
      acks.set(ws, [text]);
    }
  }

  function reject(ws: WebSocket, log: Logger, error: ProtocolError, msgId: string | undefined): void {
    log.warn({ code: error.code, path: error.path, msgId }, 'websocket message refused');
    send(ws, { type: 'error', msgId, code: error.code, message: error.message, path: error.path ?? '' });
  }

  function onMessage(ws: WebSocket, client: ClientHandle | undefined, record: TokenRecord, actor: Actor, log: Logger, data: RawData): void {
    // Closing (its token was revoked, or the server is stopping): nothing more is accepted from it.
    if (ws.readyState !== ws.OPEN) return;
    const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (buffer.length > MAX_MESSAGE_BYTES) {
      const msgId = sniffMsgId(buffer.subarray(0, 4096).toString('utf8'));
      return reject(
        ws,
        log,
        {
          code: 'payload_too_large',
          message: `the message is ${buffer.length} bytes; at most ${MAX_MESSAGE_BYTES} are accepted (P7)`,
          path: '',
        },
        msgId,
      );
    }
    // Binary frames are read as UTF-8 text too; bytes that are not UTF-8 become U+FFFD, never a close.
    const text = buffer.toString('utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return reject(ws, log, { code: 'bad_json', message: `the message is not JSON: ${(err as Error).message}`, path: '' }, sniffMsgId(text));
    }
    const rawMsgId = typeof raw === 'object' && raw !== null ? (raw as { msgId?: unknown }).msgId : undefined;
    const msgId = typeof rawMsgId === 'string' ? rawMsgId : undefined;
    const nowMs = Date.now();
    const checked = validateCommand(raw, nowMs);
    if (!checked.ok) return reject(ws, log, checked.error, msgId);
    const cmd = checked.value;
    if (!can(record.role, actionOf(cmd.type))) {
      return reject(ws, log, { code: 'forbidden', message: `the role ${record.role} may not send ${cmd.type}`, path: 'type' }, msgId);
    }
    if (cmd.type === 'ping') return send(ws, { type: 'pong', msgId: cmd.msgId, serverTimeMs: nowMs });
    if (cmd.type === 'resync') {
      if (!client) {
        return reject(ws, log, { code: 'invalid', message: 'this socket was opened with stream=none and receives no picture to resync (P13)', path: 'type' }, msgId);
      }
      void broadcaster.resync(client, cmd.since).catch((err) => log.error({ err }, 'resync failed'));
      return;
    }
    if (record.unit !== undefined) {
      const wrong = cmd.type === 'position' ? (cmd.unitId !== record.unit ? 'unitId' : undefined) : undefined;
      const wrongBatch =
        cmd.type === 'positions' ? cmd.reports.findIndex((r) => r.unitId !== record.unit) : -1;
      const path = wrong ?? (wrongBatch >= 0 ? `reports[${wrongBatch}].unitId` : undefined);
      if (path) {
        return reject(ws, log, { code: 'forbidden', message: `this token may report only for unit ${record.unit}`, path }, msgId);
      }
    }
    const msgIdOfCmd = cmd.msgId;
    checkBacklog();
    store.submitWith(cmd as Command, actor, (err, result) => {
      if (!err) return sendAck(ws, msgIdOfCmd, result!.seq);
      if (err instanceof CommandError) return reject(ws, log, err.error, msgIdOfCmd);
      log.error({ err }, 'submit failed');
      reject(ws, log, { code: 'internal', message: 'the server failed to handle the message', path: '' }, msgIdOfCmd);
    });
  }

  return {
    wss,
    close: () =>
      new Promise<void>((resolve) => {
        stopHeartbeat();
        clearInterval(revocationTimer);
        for (const ws of wss.clients) ws.close(1001, 'server shutting down');
        wss.close(() => resolve());
        // Sockets that do not answer the close handshake are cut after a moment.
        setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
        }, 1000).unref();
      }),
  };
}

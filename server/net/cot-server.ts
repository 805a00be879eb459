// TAK devices over Cursor-on-Target (server/net, issue 14): a TCP listener (and one over TLS) speaking
// TAK's streaming convention. A stream signs in first with `<auth><cot username password=TOKEN/></auth>`;
// until then nothing it sends is read, and a stream that sends anything else first, or a bad token, is
// closed. Then each event goes through the one gateway as a WebSocket message would (role, schema, unit
// binding, the sharing agreement's checks, the log, idempotency by `uid` and `time`), and the stream is
// sent the picture as its token's audience may see it (the outbox's), as CoT: all of it at once, then
// what changes, once a second, with stale times so that a device that loses the stream lets it expire.
// Hostile input ends a message or the stream with a log line naming why, never the server.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { ClientCommand, Picture, ProtocolError } from '@corridor/protocol';
import type { TokenStore } from '../auth/tokens.js';
import { unitAlertId } from '../core/commands.js';
import type { PictureStore } from '../core/store.js';
import { CotFramer, type CotFrame } from '../cot/framer.js';
import { cotInput, type CotInput } from '../cot/inputs.js';
import { deleteEvent, pongEvent, takProtocolResponseEvent, takProtocolSupportEvent, toStreamXml } from '../cot/out.js';
import type { CotParseResult } from '../cot/parse.js';
import { COT_INLINE_BYTES, CotReader } from '../cot/reader.js';
import { xmlToTakFrame } from '../cot/protobuf.js';
import type { Gateway } from '../gateway/gateway.js';
import { COST } from '../gateway/limits.js';
import { senderOf, type Sender } from '../gateway/sender.js';
import { cotItems, COT_ITEM_STALE_MS, type CotItem } from '../out/cot-picture.js';
import { Outbox, type Audience } from '../out/outbox.js';

export interface CotServerOptions {
  /** Plain TCP port (0: none). */
  port: number;
  /** TLS port (0: none), with the server's certificate and key. */
  tlsPort?: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  host: string;
  tokens: TokenStore;
  gateway: Gateway;
  outbox: Outbox;
  store: PictureStore;
  logger: Logger;
  staleAfterMs: number;
  /** A stream that has not signed in after this long is closed, ms. */
  authTimeoutMs?: number;
  /** A signed-in stream silent this long (TAK devices ping every 15 s or so) is closed, ms. */
  idleTimeoutMs?: number;
  /** A message begun and not ended after this long (while more bytes come) ends the stream, ms. */
  partialTimeoutMs?: number;
  /** Most streams at once, signed in or not. */
  maxConnections?: number;
  /** How often the picture's changes are sent, ms. */
  frameMs?: number;
  /** Bytes a stream may have waiting to be written before it is cut off until it drains. */
  bufferLimitBytes?: number;
}

export interface CotServer {
  /** The ports bound (0 when off). */
  readonly port: number;
  readonly tlsPort: number;
  /** Streams open now. */
  size(): number;
  close(): Promise<void>;
}

/** A CoT port that cannot be listened on: the setting to change, in words. */
export class CotPortError extends Error {
  constructor(
    readonly variable: string,
    readonly port: number,
    cause: NodeJS.ErrnoException,
  ) {
    super(
      cause.code === 'EADDRINUSE'
        ? `${variable}: port ${port} is already in use by another program; set ${variable} to a free port, or 0 to turn Cursor-on-Target off`
        : `${variable}: cannot listen on port ${port}: ${cause.message}`,
    );
    this.name = 'CotPortError';
  }
}

/** Re-sent in full this often, well before what was sent goes stale on the devices. */
const REFRESH_MS = COT_ITEM_STALE_MS / 2;
/** Streams written per turn of the event loop in a frame. */
const WRITES_PER_TURN = 8;
/** Items whose CoT text is made per turn of the event loop in a frame. */
const RENDER_PER_TURN = 200;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** The negotiation's uid in the server's offer and answer. */
const TAKP_UID = 'corridor-takp';

/** One signed-in stream. */
interface Session {
  socket: net.Socket;
  sender: Sender;
  audience: Audience;
  protobuf: boolean;
  /** Whether it holds what its audience's feed has sent: it then gets each frame's changes, else all of it. */
  synced: boolean;
  /** Cut off while its socket drains; sent everything again once drained. */
  lagging: boolean;
  log: Logger;
}

/** Starts the CoT listeners; resolves once they listen. */
export async function startCotServer(opts: CotServerOptions): Promise<CotServer> {
  const logger = opts.logger.child({ carrier: 'cot' });
  const authTimeoutMs = opts.authTimeoutMs ?? 10_000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 5 * 60_000;
  const bufferLimit = opts.bufferLimitBytes ?? 8 * 1024 * 1024;
  const partialTimeoutMs = opts.partialTimeoutMs ?? 60_000;
  const sessions = new Set<Session>();
  const sockets = new Set<net.Socket>();
  /** Per audience with streams: what its streams hold (uid → key), to send each frame only what changed. */
  const feeds = new Map<Audience, { sent: Map<string, string> }>();
  let lastRefreshMs = Date.now();
  // Large messages are parsed beside the main thread (reader.ts): no message stalls the server.
  const reader = new CotReader(logger);

  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const framer = new CotFramer();
    let session: Session | undefined;
    let release: (() => void) | undefined;
    const end = (why: string, level: 'info' | 'warn' = 'warn') => {
      (session?.log ?? logger)[level]({ peer, why }, 'cot stream closed');
      socket.destroy();
    };
    // Not signed in within the time: closed, nothing read.
    socket.setTimeout(authTimeoutMs, () => end(session ? 'silent for too long' : 'did not sign in in time'));
    socket.on('close', () => {
      sockets.delete(socket);
      if (session) sessions.delete(session);
      release?.();
    });
    socket.on('error', (err) => logger.debug({ peer, err: err.message }, 'cot socket error'));
    socket.on('drain', () => {
      if (session?.lagging) {
        // Drained: sent everything at the next frame.
        session.lagging = false;
        session.synced = false;
      }
    });
    /** Since when a message has been begun and not ended: a stream that never closes an element is ended. */
    let partialSince: number | undefined;
    /** A large message is on the reader thread: the frames after it wait (the socket is paused), in order. */
    let reading = false;
    /** One parsed message: signs the stream in, or is handled; false when the stream was ended. */
    const consume = (parsed: CotParseResult): boolean => {
      if (!session) {
        // The first message must sign in; anything else, or a bad token, ends the stream unread.
        if (!parsed.ok) {
          end(`the first message is not a sign-in: ${parsed.reason}`);
          return false;
        }
        if (parsed.message.kind !== 'auth') {
          end('the first message must be <auth><cot username password/></auth>');
          return false;
        }
        const record = opts.tokens.verify(parsed.message.password);
        if (!record) {
          end('signed in with a token that is not valid');
          return false;
        }
        const sender = senderOf(record);
        const tooMany = opts.gateway.openSocket(sender);
        if (tooMany) {
          opts.gateway.refused(sender, 'cot', tooMany);
          end(tooMany.message);
          return false;
        }
        release = () => opts.gateway.closeSocket(sender);
        session = {
          socket,
          sender,
          audience: opts.outbox.audience(Outbox.recipientOf(sender.actor, sender.unit)),
          protobuf: false,
          synced: false,
          lagging: false,
          log: logger.child({ tokenId: sender.tokenId, role: sender.role, peer }),
        };
        sessions.add(session);
        socket.setTimeout(idleTimeoutMs);
        session.log.info({ streams: sessions.size }, 'cot stream signed in');
        // The TAK protocol offered (a client may ask to go on in protobuf), then the picture.
        const now = Date.now();
        write(session, takProtocolSupportEvent({ uid: TAKP_UID, versions: [1], timeMs: now, staleMs: now + 60_000 }));
        sendPicture(session, now);
        return true;
      }
      if (!parsed.ok) {
        session.log.warn({ why: parsed.reason }, 'cot message dropped');
        return true;
      }
      handle(session, framer, parsed.message);
      return true;
    };
    /** Reads the frames the framer holds, in order, until one goes to the reader thread or none is left. */
    const pump = () => {
      // Frame by frame: a request for the TAK protocol switches the framer before the bytes after it are read.
      for (;;) {
        if (socket.destroyed || reading) return;
        let frame: CotFrame | undefined;
        try {
          frame = framer.next();
        } catch (err) {
          return end(`the stream could not be read: ${(err as Error).message}`);
        }
        if (!frame) break;
        if (frame.kind === 'error') {
          (session?.log ?? logger).warn({ peer, why: frame.reason }, 'cot message dropped');
          if (frame.fatal || !session) return end(frame.fatal ? `gave up on the stream: ${frame.reason}` : `not signed in: ${frame.reason}`);
          continue;
        }
        // A sign-in is a few hundred bytes: a large first message is not one, and is not read.
        if (!session && frame.bytes.length > COT_INLINE_BYTES) return end(`the first message must be a sign-in, not ${frame.bytes.length} bytes`);
        // A signed-in stream's message is charged to its token before it is read (parsing costs in
        // proportion to its size): a token over its rate has its messages dropped unread.
        if (session) {
          const over = opts.gateway.charge(session.sender, COST.message(frame.bytes.length));
          if (over) {
            opts.gateway.refused(session.sender, 'cot', over);
            continue;
          }
        }
        const parsed = reader.read(frame.kind, frame.bytes);
        if (parsed instanceof Promise) {
          reading = true;
          socket.pause();
          void parsed.then((result) => {
            reading = false;
            if (socket.destroyed || !consume(result)) return;
            socket.resume();
            pump();
          });
          return;
        }
        if (!consume(parsed)) return;
      }
      if (framer.bufferedBytes === 0) partialSince = undefined;
      else {
        partialSince ??= Date.now();
        if (Date.now() - partialSince > partialTimeoutMs) end(`a message was begun ${Math.round(partialTimeoutMs / 1000)} s ago and never ended`);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      framer.append(chunk);
      pump();
    });
  };

  /** One message of a signed-in stream. */
  const handle = (s: Session, framer: CotFramer, message: Extract<CotParseResult, { ok: true }>['message']) => {
    if (message.kind === 'auth') return; // signed in already: a repeated sign-in changes nothing
    if (message.kind === 'takcontrol') {
      const c = message.control;
      if (c.kind === 'request') {
        const now = Date.now();
        const yes = c.version === 1 && !s.protobuf;
        write(s, takProtocolResponseEvent({ uid: TAKP_UID, status: yes, timeMs: now, staleMs: now + 60_000 }));
        if (yes) {
          // Both sides go on in TAK protocol version 1 right after the answer.
          s.protobuf = true;
          framer.useProtobuf();
          s.log.info('cot stream goes on in TAK protocol version 1 (protobuf)');
        }
      }
      return;
    }
    const input = cotInput(message.event);
    for (const raw of commandsOf(input, s)) submit(s, raw);
  };

  /** The commands a CoT input stands for, as a WebSocket client would send them. */
  const commandsOf = (input: CotInput, s: Session): object[] => {
    const iso = (ms: number) => new Date(ms).toISOString();
    switch (input.kind) {
      case 'position':
        return [
          {
            type: 'position',
            msgId: cotMsgId(input.uid, input.timeMs),
            unitId: input.uid,
            lon: input.lon,
            lat: input.lat,
            time: iso(Math.min(input.timeMs, Date.now())),
            ...(input.courseDeg !== undefined ? { heading: input.courseDeg } : {}),
            ...(input.speedMps !== undefined ? { speed: Math.min(input.speedMps, 400) } : {}),
            ...(input.accuracyM !== undefined ? { accuracy: Math.min(input.accuracyM, 100_000) } : {}),
            ...(input.callsign !== undefined && oneLine(input.callsign, 64) ? { callsign: oneLine(input.callsign, 64) } : {}),
            cotType: input.cotType,
            stale: iso(input.staleMs),
          },
        ];
      case 'zone': {
        const properties = { id: input.uid, severity: input.severity, ...(input.label && oneLine(input.label, 200) ? { label: oneLine(input.label, 200) } : {}), source: `TAK ${s.sender.actor.org}` };
        const feature =
          input.geometry.type === 'Circle'
            ? { type: 'Feature', geometry: { type: 'Point', coordinates: input.geometry.center }, properties: { ...properties, radius_m: input.geometry.radiusM } }
            : { type: 'Feature', geometry: input.geometry, properties };
        return [{ type: 'threat.upsert', msgId: cotMsgId(input.uid, input.timeMs), feature }];
      }
      case 'delete': {
        // Only what the picture holds as a zone drawn from a device: a unit is not deleted, it goes stale.
        const picture = opts.store.picture;
        return input.uids.filter((uid) => Object.hasOwn(picture.threats, uid)).map((uid) => ({ type: 'threat.remove', msgId: cotMsgId(`${uid}.delete`, input.timeMs), id: uid }));
      }
      case 'emergency':
      case 'casevac': {
        const unitId = input.senderUid ?? s.sender.unit ?? input.uid;
        const kind = input.kind;
        const open = isOpen(opts.store.picture, unitAlertId(unitId, kind));
        const cancel = input.kind === 'emergency' && input.cancel;
        // A device re-sends its emergency every few seconds: raised once, cancelled once.
        if (cancel ? !open : open) return [];
        const text = input.kind === 'emergency' ? input.emergencyType : input.summary;
        return [
          {
            type: 'unit.alert',
            msgId: cotMsgId(`${input.uid}.${kind}`, input.timeMs),
            unitId,
            kind,
            at: input.positionKnown ? [input.lon, input.lat] : [0, 0],
            ...(text ? { text: text.slice(0, 500) } : {}),
            ...(input.callsign && oneLine(input.callsign, 64) ? { callsign: oneLine(input.callsign, 64) } : {}),
            ...(cancel ? { cancel: true } : {}),
          },
        ];
      }
      case 'ping': {
        const now = Date.now();
        write(s, pongEvent({ timeMs: now, staleMs: now + 20_000 }));
        return [];
      }
      default:
        s.log.debug({ kind: input.kind, ...(input.kind === 'ignore' ? { what: input.what } : {}) }, 'cot event accepted and ignored');
        return [];
    }
  };

  /** A command through the gateway as a WebSocket message goes: checked, then durable before any effect. */
  const submit = (s: Session, raw: object) => {
    const checked = opts.gateway.check(s.sender, raw, Date.now());
    if (!checked.ok) {
      opts.gateway.refused(s.sender, 'cot', checked.error, (raw as { msgId?: string }).msgId);
      return;
    }
    const cmd = checked.value as Exclude<ClientCommand, { type: 'ping' | 'resync' }>;
    opts.gateway.submit(s.sender, cmd, (error?: ProtocolError) => {
      if (error) opts.gateway.refused(s.sender, 'cot', error, cmd.msgId);
    });
  };

  /** Writes one CoT event in the stream's form; false when it could not. */
  const write = (s: Session, xml: string): boolean => {
    if (s.socket.destroyed) return false;
    if (s.protobuf) {
      const framed = xmlToTakFrame(xml);
      if (!framed.ok) {
        s.log.error({ why: framed.reason }, 'a cot event could not be framed as protobuf');
        return false;
      }
      s.socket.write(framed.bytes);
    } else {
      s.socket.write(toStreamXml(xml));
    }
    return true;
  };

  /** Each item's bytes in a stream's form, made once per frame for every stream of the audience. */
  const bytesOf = (item: CotItem, protobuf: boolean, nowMs: number): string | Buffer => (protobuf ? (item.protobuf ??= protobufOf(item.xml(nowMs))) : (item.stream ??= toStreamXml(item.xml(nowMs))));

  /** Items in a stream's form, as one write; an item that cannot be written is logged and left out. */
  const concat = (items: Iterable<CotItem>, extra: readonly string[], protobuf: boolean, nowMs: number): string | Buffer => {
    const parts: (string | Buffer)[] = [];
    for (const item of items) {
      try {
        parts.push(bytesOf(item, protobuf, nowMs));
      } catch (err) {
        logger.error({ uid: item.uid, err: (err as Error).message }, 'an item could not be written as cot');
      }
    }
    for (const xml of extra) parts.push(protobuf ? protobufOf(xml) : toStreamXml(xml));
    // Bytes once, written to every stream of the audience as they are (not encoded again per stream).
    return protobuf ? Buffer.concat(parts as Buffer[]) : Buffer.from((parts as string[]).join(''), 'utf8');
  };

  /** Writes to a stream, cutting it off while it cannot keep up (it is sent everything again once drained). */
  const send = (s: Session, bytes: string | Buffer) => {
    if (s.socket.destroyed || bytes.length === 0) return;
    s.socket.write(bytes);
    if (s.socket.writableLength > bufferLimit) {
      s.lagging = true;
      s.synced = false;
      s.log.warn({ bufferedBytes: s.socket.writableLength }, 'slow cot stream cut off until it drains');
    }
  };

  /** A stream just signed in: everything its audience may see, now. */
  const sendPicture = (s: Session, nowMs: number) => {
    const items = cotItems(opts.outbox.picture(s.audience), opts.staleAfterMs, nowMs);
    if (!feeds.has(s.audience)) feeds.set(s.audience, { sent: new Map([...items].map(([uid, item]) => [uid, item.key])) });
    send(s, concat(items.values(), [], s.protobuf, nowMs));
    s.synced = true;
  };

  /**
   * One frame: per audience, what changed since the last frame (and deletes for what went), made once and
   * written to each of its streams; a stream not in step (new, or drained after lagging) gets all of it.
   */
  const frame = async (nowMs: number, refresh: boolean) => {
    const byAudience = new Map<Audience, Session[]>();
    for (const s of sessions) {
      const list = byAudience.get(s.audience);
      if (list) list.push(s);
      else byAudience.set(s.audience, [s]);
    }
    for (const audience of feeds.keys()) if (!byAudience.has(audience)) feeds.delete(audience);
    for (const [audience, list] of byAudience) {
      const items = cotItems(opts.outbox.picture(audience), opts.staleAfterMs, nowMs);
      let feed = feeds.get(audience);
      if (!feed) feeds.set(audience, (feed = { sent: new Map() }));
      const changed: CotItem[] = [];
      for (const [uid, item] of items) {
        if (!refresh && feed.sent.get(uid) === item.key) continue;
        changed.push(item);
        feed.sent.set(uid, item.key);
      }
      const deletes: string[] = [];
      for (const uid of [...feed.sent.keys()]) {
        if (items.has(uid)) continue;
        deletes.push(deleteEvent({ targetUid: uid, timeMs: nowMs, staleMs: nowMs + 60_000 }));
        feed.sent.delete(uid);
      }
      // The texts are made a slice per turn of the event loop (2,000 moving units are tens of
      // milliseconds of XML): the rest of the server goes on between slices.
      const xmlStreams = list.some((s) => !s.protobuf);
      const toRender = list.some((s) => !s.synced) ? [...items.values()] : changed;
      for (let i = 0; i < toRender.length; i++) {
        try {
          bytesOf(toRender[i], !xmlStreams, nowMs);
        } catch {
          // logged when the frame is put together
        }
        if (i % RENDER_PER_TURN === RENDER_PER_TURN - 1) await nextTurn();
      }
      const made = new Map<string, string | Buffer>();
      const once = (key: string, make: () => string | Buffer) => made.get(key) ?? (made.set(key, make()), made.get(key)!);
      // Written a few streams per turn: a hundred devices' writes do not hold up the rest either.
      for (let i = 0; i < list.length; i++) {
        const s = list[i];
        if (!s.lagging && !s.socket.destroyed) {
          try {
            const bytes = s.synced ? once(`delta:${s.protobuf}`, () => concat(changed, deletes, s.protobuf, nowMs)) : once(`full:${s.protobuf}`, () => concat(items.values(), [], s.protobuf, nowMs));
            send(s, bytes);
            if (!s.lagging) s.synced = true;
          } catch (err) {
            s.log.error({ err }, 'the picture could not be sent to a cot stream');
          }
        }
        if (i % WRITES_PER_TURN === WRITES_PER_TURN - 1) await nextTurn();
      }
    }
  };

  /** A frame at a time: one that takes longer than the interval makes the next one wait. */
  let framing = false;
  const timer = setInterval(() => {
    if (sessions.size === 0 || framing) return;
    const now = Date.now();
    const refresh = now - lastRefreshMs >= REFRESH_MS;
    if (refresh) lastRefreshMs = now;
    framing = true;
    frame(now, refresh)
      .catch((err) => logger.error({ err }, 'a cot frame could not be made'))
      .finally(() => (framing = false));
  }, opts.frameMs ?? 1000);
  timer.unref();

  const servers: net.Server[] = [];
  const listen = (server: net.Server, port: number, variable: string) =>
    new Promise<number>((resolve, reject) => {
      server.maxConnections = opts.maxConnections ?? 20_000;
      server.once('error', (err: NodeJS.ErrnoException) => {
        clearInterval(timer);
        for (const s of servers) s.close();
        reject(new CotPortError(variable, port, err));
      });
      server.listen(port, opts.host, () => {
        server.off('error', reject);
        servers.push(server);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = opts.port !== 0 ? await listen(net.createServer(onSocket), opts.port, 'CORRIDOR_COT_PORT') : 0;
  let tlsPort = 0;
  if (opts.tlsPort) {
    const server = tls.createServer({ cert: readFileSync(opts.tlsCertFile!), key: readFileSync(opts.tlsKeyFile!) }, onSocket);
    server.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'cot tls handshake failed'));
    tlsPort = await listen(server, opts.tlsPort, 'CORRIDOR_COT_TLS_PORT');
  }
  logger.info({ port, tlsPort }, 'Cursor-on-Target listening');
  return {
    port,
    tlsPort,
    size: () => sessions.size,
    close: async () => {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await reader.close();
    },
  };
}

/**
 * A device's name for something on one line (a callsign, a shape's name): TAK allows line breaks in
 * them (a Wear OS alert's callsign holds its message), the picture's names are one line.
 * @example oneLine('SP-Dev\nManual Alert: Gunshot', 64) // 'SP-Dev Manual Alert: Gunshot'
 */
function oneLine(text: string, max: number): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim().slice(0, max).trim();
}

/** A writer's event as a TAK protocol frame; throws when it cannot be (a writer's bug). */
function protobufOf(xml: string): Buffer {
  const framed = xmlToTakFrame(xml);
  if (!framed.ok) throw new Error(framed.reason);
  return framed.bytes;
}

/** Whether an alert is open (raised, not cleared). */
function isOpen(picture: Picture, id: string): boolean {
  const a = picture.alerts[id];
  return a !== undefined && a.clearedMs === undefined;
}

/**
 * The msgId of a CoT event: its uid and time, so a replayed event is stored once (P8); a long uid is
 * hashed to keep within the msgId's length.
 * @example cotMsgId('ANDROID-1', 1700000000000) // 'cot:ANDROID-1:1700000000000'
 */
export function cotMsgId(uid: string, timeMs: number): string {
  const id = uid.length <= 80 ? uid : createHash('sha256').update(uid).digest('hex').slice(0, 40);
  return `cot:${id}:${timeMs}`;
}

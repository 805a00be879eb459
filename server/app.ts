// Assembles the server from its parts (server/): event log, store, tokens, HTTP, WebSocket and
// broadcast on one port. Shared by main.ts and the integration tests.
import type { Router } from 'express';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { TokenStore, tokensFile } from './auth/tokens.js';
import { startupAdminToken } from './auth/admin-token.js';
import type { Config } from './config.js';
import { ConvoyRerouter } from './convoys/rerouter.js';
import { ConvoyTracker } from './convoys/tracker.js';
import { NoticeKeeper, type NoticePlaces } from './convoys/notice-keeper.js';
import { DEFAULT_TRACKING } from './convoys/tracking.js';
import { ExpiryReactor } from './core/expiry.js';
import type { Reactor } from './core/reactor.js';
import { PictureStore, type SubmitResult } from './core/store.js';
import { Gateway } from './gateway/gateway.js';
import { DEFAULT_TOKEN_LIMITS } from './gateway/limits.js';
import type { Sender } from './gateway/sender.js';
import { databaseFile, SqliteEventLog, ThreadedSqliteEventLog, type EventLog } from './log/event-log.js';
import { NatsEventLog } from './log/nats-log.js';
import { RoleLease } from './cluster/role.js';
import { shareTokens, type SharedTokens } from './auth/token-sync.js';
import { FileSnapshotStore, snapshotDir } from './log/snapshot-store.js';
import { ReplayService } from './replay/replay.js';
import { Broadcaster } from './net/broadcast.js';
import { createHttpApp } from './net/http/app.js';
import { AgreementError, parseAgreement, SharingAgreement, type Agreement } from './sharing/agreement.js';
import { DelayLine } from './sharing/delay.js';
import { AgreementPolicy } from './sharing/policy.js';
import { Outbox, type SharingPolicy } from './out/outbox.js';
import { rawErrorResponse } from './net/http/errors.js';
import { attachWebSocket } from './net/ws-adapter.js';
import { FieldFeed } from './net/field-feed.js';
import { startCotServer, type CotServer } from './net/cot-server.js';
import type { Actor, ClientCommand } from '@corridor/protocol';
import { SYSTEM_ACTOR } from './core/commands.js';
import type { RoutingService } from './routing-service.js';
import { checkDataDir, DataDirError, dataDirProblem } from './util/data-dir.js';
import type { NetworkAccess } from './access/network.js';

/** The built client, served at `/`, `/wall`, `/access`, `/field`. */
/** Ms between the delay line's samples: what is delivered M minutes late is M to M + this late. */
export const DELAY_STEP_MS = 30_000;

export const DEFAULT_CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'client');

export interface ServerDeps {
  /** The router: on its own thread in the server (routing-thread.ts), in-thread in tests. */
  routing: RoutingService;
  /** Reactors besides the router, expiry, convoy tracking and re-routing. */
  reactors?: Reactor[];
  /** What each recipient may see (server/out); everyone sees everything when not given. */
  sharing?: SharingPolicy;
  /** The information-sharing agreement read at start-up (issue 13), shown by `GET /api/agreement`. */
  agreement?: Agreement;
  /** The clock of the sharing policy's delays, ms since epoch (tests move it on). */
  sharingClock?: () => number;
  logger?: Logger;
  /** Routers mounted at the root after sign-in (the basemap). */
  routers?: Router[];
  clientDir?: string;
  /** The road network's own access constraints (issue 16; server/access/network.ts), if it has any. */
  networkAccess?: NetworkAccess;
  /** The area the road network covers, named (routing/area-name.ts); `CORRIDOR_AREA_NAME` wins over it. */
  area?: string;
  /** The road file's named places, for the deconfliction notices' lists of places (issue 18). */
  places?: NoticePlaces;
  /**
   * Called when the reactors start or stop here: at once on the embedded log; on a shared log, when
   * this instance takes or gives up the role (main.ts runs the exercise with it, so it runs once).
   */
  onReactors?: (active: boolean) => void | Promise<void>;
}

/** A started server. */
export interface RunningServer {
  /** `http://HOST:PORT` as bound (the real port when config.port was 0). */
  readonly url: string;
  readonly port: number;
  /** The admin token (from config, or made at start-up). */
  readonly adminToken: string;
  readonly store: PictureStore;
  readonly gateway: Gateway;
  readonly tokens: TokenStore;
  readonly http: Server;
  /** Number of connected WebSocket clients. */
  clients(): number;
  /** The Cursor-on-Target listeners, when on (issue 14). */
  readonly cot?: CotServer;
  /** On a shared log (issue 19): this instance's name and whether it holds the reactors' role now. */
  readonly cluster?: { instance: string; reacting(): boolean };
  /**
   * Checks and submits a command under a given sender through the gateway, the same path as a
   * client's; used by the scenario simulator. Rejects with CommandError on a bad command.
   */
  submitAs(sender: Sender, cmd: ClientCommand): Promise<SubmitResult>;
  /**
   * Reads the sharing agreement's file again and puts it in force (SIGHUP); rejects with
   * AgreementError, leaving the one in force, when it cannot. Absent without an agreement file.
   */
  reloadAgreement?: () => Promise<{ seq: number; name: string; digest: string }>;
  /** Graceful stop: refuse new work, commit what is queued, close sockets, snapshot, close the DB. */
  close(): Promise<void>;
}

/** Starts the whole server on `config.port` (0 for any free port). */
export async function startServer(config: Config, deps: ServerDeps): Promise<RunningServer> {
  const logger = deps.logger ?? pino({ level: config.logLevel });
  const file = databaseFile(config.dataDir);
  // A full disk or a read-only folder is named as such before SQLite says "disk I/O error" (issue 9).
  checkDataDir(config.dataDir);
  let log: EventLog;
  let tokens: TokenStore;
  const shared = config.sharedLog;
  if (shared) {
    // Issue 19: one stream on NATS JetStream for every instance, with this instance's copy in its data folder.
    try {
      log = await NatsEventLog.open({ servers: shared.servers, mirrorFile: file, replicas: shared.replicas, instance: shared.instance, logger: logger.child({ part: 'log' }) });
    } catch (err) {
      throw new SharedLogError(`cannot open the shared event log on ${shared.servers.join(', ')}: ${(err as Error).message}`);
    }
  }
  try {
    log ??= config.logThread ? await ThreadedSqliteEventLog.open(file) : new SqliteEventLog(file);
    tokens = new TokenStore(tokensFile(config.dataDir));
  } catch (err) {
    throw new DataDirError(`cannot open the event log ${file}: ${dataDirProblem(config.dataDir, err as { code?: string; message?: string })}`);
  }
  // Kept in the data directory when not configured, so a restart leaves signed-in walls signed in (issue 17).
  const adminToken = startupAdminToken(config.dataDir, config.adminToken).token;
  tokens.setAdmin(adminToken);
  // On a shared log, tokens are shared too: made or revoked at one instance (or by the CLI), at all of them.
  let sharedTokens: SharedTokens | undefined;
  if (shared && log instanceof NatsEventLog) {
    try {
      sharedTokens = await shareTokens({ nc: log.nc, tokens, logger: logger.child({ part: 'tokens' }), replicas: shared.replicas });
    } catch (err) {
      await log.close();
      throw new SharedLogError(`cannot share tokens on ${shared.servers.join(', ')}: ${(err as Error).message}`);
    }
  }

  const store = await PictureStore.open({
    log,
    snapshots: new FileSnapshotStore(snapshotDir(config.dataDir), file),
    logger,
    // Made afresh each time they start: on a shared log, each time this instance takes the role.
    reactors: () => [deps.routing.reactor, new ExpiryReactor(), new ConvoyTracker({ settings: { ...DEFAULT_TRACKING, ...config.tracking }, staleAfterMs: config.staleAfterMs }),
      new ConvoyRerouter({ route: (q) => deps.routing.route(q) }), new NoticeKeeper({ places: deps.places }), ...(deps.reactors ?? [])],
    reactorsActive: !shared,
    snapshotEvery: config.snapshotEvery,
    snapshotIntervalMs: config.snapshotIntervalMs,
  });
  // The reactors run on one instance of a shared log at a time (server/cluster/role.ts); here at once.
  const role =
    shared && log instanceof NatsEventLog
      ? await RoleLease.start({
          js: log.js,
          instance: shared.instance,
          logger: logger.child({ part: 'role' }),
          ttlMs: shared.roleTtlMs,
          replicas: shared.replicas,
          onGain: async () => {
            await store.startReactors();
            await deps.onReactors?.(true);
          },
          onLose: async () => {
            await deps.onReactors?.(false);
            await store.stopReactors();
          },
        })
      : undefined;
  if (!shared) await deps.onReactors?.(true);
  // The after-action replay (issue 16): checkpoints beside the log, seeks on a thread of their own.
  const replay = new ReplayService({
    logFile: file,
    dataDir: config.dataDir,
    picture: () => store.picture,
    onCommit: (listener) => store.onCommit(listener),
    logger: logger.child({ part: 'replay' }),
    checkpointEvery: config.historyEvery,
    checkpointIntervalMs: config.historyIntervalMs,
    retentionMs: config.historyDays === undefined ? undefined : config.historyDays * 86_400_000,
  });
  // Everything sent to anyone passes the outbox with its recipient (one way out).
  // The sharing agreement, when one is in force, decides what each recipient receives (issue 13).
  const agreement = deps.agreement ? new SharingAgreement(deps.agreement) : undefined;
  const sharingNow = deps.sharingClock ?? Date.now;
  // What the agreement delivers late is given as it was (delay.ts): a sample of the picture per step.
  const delayLine = agreement ? new DelayLine({ picture: () => store.picture, delays: () => agreement.delays(), stepMs: config.delayStepMs ?? DELAY_STEP_MS, now: sharingNow }) : undefined;
  const policy = deps.sharing ?? (agreement ? new AgreementPolicy(agreement, () => store.picture, { delayLine, now: sharingNow }) : undefined);
  // What the picture is of (issue 17): the title names the area; EXERCISE is marked only while the exercise runs.
  const operation = { area: config.areaName ?? deps.area ?? '', exercise: config.scenario === 'exercise' };
  const outbox = new Outbox({ picture: () => store.picture, staleAfterMs: config.staleAfterMs, policy, operation });
  const broadcaster = new Broadcaster({
    source: store,
    outbox,
    logger,
    bufferLimitBytes: config.clientBufferBytes,
  });
  const fieldFeed = new FieldFeed({ source: store, outbox, logger, tickMs: config.fieldTickMs, network: deps.networkAccess?.items.filter((i) => i.status !== 'open') });
  const gateway = new Gateway({
    store,
    logger,
    sharing: agreement,
    limits: {
      ratePerS: config.tokenRatePerS ?? DEFAULT_TOKEN_LIMITS.ratePerS,
      maxSockets: config.tokenMaxSockets ?? DEFAULT_TOKEN_LIMITS.maxSockets,
    },
  });
  const allowedOrigins = config.allowedOrigins ?? [];
  // How long the event loop was held, for `GET /api/status`: the figure issue 9 bounds for one message.
  const loop = monitorEventLoopDelay({ resolution: 2 });
  loop.enable();
  let loopSinceMs = Date.now();
  const startedMs = Date.now();
  const status = () => {
    const nowMs = Date.now();
    const eventLoop = { maxMs: round1(loop.max / 1e6), p99Ms: round1(loop.percentile(99) / 1e6), meanMs: round1(loop.mean / 1e6), sinceMs: nowMs - loopSinceMs };
    loop.reset();
    loopSinceMs = nowMs;
    return {
      seq: store.seq,
      ...(shared ? { instance: shared.instance, log: 'nats', reactors: store.reacting } : {}),
      clients: broadcaster.size,
      backlog: store.backlog,
      uptimeS: Math.round((nowMs - startedMs) / 1000),
      rssMb: Math.round(process.memoryUsage.rss() / 1048576),
      eventLoop,
    };
  };
  /**
   * Reads the agreement's file again (issue 13): a file that cannot be read or checked leaves the one
   * in force; a good one is logged as `agreement.changed`, put in force, and every open client is sent
   * the picture it may now see. Concurrent reloads run one after the other.
   */
  let reloading: Promise<unknown> = Promise.resolve();
  /** The agreement's file, read and checked, with its digest; throws AgreementError. */
  const readAgreementFile = (): { next: Agreement; digest: string } => {
    const file = config.agreementFile!;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AgreementError(file, undefined, '', `cannot be read: ${(err as Error).message}`);
    }
    return { next: parseAgreement(text, file), digest: createHash('sha256').update(text).digest('hex') };
  };
  let agreementDigest: string | undefined;
  try {
    agreementDigest = agreement && config.agreementFile ? readAgreementFile().digest : undefined;
  } catch {
    agreementDigest = undefined;
  }
  const putInForce = (next: Agreement, digest: string) => {
    agreement!.replace(next);
    agreementDigest = digest;
    outbox.policyChanged();
    delayLine?.sample();
    return broadcaster.resnapshot();
  };
  const reloadAgreement = (by: Actor = SYSTEM_ACTOR): Promise<{ seq: number; name: string; digest: string }> => {
    const run = reloading.then(async () => {
      const { next, digest } = readAgreementFile();
      const { seq } = await store.record({ type: 'agreement.changed', name: next.name, digest }, by);
      const clients = putInForce(next, digest);
      logger.info({ agreement: next.name, digest, seq, by, clients }, 'information-sharing agreement reloaded');
      return { seq, name: next.name, digest };
    });
    reloading = run.catch(() => undefined);
    return run;
  };
  // On a shared log, an agreement put in force at another instance is read here from this instance's
  // own file, so what each recipient may see is the same at every instance; a file that differs is kept
  // out and said loudly (the operator copies the file to every instance, then reloads one).
  if (shared && agreement && config.agreementFile) {
    store.onCommit((events) => {
      for (const e of events) {
        if (e.event.type !== 'agreement.changed' || e.event.digest === agreementDigest) continue;
        const wanted = e.event.digest;
        reloading = reloading.then(() => {
          if (wanted === agreementDigest) return;
          try {
            const { next, digest } = readAgreementFile();
            if (digest !== wanted) return logger.error({ file: config.agreementFile, digest, wanted, seq: e.seq }, 'another instance put in force an agreement this instance\'s file does not hold; copy the file here and reload (SIGHUP); the one in force stays');
            const clients = putInForce(next, digest);
            logger.info({ agreement: next.name, digest, seq: e.seq, clients }, 'information-sharing agreement put in force at another instance; read from this instance\'s file');
          } catch (err) {
            logger.error({ err: (err as Error).message, seq: e.seq }, 'another instance put in force an agreement this instance could not read; the one in force stays');
          }
        });
      }
    });
  }
  const app = createHttpApp({
    status,
    store,
    gateway,
    tokens,
    routing: deps.routing,
    logger,
    outbox,
    allowedOrigins,
    clientDir: deps.clientDir ?? DEFAULT_CLIENT_DIR,
    routers: deps.routers,
    agreement: () => agreement?.agreement,
    staleAfterMs: config.staleAfterMs,
    reloadAgreement: agreement && config.agreementFile ? (by) => reloadAgreement(by) : undefined,
    replay,
    networkAccess: deps.networkAccess,
    importMaxBytes: config.importMaxBytes,
  });
  const http = createServer(app);
  // Each step, the delay line's new sample is what delayed audiences may now see: sent to their clients.
  let delayTimer: NodeJS.Timeout | undefined;
  if (delayLine) {
    delayLine.sample();
    delayTimer = setInterval(() => {
      try {
        delayLine.sample();
        if (agreement!.delays().maxMin > 0) broadcaster.resnapshot((a) => outbox.delayed(a));
      } catch (err) {
        logger.error({ err }, 'the delay line could not take its sample');
      }
    }, delayLine.stepMs);
    delayTimer.unref();
  }
  // A request Node cannot parse gets the contract's JSON (Node's own answer has an empty body); a
  // peer that reset the connection gets nothing (issue 9).
  http.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    socket.end(rawErrorResponse(err));
  });
  const ws = attachWebSocket({
    server: http,
    gateway,
    broadcaster,
    fieldFeed,
    outbox,
    tokens,
    logger,
    heartbeatMs: config.heartbeatMs,
    bufferLimitBytes: config.clientBufferBytes,
    allowedOrigins,
    revocationCheckMs: config.revocationCheckMs,
  });

  // Summary of accepted batches, once a minute, so info logs stay readable both at 50k updates/s
  // and with the exercise's steady trickle.
  const summary = setInterval(() => {
    const stats = store.takeStats();
    if (stats.events === 0) return;
    logger.info(
      {
        events: stats.events,
        commits: stats.commits,
        meanBatch: Math.round(stats.events / stats.commits),
        commitMsTotal: Math.round(stats.commitMs),
        commitMsMax: Math.round(stats.maxCommitMs),
        seq: store.seq,
        clients: broadcaster.size,
      },
      'events committed in the last minute',
    );
  }, 60_000);
  summary.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  // TAK devices (issue 14): Cursor-on-Target streams, in through the gateway, out through the outbox.
  // A port that cannot be had stops the start, with everything started so far closed again.
  const cot =
    config.cotPort !== 0 || (config.cotTlsPort ?? 0) !== 0
      ? await startCotServer({
          port: config.cotPort,
          tlsPort: config.cotTlsPort,
          tlsCertFile: config.tlsCertFile,
          tlsKeyFile: config.tlsKeyFile,
          host: config.host,
          tokens,
          gateway,
          outbox,
          store,
          logger,
          staleAfterMs: config.staleAfterMs,
          bufferLimitBytes: config.clientBufferBytes,
        }).catch(async (err: unknown) => {
          await role?.stop();
          clearInterval(summary);
          clearInterval(delayTimer);
          loop.disable();
          http.close();
          await ws.close();
          await gateway.close();
          broadcaster.close();
        fieldFeed.close();
          fieldFeed.close();
          await sharedTokens?.close();
          await store.close();
          await replay.close();
          tokens.close();
          http.closeAllConnections();
          throw err;
        })
      : undefined;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${shownHost}:${port}`;
  logger.info({ url, seq: store.seq, dataDir: config.dataDir }, 'server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    adminToken,
    store,
    gateway,
    tokens,
    http,
    clients: () => broadcaster.size,
    cot,
    cluster: shared ? { instance: shared.instance, reacting: () => store.reacting } : undefined,
    submitAs: (sender, raw) => gateway.submitAs(sender, raw),
    reloadAgreement: agreement && config.agreementFile ? () => reloadAgreement() : undefined,
    close() {
      closing ??= (async () => {
        // The role first: another instance takes the reactors over while this one drains.
        await role?.stop();
        clearInterval(summary);
        clearInterval(delayTimer);
        loop.disable();
        http.close();
        await cot?.close();
        await ws.close();
        await gateway.close();
        broadcaster.close();
        fieldFeed.close();
        await sharedTokens?.close();
        await store.close();
        await replay.close();
        await deps.routing.close();
        tokens.close();
        http.closeAllConnections();
        logger.info('server stopped');
      })();
      return closing;
    },
  };
}

/** The shared log named by CORRIDOR_LOG cannot be opened (its servers out of reach, a data folder of another stream). */
export class SharedLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SharedLogError';
  }
}

function round1(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 10) / 10 : 0;
}

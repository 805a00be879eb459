// Server configuration from the environment (CONTRACT.md "Running"), with a clear error per bad value.
import { hostname } from 'node:os';
import path from 'node:path';
import { DEFAULT_TRACKING, type TrackingSettings } from './convoys/tracking.js';
import { parseAllowedOrigins } from './gateway/origin.js';
import { EXERCISE_AGREEMENT_FILE } from './sharing/agreement.js';

/** Everything the server needs to start; built by {@link loadConfig} or by tests directly. */
export interface Config {
  /** TCP port for HTTP and WebSocket; 0 picks a free one (tests). */
  port: number;
  /** Address to bind. */
  host: string;
  /** Folder holding the SQLite databases: `corridor.db` (the event log) and `tokens.db`, and the caches. */
  dataDir: string;
  /** Admin token; when undefined a random one is made at start-up and printed. */
  adminToken?: string;
  /** `exercise` runs the built-in scenario; `none` starts with an empty picture. */
  scenario: 'exercise' | 'none';
  /** The area of operations' name, the picture's title (`CORRIDOR_AREA_NAME`); named from the road network when absent (issue 17). */
  areaName?: string;
  /** Road network file to route on; undefined means the router's built-in exercise network. */
  roadsFile?: string;
  /**
   * What to do when the event log's picture was made on another road network than this start's
   * (server/log/network-identity.ts): `refuse` to start (default), or `adopt` the new network.
   */
  networkChanged: 'refuse' | 'adopt';
  /** Cursor-on-Target TCP port (0 = off). Parsed now, served by a later issue. */
  cotPort: number;
  /** TCP port for Cursor-on-Target streams over TLS (TAK's 8089), 0 off (issue 14). */
  cotTlsPort?: number;
  /** The server's certificate and key (PEM files) for the CoT TLS port. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** After how long without a report a unit counts as stale, ms. */
  staleAfterMs: number;
  /** Bytes a client's socket may hold unsent before it is cut off from frames (P10). */
  clientBufferBytes: number;
  /** Interval between heartbeat pings, ms; a socket silent for two intervals is dropped. */
  heartbeatMs: number;
  /** Ms between the field stream's sends of what positions alone changed (issue 15; default 5,000). */
  fieldTickMs?: number;
  /** Take a picture snapshot after this many events ... */
  snapshotEvery: number;
  /** ... or after this long with new events, ms. */
  snapshotIntervalMs: number;
  /** pino level (`info` by default, `silent` in tests). */
  logLevel: string;
  /** Commit on a writer thread (default) or on the main thread (`CORRIDOR_LOG_THREAD=0`). */
  logThread: boolean;
  /**
   * The event log shared with other instances on NATS JetStream (`CORRIDOR_LOG=nats://…`, issue 19);
   * absent for the embedded SQLite log (`CORRIDOR_LOG=sqlite`, the default).
   */
  sharedLog?: SharedLogConfig;
  /** How often open WebSocket sessions are checked for revoked tokens, ms (default 5,000). */
  revocationCheckMs?: number;
  /** Origins besides the server's own whose pages may open /ws and write with a browser's cookie. */
  allowedOrigins?: string[];
  /** Updates per second one token may send (P15; a burst of twice that is allowed). */
  tokenRatePerS?: number;
  /** Sockets one token may hold open (P15). */
  tokenMaxSockets?: number;
  /** Scenario seconds per second of the built-in exercise (1 by default; 10 for a soak or a quick look). */
  exerciseSpeedup?: number;
  /** What convoy tracking measures against (P21); the defaults when absent. */
  tracking?: Partial<TrackingSettings>;
  /**
   * The information-sharing agreement file (YAML or JSON, issue 13): the exercise's by default,
   * undefined with `CORRIDOR_AGREEMENT=none`. Read and checked before the server starts.
   */
  agreementFile?: string;
  /** Ms between the samples of what the agreement delivers late (30 s; shorter in tests). */
  delayStepMs?: number;
  /**
   * The after-action replay's checkpoints (issue 16): every `historyEvery` events (100,000) or
   * `historyIntervalMs` (10 min) with new events, kept `historyDays` (7, `CORRIDOR_HISTORY_DAYS`).
   */
  historyDays?: number;
  historyEvery?: number;
  historyIntervalMs?: number;
  /** The largest import of displacement figures, bytes (`CORRIDOR_IMPORT_MAX_BYTES`, issue 17; 64 MiB). */
  importMaxBytes?: number;
}

/** A configuration value that cannot be used; `variable` names the environment variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(name, `must be a TCP port number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(n > 0) || n > max) {
    throw new ConfigError(name, `must be a number greater than 0 and at most ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * Reads the configuration from environment variables; throws {@link ConfigError} on a bad value.
 * @example loadConfig({ PORT: '9000' }).port // 9000
 */
/** A log on NATS JetStream shared by several instances (issue 19). */
export interface SharedLogConfig {
  /** NATS server URLs, any of the cluster's nodes. */
  servers: string[];
  /** Copies of the stream (`CORRIDOR_LOG_REPLICAS`): 3 on a three-node cluster, the default when three or more servers are named; else 1. */
  replicas: number;
  /** This instance's name (`CORRIDOR_INSTANCE`; default the host name and port). */
  instance: string;
  /** How long the reactors' lease lives without renewal, ms (`CORRIDOR_ROLE_TTL_S`, default 6). */
  roleTtlMs: number;
}

/** Reads `CORRIDOR_LOG` and its companions: undefined for the embedded log. Throws {@link ConfigError}. */
export function sharedLogConfig(env: NodeJS.ProcessEnv, portNumber: number): SharedLogConfig | undefined {
  const value = (env.CORRIDOR_LOG || 'sqlite').trim();
  if (value === 'sqlite') return undefined;
  const servers = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const s of servers) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new ConfigError('CORRIDOR_LOG', `must be "sqlite" or NATS server URLs like nats://host:4222 (comma-separated), got "${s}"`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new ConfigError('CORRIDOR_LOG', `must be "sqlite" or nats:// URLs, got "${s}"`);
  }
  if (servers.length === 0) throw new ConfigError('CORRIDOR_LOG', 'names no NATS server');
  const replicasText = env.CORRIDOR_LOG_REPLICAS;
  const replicas = replicasText === undefined || replicasText === '' ? (servers.length >= 3 ? 3 : 1) : Number(replicasText);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new ConfigError('CORRIDOR_LOG_REPLICAS', `must be a whole number from 1 to 5, got "${replicasText}"`);
  const instance = (env.CORRIDOR_INSTANCE || `${hostname()}-${portNumber}`).trim();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(instance)) throw new ConfigError('CORRIDOR_INSTANCE', `must be 1 to 64 letters, digits or . _ -, got "${instance}"`);
  return { servers, replicas, instance, roleTtlMs: positive(env, 'CORRIDOR_ROLE_TTL_S', 6, 600) * 1000 };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const scenario = env.CORRIDOR_SCENARIO || 'exercise';
  if (scenario !== 'exercise' && scenario !== 'none') {
    throw new ConfigError('CORRIDOR_SCENARIO', `must be "exercise" or "none", got "${scenario}"`);
  }
  const host = env.HOST || '127.0.0.1';
  if (/\s/.test(host)) throw new ConfigError('HOST', `must be an address like 127.0.0.1 or 0.0.0.0, got "${host}"`);
  const adminToken = env.CORRIDOR_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && (adminToken.length < 16 || /\s/.test(adminToken))) {
    throw new ConfigError('CORRIDOR_ADMIN_TOKEN', 'must be at least 16 characters without spaces');
  }
  const areaName = env.CORRIDOR_AREA_NAME?.trim() || undefined;
  if (areaName !== undefined && (areaName.length > 80 || /[\u0000-\u001f]/.test(areaName))) {
    throw new ConfigError('CORRIDOR_AREA_NAME', 'must be a name of at most 80 characters on one line');
  }
  const roads = env.CORRIDOR_ROADS || undefined;
  if (roads !== undefined && !/\.(geojson|json|osm\.pbf)$/i.test(roads)) {
    throw new ConfigError('CORRIDOR_ROADS', `must be a .geojson or .osm.pbf file, got "${roads}"`);
  }
  const networkChanged = env.CORRIDOR_NETWORK_CHANGED || 'refuse';
  if (networkChanged !== 'refuse' && networkChanged !== 'adopt') {
    throw new ConfigError('CORRIDOR_NETWORK_CHANGED', `must be "refuse" or "adopt", got "${networkChanged}"`);
  }
  const level = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of fatal, error, warn, info, debug, trace, silent; got "${level}"`);
  }
  let allowedOrigins: string[];
  try {
    allowedOrigins = parseAllowedOrigins(env.CORRIDOR_ALLOWED_ORIGINS);
  } catch (err) {
    throw new ConfigError('CORRIDOR_ALLOWED_ORIGINS', (err as Error).message);
  }
  const agreement = env.CORRIDOR_AGREEMENT || '';
  if (agreement !== '' && agreement !== 'none' && !/\.(ya?ml|json)$/i.test(agreement)) {
    throw new ConfigError('CORRIDOR_AGREEMENT', `must be a .yaml, .yml or .json file, or "none", got "${agreement}"`);
  }
  const cotTlsPort = port(env, 'CORRIDOR_COT_TLS_PORT', 0);
  const tlsCertFile = env.CORRIDOR_TLS_CERT ? path.resolve(cwd, env.CORRIDOR_TLS_CERT) : undefined;
  const tlsKeyFile = env.CORRIDOR_TLS_KEY ? path.resolve(cwd, env.CORRIDOR_TLS_KEY) : undefined;
  if (cotTlsPort !== 0 && (!tlsCertFile || !tlsKeyFile)) {
    throw new ConfigError('CORRIDOR_COT_TLS_PORT', 'needs the server certificate and key: set CORRIDOR_TLS_CERT and CORRIDOR_TLS_KEY (PEM files)');
  }
  const thread = env.CORRIDOR_LOG_THREAD || '1';
  if (thread !== '0' && thread !== '1') throw new ConfigError('CORRIDOR_LOG_THREAD', `must be 1 (writer thread) or 0 (main thread), got "${thread}"`);
  const sharedLog = sharedLogConfig(env, port(env, 'PORT', 8080));
  // Every instance must sign the same people in: a token made at one instance's start would be another's stranger.
  if (sharedLog && !adminToken) throw new ConfigError('CORRIDOR_ADMIN_TOKEN', 'must be set, the same on every instance, when the log is shared (CORRIDOR_LOG=nats://…)');
  return {
    ...(sharedLog ? { sharedLog } : {}),
    port: port(env, 'PORT', 8080),
    host,
    dataDir: path.resolve(cwd, env.CORRIDOR_DATA_DIR || './var'),
    adminToken,
    scenario,
    ...(areaName ? { areaName } : {}),
    roadsFile: roads === undefined ? undefined : path.resolve(cwd, roads),
    networkChanged,
    cotPort: port(env, 'CORRIDOR_COT_PORT', 8087),
    cotTlsPort,
    tlsCertFile,
    tlsKeyFile,
    staleAfterMs: positive(env, 'CORRIDOR_STALE_AFTER_S', 120, 86_400) * 1000,
    clientBufferBytes: positive(env, 'CORRIDOR_CLIENT_BUFFER_BYTES', 8 * 1024 * 1024, 1024 ** 3),
    heartbeatMs: positive(env, 'CORRIDOR_HEARTBEAT_S', 30, 3600) * 1000,
    fieldTickMs: positive(env, 'CORRIDOR_FIELD_TICK_S', 5, 3600) * 1000,
    snapshotEvery: positive(env, 'CORRIDOR_SNAPSHOT_EVERY', 200_000, 1e9),
    snapshotIntervalMs: positive(env, 'CORRIDOR_SNAPSHOT_INTERVAL_S', 60, 86_400) * 1000,
    logLevel: level,
    logThread: thread === '1',
    allowedOrigins,
    agreementFile: agreement === 'none' ? undefined : agreement === '' ? EXERCISE_AGREEMENT_FILE : path.resolve(cwd, agreement),
    tokenRatePerS: positive(env, 'CORRIDOR_TOKEN_RATE', 5000, 10_000_000),
    tokenMaxSockets: Math.round(positive(env, 'CORRIDOR_TOKEN_MAX_SOCKETS', 64, 100_000)),
    exerciseSpeedup: positive(env, 'CORRIDOR_EXERCISE_SPEEDUP', 1, 100),
    historyDays: positive(env, 'CORRIDOR_HISTORY_DAYS', 7, 3650),
    importMaxBytes: Math.round(positive(env, 'CORRIDOR_IMPORT_MAX_BYTES', 64 * 1024 * 1024, 1024 ** 3)),
    tracking: {
      offCorridorM: positive(env, 'CORRIDOR_OFF_CORRIDOR_M', DEFAULT_TRACKING.offCorridorM, 100_000),
      offCorridorMs: positive(env, 'CORRIDOR_OFF_CORRIDOR_S', DEFAULT_TRACKING.offCorridorMs / 1000, 86_400) * 1000,
      stoppedMs: positive(env, 'CORRIDOR_STOPPED_S', DEFAULT_TRACKING.stoppedMs / 1000, 86_400) * 1000,
      arrivalM: positive(env, 'CORRIDOR_ARRIVAL_M', DEFAULT_TRACKING.arrivalM, 100_000),
    },
  };
}

// `npm run bench:replay` (issue 16): how long a seek of the after-action replay takes on a long log.
// Builds, in a temporary folder, an event log of BENCH_REPLAY_EVENTS events (10,000,000) spread over a
// day (mostly `position.reported` of BENCH_REPLAY_UNITS units (300), with zones, access constraints,
// convoys, their corridors and changes of state among them), with the replay checkpoints the server
// would write (every 100,000 events or 10 minutes of log with new events, history-store.ts), then
// asks the replay (server/replay/replay.ts: a seek thread, read-only connections) for the picture at
// BENCH_REPLAY_SEEKS (100) random moments and prints p50, p99 and max in ms. The goal: under 1 s a
// seek on a 10M-event log. BENCH_WRITE=0 prints without writing docs/bench-replay.md; nothing is
// kept: the folder is removed at the end.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { applyEventsInPlace, emptyPicture, idRecord, type Actor, type Corridor, type PictureEvent } from '@corridor/protocol';
import { databaseFile } from '../server/log/event-log.js';
import { openLogDatabase } from '../server/log/sqlite-store.js';
import { CHECKPOINT_EVERY, CHECKPOINT_INTERVAL_MS } from '../server/replay/checkpointer.js';
import { historyFile, HistoryStore } from '../server/replay/history-store.js';
import { ReplayService } from '../server/replay/replay.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the builder makes. */
export interface ReplayLogOptions {
  events: number;
  /** Units reporting (most events are their positions). */
  units?: number;
  /** Time of the first event and the time the log spans, ms. */
  startMs?: number;
  spanMs?: number;
  seed?: number;
  /** Checkpoints as the server writes them: every this many events, or this long with new events, ms. */
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
  /** Called now and then with the events written so far. */
  onProgress?: (done: number) => void;
}

export interface ReplayLog {
  logFile: string;
  historyFile: string;
  firstMs: number;
  lastMs: number;
  checkpoints: number;
}

/** A small seeded generator (mulberry32): the same log for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BBOX = { w: 11.8, s: 57.6, e: 12.1, n: 57.8 };
const ORGS = ['WFP', 'UNHCR', 'MSF', 'ARMY'];
const CATEGORIES = ['movement-restriction', 'entry-impediments', 'hostilities', 'explosive-hazards', 'physical-environment'];
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Builds a log in `dir` as the server would have stored it (the same database layout, events with
 * their seq, time and actor), and the replay checkpoints the server would have written beside it, in
 * big transactions with prepared statements. Times are spread evenly over `spanMs`.
 */
export function buildReplayLog(dir: string, opts: ReplayLogOptions): ReplayLog {
  const n = opts.events;
  const unitCount = opts.units ?? 300;
  const startMs = opts.startMs ?? Date.UTC(2026, 11, 1, 0, 0, 0);
  const spanMs = opts.spanMs ?? 86_400_000;
  const every = opts.checkpointEvery ?? CHECKPOINT_EVERY;
  const intervalMs = opts.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS;
  const rnd = random(opts.seed ?? 16);
  const logFile = databaseFile(dir);
  const db = openLogDatabase(logFile);
  // A bench database: no fsync per transaction (the server's log has them; building it is not measured).
  db.pragma('synchronous = OFF');
  const insert = db.prepare('INSERT INTO events (seq, time_ms, type, body) VALUES (?, ?, ?, ?)');
  const history = new HistoryStore(historyFile(dir));
  const picture = emptyPicture();
  const actors: Actor[] = ORGS.map((org, i) => ({ tokenId: `tk-bench-${i}`, org, role: org === 'ARMY' ? 'operator' : 'coordinator' }));
  const units = Array.from({ length: unitCount }, (_, i) => ({
    id: `unit-${String(i).padStart(4, '0')}`,
    lon: BBOX.w + rnd() * (BBOX.e - BBOX.w),
    lat: BBOX.s + rnd() * (BBOX.n - BBOX.s),
    owner: ORGS[i % ORGS.length],
  }));
  const convoys: string[] = [];
  let zones = 0;
  let constraints = 0;
  let pending: PictureEvent[] = [];
  let sinceCheckpoint = 0;
  let lastCheckpointMs = startMs;
  let checkpoints = 0;
  let lastMs = startMs;

  const point = (): [number, number] => [round6(BBOX.w + rnd() * (BBOX.e - BBOX.w)), round6(BBOX.s + rnd() * (BBOX.n - BBOX.s))];
  const square = ([lon, lat]: [number, number], d: number) => [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]];
  /** The next event (without seq and time): mostly a unit's fix. */
  const next = (timeMs: number): Record<string, unknown> => {
    const r = rnd();
    const actor = actors[Math.floor(rnd() * actors.length)];
    if (r < 0.97 || convoys.length === 0) {
      const u = units[Math.floor(rnd() * units.length)];
      u.lon = Math.min(BBOX.e, Math.max(BBOX.w, u.lon + (rnd() - 0.5) * 0.002));
      u.lat = Math.min(BBOX.n, Math.max(BBOX.s, u.lat + (rnd() - 0.5) * 0.001));
      const unit = { unitId: u.id, lon: round6(u.lon), lat: round6(u.lat), timeMs: timeMs - 500, seenMs: timeMs, heading: Math.floor(rnd() * 360), speed: Math.round(rnd() * 200) / 10, callsign: u.id.toUpperCase(), owner: u.owner };
      return { type: 'position.reported', msgId: `m${Math.floor(rnd() * 1e9).toString(36)}`, units: [unit], actor };
    }
    if (r < 0.975) {
      const id = `tz-${zones++ % 200}`;
      const at = point();
      const area = { type: 'Polygon', coordinates: square(at, 0.003) };
      return { type: 'threat.upserted', zone: { id, severity: rnd() < 0.3 ? 'no-go' : 'danger', label: `incident ${zones}`, source: 'bench', geometry: area, area, owner: actor.org, updatedMs: timeMs }, actor };
    }
    if (r < 0.98) return { type: 'threat.removed', id: `tz-${Math.floor(rnd() * Math.min(200, zones + 1))}`, reason: 'expired' };
    if (r < 0.985) {
      const id = `ac-${constraints++ % 300}`;
      return {
        type: 'constraint.upserted',
        constraint: { id, category: CATEGORIES[Math.floor(rnd() * CATEGORIES.length)], status: rnd() < 0.5 ? 'closed' : 'restricted', reason: 'checkpoint', geometry: { type: 'Point', coordinates: point() }, verifiedAtMs: timeMs, owner: actor.org, updatedMs: timeMs },
        actor,
      };
    }
    if (r < 0.99) {
      const id = convoys.length < 40 && rnd() < 0.5 ? `cv-${convoys.length}` : convoys[Math.floor(rnd() * convoys.length)];
      if (!convoys.includes(id)) convoys.push(id);
      return { type: 'convoy.upserted', convoy: { id, name: `Convoy ${id}`, origin: point(), destination: point(), vehicleClass: 'truck', state: 'planned', owner: actor.org, updatedMs: timeMs }, actor };
    }
    const convoyId = convoys[Math.floor(rnd() * convoys.length)];
    const from = point();
    const coordinates = Array.from({ length: 40 }, (_, i) => [round6(from[0] + i * 0.001), round6(from[1] + Math.sin(i / 5) * 0.001)] as [number, number]);
    const corridor: Corridor = { convoyId, status: 'ok', routes: [{ coordinates, distance_m: 4000, duration_s: 400, exposure_m: 0, min_clearance_m: null }], reason: 'zones changed', computedMs: timeMs };
    return { type: 'corridor.recomputed', corridor };
  };

  const flush = () => {
    applyEventsInPlace(picture, pending);
    pending = [];
  };
  const checkpoint = (timeMs: number) => {
    flush();
    history.write(picture.seq, timeMs, gzipSync(JSON.stringify({ ...picture, units: idRecord(picture.units) })));
    checkpoints++;
    sinceCheckpoint = 0;
    lastCheckpointMs = timeMs;
  };
  const BATCH = 50_000;
  for (let from = 1; from <= n; from += BATCH) {
    const to = Math.min(n, from + BATCH - 1);
    db.transaction(() => {
      for (let seq = from; seq <= to; seq++) {
        const timeMs = startMs + Math.floor(((seq - 1) * spanMs) / Math.max(1, n - 1));
        // The server's rule (checkpointer.ts): N events, or the interval with new events, whichever first.
        if (sinceCheckpoint > 0 && (sinceCheckpoint >= every || timeMs - lastCheckpointMs >= intervalMs)) checkpoint(timeMs);
        const event = { seq, timeMs, ...next(timeMs) } as unknown as PictureEvent;
        insert.run(seq, timeMs, event.type, JSON.stringify(event));
        pending.push(event);
        sinceCheckpoint++;
        lastMs = timeMs;
      }
    })();
    flush();
    opts.onProgress?.(to);
  }
  db.close();
  history.close();
  return { logFile, historyFile: historyFile(dir), firstMs: startMs, lastMs, checkpoints };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const events = Number(process.env.BENCH_REPLAY_EVENTS ?? 10_000_000);
  const unitCount = Number(process.env.BENCH_REPLAY_UNITS ?? 300);
  const seeks = Number(process.env.BENCH_REPLAY_SEEKS ?? 100);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  console.log(`bench:replay on ${machine}: ${events.toLocaleString('en')} events, ${unitCount} units, ${seeks} seeks`);
  const dir = mkdtempSync(path.join(tmpdir(), 'corridor-bench-replay-'));
  try {
    const built = performance.now();
    let shown = 0;
    const log = buildReplayLog(dir, {
      events,
      units: unitCount,
      onProgress: (done) => {
        if (done - shown >= 1_000_000 || done === events) {
          shown = done;
          process.stderr.write(`built ${done.toLocaleString('en')} events (${Math.round((performance.now() - built) / 1000)} s)\n`);
        }
      },
    });
    const buildS = (performance.now() - built) / 1000;
    const logMb = (statSync(log.logFile).size + (statSync(`${log.logFile}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 1048576;
    const historyMb = statSync(log.historyFile).size / 1048576;

    const replay = new ReplayService({ logFile: log.logFile, dataDir: dir, picture: emptyPicture, onCommit: () => () => undefined, logger: pino({ level: 'silent' }) });
    const rnd = random(7);
    const times: number[] = [];
    const threadMs: number[] = [];
    let maxFolded = 0;
    let maxBytes = 0;
    // A first seek starts the thread (and warms SQLite's page cache for the indexes); not counted.
    await replay.seek(log.firstMs + (log.lastMs - log.firstMs) / 2);
    for (let i = 0; i < seeks; i++) {
      const atMs = Math.floor(log.firstMs + rnd() * (log.lastMs - log.firstMs));
      const t0 = performance.now();
      const found = await replay.seek(atMs);
      times.push(performance.now() - t0);
      threadMs.push(found.ms);
      maxFolded = Math.max(maxFolded, found.folded);
      maxBytes = Math.max(maxBytes, found.json.length);
    }
    await replay.close();
    // A check that the seeks fold to a picture: the last event's seq at the end of the log.
    const db = new Database(log.logFile, { readonly: true });
    const lastSeq = (db.prepare('SELECT MAX(seq) FROM events').pluck().get() as number) ?? 0;
    db.close();

    times.sort((a, b) => a - b);
    threadMs.sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(1);
    const table = [
      '| events | checkpoints | log | history | build | seeks | p50 ms | p99 ms | max ms | on the seek thread p50 / max ms | most events folded | largest picture |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${lastSeq.toLocaleString('en')} | ${log.checkpoints} | ${logMb.toFixed(0)} MB | ${historyMb.toFixed(1)} MB | ${buildS.toFixed(0)} s | ${seeks} | ${f(percentile(times, 50))} | ${f(percentile(times, 99))} | ${f(times[times.length - 1])} | ${f(percentile(threadMs, 50))} / ${f(threadMs[threadMs.length - 1])} | ${maxFolded.toLocaleString('en')} | ${(maxBytes / 1024).toFixed(0)} KiB |`,
    ].join('\n');
    const verdict = times[times.length - 1] < 1000 ? 'every seek under 1 s: the goal is met' : 'some seeks took 1 s or more: the goal (under 1 s) is NOT met';
    const text = `${table}\n\n${verdict}.\n`;
    console.log(`\n${text}`);
    if (process.env.BENCH_WRITE !== '0') {
      const doc =
        `# bench:replay\n\n\`BENCH_REPLAY_EVENTS=${events} npm run bench:replay\` on ${machine}, ${new Date().toISOString().slice(0, 10)}: ` +
        `a log of ${events.toLocaleString('en')} events over one day (97 % \`position.reported\` of ${unitCount} units, the rest zones, access constraints, convoys and their corridors) built in a temporary folder with the checkpoints the server writes (every ${CHECKPOINT_EVERY.toLocaleString('en')} events or ${CHECKPOINT_INTERVAL_MS / 60_000} minutes of log with new events: here the ${CHECKPOINT_INTERVAL_MS / 60_000} minutes come first), ` +
        `then ${seeks} seeks to random moments through the replay service as the server runs it (\`GET /api/picture?at=\` less HTTP): the seq by binary search on the log's primary key, the newest checkpoint at or before it, the events after it folded, on a seek thread with read-only connections, the picture's JSON text handed back. ` +
        `Times are from asking to the text being back on the main thread; "on the seek thread" is the work alone. The first seek (starting the thread) is not counted.\n\n${text}`;
      writeFileSync(path.join(root, 'docs', 'bench-replay.md'), doc);
      console.log('written to docs/bench-replay.md');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

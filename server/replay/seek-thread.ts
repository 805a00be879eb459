// A seek thread (server/replay, issue 16): finds and folds the picture at a past moment on read-only
// connections of its own to the log and the history, so a seek of a second never holds the server's
// event loop, and sends back its JSON text. One request at a time; the pool (replay.ts) queues.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { HistoryStore } from './history-store.js';
import { LogIndex, pictureAtSeq, SeekTooFarError } from './seek.js';

/** Asks for the picture at `atMs` (ms since epoch), folding at most `maxFold` events. */
export interface SeekRequest {
  id: number;
  atMs: number;
  maxFold: number;
}
export type SeekReply =
  | { id: number; seq: number; json: string; fromSeq: number; folded: number; ms: number }
  | { id: number; error: string; tooFar?: boolean }
  | { ready: true }
  | { fatal: string };

const port = parentPort!;
const { logFile, historyFile } = workerData as { logFile: string; historyFile: string };
try {
  const db = new Database(logFile, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const log = new LogIndex(db);
  const history = new HistoryStore(historyFile, { readonly: true });
  port.on('message', (msg: SeekRequest) => {
    const started = performance.now();
    try {
      const seq = log.seqAt(msg.atMs);
      const found = pictureAtSeq(log, history, seq, msg.maxFold);
      const json = JSON.stringify(found.picture);
      port.postMessage({ id: msg.id, seq, json, fromSeq: found.fromSeq, folded: found.folded, ms: performance.now() - started } satisfies SeekReply);
    } catch (err) {
      port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err), tooFar: err instanceof SeekTooFarError } satisfies SeekReply);
    }
  });
  port.postMessage({ ready: true } satisfies SeekReply);
} catch (err) {
  port.postMessage({ fatal: err instanceof Error ? err.message : String(err) } satisfies SeekReply);
}

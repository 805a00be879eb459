// The event log's writer thread (server/log): owns the SQLite write connection so commits and their
// fsync run beside the main thread, which keeps reading sockets meanwhile (P3 group commit).
import { parentPort, workerData } from 'node:worker_threads';
import { LogWriter, openLogDatabase, type WireBatch } from './sqlite-store.js';

/** Requests from the main thread; each is answered with a {@link WriterReply} of the same id. */
export type WriterRequest =
  | { kind: 'append'; id: number; batch: WireBatch; timeMs: number }
  | { kind: 'snapshot'; id: number; seq: number; json: string }
  | { kind: 'close'; id: number };
export type WriterReply = { id: number; outcomes?: Float64Array; error?: string } | { ready: true; seq: number } | { fatal: string };

const port = parentPort!;
try {
  const db = openLogDatabase((workerData as { file: string }).file);
  const writer = new LogWriter(db);
  port.on('message', (msg: WriterRequest) => {
    try {
      switch (msg.kind) {
        case 'append': {
          const outcomes = writer.append(msg.batch, msg.timeMs);
          port.postMessage({ id: msg.id, outcomes } satisfies WriterReply, [outcomes.buffer as ArrayBuffer]);
          return;
        }
        case 'snapshot':
          writer.writeSnapshot(msg.seq, msg.json);
          port.postMessage({ id: msg.id } satisfies WriterReply);
          return;
        case 'close':
          db.close();
          port.postMessage({ id: msg.id } satisfies WriterReply);
          port.close();
          return;
      }
    } catch (err) {
      port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies WriterReply);
    }
  });
  port.postMessage({ ready: true, seq: 0 } satisfies WriterReply);
} catch (err) {
  port.postMessage({ fatal: err instanceof Error ? err.message : String(err) } satisfies WriterReply);
}

// The event log's writer thread (server/log): owns the SQLite write connection so commits and their
// fsync run beside the main thread, which keeps reading sockets meanwhile (P3 group commit). Appends
// that arrive while a commit runs are committed together next.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { LogWriter, openLogDatabase, type WireBatch } from './sqlite-store.js';

/** Requests from the main thread; each is answered with a {@link WriterReply} of the same id. */
export type WriterRequest =
  | { kind: 'append'; id: number; batch: WireBatch; timeMs: number }
  | { kind: 'probe'; id: number }
  | { kind: 'close'; id: number };
export type WriterReply = { id: number; outcomes?: Float64Array; error?: string } | { ready: true; seq: number } | { fatal: string };

const port = parentPort!;
try {
  const db = openLogDatabase((workerData as { file: string }).file);
  const writer = new LogWriter(db);
  const handle = (msg: WriterRequest): void => {
    try {
      switch (msg.kind) {
        case 'append':
          return appendGroup(msg);
        case 'probe':
          writer.probe(Date.now());
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
  };
  /**
   * Group commit on this thread: the appends that reached it while the previous commit ran go into
   * one transaction (one fsync), in the order sent, each answered with its own outcomes. A request
   * of another kind found behind them runs after that commit, keeping the order of requests.
   */
  const appendGroup = (first: Extract<WriterRequest, { kind: 'append' }>): void => {
    const group = [first];
    let after: WriterRequest | undefined;
    for (;;) {
      const next = receiveMessageOnPort(port)?.message as WriterRequest | undefined;
      if (next === undefined) break;
      if (next.kind !== 'append') {
        after = next;
        break;
      }
      group.push(next);
    }
    try {
      const outcomes = writer.appendMany(group);
      group.forEach((msg, i) => port.postMessage({ id: msg.id, outcomes: outcomes[i] } satisfies WriterReply, [outcomes[i].buffer as ArrayBuffer]));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      for (const msg of group) port.postMessage({ id: msg.id, error } satisfies WriterReply);
    }
    if (after) handle(after);
  };
  port.on('message', handle);
  port.postMessage({ ready: true, seq: 0 } satisfies WriterReply);
} catch (err) {
  port.postMessage({ fatal: err instanceof Error ? err.message : String(err) } satisfies WriterReply);
}

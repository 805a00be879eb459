// Moves an operation from the embedded log to a shared one (issue 19): every event of a data folder's
// `corridor.db`, in order, with its time and its msgIds, into an empty NATS JetStream stream, so that
// instances started on the shared log fold the same picture at the same seqs, and retries of updates
// acknowledged before the move are still answered with their first seq (P8).
import Database from 'better-sqlite3';
import { connect } from 'nats';
import type { AppendEntry } from './event-log.js';
import { encodeMessage, ensureStream } from './nats-log.js';
import { lastStoredSeq } from './sqlite-store.js';

/** Events published per round trip. */
const PAGE = 1000;

export interface CopyOptions {
  /** The embedded log's database (`corridor.db` of a data folder); read only. */
  file: string;
  servers: string[];
  replicas: number;
  stream?: string;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The event's JSON as it was appended, without the `seq` and `timeMs` the log put in front of it
 * (sqlite-store.ts eventJson); parsed and written again only when it was stored another way.
 */
export function unstamped(seq: number, timeMs: number, stored: string): string {
  const prefix = `{"seq":${seq},"timeMs":${timeMs}`;
  if (stored.startsWith(prefix)) {
    const rest = stored.slice(prefix.length);
    if (rest === '}') return '{}';
    if (rest.startsWith(',')) return `{${rest.slice(1)}`;
  }
  const { seq: _seq, timeMs: _time, ...event } = JSON.parse(stored) as Record<string, unknown>;
  return JSON.stringify(event);
}

/** Copies every event into the stream, which must be empty; resolves with how many were copied. */
export async function copyToStream(opts: CopyOptions): Promise<{ events: number; stream: string }> {
  const db = new Database(opts.file, { readonly: true, fileMustExist: true });
  const stream = opts.stream ?? 'CORRIDOR';
  try {
    const total = lastStoredSeq(db);
    if (total === 0) throw new Error(`${opts.file} holds no events to copy`);
    const nc = await connect({ servers: opts.servers, name: 'corridor log copy' });
    try {
      const jsm = await nc.jetstreamManager();
      const info = await ensureStream(jsm, stream, opts.replicas);
      if (info.state.last_seq !== 0) throw new Error(`the stream ${stream} already holds ${info.state.last_seq} events; a log is copied into an empty stream only (a new stream, or one deleted with \`nats stream rm ${stream}\`)`);
      const js = nc.jetstream();
      const page = db.prepare('SELECT seq, time_ms AS timeMs, type, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
      const keys = db.prepare('SELECT s.scope, k.msg_id AS msgId, k.fp FROM msg_keys k JOIN msg_scopes s ON s.id = k.scope_id WHERE k.seq = ?');
      let done = 0;
      for (let after = 0; ; ) {
        const rows = page.all(after, PAGE) as Array<{ seq: number; timeMs: number; type: string; body: string }>;
        if (rows.length === 0) break;
        const acks = await Promise.all(
          rows.map((row) => {
            const ids = keys.all(row.seq) as Array<{ scope: string; msgId: string; fp: number | null }>;
            const entry: AppendEntry = {
              event: { type: row.type } as AppendEntry['event'],
              msgIds: ids.map((k) => k.msgId),
              fingerprints: ids.map((k) => k.fp ?? NaN),
              scope: ids[0]?.scope ?? '',
            };
            // The copy's own id per seq: a copy tried again stores nothing twice.
            return js.publish(`${stream.toLowerCase()}.events`, encodeMessage(entry, row.timeMs, unstamped(row.seq, row.timeMs, row.body)), { msgID: `copy.${info.created}.${row.seq}` });
          }),
        );
        acks.forEach((ack, i) => {
          if (ack.seq !== rows[i].seq) throw new Error(`the stream gave event ${rows[i].seq} the seq ${ack.seq}: another writer is appending to ${stream}; stop every instance before copying`);
        });
        done += rows.length;
        after = rows[rows.length - 1].seq;
        opts.onProgress?.(done, total);
      }
      return { events: done, stream };
    } finally {
      await nc.drain().catch(() => undefined);
    }
  } finally {
    db.close();
  }
}

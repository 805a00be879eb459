// The field page's queue of what it sends (client/src/field, issue 15): every position and report is
// written to IndexedDB before it is sent, and leaves only once the server has acknowledged it (or
// refused it for good), so it survives a lost link, a page reload and a phone restart. Items keep the
// order they were made in; each carries a msgId made on the device, so a resend after a lost ack is
// stored once (the server's idempotency, P8).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { OutgoingCommand } from '../net/connection.js';

/** One item waiting to be sent. */
export interface Queued {
  /** Order of making (IndexedDB key). */
  n?: number;
  msgId: string;
  /** What it is, for the list the user sees. */
  what: 'position' | 'report';
  /** The report's kind, for the list. */
  detail?: string;
  createdMs: number;
  command: OutgoingCommand & { msgId: string };
}

/** An item the server refused for good (it would be refused again): kept for the user to see. */
export interface Refused extends Queued {
  code: string;
  message: string;
}

interface QueueDb extends DBSchema {
  queue: { key: number; value: Queued };
  refused: { key: number; value: Refused };
}

/** Where queued items are kept: IndexedDB in the browser, memory where there is none. */
export interface QueueStore {
  add(item: Queued): Promise<Queued>;
  all(): Promise<Queued[]>;
  remove(n: number): Promise<void>;
  refuse(item: Refused): Promise<void>;
  refused(): Promise<Refused[]>;
  clearRefused(): Promise<void>;
}

/** The IndexedDB store of one unit's queue (one database per unit: a shared phone keeps each apart). */
export async function indexedDbStore(unit: string): Promise<QueueStore> {
  const db: IDBPDatabase<QueueDb> = await openDB<QueueDb>(`corridor-field-${unit}`, 1, {
    upgrade(d) {
      d.createObjectStore('queue', { keyPath: 'n', autoIncrement: true });
      d.createObjectStore('refused', { keyPath: 'n' });
    },
  });
  return {
    async add(item) {
      const n = await db.add('queue', item);
      return { ...item, n };
    },
    all: () => db.getAll('queue'),
    remove: (n) => db.delete('queue', n),
    async refuse(item) {
      const tx = db.transaction(['queue', 'refused'], 'readwrite');
      await Promise.all([tx.objectStore('queue').delete(item.n!), tx.objectStore('refused').put(item), tx.done]);
    },
    refused: () => db.getAll('refused'),
    clearRefused: () => db.clear('refused'),
  };
}

/** A queue kept in memory (no IndexedDB: a private window that forbids it). */
export function memoryStore(): QueueStore {
  let next = 1;
  const queue = new Map<number, Queued>();
  const refused = new Map<number, Refused>();
  return {
    async add(item) {
      const stored = { ...item, n: next++ };
      queue.set(stored.n, stored);
      return stored;
    },
    all: async () => [...queue.values()],
    remove: async (n) => void queue.delete(n),
    refuse: async (item) => {
      queue.delete(item.n!);
      refused.set(item.n!, item);
    },
    refused: async () => [...refused.values()],
    clearRefused: async () => refused.clear(),
  };
}

/**
 * A msgId no other device or reload makes: the unit, the time and randomness.
 * @example deviceMsgId('PATROL-21', 1700000000000) // 'PATROL-21.loyw3v28.9f3k2q'
 */
export function deviceMsgId(unit: string, nowMs = Date.now()): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${unit}.${nowMs.toString(36)}.${random[0].toString(36)}${random[1].toString(36)}`;
}

/** Error codes after which the same message would be refused again: it leaves the queue, kept as refused. */
const FINAL = new Set(['invalid', 'invalid_geometry', 'time_in_future', 'payload_too_large', 'unknown_type', 'forbidden', 'not_found', 'conflict', 'bad_json']);

/** Whether an error of the server is final for this message (otherwise it is sent again later). */
export function isFinal(code: string): boolean {
  return FINAL.has(code);
}

// Which road network a data directory's event log belongs to (server/log): recorded in the log's file
// on the first start, checked on every start before the picture is restored onto the roads.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { databaseFile } from './event-log.js';

/** A road network as the data directory records it: its content key and a name for people. */
export interface NetworkIdentity {
  /** Content hash of the road file (routing/index.ts `LoadedNetwork.key`). */
  key: string;
  /** A name to show, e.g. the road file's base name. */
  name: string;
}

/** Characters of a network key shown in messages: enough to tell two networks apart. */
const KEY_SHOWN = 12;

/**
 * The data directory's event log holds a picture made on another road network; its message names
 * both networks and the two ways out.
 */
export class NetworkMismatchError extends Error {
  constructor(
    readonly dataDir: string,
    readonly recorded: NetworkIdentity,
    readonly given: NetworkIdentity,
  ) {
    super(
      `the data directory ${dataDir} belongs to the road network ${describe(recorded)}, and its event log holds a picture ` +
        `made on it; this start was given ${describe(given)}. Either use another CORRIDOR_DATA_DIR for this network, ` +
        `or set CORRIDOR_NETWORK_CHANGED=adopt to carry the picture over onto the new network.`,
    );
    this.name = 'NetworkMismatchError';
  }
}

function describe(network: NetworkIdentity): string {
  return `"${network.name}" (key ${network.key.slice(0, KEY_SHOWN)})`;
}

/**
 * Checks that the event log in `dataDir` belongs to `network`, and records it when it belongs to none
 * yet. A picture restored onto other roads would keep corridors, zones' blocked edges and positions
 * that mean nothing there, so another network is refused while the log has events, unless `mode` is
 * `adopt` (CORRIDOR_NETWORK_CHANGED=adopt), which records the new network and carries the picture
 * over. An empty log simply takes the new network. Every network recorded stays in the table, with
 * the time it was taken on: the last row is the current one.
 *
 * Returns whether this call recorded the network. Throws {@link NetworkMismatchError}.
 * @example checkNetworkIdentity('/srv/corridor/var', { key: network.key, name: 'gothenburg.geojson' }, 'refuse')
 */
export function checkNetworkIdentity(dataDir: string, network: NetworkIdentity, mode: 'refuse' | 'adopt'): { recorded: boolean } {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(databaseFile(dataDir));
  try {
    // The server and the token CLI may hold the file; wait for their locks rather than fail.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS network (key TEXT NOT NULL, name TEXT NOT NULL, since_ms INTEGER NOT NULL)');
    const check = db.transaction((): { recorded: boolean } => {
      const current = db.prepare('SELECT key, name FROM network ORDER BY rowid DESC LIMIT 1').get() as NetworkIdentity | undefined;
      if (current?.key === network.key) return { recorded: false };
      if (current && mode === 'refuse' && hasEvents(db)) throw new NetworkMismatchError(dataDir, current, network);
      db.prepare('INSERT INTO network (key, name, since_ms) VALUES (?, ?, ?)').run(network.key, network.name, Date.now());
      return { recorded: true };
    });
    // IMMEDIATE: two processes starting at once must not both read "none recorded" and both record.
    return check.immediate();
  } finally {
    db.close();
  }
}

/** Whether the event log has any event; a fresh directory has no events table yet. */
function hasEvents(db: Database.Database): boolean {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
  // EXISTS rather than COUNT(*): the answer is the same, without scanning a log of millions of events.
  return table !== undefined && db.prepare('SELECT EXISTS (SELECT 1 FROM events)').pluck().get() === 1;
}

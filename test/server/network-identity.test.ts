// Unit tests of server/log/network-identity.ts: a data directory remembers the road network its event
// log belongs to, and refuses another one while the log holds a picture, unless told to adopt it.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseFile, SqliteEventLog } from '../../server/log/event-log.js';
import { checkNetworkIdentity, NetworkMismatchError } from '../../server/log/network-identity.js';
import { tempDir } from './helpers.js';

const GOTHENBURG = { key: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', name: 'large-network.json' };
const LEGAZPI = { key: 'ffeeddccbbaa99887766554433221100', name: 'legazpi-highways.geojson' };

/** The networks recorded in the directory, oldest first. */
function recorded(dir: string): Array<{ key: string; name: string }> {
  const db = new Database(databaseFile(dir), { readonly: true });
  try {
    return db.prepare('SELECT key, name FROM network ORDER BY rowid').all() as Array<{ key: string; name: string }>;
  } finally {
    db.close();
  }
}

/** Puts one event in the directory's log, through the log itself. */
async function oneEvent(dir: string): Promise<void> {
  const log = new SqliteEventLog(databaseFile(dir));
  await log.append([{ event: { type: 'haven.removed', id: 'hv-1' }, msgIds: [], scope: 'tk:test' }], Date.now());
  await log.close();
}

describe('checkNetworkIdentity', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('records the network on the first start of a fresh directory (no log yet)', () => {
    expect(checkNetworkIdentity(tmp.dir, GOTHENBURG, 'refuse')).toEqual({ recorded: true });
    expect(recorded(tmp.dir)).toEqual([GOTHENBURG]);
  });

  it('lets the same network start again, whatever the log holds, and records nothing more', async () => {
    checkNetworkIdentity(tmp.dir, GOTHENBURG, 'refuse');
    await oneEvent(tmp.dir);
    expect(checkNetworkIdentity(tmp.dir, { ...GOTHENBURG, name: 'renamed.json' }, 'refuse')).toEqual({ recorded: false });
    expect(recorded(tmp.dir)).toEqual([GOTHENBURG]);
  });

  it('refuses another network while the log has events, naming both and the two ways out', async () => {
    checkNetworkIdentity(tmp.dir, GOTHENBURG, 'refuse');
    await oneEvent(tmp.dir);
    let error: unknown;
    try {
      checkNetworkIdentity(tmp.dir, LEGAZPI, 'refuse');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NetworkMismatchError);
    const message = (error as Error).message;
    expect(message).toContain(tmp.dir);
    expect(message).toContain('"large-network.json" (key a1b2c3d4e5f6)');
    expect(message).toContain('"legazpi-highways.geojson" (key ffeeddccbbaa)');
    expect(message).not.toContain(GOTHENBURG.key.slice(0, 13));
    expect(message).toContain('another CORRIDOR_DATA_DIR');
    expect(message).toContain('CORRIDOR_NETWORK_CHANGED=adopt');
    // Nothing recorded: the directory still belongs to the first network.
    expect(recorded(tmp.dir)).toEqual([GOTHENBURG]);
  });

  it('lets another network take a directory whose log is empty, and records it', async () => {
    checkNetworkIdentity(tmp.dir, GOTHENBURG, 'refuse');
    // The log's tables exist, without events.
    await new SqliteEventLog(databaseFile(tmp.dir)).close();
    expect(checkNetworkIdentity(tmp.dir, LEGAZPI, 'refuse')).toEqual({ recorded: true });
    expect(recorded(tmp.dir).at(-1)).toEqual(LEGAZPI);
    expect(checkNetworkIdentity(tmp.dir, LEGAZPI, 'refuse')).toEqual({ recorded: false });
  });

  it('adopts another network when told to: records it, after which the first one is the other network', async () => {
    checkNetworkIdentity(tmp.dir, GOTHENBURG, 'refuse');
    await oneEvent(tmp.dir);
    expect(checkNetworkIdentity(tmp.dir, LEGAZPI, 'adopt')).toEqual({ recorded: true });
    expect(recorded(tmp.dir)).toEqual([GOTHENBURG, LEGAZPI]);
    // Adopted: the new network starts plainly, and the old one is now the stranger.
    expect(checkNetworkIdentity(tmp.dir, LEGAZPI, 'refuse')).toEqual({ recorded: false });
    expect(() => checkNetworkIdentity(tmp.dir, GOTHENBURG, 'refuse')).toThrow(/belongs to the road network "legazpi-highways.geojson"/);
  });
});

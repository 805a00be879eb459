// The snapshot store (server/log/snapshot-store.ts): the newest snapshots kept on disk and the latest
// read back; a damaged or half-written one is passed over; a data folder of the older layout (snapshots
// inside the log database) still gives its last snapshot.
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSnapshotStore, snapshotDir } from '../../server/log/snapshot-store.js';
import { emptyPicture, idRecord, type Picture } from '@corridor/protocol';
import { tempDir } from '../server/helpers.js';

const pictureAt = (seq: number): Picture => ({ ...emptyPicture(), seq });

describe('FileSnapshotStore', () => {
  it('keeps the newest three and gives back the latest, with prototype-free slices', async () => {
    const tmp = tempDir();
    const store = new FileSnapshotStore(snapshotDir(tmp.dir));
    expect(await store.latest()).toBeUndefined();
    for (let seq = 1; seq <= 5; seq++) await store.write(seq, JSON.stringify({ ...pictureAt(seq), units: { constructor: { unitId: 'constructor' } } }));
    expect(readdirSync(snapshotDir(tmp.dir)).sort()).toEqual(['snapshot-0000000000000003.json', 'snapshot-0000000000000004.json', 'snapshot-0000000000000005.json']);
    const latest = (await store.latest())!;
    expect(latest.seq).toBe(5);
    expect(Object.getPrototypeOf(latest.units)).toBeNull();
    expect(latest.units.constructor).toEqual({ unitId: 'constructor' });
    tmp.cleanup();
  });

  it('passes over a damaged snapshot and a half-written temporary file for the one before', async () => {
    const tmp = tempDir();
    const dir = snapshotDir(tmp.dir);
    const store = new FileSnapshotStore(dir);
    await store.write(7, JSON.stringify(pictureAt(7)));
    writeFileSync(path.join(dir, 'snapshot-0000000000000009.json'), '{"seq":9,"units":{');
    writeFileSync(path.join(dir, '.snapshot-0000000000000010.json.123.tmp'), JSON.stringify(pictureAt(10)));
    expect((await store.latest())?.seq).toBe(7);
    tmp.cleanup();
  });

  it('reads the last snapshot of a data folder of the older layout (inside the log database) when it has none of its own', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'corridor.db');
    mkdirSync(tmp.dir, { recursive: true });
    const db = new Database(file);
    db.exec('CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, body TEXT NOT NULL)');
    db.prepare('INSERT INTO snapshots VALUES (?, ?, ?)').run(3, 0, JSON.stringify({ ...pictureAt(3), havens: idRecord() }));
    db.prepare('INSERT INTO snapshots VALUES (?, ?, ?)').run(12, 0, JSON.stringify(pictureAt(12)));
    db.close();
    const store = new FileSnapshotStore(snapshotDir(tmp.dir), file);
    expect((await store.latest())?.seq).toBe(12);
    await store.write(13, JSON.stringify(pictureAt(13)));
    expect((await store.latest())?.seq).toBe(13);
    tmp.cleanup();
  });
});

// Snapshots of the picture (server/log), a store of their own beside the event log: a restart is the
// latest snapshot plus the log after it. Files written with async I/O (fsync and an atomic rename), so
// writing one never holds the event loop; the newest few are kept.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pictureFromJson, type Picture } from '@corridor/protocol';

/** Where snapshots are kept and found. */
export interface SnapshotStore {
  /** Stores the picture's JSON text, taken at `seq`; resolves once it is on disk. */
  write(seq: number, json: string): Promise<void>;
  /** The newest snapshot that reads back whole, or undefined when there is none. */
  latest(): Promise<Picture | undefined>;
  close(): Promise<void>;
}

/** Snapshots kept; older ones are deleted once a newer one is on disk. */
const KEPT = 3;
const NAME = /^snapshot-(\d{16})\.json$/;

/** The snapshot folder inside a data folder. */
export function snapshotDir(dataDir: string): string {
  return path.join(dataDir, 'snapshots');
}

/**
 * {@link SnapshotStore} on files `snapshot-<seq>.json` in one folder. A snapshot that was being written
 * when the process died is a temporary file, never read; one that does not parse is skipped for the
 * one before it. A data folder from before snapshots had their own store keeps its last snapshot in
 * the log database (`legacyDatabase`): it is read when the folder has none yet.
 */
export class FileSnapshotStore implements SnapshotStore {
  private ready?: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly legacyDatabase?: string,
  ) {}

  async write(seq: number, json: string): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.ready;
    const name = `snapshot-${String(seq).padStart(16, '0')}.json`;
    const temp = path.join(this.dir, `.${name}.${process.pid}.tmp`);
    const file = await open(temp, 'w');
    try {
      await file.writeFile(json, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path.join(this.dir, name));
    // The rename itself is durable once the folder is synced.
    const folder = await open(this.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    const names = await this.names();
    for (const old of names.slice(KEPT)) await rm(path.join(this.dir, old), { force: true });
  }

  async latest(): Promise<Picture | undefined> {
    for (const name of await this.names()) {
      try {
        return pictureFromJson(JSON.parse(await readFile(path.join(this.dir, name), 'utf8')) as Picture);
      } catch {
        // cut short or damaged: the one before it will do, with a longer replay
      }
    }
    return this.legacy();
  }

  async close(): Promise<void> {}

  /** Snapshot files, newest first. */
  private async names(): Promise<string[]> {
    if (!existsSync(this.dir)) return [];
    return (await readdir(this.dir)).filter((n) => NAME.test(n)).sort().reverse();
  }

  /** The newest snapshot kept inside the log database by the layout before this store. */
  private legacy(): Picture | undefined {
    if (!this.legacyDatabase || !existsSync(this.legacyDatabase)) return undefined;
    const db = new Database(this.legacyDatabase, { readonly: true, fileMustExist: true });
    try {
      const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'snapshots'").get();
      if (!has) return undefined;
      const body = db.prepare('SELECT body FROM snapshots ORDER BY seq DESC LIMIT 1').pluck().get() as string | undefined;
      return body === undefined ? undefined : pictureFromJson(JSON.parse(body) as Picture);
    } finally {
      db.close();
    }
  }
}

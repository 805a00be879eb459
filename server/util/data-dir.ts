// Whether the data directory can hold the event log (server/util): checked before the database is
// opened, so a full disk or a read-only folder is named as such, not as "disk I/O error" (issue 9).
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** A data directory that cannot be used; the message says which and what is wrong with it. */
export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

/**
 * What an operating-system or SQLite error means for the data directory `dir`, in a sentence; the
 * error's own message when it is none of the known ones.
 * @example dataDirProblem('/var/corridor', { code: 'ENOSPC' }) // 'the disk holding /var/corridor is full: …'
 */
export function dataDirProblem(dir: string, err: { code?: string; message?: string }): string {
  const code = err.code ?? '';
  const message = err.message ?? String(err);
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || /disk is full|database or disk is full/i.test(message)) {
    return `the disk holding ${dir} is full: free some space there, or point CORRIDOR_DATA_DIR at another disk`;
  }
  if (code === 'EROFS' || code === 'SQLITE_READONLY' || /read-?only/i.test(message)) {
    return `${dir} is on a read-only file system or the database in it is read-only: point CORRIDOR_DATA_DIR at a writable folder`;
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM' || code === 'SQLITE_CANTOPEN') {
    return `${dir} cannot be written by this user${typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : ''}: give it write permission, or point CORRIDOR_DATA_DIR at another folder`;
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') return `${dir} is not a folder: point CORRIDOR_DATA_DIR at a folder`;
  if (code === 'SQLITE_IOERR' || /disk I\/O error/i.test(message)) {
    return `reading or writing ${dir} fails (disk I/O error): check the disk, its free space and its permissions`;
  }
  return `${dir}: ${message}`;
}

/**
 * Makes sure `dir` exists and takes a small durable write (a file of 64 KiB, fsynced and removed),
 * so a full disk or a read-only folder is found before the log opens. Throws {@link DataDirError}.
 */
export function checkDataDir(dir: string): void {
  const probe = path.join(dir, `.write-check-${process.pid}`);
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(probe, 'w');
    writeSync(fd, Buffer.alloc(64 * 1024));
    fsyncSync(fd);
  } catch (err) {
    throw new DataDirError(dataDirProblem(dir, err as NodeJS.ErrnoException));
  } finally {
    if (fd !== undefined) closeSync(fd);
    try {
      rmSync(probe, { force: true });
    } catch {
      // Only a probe that could not be made fails to go: the error above says why.
    }
  }
}

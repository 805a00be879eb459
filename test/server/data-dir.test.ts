// Tests of the data directory check (server/util/data-dir.ts, issue 9): causes named in a sentence, and the probe write on real folders.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDataDir, DataDirError, dataDirProblem } from '../../server/util/data-dir.js';
import { tempDir } from './helpers.js';

const DIR = '/var/corridor';

describe('dataDirProblem (issue 9)', () => {
  const cases: Array<[string, { code?: string; message?: string }, RegExp]> = [
    ['ENOSPC', { code: 'ENOSPC', message: 'no space left on device, write' }, /disk holding \/var\/corridor is full/],
    ['SQLITE_FULL', { code: 'SQLITE_FULL', message: 'database or disk is full' }, /disk holding \/var\/corridor is full/],
    ['EROFS', { code: 'EROFS', message: 'read-only file system, open' }, /\/var\/corridor is on a read-only file system/],
    ['SQLITE_READONLY', { code: 'SQLITE_READONLY', message: 'attempt to write a readonly database' }, /read-only/],
    ['EACCES', { code: 'EACCES', message: 'permission denied, open' }, /\/var\/corridor cannot be written by this user/],
    ['ENOTDIR', { code: 'ENOTDIR', message: 'not a directory, open' }, /\/var\/corridor is not a folder/],
    ['EEXIST', { code: 'EEXIST', message: 'file already exists, mkdir' }, /\/var\/corridor is not a folder/],
    ['SQLITE_IOERR', { code: 'SQLITE_IOERR', message: 'disk I/O error' }, /reading or writing \/var\/corridor fails \(disk I\/O error\)/],
    ['a message only: disk is full', { message: 'database or disk is full' }, /is full/],
    ['a message only: disk I/O error', { message: 'disk I/O error' }, /\(disk I\/O error\)/],
  ];
  for (const [name, err, expected] of cases) {
    it(`names the directory and the cause for ${name}`, () => {
      const text = dataDirProblem(DIR, err);
      expect(text).toMatch(expected);
      expect(text).toContain(DIR);
    });
  }

  it('tells the fix: free space or another folder via CORRIDOR_DATA_DIR', () => {
    expect(dataDirProblem(DIR, { code: 'ENOSPC' })).toContain('CORRIDOR_DATA_DIR');
    expect(dataDirProblem(DIR, { code: 'EROFS' })).toContain('CORRIDOR_DATA_DIR');
    expect(dataDirProblem(DIR, { code: 'EACCES' })).toContain('CORRIDOR_DATA_DIR');
  });

  it('falls back to the error message for anything else', () => {
    expect(dataDirProblem(DIR, { code: 'EBUSY', message: 'resource busy or locked' })).toBe(`${DIR}: resource busy or locked`);
    expect(dataDirProblem(DIR, { message: 'something odd' })).toBe(`${DIR}: something odd`);
  });
});

describe('checkDataDir (issue 9)', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    cleanup?.();
    cleanup = undefined;
  });
  const fresh = () => {
    const t = tempDir('corridor-data-dir-');
    cleanup = t.cleanup;
    return t.dir;
  };

  /** The error checkDataDir throws for `dir`, or undefined. */
  const thrown = (dir: string): unknown => {
    try {
      checkDataDir(dir);
      return undefined;
    } catch (err) {
      return err;
    }
  };

  it('succeeds on a fresh folder and leaves no probe file behind', () => {
    const dir = fresh();
    expect(thrown(dir)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    // Twice in a row as well (the probe of the first is gone, not in the way).
    checkDataDir(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('creates a nested folder that does not exist', () => {
    const dir = path.join(fresh(), 'a', 'b', 'var');
    expect(existsSync(dir)).toBe(false);
    checkDataDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('on a path that is a regular file (EEXIST) throws DataDirError saying it is not a folder', () => {
    const file = path.join(fresh(), 'var');
    writeFileSync(file, 'not a folder');
    const err = thrown(file);
    expect(err).toBeInstanceOf(DataDirError);
    expect((err as Error).name).toBe('DataDirError');
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/is not a folder/);
  });

  it('on a path below a regular file (ENOTDIR) throws DataDirError saying it is not a folder', () => {
    const file = path.join(fresh(), 'var');
    writeFileSync(file, 'not a folder');
    const dir = path.join(file, 'data');
    const err = thrown(dir);
    expect(err).toBeInstanceOf(DataDirError);
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toMatch(/is not a folder/);
  });
});

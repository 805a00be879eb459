// The start-up admin token (server/auth): `CORRIDOR_ADMIN_TOKEN` when set, else the one kept in the data
// directory's `admin-token` file, made once. A restart of the same data directory keeps it, so walls and
// browsers signed in with it stay signed in (issue 17); `npm run token -- rotate-admin` replaces it.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateToken } from './tokens.js';

/** Name of the file, in the data directory, that keeps the generated admin token (mode 0600). */
export const ADMIN_TOKEN_FILE = 'admin-token';

/** Whether `token` may be an admin token: at least 16 characters, no white space (as CORRIDOR_ADMIN_TOKEN). */
export function isUsableAdminToken(token: string): boolean {
  return token.length >= 16 && !/\s/.test(token);
}

/** Writes `token` to the data directory's admin-token file, readable by its owner only, atomically. */
export function keepAdminToken(dataDir: string, token: string): void {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * The admin token to start with, and where it came from: the configured one; else the kept one; else a
 * new one, kept for the next start. A kept file that is not a usable token (edited by hand) is replaced.
 * @example startupAdminToken('/var/corridor').from // 'new' the first time, 'kept' after
 */
export function startupAdminToken(dataDir: string, configured?: string): { token: string; from: 'setting' | 'kept' | 'new' } {
  if (configured) return { token: configured, from: 'setting' };
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (isUsableAdminToken(kept)) return { token: kept, from: 'kept' };
  }
  const token = generateToken();
  keepAdminToken(dataDir, token);
  return { token, from: 'new' };
}

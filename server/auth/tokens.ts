// Access tokens (server/auth): stored as SHA-256 hashes in the SQLite database, with org, role, unit
// and a revoked flag. Used by the HTTP and WebSocket sign-in and by `npm run token`.
import Database from 'better-sqlite3';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROLES, type Role } from './roles.js';

/** A token's record; the token itself is never stored, only its hash. */
export interface TokenRecord {
  /** Public id, e.g. `tk-3f9a1c2b4d5e`; safe to log and to pass to `revoke`. */
  id: string;
  org: string;
  role: Role;
  /** For `field` tokens: the one unit this device may report for. */
  unit?: string;
  createdMs: number;
  revoked: boolean;
}

/** SHA-256 of a token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token: `crd_` then 32 bytes base64url (256 bits). */
export function generateToken(): string {
  return `crd_${randomBytes(32).toString('base64url')}`;
}

const ORG = /^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$/;
const UNIT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Token storage on better-sqlite3 (the same file as the event log, its own table). */
export class TokenStore {
  private readonly db: Database.Database;
  private readonly byHash: Database.Statement;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        org TEXT NOT NULL,
        role TEXT NOT NULL,
        unit TEXT,
        created_ms INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
      );
    `);
    this.byHash = this.db.prepare('SELECT id, hash, org, role, unit, created_ms, revoked FROM tokens WHERE hash = ?');
  }

  /**
   * Creates a token and returns it with its record; the token is shown once and cannot be recovered.
   * Throws an Error naming the bad argument.
   */
  create(opts: { org: string; role: string; unit?: string; id?: string; token?: string }): { token: string; record: TokenRecord } {
    if (!ORG.test(opts.org)) throw new Error(`--org must be 1 to 64 letters, digits, spaces or . _ : -, got "${opts.org}"`);
    if (!(ROLES as readonly string[]).includes(opts.role)) {
      throw new Error(`--role must be one of ${ROLES.join(', ')}, got "${opts.role}"`);
    }
    if (opts.unit !== undefined && !UNIT.test(opts.unit)) {
      throw new Error(`--unit must be a unit id (letters, digits and . _ : -), got "${opts.unit}"`);
    }
    const token = opts.token ?? generateToken();
    const record: TokenRecord = {
      id: opts.id ?? `tk-${randomBytes(6).toString('hex')}`,
      org: opts.org,
      role: opts.role as Role,
      unit: opts.unit,
      createdMs: Date.now(),
      revoked: false,
    };
    this.db
      .prepare('INSERT INTO tokens (id, hash, org, role, unit, created_ms, revoked) VALUES (?, ?, ?, ?, ?, ?, 0)')
      .run(record.id, hashToken(token), record.org, record.role, record.unit ?? null, record.createdMs);
    return { token, record };
  }

  /** Sets the admin token (id `tk-admin`), replacing an earlier one. */
  setAdmin(token: string): TokenRecord {
    this.db.prepare("DELETE FROM tokens WHERE id = 'tk-admin'").run();
    return this.create({ org: 'admin', role: 'admin', id: 'tk-admin', token }).record;
  }

  /** The record of a valid (known, not revoked) token, or undefined. */
  verify(token: string | undefined): TokenRecord | undefined {
    if (!token || token.length > 512) return undefined;
    const hash = hashToken(token);
    const row = this.byHash.get(hash) as
      | { id: string; hash: string; org: string; role: Role; unit: string | null; created_ms: number; revoked: number }
      | undefined;
    // The lookup is by hash; compare again in constant time so timing says nothing about near misses.
    if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex')) || row.revoked) return undefined;
    return { id: row.id, org: row.org, role: row.role, unit: row.unit ?? undefined, createdMs: row.created_ms, revoked: false };
  }

  /** Revokes a token by id; returns false when there is no such token. */
  revoke(id: string): boolean {
    return this.db.prepare('UPDATE tokens SET revoked = 1 WHERE id = ?').run(id).changes > 0;
  }

  /** Those of `ids` that are revoked (or no longer exist), so their open sessions can be ended. */
  revokedAmong(ids: readonly string[]): string[] {
    if (ids.length === 0) return [];
    const live = new Set(
      this.db
        .prepare('SELECT id FROM tokens WHERE revoked = 0 AND id IN (SELECT value FROM json_each(?))')
        .pluck()
        .all(JSON.stringify(ids)) as string[],
    );
    return ids.filter((id) => !live.has(id));
  }

  /** All tokens, newest first (no secrets: only records). */
  list(): TokenRecord[] {
    const rows = this.db.prepare('SELECT id, org, role, unit, created_ms, revoked FROM tokens ORDER BY created_ms DESC').all() as Array<{
      id: string;
      org: string;
      role: Role;
      unit: string | null;
      created_ms: number;
      revoked: number;
    }>;
    return rows.map((r) => ({ id: r.id, org: r.org, role: r.role, unit: r.unit ?? undefined, createdMs: r.created_ms, revoked: !!r.revoked }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

// Access tokens (server/auth): stored as SHA-256 hashes in their own SQLite file (`tokens.db`), with
// org, role, unit and a revoked flag. Used by the HTTP and WebSocket sign-in and by `npm run token`;
// shared between instances by token-sync.ts through `onWrite` and `apply`.
import Database from 'better-sqlite3';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { databaseFile } from '../log/event-log.js';
import { ROLES, type Role } from './roles.js';
import { mergeTokens, sameToken, TOKEN_ORG, TOKEN_UNIT, type StoredToken } from './token-record.js';

export type { StoredToken } from './token-record.js';

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

/**
 * The token database inside a data folder. Tokens live apart from the event log (`corridor.db`) so
 * the log's file holds the picture alone and can be copied, shared or replaced without the secrets.
 * @example tokensFile('/srv/corridor/var') // '/srv/corridor/var/tokens.db'
 */
export function tokensFile(dataDir: string): string {
  return path.join(dataDir, 'tokens.db');
}

const TOKENS_TABLE = `
  CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    org TEXT NOT NULL,
    role TEXT NOT NULL,
    unit TEXT,
    created_ms INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
  );
`;

/**
 * Moves the tokens of an older data directory, kept in the event log's file (`legacyFile`), into `db`
 * (tokens.db): every row with its id, hash and revoked flag, then the old table is dropped, in one
 * transaction that holds both files (BEGIN IMMEDIATE), so two processes opening at once move them
 * once, and a revocation cannot live in one file and not in the other. Idempotent.
 *
 * It merges (rows tokens.db lacks, and every secret revoked in the old table) rather than copying only
 * into an empty tokens.db: in WAL mode SQLite commits the two files one after the other, and a crash
 * between them leaves tokens.db written and the old table in place; the next opening then finishes
 * the move instead of leaving two tables that disagree. The old table stays while the event log has
 * its own migration still to run (an old `msg_ids` table, server/log/sqlite-store.ts), which reads a
 * token's unit from it: when the token CLI runs before the server's first start, that start finishes.
 */
function migrateLegacyTokens(db: Database.Database, legacyFile: string): void {
  db.exec(TOKENS_TABLE);
  if (!existsSync(legacyFile)) return; // ATTACH would create it
  db.prepare('ATTACH DATABASE ? AS legacy').run(legacyFile);
  try {
    const has = db.prepare("SELECT 1 FROM legacy.sqlite_master WHERE type = 'table' AND name = ?").pluck();
    // Looked up before taking the write lock: once moved, opening the store (the CLI beside a busy
    // server) must not hold up the event log's writer.
    if (has.get('tokens') === undefined) return;
    db.exec('BEGIN IMMEDIATE');
    try {
      // Again under the lock: another process may have moved them meanwhile.
      if (has.get('tokens') !== undefined) {
        db.exec(`
          INSERT OR IGNORE INTO main.tokens (id, hash, org, role, unit, created_ms, revoked)
            SELECT id, hash, org, role, unit, created_ms, revoked FROM legacy.tokens;
          UPDATE main.tokens SET revoked = 1 WHERE revoked = 0 AND hash IN (SELECT hash FROM legacy.tokens WHERE revoked <> 0);
        `);
        // Kept (copied, not moved) while the log's msgId migration still needs it; see above.
        if (has.get('msg_ids') === undefined) db.exec('DROP TABLE legacy.tokens');
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.exec('DETACH DATABASE legacy');
  }
}

interface TokenRow {
  id: string;
  hash: string;
  org: string;
  role: Role;
  unit: string | null;
  created_ms: number;
  revoked: number;
}

function fromRow(r: TokenRow): StoredToken {
  return { id: r.id, hash: r.hash, org: r.org, role: r.role, unit: r.unit ?? undefined, createdMs: r.created_ms, revoked: !!r.revoked };
}

/** What {@link TokenStore.apply} did with a record from elsewhere. */
export type ApplyOutcome = 'applied' | 'same' | 'kept-local';

/**
 * Token storage on better-sqlite3, in `file` ({@link tokensFile}). Opening it moves the tokens of an
 * older data directory out of the event log's file in the same folder (see migrateLegacyTokens).
 */
export class TokenStore {
  private readonly db: Database.Database;
  private readonly byHash: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly writeListeners = new Set<(record: StoredToken) => void>();

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    try {
      // The timeout first: the CLI and the server may open the file at the same moment, and switching
      // to WAL, like the migration, waits for the other's lock instead of failing with SQLITE_BUSY.
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      migrateLegacyTokens(this.db, databaseFile(path.dirname(file)));
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.byHash = this.db.prepare('SELECT id, hash, org, role, unit, created_ms, revoked FROM tokens WHERE hash = ?');
    this.byId = this.db.prepare('SELECT id, hash, org, role, unit, created_ms, revoked FROM tokens WHERE id = ?');
  }

  /**
   * Creates a token and returns it with its record; the token is shown once and cannot be recovered.
   * Throws an Error naming the bad argument.
   */
  create(opts: { org: string; role: string; unit?: string; id?: string; token?: string }): { token: string; record: TokenRecord } {
    if (!TOKEN_ORG.test(opts.org)) throw new Error(`--org must be 1 to 64 letters, digits, spaces or . _ : -, got "${opts.org}"`);
    if (!(ROLES as readonly string[]).includes(opts.role)) {
      throw new Error(`--role must be one of ${ROLES.join(', ')}, got "${opts.role}"`);
    }
    if (opts.unit !== undefined && !TOKEN_UNIT.test(opts.unit)) {
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
    const hash = hashToken(token);
    this.db
      .prepare('INSERT INTO tokens (id, hash, org, role, unit, created_ms, revoked) VALUES (?, ?, ?, ?, ?, ?, 0)')
      .run(record.id, hash, record.org, record.role, record.unit ?? null, record.createdMs);
    this.wrote({ ...record, hash });
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
    if (this.db.prepare('UPDATE tokens SET revoked = 1 WHERE id = ?').run(id).changes === 0) return false;
    const record = this.record(id);
    if (record) this.wrote(record);
    return true;
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

  /** One token's record with its hash, or undefined. */
  record(id: string): StoredToken | undefined {
    const row = this.byId.get(id) as TokenRow | undefined;
    return row && fromRow(row);
  }

  /** Every record with its hash, oldest first: what this store would share. */
  records(): StoredToken[] {
    return (this.db.prepare('SELECT id, hash, org, role, unit, created_ms, revoked FROM tokens ORDER BY created_ms, id').all() as TokenRow[]).map(fromRow);
  }

  /**
   * Calls `listener` after each write of this store's own (create, setAdmin, revoke) with the record as
   * written; not for {@link apply}, so what came from elsewhere is not sent back. The listener must not
   * throw: the write is already made. Returns the function that removes it.
   */
  onWrite(listener: (record: StoredToken) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /**
   * Takes a record written elsewhere (another instance, the CLI on another machine) into this store, if
   * it wins over the one here ({@link mergeTokens}: a revocation is never undone by an older record).
   * Returns 'kept-local' when this store's record wins and differs, so the caller may send it back.
   * Throws when the record's hash belongs to another id here (the UNIQUE constraint).
   */
  apply(incoming: StoredToken): ApplyOutcome {
    return this.db.transaction((): ApplyOutcome => {
      const local = this.record(incoming.id);
      if (local) {
        const kept = mergeTokens(local, incoming);
        if (sameToken(kept, local)) return sameToken(local, incoming) ? 'same' : 'kept-local';
        this.db.prepare('DELETE FROM tokens WHERE id = ?').run(incoming.id);
      }
      this.db
        .prepare('INSERT INTO tokens (id, hash, org, role, unit, created_ms, revoked) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(incoming.id, incoming.hash, incoming.org, incoming.role, incoming.unit ?? null, incoming.createdMs, incoming.revoked ? 1 : 0);
      return 'applied';
    })();
  }

  private wrote(record: StoredToken): void {
    for (const listener of this.writeListeners) listener(record);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

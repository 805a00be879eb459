// Unit tests of server/auth/tokens.ts: tokens in their own file (tokens.db), and the move of an older
// data directory's tokens out of the event log's file (corridor.db), also with processes racing.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken, TokenStore, tokensFile } from '../../server/auth/tokens.js';
import { databaseFile } from '../../server/log/event-log.js';
import { tempDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const TOKENS_DDL =
  'CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, org TEXT NOT NULL, role TEXT NOT NULL, unit TEXT, created_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)';

/** A corridor.db as an older version left it: events, and tokens in the same file. */
function oldLayout(dir: string, extra = ''): void {
  const db = new Database(databaseFile(dir));
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE events (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL);
    INSERT INTO events VALUES (1, 10, 'haven.removed', '{}');
    ${TOKENS_DDL};
    ${extra}
  `);
  const insert = db.prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)');
  insert.run('tk-plan', hashToken('crd_planner_secret'), 'WFP', 'planner', null, 1000, 0);
  insert.run('tk-field', hashToken('crd_field_secret'), 'BLUE', 'field', 'PATROL-21', 2000, 0);
  insert.run('tk-gone', hashToken('crd_revoked_secret'), 'WFP', 'viewer', null, 3000, 1);
  db.close();
}

/** Names of the tables of an SQLite file. */
function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } finally {
    db.close();
  }
}

const rows = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, hash, org, role, unit, created_ms, revoked FROM tokens ORDER BY id').all();
  } finally {
    db.close();
  }
};

describe('tokensFile', () => {
  it('is tokens.db in the data folder, beside the event log', () => {
    expect(tokensFile('/srv/corridor/var')).toBe(path.join('/srv/corridor/var', 'tokens.db'));
    expect(tokensFile('/srv/corridor/var')).not.toBe(databaseFile('/srv/corridor/var'));
  });
});

describe('TokenStore in tokens.db', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('keeps tokens in tokens.db and creates no event log file', () => {
    const store = new TokenStore(tokensFile(tmp.dir));
    const { token, record } = store.create({ org: 'WFP', role: 'planner' });
    store.close();
    expect(existsSync(databaseFile(tmp.dir))).toBe(false);
    expect(rows(tokensFile(tmp.dir))).toEqual([expect.objectContaining({ id: record.id, hash: hashToken(token), revoked: 0 })]);
    const again = new TokenStore(tokensFile(tmp.dir));
    expect(again.verify(token)?.id).toBe(record.id);
    again.close();
  });

  it('moves the tokens of an older data directory out of corridor.db: same ids, hashes and revocations, old table dropped', () => {
    oldLayout(tmp.dir);
    const before = rows(databaseFile(tmp.dir));
    const store = new TokenStore(tokensFile(tmp.dir));
    expect(rows(tokensFile(tmp.dir))).toEqual(before);
    expect(store.verify('crd_planner_secret')).toMatchObject({ id: 'tk-plan', org: 'WFP', role: 'planner' });
    expect(store.verify('crd_field_secret')).toMatchObject({ id: 'tk-field', unit: 'PATROL-21' });
    expect(store.verify('crd_revoked_secret')).toBeUndefined();
    expect(store.list().map((r) => [r.id, r.revoked])).toEqual([
      ['tk-gone', true],
      ['tk-field', false],
      ['tk-plan', false],
    ]);
    store.close();
    // Only the tokens left the log's file; its events stay.
    expect(tables(databaseFile(tmp.dir))).toEqual(['events']);
    const log = new Database(databaseFile(tmp.dir), { readonly: true });
    expect(log.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(1);
    log.close();
  });

  it('is idempotent: opening again keeps every token and every revocation as they are', () => {
    oldLayout(tmp.dir);
    const first = new TokenStore(tokensFile(tmp.dir));
    first.revoke('tk-field');
    first.close();
    const after = rows(tokensFile(tmp.dir));
    const second = new TokenStore(tokensFile(tmp.dir));
    second.close();
    expect(rows(tokensFile(tmp.dir))).toEqual(after);
    expect(after).toContainEqual(expect.objectContaining({ id: 'tk-field', revoked: 1 }));
  });

  it('finishes a move that was cut between the two files: rows tokens.db lacks and the old revocations are carried, then the old table goes', () => {
    oldLayout(tmp.dir);
    // tokens.db written, corridor.db not yet: it has a token more, and a revocation tokens.db missed.
    const partial = new Database(tokensFile(tmp.dir));
    partial.exec(TOKENS_DDL);
    partial.prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)').run('tk-plan', hashToken('crd_planner_secret'), 'WFP', 'planner', null, 1000, 0);
    partial.prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)').run('tk-gone', hashToken('crd_revoked_secret'), 'WFP', 'viewer', null, 3000, 0);
    partial.close();
    const store = new TokenStore(tokensFile(tmp.dir));
    expect(store.verify('crd_revoked_secret')).toBeUndefined();
    expect(store.verify('crd_field_secret')?.id).toBe('tk-field');
    expect(store.verify('crd_planner_secret')?.id).toBe('tk-plan');
    store.close();
    expect(tables(databaseFile(tmp.dir))).not.toContain('tokens');
  });

  it("copies but keeps the old table while the event log's msgId migration still needs it, and drops it once that ran", () => {
    oldLayout(tmp.dir, 'CREATE TABLE msg_ids (msg_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;');
    // The token CLI before the server's first start.
    const cli = new TokenStore(tokensFile(tmp.dir));
    expect(cli.verify('crd_field_secret')?.id).toBe('tk-field');
    cli.revoke('tk-plan');
    cli.close();
    expect(tables(databaseFile(tmp.dir))).toContain('tokens');
    // The log's migration (server/log/sqlite-store.ts) reads the units, then drops msg_ids.
    const log = new Database(databaseFile(tmp.dir));
    log.exec('DROP TABLE msg_ids');
    log.close();
    const server = new TokenStore(tokensFile(tmp.dir));
    // The revocation made through tokens.db meanwhile holds: the old row of tk-plan does not undo it.
    expect(server.verify('crd_planner_secret')).toBeUndefined();
    expect(server.verify('crd_field_secret')?.id).toBe('tk-field');
    server.close();
    expect(tables(databaseFile(tmp.dir))).toEqual(['events']);
  });

  it('moves them once when several processes open the store at once, each waiting for the lock another holds', async () => {
    oldLayout(tmp.dir);
    const script = `
      import { TokenStore, tokensFile } from ${JSON.stringify(path.join(root, 'server/auth/tokens.ts'))};
      const store = new TokenStore(tokensFile(${JSON.stringify(tmp.dir)}));
      process.stdout.write(JSON.stringify(store.list().map((r) => [r.id, r.revoked])));
      store.close();
    `;
    // The event log's writer busy in corridor.db while the processes start: each finds the old table,
    // waits for the lock, and must find it again (or not) under the lock, never fail on a stale read.
    const writer = new Database(databaseFile(tmp.dir));
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare("INSERT INTO events VALUES (2, 20, 'haven.removed', '{}')").run();
    setTimeout(() => writer.exec('COMMIT'), 2500);
    const runs = Array.from(
      { length: 4 },
      () =>
        new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (err += d));
          child.on('exit', (code) => resolve({ code, out, err }));
        }),
    );
    const results = await Promise.all(runs);
    writer.close();
    const expected = [
      ['tk-gone', true],
      ['tk-field', false],
      ['tk-plan', false],
    ];
    for (const r of results) {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual(expected);
    }
    expect(rows(tokensFile(tmp.dir))).toHaveLength(3);
    expect(tables(databaseFile(tmp.dir))).toEqual(['events']);
  });
});

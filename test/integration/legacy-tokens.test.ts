// Integration test of a data directory of the older layout (tokens and unscoped msgIds in corridor.db)
// started by the real startServer: the log's msgId migration still finds the tokens' units, the tokens
// move to tokens.db, sign in as before, and a revoked one stays revoked.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken, tokensFile } from '../../server/auth/tokens.js';
import { databaseFile } from '../../server/log/event-log.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer } from './helpers.js';

const PLANNER = 'crd_old_planner_token_0123456789';
const FIELD = 'crd_old_field_token_0123456789ab';
const REVOKED = 'crd_old_revoked_token_012345678';

/** The layout of a data directory from before: one msgId namespace, tokens in the event log's file. */
function oldDataDir(dir: string): void {
  const db = new Database(databaseFile(dir));
  db.exec(`
    CREATE TABLE events (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL);
    CREATE TABLE msg_ids (msg_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, org TEXT NOT NULL, role TEXT NOT NULL, unit TEXT, created_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
  `);
  const token = db.prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)');
  token.run('tk-a', hashToken(PLANNER), 'wfp', 'planner', null, 0, 0);
  token.run('tk-f', hashToken(FIELD), 'blue', 'field', 'PATROL-21', 0, 0);
  token.run('tk-r', hashToken(REVOKED), 'wfp', 'viewer', null, 0, 1);
  const now = Date.now() - 60_000;
  db.prepare('INSERT INTO events VALUES (?, ?, ?, ?)').run(
    1,
    now,
    'position.reported',
    JSON.stringify({ seq: 1, timeMs: now, msgId: 'm1', actor: { tokenId: 'tk-f', org: 'blue', role: 'field' }, type: 'position.reported', units: [] }),
  );
  db.prepare('INSERT INTO msg_ids VALUES (?, ?)').run('m1', 1);
  db.close();
}

const tableNames = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  } finally {
    db.close();
  }
};

describe('a data directory of the older layout (tokens in corridor.db)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('starts: old tokens sign in, a revoked one stays revoked, msgIds keep their unit scope, and corridor.db keeps no tokens', async () => {
    oldDataDir(tmp.dir);
    const server = await startTestServer(tmp.dir);
    try {
      expect((await call(`${server.url}/api/picture`, { token: PLANNER })).status).toBe(200);
      expect((await call(`${server.url}/api/picture`, { token: REVOKED })).status).toBe(401);
      // The field token's msgId m1 was carried under its unit's scope, read from the old tokens table
      // before it moved: its retry is answered with the first seq, not stored again (P8).
      const retry = await call(`${server.url}/api/positions`, { token: FIELD, body: { unitId: 'PATROL-21', lon: 11.965, lat: 57.702, msgId: 'm1' } });
      expect(retry).toMatchObject({ status: 202, body: { seq: 1 } });
      expect(tableNames(databaseFile(tmp.dir))).not.toContain('tokens');
      expect(tableNames(tokensFile(tmp.dir))).toContain('tokens');
    } finally {
      await server.close();
    }
    // And again after a restart, with nothing left to move.
    const again = await startTestServer(tmp.dir);
    try {
      expect((await call(`${again.url}/api/picture`, { token: FIELD })).status).toBe(200);
      expect((await call(`${again.url}/api/picture`, { token: REVOKED })).status).toBe(401);
    } finally {
      await again.close();
    }
  });
});

// Unit tests of server/auth/token-record.ts (a token's record as instances share it) and of the two
// TokenStore hooks token-sync.ts uses: onWrite for the store's own writes, apply for records from elsewhere.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeToken, encodeToken, mergeTokens, type StoredToken } from '../../server/auth/token-record.js';
import { hashToken, TokenStore, tokensFile } from '../../server/auth/tokens.js';
import { tempDir } from './helpers.js';

const planner: StoredToken = { id: 'tk-0a1b2c3d4e5f', hash: hashToken('crd_planner'), org: 'WFP', role: 'planner', createdMs: 1_700_000_000_000, revoked: false };
const field: StoredToken = { id: 'tk-field', hash: hashToken('crd_field'), org: 'BLUE-BDE', role: 'field', unit: 'PATROL-21', createdMs: 1_700_000_000_500, revoked: false };

describe('encodeToken / decodeToken', () => {
  it('reads back what it writes, with or without a unit, and writes the hash, never a token', () => {
    for (const r of [planner, field]) {
      const text = encodeToken(r);
      expect(decodeToken(r.id, text)).toEqual({ record: r });
      expect(text).toContain(r.hash);
      expect(text).not.toContain('crd_');
    }
    expect(JSON.parse(encodeToken(planner))).not.toHaveProperty('unit');
  });

  it('ignores fields a later version may add', () => {
    expect(decodeToken(planner.id, JSON.stringify({ ...planner, note: 'x' }))).toEqual({ record: planner });
  });

  it.each([
    ['not JSON', 'crd_oops', 'not JSON'],
    ['an array', '[1]', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['no id', JSON.stringify({ ...planner, id: undefined }), 'id is not a token id'],
    ['an id with a dot', JSON.stringify({ ...planner, id: 'tk.1' }), 'id is not a token id'],
    ['the id of another key', JSON.stringify({ ...planner, id: 'tk-admin' }), 'id tk-admin is not the key'],
    ['a short hash', JSON.stringify({ ...planner, hash: 'abc' }), 'hash is not a SHA-256 in hex'],
    ['the token instead of its hash', JSON.stringify({ ...planner, hash: 'crd_planner' }), 'hash is not a SHA-256 in hex'],
    ['an unknown role', JSON.stringify({ ...planner, role: 'general' }), 'role is not one of'],
    ['an empty org', JSON.stringify({ ...planner, org: '' }), 'org is not an organisation'],
    ['a numeric unit', JSON.stringify({ ...planner, unit: 21 }), 'unit is not a unit id'],
    ['createdMs as text', JSON.stringify({ ...planner, createdMs: '1700000000000' }), 'createdMs is not a time in ms'],
    ['a negative createdMs', JSON.stringify({ ...planner, createdMs: -1 }), 'createdMs is not a time in ms'],
    ['revoked as 1', JSON.stringify({ ...planner, revoked: 1 }), 'revoked is not true or false'],
  ])('refuses %s, naming why', (_, text, reason) => {
    const out = decodeToken(planner.id, text);
    expect(out).toHaveProperty('error');
    expect((out as { error: string }).error).toContain(reason);
  });
});

describe('mergeTokens', () => {
  const revoked = { ...planner, revoked: true };

  it('keeps the revocation against the same record unrevoked, whichever comes first', () => {
    expect(mergeTokens(revoked, planner)).toBe(revoked);
    expect(mergeTokens(planner, revoked)).toBe(revoked);
  });

  it('lets a later creation under the same id replace an earlier one, revoked or not (a new admin token)', () => {
    const newer = { ...planner, hash: hashToken('crd_newer'), createdMs: planner.createdMs + 1 };
    expect(mergeTokens(revoked, newer)).toBe(newer);
    expect(mergeTokens(newer, revoked)).toBe(newer);
  });

  it('picks the same of two creations at the same ms on every instance', () => {
    const other = { ...planner, hash: hashToken('crd_other') };
    expect(mergeTokens(planner, other)).toBe(mergeTokens(other, planner));
    const edited = { ...planner, org: 'UN-OCHA' };
    expect(mergeTokens(planner, edited)).toBe(mergeTokens(edited, planner));
  });
});

describe('TokenStore hooks for sharing', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: TokenStore;
  beforeEach(() => {
    tmp = tempDir();
    store = new TokenStore(tokensFile(tmp.dir));
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('tells onWrite of create, setAdmin and revoke, with the hash, once each', () => {
    const written: StoredToken[] = [];
    const off = store.onWrite((r) => written.push(r));
    const { token, record } = store.create({ org: 'WFP', role: 'planner' });
    store.setAdmin('admin-token-for-tests-0123456789');
    store.revoke(record.id);
    expect(store.revoke('tk-none')).toBe(false);
    expect(written.map((r) => [r.id, r.revoked])).toEqual([
      [record.id, false],
      ['tk-admin', false],
      [record.id, true],
    ]);
    expect(written[0].hash).toBe(hashToken(token));
    expect(written[1].hash).toBe(hashToken('admin-token-for-tests-0123456789'));
    off();
    store.create({ org: 'WFP', role: 'viewer' });
    expect(written).toHaveLength(3);
  });

  it('applies a record from elsewhere without telling onWrite, and it verifies', () => {
    const written: StoredToken[] = [];
    store.onWrite((r) => written.push(r));
    expect(store.apply(field)).toBe('applied');
    expect(store.verify('crd_field')).toMatchObject({ id: 'tk-field', role: 'field', unit: 'PATROL-21' });
    expect(store.record('tk-field')).toEqual(field);
    expect(store.apply(field)).toBe('same');
    expect(written).toEqual([]);
  });

  it('never makes a revoked token valid again from an older record, and says so (kept-local)', () => {
    store.apply(field);
    store.revoke('tk-field');
    expect(store.apply(field)).toBe('kept-local');
    expect(store.verify('crd_field')).toBeUndefined();
    expect(store.revokedAmong(['tk-field'])).toEqual(['tk-field']);
  });

  it('takes a revocation from elsewhere: the token stops verifying and revokedAmong names it', () => {
    store.apply(field);
    expect(store.apply({ ...field, revoked: true })).toBe('applied');
    expect(store.verify('crd_field')).toBeUndefined();
    expect(store.revokedAmong(['tk-field'])).toEqual(['tk-field']);
  });

  it('replaces the admin token by a later one from elsewhere, and keeps its own when it is the later', () => {
    const mine = store.setAdmin('admin-token-mine-0123456789');
    const later: StoredToken = { id: 'tk-admin', hash: hashToken('admin-token-later-0123456789'), org: 'admin', role: 'admin', createdMs: mine.createdMs + 1000, revoked: false };
    expect(store.apply(later)).toBe('applied');
    expect(store.verify('admin-token-mine-0123456789')).toBeUndefined();
    expect(store.verify('admin-token-later-0123456789')?.id).toBe('tk-admin');
    expect(store.apply({ ...later, hash: hashToken('admin-token-older-0123456789'), createdMs: mine.createdMs - 1000 })).toBe('kept-local');
    expect(store.verify('admin-token-later-0123456789')?.id).toBe('tk-admin');
  });

  it('refuses a record whose hash another id holds here, changing nothing', () => {
    const { token, record } = store.create({ org: 'WFP', role: 'viewer' });
    expect(() => store.apply({ ...field, hash: hashToken(token) })).toThrow(/UNIQUE/);
    expect(store.verify(token)?.id).toBe(record.id);
    expect(store.record('tk-field')).toBeUndefined();
  });
});

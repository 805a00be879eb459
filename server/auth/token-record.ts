// A token's record as instances share it (server/auth): its JSON form in the NATS key-value bucket, the
// check of a record read from there, and which of two versions of the same token's record wins.
import { ROLES, type Role } from './roles.js';
import type { TokenRecord } from './tokens.js';

/** A token's record with the SHA-256 of the token (hex): what a store keeps and what instances share. */
export interface StoredToken extends TokenRecord {
  hash: string;
}

/** An organisation as a token may name it: 1 to 64 letters, digits, spaces or `. _ : -`. */
export const TOKEN_ORG = /^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$/;
/** A unit id as a field token may name it. */
export const TOKEN_UNIT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** A token id that is also a valid key of a NATS key-value bucket (no dots: they would split the subject). */
export const TOKEN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Which of two versions of one token's record to keep. A later creation under the same id replaces an
 * earlier one (`setAdmin` makes a new `tk-admin`): the greater `createdMs` wins, the greater hash on a
 * tie so every instance picks the same. Between versions of the same creation, revocation wins, so an
 * older put, replayed or late, never makes a revoked token valid again.
 * @example mergeTokens({ ...t, revoked: true }, { ...t, revoked: false }).revoked // true
 */
export function mergeTokens(a: StoredToken, b: StoredToken): StoredToken {
  if (a.createdMs !== b.createdMs) return a.createdMs > b.createdMs ? a : b;
  if (a.hash !== b.hash) return a.hash > b.hash ? a : b;
  if (a.revoked !== b.revoked) return a.revoked ? a : b;
  // Same token, same state, other fields differing (a hand-edited value): still the same pick everywhere.
  return encodeToken(a) >= encodeToken(b) ? a : b;
}

/** Whether two records say the same thing (so a put would change nothing). */
export function sameToken(a: StoredToken, b: StoredToken): boolean {
  return a.id === b.id && a.hash === b.hash && a.org === b.org && a.role === b.role && a.unit === b.unit && a.createdMs === b.createdMs && a.revoked === b.revoked;
}

/**
 * The bucket's value for a record: JSON with the hash, never the token.
 * @example encodeToken(r) // '{"id":"tk-3f9a","hash":"9c1…","org":"WFP","role":"planner","createdMs":1700000000000,"revoked":false}'
 */
export function encodeToken(record: StoredToken): string {
  const { id, hash, org, role, unit, createdMs, revoked } = record;
  return JSON.stringify(unit === undefined ? { id, hash, org, role, createdMs, revoked } : { id, hash, org, role, unit, createdMs, revoked });
}

/**
 * Reads a bucket value stored under `key`: the record, or the reason it is not one. Fields a later
 * version may add are ignored; a record under another token's key is refused, as it could replace that
 * token on every instance.
 * @example decodeToken('tk-1', 'not json') // { error: 'not JSON' }
 */
export function decodeToken(key: string, text: string): { record: StoredToken } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || !TOKEN_ID.test(v.id)) return { error: 'id is not a token id' };
  if (v.id !== key) return { error: `id ${v.id} is not the key` };
  if (typeof v.hash !== 'string' || !SHA256_HEX.test(v.hash)) return { error: 'hash is not a SHA-256 in hex' };
  if (typeof v.org !== 'string' || !TOKEN_ORG.test(v.org)) return { error: 'org is not an organisation' };
  if (typeof v.role !== 'string' || !(ROLES as readonly string[]).includes(v.role)) return { error: `role is not one of ${ROLES.join(', ')}` };
  if (v.unit !== undefined && (typeof v.unit !== 'string' || !TOKEN_UNIT.test(v.unit))) return { error: 'unit is not a unit id' };
  if (typeof v.createdMs !== 'number' || !Number.isSafeInteger(v.createdMs) || v.createdMs < 0) return { error: 'createdMs is not a time in ms' };
  if (typeof v.revoked !== 'boolean') return { error: 'revoked is not true or false' };
  return { record: { id: v.id, hash: v.hash, org: v.org, role: v.role as Role, unit: v.unit as string | undefined, createdMs: v.createdMs, revoked: v.revoked } };
}

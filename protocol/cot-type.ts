// Cursor-on-Target atom types as MIL-STD-2525 symbols (@corridor/protocol, issue 14): a TAK device says
// what a unit is by its CoT type (`a-f-G-U-C`: atom, friendly, ground, unit, combat); the map draws the
// 2525B/C letter SIDC that type stands for (`SFGPUC----`), as TAK clients themselves do.

/** CoT identity letters (the type's second part) → the SIDC's standard identity letter. */
const IDENTITY: Readonly<Record<string, string>> = {
  p: 'P', // pending
  u: 'U', // unknown
  a: 'A', // assumed friend
  f: 'F', // friend
  n: 'N', // neutral
  s: 'S', // suspect
  h: 'H', // hostile
  j: 'J', // joker
  k: 'K', // faker
  o: 'U', // none specified: drawn as unknown
  x: 'U', // other: drawn as unknown
};

/** A unit's identity as the map names it. */
export type CotIdentity = 'friend' | 'hostile' | 'neutral' | 'unknown' | 'assumed-friend' | 'suspect' | 'pending' | 'joker' | 'faker';
const IDENTITY_NAMES: Readonly<Record<string, CotIdentity>> = { p: 'pending', u: 'unknown', a: 'assumed-friend', f: 'friend', n: 'neutral', s: 'suspect', h: 'hostile', j: 'joker', k: 'faker' };

/**
 * The identity a CoT atom type gives (its second part).
 * @example cotIdentity('a-h-G') // 'hostile'
 */
export function cotIdentity(cotType: string): CotIdentity {
  return IDENTITY_NAMES[cotType.split('-')[1] ?? ''] ?? 'unknown';
}

/**
 * The 15-character letter SIDC of a CoT atom type: coding scheme S (warfighting), the identity, the
 * battle dimension (G, A, S, U, P, F), status P (present), and up to six function letters from the
 * parts after it; undefined for what is not an atom type.
 * @example cotSidc('a-f-G-U-C') // 'SFGPUC---------'
 * @example cotSidc('a-h-G-E-V-A') // 'SHGPEVA--------'
 */
export function cotSidc(cotType: string): string | undefined {
  const parts = cotType.split('-');
  if (parts[0] !== 'a' || parts.length < 3) return undefined;
  const identity = IDENTITY[parts[1]];
  const dimension = parts[2];
  if (!identity || !DIMENSIONS.has(dimension)) return undefined;
  // Function atoms are single capital letters (`U-C-I`); the first that is not one ends the code.
  let fn = '';
  for (const atom of parts.slice(3)) {
    if (!/^[A-Z]$/.test(atom) || fn.length === 6) break;
    fn += atom;
  }
  return `S${identity}${dimension}P${fn.padEnd(6, '-')}-----`;
}

/** MIL-STD-2525B battle dimensions CoT uses as its third part. */
const DIMENSIONS = new Set(['P', 'A', 'G', 'S', 'U', 'F']);

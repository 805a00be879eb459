// CoT atom types as the map's symbols (protocol/cot-type.ts, issue 14): every identity letter TAK uses
// gives the SIDC milsymbol draws with that identity, and what is not an atom type gives none.
import ms from 'milsymbol';
import { describe, expect, it } from 'vitest';
import { cotIdentity, cotSidc, isStale, type Unit } from '@corridor/protocol';

describe('CoT types as MIL-STD-2525 symbols', () => {
  it.each([
    ['a-f-G-U-C', 'SFGPUC---------', 'friend'],
    ['a-f-G-E-V-C', 'SFGPEVC--------', 'friend'],
    ['a-h-G', 'SHGP-----------', 'hostile'],
    ['a-n-G', 'SNGP-----------', 'neutral'],
    ['a-u-G', 'SUGP-----------', 'unknown'],
    ['a-f-A-M-F-Q', 'SFAPMFQ--------', 'friend'],
    ['a-s-S', 'SSSP-----------', 'suspect'],
  ])('%s → %s (%s), a symbol milsymbol draws', (type, sidc, identity) => {
    expect(cotSidc(type)).toBe(sidc);
    expect(cotIdentity(type)).toBe(identity);
    expect(new ms.Symbol(sidc).isValid()).toBe(true);
  });

  it.each(['b-m-r', 'u-d-f', 'a', 'a-f', 'a-q-G', 'a-f-Q'])('%s is not a unit symbol', (type) => {
    expect(cotSidc(type)).toBeUndefined();
  });

  it("a unit is stale at the earlier of its sender's stale time and the server's setting", () => {
    const unit: Unit = { unitId: 'u', lon: 0, lat: 0, timeMs: 0, seenMs: 1_000_000 };
    expect(isStale(unit, 1_000_000 + 60_000, 120_000)).toBe(false);
    expect(isStale({ ...unit, staleMs: 1_000_000 + 30_000 }, 1_000_000 + 60_000, 120_000)).toBe(true);
    expect(isStale({ ...unit, staleMs: 1_000_000 + 300_000 }, 1_000_000 + 130_000, 120_000)).toBe(true);
  });
});

// Items an agreement delivers late (issue 13): a delayed recipient is given a unit as it was M minutes
// ago, never as it is now: not in its picture, not in the live events; its history once old enough;
// an item younger than the delay not at all; one removed since until the removal is M minutes old.
import { describe, expect, it } from 'vitest';
import { emptyPicture, type Picture, type PictureEvent, type Unit } from '@corridor/protocol';
import { parseAgreement, SharingAgreement } from '../../server/sharing/agreement.js';
import { DelayLine } from '../../server/sharing/delay.js';
import { AgreementPolicy, audienceKey } from '../../server/sharing/policy.js';

const AGREEMENT = `
name: delays
markings: [open, secret]
organisations:
  - { id: MIL, kind: military, defaultMarking: open }
  - { id: CIV, kind: civil, defaultMarking: open }
  - { id: HUM, kind: humanitarian, defaultMarking: open }
rules:
  - { kinds: [unit], markings: [open], from: { orgs: [MIL] }, to: { orgs: [CIV] }, delay_min: 10 }
  - { kinds: [unit], markings: [open], from: { orgs: [MIL] }, to: { orgs: [HUM] }, delay_min: 5, coarsen_m: 1000, remove: [callsign] }
  - { kinds: ['*'], markings: [open], to: { all: true } }
`;
const MIN = 60_000;
const CIV = audienceKey({ org: 'CIV', role: 'viewer' });
const HUM = audienceKey({ org: 'HUM', role: 'viewer' });
const MIL = audienceKey({ org: 'MIL', role: 'viewer' });

function unit(id: string, lon: number, timeMs: number, extra: Partial<Unit> = {}): Unit {
  return { unitId: id, lon, lat: 57.7, timeMs, seenMs: timeMs, owner: 'MIL', callsign: `CS-${id}`, ...extra };
}

/** A picture, a clock, a delay line sampling every minute and the policy over them. */
function setup() {
  let now = Date.parse('2026-12-06T08:00:00Z');
  const picture: Picture = emptyPicture();
  const sharing = new SharingAgreement(parseAgreement(AGREEMENT));
  const line = new DelayLine({ picture: () => picture, delays: () => sharing.delays(), stepMs: MIN, now: () => now });
  const policy = new AgreementPolicy(sharing, () => picture, { delayLine: line, now: () => now });
  /** Moves the clock on by whole minutes, sampling once per minute as the server's timer does. */
  const advance = (minutes: number, each?: (minute: number) => void) => {
    for (let m = 0; m < minutes; m++) {
      now += MIN;
      each?.(m);
      picture.seq++;
      line.sample();
    }
  };
  return { picture, policy, line, advance, now: () => now, sharing };
}

describe('delayed delivery (delay_min)', () => {
  it('gives a delayed recipient the unit as it was at least M minutes ago, and nothing while it is younger than M', () => {
    const { picture, policy, advance } = setup();
    // The unit moves 0.001° east every minute, starting at minute 1.
    advance(20, (m) => (picture.units.u1 = unit('u1', 11.9 + m * 0.001, 0)));
    expect(policy.picture(MIL, picture).units.u1.lon).toBeCloseTo(11.9 + 19 * 0.001, 6);
    // Sampled at minute m+1 holding lon of step m: 10 minutes ago (minute 10) it held step 9.
    expect(policy.picture(CIV, picture).units.u1.lon).toBeCloseTo(11.9 + 9 * 0.001, 6);
    const hum = policy.picture(HUM, picture).units.u1;
    expect(hum.callsign).toBeUndefined();
    // 5 minutes ago, coarsened to the 1 km grid: never the exact position of any minute.
    expect(Math.abs(hum.lon - (11.9 + 14 * 0.001))).toBeLessThan(0.02);
    expect(policy.picture(HUM, picture).units.u1).toEqual(policy.picture(HUM, picture).units.u1);

    const young = setup();
    young.advance(9, (m) => (young.picture.units.u2 = unit('u2', 12 + m * 0.001, 0)));
    expect(young.policy.picture(CIV, young.picture).units.u2).toBeUndefined();
    expect(JSON.stringify(young.policy.picture(CIV, young.picture))).not.toContain('u2');
    young.advance(2);
    expect(young.policy.picture(CIV, young.picture).units.u2.lon).toBeCloseTo(12, 6);
  });

  it('never releases a position newer than M minutes, whatever the sampling', () => {
    const { picture, policy, advance, now } = setup();
    const seenAt = new Map<number, number>(); // lon → the time it was the unit's position
    advance(40, (m) => {
      const lon = 11 + m * 0.01;
      picture.units.u1 = unit('u1', lon, 0);
      seenAt.set(Math.round(lon * 1000), now());
      if (m >= 10) {
        const given = policy.picture(CIV, picture).units.u1;
        const since = seenAt.get(Math.round(given.lon * 1000))!;
        // The position given was current at least 10 minutes before now.
        expect(now() - since).toBeGreaterThanOrEqual(10 * MIN);
        expect(now() - since).toBeLessThanOrEqual(12 * MIN);
      }
    });
  });

  it('keeps a removed unit in a delayed picture until its removal is M minutes old', () => {
    const { picture, policy, advance } = setup();
    advance(15, () => (picture.units.u1 = unit('u1', 11.95, 0)));
    delete picture.units.u1;
    advance(5);
    expect(policy.picture(CIV, picture).units.u1?.lon).toBeCloseTo(11.95, 6);
    advance(6);
    expect(policy.picture(CIV, picture).units.u1).toBeUndefined();
  });

  it('withholds delayed units from the live events and gives their history once M minutes old', () => {
    const { policy, advance, now } = setup();
    advance(1);
    const event = (timeMs: number): PictureEvent => ({ seq: 7, timeMs, type: 'position.reported', units: [unit('u1', 11.9, timeMs), unit('u9', 11.9, timeMs, { owner: 'HUM' })] });
    const live = policy.event(CIV, event(now()));
    expect(live && live.type === 'position.reported' ? live.units.map((u) => u.unitId) : []).toEqual(['u9']);
    const old = policy.event(CIV, event(now() - 10 * MIN));
    expect(old && old.type === 'position.reported' ? old.units.map((u) => u.unitId) : []).toEqual(['u1', 'u9']);
    const hum = policy.event(HUM, event(now() - 6 * MIN));
    const u1 = hum && hum.type === 'position.reported' ? hum.units.find((u) => u.unitId === 'u1') : undefined;
    expect(u1?.callsign).toBeUndefined();
    expect(u1?.lon).not.toBe(11.9);
  });

  it('a unit re-marked beyond the recipient leaves its delayed picture at once (fail closed)', () => {
    const { picture, policy, advance } = setup();
    advance(15, () => (picture.units.u1 = unit('u1', 11.95, 0)));
    expect(policy.picture(CIV, picture).units.u1).toBeDefined();
    picture.units.u1 = unit('u1', 11.96, 0, { marking: 'secret' });
    picture.seq++;
    expect(policy.picture(CIV, picture).units.u1).toBeUndefined();
  });

  it('keeps samples for the longest delay only', () => {
    const { picture, line, advance } = setup();
    advance(60, () => (picture.units.u1 = unit('u1', 11.95, 0)));
    // The longest delay is 10 minutes at one sample a minute: 11 samples, the oldest at least 10 minutes old.
    expect(line.size).toBe(11);
  });
});

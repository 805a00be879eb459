// Unit tests of client/src/layers/convoy-hold.ts and the state styles: a holding convoy says why it
// holds and on what it moves again (P20); every state has its word and its colour.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONVOY_STATES, type Convoy } from '@corridor/protocol';
import { holdOf } from '../../client/src/layers/convoy-hold.js';
import { CONVOY_STATE_WORDS } from '../../client/src/layers/words.js';

const base: Convoy = { id: 'cv-1', name: 'EVAC', origin: [11.96, 57.7], destination: 'nearest-haven', vehicleClass: '4wd', state: 'moving', updatedMs: 0 };
const by = { tokenId: 'tk-1', org: 'WFP', role: 'planner' };

describe('holdOf', () => {
  it('gives the reason, the condition to resume and the time of the latest change into holding', () => {
    const convoy: Convoy = {
      ...base,
      state: 'holding',
      stateHistory: [
        { from: 'moving', to: 'holding', atMs: 10, by, reason: 'first', resumeWhen: 'first cleared' },
        { from: 'holding', to: 'moving', atMs: 20, by },
        { from: 'moving', to: 'holding', atMs: 30, by, reason: 'bridge out', resumeWhen: 'bridge cleared by engineers' },
      ],
    };
    expect(holdOf(convoy)).toEqual({ reason: 'bridge out', resumeWhen: 'bridge cleared by engineers', sinceMs: 30 });
  });

  it('is undefined for a convoy not holding, or holding since before histories were kept', () => {
    expect(holdOf({ ...base, stateHistory: [{ from: 'moving', to: 'holding', atMs: 1, reason: 'r', resumeWhen: 'w' }] })).toBeUndefined();
    expect(holdOf({ ...base, state: 'holding' })).toBeUndefined();
  });
});

describe('convoy states on screen', () => {
  it('every state has a catalogue key and a style', () => {
    const css = readFileSync(new URL('../../client/src/styles.css', import.meta.url), 'utf8');
    for (const s of CONVOY_STATES) {
      expect(CONVOY_STATE_WORDS[s]).toBe(`convoyState.${s}`);
      if (s !== 'planned') expect(css, s).toContain(`.state-${s} {`);
    }
  });
});

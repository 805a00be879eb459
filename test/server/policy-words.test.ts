// How a sentence names what the agreement withholds (issue 13): once, as "a restricted area", never
// with the kind, the id or the label of what it replaces, and never as many times as there are.
import { describe, expect, it } from 'vitest';
import { tidyRestricted } from '../../server/sharing/policy.js';

describe('sentences naming withheld zones', () => {
  it.each([
    ['re-routed around zone a restricted area (a restricted area): +4 min', 're-routed around a restricted area: +4 min'],
    ['re-routed around zone a restricted area (a restricted area), constraint a restricted area (a restricted area): +4 min', 're-routed around a restricted area: +4 min'],
    ['no safe route: every path is cut by zone tz-1 (Checkpoint), a restricted area and a restricted area', 'no safe route: every path is cut by zone tz-1 (Checkpoint), a restricted area'],
    ['corridor computed to haven a restricted area: 4.2 km', 'corridor computed to a restricted area: 4.2 km'],
    ['re-routed around zone tz-2 (Bridge out): +1 min', 're-routed around zone tz-2 (Bridge out): +1 min'],
  ])('%s', (text, said) => {
    expect(tidyRestricted(text)).toBe(said);
  });
});

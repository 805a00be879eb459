// A tracked convoy and its alerts in words (test/client → client/src/ui/track-text.ts, P21): progress,
// ETA and speed, the next checkpoint, each alert kind with its figures, in English, French and Arabic.
import { describe, expect, it } from 'vitest';
import { ALERT_KINDS, emptyPicture, type Alert, type Convoy, type ConvoyTrack, type Picture } from '@corridor/protocol';
import { LANGUAGES } from '../../client/src/i18n/languages.js';
import { alertsInOrder, alertWords, trackLines } from '../../client/src/ui/track-text.js';
import { EN, plain, wordsOf } from './words-fixture.js';

const T = Date.parse('2026-12-06T09:00:00Z');
const convoy: Convoy = { id: 'cv-1', name: 'EVAC 1', origin: [11.95, 57.72], destination: 'nearest-haven', vehicleClass: '4wd', state: 'moving', leadUnitId: 'u-1', updatedMs: 0 };
const track: ConvoyTrack = {
  convoyId: 'cv-1',
  unitId: 'u-1',
  at: [11.96, 57.71],
  timeMs: T - 20_000,
  progress: { done_m: 1200, left_m: 3600 },
  doneBefore_m: 0,
  offset_m: 12,
  etaMs: T + 600_000,
  speed_mps: 8,
  checkpoints: [
    { name: '', end: 'origin', at: [11.95, 57.72], along_m: 0, offset_m: 0 },
    { name: 'Göta älv bridge', at: [11.97, 57.71], along_m: 2500, offset_m: 4 },
    { name: 'Ullevi', end: 'destination', at: [11.98, 57.7], along_m: 4800, offset_m: 0 },
  ],
  passed: [{ index: 0, name: '', atMs: T - 300_000 }],
  recent: [],
  routeKey: 'k',
};
const picture: Picture = {
  ...emptyPicture(),
  threats: { 'tz-9': { id: 'tz-9', severity: 'danger', label: 'Crowd at the bridge', geometry: { type: 'Point', coordinates: [11.97, 57.71] }, area: { type: 'Polygon', coordinates: [] }, updatedMs: 0 } },
  havens: { 'hv-u': { id: 'hv-u', name: 'Ullevi', lon: 11.98, lat: 57.7, capacity: 500, occupancy: 40, status: 'open', updatedMs: 0 } },
};
const alert = (kind: Alert['kind'], detail: Alert['detail'], extra: Partial<Alert> = {}): Alert => ({ id: `al-${kind}`, convoyId: 'cv-1', kind, raisedMs: T, detail, ...extra });

describe('trackLines', () => {
  it('says how far the convoy is, when it is expected at its own speed, and its next checkpoint', () => {
    const lines = trackLines(convoy, track, 'BRAVO 11', T, EN)!;
    expect(lines.progress).toBe('1.2 km of 4.8 km · 3.6 km to go');
    expect(lines.share).toBe(0.25);
    expect(lines.eta).toBe('ETA 09:10:00Z · moving at 29 km/h');
    expect(plain(lines.next ?? null)).toBe('next: Göta älv bridge in 1.3 km');
    expect(plain(lines.lead)).toBe('lead unit BRAVO 11, last report 20 s ago');
  });

  it('names an unnamed end in the language, drops the ETA while holding, and says nothing for a convoy not tracked', () => {
    const atEnd = { ...track, passed: [0, 1].map((index) => ({ index, name: '', atMs: T })), checkpoints: track.checkpoints.map((c) => ({ ...c, name: c.end ? '' : c.name })) };
    expect(plain(trackLines(convoy, atEnd, undefined, T, wordsOf('fr'))!.next ?? null)).toBe('prochain : destination dans 3,6\u202fkm');
    expect(trackLines({ ...convoy, state: 'holding' }, track, undefined, T, EN)!.eta).toBeUndefined();
    expect(trackLines({ ...convoy, state: 'arrived' }, track, undefined, T, EN)).toBeUndefined();
    expect(trackLines(convoy, undefined, undefined, T, EN)).toBeUndefined();
  });

  it('words figures with the language\'s digits (Arabic-Indic in Arabic)', () => {
    const ar = trackLines(convoy, track, 'BRAVO 11', T, wordsOf('ar'))!;
    expect(ar.progress).toMatch(/[٠-٩]/);
    expect(ar.progress).not.toMatch(/[0-9]/);
  });
});

describe('alertWords', () => {
  const cases: Alert[] = [
    alert('off_corridor', { distance_m: 320, sinceMs: T - 90_000 }),
    alert('silent', { sinceMs: T - 200_000 }),
    alert('stopped', { sinceMs: T - 400_000 }),
    alert('danger_zone', { zoneId: 'tz-9' }),
    alert('arrived', { havenId: 'hv-u', people: 40 }),
    alert('unsafe_route', { zones: ['zone:tz-9', 'constraint:ac-2'] }),
    alert('emergency', { at: [11.96371, 57.70212], text: '911 Alert', callsign: 'BRAVO' }),
    alert('casevac', { at: [11.96371, 57.70212], text: '2 urgent, 1 priority' }),
  ];

  it('says each kind with its figures and names in English', () => {
    expect(cases.map((a) => [alertWords(a, picture, EN).kind, plain(alertWords(a, picture, EN).detail)])).toEqual([
      ['Off corridor', '320 m from its corridor since 08:58:30Z'],
      ['Lead unit silent', 'no report since 08:56:40Z'],
      ['Stopped', 'standing still since 08:53:20Z'],
      ['In a danger zone', 'inside Crowd at the bridge'],
      ['Arrived', '40 people brought to Ullevi'],
      ['Route ahead unsafe', 'the route ahead crosses Crowd at the bridge and ac-2'],
      ['Emergency', '911 Alert · 57.70212 N, 11.96371 E'],
      ['CASEVAC request', '2 urgent, 1 priority · 57.70212 N, 11.96371 E'],
    ]);
  });

  it('has words for every kind in every language, and the Arabic dual for two people', () => {
    expect(cases.map((a) => a.kind).sort()).toEqual([...ALERT_KINDS].sort());
    for (const lang of LANGUAGES) {
      for (const a of cases) {
        const words = alertWords(a, picture, wordsOf(lang));
        expect(words.kind, `${lang} ${a.kind}`).not.toMatch(/alert\./);
        expect(words.detail, `${lang} ${a.kind}`).not.toMatch(/alert\.|\{\{/);
      }
    }
    expect(alertWords(alert('arrived', { havenId: 'hv-u', people: 2 }), picture, wordsOf('ar')).detail).toMatch(/^شخصان/);
  });
});

describe('alertsInOrder', () => {
  it('puts unacknowledged alerts first, newest first within each', () => {
    const by = { tokenId: 't', org: 'WFP', role: 'planner' };
    const list = { a: alert('silent', {}, { id: 'a', raisedMs: 1 }), b: alert('stopped', {}, { id: 'b', raisedMs: 3, acknowledged: { by, atMs: 4 } }), c: alert('arrived', {}, { id: 'c', raisedMs: 2 }) };
    expect(alertsInOrder(list).map((x) => x.id)).toEqual(['c', 'a', 'b']);
  });
});

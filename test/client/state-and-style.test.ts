// Client state fold and style URL tests (test/client → client/src/state, client/src/map, client/src/layers).
import { describe, expect, it } from 'vitest';
import type { StyleSpecification } from 'maplibre-gl';
import { absolutizeStyle } from '../../client/src/map/style-urls.js';
import { pictureBounds } from '../../client/src/map/picture-bounds.js';
import { foldDelta, foldSnapshot, initialPictureState } from '../../client/src/state/picture-store.js';
import { tooltipText } from '../../client/src/layers/tooltip.js';
import { deltaText, ageText } from '../../client/src/ui/format.js';
import { EN, plain, wordsOf } from './words-fixture.js';
import { emptyPicture } from '@corridor/protocol';

describe('absolutizeStyle', () => {
  const style = {
    version: 8,
    glyphs: '/basemap/glyphs/{fontstack}/{range}.pbf',
    sources: { roads: { type: 'vector', url: 'pmtiles:///basemap/roads.pmtiles' }, other: { type: 'vector', tiles: ['tiles/{z}/{x}/{y}.pbf'] } },
    layers: [],
    'font-faces': { 'Noto Sans Regular': [{ url: '/fonts/noto-sans/a.woff2', 'unicode-range': ['U+0-FF'] }] },
  } as unknown as StyleSpecification;

  it('resolves pmtiles, font and tile URLs against where the style came from, keeping template tokens', () => {
    const out = absolutizeStyle(style, 'http://10.0.0.5:8080/basemap/style.json') as unknown as Record<string, any>;
    expect(out.sources.roads.url).toBe('pmtiles://http://10.0.0.5:8080/basemap/roads.pmtiles');
    expect(out.sources.other.tiles).toEqual(['http://10.0.0.5:8080/basemap/tiles/{z}/{x}/{y}.pbf']);
    expect(out.glyphs).toBe('http://10.0.0.5:8080/basemap/glyphs/{fontstack}/{range}.pbf');
    expect(out['font-faces']['Noto Sans Regular'][0]).toEqual({ url: 'http://10.0.0.5:8080/fonts/noto-sans/a.woff2', 'unicode-range': ['U+0-FF'] });
    // The input is left as it was.
    expect((style.sources.roads as { url: string }).url).toBe('pmtiles:///basemap/roads.pmtiles');
  });

  it('leaves absolute URLs alone', () => {
    const online = { version: 8, sources: { s: { type: 'vector', url: 'https://tiles.example.org/v.json' } }, layers: [] } as unknown as StyleSpecification;
    expect((absolutizeStyle(online, 'https://tiles.example.org/style.json').sources.s as { url: string }).url).toBe('https://tiles.example.org/v.json');
  });
});

describe('picture store fold', () => {
  it('takes the clock offset and stale threshold from the snapshot', () => {
    const s = foldSnapshot(initialPictureState(), { type: 'snapshot', protocol: 2, seq: 3, picture: { ...emptyPicture(), seq: 3 }, staleAfterMs: 90_000, serverTimeMs: 10_500 }, 10_000);
    expect(s.clockOffsetMs).toBe(500);
    expect(s.staleAfterMs).toBe(90_000);
    expect(s.hasSnapshot).toBe(true);
    expect(s.lastUpdateMs).toBe(10_500);
  });

  it('P4: advances seq to the frame seq even when merged events leave fewer than the range', () => {
    const s0 = foldSnapshot(initialPictureState(), { type: 'snapshot', protocol: 2, seq: 3, picture: { ...emptyPicture(), seq: 3 }, staleAfterMs: 1, serverTimeMs: 0 }, 0);
    const s1 = foldDelta(
      s0,
      { type: 'delta', since: 3, seq: 7, events: [{ seq: 5, timeMs: 42, type: 'position.reported', units: [{ unitId: 'u', lon: 1, lat: 2, timeMs: 1, seenMs: 1 }] }] },
      100,
    );
    expect(s1.picture.seq).toBe(7);
    expect(s1.lastUpdateMs).toBe(42);
    expect(s1.picture.threats).toBe(s0.picture.threats);
  });
});

describe('pictureBounds, tooltips and formats', () => {
  it('frames units, havens and zones, and nothing for an empty picture', () => {
    expect(pictureBounds(emptyPicture())).toBeNull();
    const p = {
      ...emptyPicture(),
      units: { u: { unitId: 'u', lon: 11.9, lat: 57.7, timeMs: 0, seenMs: 0 } },
      havens: { h: { id: 'h', name: 'H', lon: 12.0, lat: 57.68, capacity: 1, occupancy: 0, status: 'open' as const, updatedMs: 0 } },
    };
    expect(pictureBounds(p)).toEqual([11.9, 57.68, 12.0, 57.7]);
  });

  it('describes a haven and a unit on hover', () => {
    expect(plain(tooltipText('havens-icons', { name: 'Ullevi', occupancy: 340, capacity: 500, status: 'open' }, EN))).toBe('Ullevi — OPEN\n340 / 500 people (68%)');
    expect(plain(tooltipText('units-symbols', { unitId: 'u-1', callsign: 'BRAVO 1', affiliation: 'military', lon: 0, lat: 0, timeMs: Date.UTC(2026, 0, 1, 9, 30), seenMs: 0, speed: 10, heading: 92.4 }, EN))).toBe(
      'BRAVO 1 (military)\nlast report 09:30:00Z\n36 km/h, heading 92°',
    );
    expect(tooltipText('units-labels', {}, EN)).toBeNull();
  });

  it('formats the UTC clock, ages and re-route time changes', () => {
    expect(EN.fmt.utcTime(Date.UTC(2026, 10, 21, 9, 5, 7))).toBe('09:05:07Z');
    expect(ageText(12_400, EN)).toBe('12 s ago');
    expect(ageText(125_000, EN)).toBe('2 min ago');
    // Arabic says two minutes in the dual (دقيقتين), five with its own digits.
    expect(ageText(125_000, wordsOf('ar'))).toBe('منذ دقيقتين');
    expect(ageText(300_000, wordsOf('ar'))).toMatch(/٥/);
    // deltaS is the change of duration: + slower, − faster (events.ts Corridor.deltaS).
    expect(deltaText(240, EN)).toBe('4 min slower');
    expect(deltaText(-180, EN)).toBe('3 min faster');
    expect(deltaText(29, EN)).toBe('29 s slower');
    expect(deltaText(3, EN)).toBe('same time');
  });
});

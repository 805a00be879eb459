// The wall display's pure parts (test/client → client/src/wall, issue 17): the legibility figure, the fit's
// hysteresis, the ticker's choice, wording and bound, the focus rotation, symbol displacement, the legend of
// what is on the map, the warning, and the bounds that frame a picture holding only a convoy.
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, type Alert, type Convoy, type Corridor, type Picture, type PictureEvent, type Unit } from '@corridor/protocol';
import { charHeightMm, legibility, pixelPitchMm, viewingFrom, WALL_VIEWING } from '../../client/src/wall/legibility.js';
import { fitDecision, fitPadding, frameBeside, WALL_FIT } from '../../client/src/wall/wall-fit.js';
import { addLines, staleLines, tickerLine, tickerSubject, TICKER_MAX, type TickerItem } from '../../client/src/wall/ticker.js';
import { focusCandidates, FOCUS_PERIOD_MS, nextFocus } from '../../client/src/wall/rotation.js';
import { legendPresence } from '../../client/src/wall/legend-presence.js';
import { wallWarning } from '../../client/src/wall/WallWarning.js';
import { displaceSymbols } from '../../client/src/layers/symbol-displacement.js';
import { pictureBounds } from '../../client/src/map/picture-bounds.js';
import { tooltipPlacement } from '../../client/src/layers/tooltip.js';
import { EN, plain } from './words-fixture.js';

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);
let seq = 0;
const ev = (e: Record<string, unknown>): PictureEvent => ({ seq: ++seq, timeMs: T0 + seq * 1000, ...e }) as PictureEvent;
const unit = (unitId: string, o: Partial<Unit> = {}): Unit => ({ unitId, lon: 11.97, lat: 57.71, timeMs: T0, seenMs: T0, ...o });
const convoy = (id: string, o: Partial<Convoy> = {}): Convoy => ({ id, name: `EVAC ${id}`, origin: [11.9, 57.7], destination: 'nearest-haven', vehicleClass: 'heavy_truck', state: 'moving', updatedMs: T0, ...o }) as Convoy;
const corridor = (convoyId: string, status: Corridor['status'] = 'ok', coordinates: [number, number][] = [[11.9, 57.7], [12.0, 57.75]]): Corridor =>
  ({ convoyId, status, routes: status === 'ok' ? [{ coordinates, distance_m: 1000, duration_s: 100, exposure_m: 0 }] : [], computedMs: T0 }) as unknown as Corridor;
const alert = (id: string, convoyId: string, o: Partial<Alert> = {}): Alert => ({ id, convoyId, kind: 'off_corridor', raisedMs: T0, detail: { distance_m: 300 }, ...o }) as Alert;

describe('legibility (legible from three metres: ISO 9241-303, 16′ of arc)', () => {
  it('computes the least character and its pixels on a 55-inch panel at 4K and 1080p', () => {
    expect(charHeightMm(3, 16)).toBeCloseTo(13.963, 2);
    expect(pixelPitchMm(55, 3840, 2160)).toBeCloseTo(0.3171, 4);
    expect(pixelPitchMm(55, 1920, 1080)).toBeCloseTo(0.6342, 4);
    const uhd = legibility({ widthCss: 3840, heightCss: 2160, dpr: 1 });
    const hd = legibility({ widthCss: 1920, heightCss: 1080, dpr: 1 });
    expect(uhd.capDevicePx).toBeCloseTo(44.03, 1);
    expect(hd.capDevicePx).toBeCloseTo(22.02, 1);
    // Noto Sans capitals are 0.714 of the font size: 61.7 and 30.8 CSS pixels of font.
    expect(uhd.fontCssPx).toBeCloseTo(61.67, 1);
    expect(hd.fontCssPx).toBeCloseTo(30.84, 1);
    // A symbol's frame twice the character: 88 and 44 pixels.
    expect(uhd.symbolCssPx).toBeCloseTo(88.06, 1);
  });

  it('asks the same of the panel in CSS pixels when the browser scales a 4K panel by 2', () => {
    const scaled = legibility({ widthCss: 1920, heightCss: 1080, dpr: 2 });
    expect(scaled.capDevicePx).toBeCloseTo(44.03, 1);
    expect(scaled.fontCssPx).toBeCloseTo(30.84, 1);
  });

  it('grows with the distance and shrinks with a larger panel; takes both from the address, within reason', () => {
    const at5 = legibility({ widthCss: 1920, heightCss: 1080, dpr: 1 }, { distanceM: 5, diagonalIn: 55 });
    expect(at5.fontCssPx).toBeCloseTo((30.84 * 5) / 3, 0);
    expect(viewingFrom(new URLSearchParams('distance=5&diagonal=75'))).toEqual({ distanceM: 5, diagonalIn: 75 });
    expect(viewingFrom(new URLSearchParams('distance=0&diagonal=abc'))).toEqual(WALL_VIEWING);
  });
});

describe('fitting the wall (hysteresis)', () => {
  const frame = { minX: 0, minY: 0, maxX: 1000, maxY: 800 };
  const base = { frame, framed: true, lastFitMs: 0, nowMs: 60_000, canZoomIn: true };

  it('frames at first, even an empty picture (the basemap\'s extent stands for it)', () => {
    expect(fitDecision({ ...base, framed: false, content: { minX: 0, minY: 0, maxX: 10, maxY: 10 } })).toBe('first');
    expect(fitDecision({ ...base, framed: false, content: null })).toBe('first');
    expect(fitDecision({ ...base, content: null })).toBe('keep');
  });

  it('keeps the view after a refit and while things move within the band; refits when one reaches the band or leaves', () => {
    // Just after a refit: the content is inset by the margin (8 %).
    const padding = fitPadding(1000, 800, frame);
    expect(padding).toEqual({ top: 64, bottom: 64, left: 80, right: 80 });
    const fitted = { minX: 80, minY: 64, maxX: 920, maxY: 736 };
    expect(fitDecision({ ...base, content: fitted })).toBe('keep');
    // A unit moves 40 px towards the edge: still more than 3 % (30 px) from it.
    expect(fitDecision({ ...base, content: { ...fitted, maxX: 960 } })).toBe('keep');
    // A convoy starts 10 px from the edge, a zone is posted beyond it.
    expect(fitDecision({ ...base, content: { ...fitted, maxX: 990 } })).toBe('outside');
    expect(fitDecision({ ...base, content: { ...fitted, minY: -500 } })).toBe('outside');
  });

  it('zooms in when the content has shrunk below 40 % of the frame, not at the most detailed zoom', () => {
    const small = { minX: 400, minY: 300, maxX: 700, maxY: 500 };
    expect(fitDecision({ ...base, content: small })).toBe('shrunk');
    expect(fitDecision({ ...base, content: small, canZoomIn: false })).toBe('keep');
    // 45 % of the width: kept, the band between 40 % and the margin's 84 % is the hysteresis.
    expect(fitDecision({ ...base, content: { minX: 300, minY: 300, maxX: 750, maxY: 500 } })).toBe('keep');
  });

  it('refits at most once every 5 s, however much moves', () => {
    expect(fitDecision({ ...base, lastFitMs: 58_000, content: { minX: -100, minY: 0, maxX: 10, maxY: 10 } })).toBe('keep');
    expect(fitDecision({ ...base, lastFitMs: 60_000 - WALL_FIT.minIntervalMs, content: { minX: -100, minY: 0, maxX: 10, maxY: 10 } })).toBe('outside');
  });

  it('frames beside or above the legend, whichever leaves more room', () => {
    expect(frameBeside(1000, 800, null)).toEqual(frame);
    expect(frameBeside(1000, 800, { minX: 0, minY: 500, maxX: 600, maxY: 800 })).toEqual({ minX: 0, minY: 0, maxX: 1000, maxY: 500 });
    expect(frameBeside(1000, 800, { minX: 0, minY: 200, maxX: 250, maxY: 800 })).toEqual({ minX: 250, minY: 0, maxX: 1000, maxY: 800 });
    // Right to left the legend is on the right.
    expect(frameBeside(1000, 800, { minX: 750, minY: 200, maxX: 1000, maxY: 800 })).toEqual({ minX: 0, minY: 0, maxX: 750, maxY: 800 });
  });
});

describe('pictureBounds (issue 17: a picture holding only a convoy opens with its corridor on screen)', () => {
  it('frames a lone convoy by its corridor and its origin, and leaves out an arrived one', () => {
    const p = { ...emptyPicture(), convoys: { a: convoy('a', { origin: [11.8, 57.6] }) }, corridors: { a: corridor('a', 'ok', [[11.9, 57.7], [12.1, 57.8]]) } };
    expect(pictureBounds(p)).toEqual([11.8, 57.6, 12.1, 57.8]);
    expect(pictureBounds({ ...p, convoys: { a: convoy('a', { state: 'arrived' }) } })).toBeNull();
  });
});

describe('the ticker', () => {
  const picture = (): Picture => {
    seq = 0;
    return applyEvents(emptyPicture(), [
      ev({ type: 'convoy.upserted', convoy: convoy('cv-1', { name: 'EVAC BLUE' }) }),
      ev({ type: 'haven.upserted', haven: { id: 'hv-1', name: 'Ullevi', lon: 11.98, lat: 57.7, capacity: 100, occupancy: 50, status: 'open', updatedMs: T0 } }),
    ]);
  };

  it('chooses the events the room should see and leaves out the stream of positions', () => {
    const p = picture();
    const zone = ev({ type: 'threat.upserted', zone: { id: 'tz-1', severity: 'no-go', label: 'Bridge closed', geometry: { type: 'Point', coordinates: [11.9, 57.7] }, area: { type: 'Polygon', coordinates: [[[11.9, 57.7], [11.91, 57.7], [11.91, 57.71], [11.9, 57.7]]] }, updatedMs: T0 } });
    expect(tickerSubject(zone, p)).toEqual({ kind: 'zone', key: 'zone:tz-1' });
    expect(tickerSubject(ev({ type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'holding', reason: 'chlorine' }), p)).toEqual({ kind: 'hold', key: 'convoy:cv-1' });
    expect(tickerSubject(ev({ type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'arrived' }), p)).toEqual({ kind: 'arrival', key: 'convoy:cv-1' });
    expect(tickerSubject(ev({ type: 'convoy.state-changed', convoyId: 'cv-1', from: 'planned', to: 'approved' }), p)).toBeNull();
    expect(tickerSubject(ev({ type: 'alert.raised', alert: alert('al-1', 'cv-1') }), p)).toEqual({ kind: 'alert', key: 'alert:al-1' });
    expect(tickerSubject(ev({ type: 'reroute.decided', convoyId: 'cv-1', proposalId: 'rp-1', route: 0, corridor: corridor('cv-1') }), p)).toEqual({ kind: 'reroute', key: 'route:cv-1' });
    expect(tickerSubject(ev({ type: 'position.reported', units: [unit('u-1')] }), p)).toBeNull();
    // A haven: only a change of its status.
    const full = ev({ type: 'haven.upserted', haven: { ...p.havens['hv-1'], occupancy: 100, status: 'full' } });
    const fuller = ev({ type: 'haven.upserted', haven: { ...p.havens['hv-1'], occupancy: 60 } });
    expect(tickerSubject(full, p)).toEqual({ kind: 'haven', key: 'haven:hv-1' });
    expect(tickerSubject(fuller, p)).toBeNull();
  });

  it('words them as the replay list does, in the page\'s language', () => {
    const p = picture();
    const hold = ev({ type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'holding', reason: 'chlorine release' });
    expect(plain(tickerLine(hold, p, p, EN)!.text)).toBe('EVAC BLUE holds: chlorine release');
    const full = ev({ type: 'haven.upserted', haven: { ...p.havens['hv-1'], occupancy: 100, status: 'full' } });
    expect(plain(tickerLine(full, p, p, EN)!.text)).toBe('Ullevi: FULL');
    const raised = ev({ type: 'alert.raised', alert: alert('al-1', 'cv-1') });
    expect(plain(tickerLine(raised, p, p, EN)!.text)).toMatch(/^Alert: .+ · EVAC BLUE$/);
  });

  it('says once when a unit goes stale', () => {
    const units = { a: unit('a', { callsign: 'BRAVO 1', seenMs: T0 }), b: unit('b', { seenMs: T0 + 100_000 }) };
    const clock = { nowMs: T0 + 90_000, staleAfterMs: 60_000 };
    const first = staleLines(units, clock, new Set(), EN);
    expect(first.lines.map((l) => plain(l.text))).toEqual(['BRAVO 1 · STALE']);
    expect(staleLines(units, clock, first.stale, EN).lines).toEqual([]);
  });

  it('keeps one line per subject, the latest, newest first, and never more than TICKER_MAX', () => {
    const line = (key: string, timeMs: number): TickerItem => ({ key, kind: 'zone', timeMs, text: `${key}@${timeMs}` });
    let items: TickerItem[] = [];
    items = addLines(items, [line('zone:a', 1), line('zone:b', 2), line('zone:a', 3)]);
    expect(items.map((i) => i.text)).toEqual(['zone:a@3', 'zone:b@2']);
    // An older line about a subject held (a seed from the log arriving late) does not replace the newer.
    items = addLines(items, [line('zone:b', 0)]);
    expect(items.map((i) => i.text)).toEqual(['zone:a@3', 'zone:b@2']);
    for (let t = 10; t < 1000; t++) items = addLines(items, [line(`zone:${t}`, t)]);
    expect(items).toHaveLength(TICKER_MAX);
    expect(items[0].timeMs).toBe(999);
  });
});

describe('what the wall puts forward', () => {
  it('puts the convoys that cannot move first, then those with an unacknowledged alert, and not arrived ones', () => {
    const p = {
      convoys: { a: convoy('a'), b: convoy('b'), c: convoy('c'), d: convoy('d', { state: 'arrived' }), e: convoy('e') },
      corridors: { a: corridor('a'), b: corridor('b', 'no_safe_route'), c: corridor('c'), d: corridor('d'), e: corridor('e') },
      alerts: {
        x: alert('x', 'a', { raisedMs: T0 + 5, acknowledged: { by: { tokenId: 't', org: 'o', role: 'planner' }, atMs: T0 } }),
        y: alert('y', 'c', { raisedMs: T0 + 1 }),
        z: alert('z', 'd'),
        w: alert('w', 'e', { clearedMs: T0 }),
      },
    };
    expect(focusCandidates(p).map((c) => c.convoyId)).toEqual(['b', 'c', 'a']);
  });

  it('shows each in turn for 15 s, round and round; one that needs attention no more gives way at once', () => {
    let f = nextFocus({ convoyId: null, sinceMs: 0 }, ['a', 'b', 'c'], 1000);
    expect(f).toEqual({ convoyId: 'a', sinceMs: 1000 });
    expect(nextFocus(f, ['a', 'b', 'c'], 1000 + FOCUS_PERIOD_MS - 1)).toBe(f);
    f = nextFocus(f, ['a', 'b', 'c'], 1000 + FOCUS_PERIOD_MS);
    expect(f.convoyId).toBe('b');
    f = nextFocus(f, ['a', 'b', 'c'], 1000 + 2 * FOCUS_PERIOD_MS);
    f = nextFocus(f, ['a', 'b', 'c'], 1000 + 3 * FOCUS_PERIOD_MS);
    expect(f.convoyId).toBe('a');
    expect(nextFocus(f, ['b', 'c'], f.sinceMs + 1)).toEqual({ convoyId: 'b', sinceMs: f.sinceMs + 1 });
    expect(nextFocus(f, [], f.sinceMs + 1)).toEqual({ convoyId: null, sinceMs: f.sinceMs + 1 });
  });
});

describe('symbol displacement (issue 17: units hid the Ullevi haven)', () => {
  const box = [-15, -15, 15, 15] as const;
  const overlap = (a: readonly number[], b: readonly number[]) => Math.min(a[2], b[2]) > Math.max(a[0], b[0]) && Math.min(a[3], b[3]) > Math.max(a[1], b[1]);
  const at = (x: number, y: number, d: readonly number[] = [0, 0]) => [x + d[0] + box[0], y + d[1] + box[1], x + d[0] + box[2], y + d[1] + box[3]];

  it('moves the units off a haven, clear of it and of each other, and leaves the rest where they are', () => {
    const symbols = [
      { id: 'haven', x: 100, y: 100, box, fixed: true },
      { id: 'u1', x: 105, y: 100, box, fixed: false },
      { id: 'u2', x: 100, y: 95, box, fixed: false },
      { id: 'far', x: 300, y: 300, box, fixed: false },
    ];
    const d = displaceSymbols(symbols, 2);
    expect([...d.keys()].sort()).toEqual(['u1', 'u2']);
    const u1 = at(105, 100, d.get('u1'));
    const u2 = at(100, 95, d.get('u2'));
    expect(overlap(u1, at(100, 100))).toBe(false);
    expect(overlap(u2, at(100, 100))).toBe(false);
    expect(overlap(u1, u2)).toBe(false);
    // The first looks away from the haven: to its right.
    expect(d.get('u1')![0]).toBeGreaterThan(0);
  });

  it('leaves units crowding each other (not a haven) where they are, and keeps a moved one on its side', () => {
    expect(displaceSymbols([{ id: 'a', x: 0, y: 0, box, fixed: false }, { id: 'b', x: 5, y: 0, box, fixed: false }], 2).size).toBe(0);
    const symbols = [{ id: 'haven', x: 0, y: 0, box, fixed: true }, { id: 'u', x: 0, y: 0, box, fixed: false }];
    const left = new Map([['u', [-32, 0] as [number, number]]]);
    expect(displaceSymbols(symbols, 2, left).get('u')![0]).toBeLessThan(0);
  });
});

describe('the wall\'s legend and warning', () => {
  it('lists only what the map draws', () => {
    const clock = { nowMs: T0 + 10_000, staleAfterMs: 60_000 };
    const p = { ...emptyPicture(), units: { a: unit('a', { affiliation: 'humanitarian' }), b: unit('b'), c: unit('c', { cotType: 'a-h-G', heading: 90 }) }, havens: {} };
    expect([...legendPresence(p, clock)].sort()).toEqual(['heading', 'hostile', 'humanitarian', 'unknown']);
    const moving = { ...emptyPicture(), convoys: { a: convoy('a'), b: convoy('b', { state: 'planned' }) }, corridors: { a: corridor('a'), b: corridor('b', 'no_safe_route') } };
    expect([...legendPresence(moving, clock)].sort()).toEqual(['best', 'noRoute']);
  });

  it('warns when the link is down a while, when nothing came for 35 s, and when signed out', () => {
    expect(wallWarning('live', 1000)).toBeNull();
    expect(wallWarning('live', 40_000)).toBe('stale');
    expect(wallWarning('reconnecting', 1000)).toBeNull();
    expect(wallWarning('reconnecting', 5000)).toBe('down');
    expect(wallWarning('offline', null)).toBe('down');
    expect(wallWarning('signed-out', 0)).toBe('signed-out');
    expect(wallWarning('outdated', 0)).toBe('outdated');
  });
});

describe('the desk\'s tooltip (issue 17: it ran under the side panel)', () => {
  it('opens towards the middle of the map, never past its edges', () => {
    expect(tooltipPlacement(900, 100, 1000, 800).transform).toBe('translate(900px, 100px) translate(calc(-100% - 14px), 14px)');
    expect(tooltipPlacement(100, 700, 1000, 800).transform).toBe('translate(100px, 700px) translate(14px, calc(-100% - 14px))');
    expect(tooltipPlacement(100, 100, 1000, 800).maxWidth).toBe('480px');
  });
});

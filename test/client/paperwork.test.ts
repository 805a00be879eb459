// Unit tests of the movement paperwork (test/client → client/src/paperwork, issue 18): the pure helpers (clocks,
// departure, havens and zones near a route, the printed map's frame, the paper style), and the notice and route card
// rendered to HTML from notices folded by the picture's own fold, in English and Arabic.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyEvent, emptyPicture, type Convoy, type Corridor, type Haven, type Notice, type PictureEvent, type ThreatZone } from '@corridor/protocol';
import { NoticeSheet } from '../../client/src/paperwork/NoticePage.js';
import { RouteCardSheet } from '../../client/src/paperwork/RouteCardPage.js';
import { clocks, ltr } from '../../client/src/paperwork/paper-words.js';
import { noticeAction } from '../../client/src/paperwork/use-paperwork.js';
import { departureOf, havensNearRoute, knownZone, mapFrame, paperStyle, scaleBarMetres, zonedFormatter, zonesNearRoute } from '../../client/src/paperwork/paperwork-view.js';
import { EN, plain, wordsOf } from './words-fixture.js';

/** A route east along 57.7° N for about 6 km, in three stretches. */
const LINE: [number, number][] = [
  [11.9, 57.7],
  [11.93, 57.7],
  [11.96, 57.7],
  [12.0, 57.7],
];
const havenAt = (id: string, lon: number, lat: number, status: Haven['status'] = 'open'): Haven => ({ id, name: `Haven ${id}`, lon, lat, capacity: 100, occupancy: 10, status, updatedMs: 0 }) as Haven;
const square = (id: string, lon: number, lat: number, d: number, severity: ThreatZone['severity'] = 'no-go'): ThreatZone =>
  ({
    id,
    severity,
    label: `Zone ${id}`,
    geometry: { type: 'Polygon', coordinates: [] },
    area: { type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] },
    updatedMs: 0,
  }) as unknown as ThreatZone;

describe('clocks and times (issue 18)', () => {
  const t = Date.UTC(2026, 11, 6, 14, 5);
  it('writes an instant in the movement’s zone and in UTC', () => {
    expect(zonedFormatter('en-GB', 'Europe/Stockholm')(t)).toBe('6 Dec 2026, 15:05');
    const c = clocks(EN, 'Africa/Khartoum');
    expect(plain(c.zoned(t))).toBe('6\u00a0Dec\u00a02026,\u00a016:05\u00a0(Africa/Khartoum)');
    expect(c.utc(t)).toBe('6\u00a0Dec\u00a02026,\u00a014:05 UTC');
    expect(plain(c.both(t))).toContain(' · ');
    // A zone that is UTC is said once.
    expect(clocks(EN, 'UTC').both(t)).toBe(clocks(EN, 'UTC').utc(t));
  });
  it('falls back to UTC for a zone the runtime does not know', () => {
    expect(knownZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(knownZone(undefined)).toBe('UTC');
    expect(knownZone('America/Bogota')).toBe('America/Bogota');
  });
  it('counts from the planned departure, else from the window’s start', () => {
    expect(departureOf({ departure: '2026-12-06T15:00:00Z', window: { from: '2026-12-06T14:00:00Z', until: '2026-12-06T18:00:00Z' } })).toEqual({ ms: Date.UTC(2026, 11, 6, 15), basis: 'departure' });
    expect(departureOf({ window: { from: '2026-12-06T14:00:00Z', until: '2026-12-06T18:00:00Z' } })).toEqual({ ms: Date.UTC(2026, 11, 6, 14), basis: 'window' });
    expect(departureOf({})).toBeUndefined();
  });
  it('isolates a phone number left to right', () => {
    expect(ltr('+46 31 555 0101')).toBe('\u2066+46 31 555 0101\u2069');
  });
});

describe('what is near a route', () => {
  it('havens: the destination first (open or not), then open ones within 3 km, nearest first', () => {
    const havens = {
      a: havenAt('a', 11.95, 57.71), // ≈1.1 km north
      b: havenAt('b', 11.95, 57.702), // ≈220 m north
      c: havenAt('c', 11.95, 57.75), // ≈5.6 km: too far
      d: havenAt('d', 11.97, 57.701, 'closed'), // near but closed
      e: havenAt('e', 12.1, 57.9, 'full'), // far, but the destination
    };
    expect(havensNearRoute(havens, LINE, 'e').map((h) => [h.haven.id, h.destination])).toEqual([
      ['e', true],
      ['b', false],
      ['a', false],
    ]);
  });
  it('zones: those the route crosses first, then by severity and distance; far ones left out', () => {
    const zones = {
      cross: square('cross', 11.95, 57.7, 0.002, 'advisory'),
      near: square('near', 11.95, 57.71, 0.002, 'danger'),
      nogo: square('nogo', 11.97, 57.715, 0.002),
      far: square('far', 11.95, 57.8, 0.002),
    };
    const near = zonesNearRoute(zones, LINE);
    expect(near.map((z) => [z.zone.id, z.crosses])).toEqual([
      ['cross', true],
      ['nogo', false],
      ['near', false],
    ]);
    expect(near[0].off_m).toBe(0);
    expect(near[2].off_m).toBeGreaterThan(800);
  });
});

describe('the printed map', () => {
  it('fits the points inside the padding, north up, at the Mercator zoom of the same scale', () => {
    const f = mapFrame(LINE, 760, 300, 24);
    const [x0, y0] = f.project(LINE[0]);
    const [x1, y1] = f.project(LINE[3]);
    expect(x0).toBeCloseTo(24, 6);
    expect(x1).toBeCloseTo(736, 6);
    expect(y0).toBeCloseTo(150, 6);
    expect(y1).toBeCloseTo(150, 6);
    expect(f.project([11.95, 57.71])[1]).toBeLessThan(150);
    expect(f.center).toEqual([11.95, 57.7]);
    // 712 px for 0.1° of longitude: 512·2^z/360 px a degree.
    expect((512 * 2 ** f.zoom) / 360).toBeCloseTo(7120, 3);
    expect(f.metresPerUnit * 712).toBeGreaterThan(5900);
    expect(f.metresPerUnit * 712).toBeLessThan(6000);
  });
  it('rounds its scale bar to 1, 2 or 5', () => {
    expect([3700, 1000, 999, 0.7, 0].map(scaleBarMetres)).toEqual([2000, 1000, 500, 0.5, 0]);
  });
  it('restyles the basemap for paper', () => {
    const style = paperStyle({
      version: 8,
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#11171d' } },
        { id: 'road-primary-casing', type: 'line', paint: { 'line-color': '#0b1015', 'line-width': 3 } },
        { id: 'road-primary', type: 'line', paint: { 'line-color': '#76838f' } },
        { id: 'label', type: 'symbol', paint: { 'text-color': '#fff' } },
      ],
    });
    expect(style.layers.map((l) => Object.values(l.paint ?? {})[0])).toEqual(['#ffffff', '#8c8c8c', '#cfcfcf', '#4a4a4a']);
    expect(style.layers[1].paint!['line-width']).toBe(3);
    expect(style.version).toBe(8);
  });
});

// ---------------------------------------------------------------- the sheets, from notices folded by the picture's fold
const CONVOY = {
  id: 'cv-1',
  name: 'Convoy Alpha',
  origin: LINE[0],
  destination: LINE[3],
  vehicleClass: 'light_truck',
  vehicles: 3,
  people: 24,
  personnel: 7,
  state: 'approved',
  organisation: 'Relief',
  focalPoint: { name: 'Amina Haddad', phone: '+249 91 000 0000', radio: 'VHF 12' },
  timeZone: 'Africa/Khartoum',
  window: { from: '2026-12-06T06:00:00Z', until: '2026-12-06T10:00:00Z' },
  checkpoints: [
    { name: 'Bridge', at: [11.93, 57.7005] as [number, number] },
    { name: 'Fuel', at: [11.96, 57.7], hold: true },
  ],
  radioPlan: [{ net: 'Convoy', channel: 'VHF 12', callsign: 'ALPHA 1' }],
  onAlert: 'Stop at the next hold point.',
  updatedMs: 0,
} as unknown as Convoy;
const LEG = {
  coordinates: LINE,
  distance_m: 6000,
  duration_s: 600,
  exposure_m: 0,
  min_clearance_m: null,
  roads: [
    { name: 'Airport Road', from: 0, distance_m: 1800, duration_s: 180 },
    { name: 'Nile Street', ref: 'N1', from: 1, distance_m: 1800, duration_s: 180 },
    { name: 'Bridge Road', from: 2, distance_m: 2400, duration_s: 240 },
  ],
};
const CORRIDOR = { convoyId: 'cv-1', status: 'ok', routes: [LEG], reason: 'r', computedMs: Date.UTC(2026, 11, 6, 5, 0), version: 3 } as unknown as Corridor;
const NOTICE_V1: Notice = {
  convoyId: 'cv-1',
  reference: 'DN-2026-0412',
  version: 1,
  status: 'draft',
  draftedMs: Date.UTC(2026, 11, 6, 4),
  convoyName: 'Convoy Alpha',
  organisation: 'Relief',
  focalPoint: CONVOY.focalPoint,
  window: { from: '2026-12-06T06:00:00Z', until: '2026-12-06T10:00:00Z', timeZone: 'Africa/Khartoum' },
  origin: { at: LINE[0], place: 'Airport' },
  destination: { at: LINE[3], place: 'Hospital' },
  route: { coordinates: LINE, distance_m: 6000, duration_s: 600 },
  roads: ['Airport Road', 'Nile Street (N1)', 'Bridge Road'],
  places: ['Airport', 'Hospital'],
  checkpoints: [{ name: 'Bridge', at: [11.93, 57.7005] }],
  vehicles: { count: 3, class: 'light_truck', plates: ['A-1', 'A-2'] },
  personnel: 7,
  passengers: 24,
  routeVersion: 1,
};
/** The picture after the convoy and `events` (type and fields), folded by the picture's own fold. */
const fold = (events: Record<string, unknown>[]) => {
  let p = emptyPicture();
  [{ type: 'convoy.upserted', convoy: CONVOY }, ...events].forEach((e, i) => {
    p = applyEvent(p, { seq: i + 1, timeMs: Date.UTC(2026, 11, 6, 4, i), actor: { tokenId: 't-1', org: 'relief', role: 'planner' }, ...e } as unknown as PictureEvent);
  });
  return p;
};

describe('the notice sheet (issue 18)', () => {
  it('prints reference, version, status, the window in both clocks and the roads in order', () => {
    const html = plain(renderToStaticMarkup(createElement(NoticeSheet, { notice: NOTICE_V1, w: EN, exercise: false })))!;
    expect(html).toContain('DN-2026-0412');
    expect(html).toContain('Version 1');
    expect(html).toContain('data-status="draft"');
    // Khartoum is UTC+2.
    expect(html).toContain('6\u00a0Dec\u00a02026,\u00a008:00\u00a0(Africa/Khartoum)');
    expect(html).toContain('6\u00a0Dec\u00a02026,\u00a006:00 UTC');
    const roads = ['Airport Road', 'Nile Street (N1)', 'Bridge Road'].map((r) => html.indexOf(`<bdi>${r}</bdi>`));
    expect(roads.every((at, i) => at > 0 && (i === 0 || at > roads[i - 1]))).toBe(true);
    expect(html).toContain('Not acknowledged yet.');
    expect(html).toContain('First version of this notice.');
  });

  it('shows what a version changed and the version it superseded, as the fold keeps them', () => {
    const v2: Notice = { ...NOTICE_V1, version: 2, status: 'draft', roads: ['Airport Road', 'Ring Road'], changes: { parts: ['route'], roadsAdded: ['Ring Road'], roadsDropped: ['Nile Street (N1)', 'Bridge Road'], distanceDeltaM: 900, durationDeltaS: 120 } };
    const p = fold([
      { type: 'notice.drafted', convoyId: 'cv-1', notice: NOTICE_V1 },
      { type: 'notice.sent', convoyId: 'cv-1', version: 1 },
      { type: 'notice.acknowledged', convoyId: 'cv-1', version: 1, by: 'Maj. X, liaison cell', remark: 'ok' },
      { type: 'notice.drafted', convoyId: 'cv-1', notice: v2 },
    ]);
    const held = p.notices['cv-1'];
    expect(held.version).toBe(2);
    const html = plain(renderToStaticMarkup(createElement(NoticeSheet, { notice: held, w: EN, exercise: true })))!;
    expect(html).toContain('Roads added: Ring Road');
    expect(html).toContain('Roads dropped: Nile Street (N1) and Bridge Road');
    expect(html).toContain('900 m longer');
    expect(html).toMatch(/<tr data-version="1" data-status="superseded"><td>1<\/td><td>ACKNOWLEDGED · Maj\. X, liaison cell<\/td><td>SUPERSEDED<\/td>/);
    expect(html).toContain('EXERCISE');
  });

  it('reads in Arabic, with Arabic digits and the figure in words for one and two', () => {
    const ar = wordsOf('ar');
    const html = plain(renderToStaticMarkup(createElement(NoticeSheet, { notice: { ...NOTICE_V1, vehicles: { ...NOTICE_V1.vehicles, count: 2 }, personnel: 1 }, w: ar, exercise: false })))!;
    expect(html).toContain('الإصدار ١');
    expect(html).toContain('مركبتان');
    expect(html).toContain('موظف واحد');
    expect(html).toContain('٢٤ راكباً');
  });
});

describe('the route card (issue 18)', () => {
  const html = plain(renderToStaticMarkup(createElement(RouteCardSheet, { convoy: CONVOY, corridor: CORRIDOR, notice: NOTICE_V1, picture: { havens: {}, threats: {} }, w: EN, exercise: false })))!;
  it('prints the route version and when it was computed', () => {
    expect(html).toContain('Route version 3 · computed 6\u00a0Dec\u00a02026,\u00a005:00 UTC');
    expect(html).toContain('data-route-version="3"');
  });
  it('lists the turns in order with their roads, distances and times', () => {
    const rows = [...html.matchAll(/<tr data-kind="([a-z_]+)" data-road="([^"]*)">/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['depart', 'Airport Road'],
      ['straight', 'Nile Street (N1)'],
      ['straight', 'Bridge Road'],
      ['arrive', 'Bridge Road'],
    ]);
    expect(html).toContain('Arrive at Hospital');
  });
  it('gives each checkpoint its time from the window’s start, in the zone and in UTC, and the hold points', () => {
    // Bridge at 1800 m of 6000 m, 180 s after 06:00 UTC.
    expect(html).toMatch(/data-checkpoint="Bridge" data-eta-ms="1796536980000"/);
    expect(html).toContain('6\u00a0Dec\u00a02026,\u00a008:03\u00a0(Africa/Khartoum)');
    expect(html).toContain('6\u00a0Dec\u00a02026,\u00a006:03 UTC');
    expect(html).toContain('HOLD POINT');
    expect(html).toContain('Hold points: Fuel');
    expect(html).toContain('Stop at the next hold point.');
    expect(html).toContain('ALPHA 1');
  });
});

describe('the notice’s actions (issue 18)', () => {
  afterEach(() => vi.unstubAllGlobals());
  const answer = (status: number, body: unknown) => vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })));

  it('posts the version to send, and says nothing when the server takes it', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => new Response('{"seq":4}', { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    await expect(noticeAction('cv-1', 'send', { version: 2 }, EN)).resolves.toBeNull();
    expect(fetch.mock.calls[0][0]).toBe('/api/convoys/cv-1/notice/send');
    expect(JSON.parse(String(fetch.mock.calls[0][1].body))).toEqual({ version: 2 });
  });

  it('words a refusal in the page’s language, never the server’s English sentence', async () => {
    answer(403, { error: { code: 'forbidden', message: 'the role viewer may not send notices', path: '' } });
    const refused = await noticeAction('cv-1', 'send', { version: 1 }, EN);
    expect(refused).toMatch(/^The server refused: /);
    expect(refused).not.toContain('the role viewer');
    answer(409, { error: { code: 'invalid_transition', message: 'version 1 of notice DN-2026-0412 was superseded: read the notice again', path: 'version' } });
    await expect(noticeAction('cv-1', 'acknowledge', { version: 1, by: 'X' }, EN)).resolves.toBe(EN.t('paperwork.action.stale'));
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(noticeAction('cv-1', 'send', {}, wordsOf('fr'))).resolves.toBe('Le serveur est injoignable. Réessayez.');
  });
});

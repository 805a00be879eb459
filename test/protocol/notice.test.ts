// The notice's fold and its pure helpers (protocol/notice.ts, P36): route versions, what a new version
// changed, the ordered list of roads, and a notice's life folded from its events (history, late changes dropped).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyEvents,
  emptyPicture,
  lacksAcknowledgedNotice,
  nextRouteVersion,
  noticeChanges,
  roadLabel,
  routeRoads,
  sameRoad,
  type Corridor,
  type Notice,
  type NoticeContent,
  type PictureEvent,
  type RouteLeg,
} from '@corridor/protocol';

const leg = (coordinates: [number, number][], roads?: RouteLeg['roads']): RouteLeg => ({ coordinates, distance_m: 1000, duration_s: 100, exposure_m: 0, min_clearance_m: null, ...(roads ? { roads } : {}) });
const corridor = (coordinates: [number, number][]): Corridor => ({ convoyId: 'cv-1', status: 'ok', routes: [leg(coordinates)], reason: 'computed', computedMs: 0 });
const content = (over: Partial<NoticeContent> = {}): NoticeContent => ({
  convoyName: 'EVAC',
  origin: { at: [0, 0] },
  destination: { at: [1, 1] },
  route: { coordinates: [[0, 0], [1, 1]], distance_m: 1000, duration_s: 100 },
  roads: ['A', 'B'],
  places: [],
  checkpoints: [],
  vehicles: { class: '4wd' },
  routeVersion: 1,
  ...over,
});
const notice = (over: Partial<Notice> = {}): Notice => ({ ...content(), convoyId: 'cv-1', reference: 'DN-2026-0007', version: 1, status: 'draft', draftedMs: 5, ...over });

describe('route versions (P36)', () => {
  it('the first corridor is version 1; the same line keeps its version, another line is one more', () => {
    const a = corridor([[0, 0], [1, 1]]);
    expect(nextRouteVersion(undefined, a)).toBe(1);
    expect(nextRouteVersion({ ...a, version: 3 }, corridor([[0, 0], [1, 1]]))).toBe(3);
    expect(nextRouteVersion({ ...a, version: 3 }, corridor([[0, 0], [0.5, 0.6], [1, 1]]))).toBe(4);
    expect(nextRouteVersion({ ...a, version: 3 }, { routes: [] })).toBe(4);
  });

  it('the fold numbers a convoy corridor’s routes as they change', () => {
    const events: PictureEvent[] = [
      { seq: 1, timeMs: 1, type: 'convoy.upserted', convoy: { id: 'cv-1', name: 'EVAC', origin: [0, 0], destination: [1, 1], vehicleClass: '4wd', state: 'planned', updatedMs: 1 } },
      { seq: 2, timeMs: 2, type: 'corridor.recomputed', corridor: corridor([[0, 0], [1, 1]]) },
      { seq: 3, timeMs: 3, type: 'corridor.recomputed', corridor: corridor([[0, 0], [1, 1]]) },
      { seq: 4, timeMs: 4, type: 'corridor.recomputed', corridor: corridor([[0, 0], [0.2, 0.9], [1, 1]]) },
    ];
    const versions = events.map((_, i) => applyEvents(emptyPicture(), events.slice(0, i + 1)).corridors['cv-1']?.version);
    expect(versions).toEqual([undefined, 1, 1, 2]);
  });
});

describe('what a new version changed', () => {
  it('names nothing when nothing a party reads changed', () => {
    expect(noticeChanges(content(), content())).toBeUndefined();
    expect(noticeChanges(notice({ status: 'sent', sentMs: 9 }), content())).toBeUndefined();
  });

  it('names the parts, the roads added and dropped, and the change of length and time', () => {
    const after = content({ roads: ['A', 'C', 'B', 'C'], route: { coordinates: [[0, 0], [0.5, 0.2], [1, 1]], distance_m: 1400, duration_s: 160 }, cargo: 'food' });
    const change = noticeChanges(content(), after, { reason: 're-routed around Roadblock', why: { code: 'rerouted', deltaS: 60 } });
    expect(change).toEqual({ parts: ['route', 'cargo'], roadsAdded: ['C'], distanceDeltaM: 400, durationDeltaS: 60, reason: 're-routed around Roadblock', why: { code: 'rerouted', deltaS: 60 } });
    expect(noticeChanges(content(), content({ roads: ['B'] }))?.roadsDropped).toEqual(['A']);
    expect(noticeChanges(content(), content({ window: { from: 'a', until: 'b', timeZone: 'UTC' } }))?.parts).toEqual(['window']);
  });

  it('a route that lost its way says so, without figures it does not have', () => {
    expect(noticeChanges(content(), content({ route: null, roads: [] }))).toEqual({ parts: ['route'], roadsDropped: ['A', 'B'] });
  });
});

describe('the ordered list of roads', () => {
  it('names each stretch once, a road left and taken again twice, unnamed stretches left out', () => {
    const roads = [
      { name: 'Nya Allén', from: 0, distance_m: 100, duration_s: 10 },
      { from: 3, distance_m: 20, duration_s: 2 },
      { name: 'Nya Allén', from: 4, distance_m: 50, duration_s: 5 },
      { ref: 'E 6', from: 6, distance_m: 500, duration_s: 20 },
      { name: 'Lundbyleden', ref: 'E 6.21', from: 9, distance_m: 900, duration_s: 40 },
      { name: 'Nya Allén', from: 12, distance_m: 50, duration_s: 5 },
    ];
    expect(routeRoads(leg([[0, 0], [1, 1]], roads))).toEqual(['Nya Allén', 'E 6', 'Lundbyleden (E 6.21)', 'Nya Allén']);
    expect(routeRoads(undefined)).toEqual([]);
    expect(routeRoads(leg([[0, 0], [1, 1]]))).toEqual([]);
  });

  it('never names the same road twice in a row, and names only roads of the route (property)', () => {
    const stretch = fc.record({ name: fc.option(fc.constantFrom('A', 'B', 'C'), { nil: undefined }), ref: fc.option(fc.constantFrom('N1', 'N2', 'N1;N2'), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(stretch, { maxLength: 30 }), (parts) => {
        const roads = parts.map((p, i) => ({ ...(p.name ? { name: p.name } : {}), ...(p.ref ? { ref: p.ref } : {}), from: i, distance_m: 10, duration_s: 1 }));
        const out = routeRoads(leg([[0, 0], [1, 1]], roads));
        for (let i = 1; i < out.length; i++) expect(out[i]).not.toBe(out[i - 1]);
        const labels = new Set(roads.map((r) => roadLabel(r)).filter((l) => l !== undefined));
        for (const r of out) expect(labels.has(r)).toBe(true);
        expect(out.length > 0).toBe(labels.size > 0);
        // Every named road of the route is in the list, by one of its labels.
        for (const r of roads) if (r.name) expect(out.some((o) => o === r.name || o.startsWith(`${r.name} (`))).toBe(true);
      }),
    );
  });

  it('reads OSM as a driver would: a ref written two ways or beside another is one road, named where it has a name', () => {
    const roads = [
      { name: 'Lundbyleden', ref: 'E 6.21', from: 0, distance_m: 900, duration_s: 40 },
      { ref: '155;E 6.21', from: 3, distance_m: 90, duration_s: 4 },
      { name: 'Lundbyleden', ref: '155;E 6.21', from: 4, distance_m: 220, duration_s: 10 },
      { ref: 'E 6', from: 6, distance_m: 90, duration_s: 4 },
      { name: 'Tingstadstunneln', ref: 'E 6', from: 7, distance_m: 540, duration_s: 20 },
      { ref: 'E6', from: 9, distance_m: 80, duration_s: 3 },
      { name: 'Friggagatan', from: 10, distance_m: 500, duration_s: 60 },
    ];
    expect(routeRoads(leg([[0, 0], [1, 1]], roads))).toEqual(['Lundbyleden (E 6.21)', 'Tingstadstunneln (E 6)', 'Friggagatan']);
    expect(roadLabel({ ref: '155;E 6.21' })).toBe('155 / E 6.21');
    expect(sameRoad({ ref: 'E6' }, { name: 'Tingstadstunneln', ref: 'E 6' })).toBe(true);
    expect(sameRoad({ name: 'A' }, { name: 'B', ref: 'E 6' })).toBe(false);
    expect(sameRoad({}, {})).toBe(true);
  });
});

describe('a notice folded from its events', () => {
  const base: PictureEvent[] = [
    { seq: 1, timeMs: 1, type: 'convoy.upserted', convoy: { id: 'cv-1', name: 'EVAC', origin: [0, 0], destination: [1, 1], vehicleClass: '4wd', state: 'approved', updatedMs: 1 } },
    { seq: 2, timeMs: 2, type: 'notice.drafted', convoyId: 'cv-1', notice: notice() },
  ];
  const actor = { tokenId: 't', org: 'WFP', role: 'planner' };
  const fold = (...more: PictureEvent[]) => applyEvents(emptyPicture(), [...base, ...more]).notices['cv-1'];

  it('is sent and acknowledged, who and when recorded; a change of another version is dropped', () => {
    const sent: PictureEvent = { seq: 3, timeMs: 30, type: 'notice.sent', convoyId: 'cv-1', version: 1, actor };
    const ack: PictureEvent = { seq: 4, timeMs: 40, type: 'notice.acknowledged', convoyId: 'cv-1', version: 1, by: 'Maj. Holm', remark: 'ok', actor };
    expect(fold(sent, ack)).toMatchObject({ status: 'acknowledged', sentMs: 30, sentBy: { org: 'WFP', role: 'planner' }, acknowledged: { by: 'Maj. Holm', atMs: 40, remark: 'ok', org: 'WFP', role: 'planner' } });
    expect(fold({ ...sent, version: 2 }).status).toBe('draft');
  });

  it('a new version supersedes the held one, which its history keeps with what it had reached', () => {
    const v2: PictureEvent = { seq: 5, timeMs: 50, type: 'notice.drafted', convoyId: 'cv-1', notice: notice({ version: 2, roads: ['C'], changes: { parts: ['route'] }, draftedMs: 50 }) };
    const n = fold({ seq: 3, timeMs: 30, type: 'notice.sent', convoyId: 'cv-1', version: 1, actor }, v2);
    expect(n).toMatchObject({ version: 2, status: 'draft', roads: ['C'] });
    expect(n.history).toEqual([{ version: 1, status: 'superseded', reached: 'sent', draftedMs: 5, sentMs: 30, endedMs: 50, roads: ['A', 'B'] }]);
    // A redraft of the held version keeps the history as it is.
    const redraft: PictureEvent = { ...v2, seq: 6, timeMs: 60, notice: notice({ version: 2, roads: ['D'], draftedMs: 60 }) };
    expect(fold({ seq: 3, timeMs: 30, type: 'notice.sent', convoyId: 'cv-1', version: 1, actor }, v2, redraft).history).toHaveLength(1);
  });

  it('expires, and goes with its convoy', () => {
    expect(fold({ seq: 3, timeMs: 30, type: 'notice.expired', convoyId: 'cv-1', version: 1, reason: 'window_ended' })).toMatchObject({ status: 'expired', expiredMs: 30, expiry: 'window_ended' });
    expect(fold({ seq: 3, timeMs: 30, type: 'convoy.removed', id: 'cv-1' })).toBeUndefined();
  });

  it('a convoy under way without an acknowledged notice is flagged; one planned or arrived is not', () => {
    expect(lacksAcknowledgedNotice({ state: 'moving' }, undefined)).toBe(true);
    expect(lacksAcknowledgedNotice({ state: 'approved' }, { status: 'sent' })).toBe(true);
    expect(lacksAcknowledgedNotice({ state: 'holding' }, { status: 'acknowledged' })).toBe(false);
    expect(lacksAcknowledgedNotice({ state: 'planned' }, undefined)).toBe(false);
    expect(lacksAcknowledgedNotice({ state: 'arrived' }, undefined)).toBe(false);
  });
});

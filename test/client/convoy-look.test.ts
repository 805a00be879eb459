// Convoy colours, corridor state styles and corridor tooltips (test/client → client/src/layers/convoy-look.ts, corridor-layers.ts, tooltip.ts, label-look.ts), issue 12.
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, type Convoy, type Picture, type PictureEvent, type RouteLeg } from '@corridor/protocol';
import { CORRIDOR_LOOKS, convoyColorHex, convoyColorSlots, corridorLook, hashId, lookColor } from '../../client/src/layers/convoy-look.js';
import { convoyMarkerFill, convoyMarkerProps, convoyMarks, corridorAltProps, corridorBestProps, corridorCasingProps, drawnConvoyMarks, routeColor, type RoutePath } from '../../client/src/layers/corridor-layers.js';
import { labelLook } from '../../client/src/layers/label-look.js';
import type { PlacedLabel } from '../../client/src/layers/label-placement.js';
import { CONVOY_PALETTE, FLOW_COLOR, hexToRgba, SEVERITY_COLORS, SITE_FILL, SITE_LINE, STALE_COLOR, type RGBA } from '../../client/src/layers/palette.js';
import { tooltipText } from '../../client/src/layers/tooltip.js';
import { EN, plain, wordsOf } from './words-fixture.js';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
let seq = 0;
const ev = <E extends Omit<PictureEvent, 'seq' | 'timeMs'>>(e: E) => ({ ...e, seq: ++seq, timeMs: T0 + seq }) as unknown as PictureEvent;
const convoy = (id: string, name: string, state: Convoy['state'] = 'moving'): Convoy => ({ id, name, origin: [11.9, 57.7], destination: 'nearest-haven', vehicleClass: '4wd', state, updatedMs: T0 });
const leg = (lon: number, extra: Partial<RouteLeg> = {}): RouteLeg => ({
  coordinates: [
    [lon, 57.7],
    [lon + 0.01, 57.71],
  ],
  distance_m: 12_400,
  duration_s: 840,
  exposure_m: 0,
  min_clearance_m: 300,
  ...extra,
});
const withConvoys = (p: Picture, ids: string[]) => applyEvents(p, ids.map((id) => ev({ type: 'convoy.upserted', convoy: convoy(id, id.toUpperCase()) })));
const colours = (p: Picture) => Object.fromEntries(Object.keys(p.convoys).map((id) => [id, convoyColorHex(p.convoys, id)]));

// --- colour science for the palette checks: Oklab (Björn Ottosson) and colour-vision deficiency (Machado et al. 2009, severity 1) ---
const lin = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const unlin = (v: number) => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
function oklab([r, g, b]: number[]): [number, number, number] {
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const l = Math.cbrt(0.4122214708 * R + 0.5363325363 * G + 0.0514459929 * B);
  const m = Math.cbrt(0.2119034982 * R + 0.6806995451 * G + 0.1073969566 * B);
  const s = Math.cbrt(0.0883024619 * R + 0.2817188376 * G + 0.6299787005 * B);
  return [0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s, 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s, 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s];
}
const VISION: Record<string, number[][]> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
};
const seen = (c: number[], vision: string) => VISION[vision].map((row) => unlin(Math.min(1, Math.max(0, row[0] * lin(c[0]) + row[1] * lin(c[1]) + row[2] * lin(c[2])))));
const distance = (a: number[], b: number[]) => Math.hypot(...oklab(a).map((x, i) => x - oklab(b)[i]));
/** The smallest Oklab distance between two colours as people with normal vision, protanopia or deuteranopia see them. */
const leastApart = (a: number[], b: number[]) => Math.min(...Object.keys(VISION).map((v) => distance(seen(a, v), seen(b, v))));

describe('convoy palette', () => {
  const rgb = CONVOY_PALETTE.map((c) => hexToRgba(c.hex).slice(0, 3));

  it('has eight colours, each light enough to read on the dark basemap', () => {
    expect(CONVOY_PALETTE).toHaveLength(8);
    // Oklab lightness of the map's background is 0.2; every convoy colour is at least 0.6.
    for (const c of rgb) expect(oklab(c)[0]).toBeGreaterThan(0.6);
  });

  it('keeps every pair apart, for normal vision, protanopia and deuteranopia', () => {
    for (let i = 0; i < rgb.length; i++)
      for (let j = i + 1; j < rgb.length; j++) expect(leastApart(rgb[i], rgb[j]), `${CONVOY_PALETTE[i].name} / ${CONVOY_PALETTE[j].name}`).toBeGreaterThan(0.04);
  });

  it('is not the colour of a threat, of displacement, of a unit symbol or of a stale unit', () => {
    const taken: Record<string, RGBA | number[]> = {
      'no-go': SEVERITY_COLORS['no-go'].line,
      danger: SEVERITY_COLORS.danger.line,
      advisory: SEVERITY_COLORS.advisory.line,
      site: SITE_FILL,
      siteLine: SITE_LINE,
      flow: FLOW_COLOR,
      stale: STALE_COLOR,
      // milsymbol's fills: friend, neutral, unknown.
      friend: [128, 224, 255],
      neutral: [170, 255, 170],
      unknown: [255, 255, 128],
    };
    for (const [i, c] of rgb.entries()) for (const [name, t] of Object.entries(taken)) expect(distance(c, t.slice(0, 3)), `${CONVOY_PALETTE[i].name} vs ${name}`).toBeGreaterThan(0.07);
  });
});

describe('convoy colour assignment', () => {
  const ids = ['cv-evac-blue', 'cv-evac-red', 'cv-medical', 'cv-1', 'cv-2', 'cv-3', 'cv-water', 'cv-food'];

  it('gives up to eight convoys eight different colours, from the hash of their id', () => {
    for (let n = 1; n <= 8; n++) {
      const p = withConvoys(emptyPicture(), ids.slice(0, n));
      expect(new Set(Object.values(colours(p))).size).toBe(n);
    }
    // The first convoy always has the slot its id hashes to.
    const one = withConvoys(emptyPicture(), ['cv-medical']);
    expect(convoyColorSlots(one.convoys)['cv-medical']).toBe(hashId('cv-medical') % 8);
  });

  it('keeps every convoy its colour when others are added, one by one or together', () => {
    let p = emptyPicture();
    const before: Record<string, string> = {};
    for (const id of ids) {
      p = withConvoys(p, [id]);
      const now = colours(p);
      for (const [k, c] of Object.entries(before)) expect(now[k], `${k} after adding ${id}`).toBe(c);
      Object.assign(before, now);
    }
    // An update of a convoy (a new state) changes no colour.
    const updated = applyEvents(p, [ev({ type: 'convoy.upserted', convoy: convoy('cv-1', 'CV-1', 'holding') })]);
    expect(colours(updated)).toEqual(colours(p));
  });

  it('is the same on every screen for the same picture, and moves only convoys pushed off their own colour when one is removed', () => {
    const p = withConvoys(emptyPicture(), ids);
    const q = withConvoys(emptyPicture(), ids);
    expect(colours(q)).toEqual(colours(p));
    const removed = applyEvents(p, [ev({ type: 'convoy.removed', id: 'cv-evac-red' })]);
    const after = colours(removed);
    for (const id of Object.keys(after)) {
      const own = hashId(id) % 8;
      // Either the convoy keeps its colour, or it had been pushed off its own slot by an earlier convoy.
      if (after[id] !== colours(p)[id]) expect(colours(p)[id]).not.toBe(CONVOY_PALETTE[own].hex);
    }
    expect(new Set(Object.values(after)).size).toBe(7);
  });

  it('gives the same slots object while the convoys slice is unchanged', () => {
    const p = withConvoys(emptyPicture(), ids.slice(0, 3));
    expect(convoyColorSlots(p.convoys)).toBe(convoyColorSlots(p.convoys));
  });
});

function pictureOf(states: Record<string, Convoy['state']>): Picture {
  seq = 0;
  const events: PictureEvent[] = [];
  Object.entries(states).forEach(([id, state], i) => {
    events.push(ev({ type: 'convoy.upserted', convoy: convoy(id, `EVAC ${id.toUpperCase()}`, state) }));
    events.push(ev({ type: 'corridor.recomputed', corridor: { convoyId: id, status: 'ok', routes: [leg(11.9 + i / 100), leg(11.95 + i / 100, { distance_m: 14_050, duration_s: 1_000, exposure_m: 850, min_clearance_m: 0 })], reason: 'initial', computedMs: T0 } }));
  });
  return applyEvents(emptyPicture(), events);
}

describe('corridor state styles', () => {
  const p = pictureOf({ a: 'moving', b: 'holding', c: 'planned', d: 'approved', e: 'arrived', f: 'aborted' });
  const best = corridorBestProps(p.convoys, p.corridors).data as RoutePath[];
  const byId = (id: string) => best.find((r) => r.convoyId === id)!;

  it('draws no corridor, marker or label of an arrived or aborted convoy, even when its corridor is still in the picture', () => {
    expect(best.map((r) => r.convoyId).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect((corridorAltProps(p.convoys, p.corridors).data as RoutePath[]).map((r) => r.convoyId).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect((corridorCasingProps(p.convoys, p.corridors).data as RoutePath[]).length).toBe(4);
    expect((convoyMarkerProps(p.convoys, p.corridors).data as unknown[]).length).toBe(4);
    expect(drawnConvoyMarks(p.convoys, p.corridors).map((m) => m.convoy.id)).toEqual(['a', 'b', 'c', 'd']);
    // The side panel still lists them, and none reads as blocked.
    expect(convoyMarks(p.convoys, p.corridors).filter((m) => m.blocked)).toEqual([]);
    expect(corridorLook('arrived')).toBeNull();
    expect(corridorLook('aborted')).toBeNull();
  });

  it('draws a moving convoy bold and solid in its own colour', () => {
    const a = byId('a');
    expect(a.look).toBe(CORRIDOR_LOOKS.moving);
    expect(routeColor(a)).toEqual(hexToRgba(convoyColorHex(p.convoys, 'a')));
    expect(a.look.dash).toEqual([0, 0]);
  });

  it('draws a holding convoy dashed and dimmed, at the width of a moving one', () => {
    const b = byId('b');
    expect(b.look.dash[1]).toBeGreaterThan(0);
    expect(b.look.bestPx).toBe(CORRIDOR_LOOKS.moving.bestPx);
    const own = hexToRgba(b.hex);
    const drawn = routeColor(b);
    // Nearer grey than its own colour, and fainter.
    const spread = (c: number[]) => Math.max(...c.slice(0, 3)) - Math.min(...c.slice(0, 3));
    expect(spread(drawn)).toBeLessThan(spread(own));
    expect(drawn[3]).toBeLessThan(255);
    const width = corridorBestProps(p.convoys, p.corridors, 2).getWidth as (r: RoutePath) => number;
    expect(width(b)).toBe(10);
    expect((corridorBestProps(p.convoys, p.corridors).getDashArray as (r: RoutePath) => number[])(b)).toEqual(b.look.dash);
  });

  it('draws a planned or approved convoy thinner and lighter than a moving one', () => {
    for (const id of ['c', 'd']) {
      const r = byId(id);
      expect(r.look.bestPx).toBeLessThan(CORRIDOR_LOOKS.moving.bestPx);
      expect(r.look.casingPx).toBeLessThan(CORRIDOR_LOOKS.moving.casingPx);
      expect(routeColor(r)[3]).toBeLessThan(255);
    }
  });

  it('draws alternatives lighter than the best route, in the same colour', () => {
    const alt = (corridorAltProps(p.convoys, p.corridors).data as RoutePath[]).find((r) => r.convoyId === 'a')!;
    expect(routeColor(alt).slice(0, 3)).toEqual(routeColor(byId('a')).slice(0, 3));
    expect(routeColor(alt)[3]).toBeLessThan(routeColor(byId('a'))[3]);
  });

  it('fills the marker and colours the label in the convoy colour; a convoy with no safe route stays red', () => {
    const marks = drawnConvoyMarks(p.convoys, p.corridors);
    const a = marks.find((m) => m.convoy.id === 'a')!;
    expect(convoyMarkerFill(a)).toEqual(hexToRgba(a.hex));
    const label = (datum: unknown) => labelLook({ id: 'x', family: 'convoy', datum, position: [0, 0], text: '', anchor: 'middle', baseline: 'center', offset: [0, 0], box: [0, 0, 0, 0] } as unknown as PlacedLabel<never, 'convoy'>, { nowMs: T0, staleAfterMs: 60_000 });
    expect(label(a).color).toEqual(hexToRgba(a.hex));
    const blocked = applyEvents(p, [ev({ type: 'corridor.recomputed', corridor: { convoyId: 'a', status: 'no_safe_route', routes: [], blockedBy: ['tz-1'], reason: 'cut', computedMs: T0 } })]);
    const red = drawnConvoyMarks(blocked.convoys, blocked.corridors).find((m) => m.convoy.id === 'a')!;
    expect(red.blocked).toBe(true);
    expect(convoyMarkerFill(red)).toEqual([127, 29, 29, 200]);
    expect(label(red).color).toEqual([254, 202, 202, 255]);
    expect(label(red).background?.color).toEqual([127, 29, 29, 235]);
  });

  it('keeps the same data arrays while neither convoys nor corridors change', () => {
    expect(corridorBestProps(p.convoys, p.corridors).data).toBe(corridorBestProps(p.convoys, p.corridors).data);
    expect(drawnConvoyMarks(p.convoys, p.corridors)).toBe(drawnConvoyMarks(p.convoys, p.corridors));
    expect(lookColor('#22d3ee', CORRIDOR_LOOKS.moving)).toEqual([34, 211, 238, 255]);
  });
});

describe('corridor tooltips (figures, the convoy by name, its state)', () => {
  const p = pictureOf({ blue: 'holding' });
  const best = (corridorBestProps(p.convoys, p.corridors).data as RoutePath[])[0];
  const alt = (corridorAltProps(p.convoys, p.corridors).data as RoutePath[])[0];
  const mark = drawnConvoyMarks(p.convoys, p.corridors)[0];

  it('in English', () => {
    expect(plain(tooltipText('corridors-best', best, EN))).toBe('EVAC BLUE — HOLDING\nbest route: 12.4 km, 14 min\noutside every danger zone · nearest no-go or danger zone 300 m away');
    expect(plain(tooltipText('corridors-alternatives', alt, EN))).toBe('EVAC BLUE — HOLDING\nalternative route 1: 14.1 km, 17 min\n850 m in danger zones · nearest no-go or danger zone 0 m away');
    expect(plain(tooltipText('convoys-markers', mark, EN, () => 'corridor computed'))).toBe(
      'EVAC BLUE — HOLDING\nroute + 1 alt.\nbest route: 12.4 km, 14 min\noutside every danger zone · nearest no-go or danger zone 300 m away\ncorridor computed',
    );
    const far = { ...best, leg: { ...best.leg, min_clearance_m: null } };
    expect(plain(tooltipText('corridors-best', far, EN))).toContain('no no-go or danger zone nearby');
  });

  it('in French, with its figures and typography', () => {
    const FR = wordsOf('fr');
    expect(plain(tooltipText('corridors-best', best, FR))).toBe(
      'EVAC BLUE — EN ATTENTE\nmeilleur itinéraire\u00a0: 12,4\u202fkm, 14\u00a0min\nhors de toute zone dangereuse · zone interdite ou dangereuse la plus proche à 300\u202fm',
    );
    expect(plain(tooltipText('corridors-alternatives', alt, FR))).toContain('itinéraire de rechange 1\u00a0: 14,1\u202fkm');
  });

  it('never shows the raw id of a convoy that has a name', () => {
    for (const w of [EN, wordsOf('ar'), wordsOf('es')]) expect(tooltipText('corridors-best', best, w)).not.toMatch(/(^|[^A-Z])blue\b/);
  });
});

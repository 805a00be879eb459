// What to label and what not to cover (client/src/layers): picture slices → label specs and symbol obstacles for label-placement.ts.
import type { Convoy, ConvoyTrack, Corridor, Haven, Picture, Site, ThreatZone, Unit } from '@corridor/protocol';
import { isStale } from '@corridor/protocol';
import { CONVOY_LABEL_FONT, CONVOY_LABEL_PAD, convoyLabelSizePx, convoyLabelTexts, convoyMarkerRadiusPx, drawnConvoyMarks, type ConvoyMark } from './corridor-layers.js';
import { HAVEN_LABEL_FONT, havenIconBox, havenLabelTexts, havenList } from './haven-layers.js';
import { slotsAround, type LabelSpec, type ObstacleSpec, type Slot, type SlotName, type TextVariant } from './label-placement.js';
import { SITE_LABEL_FONT, siteLabelTexts, siteList, siteRadiusPx, siteScale } from './site-layers.js';
import { displaceSymbols, displacementKey, type Displacements, type ScreenSymbol } from './symbol-displacement.js';
import { measureLabel, type LabelFont, type MeasureLine } from './text-measure.js';
import { THREAT_LABEL_FONT, labelPoint, zoneLabelTexts, zoneList } from './threat-layers.js';
import { UNIT_LABEL_FONT, headingArrowBox, staleKey, unitLabelTexts, unitList, unitSymbolBox, type StaleClock } from './unit-layers.js';
import type { Words } from './words.js';

/** The label families, one map layer each (map/map-labels.ts). */
export type LabelFamily = 'threat' | 'convoy' | 'unit' | 'haven' | 'site';

/** The datum each family's placed labels carry. */
export interface LabelDatum {
  threat: ThreatZone;
  convoy: ConvoyMark;
  unit: Unit;
  haven: Haven;
  site: Site;
}

/**
 * Who wins the space, highest first. No-go zones, convoys with no safe route and unit callsigns are
 * required: they are always drawn. Havens come before the units (a haven is where convoys go, and few:
 * issue 17 found Ullevi's label dropped under a crowd of units), so a haven's label takes its place before
 * the callsigns crowd round it; other convoys, then sites, give way; an advisory zone last of all.
 */
export const LABEL_PRIORITY = {
  noGo: 100,
  blockedConvoy: 90,
  havenAlert: 87,
  haven: 85,
  unit: 80,
  staleUnit: 75,
  danger: 60,
  convoy: 58,
  /** Plus up to 9 by population (log10), so larger sites win among sites. */
  site: 30,
  advisory: 20,
} as const;

/** Gap between a symbol and its label at scale 1, pixels. */
const SYMBOL_GAP_PX = 3;
const AROUND: readonly SlotName[] = ['below', 'above', 'right', 'left', 'below-right', 'above-right', 'below-left', 'above-left'];
const BESIDE: readonly SlotName[] = ['right', 'left', 'below', 'above', 'below-right', 'above-right', 'below-left', 'above-left'];
const OVER: readonly SlotName[] = ['above', 'below', 'right', 'left', 'above-right', 'above-left', 'below-right', 'below-left'];

/**
 * Zone label slots: centred on the label point, then stepping out above and below it by 1.3 lines
 * (up to four steps), then beside it. A zone is an area, so its label may move within it; the label's
 * colour ties it to its zone.
 */
function zoneSlots(sizePx: number): Slot[] {
  const step = 1.3 * sizePx;
  const slots: Slot[] = [{ dx: 0, dy: 0, anchor: 'middle', baseline: 'center' }];
  for (let k = 1; k <= 4; k++) slots.push({ dx: 0, dy: -k * step, anchor: 'middle', baseline: 'center' }, { dx: 0, dy: k * step, anchor: 'middle', baseline: 'center' });
  slots.push({ dx: sizePx, dy: 0, anchor: 'start', baseline: 'center' }, { dx: -sizePx, dy: 0, anchor: 'end', baseline: 'center' });
  return slots;
}

/** `count` rings of slots around a symbol box, each `lineStepPx` × 1.2 further out than the one before. */
function rings(box: [number, number, number, number], gapPx: number, lineStepPx: number, order: readonly SlotName[], count: number): Slot[] {
  const out: Slot[] = [];
  for (let k = 0; k < count; k++) out.push(...slotsAround(box, gapPx + k * 1.2 * lineStepPx, order));
  return out;
}

/** Inputs of the label specs: the picture's slices, the stale clock and the display's size multipliers. */
export interface LabelInputs {
  picture: Pick<Picture, 'threats' | 'units' | 'havens' | 'sites' | 'convoys' | 'corridors'> & Partial<Pick<Picture, 'tracks'>>;
  clock: StaleClock;
  /** Size multiplier of symbols (1 on desks, more on the wall). */
  scale: number;
  /** Size multiplier of label text; `scale` when absent (the wall's text grows faster than its symbols: ui/wall-scale.ts). */
  textScale?: number;
  /** Unit symbols drawn aside from their position (symbol-displacement.ts), pixels: their labels go round them there. */
  offsets?: Displacements;
  /** Shortest wordings only where they exist (the wall display's sites). */
  compact: boolean;
  measure: MeasureLine;
  /** The page's language: label wordings and figures come from its catalogue and formats. */
  words: Words;
}

/** Caches a derivation per slice object and a key of the other inputs, so unchanged slices are not re-measured. */
function keyedMemo<S extends object, T>() {
  const cache = new WeakMap<S, { key: string; measure: MeasureLine; value: T }>();
  return (slice: S, key: string, measure: MeasureLine, derive: () => T): T => {
    const hit = cache.get(slice);
    if (hit && hit.key === key && hit.measure === measure) return hit.value;
    const value = derive();
    cache.set(slice, { key, measure, value });
    return value;
  };
}

function variants(texts: string[], font: LabelFont, sizePx: number, pad: [number, number], measure: MeasureLine): TextVariant[] {
  return texts.map((text) => {
    const { width, height } = measureLabel(text, sizePx, font.weight, font.lineHeight, measure);
    return { text, width: width + 2 * pad[0], height: height + 2 * pad[1] };
  });
}

const unitSpecMemo = keyedMemo<Record<string, Unit>, LabelSpec<Unit, 'unit'>[]>();
const zoneSpecMemo = keyedMemo<Record<string, ThreatZone>, LabelSpec<ThreatZone, 'threat'>[]>();
const havenSpecMemo = keyedMemo<Record<string, Haven>, LabelSpec<Haven, 'haven'>[]>();
const siteSpecMemo = keyedMemo<Record<string, Site>, LabelSpec<Site, 'site'>[]>();
const convoySpecMemo = keyedMemo<ConvoyMark[], LabelSpec<ConvoyMark, 'convoy'>[]>();

/** A symbol box moved by a displacement, pixels. */
function shifted(box: [number, number, number, number], by: readonly [number, number] | undefined): [number, number, number, number] {
  return by ? [box[0] + by[0], box[1] + by[1], box[2] + by[0], box[3] + by[1]] : box;
}

/** Unit callsigns: required, around the symbol (where it is drawn, when displaced), below first. */
export function unitSpecs(units: Record<string, Unit>, clock: StaleClock, scale: number, measure: MeasureLine, words: Words, textScale = scale, offsets?: Displacements): LabelSpec<Unit, 'unit'>[] {
  const list = unitList(units);
  // Stale labels count minutes, so the wording changes each minute for stale units only.
  const key = `${words.lang}|${scale}|${textScale}|${displacementKey(offsets)}|${staleKey(list, clock)}@${Math.floor(clock.nowMs / 60_000)}`;
  return unitSpecMemo(units, key, measure, () =>
    list.map((u) => {
      const stale = isStale(u, clock.nowMs, clock.staleAfterMs);
      return {
        id: `unit:${u.unitId}`,
        family: 'unit',
        priority: stale ? LABEL_PRIORITY.staleUnit : LABEL_PRIORITY.unit,
        required: true,
        position: [u.lon, u.lat],
        variants: variants(unitLabelTexts(u, clock, words), UNIT_LABEL_FONT, UNIT_LABEL_FONT.sizePx * textScale, [0, 0], measure),
        pad: [0, 0],
        // Rings further out, a line each: a callsign is required, and a crowd can fill the first (at the
        // wall's legible sizes, the second too).
        slots: rings(shifted(unitSymbolBox(u, scale), offsets?.get(u.unitId)), SYMBOL_GAP_PX * scale, UNIT_LABEL_FONT.sizePx * textScale, AROUND, 4),
        datum: u,
      };
    }),
  );
}

/** Zone labels at the zone's label point, stepped above or below it when that is taken; no-go zones required. */
export function zoneSpecs(threats: Record<string, ThreatZone>, scale: number, measure: MeasureLine, words: Words, textScale = scale): LabelSpec<ThreatZone, 'threat'>[] {
  return zoneSpecMemo(threats, `${words.lang}|${textScale}`, measure, () =>
    zoneList(threats).map((z) => {
      const size = THREAT_LABEL_FONT.sizePx * textScale;
      return {
        id: `threat:${z.id}`,
        family: 'threat',
        priority: z.severity === 'no-go' ? LABEL_PRIORITY.noGo : z.severity === 'danger' ? LABEL_PRIORITY.danger : LABEL_PRIORITY.advisory,
        required: z.severity === 'no-go',
        position: labelPoint(z),
        variants: variants(zoneLabelTexts(z, words), THREAT_LABEL_FONT, size, [0, 0], measure),
        pad: [0, 0],
        slots: zoneSlots(size),
        datum: z,
      };
    }),
  );
}

/** Haven labels beside the icon, right first, before the units; a full or closed haven outranks an open one. */
export function havenSpecs(havens: Record<string, Haven>, scale: number, measure: MeasureLine, words: Words, textScale = scale): LabelSpec<Haven, 'haven'>[] {
  return havenSpecMemo(havens, `${words.lang}|${scale}|${textScale}`, measure, () =>
    havenList(havens).map((h) => ({
      id: `haven:${h.id}`,
      family: 'haven',
      priority: h.status === 'open' ? LABEL_PRIORITY.haven : LABEL_PRIORITY.havenAlert,
      required: false,
      position: [h.lon, h.lat],
      variants: variants(havenLabelTexts(h, words), HAVEN_LABEL_FONT, HAVEN_LABEL_FONT.sizePx * textScale, [0, 0], measure),
      pad: [0, 0],
      // Three rings, nearest first (a haven is where units gather); no further: a label far off would name another.
      slots: rings(havenIconBox(scale), SYMBOL_GAP_PX * scale, HAVEN_LABEL_FONT.sizePx * textScale, BESIDE, 3),
      datum: h,
    })),
  );
}

/** Site labels above the circle first (with the trend since the previous figure while it fits); larger sites win among sites. */
export function siteSpecs(sites: Record<string, Site>, scale: number, compact: boolean, measure: MeasureLine, words: Words, textScale = scale): LabelSpec<Site, 'site'>[] {
  return siteSpecMemo(sites, `${words.lang}|${scale}|${textScale}|${compact}`, measure, () =>
    siteList(sites).map((s) => {
      const r = siteRadiusPx(s.population, siteScale(sites)) * scale;
      return {
        id: `site:${s.id}`,
        family: 'site',
        priority: LABEL_PRIORITY.site + Math.min(9, Math.log10(1 + Math.max(0, s.population))),
        required: false,
        position: [s.lon, s.lat],
        variants: variants(siteLabelTexts(s, words, compact), SITE_LABEL_FONT, SITE_LABEL_FONT.sizePx * textScale, [0, 0], measure),
        pad: [0, 0],
        slots: slotsAround([-r, -r, r, r], SYMBOL_GAP_PX * scale, OVER),
        datum: s,
      };
    }),
  );
}

/** Convoy labels above the marker first, on their chip; a convoy with no safe route is required. */
export function convoySpecs(convoys: Record<string, Convoy>, corridors: Record<string, Corridor>, scale: number, measure: MeasureLine, words: Words, tracks?: Record<string, ConvoyTrack>, textScale = scale): LabelSpec<ConvoyMark, 'convoy'>[] {
  const marks = drawnConvoyMarks(convoys, corridors, tracks);
  return convoySpecMemo(marks, `${words.lang}|${scale}|${textScale}`, measure, () =>
    marks.map((m) => {
      const pad: [number, number] = [CONVOY_LABEL_PAD[0] * textScale, CONVOY_LABEL_PAD[1] * textScale];
      const r = (convoyMarkerRadiusPx(m) + 1.5) * scale;
      return {
        id: `convoy:${m.convoy.id}`,
        family: 'convoy',
        priority: m.blocked ? LABEL_PRIORITY.blockedConvoy : LABEL_PRIORITY.convoy,
        required: m.blocked,
        position: m.position,
        variants: variants(convoyLabelTexts(m, words), CONVOY_LABEL_FONT, convoyLabelSizePx(m) * textScale, pad, measure),
        pad,
        // Three rings: a blocked convoy's chip is required, and its start is often in the crowded centre.
        slots: rings([-r, -r, r, r], SYMBOL_GAP_PX * scale, convoyLabelSizePx(m) * textScale, OVER, 3),
        datum: m,
      };
    }),
  );
}

/** Every label of the picture, all families, in no particular order (placement sorts by priority). */
export function labelSpecs(i: LabelInputs): LabelSpec<LabelDatum[LabelFamily], LabelFamily>[] {
  const p = i.picture;
  const text = i.textScale ?? i.scale;
  return [
    ...zoneSpecs(p.threats, i.scale, i.measure, i.words, text),
    ...convoySpecs(p.convoys, p.corridors, i.scale, i.measure, i.words, p.tracks, text),
    ...unitSpecs(p.units, i.clock, i.scale, i.measure, i.words, text, i.offsets),
    ...havenSpecs(p.havens, i.scale, i.measure, i.words, text),
    ...siteSpecs(p.sites, i.scale, i.compact, i.measure, i.words, text),
  ];
}

const obstacleMemo = new WeakMap<Record<string, Unit>, WeakMap<Record<string, Haven>, WeakMap<ConvoyMark[], { scale: number; offsets: string; value: ObstacleSpec[] }>>>();

/**
 * What no label may cover: unit symbols (where they are drawn, when displaced) and their heading arrows,
 * haven icons, convoy markers. The same array while the units, havens, convoys and corridors slices and
 * the displacements are unchanged.
 */
export function labelObstacles(picture: LabelInputs['picture'], scale: number, offsets?: Displacements): ObstacleSpec[] {
  const marks = drawnConvoyMarks(picture.convoys, picture.corridors, picture.tracks);
  let byHavens = obstacleMemo.get(picture.units);
  if (!byHavens) obstacleMemo.set(picture.units, (byHavens = new WeakMap()));
  let byMarks = byHavens.get(picture.havens);
  if (!byMarks) byHavens.set(picture.havens, (byMarks = new WeakMap()));
  const offsetsKey = displacementKey(offsets);
  const hit = byMarks.get(marks);
  if (hit && hit.scale === scale && hit.offsets === offsetsKey) return hit.value;
  const out: ObstacleSpec[] = [];
  for (const u of unitList(picture.units)) {
    const by = offsets?.get(u.unitId);
    out.push({ position: [u.lon, u.lat], box: shifted(unitSymbolBox(u, scale), by) });
    const arrow = headingArrowBox(u, scale);
    if (arrow) out.push({ position: [u.lon, u.lat], box: shifted(arrow, by) });
  }
  const haven = havenIconBox(scale);
  for (const h of havenList(picture.havens)) out.push({ position: [h.lon, h.lat], box: haven });
  for (const m of marks) {
    const r = (convoyMarkerRadiusPx(m) + 1.5) * scale;
    out.push({ position: m.position, box: [-r, -r, r, r] });
  }
  byMarks.set(marks, { scale, offsets: offsetsKey, value: out });
  return out;
}

/** Symbols this far off screen, pixels, take part in displacement (one just outside can push one inside). */
const DISPLACE_MARGIN_PX = 120;

/**
 * Where unit symbols are drawn aside on this view so as not to hide a haven or another unit
 * (symbol-displacement.ts), pixels by unit id: havens stay put, units move, near the screen only.
 * `previous` keeps each moved symbol on the side it had.
 */
export function unitDisplacements(picture: Pick<Picture, 'units' | 'havens'>, scale: number, view: { width: number; height: number; project: (p: [number, number]) => number[] }, previous?: Displacements): Map<string, [number, number]> {
  const near = (x: number, y: number) => x > -DISPLACE_MARGIN_PX && y > -DISPLACE_MARGIN_PX && x < view.width + DISPLACE_MARGIN_PX && y < view.height + DISPLACE_MARGIN_PX;
  const symbols: ScreenSymbol[] = [];
  const haven = havenIconBox(scale);
  for (const h of havenList(picture.havens)) {
    const [x, y] = view.project([h.lon, h.lat]);
    if (near(x, y)) symbols.push({ id: `haven:${h.id}`, x, y, box: haven, fixed: true });
  }
  for (const u of unitList(picture.units)) {
    const [x, y] = view.project([u.lon, u.lat]);
    if (near(x, y)) symbols.push({ id: u.unitId, x, y, box: unitSymbolBox(u, scale), fixed: false });
  }
  return displaceSymbols(symbols, 2 * scale, previous);
}

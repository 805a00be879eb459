// Threat zones as deck.gl layer props (client/src/layers): filled by severity (no-go red, danger orange, advisory yellow outline), labelled.
import type { PolygonLayerProps } from '@deck.gl/layers';
import type { ThreatZone } from '@corridor/protocol';
import type { LabelFont } from './text-measure.js';
import { memoBySlice } from './memo.js';
import { SEVERITY_COLORS, SEVERITY_LINE_PX, type RGBA } from './palette.js';
import { SEVERITY_WORDS, type Words } from './words.js';

/** One polygon of a zone (a MultiPolygon gives several), with the zone it belongs to. */
export interface ZonePart {
  zone: ThreatZone;
  rings: [number, number][][];
}

/** Drawing order: advisory under danger under no-go, so the most severe outline is on top. */
const SEVERITY_ORDER: Record<ThreatZone['severity'], number> = { advisory: 0, danger: 1, 'no-go': 2 };

/** Zone polygons, the same array while the `threats` slice is unchanged. */
export const zoneParts = memoBySlice((threats: Record<string, ThreatZone>): ZonePart[] => {
  const parts: ZonePart[] = [];
  const zones = Object.values(threats).sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  for (const zone of zones) {
    const polys = zone.area.type === 'Polygon' ? [zone.area.coordinates] : zone.area.coordinates;
    for (const rings of polys) parts.push({ zone, rings: rings as [number, number][][] });
  }
  return parts;
});

/** Fill colour of a zone by severity. */
export function zoneFillColor(zone: Pick<ThreatZone, 'severity'>): RGBA {
  return SEVERITY_COLORS[zone.severity].fill;
}
/** Outline colour of a zone by severity. */
export function zoneLineColor(zone: Pick<ThreatZone, 'severity'>): RGBA {
  return SEVERITY_COLORS[zone.severity].line;
}

export function threatZoneProps(threats: Record<string, ThreatZone>): PolygonLayerProps<ZonePart> {
  return {
    id: 'threat-zones',
    data: zoneParts(threats),
    getPolygon: (p) => p.rings,
    getFillColor: (p) => zoneFillColor(p.zone),
    getLineColor: (p) => zoneLineColor(p.zone),
    getLineWidth: (p) => SEVERITY_LINE_PX[p.zone.severity],
    lineWidthUnits: 'pixels',
    stroked: true,
    filled: true,
    pickable: true,
  };
}

/** Where a zone's label goes: the mean of its outer ring's vertices (good enough for the convex shapes drawn here). */
export function labelPoint(zone: ThreatZone): [number, number] {
  const ring = zone.area.type === 'Polygon' ? zone.area.coordinates[0] : zone.area.coordinates[0][0];
  let lon = 0;
  let lat = 0;
  const n = ring.length > 1 ? ring.length - 1 : ring.length; // the closing vertex repeats the first
  for (let i = 0; i < n; i++) {
    lon += ring[i][0];
    lat += ring[i][1];
  }
  return [lon / n, lat / n];
}

/** Zones as an array, the same array while the `threats` slice is unchanged. */
export const zoneList = memoBySlice((threats: Record<string, ThreatZone>) => Object.values(threats));

/**
 * Zone label text: severity in capitals, then the analyst's label, in `w`'s language.
 * @example zoneLabel({ severity: 'no-go', label: 'Bridge collapse' }, words) // 'NO-GO · Bridge collapse'
 */
export function zoneLabel(zone: Pick<ThreatZone, 'severity' | 'label' | 'id'>, w: Words): string {
  return w.t('label.zone', { severity: w.t(SEVERITY_WORDS[zone.severity].tag), label: zone.label ?? zone.id });
}

/** Font of zone labels at scale 1. */
export const THREAT_LABEL_FONT: LabelFont = { sizePx: 13, weight: 700, lineHeight: 1 };

/**
 * Wordings of a zone's label, fullest first; the shortest still names the severity, which a label must
 * never lose.
 * @example zoneLabelTexts({ severity: 'no-go', label: 'Bridge collapse', id: 'tz-1' }, words) // ['NO-GO · Bridge collapse', 'NO-GO']
 */
export function zoneLabelTexts(zone: Pick<ThreatZone, 'severity' | 'label' | 'id'>, w: Words): string[] {
  return [zoneLabel(zone, w), w.t(SEVERITY_WORDS[zone.severity].tag)];
}

// Field reports as deck.gl layer props (client/src/layers, issue 15): a ring per report at its point,
// coloured by kind; hollow while unverified, filled once an analyst confirmed it; dismissed ones are not drawn.
import type { ScatterplotLayerProps } from '@deck.gl/layers';
import type { Report, ReportKind } from '@corridor/protocol';
import { memoBySlice } from './memo.js';
import type { RGBA } from './palette.js';

/** A colour per kind: what blocks movement red, checkpoints amber, needs blue, people violet, notes grey. */
export const REPORT_COLORS: Record<ReportKind, RGBA> = {
  'road-blocked': [220, 38, 38, 255],
  incident: [220, 38, 38, 255],
  checkpoint: [245, 158, 11, 255],
  needs: [59, 130, 246, 255],
  displaced: [167, 139, 250, 255],
  note: [148, 163, 184, 255],
};

/** The reports drawn: all but dismissed ones, the same array while the `reports` slice is unchanged. */
export const reportList = memoBySlice((reports: Record<string, Report>): Report[] => Object.values(reports).filter((r) => r.status !== 'dismissed'));

export function reportProps(reports: Record<string, Report>, scale: number): ScatterplotLayerProps<Report> {
  return {
    id: 'field-reports',
    data: reportList(reports),
    getPosition: (r) => r.at,
    getRadius: 7 * scale,
    radiusUnits: 'pixels',
    stroked: true,
    filled: true,
    getLineWidth: 3 * scale,
    lineWidthUnits: 'pixels',
    getLineColor: (r) => REPORT_COLORS[r.kind],
    // Hollow (dark centre) while nobody has verified it.
    getFillColor: (r) => (r.status === 'confirmed' ? REPORT_COLORS[r.kind] : [15, 23, 32, 220]),
    pickable: true,
  };
}

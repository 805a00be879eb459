// Hover details (client/src/layers): text for the object under the pointer, by the layer it belongs to.
import type { Convoy, Corridor, Flow, Haven, Report, RouteLeg, Site, Unit } from '@corridor/protocol';
import type { DensityCell } from './density-layers.js';
import { flowLengthM, placedAtArea, siteTrendText } from './site-layers.js';
import type { ConvoyMark, RoutePath } from './corridor-layers.js';
import type { CheckpointMark, ProposalPath } from './proposal-layers.js';
import { corridorStatusText } from './corridor-layers.js';
import type { ZonePart } from './threat-layers.js';
import type { ConstraintArea, ConstraintLine, NetworkRoadLine } from './constraint-layers.js';
import type { MessageKey } from '@corridor/protocol/i18n';
import { accessCategoryWord, AFFILIATION_WORDS, CONVOY_STATE_WORDS, counted, HAVEN_STATUS_WORDS, reportLines, SEVERITY_WORDS, type Words } from './words.js';

/**
 * Tooltip text for a picked object in `w`'s language, or null for layers without one. A corridor's reason is
 * worded by `reasonOf` (from its structured `why`, ui/format.ts), else the server's English sentence.
 * @example tooltipText('havens-icons', { name: 'Ullevi', occupancy: 340, capacity: 500, status: 'open' }, words) // 'Ullevi — OPEN\n340 / 500 people (68%)'
 */
export function tooltipText(layerId: string, object: unknown, w: Words, reasonOf: (corridor: Corridor) => string = (c) => c.reason): string | null {
  switch (layerId) {
    case 'units-symbols': {
      const u = object as Unit;
      const affiliation = w.t(u.affiliation ? AFFILIATION_WORDS[u.affiliation].adjective : 'affiliation.unknown');
      const lines = [w.t('tooltip.unit', { name: w.isolate(u.callsign ?? u.unitId), affiliation }), w.t('tooltip.lastReport', { time: w.fmt.utcTime(u.timeMs) })];
      if (u.speed !== undefined) {
        const speed = w.fmt.speed(u.speed);
        lines.push(u.heading !== undefined ? w.t('tooltip.speedHeading', { speed, heading: w.fmt.degrees(u.heading) }) : speed);
      }
      return lines.join('\n');
    }
    case 'threat-zones': {
      const { zone } = object as ZonePart;
      const lines = [w.t('tooltip.zone', { severity: w.t(SEVERITY_WORDS[zone.severity].tag), label: w.isolate(zone.label ?? zone.id) })];
      if (zone.source) lines.push(w.t('tooltip.source', { source: w.isolate(zone.source) }));
      if (zone.validUntilMs) lines.push(w.t('tooltip.validUntil', { time: w.fmt.utcTime(zone.validUntilMs) }));
      return lines.join('\n');
    }
    case 'havens-icons': {
      const h = object as Haven;
      const title = w.t('tooltip.havenTitle', { name: w.isolate(h.name), status: w.t(HAVEN_STATUS_WORDS[h.status]) });
      const percent = w.fmt.percent(h.capacity > 0 ? h.occupancy / h.capacity : 1);
      const figures = w.t('tooltip.havenFigures', { count: h.capacity, occupancy: w.fmt.number(h.occupancy), capacity: w.fmt.number(h.capacity), percent });
      return `${title}\n${figures}`;
    }
    case 'constraint-lines':
    case 'constraint-areas': {
      const c = (object as ConstraintLine | ConstraintArea).constraint;
      const lines = [w.t('tooltip.constraint', { status: w.t(`accessStatus.${c.status}` as MessageKey), category: w.t(accessCategoryWord(c.category)) })];
      if (c.reason) lines.push(w.isolate(c.reason));
      lines.push(w.t('tooltip.verified', { who: w.isolate(c.verifiedBy ?? '—'), time: w.fmt.utcTime(Date.parse(c.verifiedAt)) }));
      if (c.validUntil) lines.push(w.t('tooltip.validUntil', { time: w.fmt.utcTime(Date.parse(c.validUntil)) }));
      return lines.join('\n');
    }
    case 'network-roads': {
      const { road } = object as NetworkRoadLine;
      const lines = [w.t('tooltip.networkRoad', { status: w.t(`accessStatus.${road.status}` as MessageKey) })];
      if (road.reason) lines.push(w.isolate(road.reason));
      if (road.practicability) lines.push(w.t('tooltip.practicability', { value: w.isolate(road.practicability.replace(/_/g, ' ')) }));
      if (road.source) lines.push(w.t('tooltip.source', { source: w.isolate(road.source) }));
      if (road.verifiedAt) lines.push(w.t('tooltip.lastEdited', { time: w.fmt.day(road.verifiedAt.slice(0, 10)) }));
      return lines.join('\n');
    }
    case 'field-reports':
      return reportLines(object as Report, w).join('\n');
    case 'sites-circles':
      return siteLines(object as Site, w).join('\n');
    case 'flows-lines':
    case 'flows-arrows': {
      const f = object as Flow;
      const source = f.source !== undefined ? w.isolate(f.source) : w.t('side.sourceWithheld');
      return [w.t('displacement.flow', { ...counted(w, f.people), distance: w.fmt.distance(flowLengthM(f)) }), w.t('displacement.flowReported', { date: w.fmt.day(f.date), source })].join('\n');
    }
    case 'displacement-density': {
      const cell = object as DensityCell;
      return [w.t('displacement.densityCell', counted(w, Math.round(cell.colorValue))), w.t('displacement.densitySites', counted(w, cell.count))].join('\n');
    }
    case 'corridors-best':
    case 'corridors-alternatives': {
      const r = object as RoutePath;
      return [convoyTitle(r.convoy, w), ...routeFigures(r.leg, r.rank, w)].join('\n');
    }
    case 'corridors-unsafe': {
      const r = object as RoutePath;
      return [convoyTitle(r.convoy, w), w.t('tooltip.unsafe'), ...routeFigures(r.leg, r.rank, w)].join('\n');
    }
    case 'reroute-proposals': {
      const r = object as ProposalPath;
      const lines = [convoyTitle(r.convoy, w), w.t('tooltip.proposed', { n: w.fmt.number(r.rank + 1) }), ...routeFigures(r.route, r.rank, w)];
      return lines.join('\n');
    }
    case 'convoys-markers': {
      const m = object as ConvoyMark;
      const reason = m.corridor ? reasonOf(m.corridor) : '';
      const best = m.corridor?.status === 'ok' ? m.corridor.routes[0] : undefined;
      const lines = [convoyTitle(m.convoy, w), corridorStatusText(m.corridor, w), ...(best ? routeFigures(best, 0, w) : [])];
      if (reason) lines.push(reason);
      return lines.join('\n');
    }
    case 'convoy-checkpoints': {
      const m = object as CheckpointMark;
      const name = m.end === 'origin' ? w.t('track.origin') : m.end === 'destination' && !m.name ? w.t('track.destination') : w.isolate(m.name);
      const lines = [w.t('tooltip.checkpoint', { name }), convoyTitle(m.convoy, w)];
      if (m.passedMs !== undefined) lines.push(w.t('tooltip.checkpointPassed', { time: w.fmt.utcTime(m.passedMs) }));
      return lines.join('\n');
    }
    default:
      return null;
  }
}

/**
 * A site in lines: its name, its figure with source and date, its trend since the previous figure, and, when it was
 * placed at its admin area's centre, that its exact location is not known (issue 17).
 * @example siteLines(site, words) // ['Ouest', '1,059,849 displaced (IOM DTM, 30 Nov 2010)', '▲ +12,000 since 30 Oct 2010', 'placed at the centre of Ouest (HT01): exact location not known']
 */
export function siteLines(s: Site, w: Words): string[] {
  const source = s.source !== undefined ? w.isolate(s.source) : w.t('side.sourceWithheld');
  const lines = [w.isolate(s.name), w.t('tooltip.site', { ...counted(w, s.population), source, date: w.fmt.day(s.date) })];
  const trend = siteTrendText(s, w);
  if (trend) lines.push(trend);
  if (placedAtArea(s)) lines.push(placedText(s, w));
  return lines;
}

/** Where a site placed at its area's centre stands, in words: the area's name and P-code as known. */
export function placedText(s: Pick<Site, 'admin' | 'pcode'>, w: Words): string {
  const area = s.admin && s.pcode ? `${w.isolate(s.admin)} (${w.isolate(s.pcode)})` : s.admin || s.pcode ? w.isolate((s.admin || s.pcode)!) : null;
  return area ? w.t('displacement.placedArea', { area }) : w.t('displacement.placedAreaUnnamed');
}

/** A convoy's name (isolated) and its state in capitals: "EVAC BLUE — MOVING". */
function convoyTitle(convoy: Pick<Convoy, 'name' | 'state'>, w: Words): string {
  return w.t('tooltip.convoyTitle', { name: w.isolate(convoy.name), state: w.t(CONVOY_STATE_WORDS[convoy.state]) });
}

/**
 * The figures of one route of a corridor, in two lines: which route it is with its distance and duration, then
 * its length inside danger zones and how far the nearest no-go or danger zone is (none within the router's
 * horizon when `min_clearance_m` is null).
 * @example routeFigures({ distance_m: 12400, duration_s: 840, exposure_m: 0, min_clearance_m: 300, coordinates: [] }, 0, words)
 *   // ['best route: 12.4 km, 14 min', 'outside every danger zone · nearest no-go or danger zone 300 m away']
 */
export function routeFigures(leg: RouteLeg, rank: number, w: Words): string[] {
  const figures = { distance: w.fmt.distance(leg.distance_m), duration: w.fmt.duration(leg.duration_s) };
  const which = rank === 0 ? w.t('tooltip.bestRoute', figures) : w.t('tooltip.alternative', { ...figures, rank: w.fmt.number(rank) });
  const exposure = leg.exposure_m > 0 ? w.t('tooltip.exposure', { distance: w.fmt.distance(leg.exposure_m) }) : w.t('tooltip.noExposure');
  const clearance = leg.min_clearance_m === null ? w.t('tooltip.noZoneNear') : w.t('tooltip.clearance', { distance: w.fmt.distance(leg.min_clearance_m) });
  return [which, `${exposure} · ${clearance}`];
}

/**
 * Where a tooltip goes for a pointer at (x, y) in a map `width`×`height` CSS pixels: beside the pointer,
 * towards the middle of the map, so that it never runs past the map's edge (the side panel, the screen),
 * and at most half the map wide.
 * @example tooltipPlacement(900, 100, 1000, 800).transform // 'translate(900px, 100px) translate(calc(-100% - 14px), 14px)'
 */
export function tooltipPlacement(x: number, y: number, width: number, height: number): Record<string, string> {
  const left = width > 0 && x > width / 2;
  const up = height > 0 && y > height / 2;
  return {
    transform: `translate(${Math.round(x)}px, ${Math.round(y)}px) translate(${left ? 'calc(-100% - 14px)' : '14px'}, ${up ? 'calc(-100% - 14px)' : '14px'})`,
    maxWidth: `${Math.max(200, Math.floor(width / 2) - 20)}px`,
  };
}

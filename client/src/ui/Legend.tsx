// Map legend (client/src/ui): symbols and colours drawn from the same palette and icons as the layers; convoy samples in several convoy colours, one per convoy on the map.
// The wall shows only the entries of what is on its map (`only`, from wall/legend-presence.ts).
import { REPORT_COLORS } from '../layers/report-layers.js';
import { ACCESS_STATUS_COLORS } from '../layers/constraint-layers.js';
import { useWords } from '../i18n/use-words.js';
import { arrowIcon, havenIcon, unitIcon } from '../layers/icons.js';
import { CORRIDOR_LOOKS, lookColor } from '../layers/convoy-look.js';
import { AFFILIATION_SYMBOL, HOSTILE_SIDC, NEUTRAL_SIDC, UNKNOWN_SIDC, CONVOY_PALETTE, SEVERITY_COLORS, type RGBA } from '../layers/palette.js';
import { AFFILIATION_WORDS, SEVERITY_WORDS } from '../layers/words.js';
import { TRAIL_COLOR } from '../layers/proposal-layers.js';
import { useStore } from 'zustand';
import { networkRoads } from '../state/network-roads.js';
import { DisplacementLegend } from './DisplacementLegend.js';

const rgba = ([r, g, b, a]: RGBA) => `rgba(${r},${g},${b},${(a / 255).toFixed(2)})`;

/** The convoy colours a sample shows: the first four of the palette. */
const SAMPLE = CONVOY_PALETTE.slice(0, 4).map((c) => c.hex);

/**
 * A CSS background of segments in turn, each `dash` % long then `gap` % empty: solid bands of several
 * convoy colours (gap 0), or a dashed line whose dashes take the colours in turn.
 * @example segments(['#fff', '#000'], 50, 0) // 'linear-gradient(90deg, #fff 0% 50%, #000 50% 100%)'
 */
function segments(colors: readonly string[], dash: number, gap: number): string {
  const stops: string[] = [];
  colors.forEach((c, i) => {
    const at = i * (dash + gap);
    stops.push(`${c} ${at}% ${at + dash}%`);
    if (gap > 0) stops.push(`transparent ${at + dash}% ${at + dash + gap}%`);
  });
  return `linear-gradient(90deg, ${stops.join(', ')})`;
}

const HOLDING = SAMPLE.map((hex) => rgba(lookColor(hex, CORRIDOR_LOOKS.holding)));
const ALTERNATIVE = SAMPLE.map((hex) => rgba(lookColor(hex, CORRIDOR_LOOKS.moving, 160)));
const NOT_MOVING = SAMPLE.map((hex) => rgba(lookColor(hex, CORRIDOR_LOOKS.notMoving)));

/** The legend's entries that may be left out: the unit symbols and everything drawn only when present. */
export type LegendEntry =
  | 'military'
  | 'humanitarian'
  | 'civil'
  | 'hostile'
  | 'neutral'
  | 'unknown'
  | 'stale'
  | 'heading'
  | 'haven'
  | 'sites'
  | 'flow'
  | 'best'
  | 'alternative'
  | 'notMoving'
  | 'holding'
  | 'trail'
  | 'constraintClosed'
  | 'constraintRestricted'
  | 'report'
  | 'noRoute';

/** `large`: the wall's size; `only`: the entries to show (the zone severities always show); all when absent. */
export function Legend({ large = false, only }: { large?: boolean; only?: ReadonlySet<LegendEntry> }) {
  const w = useWords();
  const show = (entry: LegendEntry) => !only || only.has(entry);
  // Roads tagged by the network's assessment, when the loaded network has any.
  const tagged = {
    closed: useStore(networkRoads, (s) => s.roads.some((r) => r.status === 'closed')),
    restricted: useStore(networkRoads, (s) => s.roads.some((r) => r.status === 'restricted')),
  };
  return (
    <section className={`legend${large ? ' legend-large' : ''}`} data-testid="legend" aria-label={w.t('legend.title')}>
      <h2>{w.t('legend.title')}</h2>
      <ul>
        {(Object.keys(AFFILIATION_SYMBOL) as (keyof typeof AFFILIATION_SYMBOL)[]).filter(show).map((a) => (
          <li key={a} data-entry={a}>
            <img className="legend-sym" src={unitIcon(AFFILIATION_SYMBOL[a], false).url} alt="" />
            {w.t(AFFILIATION_WORDS[a].legend)}
          </li>
        ))}
        {show('hostile') && (
          <li data-entry="hostile">
            <img className="legend-sym" src={unitIcon(HOSTILE_SIDC, false).url} alt="" />
            {w.t('legend.hostile')}
          </li>
        )}
        {show('neutral') && (
          <li data-entry="neutral">
            <img className="legend-sym" src={unitIcon(NEUTRAL_SIDC, false).url} alt="" />
            {w.t('legend.neutral')}
          </li>
        )}
        {show('unknown') && (
          <li data-entry="unknown">
            <img className="legend-sym" src={unitIcon(UNKNOWN_SIDC, false).url} alt="" />
            {w.t('legend.unknown')}
          </li>
        )}
        {show('stale') && (
          <li data-entry="stale">
            <img className="legend-sym" src={unitIcon(AFFILIATION_SYMBOL.humanitarian, true).url} alt="" />
            {w.t('legend.stale')}
          </li>
        )}
        {show('heading') && (
          <li data-entry="heading">
            <img className="legend-arrow" src={arrowIcon('#f8fafc', 'arrow:live').url} alt="" />
            {w.t('legend.heading')}
          </li>
        )}
        {(Object.keys(SEVERITY_COLORS) as (keyof typeof SEVERITY_COLORS)[]).map((s) => (
          <li key={s}>
            <span className="legend-swatch" style={{ background: rgba(SEVERITY_COLORS[s].fill), borderColor: rgba(SEVERITY_COLORS[s].line) }} />
            {w.t(SEVERITY_WORDS[s].name)}
          </li>
        ))}
        {show('haven') && (
          <li data-entry="haven">
            <img className="legend-haven" src={havenIcon('open', 6).url} alt="" />
            {w.t('legend.haven')}
          </li>
        )}
        {show('sites') && (
          <li data-entry="sites">
            <span className="legend-site" />
            {w.t('legend.sites')}
          </li>
        )}
        {show('flow') && (
          <li data-entry="flow">
            <span className="legend-flow" />
            {w.t('legend.flow')}
          </li>
        )}
        {show('sites') && <DisplacementLegend interactive={!large} />}
        {show('best') && (
          <li data-entry="best">
            <span className="legend-route best" style={{ background: segments(SAMPLE, 25, 0) }} />
            {w.t('legend.best')}
          </li>
        )}
        {show('alternative') && (
          <li data-entry="alternative">
            <span className="legend-route alt" style={{ backgroundImage: segments(ALTERNATIVE, 16, 9) }} />
            {w.t('legend.alternative')}
          </li>
        )}
        {show('notMoving') && (
          <li data-entry="notMoving">
            <span className="legend-route not-moving" style={{ background: segments(NOT_MOVING, 25, 0) }} />
            {w.t('legend.notMoving')}
          </li>
        )}
        {show('holding') && (
          <li data-entry="holding">
            <span className="legend-route holding" style={{ backgroundImage: segments(HOLDING, 15, 10) }} />
            {w.t('legend.holding')}
          </li>
        )}
        {show('trail') && (
          <li data-entry="trail">
            <span className="legend-route trail" style={{ background: segments(SAMPLE, 25, 0) }}>
              <span style={{ backgroundImage: segments(Array(8).fill(rgba(TRAIL_COLOR)), 5, 7.5) }} />
            </span>
            {w.t('legend.trail')}
          </li>
        )}
        {show('constraintClosed') && (
          <li data-entry="constraintClosed">
            <span className="legend-constraint" style={{ background: rgba(ACCESS_STATUS_COLORS.closed) }} />
            {w.t('legend.constraintClosed')}
          </li>
        )}
        {show('constraintRestricted') && (
          <li data-entry="constraintRestricted">
            <span className="legend-constraint" style={{ background: rgba(ACCESS_STATUS_COLORS.restricted) }} />
            {w.t('legend.constraintRestricted')}
          </li>
        )}
        {tagged.closed && (
          <li>
            <span className="legend-constraint legend-road" style={{ background: rgba([...ACCESS_STATUS_COLORS.closed.slice(0, 3), 200] as RGBA) }} />
            {w.t('legend.roadClosed')}
          </li>
        )}
        {tagged.restricted && (
          <li>
            <span className="legend-constraint legend-road" style={{ background: rgba([...ACCESS_STATUS_COLORS.restricted.slice(0, 3), 200] as RGBA) }} />
            {w.t('legend.roadRestricted')}
          </li>
        )}
        {show('report') && (
          <li data-entry="report">
            <span className="legend-report" style={{ borderColor: rgba(REPORT_COLORS.incident) }} />
            {w.t('legend.report')}
          </li>
        )}
        {show('noRoute') && (
          <li data-entry="noRoute">
            <span className="legend-noroute">{w.t('corridor.noSafeRoute')}</span>
            {w.t('legend.noRoute')}
          </li>
        )}
      </ul>
    </section>
  );
}

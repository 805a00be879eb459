// The printed map of the movement paperwork (client/src/paperwork, issue 18): the route, its checkpoints and hold
// points, havens and threat zones drawn as SVG, so it prints (a WebGL canvas often prints blank) and reads in black
// and white: zones are hatched and outlined, not only coloured; the map never mirrors in Arabic.
import type { ThreatZone } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { mapFrame, scaleBarMetres } from './paperwork-view.js';
import { useBasemapImage } from './use-basemap-image.js';

type Pos = [number, number];

export interface PaperMapProps {
  route: readonly Pos[];
  checkpoints?: readonly { name: string; at: Pos; hold?: boolean; n?: number }[];
  havens?: readonly { id: string; name: string; at: Pos; destination?: boolean }[];
  zones?: readonly ThreatZone[];
  /** Drawing size in CSS pixels (the SVG scales to its box). */
  width?: number;
  height?: number;
  testId?: string;
  /** Draw the road network under it (the server's basemap), default true. */
  basemap?: boolean;
}

/** Hatch pattern and outline per severity: no-go cross-hatched and solid, danger hatched and dashed, advisory dotted. */
const ZONE_LOOK: Record<ThreatZone['severity'], { fill: string; stroke: string; dash?: string; width: number }> = {
  'no-go': { fill: 'url(#pw-hatch-nogo)', stroke: '#b00020', width: 2 },
  danger: { fill: 'url(#pw-hatch-danger)', stroke: '#c25400', dash: '6 3', width: 1.6 },
  advisory: { fill: 'none', stroke: '#555', dash: '2 3', width: 1.2 },
};

/** An SVG path of a zone's rings (even-odd, so holes stay open). */
function zonePath(zone: ThreatZone, project: (p: Pos) => Pos): string {
  const polygons = zone.area.type === 'Polygon' ? [zone.area.coordinates as Pos[][]] : (zone.area.coordinates as Pos[][][]);
  return polygons
    .flat()
    .map((ring) => ring.map((p, i) => `${i ? 'L' : 'M'}${project(p).map((v) => v.toFixed(1)).join(' ')}`).join('') + 'Z')
    .join('');
}

/** The route's map: nothing but SVG, so `page.pdf()` and a printer see exactly what the screen shows. */
export function PaperMap({ route, checkpoints = [], havens = [], zones = [], width = 720, height = 380, testId = 'paper-map', basemap = true }: PaperMapProps) {
  const w = useWords();
  const frame = mapFrame([...route, ...checkpoints.map((c) => c.at), ...havens.filter((h) => h.destination).map((h) => h.at)], width, height);
  const roads = useBasemapImage(basemap && route.length > 0 ? frame.center : null, frame.zoom, width, height);
  const project = (p: Pos) => frame.project(p);
  const line = route.map((p, i) => `${i ? 'L' : 'M'}${project(p).map((v) => v.toFixed(1)).join(' ')}`).join('');
  const bar = scaleBarMetres(frame.metresPerUnit * width * 0.25);
  const barUnits = bar / frame.metresPerUnit;
  const start = route[0];
  const end = route[route.length - 1];
  return (
    <svg
      className="paper-map"
      data-testid={testId}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="xMidYMid meet"
      role="img"
      aria-label={w.t('paperwork.notice.route')}
      data-basemap={roads.state}
      direction="ltr"
    >
      <defs>
        <pattern id="pw-hatch-nogo" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <path d="M0 0V8M4 0V8" stroke="#b00020" strokeWidth="1.2" />
          <path d="M0 4H8" stroke="#b00020" strokeWidth="0.8" />
        </pattern>
        <pattern id="pw-hatch-danger" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <path d="M0 0V8" stroke="#c25400" strokeWidth="1" />
        </pattern>
        <clipPath id="pw-frame">
          <rect x="0" y="0" width={width} height={height} />
        </clipPath>
      </defs>
      <rect x="0.5" y="0.5" width={width - 1} height={height - 1} fill="#fff" stroke="#000" strokeWidth="1" />
      <g clipPath="url(#pw-frame)">
        {roads.url && <image href={roads.url} x="0" y="0" width={width} height={height} preserveAspectRatio="none" />}
        {zones.map((z) => {
          const look = ZONE_LOOK[z.severity];
          return (
            <path
              key={z.id}
              data-zone={z.id}
              d={zonePath(z, project)}
              fill={look.fill}
              fillRule="evenodd"
              stroke={look.stroke}
              strokeWidth={look.width}
              strokeDasharray={look.dash}
            />
          );
        })}
        {/* The route: a white casing under a black line, legible on any printer. */}
        <path d={line} fill="none" stroke="#fff" strokeWidth="7" strokeLinejoin="round" strokeLinecap="round" />
        <path d={line} fill="none" stroke="#000" strokeWidth="3.5" strokeLinejoin="round" strokeLinecap="round" data-testid={`${testId}-route`} />
        {havens.map((h) => {
          const [x, y] = project(h.at);
          return (
            <g key={h.id} data-haven={h.id}>
              <path d={`M${x} ${y - 9}L${x + 8} ${y + 6}H${x - 8}Z`} fill={h.destination ? '#000' : '#fff'} stroke="#000" strokeWidth="1.5" />
              <text x={x + 11} y={y + 4} className="pm-label">
                {h.name}
              </text>
            </g>
          );
        })}
        {start && (
          <g>
            <circle cx={project(start)[0]} cy={project(start)[1]} r="6" fill="#fff" stroke="#000" strokeWidth="2.5" />
          </g>
        )}
        {end && (
          <g>
            <rect x={project(end)[0] - 6} y={project(end)[1] - 6} width="12" height="12" fill="#000" />
          </g>
        )}
        {checkpoints.map((c, i) => {
          const [x, y] = project(c.at);
          const label = w.fmt.number(c.n ?? i + 1);
          return (
            <g key={`${c.name}-${i}`} data-checkpoint={c.name}>
              {c.hold ? (
                <rect x={x - 8} y={y - 8} width="16" height="16" transform={`rotate(45 ${x} ${y})`} fill="#fff" stroke="#000" strokeWidth="2" />
              ) : (
                <circle cx={x} cy={y} r="8" fill="#fff" stroke="#000" strokeWidth="1.5" />
              )}
              <text x={x} y={y + 3.5} textAnchor="middle" className="pm-num">
                {label}
              </text>
            </g>
          );
        })}
      </g>
      {/* North arrow and scale bar, bottom corners. */}
      <g transform={`translate(${width - 26} 30)`}>
        <path d="M0 -16L7 6L0 1L-7 6Z" fill="#000" />
        <text x="0" y="20" textAnchor="middle" className="pm-label">
          {w.t('paperwork.legend.north')}
        </text>
      </g>
      {roads.url && (
        <text x={width - 6} y={height - 6} textAnchor="end" className="pm-credit">
          {w.t('paperwork.legend.osm')}
        </text>
      )}
      <rect x="0.5" y="0.5" width={width - 1} height={height - 1} fill="none" stroke="#000" strokeWidth="1" />
      {bar > 0 && (
        <g transform={`translate(14 ${height - 16})`}>
          <rect x="0" y="-4" width={barUnits} height="5" fill="#000" />
          <rect x={barUnits / 2} y="-4" width={barUnits / 2} height="5" fill="#fff" stroke="#000" strokeWidth="1" />
          <text x={barUnits + 6} y="1" className="pm-label">
            {w.fmt.distance(bar)}
          </text>
        </g>
      )}
    </svg>
  );
}

/** The map's key, as HTML so it flows in the page's direction. */
export function PaperMapLegend({ zones = [], havens = false }: { zones?: readonly ThreatZone['severity'][]; havens?: boolean }) {
  const w = useWords();
  return (
    <ul className="paper-legend">
      <li>
        <svg width="26" height="10" aria-hidden="true">
          <path d="M1 5H25" stroke="#000" strokeWidth="3.5" />
        </svg>
        {w.t('paperwork.legend.route')}
      </li>
      <li>
        <svg width="12" height="12" aria-hidden="true">
          <circle cx="6" cy="6" r="4.5" fill="#fff" stroke="#000" strokeWidth="2" />
        </svg>
        {w.t('paperwork.legend.start')}
      </li>
      <li>
        <svg width="12" height="12" aria-hidden="true">
          <rect x="1" y="1" width="10" height="10" fill="#000" />
        </svg>
        {w.t('paperwork.legend.end')}
      </li>
      <li>
        <svg width="14" height="14" aria-hidden="true">
          <circle cx="7" cy="7" r="6" fill="#fff" stroke="#000" strokeWidth="1.5" />
        </svg>
        {w.t('paperwork.legend.checkpoint')}
      </li>
      <li>
        <svg width="16" height="16" aria-hidden="true">
          <rect x="3" y="3" width="10" height="10" transform="rotate(45 8 8)" fill="#fff" stroke="#000" strokeWidth="2" />
        </svg>
        {w.t('paperwork.legend.hold')}
      </li>
      {havens && (
        <li>
          <svg width="16" height="14" aria-hidden="true">
            <path d="M8 1L15 13H1Z" fill="#fff" stroke="#000" strokeWidth="1.5" />
          </svg>
          {w.t('paperwork.legend.haven')}
        </li>
      )}
      {(['no-go', 'danger', 'advisory'] as const)
        .filter((s) => zones.includes(s))
        .map((s) => (
          <li key={s}>
            <svg width="22" height="14" aria-hidden="true">
              <defs>
                <pattern id={`pw-key-${s}`} width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                  {s !== 'advisory' && <path d="M0 0V5" stroke={ZONE_LOOK[s].stroke} strokeWidth="1" />}
                  {s === 'no-go' && <path d="M0 2.5H5" stroke={ZONE_LOOK[s].stroke} strokeWidth="0.8" />}
                </pattern>
              </defs>
              <rect x="1" y="1" width="20" height="12" fill={s === 'advisory' ? 'none' : `url(#pw-key-${s})`} stroke={ZONE_LOOK[s].stroke} strokeWidth="1.5" strokeDasharray={ZONE_LOOK[s].dash} />
            </svg>
            {w.t(s === 'no-go' ? 'severity.noGo.name' : s === 'danger' ? 'severity.danger.name' : 'severity.advisory.name')}
          </li>
        ))}
    </ul>
  );
}

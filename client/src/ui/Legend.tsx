// Map legend (client/src/ui): symbols and colours drawn from the same palette and icons as the layers.
import { arrowIcon, havenIcon, unitIcon } from '../layers/icons.js';
import { AFFILIATION_LABELS, AFFILIATION_SIDC, SEVERITY_COLORS, type RGBA } from '../layers/palette.js';

const rgba = ([r, g, b, a]: RGBA) => `rgba(${r},${g},${b},${(a / 255).toFixed(2)})`;

export function Legend({ large = false }: { large?: boolean }) {
  return (
    <section className={`legend${large ? ' legend-large' : ''}`} data-testid="legend" aria-label="Legend">
      <h2>Legend</h2>
      <ul>
        {(Object.keys(AFFILIATION_SIDC) as (keyof typeof AFFILIATION_SIDC)[]).map((a) => (
          <li key={a}>
            <img className="legend-sym" src={unitIcon(AFFILIATION_SIDC[a], false).url} alt="" />
            {AFFILIATION_LABELS[a]}
          </li>
        ))}
        <li>
          <img className="legend-sym" src={unitIcon(AFFILIATION_SIDC.humanitarian, true).url} alt="" />
          Stale unit (no report)
        </li>
        <li>
          <img className="legend-arrow" src={arrowIcon('#f8fafc', 'arrow:live').url} alt="" />
          Heading
        </li>
        {(Object.keys(SEVERITY_COLORS) as (keyof typeof SEVERITY_COLORS)[]).map((s) => (
          <li key={s}>
            <span className="legend-swatch" style={{ background: rgba(SEVERITY_COLORS[s].fill), borderColor: rgba(SEVERITY_COLORS[s].line) }} />
            {SEVERITY_COLORS[s].label}
          </li>
        ))}
        <li>
          <img className="legend-haven" src={havenIcon('open', 6).url} alt="" />
          Safe haven, occupancy bar
        </li>
        <li>
          <span className="legend-site" />
          Displaced people (area ∝ number)
        </li>
        <li>
          <span className="legend-flow" />
          Displacement flow
        </li>
        <li>
          <span className="legend-route best" />
          Convoy corridor, best route
        </li>
        <li>
          <span className="legend-route alt" />
          Alternative route
        </li>
        <li>
          <span className="legend-noroute">NO SAFE ROUTE</span>
          Convoy cannot move
        </li>
      </ul>
    </section>
  );
}

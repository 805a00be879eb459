// The legend's displacement entries (client/src/ui, issue 17): a site placed at its area's centre, the trend marks, and the density of displaced people with its switch and its colours.
import { useStore } from 'zustand';
import { useWords } from '../i18n/use-words.js';
import { DENSITY_COLORS, densityRadiusM } from '../layers/density-layers.js';
import type { RGBA } from '../layers/palette.js';
import { densityView, setDensity } from '../state/density.js';
import { usePicture } from '../state/hooks.js';
import '../displacement/displacement.css';

const rgba = ([r, g, b, a]: RGBA) => `rgba(${r},${g},${b},${(a / 255).toFixed(2)})`;
/** The density's colours, fewest to most people, as a CSS gradient running with the page's direction. */
const RAMP = `linear-gradient(to var(--ramp-end, right), ${DENSITY_COLORS.map(rgba).join(', ')})`;

/**
 * List items for the legend's list. `interactive` (the desk picture) adds the density's switch; the wall has no
 * controls and shows the density's colours only when opened with `?density=1`.
 */
export function DisplacementLegend({ interactive }: { interactive: boolean }) {
  const w = useWords();
  const on = useStore(densityView, (s) => s.on);
  const sites = usePicture((s) => s.picture.sites);
  const across = w.fmt.distance(2 * densityRadiusM(sites));
  return (
    <>
      <li>
        <span className="legend-site legend-site-area" />
        {w.t('displacement.legendArea')}
      </li>
      <li>
        <span className="legend-trend" aria-hidden="true">
          ↑↓
        </span>
        {w.t('displacement.legendTrend')}
      </li>
      {interactive && (
        <li>
          <label className="legend-toggle">
            <input type="checkbox" checked={on} onChange={(e) => setDensity(e.target.checked)} data-testid="density-toggle" />
            {w.t('displacement.densityToggle')}
          </label>
        </li>
      )}
      {on && (
        <li data-testid="density-legend">
          <span className="legend-density" style={{ background: RAMP }} />
          {w.t('displacement.legendDensity', { size: across })}
        </li>
      )}
    </>
  );
}

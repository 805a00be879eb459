// Map legend (client/src/ui): symbols and colours drawn from the same palette and icons as the layers.
import { useWords } from '../i18n/use-words.js';
import { arrowIcon, havenIcon, unitIcon } from '../layers/icons.js';
import { AFFILIATION_SIDC, SEVERITY_COLORS, type RGBA } from '../layers/palette.js';
import { AFFILIATION_WORDS, SEVERITY_WORDS } from '../layers/words.js';

const rgba = ([r, g, b, a]: RGBA) => `rgba(${r},${g},${b},${(a / 255).toFixed(2)})`;

export function Legend({ large = false }: { large?: boolean }) {
  const w = useWords();
  return (
    <section className={`legend${large ? ' legend-large' : ''}`} data-testid="legend" aria-label={w.t('legend.title')}>
      <h2>{w.t('legend.title')}</h2>
      <ul>
        {(Object.keys(AFFILIATION_SIDC) as (keyof typeof AFFILIATION_SIDC)[]).map((a) => (
          <li key={a}>
            <img className="legend-sym" src={unitIcon(AFFILIATION_SIDC[a], false).url} alt="" />
            {w.t(AFFILIATION_WORDS[a].legend)}
          </li>
        ))}
        <li>
          <img className="legend-sym" src={unitIcon(AFFILIATION_SIDC.humanitarian, true).url} alt="" />
          {w.t('legend.stale')}
        </li>
        <li>
          <img className="legend-arrow" src={arrowIcon('#f8fafc', 'arrow:live').url} alt="" />
          {w.t('legend.heading')}
        </li>
        {(Object.keys(SEVERITY_COLORS) as (keyof typeof SEVERITY_COLORS)[]).map((s) => (
          <li key={s}>
            <span className="legend-swatch" style={{ background: rgba(SEVERITY_COLORS[s].fill), borderColor: rgba(SEVERITY_COLORS[s].line) }} />
            {w.t(SEVERITY_WORDS[s].name)}
          </li>
        ))}
        <li>
          <img className="legend-haven" src={havenIcon('open', 6).url} alt="" />
          {w.t('legend.haven')}
        </li>
        <li>
          <span className="legend-site" />
          {w.t('legend.sites')}
        </li>
        <li>
          <span className="legend-flow" />
          {w.t('legend.flow')}
        </li>
        <li>
          <span className="legend-route best" />
          {w.t('legend.best')}
        </li>
        <li>
          <span className="legend-route alt" />
          {w.t('legend.alternative')}
        </li>
        <li>
          <span className="legend-noroute">{w.t('corridor.noSafeRoute')}</span>
          {w.t('legend.noRoute')}
        </li>
      </ul>
    </section>
  );
}

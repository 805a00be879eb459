// The side panel's displacement section (client/src/ui, issue 17): the sites, largest first, each with its trend since the previous figure and whether it stands at its area's centre; the import page for those who may post sites; the exports.
import { useWords } from '../i18n/use-words.js';
import { placedAtArea, siteList, siteTrend, siteTrendText } from '../layers/site-layers.js';
import { counted } from '../layers/words.js';
import { mayDo, useMe } from '../net/session.js';
import { usePicture } from '../state/hooks.js';
import '../displacement/displacement.css';

/** Sites listed before "and N more": an import of a country's camps would otherwise make the panel thousands of rows long. */
const LISTED = 50;

/** The displacement exports (HXL-tagged CSV, GeoJSON), as links the browser downloads. */
export function DisplacementExports() {
  const w = useWords();
  return (
    <span className="displacement-exports">
      {w.t('displacement.export')}
      <a className="button" href="/api/displacement/export.csv" download data-testid="displacement-csv">
        {w.t('displacement.exportCsv')}
      </a>
      <a className="button" href="/api/displacement/export.geojson" download data-testid="displacement-geojson">
        {w.t('displacement.exportGeojson')}
      </a>
    </span>
  );
}

export function DisplacementPanel() {
  const w = useWords();
  const sites = usePicture((s) => s.picture.sites);
  const me = useMe();
  const list = siteList(sites);
  const total = list.reduce((n, s) => n + s.population, 0);
  return (
    <section className="displacement" data-testid="displacement-panel">
      <h2>
        {w.t('side.sites')} <span className="count">{w.fmt.number(list.length)}</span>
      </h2>
      <p className="meta" data-testid="displaced-total">
        {w.t('side.displacedTotal', counted(w, total))}
      </p>
      <div className="displacement-actions">
        {mayDo(me, 'sites') && (
          <a className="button" href="/import" data-testid="displacement-import-link">
            {w.t('displacement.importLink')}
          </a>
        )}
        <DisplacementExports />
      </div>
      <ul className="sites">
        {list.slice(0, LISTED).map((s) => {
          const trend = siteTrend(s);
          return (
            <li key={s.id} data-testid={`site-${s.id}`}>
              <bdi className="name">{s.name}</bdi>{' '}
              <span className="meta">{w.t('side.siteMeta', { n: w.fmt.number(s.population), source: s.source !== undefined ? w.isolate(s.source) : w.t('side.sourceWithheld'), date: w.fmt.day(s.date) })}</span>
              {trend && (
                <div className={`trend trend-${trend.direction}`} data-testid={`site-trend-${s.id}`} data-direction={trend.direction} data-delta={trend.delta}>
                  {siteTrendText(s, w)}
                </div>
              )}
              {placedAtArea(s) && <div className="meta placed-area">{w.t('displacement.placedShort')}</div>}
            </li>
          );
        })}
      </ul>
      {list.length > LISTED && <p className="meta">{w.t('displacement.moreSites', counted(w, list.length - LISTED))}</p>}
    </section>
  );
}

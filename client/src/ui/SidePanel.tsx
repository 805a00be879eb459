// Side panel (client/src/ui): convoys with corridor status and latest re-route reason, threat zones, havens, sites.
import { convoyMarks, corridorStatusText } from '../layers/corridor-layers.js';
import { havenList } from '../layers/haven-layers.js';
import { siteList } from '../layers/site-layers.js';
import { SEVERITY_COLORS } from '../layers/palette.js';
import { occupancyColor } from '../layers/palette.js';
import { usePicture } from '../state/hooks.js';
import { corridorReason, deltaText, distanceText, durationText, utcClock } from './format.js';

const SEVERITY_RANK = { 'no-go': 0, danger: 1, advisory: 2 } as const;

export function SidePanel() {
  const convoys = usePicture((s) => s.picture.convoys);
  const corridors = usePicture((s) => s.picture.corridors);
  const threats = usePicture((s) => s.picture.threats);
  const havens = usePicture((s) => s.picture.havens);
  const sites = usePicture((s) => s.picture.sites);
  const picture = usePicture((s) => s.picture);
  // Blocked convoys first: they are what the operations centre must act on.
  const marks = [...convoyMarks(convoys, corridors)].sort((a, b) => Number(b.blocked) - Number(a.blocked) || a.convoy.name.localeCompare(b.convoy.name));
  const zones = Object.values(threats).sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const totalDisplaced = siteList(sites).reduce((n, s) => n + s.population, 0);
  return (
    <aside className="side" data-testid="side-panel">
      <section>
        <h2>
          Convoys <span className="count">{marks.length}</span>
        </h2>
        {marks.length === 0 && <p className="empty">No convoys planned.</p>}
        <ul className="convoys">
          {marks.map(({ convoy, corridor, blocked }) => {
            const best = corridor?.status === 'ok' ? corridor.routes[0] : undefined;
            return (
              <li key={convoy.id} className={blocked ? 'blocked' : ''} data-testid={`convoy-${convoy.id}`}>
                <div className="row">
                  <span className="name">{convoy.name}</span>
                  <span className={`state state-${convoy.state}`}>{convoy.state.toUpperCase()}</span>
                </div>
                <div className={`corridor-status ${blocked ? 'bad' : 'ok'}`}>
                  {corridorStatusText(corridor)}
                  {best && (
                    <span className="figures">
                      {' '}
                      · {distanceText(best.distance_m)} · {durationText(best.duration_s)}
                      {best.exposure_m > 0 ? ` · ${distanceText(best.exposure_m)} in danger` : ''}
                    </span>
                  )}
                  {blocked && corridor?.blockedBy?.length ? <span className="figures"> · cut by {corridor.blockedBy.join(', ')}</span> : null}
                </div>
                {corridor?.reason && (
                  <div className="reason">
                    <span className="when">{utcClock(corridor.computedMs)}</span> {corridorReason(corridor, picture)}
                    {corridor.deltaS ? <b> ({deltaText(corridor.deltaS)})</b> : null}
                  </div>
                )}
                {convoy.people ? <div className="meta">{convoy.people.toLocaleString('en-GB')} people · {convoy.vehicleClass.replace('_', ' ')}</div> : null}
              </li>
            );
          })}
        </ul>
      </section>
      <section>
        <h2>
          Threat zones <span className="count">{zones.length}</span>
        </h2>
        <ul className="zones">
          {zones.map((z) => (
            <li key={z.id}>
              <span className={`sev sev-${z.severity}`} style={{ borderColor: `rgb(${SEVERITY_COLORS[z.severity].line.slice(0, 3).join(',')})` }}>
                {z.severity.toUpperCase()}
              </span>
              <span className="zone-label">{z.label ?? z.id}</span>
              {z.source && <span className="meta"> · {z.source}</span>}
              {z.validUntilMs && <span className="meta"> · until {utcClock(z.validUntilMs)}</span>}
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h2>
          Safe havens <span className="count">{havenList(havens).length}</span>
        </h2>
        <ul className="havens">
          {havenList(havens).map((h) => {
            const frac = h.capacity > 0 ? h.occupancy / h.capacity : 1;
            return (
              <li key={h.id}>
                <div className="row">
                  <span className="name">{h.name}</span>
                  <span className={`hstatus hstatus-${h.status}`}>{h.status.toUpperCase()}</span>
                </div>
                <div className="bar" role="meter" aria-valuemin={0} aria-valuemax={h.capacity} aria-valuenow={h.occupancy}>
                  <span style={{ width: `${Math.min(100, frac * 100)}%`, background: occupancyColor(frac) }} />
                </div>
                <div className="meta">
                  {h.occupancy.toLocaleString('en-GB')} / {h.capacity.toLocaleString('en-GB')} ({Math.round(frac * 100)}%)
                </div>
              </li>
            );
          })}
        </ul>
      </section>
      <section>
        <h2>
          Displacement sites <span className="count">{siteList(sites).length}</span>
        </h2>
        <p className="meta">{totalDisplaced.toLocaleString('en-GB')} people displaced at known sites</p>
        <ul className="sites">
          {siteList(sites).map((s) => (
            <li key={s.id}>
              <span className="name">{s.name}</span> <span className="meta">{s.population.toLocaleString('en-GB')} · {s.source}, {s.date}</span>
            </li>
          ))}
        </ul>
      </section>
    </aside>
  );
}

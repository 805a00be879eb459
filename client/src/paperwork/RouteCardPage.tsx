// The route card, `/convoys/:id/card` (client/src/paperwork, issue 18): what a convoy leader carries, one or two A4
// pages made from the convoy's routed corridor: the map, the turns road by road, the checkpoints with the times the
// convoy should pass them, the havens and threat zones near the route (only what the sharing rules let this client
// see, since it holds nothing else), contacts and radio plan, what to do on an alert, and the route version it was
// made from. Re-rendered whenever the corridor changes.
import { useMemo } from 'react';
import { checkpointTimes, routeTurns, type Convoy, type Corridor, type Notice, type Picture, type RouteTurn } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { HAVEN_STATUS_WORDS, SEVERITY_WORDS, type Words } from '../layers/words.js';
import { useLiveConnection } from '../net/use-live-connection.js';
import { usePicture } from '../state/hooks.js';
import { useExercise } from '../ui/ExerciseMarks.js';
import { PaperMessage } from './NoticePage.js';
import { clocks, ltr, positionText } from './paper-words.js';
import { PaperMap, PaperMapLegend } from './PaperMap.js';
import { departureOf, havensNearRoute, knownZone, zonesNearRoute } from './paperwork-view.js';
import { usePaperwork } from './use-paperwork.js';
import './paperwork.css';
import { RouteExports } from '../ui/ExportLinks.js';

const TURN_WORDS: Record<RouteTurn['kind'], MessageKey> = {
  depart: 'paperwork.turn.depart',
  arrive: 'paperwork.turn.arrive',
  straight: 'paperwork.turn.straight',
  slight_left: 'paperwork.turn.slight_left',
  slight_right: 'paperwork.turn.slight_right',
  left: 'paperwork.turn.left',
  right: 'paperwork.turn.right',
  sharp_left: 'paperwork.turn.sharp_left',
  sharp_right: 'paperwork.turn.sharp_right',
  uturn: 'paperwork.turn.uturn',
};

/** The card itself: what is printed. */
export function RouteCardSheet({
  convoy,
  corridor,
  notice,
  picture,
  w,
  exercise,
}: {
  convoy: Convoy;
  corridor: Corridor;
  notice: Notice | undefined;
  picture: Pick<Picture, 'havens' | 'threats'>;
  w: Words;
  exercise: boolean;
}) {
  const leg = corridor.routes[0];
  const zone = knownZone(convoy.timeZone ?? notice?.window?.timeZone);
  const clock = clocks(w, zone);
  const departure = departureOf(convoy);
  const turns = useMemo(() => routeTurns(leg), [leg]);
  const stops = useMemo(
    () => checkpointTimes(leg, convoy.checkpoints ?? [], departure?.ms).map((c, i) => ({ ...c, n: i + 1 })).sort((a, b) => a.along_m - b.along_m),
    [leg, convoy.checkpoints, departure?.ms],
  );
  const havens = useMemo(() => havensNearRoute(picture.havens, leg.coordinates, corridor.havenId), [picture.havens, leg, corridor.havenId]);
  const zones = useMemo(() => zonesNearRoute(picture.threats, leg.coordinates), [picture.threats, leg]);
  const destinationHaven = corridor.havenId ? picture.havens[corridor.havenId] : undefined;
  const originName = notice?.origin.place ? w.isolate(notice.origin.place) : positionText(convoy.origin, w);
  const destinationName = destinationHaven
    ? w.isolate(destinationHaven.name)
    : notice?.destination.place
      ? w.isolate(notice.destination.place)
      : positionText(leg.coordinates[leg.coordinates.length - 1] ?? [0, 0], w);
  const version = corridor.version ?? 1;
  const versionLine = w.t('paperwork.card.routeVersion', { version: w.fmt.number(version), time: clock.utc(corridor.computedMs) });
  const holds = (convoy.checkpoints ?? []).filter((c) => c.hold);
  const fp = convoy.focalPoint;
  return (
    <article className="sheet card-sheet" data-testid="route-card" data-route-version={version} data-computed-ms={corridor.computedMs}>
      {exercise && <div className="pw-exercise">{w.t('paperwork.page.exercise')}</div>}
      <header className="pw-head">
        <div>
          <h1 className="pw-title">{w.t('paperwork.title.card')}</h1>
          <div className="pw-ref">
            <bdi>{convoy.name}</bdi>
          </div>
          <p className="pw-sub">{w.t('paperwork.card.fromTo', { origin: originName, destination: destinationName })}</p>
        </div>
        <div className="pw-head-end">
          <div className="pw-route-version" data-testid="card-route-version">
            {versionLine}
          </div>
          <p className="pw-sub">
            {w.t('paperwork.notice.routeFigures', { distance: w.fmt.distance(leg.distance_m), duration: w.fmt.duration(leg.duration_s), version: w.fmt.number(version) })}
          </p>
          <p className="pw-sub" data-testid="card-departure">
            {departure ? (
              <>
                {w.t(departure.basis === 'departure' ? 'paperwork.card.departure' : 'paperwork.card.departureWindow', { time: clock.zoned(departure.ms) })}
                {clock.zone !== 'UTC' && (
                  <>
                    <br />
                    {clock.utc(departure.ms)}
                  </>
                )}
              </>
            ) : (
              w.t('paperwork.card.noDeparture')
            )}
          </p>
        </div>
      </header>

      <section className="pw-map-block">
        <PaperMap
          route={leg.coordinates}
          checkpoints={stops.map((s) => ({ name: s.name, at: s.at, hold: s.hold, n: s.n }))}
          havens={havens.map((h) => ({ id: h.haven.id, name: h.haven.name, at: [h.haven.lon, h.haven.lat], destination: h.destination }))}
          zones={zones.map((z) => z.zone)}
          width={760}
          height={340}
          testId="card-map"
        />
        <PaperMapLegend zones={zones.map((z) => z.zone.severity)} havens={havens.length > 0} />
      </section>

      <section>
        <h2>{w.t('paperwork.card.turns')}</h2>
        <table className="pw-table" data-testid="card-turns">
          <thead>
            <tr>
              <th className="num">{w.t('paperwork.card.step')}</th>
              <th>{w.t('paperwork.card.instruction')}</th>
              <th>{w.t('paperwork.card.road')}</th>
              <th className="num">{w.t('paperwork.card.distance')}</th>
              <th className="num">{w.t('paperwork.card.total')}</th>
              <th className="num">{w.t('paperwork.card.elapsed')}</th>
            </tr>
          </thead>
          <tbody>
            {turns.map((t, i) => (
              <tr key={`${t.index}-${t.kind}`} data-kind={t.kind} data-road={t.road ?? ''}>
                <td className="num">{w.fmt.number(i + 1)}</td>
                <td>{t.kind === 'arrive' ? w.t('paperwork.card.arriveAt', { place: destinationName }) : w.t(TURN_WORDS[t.kind])}</td>
                <td className="pw-road">{t.kind === 'arrive' ? '' : t.road ? <bdi>{t.road}</bdi> : <i>{w.t('paperwork.card.unnamedRoad')}</i>}</td>
                <td className="num">{t.kind === 'arrive' ? '' : w.fmt.distance(t.distance_m)}</td>
                <td className="num">{w.fmt.distance(t.cumDistance_m)}</td>
                <td className="num">{w.fmt.duration(t.cumDuration_s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section>
        <h2>{w.t('paperwork.card.checkpoints')}</h2>
        <table className="pw-table" data-testid="card-checkpoints">
          <thead>
            <tr>
              <th className="num">{w.t('paperwork.card.step')}</th>
              <th>{w.t('paperwork.card.checkpoint')}</th>
              <th className="num">{w.t('paperwork.card.along')}</th>
              <th>{w.t('paperwork.card.expected', { zone: w.isolate(zone) })}</th>
              <th>{w.t('paperwork.card.expectedUtc')}</th>
            </tr>
          </thead>
          <tbody>
            {stops.map((s) => (
              <tr key={`${s.n}`} data-checkpoint={s.name} data-eta-ms={s.etaMs ?? ''}>
                <td className="num">{w.fmt.number(s.n)}</td>
                <td>
                  <bdi>{s.name}</bdi>
                  {s.hold && <span className="pw-tag"> {w.t('paperwork.card.hold')}</span>}
                  {s.off_m >= 200 && <span className="pw-muted"> · {w.t('paperwork.card.offRoute', { distance: w.fmt.distance(s.off_m) })}</span>}
                </td>
                <td className="num">{w.fmt.distance(s.along_m)}</td>
                <td>{s.etaMs !== undefined ? clock.zoned(s.etaMs) : w.fmt.duration(s.elapsed_s)}</td>
                <td>{s.etaMs !== undefined ? clock.utc(s.etaMs) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="pw-keep">
        <h2>{w.t('paperwork.card.onAlert')}</h2>
        <div className="pw-box pw-box-warn" data-testid="card-on-alert">
          <p>{convoy.onAlert ? <bdi>{convoy.onAlert}</bdi> : w.t('paperwork.card.noAlertOrders')}</p>
          <p>
            <strong>
              {holds.length > 0 ? w.t('paperwork.card.holdPoints', { list: w.fmt.list(holds.map((h) => w.isolate(h.name))) }) : w.t('paperwork.card.noHoldPoints')}
            </strong>
          </p>
        </div>
      </section>

      <section>
        <h2>{w.t('paperwork.card.havens')}</h2>
        <table className="pw-table" data-testid="card-havens">
          <thead>
            <tr>
              <th>{w.t('paperwork.card.haven')}</th>
              <th>{w.t('paperwork.card.havenStatus')}</th>
              <th className="num">{w.t('paperwork.card.room')}</th>
              <th>{w.t('paperwork.card.contact')}</th>
              <th className="num">{w.t('paperwork.card.fromRoute')}</th>
            </tr>
          </thead>
          <tbody>
            {havens.map((h) => (
              <tr key={h.haven.id} data-haven={h.haven.id}>
                <td>
                  <bdi>{h.haven.name}</bdi>
                  {h.destination && <span className="pw-tag"> {w.t('paperwork.card.destinationHaven')}</span>}
                </td>
                <td>{w.t(HAVEN_STATUS_WORDS[h.haven.status])}</td>
                <td className="num">
                  {w.fmt.number(h.haven.occupancy)} / {w.fmt.number(h.haven.capacity)}
                </td>
                <td>{h.haven.contact ? <bdi>{h.haven.contact}</bdi> : '—'}</td>
                <td className="num">{w.fmt.distance(h.off_m)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {havens.length === 0 && <p className="pw-muted">{w.t('paperwork.card.noneNear')}</p>}
      </section>

      <section>
        <h2>{w.t('paperwork.card.threats')}</h2>
        <p className="pw-muted">{w.t('paperwork.card.threatsNote')}</p>
        {zones.length > 0 ? (
          <table className="pw-table" data-testid="card-threats">
            <thead>
              <tr>
                <th>{w.t('paperwork.card.zone')}</th>
                <th>{w.t('paperwork.card.severity')}</th>
                <th className="num">{w.t('paperwork.card.fromRoute')}</th>
              </tr>
            </thead>
            <tbody>
              {zones.map((z) => (
                <tr key={z.zone.id} data-zone={z.zone.id}>
                  <td>
                    <bdi>{z.zone.label ?? z.zone.id}</bdi>
                  </td>
                  <td>{w.t(SEVERITY_WORDS[z.zone.severity].tag)}</td>
                  <td className="num">{z.crosses ? <strong>{w.t('paperwork.card.crosses')}</strong> : w.fmt.distance(z.off_m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="pw-muted">{w.t('paperwork.card.noneNear')}</p>
        )}
      </section>

      <section className="pw-keep">
        <h2>{w.t('paperwork.card.contacts')}</h2>
        <dl className="pw-facts pw-wide">
          {fp && (
            <div className="pw-fact">
              <dt>{w.t('paperwork.notice.focalPoint')}</dt>
              <dd>
                {[
                  w.isolate(fp.name),
                  fp.phone && w.t('paperwork.notice.labelled', { label: w.t('paperwork.notice.phone'), value: ltr(fp.phone) }),
                  fp.radio && w.t('paperwork.notice.labelled', { label: w.t('paperwork.notice.radio'), value: w.isolate(fp.radio) }),
                  fp.email && w.t('paperwork.notice.labelled', { label: w.t('paperwork.notice.email'), value: ltr(fp.email) }),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </dd>
            </div>
          )}
          {convoy.contact && (
            <div className="pw-fact">
              <dt>{w.t('paperwork.card.convoyContact')}</dt>
              <dd>
                <bdi>{convoy.contact}</bdi>
              </dd>
            </div>
          )}
        </dl>
        {convoy.radioPlan && convoy.radioPlan.length > 0 && (
          <table className="pw-table" data-testid="card-radio">
            <caption>{w.t('paperwork.card.radioPlan')}</caption>
            <thead>
              <tr>
                <th>{w.t('paperwork.card.net')}</th>
                <th>{w.t('paperwork.card.channel')}</th>
                <th>{w.t('paperwork.card.callsign')}</th>
                <th>{w.t('paperwork.card.use')}</th>
              </tr>
            </thead>
            <tbody>
              {convoy.radioPlan.map((r, i) => (
                <tr key={`${r.net}-${i}`}>
                  <td>
                    <bdi>{r.net}</bdi>
                  </td>
                  <td>
                    <bdi>{r.channel}</bdi>
                  </td>
                  <td>{r.callsign ? <bdi>{r.callsign}</bdi> : '—'}</td>
                  <td>{r.use ? <bdi>{r.use}</bdi> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <footer className="pw-foot">{versionLine}</footer>
    </article>
  );
}

/** `/convoys/:id/card`. */
export function RouteCardPage({ convoyId }: { convoyId: string }) {
  useLiveConnection();
  const w = useWords();
  const exercise = useExercise();
  const { ready, signedOut, convoy, corridor, notice } = usePaperwork(convoyId);
  const havens = usePicture((s) => s.picture.havens);
  const threats = usePicture((s) => s.picture.threats);
  if (signedOut) return <PaperMessage text={w.t('paperwork.page.signedOut')} testId="paper-signed-out" />;
  if (!ready) return <PaperMessage text={w.t('paperwork.page.loading')} testId="paper-loading" />;
  if (!convoy) return <PaperMessage text={w.t('paperwork.page.noConvoy', { id: w.isolate(convoyId) })} testId="paper-missing" />;
  if (!corridor || corridor.status !== 'ok' || !corridor.routes[0]) return <PaperMessage text={w.t('paperwork.page.noRoute')} testId="paper-no-route" />;
  return (
    <div className="paperwork" data-testid="card-page" data-ready="true">
      <div className="pw-toolbar no-print">
        <button type="button" data-testid="print" onClick={() => window.print()}>
          {w.t('paperwork.page.print')}
        </button>
        <RouteExports convoyId={convoy.id} />
      </div>
      <RouteCardSheet convoy={convoy} corridor={corridor} notice={notice} picture={{ havens, threats }} w={w} exercise={exercise} />
    </div>
  );
}

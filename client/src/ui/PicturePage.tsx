// The operations picture page (client/src/ui): map, header, legend, side panel; `/wall` uses the large-type variant.
import { useEffect, useState, type CSSProperties } from 'react';
import { Trans } from 'react-i18next';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { convoyMarks, corridorStatusText } from '../layers/corridor-layers.js';
import { PictureMap } from '../map/PictureMap.js';
import { useLiveConnection } from '../net/use-live-connection.js';
import { pictureStore, useNow, usePicture } from '../state/hooks.js';
import type { CorridorHooks } from '../test-hooks.js';
import { Legend } from './Legend.js';
import { SidePanel } from './SidePanel.js';
import { TopBar } from './TopBar.js';
import { wallScale } from './wall-scale.js';
import { corridorReason } from './format.js';
import { ReplayBanner } from '../replay/ReplayBanner.js';
import { ReplayDock } from '../replay/ReplayDock.js';
import { useReplay, useReplayController } from '../replay/use-replay.js';


/** The window's inner height in CSS pixels, kept current on resize. */
function useWindowHeight(): number {
  const [h, setH] = useState(() => window.innerHeight);
  useEffect(() => {
    const onResize = () => setH(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return h;
}

/** Convoys that cannot move, shown as a red strip on the wall where no side panel lists them. */
function BlockedStrip() {
  const convoys = usePicture((s) => s.picture.convoys);
  const corridors = usePicture((s) => s.picture.corridors);
  const picture = usePicture((s) => s.picture);
  const w = useWords();
  const blocked = convoyMarks(convoys, corridors).filter((m) => m.blocked);
  if (!blocked.length) return null;
  return (
    <div className="blocked-strip" role="alert" data-testid="blocked-convoys">
      {blocked.map((m) => (
        <span key={m.convoy.id}>
          <b>
            <bdi>{m.convoy.name}</bdi>
          </b>{' '}
          {corridorStatusText(m.corridor, w)}
          {m.corridor ? ` — ${corridorReason(m.corridor, picture, w)}` : ''}
        </span>
      ))}
    </div>
  );
}

export function PicturePage({ wall, hooks }: { wall: boolean; hooks: CorridorHooks }) {
  useLiveConnection();
  const now = useNow(1000);
  const w = useWords();
  const height = useWindowHeight();
  const scale = wall ? wallScale(height) : 1;
  // The wall's header, legend and strip grow with the map's type (styles.css reads --wall-zoom; 1 at scale 1.5).
  const style = wall ? ({ '--wall-zoom': (scale / 1.5).toFixed(3) } as CSSProperties) : undefined;
  // The replay (issue 16): on the picture always, on the wall (which has no controls) only with `?replay=1`.
  const [timeline] = useState(() => !wall || new URLSearchParams(window.location.search).get('replay') === '1');
  const replay = useReplayController(timeline);
  const past = useReplay(replay, (s) => s.mode === 'past');
  return (
    <div className={`page ${wall ? 'page-wall' : 'page-ops'}${replay ? ' page-replay' : ''}${past ? ' page-past' : ''}`} style={style}>
      <TopBar now={now} title={w.t(wall ? 'page.wall' : 'page.ops')} switcher={!wall} />
      <ReplayBanner replay={replay} />
      <main className="body">
        <div className="map-wrap">
          <PictureMap scale={scale} hooks={hooks} furniture=".legend-dock, .blocked-strip" />
          <div className="legend-dock">
            <Legend large={wall} />
          </div>
          {wall && <BlockedStrip />}
        </div>
        {!wall && <SidePanel />}
      </main>
      {replay && <ReplayDock replay={replay} />}
      <footer className="exercise-footer">{w.t('exercise.footer')}</footer>
    </div>
  );
}

/** Placeholder for pages not built yet (`/access`, `/field`). */
export function ComingSoon({ name }: { name: MessageKey }) {
  const w = useWords();
  return (
    <div className="page coming-soon">
      <div className="exercise-mark">{w.t('exercise.mark')}</div>
      <h1>{w.t(name)}</h1>
      <p>
        <Trans i18nKey="page.soon" components={{ ops: <a href="/" dir="ltr" />, wall: <a href="/wall" dir="ltr" /> }} />
      </p>
    </div>
  );
}

// The operations picture page (client/src/ui): map, header, legend, side panel, replay timeline; `/wall` has a page of its own (wall/WallPage.tsx) on the same map.
import { Trans } from 'react-i18next';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { PictureMap } from '../map/PictureMap.js';
import { useLiveConnection } from '../net/use-live-connection.js';
import { useNow } from '../state/hooks.js';
import type { CorridorHooks } from '../test-hooks.js';
import { ExerciseFooter, ExerciseMark, useAreaTitle } from './ExerciseMarks.js';
import { Legend } from './Legend.js';
import { SidePanel } from './SidePanel.js';
import { TopBar } from './TopBar.js';
import { ReplayBanner } from '../replay/ReplayBanner.js';
import { ReplayDock } from '../replay/ReplayDock.js';
import { useReplay, useReplayController } from '../replay/use-replay.js';

export function PicturePage({ hooks }: { hooks: CorridorHooks }) {
  useLiveConnection();
  const now = useNow(1000);
  const title = useAreaTitle('page.ops');
  // The replay (issue 16): a timeline under the picture.
  const replay = useReplayController(true);
  const past = useReplay(replay, (s) => s.mode === 'past');
  return (
    <div className={`page page-ops${replay ? ' page-replay' : ''}${past ? ' page-past' : ''}`}>
      <TopBar now={now} title={title} />
      <ReplayBanner replay={replay} />
      <main className="body">
        <div className="map-wrap">
          <PictureMap scale={1} hooks={hooks} furniture=".legend-dock" />
          <div className="legend-dock">
            <Legend />
          </div>
        </div>
        <SidePanel />
      </main>
      {replay && <ReplayDock replay={replay} />}
      <ExerciseFooter />
    </div>
  );
}

/** Placeholder for pages not built yet (`/access`, `/field`). */
export function ComingSoon({ name }: { name: MessageKey }) {
  const w = useWords();
  return (
    <div className="page coming-soon">
      <ExerciseMark />
      <h1>{w.t(name)}</h1>
      <p>
        <Trans i18nKey="page.soon" components={{ ops: <a href="/" dir="ltr" />, wall: <a href="/wall" dir="ltr" /> }} />
      </p>
    </div>
  );
}

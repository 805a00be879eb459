// The wall display (client/src/wall, issue 17): the shared picture for a joint operations centre's large
// screen, running all day with nobody touching it. The desk's map, layers and catalogues, sized for reading
// from three metres (legibility.ts), kept framed as things move, a focus on the convoys that need attention,
// a ticker of what happened, and a plain warning when the picture may be out of date. No controls.
import { useEffect, useMemo, useState, type CSSProperties } from 'react';
import { PictureMap } from '../map/PictureMap.js';
import { useLiveConnection } from '../net/use-live-connection.js';
import { ReplayBanner } from '../replay/ReplayBanner.js';
import { ReplayDock } from '../replay/ReplayDock.js';
import { useReplay, useReplayController } from '../replay/use-replay.js';
import { useNow, usePicture } from '../state/hooks.js';
import type { CorridorHooks } from '../test-hooks.js';
import { ExerciseFooter } from '../ui/ExerciseMarks.js';
import { wallScales } from '../ui/wall-scale.js';
import { legendPresence } from './legend-presence.js';
import { viewingFrom, type ScreenSize } from './legibility.js';
import { focusCandidates, nextFocus, type FocusState } from './rotation.js';
import { WallFocus } from './WallFocus.js';
import { WallHeader } from './WallHeader.js';
import { WallLegend } from './WallLegend.js';
import { WallTicker } from './WallTicker.js';
import { WallWarning, wallWarning } from './WallWarning.js';
import './wall.css';

/** The window's size in CSS pixels and its device pixel ratio, kept current on resize. */
function useScreenSize(): ScreenSize {
  const read = () => ({ widthCss: window.innerWidth, heightCss: window.innerHeight, dpr: window.devicePixelRatio || 1 });
  const [size, setSize] = useState<ScreenSize>(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return size;
}

export function WallPage({ hooks }: { hooks: CorridorHooks }) {
  useLiveConnection();
  const now = useNow(1000);
  const screen = useScreenSize();
  const [query] = useState(() => new URLSearchParams(window.location.search));
  const viewing = useMemo(() => viewingFrom(query), [query]);
  // Text and symbols at least what three metres ask of a 55-inch panel (legibility.ts), or the address's viewing.
  const { scale, textScale, fontPx } = wallScales(screen, viewing);
  const style = { '--wall-font': `${fontPx}px` } as CSSProperties;
  // The replay (issue 16) only with `?replay=1`: the wall has no controls.
  const replay = useReplayController(query.get('replay') === '1');
  const past = useReplay(replay, (s) => s.mode === 'past');

  // The convoys that need attention, each in focus in turn.
  const convoys = usePicture((s) => s.picture.convoys);
  const corridors = usePicture((s) => s.picture.corridors);
  const alerts = usePicture((s) => s.picture.alerts);
  const candidates = useMemo(() => focusCandidates({ convoys, corridors, alerts }), [convoys, corridors, alerts]);
  const [focus, setFocus] = useState<FocusState>({ convoyId: null, sinceMs: 0 });
  const ids = candidates.map((c) => c.convoyId).join('\n');
  useEffect(() => {
    setFocus((f) => nextFocus(f, ids ? ids.split('\n') : [], now));
  }, [now, ids]);
  useEffect(() => {
    hooks.wall = { ...(hooks.wall ?? { ticker: 0, tickerTexts: [] }), focus: focus.convoyId, candidates: candidates.length, fontPx };
  }, [focus.convoyId, candidates.length, fontPx, hooks]);

  // The legend of what is on the map.
  const picture = usePicture((s) => s.picture);
  const staleAfterMs = usePicture((s) => s.staleAfterMs);
  const offset = usePicture((s) => s.clockOffsetMs);
  const present = legendPresence(picture, { nowMs: now + offset, staleAfterMs });
  const presentKey = [...present].sort().join(',');
  const only = useMemo(() => new Set(present), [presentKey]);

  const connection = usePicture((s) => s.connection);
  const lastMessageAtMs = usePicture((s) => s.lastMessageAtMs);
  const warning = wallWarning(connection, lastMessageAtMs ? now - lastMessageAtMs : null);

  return (
    <div className={`page page-wall${replay ? ' page-replay' : ''}${past ? ' page-past' : ''}`} style={style} data-testid="wall">
      <WallHeader now={now} />
      <ReplayBanner replay={replay} />
      <main className="wall-body">
        {/* The start side: what needs attention, and the legend of what is on the map; the map keeps the rest. */}
        <aside className="wall-side">
          <WallFocus candidates={candidates} focusId={focus.convoyId} />
          <WallLegend only={only} now={now} />
        </aside>
        <div className="wall-main">
          <div className={`map-wrap wall-map${warning ? ' is-warned' : ''}`}>
            <PictureMap scale={scale} textScale={textScale} hooks={hooks} furniture=".wall-warning" follow={{ scaleBarPx: Math.round(6 * fontPx) }} focusConvoyId={focus.convoyId} />
            <WallWarning now={now} />
          </div>
          <WallTicker now={now} hooks={hooks} />
        </div>
      </main>
      {replay && <ReplayDock replay={replay} />}
      <ExerciseFooter />
    </div>
  );
}

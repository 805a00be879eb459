// The wall's legend (client/src/wall, issue 17): the desk's legend limited to what is on the map, at the wall's
// size; when it is taller than its column, it is shown a page at a time, each for 15 s (CSS columns, so a page
// never cuts an entry), with which page it is.
import { useLayoutEffect, useRef, useState } from 'react';
import { useWords } from '../i18n/use-words.js';
import { Legend, type LegendEntry } from '../ui/Legend.js';
import { FOCUS_PERIOD_MS } from './rotation.js';

export function WallLegend({ only, now }: { only: ReadonlySet<LegendEntry>; now: number }) {
  const w = useWords();
  const dock = useRef<HTMLDivElement>(null);
  const [pages, setPages] = useState(1);
  // Measured after each render: entries come and go with the picture, the column with the window.
  useLayoutEffect(() => {
    const list = dock.current?.querySelector<HTMLElement>('.legend ul');
    if (!list) return;
    const gap = parseFloat(getComputedStyle(list).columnGap) || 0;
    const n = Math.max(1, Math.round((list.scrollWidth + gap) / (list.clientWidth + gap)));
    if (n !== pages) setPages(n);
  });
  const page = Math.floor(now / FOCUS_PERIOD_MS) % pages;
  return (
    <div className="wall-legend-dock" ref={dock} data-pages={pages} data-page={page} style={{ ['--legend-page' as string]: page }}>
      <Legend large only={only} />
      {pages > 1 && <div className="wall-legend-page">{w.t('wall.focusOf', { i: w.fmt.number(page + 1), n: w.fmt.number(pages) })}</div>}
    </div>
  );
}

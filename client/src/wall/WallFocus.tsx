// The wall's focus panel (client/src/wall, issue 17): the convoy the wall puts forward now (one that cannot
// move, or has an open alert), in turn with the others every 15 s (rotation.ts), and why it needs attention.
import type { Picture } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { convoyColorHex } from '../layers/convoy-look.js';
import { corridorStatusText } from '../layers/corridor-layers.js';
import { CONVOY_STATE_WORDS } from '../layers/words.js';
import { usePicture } from '../state/hooks.js';
import { corridorReason } from '../ui/format.js';
import { alertWords } from '../ui/track-text.js';
import type { FocusCandidate } from './rotation.js';

/** Alerts listed for the convoy in focus; the panel has room for so many at the wall's size. */
const ALERTS_SHOWN = 1;

export function WallFocus({ candidates, focusId }: { candidates: readonly FocusCandidate[]; focusId: string | null }) {
  const w = useWords();
  const picture = usePicture((s) => s.picture) as Picture;
  const at = candidates.findIndex((c) => c.convoyId === focusId);
  const c = at >= 0 ? candidates[at] : undefined;
  const convoy = c ? picture.convoys[c.convoyId] : undefined;
  const corridor = c ? picture.corridors[c.convoyId] : undefined;
  return (
    <section className={`wall-focus${c?.blocked ? ' is-blocked' : ''}`} data-testid="focus" data-convoy={c?.convoyId ?? ''} data-count={candidates.length} aria-live="polite">
      <h2>
        {w.t('wall.focusTitle')}
        {candidates.length > 1 && <span className="wall-focus-of">{w.t('wall.focusOf', { i: w.fmt.number(at + 1), n: w.fmt.number(candidates.length) })}</span>}
      </h2>
      {!c || !convoy ? (
        <p className="wall-empty">{w.t('wall.focusNone')}</p>
      ) : (
        <>
          <div className="wall-focus-name" style={{ borderColor: convoyColorHex(picture.convoys, convoy.id) }}>
            <bdi>{convoy.name}</bdi>
          </div>
          <div className="wall-focus-state">
            {w.t(CONVOY_STATE_WORDS[convoy.state])}
            {c.blocked && <b> · {corridorStatusText(corridor, w)}</b>}
          </div>
          {c.blocked && corridor && <p className="wall-focus-reason">{corridorReason(corridor, picture, w)}</p>}
          {c.alerts.length > 0 && (
            <ul className="wall-focus-alerts">
              {c.alerts.slice(0, ALERTS_SHOWN).map((a) => {
                const words = alertWords(a, picture, w);
                return (
                  <li key={a.id} className={a.acknowledged ? 'acked' : undefined}>
                    <b>{words.kind}</b> · {words.detail}
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

// The wall's warning (client/src/wall, issue 17): in plain large words across the map, when the picture shown
// may be out of date (no message for a while, the link down) or the display's sign-in was refused, with what
// to do. A server updated under the page reloads it by itself: nobody is there to click.
import { useEffect } from 'react';
import { useWords } from '../i18n/use-words.js';
import { usePicture } from '../state/hooks.js';
import { ageText } from '../ui/format.js';

/**
 * No message at all (pongs included) for this long on a live link, ms: the picture may have stopped. The
 * client pings every 15 s and the server answers; the exercise reports positions every few seconds.
 */
export const WALL_STALE_AFTER_MS = 35_000;
/** The link down for this long before the room is told, ms: a reconnect within it goes unnoticed. */
export const WALL_DOWN_AFTER_MS = 4_000;
/** A page outdated by a server update reloads after this long, ms. */
const RELOAD_AFTER_MS = 15_000;

/** What the warning says, or null: the link down, no data, signed out, the server updated. */
export type WallWarningKind = 'down' | 'stale' | 'signed-out' | 'outdated';

/**
 * Which warning the wall shows for the link's state and the time since its last message.
 * @example wallWarning('live', 40_000) // 'stale'
 */
export function wallWarning(connection: string, silentMs: number | null): WallWarningKind | null {
  if (connection === 'signed-out') return 'signed-out';
  if (connection === 'outdated') return 'outdated';
  if (connection === 'reconnecting' || connection === 'offline') return silentMs === null || silentMs >= WALL_DOWN_AFTER_MS ? 'down' : null;
  if (connection === 'live' && silentMs !== null && silentMs >= WALL_STALE_AFTER_MS) return 'stale';
  return null;
}

export function WallWarning({ now }: { now: number }) {
  const w = useWords();
  const connection = usePicture((s) => s.connection);
  const lastMessageAtMs = usePicture((s) => s.lastMessageAtMs);
  const lastUpdateMs = usePicture((s) => s.lastUpdateMs);
  const silent = lastMessageAtMs ? now - lastMessageAtMs : null;
  const kind = wallWarning(connection, silent);

  useEffect(() => {
    if (kind !== 'outdated') return;
    const t = setTimeout(() => window.location.reload(), RELOAD_AFTER_MS);
    return () => clearTimeout(t);
  }, [kind]);

  if (!kind) return null;
  const values = { time: lastUpdateMs ? w.fmt.utcTime(lastUpdateMs) : '—', age: ageText(silent ?? 0, w) };
  const [title, text] =
    kind === 'signed-out'
      ? [w.t('wall.signedOutTitle'), w.t('wall.signedOutText')]
      : kind === 'outdated'
        ? [w.t('wall.outdatedTitle'), w.t('wall.outdatedText')]
        : kind === 'down'
          ? [w.t('wall.downTitle'), w.t('wall.downText', values)]
          : [w.t('wall.staleTitle'), w.t('wall.staleText', values)];
  return (
    <div className={`wall-warning wall-warning-${kind}`} role="alert" data-testid="wall-warning" data-kind={kind}>
      <strong>{title}</strong>
      <p>{text}</p>
    </div>
  );
}

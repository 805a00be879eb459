// Connection indicator (client/src/ui): live / reconnecting / offline / signed out, with the time since the last message.
import { useWords } from '../i18n/use-words.js';
import type { MessageKey } from '@corridor/protocol/i18n';
import { usePicture } from '../state/hooks.js';
import { ageText } from './format.js';

const LABELS = {
  connecting: 'connection.connecting',
  live: 'connection.live',
  reconnecting: 'connection.reconnecting',
  offline: 'connection.offline',
  'signed-out': 'connection.signedOut',
  outdated: 'connection.outdated',
} as const satisfies Record<string, MessageKey>;

export function ConnectionBadge({ now }: { now: number }) {
  const w = useWords();
  const connection = usePicture((s) => s.connection);
  const lastMessageAtMs = usePicture((s) => s.lastMessageAtMs);
  const since = lastMessageAtMs ? now - lastMessageAtMs : null;
  return (
    <div className={`conn conn-${connection}`} data-testid="connection-state" data-state={connection} role="status" aria-live="polite">
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-label">{w.t(LABELS[connection])}</span>
      {connection === 'signed-out' && (
        <a className="conn-age" href="/">
          {w.t('connection.signIn')}
        </a>
      )}
      {connection === 'outdated' && (
        <a className="conn-age" href={window.location.pathname + window.location.search}>
          {w.t('connection.reload')}
        </a>
      )}
      {connection !== 'live' && since !== null && <span className="conn-age">{w.t('connection.lastData', { age: ageText(since, w) })}</span>}
    </div>
  );
}

// Connection indicator (client/src/ui): live / reconnecting / offline / signed out, with seconds since the last message.
import { usePicture } from '../state/hooks.js';
import { ageText } from './format.js';

const LABELS = { connecting: 'CONNECTING', live: 'LIVE', reconnecting: 'RECONNECTING', offline: 'OFFLINE', 'signed-out': 'SIGNED OUT', outdated: 'SERVER UPDATED' } as const;

export function ConnectionBadge({ now }: { now: number }) {
  const connection = usePicture((s) => s.connection);
  const lastMessageAtMs = usePicture((s) => s.lastMessageAtMs);
  const since = lastMessageAtMs ? now - lastMessageAtMs : null;
  return (
    <div className={`conn conn-${connection}`} data-testid="connection-state" data-state={connection} role="status" aria-live="polite">
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-label">{LABELS[connection]}</span>
      {connection === 'signed-out' && (
        <a className="conn-age" href="/">
          access revoked: sign in again
        </a>
      )}
      {connection === 'outdated' && (
        <a className="conn-age" href={window.location.pathname + window.location.search}>
          reload the page
        </a>
      )}
      {connection !== 'live' && since !== null && <span className="conn-age">last data {ageText(since)} ago</span>}
    </div>
  );
}

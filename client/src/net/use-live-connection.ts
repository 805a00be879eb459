// The page's live link as a React hook (client/src/net): the WebSocket that keeps the page's picture
// store current, opened while the page is mounted and made the one its commands go through.
import { useEffect } from 'react';
import { pictureStore } from '../state/hooks.js';
import { Connection, sameOriginWsUrl, type SocketLike } from './connection.js';
import { publishLiveEvents } from './live-events.js';
import { setLiveConnection } from './session.js';

/**
 * Whether the page's sign-in (its session cookie) still holds, as `GET /api/me` answers: a 401 is a refused
 * sign-in; no answer or another status tells nothing (the server away, restarting).
 */
export async function checkSignIn(): Promise<'ok' | 'refused' | 'unknown'> {
  try {
    const res = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
    return res.ok ? 'ok' : res.status === 401 ? 'refused' : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Opens the page's WebSocket for as long as the page is mounted (the picture, the wall, `/access`). */
export function useLiveConnection(): void {
  useEffect(() => {
    const conn = new Connection({
      url: sameOriginWsUrl(),
      store: pictureStore,
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      checkSignIn,
      onEvents: publishLiveEvents,
    });
    conn.start();
    setLiveConnection(conn);
    return () => {
      setLiveConnection(undefined);
      conn.stop();
    };
  }, []);
}

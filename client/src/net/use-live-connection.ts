// The page's live link as a React hook (client/src/net): the WebSocket that keeps the page's picture
// store current, opened while the page is mounted and made the one its commands go through.
import { useEffect } from 'react';
import { pictureStore } from '../state/hooks.js';
import { Connection, sameOriginWsUrl, type SocketLike } from './connection.js';
import { setLiveConnection } from './session.js';

/** Opens the page's WebSocket for as long as the page is mounted (the picture, the wall, `/access`). */
export function useLiveConnection(): void {
  useEffect(() => {
    const conn = new Connection({ url: sameOriginWsUrl(), store: pictureStore, createSocket: (url) => new WebSocket(url) as unknown as SocketLike });
    conn.start();
    setLiveConnection(conn);
    return () => {
      setLiveConnection(undefined);
      conn.stop();
    };
  }, []);
}

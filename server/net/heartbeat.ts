// WebSocket heartbeats (server/net): a ping every interval; a socket that has not answered the previous
// ping is terminated, so dead phones and cut links stop holding buffers.
import type { WebSocket, WebSocketServer } from 'ws';

const alive = new WeakMap<WebSocket, boolean>();

/** Starts heartbeats on every socket of `wss`; returns the function that stops them. `intervalMs` in ms. */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number): () => void {
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

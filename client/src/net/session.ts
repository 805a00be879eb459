// The page's live connection and who its user is (client/src/net): a panel sends its commands through
// the one connection the page holds, and shows only the controls its user's role may use.
import { useEffect, useState } from 'react';
import type { AckMessage, ErrorMessage } from '@corridor/protocol';
import type { Connection, OutgoingCommand } from './connection.js';

/** Who the page's user is, as `GET /api/me` answers. */
export interface Me {
  tokenId: string;
  org: string;
  role: string;
  unit: string | null;
  /** What the role may do: `read`, `positions`, `convoys`, `threats`, … */
  actions: string[];
  /** The information-sharing agreement the picture reaches this user under (issue 13), or null. */
  agreement?: { name: string; org: { id: string; kind: string; defaultMarking: string } | null; markings: string[] } | null;
}

let live: Connection | undefined;

/** Makes `connection` the one commands go through (undefined when the page lets it go). */
export function setLiveConnection(connection: Connection | undefined): void {
  live = connection;
}

/**
 * Sends a command through the page's connection: resolves with its ack once durable, rejects with the
 * server's error (code, message, path), or with `unavailable` when there is no live link.
 */
export function sendCommand(command: OutgoingCommand): Promise<AckMessage> {
  if (!live) return Promise.reject({ type: 'error', code: 'unavailable', message: 'Not connected to the server.' } satisfies ErrorMessage);
  return live.send(command);
}

let mePromise: Promise<Me | null> | undefined;

/** Asks the server once per page who its user is; null when it cannot say (signed out, offline). */
function fetchMe(): Promise<Me | null> {
  mePromise ??= fetch('/api/me', { credentials: 'same-origin' })
    .then((r) => (r.ok ? (r.json() as Promise<Me>) : null))
    .catch(() => null);
  return mePromise;
}

/** Who the page's user is, once known (null before, or when the server could not say). */
export function useMe(): Me | null {
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    let on = true;
    fetchMe().then((m) => on && setMe(m));
    return () => {
      on = false;
    };
  }, []);
  return me;
}

/** Whether the user may do an action (false until known). */
export function mayDo(me: Me | null, action: string): boolean {
  return me?.actions.includes(action) ?? false;
}

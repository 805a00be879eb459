// The phone's position (client/src/field, issue 15): the Geolocation API with high accuracy, watched
// while the page is open, and shared with the server at the interval the user picks.
import { useEffect, useRef, useState } from 'react';
import type { OutgoingCommand } from '../net/connection.js';

/** One fix of the phone. */
export interface Fix {
  lon: number;
  lat: number;
  /** Metres (95 % radius as the browser gives it). */
  accuracy: number;
  timeMs: number;
  heading?: number;
  speed?: number;
}

export type FixProblem = { kind: 'denied' } | { kind: 'unavailable'; message: string };

/** How often the position is shared, seconds; 0 is off. */
export const SHARE_INTERVALS = [10, 30, 120, 0] as const;
export type ShareInterval = (typeof SHARE_INTERVALS)[number];
export const DEFAULT_SHARE_INTERVAL: ShareInterval = 30;

const INTERVAL_KEY = 'corridor.field.shareEveryS';

/** The interval chosen before on this phone, else the default. */
export function storedInterval(): ShareInterval {
  const v = Number(localStorage.getItem(INTERVAL_KEY));
  return (SHARE_INTERVALS as readonly number[]).includes(v) && localStorage.getItem(INTERVAL_KEY) !== null ? (v as ShareInterval) : DEFAULT_SHARE_INTERVAL;
}
export function storeInterval(s: ShareInterval): void {
  localStorage.setItem(INTERVAL_KEY, String(s));
}

/** Watches the phone's position while mounted: the latest fix, or why there is none. */
export function useGeolocation(): { fix: Fix | null; problem: FixProblem | null } {
  const [fix, setFix] = useState<Fix | null>(null);
  const [problem, setProblem] = useState<FixProblem | null>(null);
  useEffect(() => {
    if (!('geolocation' in navigator)) {
      setProblem({ kind: 'unavailable', message: 'no Geolocation API' });
      return;
    }
    const id = navigator.geolocation.watchPosition(
      (p) => {
        setProblem(null);
        const f: Fix = { lon: round(p.coords.longitude), lat: round(p.coords.latitude), accuracy: Math.round(p.coords.accuracy), timeMs: p.timestamp };
        if (Number.isFinite(p.coords.heading) && p.coords.heading !== null) f.heading = Math.round(p.coords.heading) % 360;
        if (Number.isFinite(p.coords.speed) && p.coords.speed !== null && p.coords.speed >= 0) f.speed = Math.round(p.coords.speed * 10) / 10;
        setFix(f);
      },
      (err) => setProblem(err.code === err.PERMISSION_DENIED ? { kind: 'denied' } : { kind: 'unavailable', message: err.message }),
      { enableHighAccuracy: true, maximumAge: 5_000, timeout: 60_000 },
    );
    return () => navigator.geolocation.clearWatch(id);
  }, []);
  return { fix, problem };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A fix as the position command the server takes. */
export function positionCommand(unitId: string, fix: Fix): OutgoingCommand {
  return {
    type: 'position',
    unitId,
    lon: fix.lon,
    lat: fix.lat,
    accuracy: fix.accuracy,
    time: new Date(fix.timeMs).toISOString(),
    ...(fix.heading !== undefined ? { heading: fix.heading } : {}),
    ...(fix.speed !== undefined ? { speed: fix.speed } : {}),
  } as OutgoingCommand;
}

/**
 * Shares the newest fix every `everyS` seconds (at once for the first): a fix already shared is not
 * sent again. `share` keeps it in the queue.
 */
export function useSharing(fix: Fix | null, everyS: ShareInterval, share: (fix: Fix) => void): void {
  const latest = useRef<Fix | null>(fix);
  const sentMs = useRef(0);
  latest.current = fix;
  const shareRef = useRef(share);
  shareRef.current = share;
  const hasFix = fix !== null;
  useEffect(() => {
    if (everyS === 0 || !hasFix) return;
    const tick = () => {
      const f = latest.current;
      if (!f || f.timeMs <= sentMs.current) return;
      sentMs.current = f.timeMs;
      shareRef.current(f);
    };
    tick();
    const timer = setInterval(tick, everyS * 1000);
    return () => clearInterval(timer);
  }, [everyS, hasFix]);
}

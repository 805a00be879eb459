// A tracked convoy and its alerts in words (client/src/ui, P21): where it is on its corridor, when it is
// expected, its next checkpoint, and what each alert says, in the page's language. Pure, so the side
// panel and the tests word them alike.
import type { Alert, Convoy, ConvoyTrack, Picture, TrackCheckpoint } from '@corridor/protocol';
import { ALERT_KIND_WORDS, counted, type Words } from '../layers/words.js';
import { ageText } from './format.js';

/** The lines a convoy's row shows about its progress. */
export interface TrackLines {
  /** `3.2 km of 5.4 km · 2.2 km to go` */
  progress: string;
  /** Share of the corridor done, 0 to 1. */
  share: number;
  /** `ETA 10:42:00 UTC · moving at 29 km/h`, while moving. */
  eta?: string;
  /** `next: Göta älv bridge in 1.1 km`. */
  next?: string;
  /** `lead unit BRAVO 11, last report 20 s ago`. */
  lead: string;
}

/** A checkpoint's name: the planner's, or the words for an end without one. */
export function checkpointName(c: TrackCheckpoint, w: Words): string {
  if (c.name) return w.isolate(c.name);
  return w.t(c.end === 'origin' ? 'track.origin' : 'track.destination');
}

/**
 * A tracked convoy's progress, ETA and next checkpoint in words; undefined while it is not tracked
 * (no track yet, or neither moving nor holding).
 * @example trackLines(convoy, track, units, Date.now(), words)?.progress // '1.2 km of 4.8 km · 3.6 km to go'
 */
export function trackLines(convoy: Convoy, track: ConvoyTrack | undefined, callsign: string | undefined, nowMs: number, w: Words): TrackLines | undefined {
  if (!track || (convoy.state !== 'moving' && convoy.state !== 'holding')) return undefined;
  const { done_m, left_m } = track.progress;
  const total = done_m + left_m;
  const lines: TrackLines = {
    progress: `${w.t('track.progress', { done: w.fmt.distance(done_m), total: w.fmt.distance(total) })} · ${w.t('track.left', { left: w.fmt.distance(left_m) })}`,
    share: total > 0 ? Math.min(1, done_m / total) : 0,
    lead: w.t('track.lead', { unit: w.isolate(callsign ?? track.unitId), age: ageText(nowMs - track.timeMs, w) }),
  };
  if (convoy.state === 'moving' && track.etaMs !== undefined) {
    const eta = w.t('track.eta', { time: w.fmt.utcTime(track.etaMs) });
    lines.eta = track.speed_mps !== undefined ? `${eta} · ${w.t('track.speed', { speed: w.fmt.speed(track.speed_mps) })}` : eta;
  }
  const passed = new Set(track.passed.map((p) => p.index));
  const next = track.checkpoints.findIndex((_c, i) => !passed.has(i));
  if (next >= 0) {
    const c = track.checkpoints[next];
    lines.next = w.t('track.next', { name: checkpointName(c, w), distance: w.fmt.distance(Math.max(0, c.along_m - done_m)) });
  }
  return lines;
}

/** An alert in words: what it is about, and what raised it with its figures. */
export function alertWords(alert: Alert, picture: Pick<Picture, 'threats' | 'havens' | 'constraints'>, w: Words): { kind: string; detail: string } {
  const kind = w.t(ALERT_KIND_WORDS[alert.kind]);
  const d = alert.detail;
  const since = w.fmt.utcTime(d.sinceMs ?? alert.raisedMs);
  switch (alert.kind) {
    case 'off_corridor':
      return { kind, detail: w.t('alert.offCorridor', { distance: w.fmt.distance(d.distance_m ?? 0), time: since }) };
    case 'silent':
      return { kind, detail: w.t('alert.silent', { time: since }) };
    case 'stopped':
      return { kind, detail: w.t('alert.stopped', { time: since }) };
    case 'danger_zone': {
      const zone = d.zoneId ? picture.threats[d.zoneId] : undefined;
      return { kind, detail: w.t('alert.dangerZone', { zone: w.isolate(zone?.label ?? d.zoneId ?? '') }) };
    }
    case 'unsafe_route':
      return { kind, detail: w.t('alert.unsafeRoute', { zones: w.fmt.list((d.zones ?? []).map((z) => zoneRefName(z, picture, w))) }) };
    case 'arrived': {
      const haven = d.havenId ? picture.havens[d.havenId] : undefined;
      if (!haven || !d.people) return { kind, detail: w.t('alert.arrivedHere') };
      return { kind, detail: w.t('alert.arrivedAt', { ...counted(w, d.people), haven: w.isolate(haven.name) }) };
    }
  }
}

/**
 * Alerts in the order a planner deals with them: those still unacknowledged first, then the newest.
 */
export function alertsInOrder(alerts: Record<string, Alert>): Alert[] {
  return Object.values(alerts).sort((a, b) => Number(a.acknowledged !== undefined) - Number(b.acknowledged !== undefined) || b.raisedMs - a.raisedMs);
}

/** A zone or constraint named as an alert's `zones` says it (`zone:<id>`, `constraint:<id>`), with its label from the picture. */
function zoneRefName(ref: string, picture: Pick<Picture, 'threats' | 'constraints'>, w: Words): string {
  const [kind, ...rest] = ref.split(':');
  const id = rest.join(':');
  const label = kind === 'constraint' ? picture.constraints[id]?.reason : picture.threats[id]?.label;
  return w.isolate(label ?? id);
}

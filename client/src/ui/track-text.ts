// A tracked convoy and its alerts in words (client/src/ui, P21): where it is on its corridor, when it is
// expected, its next checkpoint, and what each alert says, in the page's language. Pure, so the side
// panel and the tests word them alike.
import type { Alert, Convoy, ConvoyTrack, Picture, RerouteProposal, TrackCheckpoint, ZoneRef } from '@corridor/protocol';
import { ALERT_KIND_WORDS, counted, type Words } from '../layers/words.js';
import { ageText, deltaText } from './format.js';

/** Farther than this from the route, a checkpoint is not on it (the server's default off-corridor distance), metres. */
const OFF_ROUTE_M = 150;

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
  // Checkpoints sit along the current route, which starts where the convoy was re-routed, if it was;
  // one the route no longer passes (farther from it than a convoy may stray) is not next.
  const passed = new Set(track.passed.map((p) => p.index));
  const along = done_m - track.doneBefore_m;
  const next = track.checkpoints.findIndex((c, i) => !passed.has(i) && c.offset_m <= OFF_ROUTE_M);
  if (next >= 0) {
    const c = track.checkpoints[next];
    lines.next = w.t('track.next', { name: checkpointName(c, w), distance: w.fmt.distance(Math.max(0, c.along_m - along)) });
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
    case 'emergency':
    case 'casevac': {
      // What the device said (its emergency type, the request's summary) is its sender's words, shown as they are.
      const where = d.at ? w.t('plan.picked', { lat: w.fmt.number(d.at[1], 5), lon: w.fmt.number(d.at[0], 5) }) : '';
      return { kind, detail: [d.text ? w.isolate(d.text) : '', where].filter(Boolean).join(' · ') };
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

/** A re-route proposal in words: why, from where, and each route with its figures and what it costs or saves. */
export interface ProposalLines {
  /** `because of Roadblock tz-3` · `because Ullevi is full`. */
  cause: string;
  /** `from its position at 10:42:05 UTC`. */
  from: string;
  /** Each route: `Route 1`, `4.1 km · 6 min · 2 min slower`, and its exposure or clearance. */
  routes: { label: string; figures: string; safety: string }[];
  /** Why there is no route, when there is none. */
  none?: string;
}

const HAVEN_NOW: Record<NonNullable<RerouteProposal['cause']['havenNow']>, 'reroute.havenFull' | 'reroute.havenClosed' | 'reroute.havenNoRoom' | 'reroute.havenRemoved'> = {
  full: 'reroute.havenFull',
  closed: 'reroute.havenClosed',
  no_room: 'reroute.havenNoRoom',
  removed: 'reroute.havenRemoved',
};

/**
 * A proposal's lines in `w`'s language, naming zones, constraints and havens as the picture labels them.
 * @example proposalLines(proposal, picture, words).routes[0].figures // '4.1 km · 6 min · 2 min slower'
 */
export function proposalLines(p: RerouteProposal, picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, w: Words): ProposalLines {
  const causes: string[] = [];
  if (p.cause.zones.length > 0) causes.push(w.t('reroute.causeZones', { zones: w.fmt.list(p.cause.zones.map((z) => refName(z, picture, w))) }));
  if (p.cause.havenNow && p.cause.havenId) causes.push(w.t(HAVEN_NOW[p.cause.havenNow], { haven: w.isolate(picture.havens[p.cause.havenId]?.name ?? p.cause.havenId) }));
  const lines: ProposalLines = {
    cause: causes.join(' · '),
    from: p.fromReport ? w.t('reroute.fromReport', { time: w.fmt.utcTime(p.computedMs) }) : w.t('reroute.fromStart'),
    routes: p.routes.map((r, i) => ({
      label: w.t('reroute.route', { n: w.fmt.number(i + 1) }),
      figures: `${w.fmt.distance(r.distance_m)} · ${w.fmt.duration(r.duration_s)} · ${deltaText(r.delta_s, w)}`,
      safety:
        r.exposure_m > 0
          ? w.t('tooltip.exposure', { distance: w.fmt.distance(r.exposure_m) })
          : r.min_clearance_m === null
            ? w.t('tooltip.noZoneNear')
            : w.t('reroute.clearance', { distance: w.fmt.distance(r.min_clearance_m) }),
    })),
  };
  if (p.status === 'no_safe_route') lines.none = w.t('reroute.noRoute');
  else if (p.status === 'no_haven') lines.none = w.t('reroute.noHaven');
  else if (p.status === 'off_network') lines.none = w.t('reroute.offNetwork');
  return lines;
}

/** The zones and constraints that make a corridor unsafe, in words: `UNSAFE AHEAD: Roadblock tz-3`. */
export function unsafeText(zones: readonly ZoneRef[], picture: Pick<Picture, 'threats' | 'constraints'>, w: Words): string {
  return w.t('reroute.unsafe', { zones: w.fmt.list(zones.map((z) => refName(z, picture, w))) });
}

function refName(z: ZoneRef, picture: Pick<Picture, 'threats' | 'constraints'>, w: Words): string {
  return zoneRefName(`${z.kind}:${z.id}`, picture, w);
}

// The field stream (issue 15): what a field unit's phone is sent over a link of a few kilobits per
// second. Not the picture: only its area and what concerns it (its convoy and corridor, the zones and
// constraints within its radius, the alerts for it, its own reports, other units when asked), each an
// item under a key, sent once and then only when it changes. Lines and rings travel as encoded
// polylines (5 decimals, about a metre), and the socket compresses each message (permessage-deflate).
import * as codecModule from '@googlemaps/polyline-codec';
import type { ConvoyState } from './convoy-states.js';
import type { AlertKind } from './tracking.js';
import type { ReportKind, ReportStatus } from './messages.js';

// The package is ES for bundlers and UMD for Node, whose named exports Node cannot see: either way in.
const codec = ((codecModule as unknown as { default?: typeof codecModule }).default ?? codecModule) as typeof codecModule;

/** `/ws?stream=field`: the radius around the unit it is sent zones and constraints within, metres. */
export const FIELD_RADIUS_M = { min: 500, default: 5_000, max: 50_000 } as const;

/** A line or ring as an encoded polyline (Google's format, 5 decimals, `[lon, lat]` in and out). */
export type Encoded = string;

/**
 * Positions as an encoded polyline.
 * @example encodeLine([[11.96, 57.7], [11.97, 57.71]]) // '_pd_J_}~gAo}@o}@'
 */
export function encodeLine(line: readonly (readonly number[])[]): Encoded {
  return codec.encode(
    line.map((p) => [p[1], p[0]]),
    5,
  );
}

/** An encoded polyline as `[lon, lat]` positions. */
export function decodeLine(text: Encoded): [number, number][] {
  return codec.decode(text, 5).map(([lat, lon]) => [lon, lat]);
}

/** The unit's convoy: where it goes, by which route, how far it is, what to do. */
export interface FieldConvoy {
  k: 'convoy';
  id: string;
  name: string;
  state: ConvoyState;
  /** Why it holds and when it moves again, while holding. */
  reason?: string;
  resumeWhen?: string;
  /** The corridor's status; its route when `ok`. */
  status: 'ok' | 'no_safe_route' | 'off_network' | 'no_haven' | 'none';
  route?: Encoded;
  distanceM?: number;
  durationS?: number;
  /** Labels of the zones and constraints that cut or endanger the way ahead, as the recipient may name them. */
  unsafe?: string[];
  /** The haven it leads to. */
  haven?: { name: string; at: [number, number]; status: string };
  /** Its checkpoints not yet passed, in order; the first is the next. */
  ahead: { name: string; at: [number, number]; alongM?: number }[];
}

/**
 * How far the unit's convoy has come (its own item: it changes with every report of the lead unit,
 * the route with it would be sent again each time). Rounded to 50 m and 30 s.
 */
export interface FieldProgress {
  k: 'progress';
  convoyId: string;
  doneM: number;
  leftM: number;
  /** Expected arrival, ms since epoch, while moving. */
  etaMs?: number;
}

/** A threat zone near the unit. */
export interface FieldZone {
  k: 'zone';
  id: string;
  severity: 'no-go' | 'danger' | 'advisory';
  label?: string;
  /** Outer rings of its area. */
  rings: Encoded[];
  validUntilMs?: number;
}

/** An access constraint near the unit: a road (lines) or an area (rings). */
export interface FieldConstraint {
  k: 'constraint';
  id: string;
  status: 'open' | 'restricted' | 'closed';
  category: string;
  reason?: string;
  lines?: Encoded[];
  rings?: Encoded[];
}

/** An alert for the unit or its convoy, not yet cleared. */
export interface FieldAlert {
  k: 'alert';
  id: string;
  kind: AlertKind;
  raisedMs: number;
  convoyId?: string;
  text?: string;
  acknowledged?: boolean;
}

/** One of the unit's own reports, and what the analysts made of it. */
export interface FieldReport {
  k: 'report';
  id: string;
  kind: ReportKind;
  status: ReportStatus;
  timeMs: number;
  remark?: string;
}

/** Another unit near it (only when the client asks: `units=1`). */
export interface FieldUnit {
  k: 'unit';
  id: string;
  at: [number, number];
  timeMs: number;
  callsign?: string;
  affiliation?: string;
}

export type FieldItem = FieldConvoy | FieldProgress | FieldZone | FieldConstraint | FieldAlert | FieldReport | FieldUnit;

/**
 * Server → field client: the items that changed since its last message, by key (`convoy`, `progress`, `z:<id>`,
 * `c:<id>`, `a:<id>`, `r:<id>`, `u:<id>`), and the keys of those gone. `full` replaces all it holds.
 */
export interface FieldMessage {
  type: 'field';
  /** The picture's seq it reflects. */
  seq: number;
  full?: true;
  set: Record<string, FieldItem>;
  drop?: string[];
  serverTimeMs: number;
}

/**
 * What a field client holds after a message: its items by key.
 * @example applyField({}, { type: 'field', seq: 1, full: true, set: { 'z:a': zone }, serverTimeMs: 0 }) // { 'z:a': zone }
 */
export function applyField(held: Readonly<Record<string, FieldItem>>, message: FieldMessage): Record<string, FieldItem> {
  const next: Record<string, FieldItem> = message.full ? {} : { ...held };
  for (const key of message.drop ?? []) delete next[key];
  Object.assign(next, message.set);
  return next;
}

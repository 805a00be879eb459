// Compact fixes on the live stream (P14): a position event's units as rows of numbers instead of
// objects with named keys. Shared by the server (encoding) and every client (decoding); no Node imports.
import type { Unit } from './events.js';

/**
 * One fix as a row: `[unitId, lon, lat, time, seen, heading?, speed?, accuracy?]`, where `time` and
 * `seen` are ms relative to the event's `timeMs` (usually small and negative). Absent optional fields
 * are `null` in the middle of a row and left off at its end.
 */
export type FixRow = [string, number, number, number, number, (number | null)?, (number | null)?, (number | null)?];

/** A row, or a whole unit when the fix names a callsign or an affiliation (rare: first reports). */
export type FixEntry = FixRow | Unit;

/** A `position.reported` event as a socket opened with `fixes=rows` receives it in delta frames (P14). */
export interface PositionRowsEvent {
  seq: number;
  timeMs: number;
  type: 'position.reported';
  fixes: FixEntry[];
}

/**
 * The JSON text of one fix relative to `baseMs`, exact: every number is written as `JSON.stringify`
 * writes it, and `baseMs + offset` gives back the same integer times.
 * @example fixJson({ unitId: 'u1', lon: 12.5, lat: 57.7, timeMs: 990, seenMs: 995, speed: 3 }, 1000)
 *   // '["u1",12.5,57.7,-10,-5,null,3]'
 */
export function fixJson(unit: Unit, baseMs: number): string {
  if (unit.callsign !== undefined || unit.affiliation !== undefined || unit.cotType !== undefined || unit.staleMs !== undefined) return JSON.stringify(unit);
  // Every number in the picture is finite (P5 refuses the rest), so `${n}` is what JSON writes.
  let text = `[${JSON.stringify(unit.unitId)},${unit.lon},${unit.lat},${unit.timeMs - baseMs},${unit.seenMs - baseMs}`;
  const { heading, speed, accuracy } = unit;
  if (accuracy !== undefined) text += `,${opt(heading)},${opt(speed)},${accuracy}`;
  else if (speed !== undefined) text += `,${opt(heading)},${speed}`;
  else if (heading !== undefined) text += `,${heading}`;
  return text + ']';
}

function opt(n: number | undefined): string {
  return n === undefined ? 'null' : `${n}`;
}

/**
 * The units of a rows event, as the object form (P12) carries them.
 * @example expandFixes(1000, [['u1', 12.5, 57.7, -10, -5, null, 3]])
 *   // [{ unitId: 'u1', lon: 12.5, lat: 57.7, timeMs: 990, seenMs: 995, speed: 3 }]
 */
export function expandFixes(baseMs: number, fixes: readonly FixEntry[]): Unit[] {
  const units = new Array<Unit>(fixes.length);
  for (let i = 0; i < fixes.length; i++) {
    const f = fixes[i];
    if (!Array.isArray(f)) {
      units[i] = f;
      continue;
    }
    const unit: Unit = { unitId: f[0], lon: f[1], lat: f[2], timeMs: baseMs + f[3], seenMs: baseMs + f[4] };
    const [, , , , , heading, speed, accuracy] = f;
    if (heading !== undefined && heading !== null) unit.heading = heading;
    if (speed !== undefined && speed !== null) unit.speed = speed;
    if (accuracy !== undefined && accuracy !== null) unit.accuracy = accuracy;
    units[i] = unit;
  }
  return units;
}

/**
 * Rewrites, in place, every rows event of a delta's events into the object form, so one reducer folds
 * both (P14). Events already in object form are left as they are.
 */
export function expandDeltaEvents(events: unknown[]): void {
  for (const e of events as Array<Partial<PositionRowsEvent> & { units?: Unit[] }>) {
    if (e.type === 'position.reported' && Array.isArray(e.fixes) && typeof e.timeMs === 'number') {
      e.units = expandFixes(e.timeMs, e.fixes);
      delete e.fixes;
    }
  }
}

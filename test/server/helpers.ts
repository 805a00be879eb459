// Test helpers for server unit tests (test/server): temp data folders, a silent logger, a small fake router.
import { booleanPointInPolygon } from '@turf/turf';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { CorridorEngine, RouteAnswer, RouteQuery } from '../../routing/types.js';
import type { Corridor, Picture, PictureEvent } from '@corridor/protocol';

export const silentLogger = pino({ level: 'silent' });

/** A fresh temp folder and its cleanup. */
export function tempDir(prefix = 'corridor-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A stand-in router for server tests: straight-line "routes", one corridor per convoy, recomputed
 * whenever a convoy or a zone changes. Records the calls it gets.
 */
export class FakeEngine implements CorridorEngine {
  readonly bbox: [number, number, number, number] = [11.962, 57.7, 11.97, 57.705];
  readonly calls: Array<{ kind: 'init' | 'onEvents'; types: string[]; seq: number }> = [];
  private picture?: Picture;
  /** Straight line; `off_network` when an end is outside the bbox, `no_safe_route` when a no-go zone holds an end. */
  route(query: RouteQuery): RouteAnswer {
    const [w, s, e, n] = this.bbox;
    for (const end of ['from', 'to'] as const) {
      const [x, y] = query[end];
      if (x < w || x > e || y < s || y > n) {
        return { ok: false, code: 'off_network', message: `${end} is more than 1 km from a road`, path: end, distanceM: 5000 };
      }
    }
    const blockedBy = Object.values(this.picture?.threats ?? {})
      .filter((z) => z.severity === 'no-go' && (booleanPointInPolygon(query.from, z.area) || booleanPointInPolygon(query.to, z.area)))
      .map((z) => z.id);
    if (blockedBy.length > 0) return { ok: false, code: 'no_safe_route', message: 'no road path avoids the no-go zones', blockedBy };
    return { ok: true, routes: Array.from({ length: 1 + (query.alternatives ?? 0) }, () => leg(query.from, query.to)) };
  }
  init(picture: Picture): Corridor[] {
    this.picture = picture;
    this.calls.push({ kind: 'init', types: [], seq: picture.seq });
    return Object.values(picture.convoys)
      .filter((c) => !picture.corridors[c.id])
      .map((c) => corridorFor(c.id, c.origin, Array.isArray(c.destination) ? c.destination : c.origin, 'initial'));
  }
  onEvents(events: readonly PictureEvent[], picture: Picture): Corridor[] {
    this.picture = picture;
    this.calls.push({ kind: 'onEvents', types: events.map((e) => e.type), seq: picture.seq });
    const touched = events.some((e) => e.type.startsWith('threat.') || e.type.startsWith('constraint.'));
    const ids = touched ? Object.keys(picture.convoys) : events.flatMap((e) => (e.type === 'convoy.upserted' ? [e.convoy.id] : []));
    return ids
      .filter((id) => picture.convoys[id])
      .map((id) => {
        const c = picture.convoys[id];
        return corridorFor(id, c.origin, Array.isArray(c.destination) ? c.destination : c.origin, touched ? 'zones changed' : 'convoy changed');
      });
  }
}

function leg(from: [number, number], to: [number, number]) {
  return { coordinates: [from, to], distance_m: 100, duration_s: 10, exposure_m: 0, min_clearance_m: null };
}

function corridorFor(convoyId: string, from: [number, number], to: [number, number], reason: string): Corridor {
  return { convoyId, status: 'ok', routes: [leg(from, to)], reason, computedMs: 0 };
}

/** Polls until `check` returns true or `timeoutMs` passes (then throws). */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

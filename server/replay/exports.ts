// The replay's exports of a window of the log (server/replay, issue 16), pure functions from the events
// an audience may see (already passed through the outbox) to text: CSV (RFC 4180 with a BOM and
// formula-safe cells, out/csv.ts) a part at a time, and GeoJSON trips for Kepler.gl's trip layer
// (coordinates `[lon, lat, 0, unix seconds]`): one line per unit through its fixes, and one per
// corridor as it stood, valid from when it was stored until the next one of its convoy.
import type { Corridor, PictureEvent, Unit } from '@corridor/protocol';
import { itemsOf } from '../out/audit.js';
import { toCsv } from '../out/csv.js';

/** The CSV's columns, in order. */
export const REPLAY_CSV_COLUMNS = ['seq', 'time', 'type', 'kind', 'item', 'org', 'role', 'summary'] as const;
type CsvRow = Record<(typeof REPLAY_CSV_COLUMNS)[number], unknown>;

/** The byte-order mark and the header line: the start of the file. */
const HEAD = toCsv(REPLAY_CSV_COLUMNS, []);

/**
 * The start of the CSV file: a byte-order mark and the header line.
 * @example replayCsvHead() // '\uFEFFseq,time,type,kind,item,org,role,summary\r\n'
 */
export function replayCsvHead(): string {
  return HEAD;
}

/**
 * The CSV lines of some events (no header): one per item an event changes (a position report of
 * three units is three lines), the server's own facts with the item the audit trail gives them.
 * @example replayCsvPart([{ seq: 3, timeMs: 0, type: 'haven.removed', id: 'hv-1' }]) // '3,1970-01-01T00:00:00.000Z,haven.removed,haven,hv-1,,,\r\n'
 */
export function replayCsvPart(events: readonly PictureEvent[]): string {
  const rows: CsvRow[] = [];
  for (const e of events) {
    const time = new Date(e.timeMs).toISOString();
    const items = itemsOf(e);
    const base = { seq: e.seq, time, type: e.type, org: e.actor?.org ?? '', role: e.actor?.role ?? '' };
    if (items.length === 0) rows.push({ ...base, kind: '', item: '', summary: summaryOf(e, undefined) });
    for (const i of items) rows.push({ ...base, kind: i.kind, item: i.id, summary: summaryOf(e, i.id) });
  }
  // The same text as one file would give, less its start (each part is written after the head).
  return rows.length === 0 ? '' : toCsv(REPLAY_CSV_COLUMNS, rows).slice(HEAD.length);
}

const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

/**
 * A short summary of what an event says about one of its items, in the log's own words and codes
 * (a client words them in its language): a re-route's reason, a hold's reason, an alert's kind.
 * @example summaryOf({ type: 'alert.raised', alert: { kind: 'off_corridor', … }, … }) // 'off_corridor'
 */
export function summaryOf(e: PictureEvent, item: string | undefined): string {
  switch (e.type) {
    case 'position.reported': {
      const u = e.units.find((x) => x.unitId === item) ?? e.units[0];
      return u ? `${round5(u.lon)} ${round5(u.lat)}` : '';
    }
    case 'corridor.recomputed':
      return corridorSummary(e.corridor);
    case 'corridor.refreshed':
      return e.refresh.reason;
    case 'convoy.route-chosen':
      return `route ${e.route} chosen`;
    case 'reroute.decided':
      return `route ${e.route} of proposal ${e.proposalId} ${e.auto ? 'taken by the plan' : 'decided'}`;
    case 'reroute.proposed': {
      const p = e.proposal;
      const zones = p.cause.zones.map((z) => z.id).join(' ');
      return `${p.status}${zones ? ` around ${zones}` : ''}${p.cause.havenNow ? ` (haven ${p.cause.havenNow})` : ''}`;
    }
    case 'reroute.withdrawn':
      return e.reason;
    case 'convoy.state-changed':
      return `${e.from} → ${e.to}${e.reason !== undefined ? `: ${e.reason}` : ''}`;
    case 'corridor.endangered':
      return e.endangeredBy.length === 0 ? 'safe again' : `endangered by ${e.endangeredBy.map((z) => z.id).join(' ')}`;
    case 'convoy.tracked':
      return `${round5(e.track.at[0])} ${round5(e.track.at[1])}`;
    case 'alert.raised':
      return e.alert.kind;
    case 'alert.acknowledged':
      return e.remark ?? '';
    case 'alert.cleared':
      return e.reason;
    case 'agreement.changed':
      return e.name;
    case 'audit.read':
      return `${e.rows} rows`;
    case 'sites.imported':
      return importSummary(e, item);
    case 'notice.drafted':
      return `${e.notice.reference} v${e.notice.version} ${e.notice.status}${e.notice.changes ? `: ${e.notice.changes.parts.join(' ')} changed` : ''}`;
    case 'notice.sent':
      return `v${e.version} sent`;
    case 'notice.acknowledged':
      return `v${e.version} acknowledged by ${e.by}${e.remark ? `: ${e.remark}` : ''}`;
    case 'notice.expired':
      return `v${e.version} expired: ${e.reason}`;
    default:
      return entitySummary(e);
  }
}

/** Each import's lines by item id, made once per event: an import of 100,000 sites is 100,000 lines. */
const importLines = new WeakMap<PictureEvent, Map<string, string>>();

/** An import's own line (its file, counts), then one per site (its figure) and flow (its people) (issue 17). */
function importSummary(e: Extract<PictureEvent, { type: 'sites.imported' }>, item: string | undefined): string {
  if (item === undefined || item === e.import.id) return `${e.import.name}: ${e.import.sites} sites, ${e.import.flows} flows, ${e.import.skipped} rows skipped`;
  let lines = importLines.get(e);
  if (!lines) {
    lines = new Map();
    for (const s of e.sites) lines.set(s.id, `${s.name} ${s.population} ${s.date}`);
    for (const f of e.flows) lines.set(f.id, `${f.people} ${f.date}`);
    importLines.set(e, lines);
  }
  return lines.get(item) ?? 'removed';
}

function corridorSummary(c: Corridor): string {
  return c.status === 'ok' ? c.reason : `${c.status}: ${c.reason}`;
}

/** An upsert or removal of a posted entity: its removal's reason, or what names it. */
function entitySummary(e: PictureEvent): string {
  const fields = e as unknown as Record<string, unknown>;
  if (e.type.endsWith('.removed')) return typeof fields.reason === 'string' ? fields.reason : '';
  const entity = Object.entries(fields).find(([k, v]) => !['seq', 'timeMs', 'type', 'msgId', 'actor', 'was'].includes(k) && v && typeof v === 'object')?.[1] as Record<string, unknown> | undefined;
  if (!entity) return '';
  const parts = [entity.severity, entity.status, entity.category, entity.state, entity.label ?? entity.name, entity.reason].filter((x) => typeof x === 'string' && x !== '');
  return parts.join(' ');
}

/** A GeoJSON feature of the tracks export. */
export interface TrackFeature {
  type: 'Feature';
  geometry: { type: 'LineString'; coordinates: [number, number, number, number][] } | { type: 'Point'; coordinates: [number, number, number, number] };
  properties: Record<string, unknown>;
}

/** Events that set a convoy's corridor (its route as it stands from then on). */
const CORRIDOR_SETTERS = new Set(['corridor.recomputed', 'reroute.decided', 'convoy.route-chosen']);

/**
 * Builds the tracks export from the events of a window, fed a part at a time in seq order:
 * `add(events)` then `collection()`. Unit lines run through the units' fixes in fix-time order;
 * corridor lines carry `validFromMs` (when stored) and `validToMs` (when the next one of the convoy
 * or its removal came, or null when it still stood at the window's end).
 */
export class TrackBuilder {
  private readonly units = new Map<string, { fixes: [number, number, number, number][]; callsign?: string; affiliation?: string; owner?: string }>();
  private readonly corridors: TrackFeature[] = [];
  /** Each convoy's corridor feature still standing. */
  private readonly standing = new Map<string, TrackFeature>();
  private readonly convoyNames = new Map<string, string>();

  /** @param convoyName a convoy's name as the audience may see it now (for convoys not named in the window). */
  constructor(private readonly convoyName: (id: string) => string | undefined = () => undefined) {}

  add(events: readonly PictureEvent[]): void {
    for (const e of events) {
      if (e.type === 'position.reported') {
        for (const u of e.units) this.fix(u);
      } else if (e.type === 'convoy.upserted') {
        this.convoyNames.set(e.convoy.id, e.convoy.name);
      } else if (e.type === 'convoy.removed') {
        this.close(e.id, e.timeMs);
      } else if (CORRIDOR_SETTERS.has(e.type)) {
        const corridor = (e as { corridor: Corridor }).corridor;
        this.close(corridor.convoyId, e.timeMs);
        const best = corridor.status === 'ok' ? corridor.routes[0] : undefined;
        if (!best || best.coordinates.length < 2) continue;
        const t = e.timeMs / 1000;
        const feature: TrackFeature = {
          type: 'Feature',
          geometry: { type: 'LineString', coordinates: best.coordinates.map(([lon, lat]) => [lon, lat, 0, t]) },
          properties: {
            kind: 'corridor',
            convoyId: corridor.convoyId,
            seq: e.seq,
            event: e.type,
            validFromMs: e.timeMs,
            validToMs: null,
            reason: corridor.reason,
            distance_m: best.distance_m,
            duration_s: best.duration_s,
          },
        };
        this.corridors.push(feature);
        this.standing.set(corridor.convoyId, feature);
      }
    }
  }

  /** The FeatureCollection: units first (by id), then corridors in the order they were stored. */
  collection(): { type: 'FeatureCollection'; features: TrackFeature[] } {
    const features: TrackFeature[] = [];
    for (const id of [...this.units.keys()].sort()) {
      const u = this.units.get(id)!;
      // Fix time order (a store-and-forward report can arrive after later ones); one position per instant.
      const fixes = u.fixes.sort((a, b) => a[3] - b[3]).filter((f, i, all) => i === all.length - 1 || all[i + 1][3] !== f[3]);
      const properties: Record<string, unknown> = { kind: 'unit', unitId: id, fixes: fixes.length };
      if (u.callsign !== undefined) properties.callsign = u.callsign;
      if (u.affiliation !== undefined) properties.affiliation = u.affiliation;
      if (u.owner !== undefined) properties.owner = u.owner;
      // A line needs two positions (RFC 7946): a unit with one fix in the window is a point.
      features.push({ type: 'Feature', geometry: fixes.length >= 2 ? { type: 'LineString', coordinates: fixes } : { type: 'Point', coordinates: fixes[0] }, properties });
    }
    for (const f of this.corridors) {
      const id = f.properties.convoyId as string;
      const name = this.convoyNames.get(id) ?? this.convoyName(id);
      if (name !== undefined) f.properties.convoyName = name;
      features.push(f);
    }
    return { type: 'FeatureCollection', features };
  }

  private fix(u: Unit): void {
    let track = this.units.get(u.unitId);
    if (!track) {
      track = { fixes: [] };
      this.units.set(u.unitId, track);
    }
    track.fixes.push([u.lon, u.lat, 0, u.timeMs / 1000]);
    if (u.callsign !== undefined) track.callsign = u.callsign;
    if (u.affiliation !== undefined) track.affiliation = u.affiliation;
    if (u.owner !== undefined) track.owner = u.owner;
  }

  private close(convoyId: string, atMs: number): void {
    const f = this.standing.get(convoyId);
    if (!f) return;
    f.properties.validToMs = atMs;
    this.standing.delete(convoyId);
  }
}

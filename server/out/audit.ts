// The audit trail (server/out, issue 13): every change in the event log as who (token, organisation,
// role), when, what (the event and the item it changed) and the item before and after, for the
// after-action review. Made by folding the log from its start, page by page, so "before" is what the
// picture held just before the event; filtered by time, organisation, item and kind; given as JSON or
// as CSV (RFC 4180: comma-separated, CRLF, fields quoted when they must be, UTF-8 with a byte-order
// mark so a spreadsheet opens it as UTF-8). Only administrators read it (the routes check), in full.
import { toCsv } from './csv.js';
import { applyEventsInPlace, emptyPicture, eventKind, KINDS, type AuditRow, type Picture, type PictureEvent } from '@corridor/protocol';

export type { AuditRow };
import type { StoredEvent } from '../log/event-log.js';

/** What an administrator asks of the trail. Every field narrows it; none gives everything. */
export interface AuditQuery {
  /** Changes at or after this time, ms since epoch. */
  fromMs?: number;
  /** Changes before this time, ms since epoch. */
  toMs?: number;
  /** Changes made by this organisation (the actor's). */
  org?: string;
  /** Changes of this item (its id). */
  item?: string;
  /** Changes of items of this kind (`unit`, `threat`, `convoy`, … and `agreement`, `audit`, `import`, `notice`). */
  kind?: string;
  /** Rows after this seq (the `next` of a previous page). */
  afterSeq?: number;
  /** At most this many rows. */
  limit: number;
}

export interface AuditPage {
  rows: AuditRow[];
  /** The seq to pass as `after` for the next page; absent when the trail is read to its end. */
  next?: number;
  /** Events looked at. */
  scanned: number;
}

/** The event kinds' item kinds that are not posted entities: the convoy a corridor or an alert is about. */
const CONVOY_EVENTS: Record<string, (e: PictureEvent) => string> = {
  'corridor.recomputed': (e) => (e as { corridor: { convoyId: string } }).corridor.convoyId,
  'corridor.refreshed': (e) => (e as { refresh: { convoyId: string } }).refresh.convoyId,
  'convoy.tracked': (e) => (e as { track: { convoyId: string } }).track.convoyId,
  'reroute.proposed': (e) => (e as { proposal: { convoyId: string } }).proposal.convoyId,
  'alert.raised': (e) => (e as { alert: { convoyId: string } }).alert.convoyId,
};

/** The items an event changes: kind, id, and where the picture holds it (also the replay's CSV, issue 16). */
export function itemsOf(e: PictureEvent): { kind: string; id: string; get: (p: Picture) => unknown }[] {
  if (e.type === 'position.reported') return e.units.map((u) => ({ kind: 'unit', id: u.unitId, get: (p: Picture) => p.units[u.unitId] }));
  if (e.type === 'agreement.changed') return [{ kind: 'agreement', id: e.name, get: () => ({ name: e.name, digest: e.digest }) }];
  if (e.type === 'audit.read') return [{ kind: 'audit', id: 'audit-trail', get: () => ({ query: e.query, rows: e.rows }) }];
  if (e.type === 'sites.imported') {
    // An import (issue 17): the import itself, then each site and flow it upserted, as their own upserts read.
    return [
      { kind: 'import', id: e.import.id, get: () => e.import },
      ...e.sites.map((s) => ({ kind: 'site', id: s.id, get: (p: Picture) => p.sites[s.id] })),
      ...e.flows.map((f) => ({ kind: 'flow', id: f.id, get: (p: Picture) => p.flows[f.id] })),
      ...(e.removed?.sites ?? []).map((id) => ({ kind: 'site', id, get: (p: Picture) => p.sites[id] })),
      ...(e.removed?.flows ?? []).map((id) => ({ kind: 'flow', id, get: (p: Picture) => p.flows[id] })),
    ];
  }
  if (e.type === 'alert.acknowledged' || e.type === 'alert.cleared') {
    return [{ kind: 'alert', id: e.id, get: (p: Picture) => p.alerts[e.id] }];
  }
  if (e.type === 'notice.drafted' || e.type === 'notice.sent' || e.type === 'notice.acknowledged' || e.type === 'notice.expired') {
    // A convoy's deconfliction notice (issue 18): the notice under its convoy's id, as before and after.
    return [{ kind: 'notice', id: e.convoyId, get: (p: Picture) => (Object.hasOwn(p.notices, e.convoyId) ? p.notices[e.convoyId] : undefined) }];
  }
  const ek = eventKind(e.type);
  if (ek) {
    const spec = KINDS[ek.kind];
    const id = ek.op === 'upserted' ? (e as unknown as Record<string, { id: string }>)[spec.field].id : (e as { id: string }).id;
    return [{ kind: ek.kind, id, get: (p: Picture) => (p[spec.slice] as Record<string, unknown>)[id] }];
  }
  // Corridors, tracks, proposals, alerts and states are the convoy's: the convoy and what derives from it.
  const convoyId = CONVOY_EVENTS[e.type]?.(e) ?? (e as { convoyId?: string }).convoyId;
  if (convoyId === undefined) return [];
  return [
    {
      kind: 'convoy',
      id: convoyId,
      get: (p: Picture) => {
        const part = (name: 'corridors' | 'tracks' | 'proposals' | 'convoys') => (Object.hasOwn(p[name], convoyId) ? p[name][convoyId] : undefined);
        const alert = e.type === 'alert.raised' ? p.alerts[e.alert.id] : undefined;
        return { convoy: part('convoys') ?? null, corridor: part('corridors') ?? null, track: part('tracks') ?? null, proposal: part('proposals') ?? null, ...(alert ? { alert } : {}) };
      },
    },
  ];
}

/** Events read from the log per page while folding. */
const PAGE = 5000;

/**
 * Reads the trail: folds the log from its start (`read` gives the events after a seq, in order),
 * keeping the rows the query asks for, up to its limit. Yields to the event loop between pages.
 */
export async function readAuditTrail(read: (since: number, limit: number) => Promise<StoredEvent[]>, query: AuditQuery): Promise<AuditPage> {
  const picture = emptyPicture();
  const rows: AuditRow[] = [];
  let scanned = 0;
  let since = 0;
  for (;;) {
    const page = await read(since, PAGE);
    if (page.length === 0) return { rows, scanned };
    for (const stored of page) {
      const event = JSON.parse(stored.json) as PictureEvent;
      scanned++;
      since = stored.seq;
      const wanted = (query.afterSeq === undefined || event.seq > query.afterSeq) && (query.fromMs === undefined || event.timeMs >= query.fromMs) && (query.toMs === undefined || event.timeMs < query.toMs) && (query.org === undefined || event.actor?.org === query.org);
      const items = wanted ? itemsOf(event).filter((i) => (query.item === undefined || i.id === query.item) && (query.kind === undefined || i.kind === query.kind)) : [];
      const before = items.map((i) => structuredClone(i.get(picture) ?? null));
      applyEventsInPlace(picture, [event]);
      items.forEach((i, n) => {
        rows.push({
          seq: event.seq,
          time: new Date(event.timeMs).toISOString(),
          type: event.type,
          kind: i.kind,
          item: i.id,
          tokenId: event.actor?.tokenId ?? '',
          org: event.actor?.org ?? '',
          role: event.actor?.role ?? '',
          before: before[n],
          after: i.get(picture) ?? null,
        });
      });
      if (rows.length >= query.limit) return { rows: rows.slice(0, query.limit), next: rows[query.limit - 1].seq, scanned };
    }
    // The trail of a long log is read page by page: other work goes on between them.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The CSV columns, in order. */
export const AUDIT_COLUMNS = ['seq', 'time', 'type', 'kind', 'item', 'org', 'role', 'tokenId', 'before', 'after'] as const;

/** The rows as CSV (RFC 4180) with a header, a byte-order mark and CRLF line ends. */
export function auditCsv(rows: readonly AuditRow[]): string {
  return toCsv(AUDIT_COLUMNS, rows);
}

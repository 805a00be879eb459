// The wall's ticker (client/src/wall, issue 17): which events of the live stream the room should see (zones
// new or changed, re-routes, holds, arrivals, routes cut, havens filling, alerts, units gone stale), worded as
// the replay's list words them (replay/event-text.ts), newest first and bounded. Pure: WallTicker.tsx feeds it.
import type { Picture, PictureEvent, Unit } from '@corridor/protocol';
import { isStale } from '@corridor/protocol';
import { describeEvent, type EventContext } from '../replay/event-text.js';
import { markOf, type MarkKind } from '../replay/replay-logic.js';
import { HAVEN_STATUS_WORDS, type Words } from '../layers/words.js';
import type { StaleClock } from '../layers/unit-layers.js';

/** What a ticker line is about: the replay's marks, and what the wall adds. */
export type TickerKind = MarkKind | 'arrival' | 'state' | 'unsafe' | 'haven' | 'stale';

/** One line of the ticker. */
export interface TickerItem {
  /** What it is about (`zone:tz-3`, `convoy:cv-1`, `stale:u-1`): a newer line about the same thing replaces it. */
  key: string;
  kind: TickerKind;
  /** When it happened (server time), ms since epoch. */
  timeMs: number;
  text: string;
}

/** Lines kept: the ticker shows the newest few; never more than this is held, however long the wall runs. */
export const TICKER_MAX = 24;

/** The pictures a ticker line is worded against: names of zones, havens, convoys and alerts. */
export type TickerPicture = Pick<Picture, 'threats' | 'constraints' | 'havens' | 'convoys' | 'alerts'>;

/**
 * What an event is about and as what kind of line, or null when the room need not see it (positions,
 * tracking, acknowledgements, a plan's convoy being approved…). `before` is the picture the event was
 * folded into: a haven's line says only a change of its status.
 * @example tickerSubject({ type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'arrived', ... }, before) // { kind: 'arrival', key: 'convoy:cv-1' }
 */
export function tickerSubject(e: PictureEvent, before: Pick<Picture, 'havens'>): { kind: TickerKind; key: string } | null {
  switch (e.type) {
    case 'convoy.state-changed':
      if (e.to === 'holding') return { kind: 'hold', key: `convoy:${e.convoyId}` };
      if (e.to === 'arrived') return { kind: 'arrival', key: `convoy:${e.convoyId}` };
      return e.to === 'moving' || e.to === 'aborted' ? { kind: 'state', key: `convoy:${e.convoyId}` } : null;
    case 'corridor.endangered':
      return { kind: 'unsafe', key: `unsafe:${e.convoyId}` };
    case 'haven.upserted': {
      const was = before.havens[e.haven.id];
      return was && was.status !== e.haven.status ? { kind: 'haven', key: `haven:${e.haven.id}` } : null;
    }
    case 'threat.upserted':
      return { kind: 'zone', key: `zone:${e.zone.id}` };
    case 'threat.removed':
    case 'constraint.removed':
      return { kind: 'zone', key: `zone:${e.id}` };
    case 'constraint.upserted':
      return { kind: 'zone', key: `zone:${e.constraint.id}` };
    case 'alert.raised':
      return { kind: 'alert', key: `alert:${e.alert.id}` };
    default: {
      const mark = markOf(e);
      if (!mark) return null;
      // A re-route: a corridor re-routed or cut, a proposal made or taken; one line per convoy.
      const x = e as { convoyId?: string; corridor?: { convoyId?: string }; proposal?: { convoyId?: string } };
      const convoyId = x.convoyId ?? x.corridor?.convoyId ?? x.proposal?.convoyId;
      return { kind: mark, key: convoyId ? `route:${convoyId}` : `seq:${e.seq}` };
    }
  }
}

/** Names the replay's wording looks up by id, taken from the live picture (which holds every open convoy and alert). */
export function contextOf(p: Pick<Picture, 'convoys' | 'alerts'> & Partial<Pick<Picture, 'notices'>>): EventContext {
  return {
    references: new Map(Object.values(p.notices ?? {}).map((n) => [n.convoyId, n.reference])),
    convoys: new Map(Object.values(p.convoys).map((c) => [c.id, c.name])),
    alerts: new Map(Object.values(p.alerts).map((a) => [a.id, { kind: a.kind, subject: a.convoyId ?? a.unitId ?? '' }])),
  };
}

/**
 * The ticker line of an event, or null (see {@link tickerSubject}); worded by the replay's `describeEvent`,
 * a haven's change of status as its name and status, against the picture after the event.
 */
export function tickerLine(e: PictureEvent, before: Pick<Picture, 'havens'>, after: TickerPicture, w: Words): TickerItem | null {
  const subject = tickerSubject(e, before);
  if (!subject) return null;
  const text =
    e.type === 'haven.upserted' ? w.t('wall.havenStatus', { haven: w.isolate(e.haven.name), status: w.t(HAVEN_STATUS_WORDS[e.haven.status]) }) : describeEvent(e, contextOf(after), after, w).what;
  return { ...subject, timeMs: e.timeMs, text };
}

/**
 * Lines for units that went stale since `wasStale` (ids): one each, worded as the map marks them. Returns the
 * lines and the stale set now, to pass to the next call.
 */
export function staleLines(units: Record<string, Unit>, clock: StaleClock, wasStale: ReadonlySet<string>, w: Words): { lines: TickerItem[]; stale: Set<string> } {
  const stale = new Set<string>();
  const lines: TickerItem[] = [];
  for (const u of Object.values(units)) {
    if (!isStale(u, clock.nowMs, clock.staleAfterMs)) continue;
    stale.add(u.unitId);
    if (!wasStale.has(u.unitId)) lines.push({ key: `stale:${u.unitId}`, kind: 'stale', timeMs: clock.nowMs, text: w.t('label.unitStaleShort', { name: w.isolate(u.callsign ?? u.unitId) }) });
  }
  return { lines, stale };
}

/**
 * The ticker with new lines added: newest first, one line per subject (a zone that grows again and again is
 * one line: the latest about it wins, whichever came first), at most `max` kept. A new array; the old one is
 * not changed.
 * @example addLines([], [{ key: 'zone:tz-1', kind: 'zone', timeMs: 1, text: 'a' }]).length // 1
 */
export function addLines(items: readonly TickerItem[], lines: readonly TickerItem[], max = TICKER_MAX): TickerItem[] {
  if (lines.length === 0) return items as TickerItem[];
  const byKey = new Map<string, TickerItem>();
  for (const i of items) byKey.set(i.key, i);
  // Lines come oldest first; a later line about the same subject, or one as recent, replaces the one held.
  for (const l of lines) {
    const held = byKey.get(l.key);
    if (!held || l.timeMs >= held.timeMs) byKey.set(l.key, l);
  }
  return [...byKey.values()].sort((a, b) => b.timeMs - a.timeMs).slice(0, max);
}

// Events of the log in a reviewer's words (client/src/replay, issue 16): who did what, re-routes with their
// reasons, holds, alerts and acknowledgements, zones and constraints, each from the catalogues' `replay.ev.*`.
// Names come from what the log said earlier (a convoy's name, an alert's kind), gathered as events are read.
import type { AlertKind, Picture, PictureEvent } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { ALERT_KIND_WORDS, CONVOY_STATE_WORDS, ITEM_KIND_WORDS, SEVERITY_WORDS, type ItemKind, type Words } from '../layers/words.js';
import { corridorReason } from '../ui/format.js';
import { markOf, type MarkKind } from './replay-logic.js';

/** What earlier events said of the items later ones name only by id. */
export interface EventContext {
  convoys: Map<string, string>;
  alerts: Map<string, { kind: AlertKind; subject: string }>;
  /** Each convoy's deconfliction notice reference (issue 18). */
  references: Map<string, string>;
}

export function emptyContext(): EventContext {
  return { convoys: new Map(), alerts: new Map(), references: new Map() };
}

/** Notes what an event tells of names (a convoy's, an alert's kind and subject) for the events after it. */
export function noteContext(ctx: EventContext, e: PictureEvent): void {
  if (e.type === 'convoy.upserted') ctx.convoys.set(e.convoy.id, e.convoy.name);
  else if (e.type === 'alert.raised') ctx.alerts.set(e.alert.id, { kind: e.alert.kind, subject: e.alert.convoyId ?? e.alert.unitId ?? '' });
  else if (e.type === 'notice.drafted') ctx.references.set(e.convoyId, e.notice.reference);
}

/** One line of the replay's event list. */
export interface EventLine {
  seq: number;
  timeMs: number;
  /** Organisation and role of who did it; null for the server's own facts (routing, tracking, expiry). */
  who: string | null;
  what: string;
  mark: MarkKind | null;
}


/**
 * An event as a line of the list, in `w`'s language; names of zones and havens in reasons as `picture` labels
 * them, convoys and alerts as the log named them (`ctx`).
 * @example describeEvent({ seq: 9, timeMs: 0, type: 'convoy.state-changed', convoyId: 'cv-1', from: 'moving', to: 'holding', reason: 'bridge', actor }, ctx, picture, w).what // 'EVAC BLUE holds: bridge'
 */
export function describeEvent(e: PictureEvent, ctx: EventContext, picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, w: Words): EventLine {
  const convoy = (id: string) => w.isolate(ctx.convoys.get(id) ?? id);
  const who = e.actor ? w.t('replay.who', { org: w.isolate(e.actor.org), role: w.isolate(e.actor.role) }) : null;
  return { seq: e.seq, timeMs: e.timeMs, who, what: whatText(e, ctx, picture, w, convoy), mark: markOf(e) };
}

function alertSubject(id: string, ctx: EventContext, w: Words, convoy: (id: string) => string): { kind: string; subject: string } {
  const a = ctx.alerts.get(id);
  if (!a) return { kind: w.t('replay.ev.someAlert'), subject: w.isolate(id) };
  return { kind: w.t(ALERT_KIND_WORDS[a.kind]), subject: ctx.convoys.has(a.subject) ? convoy(a.subject) : w.isolate(a.subject) };
}

function whatText(e: PictureEvent, ctx: EventContext, picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, w: Words, convoy: (id: string) => string): string {
  switch (e.type) {
    case 'threat.upserted':
      return w.t('replay.ev.zoneSet', { zone: w.isolate(e.zone.label ?? e.zone.id), severity: w.t(SEVERITY_WORDS[e.zone.severity].tag) });
    case 'threat.removed':
      return w.t(e.reason === 'expired' ? 'replay.ev.zoneExpired' : 'replay.ev.zoneRemoved', { zone: w.isolate(picture.threats[e.id]?.label ?? e.id) });
    case 'constraint.upserted':
      return w.t('replay.ev.constraintSet', { name: w.isolate(e.constraint.reason ?? e.constraint.id), status: w.t(`accessStatus.${e.constraint.status}` as MessageKey) });
    case 'constraint.removed':
      return w.t(e.reason === 'expired' ? 'replay.ev.constraintExpired' : 'replay.ev.constraintRemoved', { name: w.isolate(picture.constraints[e.id]?.reason ?? e.id) });
    case 'corridor.recomputed':
      return w.t('replay.ev.route', { convoy: convoy(e.corridor.convoyId), reason: corridorReason(e.corridor, picture, w) });
    case 'reroute.proposed': {
      const zones = e.proposal.cause.zones.map((z) => w.isolate(picture.threats[z.id]?.label ?? picture.constraints[z.id]?.reason ?? z.id));
      return zones.length
        ? w.t('replay.ev.proposedBecause', { convoy: convoy(e.proposal.convoyId), zones: w.fmt.list(zones) })
        : w.t('replay.ev.proposed', { convoy: convoy(e.proposal.convoyId) });
    }
    case 'reroute.decided':
      return w.t(e.auto ? 'replay.ev.decidedAuto' : 'replay.ev.decided', { convoy: convoy(e.convoyId), n: w.fmt.number(e.route + 1), reason: corridorReason(e.corridor, picture, w) });
    case 'reroute.withdrawn':
      return w.t('replay.ev.withdrawn', { convoy: convoy(e.convoyId) });
    case 'convoy.route-chosen':
      return w.t('replay.ev.routeChosen', { convoy: convoy(e.convoyId), n: w.fmt.number(e.route + 1) });
    case 'convoy.state-changed': {
      if (e.to === 'holding') {
        const hold = w.t('replay.ev.hold', { convoy: convoy(e.convoyId), reason: w.isolate(e.reason ?? '—') });
        return e.resumeWhen ? `${hold} · ${w.t('side.resumeWhen', { condition: w.isolate(e.resumeWhen) })}` : hold;
      }
      const values = { convoy: convoy(e.convoyId), from: w.t(CONVOY_STATE_WORDS[e.from]), to: w.t(CONVOY_STATE_WORDS[e.to]) };
      return e.reason ? w.t('replay.ev.stateBecause', { ...values, reason: w.isolate(e.reason) }) : w.t('replay.ev.state', values);
    }
    case 'corridor.endangered':
      return e.endangeredBy.length
        ? w.t('replay.ev.unsafe', { convoy: convoy(e.convoyId), zones: w.fmt.list(e.endangeredBy.map((z) => w.isolate(picture.threats[z.id]?.label ?? picture.constraints[z.id]?.reason ?? z.id))) })
        : w.t('replay.ev.safe', { convoy: convoy(e.convoyId) });
    case 'alert.raised': {
      const subject = e.alert.convoyId ? convoy(e.alert.convoyId) : w.isolate(e.alert.detail.callsign ?? e.alert.unitId ?? e.alert.id);
      return w.t('replay.ev.alert', { kind: w.t(ALERT_KIND_WORDS[e.alert.kind]), subject });
    }
    case 'alert.acknowledged': {
      const a = alertSubject(e.id, ctx, w, convoy);
      return e.remark ? w.t('replay.ev.ackRemark', { ...a, remark: w.isolate(e.remark) }) : w.t('replay.ev.ack', a);
    }
    case 'alert.cleared':
      return w.t('replay.ev.cleared', alertSubject(e.id, ctx, w, convoy));
    case 'agreement.changed':
      return w.t('replay.ev.agreement', { name: w.isolate(e.name) });
    case 'notice.drafted': {
      const n = e.notice;
      const values = { reference: w.isolate(n.reference), version: w.fmt.number(n.version), convoy: convoy(e.convoyId) };
      return n.version === 1 ? w.t('replay.ev.noticeDrafted', values) : w.t('replay.ev.noticeSuperseded', { ...values, previous: w.fmt.number(n.version - 1) });
    }
    case 'notice.sent':
    case 'notice.acknowledged':
    case 'notice.expired': {
      const values = { reference: w.isolate(ctx.references.get(e.convoyId) ?? e.convoyId), version: w.fmt.number(e.version), convoy: convoy(e.convoyId) };
      if (e.type === 'notice.sent') return w.t('replay.ev.noticeSent', values);
      if (e.type === 'notice.expired') return w.t('replay.ev.noticeExpired', values);
      return e.remark
        ? w.t('replay.ev.noticeAcknowledgedRemark', { ...values, by: w.isolate(e.by), remark: w.isolate(e.remark) })
        : w.t('replay.ev.noticeAcknowledged', { ...values, by: w.isolate(e.by) });
    }
    case 'sites.imported':
      return w.t('replay.ev.imported', { name: w.isolate(e.import.name), org: w.isolate(e.import.by), sites: w.fmt.number(e.import.sites), flows: w.fmt.number(e.import.flows) });
    default: {
      const [kind, op] = e.type.split('.');
      const id = (e as { id?: string }).id ?? ((e as unknown as Record<string, { id?: string } | undefined>)[kind]?.id ?? '');
      const name = kind === 'convoy' && id ? convoy(id) : w.isolate(id);
      const kindWord = Object.hasOwn(ITEM_KIND_WORDS, kind) ? w.t(ITEM_KIND_WORDS[kind as ItemKind]) : w.isolate(kind);
      return w.t(op === 'removed' ? 'replay.ev.itemRemoved' : 'replay.ev.itemSet', { kind: kindWord, id: name });
    }
  }
}

// The re-router (server/convoys, P22): a reactor that watches the route still ahead of every moving or
// holding convoy. When a zone, a closed constraint or its haven cuts or endangers it, the corridor is
// marked unsafe at once (`corridor.endangered`, and an `unsafe_route` alert) and a proposal is made
// from where the convoy is (`reroute.proposed`): the best route and alternatives, each with what it
// costs or saves. A planner decides (`convoy.reroute`), or the convoy's automatic acceptance does.
import { havenBook, mayUse, routeKey, sameZones, shownAlertId, type AlertKind, type Convoy, type ConvoyTrack, type Corridor, type Haven, type NewEvent, type Picture, type PictureEvent, type RerouteProposal, type ZoneRef } from '@corridor/protocol';
import type { RouteAnswer, RouteQuery } from '../../routing/types.js';
import { defined, newId } from '../core/commands.js';
import type { Reaction, Reactor, ReactorContext } from '../core/reactor.js';
import { autoAccepts, boxesMeet, boxOfChange, boxOfLine, decidedCorridor, endangerment, proposedRoutes, routeAhead, secondsLeft, UNDER_WAY } from './reroute.js';
import { reconcileAlerts, type Cause } from './tracking.js';

/** How many alternatives a proposal offers besides the best route. */
const PROPOSAL_ALTERNATIVES = 2;
const UNSAFE: ReadonlySet<AlertKind> = new Set(['unsafe_route']);

export interface RerouterOptions {
  /** Route queries, answered on the routing thread. */
  route(query: RouteQuery): Promise<RouteAnswer>;
}

/** Why a convoy needs a proposal now. */
interface Need {
  zones: ZoneRef[];
  havenId?: string;
  havenNow?: RerouteProposal['cause']['havenNow'];
}

export class ConvoyRerouter implements Reactor {
  readonly name = 'rerouter';
  readonly types: ReadonlySet<string> = new Set([
    'threat.upserted',
    'threat.removed',
    'constraint.upserted',
    'constraint.removed',
    'haven.upserted',
    'haven.removed',
    'convoy.state-changed',
    'convoy.removed',
    'reroute.decided',
  ]);
  private ctx?: ReactorContext;
  /** Open `unsafe_route` alerts by key → id. */
  private readonly open = new Map<string, string>();
  /** Each convoy's route ahead, by convoy id, with the key of the route and progress it was made for. */
  private readonly ahead = new Map<string, { key: string; box: number[] } & NonNullable<ReturnType<typeof routeAhead>>>();

  constructor(private readonly opts: RerouterOptions) {}

  start(picture: Picture, ctx: ReactorContext): Promise<Reaction | void> {
    this.ctx = ctx;
    for (const a of Object.values(picture.alerts)) if (a.kind === 'unsafe_route' && a.clearedMs === undefined) this.open.set(`${a.convoyId}|unsafe_route`, a.id);
    // What changed while the server was down is looked at once, as after any change.
    return this.review(picture, Object.keys(picture.convoys), new Set());
  }

  onCommitted(events: readonly PictureEvent[], picture: Picture): Reaction | void | Promise<Reaction | void> {
    const look = new Set<string>();
    const havens = new Set<string>();
    let zonesChanged = false;
    /** Boxes of zones and constraints added or changed; a removal can only make routes safer. */
    const changed: number[][] = [];
    const out: NewEvent[] = [];
    for (const e of events) {
      switch (e.type) {
        case 'threat.upserted':
          zonesChanged = true;
          changed.push(boxOfChange(e.zone));
          break;
        case 'constraint.upserted':
          zonesChanged = true;
          changed.push(boxOfChange(e.constraint));
          break;
        case 'threat.removed':
        case 'constraint.removed':
          zonesChanged = true;
          break;
        case 'haven.upserted':
          havens.add(e.haven.id);
          break;
        case 'haven.removed':
          havens.add(e.id);
          break;
        case 'reroute.decided':
          look.add(e.convoyId);
          break;
        case 'convoy.state-changed':
        case 'convoy.removed': {
          const id = e.type === 'convoy.removed' ? e.id : e.convoyId;
          if (e.type === 'convoy.removed') this.ahead.delete(id);
          const convoy = picture.convoys[id];
          if (convoy && UNDER_WAY.has(convoy.state)) {
            look.add(id);
            break;
          }
          // A convoy no longer under way: its proposal and its unsafe alert end with it.
          const proposal = picture.proposals[id];
          if (proposal) out.push({ type: 'reroute.withdrawn', convoyId: id, proposalId: proposal.id, reason: 'convoy_ended' });
          out.push(...this.alerts(id, [], this.now()));
          break;
        }
      }
    }
    const ids = zonesChanged ? Object.keys(picture.convoys) : [...look, ...this.boundFor(picture, havens)];
    if (ids.length === 0) return out.length > 0 ? { events: out } : undefined;
    // On a change of zones, a convoy looked at for nothing else needs a look only when its route ahead
    // was unsafe (a removal may clear it) or meets what was added or changed.
    const only = zonesChanged ? (id: string) => look.has(id) || this.mayMeet(picture, id, changed) : undefined;
    return this.review(picture, only ? ids.filter(only) : ids, havens, out);
  }

  /** Whether a change of zones may touch a convoy's route ahead: it was unsafe, or its box meets a changed box. */
  private mayMeet(picture: Picture, id: string, changed: number[][]): boolean {
    const corridor = picture.corridors[id];
    if (!corridor || corridor.status !== 'ok' || corridor.endangeredBy?.length || picture.proposals[id]) return true;
    const ahead = this.aheadOf(id, corridor, picture.tracks[id]);
    return ahead !== undefined && changed.some((b) => boxesMeet(b, ahead.box));
  }

  /** The route ahead of a convoy with its box, made once per route and progress. */
  private aheadOf(id: string, corridor: Corridor | undefined, track: ConvoyTrack | undefined) {
    const best = corridor?.status === 'ok' ? corridor.routes[0] : undefined;
    if (!best) return undefined;
    const key = `${routeKey(best)}|${track?.routeKey === routeKey(best) ? track.progress.done_m : 0}`;
    const held = this.ahead.get(id);
    if (held?.key === key) return held;
    const ahead = routeAhead(corridor, track);
    if (!ahead) return undefined;
    const made = { key, ...ahead, box: boxOfLine(ahead.coords) };
    this.ahead.set(id, made);
    return made;
  }

  /**
   * Looks at the route ahead of each convoy under way among `ids`: marks it endangered or safe again
   * at once, and asks for proposals where one is needed; resolves with every event to append.
   */
  private async review(picture: Picture, ids: string[], havens: ReadonlySet<string>, out: NewEvent[] = []): Promise<Reaction | void> {
    const nowMs = this.now();
    const asked: Array<Promise<Proposed>> = [];
    for (const id of [...new Set(ids)].sort()) {
      const convoy = picture.convoys[id];
      if (!convoy || !UNDER_WAY.has(convoy.state)) continue;
      const corridor = picture.corridors[id];
      const track = picture.tracks[id];
      const ahead = this.aheadOf(id, corridor, track);
      const zones = ahead ? endangerment(ahead, picture, ahead.box) : [];
      if (corridor && !sameZones(corridor.endangeredBy, zones)) out.push({ type: 'corridor.endangered', convoyId: id, endangeredBy: zones });
      out.push(...this.alerts(id, zones, nowMs));
      const haven = corridor?.havenId ? picture.havens[corridor.havenId] : undefined;
      const havenNow = corridor?.havenId && (havens.has(corridor.havenId) || !haven) ? havenProblem(haven, convoy, picture) : undefined;
      const open = picture.proposals[id];
      const noRoute = corridor !== undefined && corridor.status !== 'ok';
      const grew = zones.some((z) => !(corridor?.endangeredBy ?? []).some((w) => w.kind === z.kind && w.id === z.id));
      if (zones.length > 0 || havenNow || noRoute) {
        // A new cause, or a picture changed under an open proposal: propose (again) from where it is.
        if (grew || havenNow || noRoute || open) asked.push(this.propose(convoy, picture, { zones, havenId: havenNow ? corridor?.havenId : undefined, havenNow }, nowMs));
      } else if (open) {
        out.push({ type: 'reroute.withdrawn', convoyId: id, proposalId: open.id, reason: 'no_longer_needed' });
      }
    }
    // The unsafe marks and alerts go at once, ahead of the proposals that take routing time: no screen
    // shows the route as safe a moment longer than the log knows it is not. Each proposal then goes as
    // soon as its routes are in, not after the slowest of them.
    if (asked.length === 0 || !this.ctx) {
      for (const made of await Promise.all(asked)) {
        out.push(...made.events);
        if (made.more) out.push(...(await made.more));
      }
      return out.length > 0 ? { events: out } : undefined;
    }
    const ctx = this.ctx;
    if (out.length > 0) ctx.append({ events: out.splice(0) });
    // Each proposal's best route goes first, its alternatives after the best routes of all the others.
    const more: Array<Promise<void>> = [];
    await Promise.all(
      asked.map((p) =>
        p.then((made) => {
          if (made.events.length > 0) ctx.append({ events: made.events });
          if (made.more) more.push(made.more.then((events) => void (events.length > 0 && ctx.append({ events }))));
        }),
      ),
    );
    await Promise.all(more);
    return undefined;
  }

  /**
   * A proposal for one convoy from where it is, and its automatic acceptance when the convoy allows it.
   * Its best route is asked first (one search per destination, a fraction of a millisecond with the
   * destination's target tree), so the planner sees a safe way at once; its alternatives, a few more
   * searches each, come in `more` as an addition to that proposal (`reroute.proposed` with `more`).
   */
  private async propose(convoy: Convoy, picture: Picture, need: Need, nowMs: number): Promise<Proposed> {
    const corridor = picture.corridors[convoy.id];
    const track = picture.tracks[convoy.id];
    const ahead = routeAhead(corridor, track);
    const from: [number, number] = ahead?.from ?? (track ? track.at : convoy.origin);
    const fromReport = ahead?.fromReport ?? track !== undefined;
    const leftS = secondsLeft(corridor, track);
    const base = { id: newId('rp-', nowMs), convoyId: convoy.id, cause: defined({ zones: need.zones, havenId: need.havenId, havenNow: need.havenNow }), from, fromReport, computedMs: nowMs };
    let proposal: RerouteProposal;
    let target: { at: [number, number]; havenId?: string } | undefined;
    const targets = this.targets(convoy, picture, corridor?.havenId, need);
    if (targets.length === 0) {
      proposal = { ...base, status: 'no_haven', routes: [] };
    } else {
      const answers = await Promise.all(
        targets.map(async (t) => ({ t, a: await this.opts.route({ from, to: t.at, alternatives: 0, vehicleClass: convoy.vehicleClass }).catch(() => undefined) })),
      );
      const ok = answers.filter((x): x is { t: (typeof targets)[number]; a: Extract<RouteAnswer, { ok: true }> } => x.a?.ok === true && x.a.routes.length > 0);
      ok.sort((x, y) => x.a.routes[0].duration_s - y.a.routes[0].duration_s);
      if (ok.length > 0) {
        const best = ok[0];
        proposal = { ...base, status: 'ok', routes: proposedRoutes(best.a.routes, leftS) };
        if (best.t.havenId) proposal.havenId = best.t.havenId;
        target = best.t;
      } else {
        const failed = answers.find((x) => x.a && !x.a.ok)?.a;
        proposal = failed && !failed.ok && failed.code === 'off_network' ? { ...base, status: 'off_network', routes: [] } : { ...base, status: 'no_safe_route', routes: [], blockedBy: failed && !failed.ok && failed.code === 'no_safe_route' ? failed.blockedBy : [] };
      }
    }
    // The picture may have moved on while the routes were asked for: a proposal whose every zone has
    // gone meanwhile (lifted a moment after it came) and no haven cause is not made.
    const now = this.ctx?.picture();
    if (now && need.zones.length > 0 && !need.havenNow && now.corridors[convoy.id]?.status === 'ok') {
      const stands = need.zones.some((z) => (z.kind === 'zone' ? Object.hasOwn(now.threats, z.id) : Object.hasOwn(now.constraints, z.id)));
      if (!stands) return { events: [] };
    }
    const events: NewEvent[] = [{ type: 'reroute.proposed', proposal }];
    // The convoy's own rule, else its plan's (issue 12).
    const plan = convoy.planId !== undefined && Object.hasOwn(picture.plans, convoy.planId) ? picture.plans[convoy.planId] : undefined;
    if (autoAccepts(proposal, convoy.autoAcceptMinutes ?? plan?.autoAcceptMinutes)) {
      const names = (z: ZoneRef) => (z.kind === 'zone' ? picture.threats[z.id]?.label : picture.constraints[z.id]?.reason) ?? z.id;
      events.push({ type: 'reroute.decided', convoyId: convoy.id, proposalId: proposal.id, route: 0, auto: true, corridor: decidedCorridor(proposal, 0, nowMs, names) });
      return { events };
    }
    if (!target) return { events };
    const first = proposal;
    const more = this.opts
      .route({ from, to: target.at, alternatives: PROPOSAL_ALTERNATIVES, vehicleClass: convoy.vehicleClass })
      .catch(() => undefined)
      .then((a): NewEvent[] => {
        // Nothing to add without another acceptable route; one for a proposal decided or replaced
        // meanwhile is dropped by the fold (apply-event.ts).
        if (!a?.ok || a.routes.length <= 1) return [];
        return [{ type: 'reroute.proposed', more: true, proposal: { ...first, routes: proposedRoutes(a.routes, leftS) } }];
      });
    return { events, more };
  }

  /**
   * Where a proposal may lead: the convoy's own point destination; or the haven it is bound for while
   * it is open with room; else every open haven with room for its people (the nearest by time is taken).
   */
  private targets(convoy: Convoy, picture: Picture, havenId: string | undefined, need: Need): { at: [number, number]; havenId?: string }[] {
    if (convoy.destination !== 'nearest-haven') return [{ at: convoy.destination }];
    const current = havenId ? picture.havens[havenId] : undefined;
    if (current && !need.havenNow && !havenProblem(current, convoy, picture)) return [{ at: [current.lon, current.lat], havenId: current.id }];
    const allowed = mayUse(convoy, picture.plans);
    return Object.values(picture.havens)
      .filter((h) => allowed(h.id) && !havenProblem(h, convoy, picture))
      .map((h) => ({ at: [h.lon, h.lat] as [number, number], havenId: h.id }));
  }

  /** Convoys under way bound for one of these havens. */
  private boundFor(picture: Picture, havens: ReadonlySet<string>): string[] {
    if (havens.size === 0) return [];
    return Object.values(picture.corridors)
      .filter((c) => c.havenId !== undefined && havens.has(c.havenId))
      .map((c) => c.convoyId);
  }

  /** Raises or clears a convoy's `unsafe_route` alert as its route ahead is cut or safe. */
  private alerts(convoyId: string, zones: ZoneRef[], nowMs: number): NewEvent[] {
    const causes: Cause[] = zones.length > 0 ? [{ kind: 'unsafe_route', detail: { zones: zones.map((z) => `${z.kind}:${z.id}`) } }] : [];
    const alerts = this.ctx?.picture().alerts;
    return reconcileAlerts({ convoyId, kinds: UNSAFE, causes, open: this.open, nowMs, newId: () => newId('al-', nowMs), shown: alerts ? (key) => shownAlertId(alerts, key) : undefined });
  }

  private now(): number {
    return this.ctx?.now() ?? Date.now();
  }
}

/** A proposal's events (its best route, an automatic acceptance), and its alternatives to come. */
interface Proposed {
  events: NewEvent[];
  more?: Promise<NewEvent[]>;
}

/**
 * What keeps a haven from taking a convoy's people: closed, full, or without room once every other
 * convoy's reservation is counted (P23); undefined when it can.
 */
function havenProblem(haven: Haven | undefined, convoy: Convoy, picture: Picture): RerouteProposal['cause']['havenNow'] {
  if (!haven) return 'removed';
  if (haven.status === 'closed') return 'closed';
  if (haven.status === 'full') return 'full';
  if (havenBook(picture, convoy.id)[haven.id].free < (convoy.people ?? 0)) return 'no_room';
  return undefined;
}


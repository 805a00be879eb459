// Which legend entries the wall shows (client/src/wall, issue 17): those of what is on its map now, so that
// the legend the room reads is short; the desk's legend shows them all.
import { isStale, type Picture } from '@corridor/protocol';
import { drawnConvoyMarks } from '../layers/corridor-layers.js';
import { unitSidc, type StaleClock } from '../layers/unit-layers.js';
import type { LegendEntry } from '../ui/Legend.js';

/**
 * The entries for what `p` draws: each kind of unit symbol present (APP-6 frames by their affiliation letter:
 * F friendly, H and S hostile, N neutral, U and P unknown; the asset icons by their key), stale units and
 * headings, havens, sites and flows, the kinds of corridor drawn, access constraints by status, field reports,
 * convoys that cannot move. The three zone severities are not among them: the legend always shows them.
 * @example legendPresence(emptyPicture(), clock) // Set {}
 */
export function legendPresence(p: Pick<Picture, 'units' | 'havens' | 'sites' | 'flows' | 'convoys' | 'corridors' | 'tracks' | 'constraints' | 'reports'>, clock: StaleClock): Set<LegendEntry> {
  const out = new Set<LegendEntry>();
  for (const u of Object.values(p.units)) {
    const sidc = unitSidc(u);
    if (sidc === 'asset:humanitarian') out.add('humanitarian');
    else if (sidc === 'asset:civil') out.add('civil');
    else {
      const identity = sidc[1];
      out.add(identity === 'F' || identity === 'A' || identity === 'D' || identity === 'M' || identity === 'J' || identity === 'K' ? 'military' : identity === 'H' || identity === 'S' ? 'hostile' : identity === 'N' || identity === 'L' ? 'neutral' : 'unknown');
    }
    if (isStale(u, clock.nowMs, clock.staleAfterMs)) out.add('stale');
    if (u.heading !== undefined) out.add('heading');
  }
  if (Object.keys(p.havens).length > 0) out.add('haven');
  if (Object.keys(p.sites).length > 0) out.add('sites');
  if (Object.keys(p.flows).length > 0) out.add('flow');
  for (const m of drawnConvoyMarks(p.convoys, p.corridors, p.tracks)) {
    if (m.blocked) out.add('noRoute');
    if (m.corridor?.status === 'ok') {
      out.add(m.convoy.state === 'holding' ? 'holding' : m.convoy.state === 'planned' || m.convoy.state === 'approved' ? 'notMoving' : 'best');
      if (m.corridor.routes.length > 1) out.add('alternative');
    }
    if ((p.tracks[m.convoy.id]?.trail?.length ?? 0) > 1) out.add('trail');
  }
  for (const c of Object.values(p.constraints)) {
    if (c.status === 'closed') out.add('constraintClosed');
    else if (c.status === 'restricted') out.add('constraintRestricted');
  }
  if (Object.keys(p.reports).length > 0) out.add('report');
  return out;
}

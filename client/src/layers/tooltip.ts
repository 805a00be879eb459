// Hover details (client/src/layers): text for the object under the pointer, by the layer it belongs to.
import type { Corridor, Haven, Site, Unit } from '@corridor/protocol';
import type { ConvoyMark, RoutePath } from './corridor-layers.js';
import { corridorStatusText } from './corridor-layers.js';
import type { ZonePart } from './threat-layers.js';

const utc = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)}Z`;

/**
 * Tooltip text for a picked object, or null for layers without one. Speeds in km/h, headings in degrees.
 * A corridor's reason is worded by `reasonOf` (from its structured `why`, ui/format.ts), else the
 * server's English sentence.
 * @example tooltipText('havens-icons', { name: 'Ullevi', occupancy: 340, capacity: 500, status: 'open' }) // 'Ullevi — OPEN\n340 / 500 people (68%)'
 */
export function tooltipText(layerId: string, object: unknown, reasonOf: (corridor: Corridor) => string = (c) => c.reason): string | null {
  switch (layerId) {
    case 'units-symbols': {
      const u = object as Unit;
      const lines = [`${u.callsign ?? u.unitId} (${u.affiliation ?? 'unknown affiliation'})`, `last report ${utc(u.timeMs)}`];
      if (u.speed !== undefined) lines.push(`${Math.round(u.speed * 3.6)} km/h${u.heading !== undefined ? `, heading ${Math.round(u.heading)}°` : ''}`);
      return lines.join('\n');
    }
    case 'threat-zones': {
      const { zone } = object as ZonePart;
      const lines = [`${zone.severity.toUpperCase()} — ${zone.label ?? zone.id}`];
      if (zone.source) lines.push(`source: ${zone.source}`);
      if (zone.validUntilMs) lines.push(`valid until ${utc(zone.validUntilMs)}`);
      return lines.join('\n');
    }
    case 'havens-icons': {
      const h = object as Haven;
      const pct = h.capacity > 0 ? Math.round((100 * h.occupancy) / h.capacity) : 100;
      return `${h.name} — ${h.status.toUpperCase()}\n${h.occupancy.toLocaleString('en-GB')} / ${h.capacity.toLocaleString('en-GB')} people (${pct}%)`;
    }
    case 'sites-circles': {
      const s = object as Site;
      return `${s.name}\n${s.population.toLocaleString('en-GB')} displaced (${s.source}, ${s.date})`;
    }
    case 'corridors-best':
    case 'corridors-alternatives': {
      const r = object as RoutePath;
      return `${r.convoyId}: ${r.rank === 0 ? 'best route' : `alternative ${r.rank}`}`;
    }
    case 'convoys-markers': {
      const m = object as ConvoyMark;
      const reason = m.corridor ? reasonOf(m.corridor) : '';
      return `${m.convoy.name} — ${m.convoy.state.toUpperCase()}\n${corridorStatusText(m.corridor)}${reason ? `\n${reason}` : ''}`;
    }
    default:
      return null;
  }
}

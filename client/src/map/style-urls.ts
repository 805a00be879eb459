// Style URL resolution (client/src/map): relative URLs in a MapLibre style made absolute; pure, no MapLibre import.
import type { StyleSpecification } from 'maplibre-gl';

/**
 * Makes a style's relative URLs absolute against the address the style came from (MapLibre resolves
 * neither `pmtiles:///path` nor relative font-face URLs by itself). Template URLs keep their `{tokens}`.
 * @example absolutizeStyle({ sources: { r: { type: 'vector', url: 'pmtiles:///basemap/roads.pmtiles' } } }, 'http://h:1/basemap/style.json')
 *   // sources.r.url === 'pmtiles://http://h:1/basemap/roads.pmtiles'
 */
export function absolutizeStyle(style: StyleSpecification, styleUrl: string): StyleSpecification {
  const base = new URL(styleUrl);
  const abs = (u: string): string => {
    if (u.startsWith('pmtiles:///')) return `pmtiles://${base.origin}${u.slice('pmtiles://'.length)}`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(u)) return u;
    if (u.startsWith('/')) return `${base.origin}${u}`;
    // URL() would percent-encode template braces ({z}, {fontstack}); shield them while resolving.
    const shielded = u.replace(/\{/g, '__LB__').replace(/\}/g, '__RB__');
    return new URL(shielded, base).href.replace(/__LB__/g, '{').replace(/__RB__/g, '}');
  };
  const out: StyleSpecification = { ...style, sources: { ...style.sources } };
  for (const [id, src] of Object.entries(out.sources)) {
    const s = { ...src } as Record<string, unknown>;
    if (typeof s.url === 'string') s.url = abs(s.url);
    if (Array.isArray(s.tiles)) s.tiles = (s.tiles as string[]).map(abs);
    out.sources[id] = s as unknown as (typeof out.sources)[string];
  }
  if (typeof out.glyphs === 'string') out.glyphs = abs(out.glyphs);
  if (typeof out.sprite === 'string') out.sprite = abs(out.sprite);
  const faces = (style as unknown as Record<string, unknown>)['font-faces'] as Record<string, (string | { url: string })[] | string> | undefined;
  if (faces) {
    const fixed: Record<string, unknown> = {};
    for (const [name, list] of Object.entries(faces)) {
      const arr = Array.isArray(list) ? list : [list];
      fixed[name] = arr.map((f) => (typeof f === 'string' ? abs(f) : { ...f, url: abs(f.url) }));
    }
    (out as unknown as Record<string, unknown>)['font-faces'] = fixed;
  }
  return out;
}

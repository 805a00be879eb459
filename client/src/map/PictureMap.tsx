// The operations map (client/src/map): offline MapLibre basemap, the picture's deck.gl layers drawn into it, and its labels drawn by MapLibre in the page's language.
// The desk frames the picture once; the wall (issue 17) keeps it framed as things move, without controls.
import { AttributionControl, Map, NavigationControl, ScaleControl, type MapRef } from '@vis.gl/react-maplibre';
import type { LngLatBoundsLike, PaddingOptions, StyleSpecification } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useWords } from '../i18n/use-words.js';
import { isLanguage } from '@corridor/protocol';
import { pictureLayers } from '../layers/index.js';
import type { Box } from '../layers/label-placement.js';
import { canvasMeasure } from '../layers/text-measure.js';
import { tooltipPlacement, tooltipText } from '../layers/tooltip.js';
import { corridorReason } from '../ui/format.js';
import { useNow, usePicture } from '../state/hooks.js';
import { answerPick, mapPick } from '../state/map-pick.js';
import { addPoint, drawing } from '../state/drawing.js';
import { selection } from '../state/selection.js';
import { loadNetworkRoads, networkRoads } from '../state/network-roads.js';
import { densityDrawn, densityView } from '../state/density.js';
import { draftOutlineProps, draftPointProps } from '../layers/draft-layers.js';
import { PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { CorridorHooks } from '../test-hooks.js';
import { loadBasemapStyle, prepareMapLibre, refreshBasemap, styleBounds } from './basemap.js';
import { DeckOverlay } from './DeckOverlay.js';
import { LabelController, type DrawnUnits } from './label-controller.js';
import { FIRST_LABEL_LAYER, withLabelLayers, withPlaceNames, type AnyPlacedLabel } from './map-labels.js';
import { labelLook } from '../layers/label-look.js';
import { pictureBounds } from './picture-bounds.js';
import { fitDecision, fitPadding, frameBeside } from '../wall/wall-fit.js';

prepareMapLibre();

/**
 * The credit the OpenStreetMap licence asks for, as the basemap's own source gives it (so that MapLibre shows
 * it once); kept for styles from elsewhere whose sources may not say it. Words of the licence, not of the UI.
 */
const OSM_CREDIT = '© OpenStreetMap contributors';

export interface PictureMapProps {
  /** Symbol size multiplier (wall display > 1). */
  scale: number;
  /** Label size multiplier; `scale` when absent (the wall's: ui/wall-scale.ts). */
  textScale?: number;
  hooks: CorridorHooks;
  /** CSS selector of page furniture drawn over the map (the legend): labels are not placed under it. */
  furniture?: string;
  /**
   * The wall (issue 17): no zoom buttons, a scale bar `scaleBarPx` wide at most, and the picture kept framed
   * as it moves (wall/wall-fit.ts), around the furniture matching `fitAround` (the legend).
   */
  follow?: { fitAround?: string; scaleBarPx: number };
  /** The convoy the wall puts forward: its route glows and its marker is ringed. */
  focusConvoyId?: string | null;
}

/** Most detailed zoom a framing goes to: a lone unit is shown with its streets, not a single building. */
const FIT_MAX_ZOOM = 15;
const NO_CLOCK = { nowMs: 0, staleAfterMs: Infinity };

/** Screen boxes of the elements matching `selector`, relative to `container`, CSS pixels. */
function furnitureBoxes(container: HTMLElement | null | undefined, selector: string | undefined): Box[] {
  if (!container || !selector) return [];
  const c = container.getBoundingClientRect();
  return [...document.querySelectorAll(selector)].map((el) => {
    const r = el.getBoundingClientRect();
    return { minX: r.left - c.left, minY: r.top - c.top, maxX: r.right - c.left, maxY: r.bottom - c.top };
  });
}

/** What the label hooks expose of a placed label: screen box and text size in CSS pixels. */
function labelSummary(l: AnyPlacedLabel, textScale: number) {
  return { id: l.id, family: l.family, text: l.text, forced: l.forced, box: l.box, sizePx: labelLook(l, NO_CLOCK, textScale).sizePx };
}

export function PictureMap({ scale, textScale = scale, hooks, furniture, follow, focusConvoyId }: PictureMapProps) {
  const [style, setStyle] = useState<StyleSpecification | null>(null);
  const [styleError, setStyleError] = useState<string | null>(null);
  const mapRef = useRef<MapRef>(null);
  const framed = useRef(false);
  const [loaded, setLoaded] = useState(false);
  const picture = usePicture((s) => s.picture);
  const staleAfterMs = usePicture((s) => s.staleAfterMs);
  const clockOffsetMs = usePicture((s) => s.clockOffsetMs);
  const hasSnapshot = usePicture((s) => s.hasSnapshot);
  const connection = usePicture((s) => s.connection);
  const now = useNow(1000);
  const w = useWords();
  const labels = useRef<LabelController | null>(null);
  // The units as the labels were last placed for them (label-controller.ts), drawn with them.
  const [drawn, setDrawn] = useState<DrawnUnits | null>(null);

  // The style, tried again every 5 s while it cannot be had (a server restarting, a session refused for a
  // while): a wall must get its basemap back without anyone touching it (issue 17).
  useEffect(() => {
    let on = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      loadBasemapStyle().then(
        (s) => {
          if (!on) return;
          setStyle(s);
          setStyleError(null);
        },
        (err: Error) => {
          if (!on) return;
          setStyleError(err.message);
          hooks.mapError = err.message;
          timer = setTimeout(load, 5000);
        },
      );
    load();
    return () => {
      on = false;
      clearTimeout(timer);
    };
  }, [hooks]);

  // Tiles that failed while the server was away are not asked for again by MapLibre, and the PMTiles reader
  // keeps a failed directory read for good: when the link comes back after being down, read them afresh.
  const wasDown = useRef(false);
  useEffect(() => {
    if (connection === 'reconnecting' || connection === 'offline' || connection === 'signed-out') wasDown.current = true;
    const map = mapRef.current?.getMap();
    if (connection === 'live' && wasDown.current && map && loaded) {
      wasDown.current = false;
      hooks.mapError = null;
      refreshBasemap(map);
      hooks.basemapRefreshes++;
    }
  }, [connection, loaded, hooks]);
  // The basemap with its place names in the page's language and the picture's label layers on top (their
  // sizes follow the display's scale); a change of either is a style diff MapLibre applies in place.
  const lang = isLanguage(w.lang) ? w.lang : 'en';
  const mapStyle = useMemo(() => (style ? withLabelLayers(withPlaceNames(style, lang), textScale) : null), [style, textScale, lang]);

  const rtl = w.dir === 'rtl';
  // The legend's width as drawn (it is wider in some languages), with a margin; at least the size it was designed for.
  const legendWidth = () => Math.max(scale > 1 ? (400 * scale) / 1.5 : 270, (document.querySelector('[data-testid="legend"]')?.getBoundingClientRect().width ?? 0) + 24);
  // Frame the area of operations once, when the first picture arrives (the wall keeps it framed, below).
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded || framed.current || !hasSnapshot || follow || !style) return;
    // An empty picture (a network loaded with no scenario) frames the basemap's extent, the area itself.
    const b = pictureBounds(picture) ?? styleBounds(style);
    if (!b) return;
    framed.current = true;
    map.fitBounds(
      [
        [b[0], b[1]],
        [b[2], b[3]],
      ],
      // Leave room on the legend's side (the left, or the right when the page reads right to left), so nothing framed sits under it.
      { padding: { top: 60, bottom: 40, [rtl ? 'right' : 'left']: legendWidth(), [rtl ? 'left' : 'right']: 40 } as PaddingOptions, duration: 0, maxZoom: 15 },
    );
  }, [picture, hasSnapshot, loaded, scale, rtl, style]);

  // The wall keeps the area of operations framed as things move (issue 17): checked each second, framed
  // again only when content reaches the edge band or has shrunk (wall-fit.ts), smoothly; an empty picture
  // frames the basemap's own extent (the loaded road network).
  const lastFit = useRef(0);
  useEffect(() => {
    const map = mapRef.current?.getMap();
    if (!follow || !map || !loaded || !hasSnapshot || !style || map.isMoving()) return;
    const b = pictureBounds(picture) ?? styleBounds(style);
    if (!b) return;
    const width = map.getContainer().clientWidth;
    const height = map.getContainer().clientHeight;
    if (width < 50 || height < 50) return;
    const frame = frameBeside(width, height, furnitureBoxes(map.getContainer(), follow.fitAround)[0] ?? null);
    const sw = map.project([b[0], b[1]]);
    const ne = map.project([b[2], b[3]]);
    const content = { minX: Math.min(sw.x, ne.x), minY: Math.min(sw.y, ne.y), maxX: Math.max(sw.x, ne.x), maxY: Math.max(sw.y, ne.y) };
    const decision = fitDecision({ content, frame, framed: framed.current, lastFitMs: lastFit.current, nowMs: Date.now(), canZoomIn: map.getZoom() < FIT_MAX_ZOOM - 0.05 });
    if (decision === 'keep') return;
    const first = !framed.current;
    framed.current = true;
    lastFit.current = Date.now();
    hooks.fits.push({ atMs: lastFit.current, why: decision });
    if (hooks.fits.length > 20) hooks.fits.splice(0, hooks.fits.length - 20);
    const bounds: LngLatBoundsLike = [
      [b[0], b[1]],
      [b[2], b[3]],
    ];
    map.fitBounds(bounds, { padding: fitPadding(width, height, frame), duration: first ? 0 : 1500, maxZoom: FIT_MAX_ZOOM, essential: true });
  }, [picture, now, loaded, hasSnapshot, style, follow, hooks]);

  // One measurer for the page: it caches glyph advances, and main.tsx has loaded the fonts before render.
  const measure = useMemo(() => canvasMeasure(), []);
  const reservedRef = useRef<Box[]>([]);
  // Re-read each render (once a second): the legend and the blocked-convoy strip change size with the picture.
  const boxes = furnitureBoxes(mapRef.current?.getContainer(), furniture);
  if (JSON.stringify(boxes) !== JSON.stringify(reservedRef.current)) reservedRef.current = boxes;
  const reserved = reservedRef.current;

  const picking = useStore(mapPick, (s) => s.waiting !== null);
  const draft = useStore(drawing);
  const selected = useStore(selection, (s) => s.convoyId);
  // A convoy selected in the side panel is framed: its corridor's routes and the way it has come.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded || !selected) return;
    const corridor = picture.corridors[selected];
    const points = [...(corridor?.routes.flatMap((r) => r.coordinates) ?? []), ...(picture.tracks[selected]?.trail ?? [])];
    const convoy = picture.convoys[selected];
    if (points.length === 0 && convoy) points.push(convoy.origin);
    if (points.length === 0) return;
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    map.fitBounds(
      [
        [Math.min(...xs), Math.min(...ys)],
        [Math.max(...xs), Math.max(...ys)],
      ],
      { padding: { top: 60, bottom: 40, [rtl ? 'right' : 'left']: legendWidth(), [rtl ? 'left' : 'right']: 40 } as PaddingOptions, duration: 600, maxZoom: 16 },
    );
    // Framed once per selection, not again as the picture moves.
  }, [selected, loaded]);
  const roads = useStore(networkRoads, (s) => s.roads);
  const density = useStore(densityView, (s) => s.on);
  useEffect(() => void loadNetworkRoads(), []);
  const layers = useMemo(() => {
    // Units as their labels were placed (they move together), once the labels have been placed at all.
    const shown = drawn && drawn.units !== picture.units ? { ...picture, units: drawn.units } : picture;
    const picked = pictureLayers(shown, {
      nowMs: now + clockOffsetMs,
      staleAfterMs,
      scale,
      beneathLabels: FIRST_LABEL_LAYER,
      selectedConvoyId: selected,
      networkRoads: roads,
      density,
      onDensity: densityDrawn,
      unitOffsets: drawn?.offsets,
      leaders: drawn?.leaders,
      focusConvoyId,
    });
    // A zone or constraint being drawn, over everything.
    return draft.tool ? [...picked, new PathLayer(draftOutlineProps(draft.tool, draft.points)), new ScatterplotLayer(draftPointProps(draft.points))] : picked;
  }, [picture, drawn, now, clockOffsetMs, staleAfterMs, scale, draft, selected, roads, density, focusConvoyId]);

  useEffect(() => {
    const map = mapRef.current?.getMap();
    if (!map || !loaded) return;
    const controller = new LabelController(
      map,
      scale,
      (placed, units) => {
        hooks.placedLabels = placed.map((l) => labelSummary(l, textScale));
        hooks.displacedUnits = [...units.offsets.keys()];
        setDrawn((prev) => (prev && prev.units === units.units && prev.offsets === units.offsets ? prev : units));
      },
      textScale,
    );
    labels.current = controller;
    return () => {
      controller.destroy();
      labels.current = null;
    };
  }, [loaded, scale, textScale, hooks]);

  // The labels: placed again when the picture, the clock, the furniture or the language changes (and by
  // the controller itself when the view moves).
  useEffect(() => {
    labels.current?.update({ picture, clock: { nowMs: now + clockOffsetMs, staleAfterMs }, compact: scale > 1, measure, reserved, words: w });
  }, [picture, now, clockOffsetMs, staleAfterMs, scale, measure, reserved, w, loaded]);

  if (styleError) {
    return (
      <div className="map-error" role="alert">
        {w.t('map.error', { error: styleError })}
      </div>
    );
  }
  if (!style || !mapStyle) return <div className="map-loading">{w.t('map.loading')}</div>;
  const center = (style.center as [number, number] | undefined) ?? [0, 0];
  return (
    <Map
      ref={mapRef}
      initialViewState={{ longitude: center[0], latitude: center[1], zoom: style.zoom ?? 12 }}
      mapStyle={mapStyle}
      style={{ position: 'absolute', inset: 0 }}
      attributionControl={false}
      // Labels are placed by label-placement.ts and must show at once where it put them.
      fadeDuration={0}
      dragRotate={false}
      maxPitch={0}
      // A form picking a point (a convoy's origin) takes the next click, with a crosshair meanwhile.
      cursor={picking || draft.tool ? 'crosshair' : undefined}
      onClick={(e) => {
        const at: [number, number] = [Math.round(e.lngLat.lng * 1e6) / 1e6, Math.round(e.lngLat.lat * 1e6) / 1e6];
        if (!answerPick(at)) addPoint(at);
      }}
      onIdle={() => {
        hooks.mapIdle = true;
      }}
      // A map drawing without rest (a slow GPU at 4K redraws each second's picture for most of the second)
      // may never fire idle: a frame drawn with the style and every visible tile loaded says the same.
      onRender={(e) => {
        if (!hooks.mapIdle && e.target.isStyleLoaded() && e.target.areTilesLoaded()) hooks.mapIdle = true;
      }}
      onLoad={(e) => {
        const map = e.target;
        setLoaded(true);
        hooks.project = (lon, lat) => {
          const p = map.project([lon, lat]);
          return [p.x, p.y];
        };
        hooks.roadFeatures = () => {
          const ids = map.getStyle().layers.filter((l) => l.id.startsWith('road-')).map((l) => l.id);
          return ids.length ? map.queryRenderedFeatures({ layers: ids }).length : 0;
        };
      }}
      onError={(e) => {
        hooks.mapError = String((e as { error?: Error }).error?.message ?? e);
      }}
    >
      <DeckOverlay
        layers={layers}
        onAfterRender={() => {
          hooks.deckFrames++;
          if (layers.length) hooks.deckRendered = true;
        }}
        getTooltip={({ layer, object, x, y, viewport }) => {
          const text = layer && object ? tooltipText(layer.id, object, w, (corridor) => corridorReason(corridor, picture, w)) : null;
          // Kept inside the map (issue 17: it ran under the side panel): it opens away from the nearer edges.
          return text ? { text, className: 'map-tooltip', style: tooltipPlacement(x, y, viewport?.width ?? 0, viewport?.height ?? 0) } : null;
        }}
      />
      {/* Controls take the page's start side; keyed by direction, as a control cannot move once added. */}
      <AttributionControl key={`a-${w.dir}`} position={rtl ? 'bottom-left' : 'bottom-right'} compact={false} customAttribution={OSM_CREDIT} />
      {/* The wall's scale bar goes to the end side: its legend takes the start side's foot. */}
      <ScaleControl key={`s-${w.dir}-${follow?.scaleBarPx ?? 100}`} position={rtl === !follow ? 'bottom-right' : 'bottom-left'} unit="metric" maxWidth={follow?.scaleBarPx ?? 100} />
      {/* The wall has no controls: nobody touches it. */}
      {!follow && <NavigationControl key={`n-${w.dir}`} position={rtl ? 'top-right' : 'top-left'} showCompass={false} />}
    </Map>
  );
}


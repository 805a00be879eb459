// The operations map (client/src/map): offline MapLibre basemap, the picture's deck.gl layers drawn into it, and its labels drawn by MapLibre in the page's language.
import { AttributionControl, Map, NavigationControl, ScaleControl, type MapRef } from '@vis.gl/react-maplibre';
import type { PaddingOptions, StyleSpecification } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useWords } from '../i18n/use-words.js';
import { isLanguage } from '@corridor/protocol';
import { pictureLayers } from '../layers/index.js';
import type { Box } from '../layers/label-placement.js';
import { canvasMeasure } from '../layers/text-measure.js';
import { tooltipText } from '../layers/tooltip.js';
import { corridorReason } from '../ui/format.js';
import { useNow, usePicture } from '../state/hooks.js';
import { answerPick, mapPick } from '../state/map-pick.js';
import { addPoint, drawing } from '../state/drawing.js';
import { selection } from '../state/selection.js';
import { loadNetworkRoads, networkRoads } from '../state/network-roads.js';
import { draftOutlineProps, draftPointProps } from '../layers/draft-layers.js';
import { PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { CorridorHooks } from '../test-hooks.js';
import { loadBasemapStyle, prepareMapLibre } from './basemap.js';
import { DeckOverlay } from './DeckOverlay.js';
import { LabelController } from './label-controller.js';
import { FIRST_LABEL_LAYER, withLabelLayers, withPlaceNames, type AnyPlacedLabel } from './map-labels.js';
import { pictureBounds } from './picture-bounds.js';

prepareMapLibre();

/**
 * The credit the OpenStreetMap licence asks for, as the basemap's own source gives it (so that MapLibre shows
 * it once); kept for styles from elsewhere whose sources may not say it. Words of the licence, not of the UI.
 */
const OSM_CREDIT = '© OpenStreetMap contributors';

export interface PictureMapProps {
  /** Symbol and label size multiplier (wall display > 1). */
  scale: number;
  hooks: CorridorHooks;
  /** CSS selector of page furniture drawn over the map (the legend): labels are not placed under it. */
  furniture?: string;
}

/** Screen boxes of the elements matching `selector`, relative to `container`, CSS pixels. */
function furnitureBoxes(container: HTMLElement | null | undefined, selector: string | undefined): Box[] {
  if (!container || !selector) return [];
  const c = container.getBoundingClientRect();
  return [...document.querySelectorAll(selector)].map((el) => {
    const r = el.getBoundingClientRect();
    return { minX: r.left - c.left, minY: r.top - c.top, maxX: r.right - c.left, maxY: r.bottom - c.top };
  });
}

/** What the label hooks expose of a placed label: screen box in CSS pixels. */
function labelSummary(l: AnyPlacedLabel) {
  return { id: l.id, family: l.family, text: l.text, forced: l.forced, box: l.box };
}

export function PictureMap({ scale, hooks, furniture }: PictureMapProps) {
  const [style, setStyle] = useState<StyleSpecification | null>(null);
  const [styleError, setStyleError] = useState<string | null>(null);
  const mapRef = useRef<MapRef>(null);
  const framed = useRef(false);
  const [loaded, setLoaded] = useState(false);
  const picture = usePicture((s) => s.picture);
  const staleAfterMs = usePicture((s) => s.staleAfterMs);
  const clockOffsetMs = usePicture((s) => s.clockOffsetMs);
  const hasSnapshot = usePicture((s) => s.hasSnapshot);
  const now = useNow(1000);
  const w = useWords();
  const labels = useRef<LabelController | null>(null);

  useEffect(() => {
    loadBasemapStyle().then(setStyle, (err: Error) => {
      setStyleError(err.message);
      hooks.mapError = err.message;
    });
  }, [hooks]);
  // The basemap with its place names in the page's language and the picture's label layers on top (their
  // sizes follow the display's scale); a change of either is a style diff MapLibre applies in place.
  const lang = isLanguage(w.lang) ? w.lang : 'en';
  const mapStyle = useMemo(() => (style ? withLabelLayers(withPlaceNames(style, lang), scale) : null), [style, scale, lang]);

  const rtl = w.dir === 'rtl';
  // The legend's width as drawn (it is wider in some languages), with a margin; at least the size it was designed for.
  const legendWidth = () => Math.max(scale > 1 ? (400 * scale) / 1.5 : 270, (document.querySelector('[data-testid="legend"]')?.getBoundingClientRect().width ?? 0) + 24);
  // Frame the area of operations once, when the first picture arrives.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded || framed.current || !hasSnapshot) return;
    const b = pictureBounds(picture);
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
  }, [picture, hasSnapshot, loaded, scale, rtl]);

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
  useEffect(() => void loadNetworkRoads(), []);
  const layers = useMemo(() => {
    const picked = pictureLayers(picture, { nowMs: now + clockOffsetMs, staleAfterMs, scale, beneathLabels: FIRST_LABEL_LAYER, selectedConvoyId: selected, networkRoads: roads });
    // A zone or constraint being drawn, over everything.
    return draft.tool ? [...picked, new PathLayer(draftOutlineProps(draft.tool, draft.points)), new ScatterplotLayer(draftPointProps(draft.points))] : picked;
  }, [picture, now, clockOffsetMs, staleAfterMs, scale, draft, selected, roads]);

  useEffect(() => {
    const map = mapRef.current?.getMap();
    if (!map || !loaded) return;
    const controller = new LabelController(map, scale, (placed) => {
      hooks.placedLabels = placed.map(labelSummary);
    });
    labels.current = controller;
    return () => {
      controller.destroy();
      labels.current = null;
    };
  }, [loaded, scale, hooks]);

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
        getTooltip={({ layer, object }) => {
          const text = layer && object ? tooltipText(layer.id, object, w, (corridor) => corridorReason(corridor, picture, w)) : null;
          return text ? { text, className: 'map-tooltip' } : null;
        }}
      />
      {/* Controls take the page's start side; keyed by direction, as a control cannot move once added. */}
      <AttributionControl key={`a-${w.dir}`} position={rtl ? 'bottom-left' : 'bottom-right'} compact={false} customAttribution={OSM_CREDIT} />
      <ScaleControl key={`s-${w.dir}`} position={rtl ? 'bottom-right' : 'bottom-left'} unit="metric" />
      <NavigationControl key={`n-${w.dir}`} position={rtl ? 'top-right' : 'top-left'} showCompass={false} />
    </Map>
  );
}

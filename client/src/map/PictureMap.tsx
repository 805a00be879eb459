// The operations map (client/src/map): offline MapLibre basemap with the picture's deck.gl layers on top.
import { AttributionControl, Map, NavigationControl, ScaleControl, type MapRef } from '@vis.gl/react-maplibre';
import type { StyleSpecification } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'react';
import { pictureLayers } from '../layers/index.js';
import type { Box } from '../layers/label-placement.js';
import type { AnyPlacedLabel } from '../layers/labels-layer.js';
import { canvasMeasure } from '../layers/text-measure.js';
import { tooltipText } from '../layers/tooltip.js';
import { corridorReason } from '../ui/format.js';
import { useNow, usePicture } from '../state/hooks.js';
import type { CorridorHooks } from '../test-hooks.js';
import { loadBasemapStyle, prepareMapLibre } from './basemap.js';
import { DeckOverlay } from './DeckOverlay.js';
import { pictureBounds } from './picture-bounds.js';

prepareMapLibre();

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

  useEffect(() => {
    loadBasemapStyle().then(setStyle, (err: Error) => {
      setStyleError(err.message);
      hooks.mapError = err.message;
    });
  }, [hooks]);

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
      // Leave room on the left for the legend, so nothing framed sits under it.
      { padding: { top: 60, bottom: 40, left: scale > 1 ? (400 * scale) / 1.5 : 270, right: 40 }, duration: 0, maxZoom: 15 },
    );
  }, [picture, hasSnapshot, loaded, scale]);

  // One measurer for the page: it caches glyph advances, and main.tsx has loaded the fonts before render.
  const measure = useMemo(() => canvasMeasure(), []);
  const reservedRef = useRef<Box[]>([]);
  // Re-read each render (once a second): the legend and the blocked-convoy strip change size with the picture.
  const boxes = furnitureBoxes(mapRef.current?.getContainer(), furniture);
  if (JSON.stringify(boxes) !== JSON.stringify(reservedRef.current)) reservedRef.current = boxes;
  const reserved = reservedRef.current;

  const layers = useMemo(
    () =>
      pictureLayers(picture, {
        nowMs: now + clockOffsetMs,
        staleAfterMs,
        scale,
        compact: scale > 1,
        measure,
        reserved,
        onLabelsPlaced: (labels) => {
          hooks.placedLabels = labels.map(labelSummary);
        },
      }),
    [picture, now, clockOffsetMs, staleAfterMs, scale, measure, reserved, hooks],
  );

  if (styleError) {
    return (
      <div className="map-error" role="alert">
        Basemap unavailable: {styleError}
      </div>
    );
  }
  if (!style) return <div className="map-loading">Loading basemap…</div>;
  const center = (style.center as [number, number] | undefined) ?? [0, 0];
  return (
    <Map
      ref={mapRef}
      initialViewState={{ longitude: center[0], latitude: center[1], zoom: style.zoom ?? 12 }}
      mapStyle={style}
      style={{ position: 'absolute', inset: 0 }}
      attributionControl={false}
      dragRotate={false}
      maxPitch={0}
      onIdle={() => {
        hooks.mapIdle = true;
      }}
      onLoad={(e) => {
        setLoaded(true);
        const map = e.target;
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
          const text = layer && object ? tooltipText(layer.id, object, (corridor) => corridorReason(corridor, picture)) : null;
          return text ? { text, className: 'map-tooltip' } : null;
        }}
      />
      <AttributionControl position="bottom-right" compact={false} customAttribution="© OpenStreetMap contributors" />
      <ScaleControl position="bottom-left" unit="metric" />
      <NavigationControl position="top-left" showCompass={false} />
    </Map>
  );
}

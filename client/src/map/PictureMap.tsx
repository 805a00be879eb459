// The operations map (client/src/map): offline MapLibre basemap with the picture's deck.gl layers on top.
import { AttributionControl, Map, NavigationControl, ScaleControl, type MapRef } from '@vis.gl/react-maplibre';
import type { StyleSpecification } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'react';
import { pictureLayers } from '../layers/index.js';
import { tooltipText } from '../layers/tooltip.js';
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
}

export function PictureMap({ scale, hooks }: PictureMapProps) {
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
      { padding: { top: 60, bottom: 40, left: scale > 1 ? 400 : 270, right: 40 }, duration: 0, maxZoom: 15 },
    );
  }, [picture, hasSnapshot, loaded, scale]);

  const layers = useMemo(
    () => pictureLayers(picture, { nowMs: now + clockOffsetMs, staleAfterMs, scale, compact: scale > 1 }),
    [picture, now, clockOffsetMs, staleAfterMs, scale],
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
          const text = layer && object ? tooltipText(layer.id, object) : null;
          return text ? { text, className: 'map-tooltip' } : null;
        }}
      />
      <AttributionControl position="bottom-right" compact={false} customAttribution="© OpenStreetMap contributors" />
      <ScaleControl position="bottom-left" unit="metric" />
      <NavigationControl position="top-left" showCompass={false} />
    </Map>
  );
}

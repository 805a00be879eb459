// The field page's map (client/src/field, issue 15): the offline basemap (cached by the service worker
// once visited) with the unit's view drawn over it; a tap picks a point for a report while a form asks.
import { AttributionControl, Map, NavigationControl, ScaleControl, type MapRef } from '@vis.gl/react-maplibre';
import type { StyleSpecification } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FieldItem } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { loadBasemapStyle, prepareMapLibre, workerFromCache } from '../map/basemap.js';
import { DeckOverlay } from '../map/DeckOverlay.js';
import { fieldLayers, frameOf, routeOf, type OwnFix } from './field-layers.js';

prepareMapLibre();

const OSM_CREDIT = '© OpenStreetMap contributors';

export interface FieldMapProps {
  items: Record<string, FieldItem>;
  fix: OwnFix | null;
  picked: [number, number] | null;
  /** Set while a report form waits for a point: the next tap is it. */
  onPick?: (at: [number, number]) => void;
}

export function FieldMap({ items, fix, picked, onPick }: FieldMapProps) {
  const w = useWords();
  const [style, setStyle] = useState<StyleSpecification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const mapRef = useRef<MapRef>(null);
  const framedRoute = useRef<string | undefined>(undefined);
  const framedOnce = useRef(false);

  useEffect(() => {
    // The map's worker first (from the page's cache when offline), then the style.
    workerFromCache()
      .then(() => loadBasemapStyle())
      .then(setStyle, (err: Error) => setError(err.message));
  }, []);

  // Framed when there is first something to frame, and again when the convoy's route changes (new orders).
  const route = routeOf(items);
  const routeKey = route ? `${route.length}:${route[0]}:${route[route.length - 1]}` : undefined;
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    if (framedOnce.current && routeKey === framedRoute.current) return;
    const box = frameOf(items, fix);
    if (!box) return;
    framedOnce.current = true;
    framedRoute.current = routeKey;
    map.fitBounds(box, { padding: 30, duration: 0, maxZoom: 15 });
  }, [items, fix, loaded, routeKey]);

  const layers = useMemo(() => fieldLayers(items, fix, picked), [items, fix, picked]);
  const rtl = w.dir === 'rtl';

  if (error) {
    return (
      <div className="map-error" role="alert">
        {w.t('map.error', { error })}
      </div>
    );
  }
  if (!style) return <div className="map-loading">{w.t('map.loading')}</div>;
  const center = (style.center as [number, number] | undefined) ?? [0, 0];
  return (
    <Map
      ref={mapRef}
      initialViewState={{ longitude: fix?.lon ?? center[0], latitude: fix?.lat ?? center[1], zoom: style.zoom ?? 12 }}
      mapStyle={style}
      style={{ position: 'absolute', inset: 0 }}
      attributionControl={false}
      dragRotate={false}
      touchPitch={false}
      maxPitch={0}
      cursor={onPick ? 'crosshair' : undefined}
      onClick={(e) => onPick?.([Math.round(e.lngLat.lng * 1e6) / 1e6, Math.round(e.lngLat.lat * 1e6) / 1e6])}
      onLoad={(e) => {
        setLoaded(true);
        const map = e.target;
        // Read-only hook for the browser tests: basemap road features drawn now (0 with no tiles).
        (window as unknown as { __fieldMap?: unknown }).__fieldMap = {
          roads: () => {
            const ids = map.getStyle().layers.filter((l) => l.id.startsWith('road-')).map((l) => l.id);
            return ids.length ? map.queryRenderedFeatures({ layers: ids }).length : 0;
          },
        };
      }}
    >
      <DeckOverlay layers={layers} />
      <AttributionControl key={`a-${w.dir}`} position={rtl ? 'bottom-left' : 'bottom-right'} compact customAttribution={OSM_CREDIT} />
      <ScaleControl key={`s-${w.dir}`} position={rtl ? 'top-right' : 'top-left'} unit="metric" />
      <NavigationControl key={`n-${w.dir}`} position={rtl ? 'top-left' : 'top-right'} showCompass={false} />
    </Map>
  );
}

// The access page's map (client/src/access, issue 16): the offline basemap with the listed constraints by
// status, threat zones, sites and havens for context, the A-to-B check's routes and points. A click answers
// a point being picked, else selects the constraint under it; selecting one frames it.
import { MapLibreOverlay, type MapLibreOverlayProps } from '@deck.gl/maplibre';
import { IconLayer, PathLayer, PolygonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import { AttributionControl, Map, NavigationControl, ScaleControl, useControl, type MapRef } from '@vis.gl/react-maplibre';
import type { LngLatBoundsLike, PaddingOptions, StyleSpecification } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { isLanguage, type Picture } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { havenIconProps } from '../layers/haven-layers.js';
import { siteCircleProps } from '../layers/site-layers.js';
import { threatZoneProps } from '../layers/threat-layers.js';
import { canvasMeasure } from '../layers/text-measure.js';
import { tooltipText } from '../layers/tooltip.js';
import { accessCategoryWord, type Words } from '../layers/words.js';
import { loadBasemapStyle, prepareMapLibre } from '../map/basemap.js';
import { LabelController } from '../map/label-controller.js';
import { FIRST_LABEL_LAYER, withLabelLayers, withPlaceNames } from '../map/map-labels.js';
import { pictureBounds } from '../map/picture-bounds.js';
import { usePicture, useNow } from '../state/hooks.js';
import { answerPick, mapPick } from '../state/map-pick.js';
import type { CorridorHooks } from '../test-hooks.js';
import {
  pointProps,
  routeCasingProps,
  routeProps,
  rowAreaProps,
  rowHaloProps,
  rowLineProps,
  rowShapes,
  type DrawnRoute,
  type PickedPoint,
  type RowArea,
  type RowLine,
} from './access-layers.js';
import { geometryBounds, statusKey, type AccessRow, type Bbox } from './access-view.js';

prepareMapLibre();

const OSM_CREDIT = '© OpenStreetMap contributors';
const PICKABLE = ['access-lines', 'access-areas'];

/** deck.gl drawn into the map, keeping its overlay so a click can ask what lies under it. */
function Overlay({ onOverlay, ...props }: MapLibreOverlayProps & { onOverlay: (o: MapLibreOverlay) => void }) {
  const overlay = useControl<MapLibreOverlay>(() => new MapLibreOverlay({ ...props, interleaved: true }));
  overlay.setProps(props);
  useEffect(() => {
    onOverlay(overlay);
  }, [overlay, onOverlay]);
  return null;
}

/** A hover text for the access layers: status and category, reason, source. */
function rowTooltip(row: AccessRow, w: Words): string {
  const lines = [w.t('tooltip.constraint', { status: w.t(statusKey(row.status)), category: w.t(accessCategoryWord(row.category)) })];
  if (row.reason) lines.push(w.isolate(row.reason));
  if (row.source) lines.push(w.t('tooltip.source', { source: w.isolate(row.source) }));
  return lines.join('\n');
}

export interface AccessMapProps {
  hooks: CorridorHooks;
  rows: readonly AccessRow[];
  shownIds: ReadonlySet<string>;
  selected: string | null;
  onSelect(id: string): void;
  /** The view's bounds after each move (the area filter reads them). */
  onView(bbox: Bbox): void;
  /** The bounds to open on (a shared address's area), else the data's. */
  initialBbox: Bbox | null;
  routes: DrawnRoute[];
  points: PickedPoint[];
  /** Changes when a new check answer should be framed. */
  frameRoutesKey: number;
  /** Constraints the check's answer names (restricted stretches, what cuts every path): haloed. */
  named: ReadonlySet<string>;
}

export function AccessMap(p: AccessMapProps) {
  const { hooks, rows, shownIds, selected, routes, points, named } = p;
  const w = useWords();
  const [style, setStyle] = useState<StyleSpecification | null>(null);
  const [styleError, setStyleError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const mapRef = useRef<MapRef>(null);
  const overlay = useRef<MapLibreOverlay | null>(null);
  const framed = useRef(false);
  const labels = useRef<LabelController | null>(null);
  const picture = usePicture((s) => s.picture);
  const staleAfterMs = usePicture((s) => s.staleAfterMs);
  const clockOffsetMs = usePicture((s) => s.clockOffsetMs);
  const now = useNow(5000);
  const picking = useStore(mapPick, (s) => s.waiting !== null);
  const rtl = w.dir === 'rtl';
  const lang = isLanguage(w.lang) ? w.lang : 'en';

  useEffect(() => {
    loadBasemapStyle().then(setStyle, (err: Error) => {
      setStyleError(err.message);
      hooks.mapError = err.message;
    });
  }, [hooks]);
  const mapStyle = useMemo(() => (style ? withLabelLayers(withPlaceNames(style, lang), 1) : null), [style, lang]);
  const fit = (b: Bbox, duration: number, maxZoom: number) => {
    const map = mapRef.current;
    if (!map) return;
    // Room on the end side for the A-to-B form docked there (on the left when the page reads right to left).
    const dock = Math.min(380, map.getContainer().clientWidth * 0.4);
    const padding = { top: 50, bottom: 50, [rtl ? 'left' : 'right']: dock, [rtl ? 'right' : 'left']: 50 } as unknown as PaddingOptions;
    const pad = 0.0005;
    map.fitBounds(
      [
        [b[0] - pad, b[1] - pad],
        [b[2] + pad, b[3] + pad],
      ] as LngLatBoundsLike,
      { padding, duration, maxZoom },
    );
  };

  // Frame once: the shared address's area, else every constraint, else the picture.
  useEffect(() => {
    if (!loaded || framed.current) return;
    if (p.initialBbox) {
      framed.current = true;
      fit(p.initialBbox, 0, 17);
      return;
    }
    if (rows.length === 0) return;
    const boxes = rows.map((r) => geometryBounds(r.geometry));
    const pb = pictureBounds(picture);
    if (pb) boxes.push(pb as Bbox);
    framed.current = true;
    fit([Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))], 0, 15);
  }, [loaded, rows, picture, p.initialBbox]);

  // A constraint selected in the list is framed (once per selection).
  useEffect(() => {
    if (!loaded || !selected) return;
    const row = rows.find((r) => r.id === selected);
    if (row) fit(geometryBounds(row.geometry), 500, 16);
    // Framed once per selection, not again when the list refreshes.
  }, [selected, loaded]);

  // A new answer of the check: its routes framed.
  useEffect(() => {
    if (!loaded || p.frameRoutesKey === 0) return;
    const pts = [...routes.flatMap((r) => r.path), ...points.map((x) => x.at)];
    if (pts.length === 0) return;
    fit([Math.min(...pts.map((x) => x[0])), Math.min(...pts.map((x) => x[1])), Math.max(...pts.map((x) => x[0])), Math.max(...pts.map((x) => x[1]))], 500, 16);
  }, [p.frameRoutesKey, loaded]);

  const shapes = useMemo(() => rowShapes(rows, shownIds), [rows, shownIds]);
  const layers = useMemo(() => {
    const under = { beforeId: FIRST_LABEL_LAYER };
    return [
      new PolygonLayer({ ...threatZoneProps(picture.threats), ...under }),
      new PolygonLayer({ ...rowAreaProps(shapes.areas, selected), ...under }),
      new PathLayer({ ...rowHaloProps(shapes.lines, selected, named), ...under }),
      new PathLayer({ ...rowLineProps(shapes.lines, selected), ...under }),
      new PathLayer({ ...routeCasingProps(routes), ...under }),
      new PathLayer({ ...routeProps(routes), ...under }),
      new ScatterplotLayer({ ...siteCircleProps(picture.sites, 1), ...under }),
      new IconLayer({ ...havenIconProps(picture.havens, 1), ...under }),
      new ScatterplotLayer(pointProps(points)),
    ] as Layer[];
  }, [picture.threats, picture.sites, picture.havens, shapes, selected, routes, points, named]);

  // Labels of zones, sites and havens, as the picture names them (units and convoys are not this page's).
  const measure = useMemo(() => canvasMeasure(), []);
  const context = useMemo(() => ({ ...picture, units: {}, convoys: {}, corridors: {}, tracks: {}, reports: {}, proposals: {} }) as Picture, [picture.threats, picture.sites, picture.havens]);
  useEffect(() => {
    const map = mapRef.current?.getMap();
    if (!map || !loaded) return;
    const controller = new LabelController(map, 1, (placed) => {
      hooks.placedLabels = placed.map((l) => ({ id: l.id, family: l.family, text: l.text, forced: l.forced, box: l.box }));
    });
    labels.current = controller;
    return () => {
      controller.destroy();
      labels.current = null;
    };
  }, [loaded, hooks]);
  useEffect(() => {
    // Labels keep clear of the legend and the A-to-B form drawn over the map.
    const container = mapRef.current?.getContainer();
    const c = container?.getBoundingClientRect();
    const reserved = c
      ? [...document.querySelectorAll('.access-map .legend-dock, .access-map .access-check-dock')].map((el) => {
          const r = el.getBoundingClientRect();
          return { minX: r.left - c.left, minY: r.top - c.top, maxX: r.right - c.left, maxY: r.bottom - c.top };
        })
      : [];
    labels.current?.update({ picture: context, clock: { nowMs: now + clockOffsetMs, staleAfterMs }, compact: false, measure, reserved, words: w });
  }, [context, now, clockOffsetMs, staleAfterMs, measure, w, loaded]);

  const reportView = () => {
    const b = mapRef.current?.getMap().getBounds();
    if (b) p.onView([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]);
  };

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
      fadeDuration={0}
      dragRotate={false}
      maxPitch={0}
      cursor={picking ? 'crosshair' : undefined}
      onClick={(e) => {
        const at: [number, number] = [Math.round(e.lngLat.lng * 1e6) / 1e6, Math.round(e.lngLat.lat * 1e6) / 1e6];
        if (answerPick(at)) return;
        const info = overlay.current?.pickObject({ x: e.point.x, y: e.point.y, radius: 6, layerIds: PICKABLE });
        const row = (info?.object as RowLine | RowArea | undefined)?.row;
        if (row) p.onSelect(row.id);
      }}
      onMoveEnd={reportView}
      onIdle={() => {
        hooks.mapIdle = true;
      }}
      onRender={(e) => {
        if (!hooks.mapIdle && e.target.isStyleLoaded() && e.target.areTilesLoaded()) hooks.mapIdle = true;
      }}
      onLoad={(e) => {
        const map = e.target;
        setLoaded(true);
        hooks.project = (lon, lat) => {
          const pt = map.project([lon, lat]);
          return [pt.x, pt.y];
        };
        hooks.roadFeatures = () => {
          const ids = map.getStyle().layers.filter((l) => l.id.startsWith('road-')).map((l) => l.id);
          return ids.length ? map.queryRenderedFeatures({ layers: ids }).length : 0;
        };
        reportView();
      }}
      onError={(e) => {
        hooks.mapError = String((e as { error?: Error }).error?.message ?? e);
      }}
    >
      <Overlay
        layers={layers}
        onOverlay={(o) => {
          overlay.current = o;
        }}
        onAfterRender={() => {
          hooks.deckFrames++;
          if (layers.length) hooks.deckRendered = true;
        }}
        getTooltip={({ layer, object }) => {
          if (!layer || !object) return null;
          const row = PICKABLE.includes(layer.id) ? (object as RowLine | RowArea).row : null;
          const text = row ? rowTooltip(row, w) : tooltipText(layer.id, object, w);
          return text ? { text, className: 'map-tooltip' } : null;
        }}
      />
      <AttributionControl key={`a-${w.dir}`} position={rtl ? 'bottom-left' : 'bottom-right'} compact={false} customAttribution={OSM_CREDIT} />
      <ScaleControl key={`s-${w.dir}`} position={rtl ? 'bottom-right' : 'bottom-left'} unit="metric" />
      <NavigationControl key={`n-${w.dir}`} position={rtl ? 'top-right' : 'top-left'} showCompass={false} />
    </Map>
  );
}

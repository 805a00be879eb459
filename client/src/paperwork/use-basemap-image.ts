// The road network under the printed map (client/src/paperwork, issue 18): the server's offline basemap drawn once
// by an off-screen MapLibre map in the paper style, at the printed map's centre and scale, kept as a PNG (a WebGL
// canvas often prints blank, an image does not) and the map then removed. Without a basemap the map stays plain.
import { useEffect, useState } from 'react';
import { Map as MapLibreMap, type StyleSpecification } from 'maplibre-gl';
import { loadBasemapStyle, prepareMapLibre } from '../map/basemap.js';
import { paperStyle, type StyleLike } from './paperwork-view.js';

/** How long the basemap may take before the map prints without it, ms. */
const BASEMAP_TIMEOUT_MS = 20_000;

export type BasemapImage = { state: 'loading'; url: null } | { state: 'ready'; url: string } | { state: 'none'; url: null };

/**
 * A PNG of the basemap `width` × `height` CSS pixels around `center` at `zoom` (drawn at twice the pixels, for
 * paper); `none` when no basemap answers in time. Drawn again when the view changes (a re-routed corridor).
 */
export function useBasemapImage(center: [number, number] | null, zoom: number, width: number, height: number): BasemapImage {
  const [image, setImage] = useState<BasemapImage>({ state: 'loading', url: null });
  const key = center ? `${center[0].toFixed(6)},${center[1].toFixed(6)},${zoom.toFixed(3)},${width}x${height}` : '';
  useEffect(() => {
    if (!center || !Number.isFinite(zoom)) {
      setImage({ state: 'none', url: null });
      return;
    }
    let live = true;
    let map: MapLibreMap | undefined;
    const box = document.createElement('div');
    box.setAttribute('aria-hidden', 'true');
    box.style.cssText = `position:fixed;left:-${width + 100}px;top:0;width:${width}px;height:${height}px;visibility:hidden;pointer-events:none`;
    document.body.appendChild(box);
    const done = (next: BasemapImage) => {
      if (!live) return;
      live = false;
      clearTimeout(timer);
      setImage(next);
      map?.remove();
      box.remove();
    };
    const timer = setTimeout(() => done({ state: 'none', url: null }), BASEMAP_TIMEOUT_MS);
    setImage({ state: 'loading', url: null });
    (async () => {
      try {
        prepareMapLibre();
        const style = paperStyle((await loadBasemapStyle()) as unknown as StyleLike) as unknown as StyleSpecification;
        if (!live) return;
        map = new MapLibreMap({
          container: box,
          style,
          center,
          zoom,
          interactive: false,
          attributionControl: false,
          fadeDuration: 0,
          pixelRatio: 2,
          canvasContextAttributes: { preserveDrawingBuffer: true },
        });
        map.once('idle', () => {
          try {
            done({ state: 'ready', url: map!.getCanvas().toDataURL('image/png') });
          } catch {
            done({ state: 'none', url: null });
          }
        });
      } catch {
        done({ state: 'none', url: null });
      }
    })();
    return () => {
      if (!live) return;
      live = false;
      clearTimeout(timer);
      map?.remove();
      box.remove();
    };
    // The view's key stands for center, zoom and size.
  }, [key]);
  return image;
}

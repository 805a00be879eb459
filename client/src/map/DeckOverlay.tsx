// deck.gl over MapLibre (client/src/map): MapLibreOverlay as a react-maplibre control (STACK.md: MapboxOverlay fails under MapLibre 6).
import { MapLibreOverlay, type MapLibreOverlayProps } from '@deck.gl/maplibre';
import { useControl } from '@vis.gl/react-maplibre';

/**
 * Renders deck.gl layers into the enclosing `<Map>`; props are pushed to deck on every render. Interleaved:
 * a layer with `beforeId` is drawn beneath that map layer (the picture's labels are MapLibre's), others on top.
 */
export function DeckOverlay(props: MapLibreOverlayProps) {
  const overlay = useControl<MapLibreOverlay>(() => new MapLibreOverlay({ ...props, interleaved: true }));
  overlay.setProps(props);
  return null;
}

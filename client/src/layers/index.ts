// Assembles the deck.gl layers of the picture (client/src/layers): draw order bottom to top, props from the pure functions.
import type { Layer } from '@deck.gl/core';
import { IconLayer, LineLayer, PathLayer, PolygonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Picture } from '@corridor/protocol';
import { convoyMarkerProps, corridorAltProps, corridorBestProps, corridorCasingProps } from './corridor-layers.js';
import { havenIconProps } from './haven-layers.js';
import type { Box } from './label-placement.js';
import { PictureLabelsLayer, type AnyPlacedLabel } from './labels-layer.js';
import { flowArrowProps, flowLineProps, siteCircleProps } from './site-layers.js';
import type { MeasureLine } from './text-measure.js';
import { threatZoneProps } from './threat-layers.js';
import { unitHeadingProps, unitSymbolProps, type StaleClock } from './unit-layers.js';

export interface LayerOptions extends StaleClock {
  /** Size multiplier for symbols and labels (1 on desks, larger on the wall display). */
  scale: number;
  /** Shorter labels where space is scarce (the wall display). */
  compact?: boolean;
  /** Text measurer for label placement (text-measure.ts `canvasMeasure()` in browsers). */
  measure?: MeasureLine;
  /** Screen areas covered by page furniture (the legend), CSS pixels: no label goes there. */
  reserved?: Box[];
  /** Called with each new label placement. */
  onLabelsPlaced?: (labels: readonly AnyPlacedLabel[]) => void;
}

/**
 * The picture's layers, new instances each call (cheap: deck.gl diffs props and keeps GPU buffers when
 * `data` is the same object, which the props functions guarantee for unchanged slices).
 * Labels sit under the unit symbols: placement keeps them off symbols, and should a required label be
 * forced onto one, the symbol still shows.
 */
export function pictureLayers(picture: Picture, o: LayerOptions): Layer[] {
  const { scale } = o;
  const clock: StaleClock = { nowMs: o.nowMs, staleAfterMs: o.staleAfterMs };
  return [
    new PolygonLayer(threatZoneProps(picture.threats)),
    new LineLayer(flowLineProps(picture.flows, scale)),
    new IconLayer(flowArrowProps(picture.flows, scale)),
    new PathLayer(corridorAltProps(picture.corridors, scale)),
    new PathLayer(corridorCasingProps(picture.corridors, scale)),
    new PathLayer(corridorBestProps(picture.corridors, scale)),
    new ScatterplotLayer(siteCircleProps(picture.sites, scale)),
    new IconLayer(havenIconProps(picture.havens, scale)),
    new ScatterplotLayer(convoyMarkerProps(picture.convoys, picture.corridors, scale)),
    new PictureLabelsLayer({
      id: 'labels',
      picture,
      clock,
      scale,
      compact: !!o.compact,
      ...(o.measure ? { measure: o.measure } : {}),
      ...(o.reserved ? { reserved: o.reserved } : {}),
      onPlaced: o.onLabelsPlaced ?? null,
    }),
    new IconLayer(unitHeadingProps(picture.units, o, scale)),
    new IconLayer(unitSymbolProps(picture.units, o, scale)),
  ] as Layer[];
}

// Assembles the deck.gl layers of the picture (client/src/layers): draw order bottom to top, props from the pure functions.
import type { Layer } from '@deck.gl/core';
import { IconLayer, LineLayer, PathLayer, PolygonLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Picture } from '../../../server/protocol/events.js';
import { convoyLabelProps, convoyMarkerProps, corridorAltProps, corridorBestProps, corridorCasingProps } from './corridor-layers.js';
import { havenIconProps, havenLabelProps } from './haven-layers.js';
import { flowArrowProps, flowLineProps, siteCircleProps, siteLabelProps } from './site-layers.js';
import { threatLabelProps, threatZoneProps } from './threat-layers.js';
import { unitHeadingProps, unitLabelProps, unitSymbolProps, type StaleClock } from './unit-layers.js';

export interface LayerOptions extends StaleClock {
  /** Size multiplier for symbols and labels (1 on desks, larger on the wall display). */
  scale: number;
  /** Shorter labels where space is scarce (the wall display). */
  compact?: boolean;
}

/**
 * The picture's layers, new instances each call (cheap: deck.gl diffs props and keeps GPU buffers when
 * `data` is the same object, which the props functions guarantee for unchanged slices).
 */
export function pictureLayers(picture: Picture, o: LayerOptions): Layer[] {
  const { scale } = o;
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
    new IconLayer(unitHeadingProps(picture.units, o, scale)),
    new IconLayer(unitSymbolProps(picture.units, o, scale)),
    new TextLayer(threatLabelProps(picture.threats, scale)),
    new TextLayer(siteLabelProps(picture.sites, scale, o.compact)),
    new TextLayer(havenLabelProps(picture.havens, scale)),
    new TextLayer(unitLabelProps(picture.units, o, scale)),
    new TextLayer(convoyLabelProps(picture.convoys, picture.corridors, scale)),
  ] as Layer[];
}

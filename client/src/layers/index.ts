// Assembles the deck.gl layers of the picture (client/src/layers): draw order bottom to top, props from the pure functions.
import type { Layer } from '@deck.gl/core';
import { IconLayer, LineLayer, PathLayer, PolygonLayer, ScatterplotLayer } from '@deck.gl/layers';
import { HexagonLayer } from '@deck.gl/aggregation-layers';
import type { Picture, Site } from '@corridor/protocol';
import { convoyMarkerProps, corridorAltProps, corridorBestProps, corridorCasingProps } from './corridor-layers.js';
import { havenIconProps } from './haven-layers.js';
import { checkpointMarks, checkpointProps, proposalProps, trailProps, unsafeProps } from './proposal-layers.js';
import { reportProps } from './report-layers.js';
import { constraintAreaProps, constraintLineProps, networkRoadProps } from './constraint-layers.js';
import type { NetworkRoad } from '../state/network-roads.js';
import { flowArrowProps, flowLineProps, siteAreaRingProps, siteCircleProps } from './site-layers.js';
import { densityProps, type DensityDrawn } from './density-layers.js';
import { threatZoneProps } from './threat-layers.js';
import { unitHeadingProps, unitLeaderProps, unitSymbolProps, type Leader, type StaleClock } from './unit-layers.js';
import { focusRingProps, focusRouteProps } from './focus-layers.js';
import type { Displacements } from './symbol-displacement.js';

export interface LayerOptions extends StaleClock {
  /** Size multiplier for symbols and labels (1 on desks, larger on the wall display). */
  scale: number;
  /**
   * The map layer the picture's labels start at (map/map-labels.ts FIRST_LABEL_LAYER): deck.gl draws
   * zones, corridors, sites, havens and convoys into the map beneath it (interleaved), unit symbols above.
   */
  beneathLabels?: string;
  /** The convoy selected in the side panel: its checkpoints are drawn. */
  selectedConvoyId?: string | null;
  /** Roads the loaded network's assessment tagged closed or restricted (drawn under the posted constraints). */
  networkRoads?: readonly NetworkRoad[];
  /** Whether the density of displaced people is drawn (issue 17: the toggle, `?density=1`), and who hears what it drew. */
  density?: boolean;
  onDensity?: (drawn: DensityDrawn) => void;
  /** Unit symbols drawn aside so as not to hide a haven or another unit, and their leader lines (map/label-controller.ts). */
  unitOffsets?: Displacements;
  leaders?: readonly Leader[];
  /** The convoy the wall puts forward (issue 17): its route glows and its marker is ringed. */
  focusConvoyId?: string | null;
}

/**
 * The picture's layers, new instances each call (cheap: deck.gl diffs props and keeps GPU buffers when
 * `data` is the same object, which the props functions guarantee for unchanged slices).
 * The labels are MapLibre's (map/map-labels.ts: it shapes Arabic): everything but the unit symbols sits
 * under them, and the unit symbols on top, so that should a required label be forced onto one, the symbol
 * still shows.
 */
const NO_ROADS: readonly NetworkRoad[] = [];
const NO_LEADERS: readonly Leader[] = [];

export function pictureLayers(picture: Picture, o: LayerOptions): Layer[] {
  const { scale } = o;
  const under = o.beneathLabels ? { beforeId: o.beneathLabels } : {};
  return [
    new PolygonLayer({ ...threatZoneProps(picture.threats), ...under }),
    new PathLayer({ ...networkRoadProps(o.networkRoads ?? NO_ROADS, scale), ...under }),
    new PolygonLayer({ ...constraintAreaProps(picture.constraints, scale), ...under }),
    new PathLayer({ ...constraintLineProps(picture.constraints, scale), ...under }),
    // Under the flows and sites it sums up, over the zones and constraints it must not hide.
    ...(o.density ? [new HexagonLayer<Site>({ ...densityProps(picture.sites, o.onDensity), ...under })] : []),
    new LineLayer({ ...flowLineProps(picture.flows, scale), ...under }),
    new IconLayer({ ...flowArrowProps(picture.flows, scale), ...under }),
    new PathLayer({ ...focusRouteProps(o.focusConvoyId, picture.convoys, picture.corridors, scale, picture.tracks), ...under }),
    new PathLayer({ ...corridorAltProps(picture.convoys, picture.corridors, scale), ...under }),
    new PathLayer({ ...corridorCasingProps(picture.convoys, picture.corridors, scale), ...under }),
    new PathLayer({ ...corridorBestProps(picture.convoys, picture.corridors, scale), ...under }),
    new PathLayer({ ...trailProps(picture.tracks, picture.convoys, scale), ...under }),
    new PathLayer({ ...unsafeProps(picture.convoys, picture.corridors, scale), ...under }),
    new PathLayer({ ...proposalProps(picture.proposals, picture.convoys, scale), ...under }),
    new ScatterplotLayer({ ...siteCircleProps(picture.sites, scale), ...under }),
    new IconLayer({ ...siteAreaRingProps(picture.sites, scale), ...under }),
    new IconLayer({ ...havenIconProps(picture.havens, scale), ...under }),
    new ScatterplotLayer({ ...convoyMarkerProps(picture.convoys, picture.corridors, scale, picture.tracks), ...under }),
    new ScatterplotLayer({ ...reportProps(picture.reports, scale), ...under }),
    new ScatterplotLayer({ ...checkpointProps(checkpointMarks(o.selectedConvoyId ?? null, picture.convoys, picture.corridors, picture.tracks), scale), ...under }),
    new ScatterplotLayer({ ...focusRingProps(o.focusConvoyId, picture.convoys, picture.corridors, scale, picture.tracks), ...under }),
    new PathLayer(unitLeaderProps(o.leaders ?? NO_LEADERS, scale)),
    new IconLayer(unitHeadingProps(picture.units, o, scale, o.unitOffsets)),
    new IconLayer(unitSymbolProps(picture.units, o, scale, o.unitOffsets)),
  ] as Layer[];
}

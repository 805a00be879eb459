// Read-only page hooks for the browser tests (client/src): flags and figures to wait on instead of sleeping.
import { pictureStore } from './state/hooks.js';

/** What `window.__corridor` exposes. Positions are [lon, lat] in degrees. */
export interface CorridorHooks {
  readonly seq: number;
  readonly connection: string;
  readonly lastUpdateMs: number;
  /** True once MapLibre has fired `idle` (style and visible tiles loaded). */
  mapIdle: boolean;
  /** True once deck.gl has drawn a frame with the picture's layers. */
  deckRendered: boolean;
  /** Number of deck.gl frames drawn so far. */
  deckFrames: number;
  /** The last basemap error, if any (e.g. a tile or style that failed to load). */
  mapError: string | null;
  unitPositions(): Record<string, [number, number]>;
  /** Basemap road features drawn in the current view (0 until the map has loaded). */
  roadFeatures(): number;
  counts(): Record<string, number>;
}

declare global {
  interface Window {
    __corridor?: CorridorHooks;
  }
}

/** Installs `window.__corridor` and returns it so the map can set its flags. */
export function installTestHooks(): CorridorHooks {
  const hooks: CorridorHooks = {
    get seq() {
      return pictureStore.getState().picture.seq;
    },
    get connection() {
      return pictureStore.getState().connection;
    },
    get lastUpdateMs() {
      return pictureStore.getState().lastUpdateMs;
    },
    mapIdle: false,
    deckRendered: false,
    deckFrames: 0,
    mapError: null,
    roadFeatures: () => 0,
    unitPositions() {
      const out: Record<string, [number, number]> = {};
      for (const u of Object.values(pictureStore.getState().picture.units)) out[u.unitId] = [u.lon, u.lat];
      return out;
    },
    counts() {
      const p = pictureStore.getState().picture;
      return {
        units: Object.keys(p.units).length,
        threats: Object.keys(p.threats).length,
        havens: Object.keys(p.havens).length,
        sites: Object.keys(p.sites).length,
        flows: Object.keys(p.flows).length,
        convoys: Object.keys(p.convoys).length,
        corridors: Object.keys(p.corridors).length,
      };
    },
  };
  window.__corridor = hooks;
  return hooks;
}

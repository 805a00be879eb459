// Read-only page hooks for the browser tests (client/src): flags and figures to wait on instead of sleeping.
import { idRecord, PICTURE_SLICES } from '@corridor/protocol';
import { pictureStore } from './state/hooks.js';
import { activeReplay } from './replay/use-replay.js';

/** What `window.__corridor` exposes. Positions are [lon, lat] in degrees. */
export interface CorridorHooks {
  readonly seq: number;
  readonly connection: string;
  readonly lastUpdateMs: number;
  /** True once MapLibre has drawn the map with its style and every visible tile loaded (`idle`, or a frame that found them so). */
  mapIdle: boolean;
  /** True once deck.gl has drawn a frame with the picture's layers. */
  deckRendered: boolean;
  /** Number of deck.gl frames drawn so far. */
  deckFrames: number;
  /** The last basemap error, if any (e.g. a tile or style that failed to load). */
  mapError: string | null;
  unitPositions(): Record<string, [number, number]>;
  /**
   * The map labels drawn now, as the last placement left them: id (`unit:u-1`, `threat:tz-1`, ...), family,
   * wording, whether a required label had to be forced over others, and its screen box in CSS pixels
   * relative to the map's top-left corner.
   */
  placedLabels: PlacedLabelSummary[];
  /** Screen position of [lon, lat] degrees, CSS pixels from the map's top-left corner (null until the map has loaded). */
  project(lon: number, lat: number): [number, number] | null;
  /** Basemap road features drawn in the current view (0 until the map has loaded). */
  roadFeatures(): number;
  counts(): Record<string, number>;
  /** The access page's state (issue 16), null on other pages. */
  access: AccessHooks | null;
  /**
   * The replay (issue 16): whether the page shows the past, and the replayed picture's seq, log time (ms),
   * units; `seq`, `counts()` and `unitPositions()` above stay the live picture's.
   */
  readonly replay: ReplaySummary;
}

/** What the test hooks say of the replay. */
export interface ReplaySummary {
  past: boolean;
  playing: boolean;
  speed: number;
  seq: number;
  atMs: number;
  units: Record<string, [number, number]>;
  /** Events in the list beside the timeline. */
  listed: number;
}

/** What the access page (`/access`) exposes: its list as filtered, the selection and the A-to-B check. */
export interface AccessHooks {
  /** True once the list has been loaded from the server (or, failing that, from the picture). */
  loaded: boolean;
  /** Ids of the rows the list shows now, in its order. */
  rows: string[];
  /** All rows before filtering. */
  total: number;
  selected: string | null;
  /** The A-to-B check: idle, asking the server, a route, no route, or an error. */
  check: 'idle' | 'busy' | 'route' | 'none' | 'error';
}

/** A label as the page hooks expose it. */
export interface PlacedLabelSummary {
  id: string;
  family: string;
  text: string;
  forced: boolean;
  box: { minX: number; minY: number; maxX: number; maxY: number };
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
    access: null,
    placedLabels: [],
    roadFeatures: () => 0,
    project: () => null,
    unitPositions() {
      const out = idRecord<[number, number]>();
      for (const u of Object.values(pictureStore.getState().picture.units)) out[u.unitId] = [u.lon, u.lat];
      return out;
    },
    get replay() {
      const r = activeReplay();
      const s = r?.state.getState();
      const p = r?.picture.getState().picture;
      const units = idRecord<[number, number]>();
      for (const u of Object.values(p?.units ?? {})) units[u.unitId] = [u.lon, u.lat];
      return { past: s?.mode === 'past', playing: !!s?.clock.playing, speed: s?.clock.speed ?? 0, seq: p?.seq ?? 0, atMs: s?.shownMs ?? 0, units, listed: s?.listed.length ?? 0 };
    },
    counts() {
      const p = pictureStore.getState().picture;
      return Object.fromEntries(PICTURE_SLICES.map((slice) => [slice, Object.keys(p[slice]).length]));
    },
  };
  window.__corridor = hooks;
  return hooks;
}

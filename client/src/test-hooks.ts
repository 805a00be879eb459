// Read-only page hooks for the browser tests (client/src): flags and figures to wait on instead of sleeping.
import { idRecord, PICTURE_SLICES } from '@corridor/protocol';
import { pictureStore } from './state/hooks.js';
import { activeReplay } from './replay/use-replay.js';
import { densityView } from './state/density.js';

/** What `window.__corridor` exposes. Positions are [lon, lat] in degrees. */
export interface CorridorHooks {
  readonly seq: number;
  readonly connection: string;
  readonly lastUpdateMs: number;
  /** The area of operations' name and whether the exercise runs, as the server's snapshot says (issue 17). */
  readonly area: string;
  readonly exercise: boolean;
  /** True once MapLibre has drawn the map with its style and every visible tile loaded (`idle`, or a frame that found them so). */
  mapIdle: boolean;
  /** True once deck.gl has drawn a frame with the picture's layers. */
  deckRendered: boolean;
  /** Number of deck.gl frames drawn so far. */
  deckFrames: number;
  /** The last basemap error, if any (e.g. a tile or style that failed to load); cleared when the basemap is read afresh. */
  mapError: string | null;
  /** Times the basemap was read afresh after the link came back (issue 17). */
  basemapRefreshes: number;
  /** The wall's framings (issue 17), the latest last (at most 20): when, and why (`first`, `outside`, `shrunk`). */
  fits: { atMs: number; why: string }[];
  /** Units whose symbol is drawn aside, off a haven or another unit (layers/symbol-displacement.ts). */
  displacedUnits: string[];
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
  /** The wall's state (issue 17), null on other pages. */
  wall: WallHooks | null;
  /**
   * The replay (issue 16): whether the page shows the past, and the replayed picture's seq, log time (ms),
   * units; `seq`, `counts()` and `unitPositions()` above stay the live picture's.
   */
  readonly replay: ReplaySummary;
  /**
   * The density of displaced people (issue 17): whether it is switched on, and what the layer drew last: its
   * hexagons, the people in them and in the fullest one (all 0 while off or before the first binning).
   */
  readonly density: { on: boolean; cells: number; people: number; maxCell: number };
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

/** What the wall (`/wall`) exposes: its ticker's length and lines, the convoy in focus and how many need attention, its least text size. */
export interface WallHooks {
  ticker: number;
  tickerTexts: string[];
  focus: string | null;
  candidates: number;
  /** The least font size of its text, CSS pixels (wall/legibility.ts). */
  fontPx?: number;
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
  /** Its text size, CSS pixels (the picture and the wall say it). */
  sizePx?: number;
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
    get area() {
      return pictureStore.getState().area;
    },
    get exercise() {
      return pictureStore.getState().exercise;
    },
    mapIdle: false,
    deckRendered: false,
    deckFrames: 0,
    mapError: null,
    basemapRefreshes: 0,
    fits: [],
    displacedUnits: [],
    access: null,
    wall: null,
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
    get density() {
      const d = densityView.getState();
      return { on: d.on, cells: d.drawn?.cells ?? 0, people: d.drawn?.people ?? 0, maxCell: d.drawn?.maxCell ?? 0 };
    },
    counts() {
      const p = pictureStore.getState().picture;
      return Object.fromEntries(PICTURE_SLICES.map((slice) => [slice, Object.keys(p[slice]).length]));
    },
  };
  window.__corridor = hooks;
  return hooks;
}

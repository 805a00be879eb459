// Client picture state (client/src/state): a zustand store folding server messages with the server's own reducer.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { applyEvents } from '@corridor/protocol';
import { emptyPicture, pictureFromJson, type DeltaMessage, type Picture, type SnapshotMessage } from '@corridor/protocol';

/** Connection state shown to the operator: live, trying again, or down for long (still retrying). */
/** `signed-out`: the server ended the session because its token was revoked; no retries follow. */
/** `outdated`: the server speaks another protocol version than this page (it was updated); reload. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'signed-out' | 'outdated';

export interface PictureState {
  picture: Picture;
  /** After how long without a report a unit is stale, ms (from the snapshot). */
  staleAfterMs: number;
  /** Server clock minus client clock, ms; add it to `Date.now()` to get server time. */
  clockOffsetMs: number;
  connection: ConnectionState;
  /** Server time of the newest event or snapshot folded in, ms since epoch; 0 before the first. */
  lastUpdateMs: number;
  /** Client time (Date.now()) a message last arrived from the server, ms; 0 before the first. */
  lastMessageAtMs: number;
  /** Whether a snapshot has been received since the page opened. */
  hasSnapshot: boolean;
  /** The area of operations' name, from the server ('' until the first snapshot says; issue 17). */
  area: string;
  /** Whether the server runs the built-in exercise: EXERCISE is marked only then (issue 17). */
  exercise: boolean;
}

/** Default stale threshold before a snapshot says otherwise, ms. */
export const DEFAULT_STALE_AFTER_MS = 60_000;

export function initialPictureState(): PictureState {
  return {
    picture: emptyPicture(),
    staleAfterMs: DEFAULT_STALE_AFTER_MS,
    clockOffsetMs: 0,
    connection: 'connecting',
    lastUpdateMs: 0,
    lastMessageAtMs: 0,
    hasSnapshot: false,
    area: '',
    exercise: false,
  };
}

/**
 * Folds a snapshot: it replaces the picture (the server's word is whole).
 * @example foldSnapshot(initialPictureState(), snap, Date.now()).picture === snap.picture // true
 */
export function foldSnapshot(state: PictureState, msg: SnapshotMessage, nowMs: number): PictureState {
  return {
    ...state,
    // Prototype-free slices (issue 9): a unit called `constructor` is a unit, not Object's member.
    picture: pictureFromJson(msg.picture),
    staleAfterMs: msg.staleAfterMs,
    clockOffsetMs: msg.serverTimeMs - nowMs,
    lastUpdateMs: Math.max(state.lastUpdateMs, msg.serverTimeMs),
    lastMessageAtMs: nowMs,
    hasSnapshot: true,
    // A replayed past picture does not say what it is of; the live link's word stays.
    area: msg.area ?? state.area,
    exercise: msg.exercise ?? state.exercise,
  };
}

/**
 * Folds a delta's events with `applyEvents` (the server's reducer); events at or below the picture's seq
 * are skipped (P2), so overlapping frames are harmless. Slices the events do not touch keep their identity.
 */
export function foldDelta(state: PictureState, msg: DeltaMessage, nowMs: number): PictureState {
  const picture = applyEvents(state.picture, msg.events);
  let lastUpdateMs = state.lastUpdateMs;
  for (const e of msg.events) if (e.timeMs > lastUpdateMs) lastUpdateMs = e.timeMs;
  // A frame whose events were all merged away still advances seq (P4).
  const advanced = msg.seq > picture.seq ? { ...picture, seq: msg.seq } : picture;
  return { ...state, picture: advanced, lastUpdateMs, lastMessageAtMs: nowMs };
}

export type PictureStore = StoreApi<PictureState>;

/** Creates a store; the app makes one, tests make their own. */
export function createPictureStore(init: Partial<PictureState> = {}): PictureStore {
  return createStore<PictureState>(() => ({ ...initialPictureState(), ...init }));
}

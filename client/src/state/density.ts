// Whether the picture shows the density of displaced people (client/src/state, issue 17): switched in the legend,
// kept in the page's address as `?density=1`, so that a wall display can be opened with it.
import { createStore } from 'zustand/vanilla';
import type { DensityDrawn } from '../layers/density-layers.js';

interface DensityView {
  on: boolean;
  /** What the density layer drew last (null before it has drawn, and while it is off). */
  drawn: DensityDrawn | null;
}

/**
 * Whether an address's query asks for the density: `density=1` (or `true`, `on`).
 * @example densityInSearch('?lang=fr&density=1') // true
 */
export function densityInSearch(search: string): boolean {
  const v = new URLSearchParams(search).get('density');
  return v === '1' || v === 'true' || v === 'on';
}

/**
 * The query of an address with the density switched on or off, its other parameters kept in their order.
 * @example searchWithDensity('?lang=fr', true) // '?lang=fr&density=1'
 * @example searchWithDensity('?density=1', false) // ''
 */
export function searchWithDensity(search: string, on: boolean): string {
  const q = new URLSearchParams(search);
  if (on) q.set('density', '1');
  else q.delete('density');
  const text = q.toString();
  return text ? `?${text}` : '';
}

const startsOn = typeof window !== 'undefined' && densityInSearch(window.location.search);

export const densityView = createStore<DensityView>(() => ({ on: startsOn, drawn: null }));

/** Switches the density on or off, and says so in the address (replaced: a toggle is no step to go back to). */
export function setDensity(on: boolean): void {
  densityView.setState({ on, drawn: on ? densityView.getState().drawn : null });
  if (typeof window === 'undefined') return;
  const search = searchWithDensity(window.location.search, on);
  if (search !== window.location.search) window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}${window.location.hash}`);
}

/** Records what the density layer drew (the layers' `onDensity`), while it is on. */
export function densityDrawn(drawn: DensityDrawn): void {
  const s = densityView.getState();
  if (!s.on) return;
  const was = s.drawn;
  if (!was || was.cells !== drawn.cells || was.people !== drawn.people || was.maxCell !== drawn.maxCell) densityView.setState({ drawn });
}

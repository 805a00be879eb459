// The convoy a planner looks at (client/src/state): chosen in the side panel, framed on the map with its
// corridor, the way it has come and its checkpoints; one at a time, or none.
import { createStore } from 'zustand/vanilla';

interface Selection {
  convoyId: string | null;
}

export const selection = createStore<Selection>(() => ({ convoyId: null }));

/** Selects a convoy, or deselects it when it already is. */
export function toggleConvoy(id: string): void {
  selection.setState((s) => ({ convoyId: s.convoyId === id ? null : id }));
}

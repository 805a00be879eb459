// Identity-preserving derivation (client/src/layers): same picture slice in → same data array out.
// deck.gl compares `data` by reference; a new array forces every attribute to be rebuilt (STYLE: stable data identity).

/**
 * Wraps a derivation of a picture slice so it runs once per slice object. `applyEvents` keeps a slice's
 * identity when no event touched it, so unchanged slices give the very same data array.
 * @example const f = memoBySlice((s: Record<string, number>) => Object.values(s)); f(s) === f(s) // true
 */
export function memoBySlice<S extends object, T>(derive: (slice: S) => T): (slice: S) => T {
  const cache = new WeakMap<S, T>();
  return (slice) => {
    let value = cache.get(slice);
    if (value === undefined) {
      value = derive(slice);
      cache.set(slice, value);
    }
    return value;
  };
}

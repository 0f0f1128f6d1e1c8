/**
 * A read-only window on `map`: reads go straight through, and there is nothing to write with, so a
 * caller cannot put the view out of step with what it shows.
 */
export function readonlyView<K, V>(map: Map<K, V>): ReadonlyMap<K, V> {
  const view: ReadonlyMap<K, V> = {
    get size() {
      return map.size;
    },
    get: (key) => map.get(key),
    has: (key) => map.has(key),
    keys: () => map.keys(),
    values: () => map.values(),
    entries: () => map.entries(),
    [Symbol.iterator]: () => map.entries(),
    forEach(callback, thisArg) {
      map.forEach((value, key) => callback.call(thisArg, value, key, view));
    },
  };
  return view;
}

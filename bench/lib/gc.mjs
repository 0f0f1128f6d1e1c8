import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A full garbage collection, also where node was started without --expose-gc (a vitest worker):
 * setting the flag at run time installs `gc` on contexts created afterwards.
 */
export function garbageCollector() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('no way to run the garbage collector here');
  return gc;
}

/**
 * Heap in use after collections separated by turns of the event loop (so weak callbacks and
 * finalizers run), compiled code left out: code the JIT adds while warming up is not a leak.
 */
export async function settledHeap(gc = garbageCollector()) {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return v8
    .getHeapSpaceStatistics()
    .filter((space) => !space.space_name.startsWith('code_'))
    .reduce((sum, space) => sum + space.space_used_size, 0);
}

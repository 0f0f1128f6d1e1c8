/**
 * Structural equality of JSON values (what frames and poll bodies decode to). An explicit stack,
 * not recursion: a frame under maxFrameBytes can nest 100,000 deep, past the call stack. Arrays go
 * through the same key walk as objects: JSON arrays have no holes, so their keys are their indices.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: unknown[] = [a, b];
  while (stack.length) {
    const y = stack.pop() as Record<string, unknown>;
    const x = stack.pop() as Record<string, unknown>;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || !x || !y || Array.isArray(x) !== Array.isArray(y)) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) {
      if (!hasOwn(y, key)) return false;
      stack.push(x[key], y[key]);
    }
  }
  return true;
}

export const hasOwn = (value: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(value, key);

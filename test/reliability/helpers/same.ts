/**
 * Deep equality of decoded JSON, walked with an explicit stack. Recursive comparisons
 * (isDeepStrictEqual, toStrictEqual) overflow on the 100,000-deep values the fuzzers send, and
 * toStrictEqual also reads `a.constructor`, which a hostile task can own as a key.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y) || Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(y, key)) return false;
      stack.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
    }
  }
  return true;
}

export function expectSame(actual: unknown, expected: unknown): void {
  if (!sameJson(actual, expected)) throw new Error(`not the same:\n  actual:   ${preview(actual)}\n  expected: ${preview(expected)}`);
}

function preview(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 400 ? `${text.slice(0, 400)}…` : text;
  } catch {
    return '(too deep to print)';
  }
}

/**
 * Python's `json.dumps(value)` with its defaults (", " / ": " separators, ensure_ascii, allow_nan),
 * so frames match what a real Flowrra server sends byte for byte.
 *
 * Two things JavaScript cannot know once a document went through `JSON.parse`:
 * integral floats (`3.0` parses to `3`, printed back as `3`), and integer-like object keys,
 * which JavaScript moves to the front of an object.
 */
export function pyDumps(value: unknown): string {
  return dump(value, new Set());
}

// Python escapes everything outside printable ASCII, plus the quote and the backslash.
const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

export function pyString(s: string): string {
  return (
    '"' +
    s.replace(NEEDS_ESCAPE, (c) => SHORT_ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) +
    '"'
  );
}

/** `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const [mantissa, exponentText] = n.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  // In this range JavaScript already prints the same shortest digits in positional form.
  return String(n);
}

function dump(value: unknown, ancestors: Set<object>): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return pyString(value);
    case 'number':
      return pyNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return 'null';
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return dump(withJson.toJSON(), ancestors);
  const obj = value as object;
  if (ancestors.has(obj)) throw new TypeError('Circular reference in pyDumps');
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) return '[' + obj.map((item) => dump(item, ancestors)).join(', ') + ']';
    const parts: string[] = [];
    for (const [key, item] of Object.entries(obj)) {
      // Like JSON.stringify: keys without a JSON value are left out.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      parts.push(pyString(key) + ': ' + dump(item, ancestors));
    }
    return '{' + parts.join(', ') + '}';
  } finally {
    ancestors.delete(obj);
  }
}

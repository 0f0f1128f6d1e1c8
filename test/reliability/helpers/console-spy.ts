import { vi } from 'vitest';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Everything written through console.* while the test runs, as text (vitest restores spies per test file run). */
export function captureConsole(): () => string[] {
  const spies = METHODS.map((method) => vi.spyOn(console, method).mockImplementation(() => undefined));
  return () => spies.flatMap((spy) => spy.mock.calls.map((args) => args.map(text).join(' ')));
}

function text(value: unknown): string {
  if (value instanceof Error) return `${value.message}\n${value.stack}`;
  try {
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return String(value);
  }
}

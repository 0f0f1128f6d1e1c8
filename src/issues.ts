import type * as z from 'zod/mini';
import { hasOwn } from './equal';
import { describeValue } from './errors';

/**
 * Renders zod issues as `task.retries: expected integer, got "2"`. The expectation comes from the
 * `error` text each schema declares; the value is read back from the input, because zod/mini does
 * not carry it.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: string): string {
  return issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)';
      return `${path}: expected ${issue.message}, got ${describeValue(valueAt(input, issue.path))}`;
    })
    .join('; ');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

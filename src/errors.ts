/**
 * - `parse`: a frame or poll body that is not JSON, is binary, or is over `maxFrameBytes`.
 * - `validation`: JSON of the wrong shape; the message names the field.
 * - `unknown-type`: a frame whose `type` this client does not know; not delivered.
 * - `poll`: a poll that failed (HTTP status, timeout, network, authentication).
 * - `socket`: the socket failed for good (retries exhausted, no WebSocket available).
 * - `auth`: the server closed the socket with an authentication close code; it is not reopened.
 * - `config`: bad options, thrown by `createTaskClient`.
 * - `listener`: a subscriber or state listener threw; the others still ran.
 */
export type TaskClientErrorKind =
  | 'parse'
  | 'validation'
  | 'unknown-type'
  | 'poll'
  | 'socket'
  | 'auth'
  | 'config'
  | 'listener';

const RAW_LIMIT = 1024;

export class TaskClientError extends Error {
  override name = 'TaskClientError';
  /** What went wrong, as a class of error. */
  readonly kind: TaskClientErrorKind;
  /** The offending payload, cut to 1 KiB, where there is one. */
  readonly raw?: string;
  /** The HTTP status of a failed poll. */
  readonly status?: number;

  constructor(kind: TaskClientErrorKind, message: string, extra: { raw?: unknown; status?: number; cause?: unknown } = {}) {
    super(message);
    this.kind = kind;
    if (extra.raw !== undefined) this.raw = cut(extra.raw);
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.cause !== undefined) (this as { cause?: unknown }).cause = extra.cause;
  }
}

function cut(raw: unknown): string {
  return (typeof raw === 'string' ? raw : toText(raw)).slice(0, RAW_LIMIT);
}

function toText(value: unknown): string {
  if (typeof value === 'number') return String(value); // JSON would write NaN as null
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A short, safe rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = toText(value);
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}

/** The `config` error for an option: `pollInterval: expected a number from 1 to 2147483647, got -5`. */
export function configError(option: string, expected: string, got: unknown): TaskClientError {
  return new TaskClientError('config', `${option}: expected ${expected}, got ${toText(got)}`);
}

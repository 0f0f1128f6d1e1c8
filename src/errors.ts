/**
 * - `parse`: a socket frame that is not JSON, is binary, or is over `maxFrameBytes`.
 * - `validation`: a frame, poll answer or poll item of the wrong shape; the message names the field.
 * - `unknown-type`: a frame whose `type` this client does not know; not delivered.
 * - `poll`: a poll that failed (HTTP status, an answer that is not JSON, timeout, network, or the
 *   token function).
 * - `socket`: an attempt could not start (the WebSocket constructor threw), or the socket gave up
 *   after `reconnect.maxRetries`.
 * - `auth`: the server closed the socket with 1008, 4401 or 4403 (retried once with a fresh token
 *   when `token` is a function, then stopped until `reconnect()`), or the token function failed.
 * - `token`: the token function did not settle within `pollTimeout` (for a poll) or
 *   `reconnect.connectTimeout` (for a socket attempt); that poll or attempt failed, the next one
 *   asks the token function again.
 * - `config`: bad options, thrown by `createTaskClient`.
 * - `listener`: a subscriber or state listener threw; the others still ran. (An error listener
 *   that throws is not reported: there is nowhere left to report to.)
 */
export type TaskClientErrorKind =
  | 'parse'
  | 'validation'
  | 'unknown-type'
  | 'poll'
  | 'socket'
  | 'auth'
  | 'token'
  | 'config'
  | 'listener';

const RAW_LIMIT = 1024;
// The whole payload of an error whose `raw` was cut, until the client has redacted it: a token
// that crosses the cut must be found whole.
const uncut = new WeakMap<TaskClientError, string>();

export class TaskClientError extends Error {
  override name = 'TaskClientError';
  /** What went wrong, as a class of error. */
  readonly kind: TaskClientErrorKind;
  /** The offending payload, cut to 1 KiB, where there is one. */
  readonly raw?: string;
  /** The HTTP status of a failed poll. */
  readonly status?: number;

  constructor(kind: TaskClientErrorKind, message: string, { raw, status, cause }: { raw?: unknown; status?: number; cause?: unknown } = {}) {
    super(message);
    this.kind = kind;
    if (raw !== undefined) {
      const text = typeof raw === 'string' ? raw : toText(raw);
      this.raw = text.slice(0, RAW_LIMIT);
      if (text.length > RAW_LIMIT) uncut.set(this, text);
    }
    if (status !== undefined) this.status = status;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** The payload an error was made with, before `raw` was cut to 1 KiB. */
export function fullRaw(error: TaskClientError): string | undefined {
  return uncut.get(error) ?? error.raw;
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

export type TaskStatus = 'pending' | 'running' | 'success' | 'failed' | 'retrying';

export type TaskEventType = 'task.update' | 'task.create' | 'task.delete';

/** A Flowrra TaskResult, keys in wire order. Timestamps are naive local ISO-8601 with microseconds. */
export interface Task {
  task_id: string;
  status: TaskStatus;
  task_name: string | null;
  result: unknown;
  error: string | null;
  submitted_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  retries: number;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

export interface TaskEvent {
  type: TaskEventType;
  task: Task;
}

/** What `emit()` accepts: anything missing is filled with Flowrra's defaults. */
export interface PartialTaskEvent {
  type: TaskEventType;
  task: Partial<Task> & { task_id: string };
}

/** A simulated task. Every attempt takes `duration_ms`; with `fail`, every attempt fails. */
export interface TaskSpec {
  name?: string;
  /** @default 500 */
  duration_ms?: number;
  /** @default false */
  fail?: boolean;
  /** Retries after the first failed attempt. @default 1 */
  max_retries?: number;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** The `error` text of the final failed frame. @default 'Simulated failure' */
  error?: string;
  /** The `result` of the success frame. @default { ok: true, slept: duration_ms / 1000 } */
  result?: unknown;
  /** Wait between a `retrying` frame and the next attempt. @default duration_ms */
  retry_delay_ms?: number;
}

export interface ReferenceServerOptions {
  /** `0` picks a free port. @default 8000 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Submit about this many random tasks per second. @default 0 */
  simulate?: number;
  /** Required on the upgrade (`?token=` or `Authorization: Bearer`) and on the API. */
  token?: string;
  /** Allowed `Origin` values on upgrades; when set, any other (or none) gets 403. */
  origins?: string[];
  /** The one origin allowed to call the API cross-origin. @default CORS off */
  cors?: string;
  /** Upgrades beyond this many open sockets get 503. @default 10000 */
  maxConnections?: number;
  /** Largest incoming frame in bytes. @default 65536 */
  maxPayload?: number;
  /** Protocol ping period in ms; a peer silent for a whole period is terminated. @default 20000 */
  pingInterval?: number;
  /** Files served under `/`. */
  staticDir?: string;
  /** The SDK's build output: `/flowrra-client.min.js`, `/flowrra-client.share.min.js` and `/dist/*`. */
  distDir?: string;
  /** A path to a PEM file, or the PEM itself. With `tlsKey`: https and wss. */
  tlsCert?: string;
  tlsKey?: string;
  /** Most task results kept; the oldest-changed are dropped first. @default 10000 */
  resultsLimit?: number;
}

/**
 * The fault switches and counters that the reference server and the msw kit
 * (`flowrra-client/testing`) share, so a test can move from one to the other.
 */
export interface FlowrraControls<T> {
  /** While on, new sockets are refused (the server answers upgrades 503), so clients must poll. */
  refuseUpgrades(on: boolean): void;
  /** While set, the results endpoint answers with this HTTP status. */
  failPolls(status: number | null): void;
  /** Every stored result, most recently changed first: the results endpoint's body. */
  results(): T[];
  /** Sockets open now. */
  connections(): number;
  /** Socket connection attempts so far, refused ones included. */
  upgrades(): number;
  /** Results requests so far, 304 and failed ones included. */
  polls(): number;
}

export interface ReferenceServer extends FlowrraControls<Task> {
  /** The Flowrra mount, e.g. `http://127.0.0.1:54321/flowrra`. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  /** Runs a task through Flowrra's real frame sequence. Returns its `task_id`. */
  submit(spec?: TaskSpec): string;
  /** Stores (or, for `task.delete`, removes) the task and broadcasts it in the exact wire format. */
  emit(event: PartialTaskEvent): void;
  /** Broadcasts `data` as is: a string as a text frame, a Buffer as a binary frame. */
  sendRaw(data: string | Buffer): void;
  /** No code: every socket is terminated (peers see 1006). With a code: a close frame with it. */
  dropConnections(code?: number): void;
  /** Closes sockets with 1001, stops timers and the listener. Idempotent. */
  stop(): Promise<void>;
}

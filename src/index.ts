export { createTaskClient } from './client';
export { TaskClientError, type TaskClientErrorKind } from './errors';
export { FATAL_CLOSE_CODES } from './socket';
export { compareProgress, latestTimestamp } from './order';
export {
  TaskSchema,
  TaskRefSchema,
  FrameEnvelopeSchema,
  TASK_STATUSES,
  TASK_EVENT_TYPES,
  type Task,
  type TaskStatus,
  type KnownTaskStatus,
  type TaskFrame,
} from './schema';
export type { TaskClient, TaskEvent, ConnectionState, TabRole } from './types';
export type { TaskClientOptions, ReconnectOptions, TokenSource, ResponseLike, WebSocketConstructor as WebSocketLike } from './options';
export type { DebugEntry, DebugEvent, NoRetry, PageChange } from './debug';
export type { ShareConnection } from './share/group';
export type { TaskEventType } from './schema';

import type { TaskClientError, TaskClientErrorKind } from '../errors';
import type { Task, TaskEventType } from '../schema';
import type { ConnectionState } from '../types';
import type { Core } from './group';

/**
 * What the tabs of a group say to each other, as JSON text: the receiver validates every task with
 * the socket frames' rules, so a message from anything else on the channel is a reported error,
 * never a change. It holds no message to its `maxFrameBytes`: that limit is for the socket's frames,
 * which the leader checked, and a task the leader applied (merged from several frames, or polled)
 * may be larger than any one frame. `f` is the sender's tab id, `to` the one tab a reply is for.
 * Tokens never travel: errors are redacted before they are sent.
 */
export type Message =
  /** The leader's state, sent on every change of it or of its page's visibility, and as a heartbeat. */
  | { t: 'beat'; f: string; state: ConnectionState; hidden: boolean }
  /** A tab joined: the leader answers with a beat and its tasks. */
  | { t: 'hello'; f: string }
  | { t: 'tasks'; f: string; to: string; tasks: Task[] }
  /** One change the leader applied. */
  | { t: 'change'; f: string; type: TaskEventType; task: Task; source: 'ws' | 'poll' }
  | { t: 'error'; f: string; kind: TaskClientErrorKind; message: string; raw?: string; status?: number }
  /** A follower's refresh(): the leader polls, then answers `done` with the same id. */
  | { t: 'refresh'; f: string; id: number }
  | { t: 'done'; f: string; to: string; id: number };

const STATES: unknown[] = ['idle', 'connecting', 'live', 'polling'];
// The group's errors a follower shows: what the socket and the poller report, never a local listener's.
const SHARED_KINDS: unknown[] = ['parse', 'validation', 'unknown-type', 'poll', 'socket', 'auth', 'token'];
const is = (type: string, value: unknown) => typeof value === type;

/** One channel message, checked, or the error that says what was wrong with it. Never throws. */
export function readMessage(data: unknown, [TaskClientError, decodeJson, isRecord, parseTask]: Core): Message | TaskClientError {
  const m = decodeJson(data, Infinity, 'channel') as Record<string, unknown>;
  if (m instanceof TaskClientError) return m;
  // `null` is JSON too: nothing may be read off it before it is known to be an object.
  let ok = isRecord(m) && is('string', m.f) && (m.to === undefined || is('string', m.to));
  const { t, type } = ok ? m : ({} as Record<string, unknown>);
  if (ok && (t === 'change' || t === 'tasks')) {
    const list = t === 'tasks' ? m.tasks : [m.task];
    if (Array.isArray(list) && (t === 'tasks' || (/^task\.(update|create|delete)$/.test(type as string) && /^(ws|poll)$/.test(m.source as string)))) {
      const tasks: Task[] = [];
      for (const item of list) {
        const task = parseTask(item, type === 'task.delete', 'channel: task', data);
        if (task instanceof TaskClientError) return task;
        tasks.push(task);
      }
      return (t === 'tasks' ? { ...m, tasks } : { ...m, task: tasks[0] }) as unknown as Message;
    }
  } else if (ok) {
    ok =
      t === 'hello' ||
      (t === 'beat' && STATES.includes(m.state) && is('boolean', m.hidden)) ||
      ((t === 'refresh' || t === 'done') && Number.isSafeInteger(m.id)) ||
      (t === 'error' && SHARED_KINDS.includes(m.kind) && is('string', m.message) && /^(string|undefined)$/.test(typeof m.raw) && /^(number|undefined)$/.test(typeof m.status));
    if (ok) return m as Message;
  }
  return new TaskClientError('validation', 'channel: not a message of this group', { raw: data });
}

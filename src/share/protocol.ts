import { TaskClientError, type TaskClientErrorKind } from '../errors';
import { exceedsBytes, isRecord, parseTask } from '../frame';
import type { Task, TaskEventType } from '../schema';
import type { ConnectionState } from '../types';

/**
 * What the tabs of a group say to each other, as JSON text: the receiver holds it to its own
 * `maxFrameBytes` and validates every task with the socket frames' rules, so a message from
 * anything else on the channel is a reported error, never a change. `f` is the sender's tab id,
 * `to` the one tab a reply is for. Tokens never travel: errors are redacted before they are sent.
 */
export type Message =
  /** The leader's state, sent on every change of it and as a heartbeat; `hidden`: its page is. */
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

const STATES: readonly unknown[] = ['idle', 'connecting', 'live', 'polling'];
// The group's errors a follower shows: what the socket and the poller report, never a local listener's.
export const SHARED_KINDS: readonly unknown[] = ['parse', 'validation', 'unknown-type', 'poll', 'socket', 'auth'];

/** One channel message, checked, or the error that says what was wrong with it. Never throws. */
export function readMessage(data: unknown, maxBytes: number): Message | TaskClientError {
  if (typeof data !== 'string') return new TaskClientError('parse', 'channel: expected a JSON text message');
  if (exceedsBytes(data, maxBytes)) return new TaskClientError('parse', `channel: a message of more than maxFrameBytes (${maxBytes}) bytes`, { raw: data });
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(data);
  } catch {
    return new TaskClientError('parse', 'channel: invalid JSON', { raw: data });
  }
  const bad = (what: string) => new TaskClientError('validation', `channel: ${what}`, { raw: data });
  if (!isRecord(m) || typeof m.f !== 'string' || (m.to !== undefined && typeof m.to !== 'string')) return bad('expected a message with a sender');
  const id = Number.isSafeInteger(m.id);
  switch (m.t) {
    case 'hello':
      return m as Message;
    case 'beat':
      return STATES.includes(m.state) && typeof m.hidden === 'boolean' ? (m as Message) : bad('a beat with an unknown state');
    case 'refresh':
    case 'done':
      return id ? (m as Message) : bad(`${m.t} without an id`);
    case 'error':
      return SHARED_KINDS.includes(m.kind) && typeof m.message === 'string' && /^(string|undefined)$/.test(typeof m.raw) && /^(number|undefined)$/.test(typeof m.status)
        ? (m as Message)
        : bad('an error of the wrong shape');
    case 'change': {
      if (m.type !== 'task.update' && m.type !== 'task.create' && m.type !== 'task.delete') return bad('a change of an unknown type');
      if (m.source !== 'ws' && m.source !== 'poll') return bad('a change of an unknown source');
      const task = parseTask(m.task, m.type === 'task.delete', 'channel: task', data);
      return task instanceof TaskClientError ? task : { ...(m as Message & { t: 'change' }), task };
    }
    case 'tasks': {
      if (!Array.isArray(m.tasks)) return bad('tasks without a list');
      const tasks: Task[] = [];
      for (const [i, item] of m.tasks.entries()) {
        const task = parseTask(item, false, `channel: tasks[${i}]`, data);
        if (task instanceof TaskClientError) return task;
        tasks.push(task);
      }
      return { t: 'tasks', f: m.f, to: m.to as string, tasks };
    }
  }
  return bad(`unknown message type ${JSON.stringify(m.t)?.slice(0, 40)}`);
}

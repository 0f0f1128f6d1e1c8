import type { TaskClientError } from '../errors';
import type { decodeJson, isRecord, parseTask } from '../frame';
import type { pageIsHidden, watchPage } from '../page';
import type { Task, TaskEventType } from '../schema';
import type { ConnectionState, TabRole } from '../types';
import { readMessage, type Message } from './protocol';

/**
 * The client's own pieces the group uses, handed over by the client: the group is a module of its own
 * (`flowrra-client/share`, a script-tag file of its own), and its errors must be the client's
 * `TaskClientError`, its tasks checked by the client's own rules.
 */
export type Core = [
  TaskClientError: typeof TaskClientError,
  decodeJson: typeof decodeJson,
  isRecord: typeof isRecord,
  parseTask: typeof parseTask,
  pageIsHidden: typeof pageIsHidden,
  watchPage: typeof watchPage,
];

/**
 * What the client does for its group. This and `Core` are tuples, not objects, so that the client's
 * script tag carries none of these names (its own names there are shortened): some 70 B of gzip.
 */
export type GroupHost = [
  /** This tab leads now: open the socket. */
  lead: () => void,
  /** This tab does not lead (now or any more): socket and poller stop, quietly (the state stays until the leader says). */
  follow: () => void,
  /** This tab's role changed. */
  roleChanged: (role: TabRole) => void,
  apply: (type: TaskEventType, task: Task, source: 'ws' | 'poll') => void,
  /** A follower's state: the leader's, as heard. */
  mirror: (state: ConnectionState) => void,
  /** Reports an error in this tab only. */
  report: (error: TaskClientError) => void,
  tasks: () => Iterable<Task>,
  state: () => ConnectionState,
  /** Polls with this tab's own poller. */
  poll: () => Promise<unknown>,
  core: Core,
];

export interface Group {
  /** Enters the election and listens; idempotent. */
  join(): void;
  /** Leaves for good (close(), or a lazy client with no subscriber left): the next tab in line leads, this one is solo. */
  leave(): void;
  /** The leader passes on each change it applied, its state and its errors; from a follower, nothing. */
  changed(type: TaskEventType, task: Task, source: 'ws' | 'poll'): void;
  /** The leader beats at once: its state changed. */
  beat(): void;
  failed(error: TaskClientError): void;
  /** Polls: a follower asks the leader to, and it resolves once that poll's changes have arrived here. */
  refresh(): Promise<unknown>;
  /** 'solo' until it joins and once it leaves. */
  readonly role: TabRole;
}

type Unsent = { [T in Message['t']]: Omit<Extract<Message, { t: T }>, 'f'> }[Message['t']];

// The leader's heartbeat. A visible follower that hears nothing for SILENT ms takes over: the
// leader's page is frozen, or hidden so long that its timers are throttled to a crawl (Chrome: one
// a minute after five minutes hidden), so it is a bad leader. So is a hidden leader while the group
// polls: a hidden page holds its polls.
const BEAT = 1000;
const SILENT = 5000;
// A late joiner's snapshot goes in messages of about this many characters, so that no one message
// holds up either tab for long.
const CHUNK = 64 * 1024;

/**
 * One connection for the tabs of an origin that share `name`: the tab holding the Web Lock `name`
 * leads (it runs the socket and the poller), the others follow over the BroadcastChannel `name`.
 * The lock is released when the leader closes, leaves the page or enters the back/forward cache,
 * and the browser releases it when the tab dies; the next tab in line is granted it at once.
 * Undefined where there is no Web Locks API or BroadcastChannel: the client then runs alone.
 */
export function createGroup(name: string, host: GroupHost): Group | undefined {
  const [lead, follow, roleChanged, apply, mirror, report, tasks, state, poll, core] = host;
  const [TaskClientError, , , , pageIsHidden, watchPage] = core;
  const locks = typeof navigator === 'object' ? navigator.locks : undefined;
  if (!locks || typeof BroadcastChannel !== 'function') return undefined;
  const me = Math.random().toString(36).slice(2);
  let channel: BroadcastChannel | undefined;
  let unwatch: (() => void) | undefined;
  let role: TabRole = 'solo';
  let leading = false;
  let release: (() => void) | undefined;
  let request: AbortController | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let stealTimer: ReturnType<typeof setTimeout> | undefined;
  // The leader as last heard: its id, when, and whether its page is hidden.
  let leader: string | undefined;
  let heardAt = 0;
  let leaderHidden = false;
  const waiting = new Map<number, () => void>();
  let lastId = 0;

  const post = (message: Unsent): void => channel?.postMessage(JSON.stringify({ ...message, f: me }));
  // From the leader alone.
  const beat = (): void => {
    if (leading) post({ t: 'beat', state: state(), hidden: pageIsHidden() });
  };
  const answerAll = (): void => waiting.forEach((done) => done());

  /**
   * The one place the role changes: 'follower' on joining or when deposed, 'leader' when granted the
   * lock, 'solo' or 'follower' on parting. The role first: whatever stopping the socket and poller
   * sets off then finds this tab not leading. Any listener a step runs may close the client, which parts this
   * tab (the lock released, `channel` and `request` cleared): after each step the rest runs only while
   * `mine` is still this tab's election.
   */
  function become(next: TabRole, mine?: AbortController, takeover?: boolean): void {
    leading = next === 'leader';
    if (role !== next) roleChanged((role = next));
    if (!leading) follow();
    if (!channel || request !== mine) return;
    if (!leading) {
      // Joining, or deposed because its page was frozen: what passed meanwhile comes in the leader's snapshot.
      post({ t: 'hello' });
      return ask(false);
    }
    leader = me;
    beat();
    lead();
    // After another tab led, what changed during the handoff comes by this poll at once.
    if (request === mine && (takeover || waiting.size)) poll().then(answerAll);
  }

  // Queues for the lock, or takes it from a leader gone silent. A leader whose lock was taken hears
  // it as a rejection: it steps down and queues again.
  function ask(steal: boolean): void {
    request?.abort();
    const mine = (request = new AbortController());
    locks!
      .request(name, steal ? { steal } : { signal: mine.signal }, () =>
        // Granted after this tab left (a steal is not queued, so it cannot be withdrawn): let go at once.
        // Else `release` is set before any listener runs, so a close() from one lets go too.
        request === mine
          ? new Promise<void>((resolve) => {
              release = resolve;
              become('leader', mine, !!leader);
            })
          : undefined,
      )
      .catch(() => request === mine && leading && become('follower', mine));
  }

  // Only a visible page takes over (a hidden one is throttled itself). Guarded against a takeover by
  // another tab, whose first beat comes at once: the leader must still be silent after a random wait.
  const due = (): boolean =>
    !leading && !!channel && !pageIsHidden() && (Date.now() - heardAt > SILENT || (leaderHidden && state() === 'polling'));

  function tick(): void {
    beat();
    if (due() && !stealTimer) {
      stealTimer = setTimeout(() => {
        stealTimer = undefined;
        if (due()) ask(true);
      }, Math.random() * BEAT);
    }
  }

  function snapshot(to: string): void {
    let chunk: Task[] = [];
    let size = 0;
    for (const task of tasks()) {
      chunk.push(task);
      if ((size += JSON.stringify(task).length) > CHUNK) {
        post({ t: 'tasks', to, tasks: chunk });
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length) post({ t: 'tasks', to, tasks: chunk });
  }

  function receive(data: unknown): void {
    const m = readMessage(data, core);
    if (m instanceof TaskClientError) return report(m);
    if ('to' in m && m.to !== me) return;
    if (leading) {
      if (m.t === 'hello') {
        beat();
        snapshot(m.f);
      } else if (m.t === 'refresh') poll().then(() => post({ t: 'done', to: m.f, id: m.id }));
      return;
    }
    if (m.t === 'hello' || m.t === 'refresh') return;
    heardAt = Date.now();
    if (m.t === 'beat') {
      // A new leader has not heard the refreshes asked of the last one.
      if (leader !== (leader = m.f)) waiting.forEach((_, id) => post({ t: 'refresh', id }));
      leaderHidden = m.hidden;
      mirror(m.state);
    } else if (m.t === 'change') apply(m.type, m.task, m.source);
    else if (m.t === 'tasks') for (const task of m.tasks) apply('task.update', task, 'poll');
    else if (m.t === 'error') report(new TaskClientError(m.kind, m.message, { raw: m.raw, status: m.status }));
    else waiting.get(m.id)?.();
  }

  // Out of the group until join(), as `role`: for close() and a lazy client with no subscriber left
  // ('solo'), and for a page going away or into the back/forward cache ('follower': it comes back to follow).
  function part(role: TabRole = 'follower'): void {
    if (!channel) return;
    channel.close();
    clearInterval(ticker);
    clearTimeout(stealTimer);
    request?.abort();
    release?.();
    channel = stealTimer = request = release = leader = undefined;
    become(role);
    answerAll();
  }

  function join(): void {
    if (channel) return;
    unwatch ??= watchPage({ hidden: beat, online() {}, leave: part, restore: join });
    channel = new BroadcastChannel(name);
    channel.onmessage = (event) => receive(event.data);
    heardAt = Date.now();
    leaderHidden = false;
    ticker = setInterval(tick, BEAT);
    become('follower');
    // Last: a state listener that closes the client then withdraws the queued request and leaves it solo.
    mirror('connecting');
  }

  return {
    join,
    leave() {
      unwatch?.();
      unwatch = undefined;
      part('solo');
    },
    changed(type, task, source) {
      if (leading) post({ t: 'change', type, task, source });
    },
    beat,
    failed(error) {
      if (leading) post({ t: 'error', kind: error.kind, message: error.message, raw: error.raw, status: error.status });
    },
    get role() {
      return role;
    },
    refresh() {
      if (!channel || leading) return poll();
      const id = ++lastId;
      return new Promise<void>((resolve) => {
        waiting.set(id, () => {
          waiting.delete(id);
          resolve();
        });
        post({ t: 'refresh', id });
      });
    },
  };
}

/** What `shareConnection` takes: `share` from `flowrra-client/share`. */
export type ShareConnection = typeof createGroup;

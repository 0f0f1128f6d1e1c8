// The group in Node: the real BroadcastChannel (Node's delivers between instances of one thread),
// an in-memory Web Locks API, and fake sockets and fetch.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient, type TaskClientError, type TaskEvent, type WebSocketLike } from '../../src/index';
import { share } from '../../src/share/index';
import { FakeWebSocket } from '../helpers/fake-websocket';
import { fakeFetch, json } from '../helpers/fake-fetch';
import { fakeLocks } from './fake-locks';

const MOUNT = 'http://flowrra.test/flowrra';
const frame = (task_id: string, status: string, more = {}) => JSON.stringify({ type: 'task.update', task: { task_id, status, ...more } });
const GROUP = `flowrra-client/1 ${JSON.stringify(['ws://flowrra.test/flowrra/ws', `${MOUNT}/api/results`, ''])}`;
const notClosed = () => FakeWebSocket.all.filter((socket) => socket.readyState !== 3);

let open: TaskClient[] = [];
afterEach(() => {
  for (const client of open) client.close();
  open = [];
  vi.unstubAllGlobals();
});
beforeEach(() => FakeWebSocket.reset());

function tab(http = fakeFetch(), options = {}) {
  const client = createTaskClient({ url: MOUNT, shareConnection: share, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch, ...options });
  open.push(client);
  const events: TaskEvent[] = [];
  const errors: TaskClientError[] = [];
  client.subscribe((event) => events.push(event));
  client.on('error', (error) => errors.push(error));
  return { client, http, events, errors };
}

describe('shareConnection in Node', () => {
  it('without the Web Locks API each client is solo, with its own socket, as without the option', async () => {
    const [a, b] = [tab(), tab()];
    expect([a.client.role, b.client.role]).toEqual(['solo', 'solo']);
    await vi.waitFor(() => expect(FakeWebSocket.all).toHaveLength(2));
  });

  describe('with Web Locks', () => {
    let locks: ReturnType<typeof fakeLocks>;
    beforeEach(() => vi.stubGlobal('navigator', { locks: (locks = fakeLocks()) }));

    it('one leader holds the socket; a follower gets its changes, state and errors, once each', async () => {
      const a = tab();
      await vi.waitFor(() => expect(a.client.role).toBe('leader'));
      const b = tab();
      await vi.waitFor(() => expect(b.client.state).toBe('connecting'));
      expect(b.client.role).toBe('follower');
      expect(FakeWebSocket.all).toHaveLength(1);
      FakeWebSocket.latest().accept();
      await vi.waitFor(() => expect(b.client.state).toBe('live'));
      FakeWebSocket.latest().receive(frame('t1', 'running'));
      FakeWebSocket.latest().receive(frame('t1', 'success'));
      FakeWebSocket.latest().receive('not json');
      await vi.waitFor(() => expect(b.errors).toHaveLength(1));
      expect(b.events.map((e) => [e.task.status, e.source])).toEqual([
        ['running', 'ws'],
        ['success', 'ws'],
      ]);
      expect(b.errors[0]).toMatchObject({ kind: 'parse', message: a.errors[0].message });
      expect(b.http.calls).toHaveLength(0);
      expect(FakeWebSocket.all).toHaveLength(1);
    });

    it('a late joiner gets the tasks at once; refresh() in a follower has the leader poll', async () => {
      const http = fakeFetch(() => json([{ task_id: 'p1', status: 'success' }]));
      const a = tab(http);
      await vi.waitFor(() => expect(a.client.role).toBe('leader'));
      FakeWebSocket.latest().accept();
      FakeWebSocket.latest().receive(frame('t1', 'running'));
      await vi.waitFor(() => expect(a.client.tasks.size).toBe(2));
      const b = tab();
      await vi.waitFor(() => expect([...b.client.tasks.keys()].sort()).toEqual(['p1', 't1']));
      const polls = http.calls.length;
      await b.client.refresh();
      expect(http.calls).toHaveLength(polls + 1);
      expect(b.http.calls).toHaveLength(0);
    });

    it('the leader closes: the follower leads, opens a socket and polls at once', async () => {
      const a = tab();
      await vi.waitFor(() => expect(a.client.role).toBe('leader'));
      FakeWebSocket.latest().accept();
      const b = tab();
      const roles: string[] = [];
      b.client.on('role', (role) => roles.push(role));
      await vi.waitFor(() => expect(b.client.state).toBe('live'));
      a.client.close();
      await vi.waitFor(() => expect(b.client.role).toBe('leader'));
      expect(roles).toEqual(['leader']);
      expect(FakeWebSocket.all).toHaveLength(2);
      expect(b.http.calls).toHaveLength(1);
    });

    it('a follower gone into the back/forward cache and back follows again and hears no role event: its role never changed', async () => {
      const a = tab();
      await vi.waitFor(() => expect(a.client.role).toBe('leader'));
      FakeWebSocket.latest().accept();
      // A page for the follower alone: the leader watched none when it started.
      const win = new EventTarget();
      vi.stubGlobal('window', win);
      vi.stubGlobal('document', Object.assign(new EventTarget(), { visibilityState: 'visible' }));
      const b = tab();
      const roles: string[] = [];
      b.client.on('role', (role) => roles.push(role));
      await vi.waitFor(() => expect(b.client.state).toBe('live'));
      win.dispatchEvent(new Event('pagehide'));
      win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
      expect(b.client.state).toBe('connecting');
      await vi.waitFor(() => expect(b.client.state).toBe('live'));
      expect(b.client.role).toBe('follower');
      expect(roles).toEqual([]);
    });

    it('a lazy tab joins with its first subscriber and leaves after its last: the next tab leads', async () => {
      const http = fakeFetch();
      const lazy = createTaskClient({ url: MOUNT, shareConnection: share, lazy: true, lazyCloseTimeout: 10, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch });
      open.push(lazy);
      const b = tab();
      await vi.waitFor(() => expect(b.client.role).toBe('leader'));
      expect(lazy.role).toBe('solo');
      const unsubscribe = lazy.subscribe(() => {});
      expect(lazy.role).toBe('follower');
      b.client.close();
      await vi.waitFor(() => expect(lazy.role).toBe('leader'));
      unsubscribe();
      const c = tab();
      await vi.waitFor(() => expect(c.client.role).toBe('leader'));
      expect(lazy.state).toBe('idle');
      expect(lazy.role).toBe('solo');
    });

    it('a lazy tab with no subscriber is solo, before its first and after its last, and its refresh() polls', async () => {
      const http = fakeFetch(() => json([{ task_id: 'p1', status: 'success' }]));
      const lazy = createTaskClient({ url: MOUNT, shareConnection: share, lazy: true, lazyCloseTimeout: 10, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch });
      open.push(lazy);
      await lazy.refresh();
      expect(http.calls).toHaveLength(1);
      expect(lazy.role).toBe('solo');
      expect(lazy.tasks.get('p1')?.status).toBe('success');
      lazy.subscribe(() => {})();
      await vi.waitFor(() => expect(lazy.state).toBe('idle'));
      expect(lazy.role).toBe('solo');
      const polls = http.calls.length;
      await lazy.refresh();
      expect(http.calls).toHaveLength(polls + 1);
    });

    it('a late joiner whose maxFrameBytes is below the snapshot gets every task', async () => {
      const small = { maxFrameBytes: 1024 };
      const a = tab(fakeFetch(), small);
      await vi.waitFor(() => expect(a.client.role).toBe('leader'));
      FakeWebSocket.latest().accept();
      for (let i = 0; i < 40; i++) FakeWebSocket.latest().receive(frame(`t${i}`, 'running', { task_name: 'job' }));
      expect(a.client.tasks.size).toBe(40);
      const b = tab(fakeFetch(), small);
      await vi.waitFor(() => expect(b.client.tasks.size).toBe(40));
      expect([...b.client.tasks]).toEqual([...a.client.tasks]);
      expect(b.errors).toEqual([]);
    });

    it('a follower applies what the leader applied though larger than maxFrameBytes: a merged task, a polled one', async () => {
      const limit = { maxFrameBytes: 1000 };
      const polled = { task_id: 'p1', status: 'success', result: 'y'.repeat(2000) };
      const a = tab(fakeFetch(() => json([polled])), limit);
      await vi.waitFor(() => expect(a.client.role).toBe('leader'));
      const b = tab(fakeFetch(), limit);
      await vi.waitFor(() => expect(b.client.role).toBe('follower'));
      FakeWebSocket.latest().accept();
      // Each frame is under the limit; the task they merge into is not.
      FakeWebSocket.latest().receive(frame('t1', 'pending', { args: ['a'.repeat(600)] }));
      FakeWebSocket.latest().receive(frame('t1', 'success', { result: 'r'.repeat(600) }));
      await vi.waitFor(() => expect(b.client.tasks.get('t1')?.status).toBe('success'));
      await vi.waitFor(() => expect(b.client.tasks.get('p1')).toEqual(polled));
      expect([...b.client.tasks]).toEqual([...a.client.tasks]);
      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
    });

    describe('close() from a listener at any point of an election leaves no lock and no socket', () => {
      // Once `closing` closed its client, a new tab leads (the lock is free) and its socket is the only one open.
      async function nothingLeft(closing: TaskClient) {
        await vi.waitFor(() => expect(closing.state).toBe('closed'));
        expect(closing.role).toBe('solo');
        const sockets = FakeWebSocket.all.length;
        const c = tab();
        await vi.waitFor(() => expect(c.client.role).toBe('leader'));
        await vi.waitFor(() => expect(FakeWebSocket.all.length).toBeGreaterThan(sockets));
        expect(notClosed()).toEqual([FakeWebSocket.latest()]);
      }

      async function followerOfLive() {
        const a = tab();
        await vi.waitFor(() => expect(a.client.role).toBe('leader'));
        FakeWebSocket.latest().accept();
        const b = tab();
        await vi.waitFor(() => expect(b.client.state).toBe('live'));
        return { a, b };
      }

      it('from the role listener, as the tab becomes leader', async () => {
        const { a, b } = await followerOfLive();
        b.client.on('role', (role) => role === 'leader' && b.client.close());
        a.client.close();
        await nothingLeft(b.client);
      });

      it('from a state listener, as the tab that became leader opens its socket', async () => {
        const { a, b } = await followerOfLive();
        b.client.on('state', () => b.client.role === 'leader' && b.client.close());
        a.client.close();
        await nothingLeft(b.client);
      });

      it('from the role listener, as a leader whose lock was stolen steps down', async () => {
        const a = tab();
        await vi.waitFor(() => expect(a.client.role).toBe('leader'));
        a.client.on('role', (role) => role === 'follower' && a.client.close());
        let free = () => {};
        void locks.request(GROUP, { steal: true }, () => new Promise<void>((resolve) => (free = resolve)));
        await vi.waitFor(() => expect(a.client.state).toBe('closed'));
        free();
        await nothingLeft(a.client);
      });

      it('from a state listener, as a lazy tab joins', async () => {
        const lazy = createTaskClient({ url: MOUNT, shareConnection: share, lazy: true, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: fakeFetch().fetch });
        open.push(lazy);
        lazy.on('state', () => lazy.close());
        lazy.subscribe(() => {});
        await nothingLeft(lazy);
      });
    });

    it('no token goes on the channel: the errors a leader passes on are redacted', async () => {
      const token = 'tok-SECRET-42';
      const http = fakeFetch(() => json({ detail: `bad token ${token}` }, { status: 401 }));
      const spy: string[] = [];
      const channel = new BroadcastChannel(`flowrra-client/1 ${JSON.stringify(['ws://flowrra.test/flowrra/ws', `${MOUNT}/api/results`, ''])}`);
      channel.onmessage = (event) => spy.push(event.data);
      const a = tab(http, { token });
      await vi.waitFor(() => expect(a.client.role).toBe('leader'));
      const b = tab();
      FakeWebSocket.latest().fail(); // a poll follows
      await vi.waitFor(() => expect(b.errors.length).toBeGreaterThan(0));
      channel.close();
      expect(b.errors[0]).toMatchObject({ kind: 'poll', status: 401 });
      expect(spy.some((text) => text.includes('"t":"error"'))).toBe(true);
      expect(spy.filter((text) => text.includes(token))).toEqual([]);
      expect(FakeWebSocket.latest().url).toContain(token);
    });
  });
});

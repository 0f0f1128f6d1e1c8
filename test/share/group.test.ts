// The group in Node: the real BroadcastChannel (Node's delivers between instances of one thread),
// an in-memory Web Locks API, and fake sockets and fetch.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient, type TaskClientError, type TaskEvent, type WebSocketLike } from '../../src/index';
import { FakeWebSocket } from '../helpers/fake-websocket';
import { fakeFetch, json } from '../helpers/fake-fetch';
import { fakeLocks } from './fake-locks';

const MOUNT = 'http://flowrra.test/flowrra';
const frame = (task_id: string, status: string) => JSON.stringify({ type: 'task.update', task: { task_id, status } });

let open: TaskClient[] = [];
afterEach(() => {
  for (const client of open) client.close();
  open = [];
  vi.unstubAllGlobals();
});
beforeEach(() => FakeWebSocket.reset());

function tab(http = fakeFetch(), options = {}) {
  const client = createTaskClient({ url: MOUNT, shareConnection: true, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch, ...options });
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
    beforeEach(() => vi.stubGlobal('navigator', { locks: fakeLocks() }));

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

    it('a lazy tab joins with its first subscriber and leaves after its last: the next tab leads', async () => {
      const http = fakeFetch();
      const lazy = createTaskClient({ url: MOUNT, shareConnection: true, lazy: true, lazyCloseTimeout: 10, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch });
      open.push(lazy);
      const b = tab();
      await vi.waitFor(() => expect(b.client.role).toBe('leader'));
      expect(lazy.role).toBe('follower');
      const unsubscribe = lazy.subscribe(() => {});
      b.client.close();
      await vi.waitFor(() => expect(lazy.role).toBe('leader'));
      unsubscribe();
      const c = tab();
      await vi.waitFor(() => expect(c.client.role).toBe('leader'));
      expect(lazy.state).toBe('idle');
      expect(lazy.role).toBe('follower');
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

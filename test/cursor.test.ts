import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Task, TaskClientOptions, TaskEvent } from '../src/index';
import { compareProgress } from '../src/order';
import { fakeFetch, json, type FetchCall } from './helpers/fake-fetch';
import { harness, MOUNT, nextSocket, settle } from './helpers/client-harness';
import { frame, task } from './helpers/tasks';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const RESULTS = `${MOUNT}/api/results`;

/**
 * The cursor contract (docs/reference.md), written here apart from server/results.ts so the SDK is
 * held to the contract, not to one implementation: each change takes the next number; `?since=`
 * answers each run changed after it once, oldest change first, paged by `limit` with More; a
 * cursor older than `floor` answers 410. `cursors: false` is a server from before cursors.
 */
function contractServer(options: { cursors?: boolean } = {}) {
  const runs = new Map<string, { task: Task; seq: number }>();
  let seq = 0;
  let floor = 0;
  let down = false;
  const statuses: number[] = [];
  const cursors = options.cursors ?? true;
  const answer = (call: FetchCall): Response => {
    if (down) throw new TypeError('fetch failed');
    const response = respond(call);
    statuses.push(response.status);
    return response;
  };
  const respond = (call: FetchCall): Response => {
    const url = new URL(call.url);
    const limit = Number(url.searchParams.get('limit') ?? 200);
    const since = cursors ? url.searchParams.get('since') : null;
    const ordered = [...runs.values()].sort((a, b) => a.seq - b.seq);
    if (since === null) {
      const etag = `"full-${seq}-${limit}"`;
      const headers: Record<string, string> = { ETag: etag, ...(cursors && { 'X-Flowrra-Cursor': `c${seq}` }) };
      if (call.headers['If-None-Match'] === etag) return new Response(null, { status: 304, headers });
      return json(ordered.reverse().slice(0, limit).map((run) => run.task), { headers });
    }
    const from = /^c\d+$/.test(since) ? Number(since.slice(1)) : -1;
    if (from < floor || from > seq) return json({ error: 'cursor expired' }, { status: 410 });
    const changed = ordered.filter((run) => run.seq > from);
    const page = changed.slice(0, limit);
    const more = changed.length > limit;
    const last = more ? page.at(-1)!.seq : seq;
    const headers: Record<string, string> = { ETag: `"since-${last}"`, 'X-Flowrra-Cursor': `c${last}`, ...(more && { 'X-Flowrra-More': '1' }) };
    if (call.headers['If-None-Match'] === headers.ETag) return new Response(null, { status: 304, headers });
    return json(page.map((run) => run.task), { headers });
  };
  return {
    answer,
    statuses,
    change(next: Task) {
      runs.delete(next.task_id);
      runs.set(next.task_id, { task: next, seq: ++seq });
    },
    /** Forgets the change log up to now: every cursor given so far answers 410. */
    forget: () => (floor = seq),
    setDown: (value: boolean) => (down = value),
    get seq() {
      return seq;
    },
  };
}

const at = (n: number) => `2026-11-25T17:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.000001`;
const pending = (id: string, n = 0) => task({ task_id: id, status: 'pending', submitted_at: at(n) });
const running = (id: string, n = 1) => task({ task_id: id, status: 'running', submitted_at: null, args: [], kwargs: {}, started_at: at(n) });
const success = (id: string, n = 2) => ({ ...running(id, n - 1), status: 'success', result: id, finished_at: at(n) });

/** Delivery checks independent of the store: no state older than the one before it, none twice. */
function deliveries(events: TaskEvent[]) {
  const last = new Map<string, Task>();
  const backwards: string[] = [];
  const repeats: string[] = [];
  for (const { task: t } of events) {
    const before = last.get(t.task_id);
    if (before && compareProgress(t, before) < 0) backwards.push(t.task_id);
    if (before && JSON.stringify(before) === JSON.stringify(t)) repeats.push(t.task_id);
    last.set(t.task_id, t);
  }
  return { backwards, repeats };
}

/** A client on the FakeWebSocket whose every poll `answer` answers, unless queued otherwise (`http.answerNext`). */
function withServer(answer: (call: FetchCall) => Response, options: TaskClientOptions = {}) {
  const http = fakeFetch(answer);
  return { ...harness({ fetch: http.fetch, ...options }), http };
}

const sinceOf = (call: FetchCall) => new URL(call.url).searchParams.get('since');

describe('resuming by cursor', () => {
  /**
   * The page is live, 1,000 tasks are pending; the socket and the server go away, every task
   * finishes, the server comes back and the socket reopens: the reconcile poll is all there is.
   */
  async function cutWhileTasksFinish(cursors: boolean) {
    const server = contractServer({ cursors });
    const { client, http, events, errors } = withServer(server.answer, { staleAfter: 0, pollInterval: 15_000, reconnect: { minDelay: 10, maxDelay: 10 } });
    const ids = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    const socket = await nextSocket();
    socket.accept();
    await settle();
    for (const id of ids) {
      server.change(pending(id));
      socket.receive(frame(pending(id)));
    }
    server.setDown(true);
    socket.drop();
    for (const id of ids) server.change(running(id));
    for (const id of ids) server.change(success(id));
    await settle(); // the poll on the drop fails: the server is down
    server.setDown(false);
    const liveAgain = http.calls.length;
    (await nextSocket()).accept();
    await settle();
    expect(client.state).toBe('live');
    return { client, events, errors, ids, reconcile: http.calls.slice(liveAgain) };
  }

  it('a page whose socket is cut while 1,000 tasks finish ends with every one final, none backwards, none twice', async () => {
    const { client, events, errors, ids, reconcile } = await cutWhileTasksFinish(true);
    expect(ids.filter((id) => client.tasks.get(id)?.status !== 'success')).toEqual([]);
    // Five pages of 200, each asked from the cursor the one before gave, oldest change first.
    expect(reconcile.map(sinceOf)).toEqual(['c0', 'c2200', 'c2400', 'c2600', 'c2800']);
    const fromPolls = events.filter((event) => event.source === 'poll');
    expect(fromPolls.map((event) => event.task.task_id)).toEqual(ids);
    expect(deliveries(events)).toEqual({ backwards: [], repeats: [] });
    expect(errors.map((error) => error.message)).toEqual(['poll: request failed (fetch failed)']);
  });

  it('without cursors (a server from before them), the same cut loses every final state past the page: what cursors fix', async () => {
    const { client, ids, reconcile } = await cutWhileTasksFinish(false);
    expect(reconcile.map(sinceOf)).toEqual([null]);
    expect(ids.filter((id) => client.tasks.get(id)?.status === 'success')).toHaveLength(200);
  });
});

describe('the cursor contract, poll by poll', () => {
  it('the first poll takes the full answer; each later one asks ?since= the last cursor, keeping pollUrl’s own query', async () => {
    const server = contractServer();
    server.change(pending('a'));
    const { client, http } = withServer(server.answer, { wsUrl: false, pollUrl: `${RESULTS}?limit=50`, pollInterval: 1000 });
    await settle();
    server.change(running('a'));
    await vi.advanceTimersByTimeAsync(1000);
    server.change(success('a'));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(http.calls.map((call) => call.url)).toEqual([
      `${RESULTS}?limit=50`,
      `${RESULTS}?limit=50&since=c1`,
      `${RESULTS}?limit=50&since=c2`,
      `${RESULTS}?limit=50&since=c3`,
    ]);
    // The ETag of each answer goes with the next poll; an idle one (nothing after c3) is a 304.
    expect(http.calls.map((call) => call.headers['If-None-Match'])).toEqual([undefined, '"full-1-50"', '"since-2"', '"since-3"']);
    expect(server.statuses).toEqual([200, 200, 200, 304]);
    expect(client.tasks.get('a')?.status).toBe('success');
    client.close();
  });

  it('applies a since-answer in its order (oldest change first) and the full answer reversed (it is newest first)', async () => {
    const server = contractServer();
    ['a', 'b', 'c'].forEach((id, n) => server.change(pending(id, n)));
    const { client, events } = withServer(server.answer, { wsUrl: false, pollInterval: 1000 });
    await settle();
    expect(events.map((event) => event.task.task_id)).toEqual(['a', 'b', 'c']);
    server.change(running('c', 5));
    server.change(running('a', 6));
    await vi.advanceTimersByTimeAsync(1000);
    expect(events.slice(3).map((event) => `${event.task.task_id} ${event.task.status}`)).toEqual(['c running', 'a running']);
    client.close();
  });

  it('a 410 takes the full answer once, without If-None-Match, and resumes from its cursor; the 410 is no error', async () => {
    const server = contractServer();
    server.change(pending('a'));
    const { client, http, events, errors } = withServer(server.answer, { wsUrl: false, pollInterval: 1000 });
    await settle();
    server.change(running('a'));
    server.change(pending('b'));
    server.forget();
    await vi.advanceTimersByTimeAsync(1000);
    server.change(success('a'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(http.calls.slice(1).map(sinceOf)).toEqual(['c1', null, 'c3']);
    expect(http.calls[2].headers['If-None-Match']).toBeUndefined();
    expect(events.map((event) => `${event.task.task_id} ${event.task.status}`)).toEqual(['a pending', 'a running', 'b pending', 'a success']);
    expect(errors).toEqual([]);
    client.close();
  });

  it('a server that sends no cursor is polled exactly as before: the same URL, the last ETag', async () => {
    const server = contractServer({ cursors: false });
    server.change(pending('a'));
    const { client, http } = withServer(server.answer, { wsUrl: false, pollInterval: 1000 });
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    server.change(running('a'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(http.calls.map((call) => [call.url, call.headers['If-None-Match']])).toEqual([
      [RESULTS, undefined],
      [RESULTS, '"full-1-200"'],
      [RESULTS, '"full-1-200"'],
    ]);
    expect(client.tasks.get('a')?.status).toBe('running');
    client.close();
  });

  it('follows More only while the cursor moves: a server repeating a cursor gets asked once more, not forever', async () => {
    const stuck = (call: FetchCall) =>
      sinceOf(call) === null
        ? json([], { headers: { 'X-Flowrra-Cursor': 'c7' } })
        : json([running('a')], { headers: { 'X-Flowrra-Cursor': 'c7', 'X-Flowrra-More': '1' } });
    const { client, http, errors } = withServer(stuck, { wsUrl: false, pollInterval: 60_000 });
    await settle();
    await client.refresh();
    expect(http.calls.map(sinceOf)).toEqual([null, 'c7']);
    expect(errors).toEqual([]);
    client.close();
  });

  it('follows More for at most 100 pages in one poll; the next poll goes on from the last cursor', async () => {
    let n = 0;
    const endless = () => {
      n++;
      return json([pending(`t${n}`)], { headers: { 'X-Flowrra-Cursor': `c${n}`, 'X-Flowrra-More': '1' } });
    };
    const { client, http, events } = withServer(endless, { wsUrl: false, pollInterval: 60_000 });
    await settle();
    expect(http.calls).toHaveLength(1); // the full answer is never followed
    await client.refresh();
    expect(http.calls).toHaveLength(101);
    expect(sinceOf(http.calls[100])).toBe('c100');
    await client.refresh();
    expect(http.calls).toHaveLength(201);
    expect(sinceOf(http.calls[101])).toBe('c101');
    expect(events).toHaveLength(201);
    client.close();
  });

  it('takes the cursor a 304 carries (a server whose ETag covers the body only may move it past no-op changes)', async () => {
    const answers = [
      json([pending('a')], { headers: { ETag: '"body-1"', 'X-Flowrra-Cursor': 'c1' } }),
      new Response(null, { status: 304, headers: { ETag: '"body-1"', 'X-Flowrra-Cursor': 'c4' } }),
    ];
    const { client, http, events } = withServer(() => answers.shift() ?? json([]), { wsUrl: false, pollInterval: 60_000 });
    await settle();
    await client.refresh();
    await client.refresh();
    expect(http.calls.map((call) => [sinceOf(call), call.headers['If-None-Match']])).toEqual([
      [null, undefined],
      ['c1', '"body-1"'],
      ['c4', '"body-1"'],
    ]);
    expect(events).toHaveLength(1);
    client.close();
  });

  it('a page that fails leaves the cursor of the page before: the next poll resumes there and loses nothing', async () => {
    const server = contractServer();
    const { client, http, errors } = withServer(server.answer, { wsUrl: false, pollUrl: `${RESULTS}?limit=2`, pollInterval: 60_000 });
    await settle();
    for (const id of ['a', 'b', 'c', 'd', 'e']) server.change(pending(id));
    http.answerNext(server.answer);
    http.answerNext(new Response('{"detail": "busy"}', { status: 503 }));
    await client.refresh();
    expect(errors.map((error) => error.status)).toEqual([503]);
    expect([...client.tasks.keys()]).toEqual(['a', 'b']);
    await client.refresh();
    expect(http.calls.map(sinceOf)).toEqual([null, 'c0', 'c2', 'c2', 'c4']);
    expect([...client.tasks.keys()]).toEqual(['a', 'b', 'c', 'd', 'e']);
    client.close();
  });

  it('never rolls back: a since-answer older than what the socket brought changes nothing', async () => {
    const server = contractServer();
    const { client, http, events } = withServer(server.answer, { staleAfter: 0 });
    const socket = await nextSocket();
    socket.accept();
    await settle();
    server.change(running('a'));
    socket.receive(frame(success('a')));
    await client.refresh();
    expect(sinceOf(http.calls[1])).toBe('c0');
    expect(events.map((event) => [event.task.status, event.source])).toEqual([['success', 'ws']]);
    expect(client.tasks.get('a')?.status).toBe('success');
    client.close();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { json, never } from './helpers/fake-fetch';
import { harness, MOUNT, nextSocket, settle } from './helpers/client-harness';
import { FakeWebSocket } from './helpers/fake-websocket';
import { frame, task } from './helpers/tasks';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const running = task({ status: 'running', started_at: '2026-11-25T17:33:44.000001', submitted_at: null, args: [], kwargs: {} });
const success = task({ ...running, status: 'success', result: 1, finished_at: '2026-11-25T17:33:45.000001' });

describe('polling while the socket is down', () => {
  it('polls at once when the socket closes, then every pollInterval, and stops once live again', async () => {
    const { client, http, states, events } = harness({ pollInterval: 15000, staleAfter: 0 });
    const socket = await nextSocket();
    socket.accept();
    await settle();
    const afterOpen = http.calls.length; // the reconcile poll
    expect(afterOpen).toBe(1);
    http.answerNext(json([running]));
    socket.drop();
    const droppedAt = Date.now();
    expect(states.at(-1)).toBe('polling');
    await settle();
    expect(http.calls).toHaveLength(afterOpen + 1);
    expect(http.calls.at(-1)!.url).toBe('http://flowrra.test/flowrra/api/results');
    expect(events.at(-1)).toMatchObject({ source: 'poll', task: { status: 'running' } });

    // The socket keeps failing in the background while polls follow the interval.
    let back = await nextSocket();
    back.fail();
    const before = http.calls.length;
    await vi.advanceTimersByTimeAsync(droppedAt + 14_900 - Date.now());
    expect(http.calls.length).toBe(before);
    await vi.advanceTimersByTimeAsync(200);
    expect(http.calls.length).toBe(before + 1);

    back = await nextSocket();
    back.accept();
    await settle();
    expect(client.state).toBe('live');
    const afterReopen = http.calls.length; // includes the reconcile poll
    await vi.advanceTimersByTimeAsync(60_000);
    expect(http.calls.length).toBe(afterReopen);
    client.close();
  });

  it('starts polling when the socket is not open within connectTimeout', async () => {
    const { client, http, states } = harness({ reconnect: { connectTimeout: 4000 } });
    await nextSocket(); // never accepted
    await vi.advanceTimersByTimeAsync(3_900);
    expect(http.calls).toHaveLength(0);
    expect(states).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(states).toEqual(['polling']);
    expect(http.calls).toHaveLength(1);
    client.close();
  });

  it('with wsUrl false, never opens a socket: polls at once and every pollInterval, in state polling, quietly', async () => {
    const { client, http, states, events, errors } = harness({ wsUrl: false, pollInterval: 5000 });
    await settle();
    expect(client.state).toBe('polling');
    expect(http.calls).toHaveLength(1);
    http.answerNext(json([success]));
    await vi.advanceTimersByTimeAsync(5000);
    expect(http.calls).toHaveLength(2);
    expect(events).toEqual([{ type: 'task.update', task: success, source: 'poll' }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(http.calls).toHaveLength(14);
    expect(FakeWebSocket.all).toHaveLength(0);
    expect(states).toEqual([]); // polling from creation on, never left
    expect(errors).toEqual([]);
    client.close();
  });

  it('reconciles with one poll every time the socket opens, the first time too', async () => {
    const { client, http, events } = harness();
    http.answerNext(json({ tasks: [success] }));
    const socket = await nextSocket();
    socket.accept();
    await settle();
    expect(http.calls).toHaveLength(1);
    expect(events).toEqual([{ type: 'task.update', task: success, source: 'poll' }]);
    client.close();
  });

  it('does not roll back a live success with an older poll answer', async () => {
    const { client, http, events } = harness();
    http.answerNext(() => new Promise((resolve) => setTimeout(() => resolve(json([running])), 500)));
    const socket = await nextSocket();
    socket.accept();
    socket.receive(frame(success));
    await vi.advanceTimersByTimeAsync(600);
    expect(client.tasks.get('task-1')?.status).toBe('success');
    expect(events).toHaveLength(1);
    client.close();
  });

  it('sends If-None-Match with the last ETag and treats 304 as no change', async () => {
    const { client, http, events } = harness({ pollInterval: 1000 });
    http.answerNext(json([running], { headers: { ETag: '"v1"', 'Content-Type': 'application/json' } }));
    http.answerNext(new Response(null, { status: 304 }));
    const socket = await nextSocket();
    socket.drop();
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(http.calls[0].headers['If-None-Match']).toBeUndefined();
    expect(http.calls[1].headers['If-None-Match']).toBe('"v1"');
    expect(events).toHaveLength(1);
    client.close();
  });

  it('reports invalid items one by one and applies the valid ones', async () => {
    const { client, http, events, errors } = harness();
    http.answerNext(json([running, { task_id: 'x', status: 'running', retries: 'two' }, { status: 'pending' }]));
    const socket = await nextSocket();
    socket.drop();
    await settle();
    expect(events).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual([
      'results[1].retries: expected integer >= 0, got "two"',
      'results[2].task_id: expected non-empty string, got nothing',
    ]);
    client.close();
  });

  it.each([
    ['a 500', () => new Response('oops', { status: 500 }), /poll: HTTP 500/, 500],
    ['an HTML 502 page from a proxy', () => new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }), /poll: HTTP 502/, 502],
    ['an HTML 200 page', () => new Response('<html>login</html>', { headers: { 'Content-Type': 'text/html' } }), /poll: HTTP 200 answer is not JSON \(text\/html/, 200],
    ['JSON of the wrong shape', () => json({ results: [] }), /expected an array of tasks/, undefined],
    ['a 401', () => new Response('', { status: 401 }), /HTTP 401: authentication failed/, 401],
    ['a 403', () => new Response('', { status: 403 }), /HTTP 403: authentication failed/, 403],
    ['a network failure', () => Promise.reject(new TypeError('fetch failed')), /poll: request failed \(fetch failed\)/, undefined],
  ])('reports %s as a poll error and keeps polling', async (_name, answer, message, status) => {
    const { client, http, errors } = harness({ pollInterval: 1000 });
    http.answerNext(answer);
    const socket = await nextSocket();
    socket.drop();
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(message);
    expect(errors[0].status).toBe(status);
    expect(['poll', 'validation']).toContain(errors[0].kind);
    const polled = http.calls.length;
    await vi.advanceTimersByTimeAsync(status === 401 || status === 403 ? 2000 : 1000);
    expect(http.calls.length).toBe(polled + 1);
    client.close();
  });

  it('aborts a poll after pollTimeout and reports it', async () => {
    const { client, http, errors } = harness({ pollTimeout: 3000, pollInterval: 10_000 });
    http.answerNext(never);
    const socket = await nextSocket();
    socket.drop();
    await vi.advanceTimersByTimeAsync(3000);
    expect(http.calls[0].signal?.aborted).toBe(true);
    expect(errors).toMatchObject([{ kind: 'poll', message: 'poll: no answer within 3000 ms' }]);
    client.close();
  });

  it('never has two polls in flight; a request during one runs once after it', async () => {
    const { client, http } = harness();
    let release!: () => void;
    http.answerNext(() => new Promise((resolve) => (release = () => resolve(json([])))));
    const socket = await nextSocket();
    socket.accept(); // reconcile poll, held open
    await settle();
    const a = client.refresh();
    const b = client.refresh();
    await settle();
    expect(http.calls).toHaveLength(1);
    release();
    await Promise.all([a, b]);
    expect(http.calls).toHaveLength(2);
    client.close();
  });

  it('backs off polls refused with 401, doubling, and returns to the interval after a success', async () => {
    const { client, http } = harness({ pollInterval: 1000 });
    http.answerNext(new Response('', { status: 401 }));
    http.answerNext(new Response('', { status: 401 }));
    http.answerNext(new Response('', { status: 401 }));
    const socket = await nextSocket();
    socket.drop();
    await settle();
    const times: number[] = [Date.now()];
    const seen = () => http.calls.length;
    for (let i = 0; i < 4; i++) {
      const n = seen();
      while (seen() === n) await vi.advanceTimersByTimeAsync(100);
      times.push(Date.now());
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(2000);
    expect(gaps[1]).toBeGreaterThanOrEqual(4000);
    expect(gaps[2]).toBeGreaterThanOrEqual(8000);
    expect(gaps[3]).toBeLessThanOrEqual(1100); // after the success
    client.close();
  });
});

describe('a server without the results endpoint', () => {
  /** Times of the polls from now until `count` more have been sent. */
  async function pollTimes(http: { calls: unknown[] }, count: number): Promise<number[]> {
    const times = [Date.now()];
    for (let i = 0; i < count; i++) {
      const n = http.calls.length;
      while (http.calls.length === n) await vi.advanceTimersByTimeAsync(100);
      times.push(Date.now());
    }
    return times.slice(1).map((t, i) => t - times[i]);
  }

  it.each([404, 405, 501])('%i: one error that names the fix, then polls back off, doubling, until a success', async (status) => {
    const { client, http, errors, states } = harness({ pollInterval: 1000 });
    for (let i = 0; i < 4; i++) http.answerNext(new Response('{"detail":"Not Found"}', { status }));
    const socket = await nextSocket();
    socket.drop();
    await settle();
    const gaps = await pollTimes(http, 5);
    expect(gaps[0]).toBeGreaterThanOrEqual(2000);
    expect(gaps[1]).toBeGreaterThanOrEqual(4000);
    expect(gaps[2]).toBeGreaterThanOrEqual(8000);
    expect(gaps[3]).toBeLessThanOrEqual(16_100); // the success
    expect(gaps[4]).toBeLessThanOrEqual(1100); // back to the interval
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'poll', status });
    expect(errors[0].message).toBe(
      `poll: HTTP ${status}: the server has no results endpoint at ${MOUNT}/api/results; ` +
        'add flowrra_live to the Flowrra app: https://github.com/flowrra/flowrra-client#use-with-flowrra',
    );
    expect(states).toEqual(['polling']);
    client.close();
  });

  it('404 from the page\'s own origin also names the dev-server proxy', async () => {
    vi.stubGlobal('location', { href: 'http://flowrra.test/app/', origin: 'http://flowrra.test', protocol: 'http:' });
    try {
      const { client, http, errors } = harness({ url: '/flowrra' });
      http.answerNext(new Response('', { status: 404 }));
      (await nextSocket()).drop();
      while (errors.length === 0) await vi.advanceTimersByTimeAsync(100);
      expect(errors[0].message).toBe(
        `poll: HTTP 404: the server has no results endpoint at ${MOUNT}/api/results; add flowrra_live to the Flowrra app ` +
          '(or proxy it from a dev server): https://github.com/flowrra/flowrra-client#use-with-flowrra',
      );
      client.close();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('backs off to at most 5 minutes', async () => {
    const { client, http } = harness({ pollInterval: 1000 });
    http.answerNext(new Response('', { status: 404 }));
    const socket = await nextSocket();
    socket.drop();
    await settle();
    for (let i = 0; i < 12; i++) http.answerNext(new Response('', { status: 404 }));
    const gaps = await pollTimes(http, 12);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(256_000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(300_100);
    client.close();
  });

  it('while the socket is live: the reconcile poll reports it once over many reopens, and the state stays live', async () => {
    const { client, http, errors, states } = harness({ staleAfter: 0 });
    const notFound = () => new Response('', { status: 404 });
    for (let i = 0; i < 3; i++) {
      http.answerNext(notFound);
      const socket = await nextSocket();
      socket.accept();
      await settle();
      expect(client.state).toBe('live');
      http.answerNext(notFound);
      if (i < 2) socket.drop();
    }
    expect(http.calls.length).toBeGreaterThanOrEqual(5);
    expect(errors).toHaveLength(1);
    expect(errors[0].status).toBe(404);
    // Only the socket moved the state: open, drop, open, drop, open.
    expect(states).toEqual(['live', 'polling', 'live', 'polling', 'live']);
    client.close();
  });
});

describe('a run of identical poll failures', () => {
  it('is reported once; a different failure, or the same after a success, is reported again', async () => {
    const { client, http, errors } = harness({ pollInterval: 1000 });
    const down = () => Promise.reject(new TypeError('fetch failed'));
    const bad = () => new Response('<html>Bad Gateway</html>', { status: 502 });
    for (const answer of [down, down, down, bad, bad, down, () => json([running]), down, down]) http.answerNext(answer);
    const socket = await nextSocket();
    socket.drop();
    await settle();
    while (http.calls.length < 9) await vi.advanceTimersByTimeAsync(100);
    await settle();
    expect(errors.map((e) => e.message)).toEqual([
      'poll: request failed (fetch failed)',
      'poll: HTTP 502: the server answered with an error',
      'poll: request failed (fetch failed)',
      'poll: request failed (fetch failed)',
    ]);
    expect(client.tasks.get('task-1')?.status).toBe('running');
    expect(client.state).toBe('polling');
    client.close();
  });

  it('keeps the normal interval for failures that are not refusals', async () => {
    const { client, http, errors } = harness({ pollInterval: 1000 });
    http.answerNext(new Response('oops', { status: 500 }));
    const socket = await nextSocket();
    socket.drop();
    await settle();
    const first = Date.now();
    for (let i = 0; i < 4; i++) http.answerNext(new Response('oops', { status: 500 }));
    while (http.calls.length < 5) await vi.advanceTimersByTimeAsync(100);
    expect(Date.now() - first).toBeLessThanOrEqual(4100);
    expect(errors).toHaveLength(1);
    client.close();
  });
});

describe('in a browser page', () => {
  function fakePage() {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as 'visible' | 'hidden' });
    const win = new EventTarget();
    const nav = { onLine: true };
    vi.stubGlobal('document', doc);
    vi.stubGlobal('window', win);
    vi.stubGlobal('navigator', nav);
    return {
      hide(hidden: boolean) {
        doc.visibilityState = hidden ? 'hidden' : 'visible';
        doc.dispatchEvent(new Event('visibilitychange'));
      },
      online(on: boolean) {
        nav.onLine = on;
        win.dispatchEvent(new Event(on ? 'online' : 'offline'));
      },
      win,
    };
  }

  it('pauses polling while the page is hidden and polls at once when it shows again', async () => {
    const page = fakePage();
    const { client, http } = harness({ pollInterval: 1000 });
    const socket = await nextSocket();
    socket.drop();
    await settle();
    page.hide(true);
    const hiddenAt = http.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(http.calls.length).toBe(hiddenAt);
    page.hide(false);
    await settle();
    expect(http.calls.length).toBe(hiddenAt + 1);
    client.close();
  });

  it('makes no reconnect attempt while offline, and one at once when back online', async () => {
    const page = fakePage();
    const { client } = harness({ reconnect: { minDelay: 10_000, maxDelay: 10_000 } });
    const socket = await nextSocket();
    socket.accept();
    page.online(false);
    socket.drop();
    await vi.advanceTimersByTimeAsync(120_000);
    const { FakeWebSocket } = await import('./helpers/fake-websocket');
    expect(FakeWebSocket.all).toHaveLength(1);
    page.online(true);
    await settle();
    await settle();
    expect(FakeWebSocket.all).toHaveLength(2);
    client.close();
  });

  it('closes the socket on pagehide and reconnects and reconciles on pageshow from the back/forward cache', async () => {
    const page = fakePage();
    const { client, http } = harness();
    const socket = await nextSocket();
    socket.accept();
    await settle();
    page.win.dispatchEvent(new Event('pagehide'));
    expect(socket.closedWith).toBe(1000);
    page.win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    const again = await nextSocket();
    const polls = http.calls.length;
    again.accept();
    await settle();
    expect(client.state).toBe('live');
    expect(http.calls.length).toBe(polls + 1);
    client.close();
  });
});

describe('polls past maxTasks', () => {
  // Flowrra answers newest first.
  const finished = Array.from({ length: 10 }, (_, i) =>
    task({ task_id: `t${i}`, status: 'success', finished_at: `2026-11-25T17:34:${String(10 + i).padStart(2, '0')}` }),
  ).reverse();

  it('keeps the newest tasks of a poll and delivers nothing again on later polls', async () => {
    const { client, http, events } = harness({ maxTasks: 3, pollInterval: 1000 });
    http.answerNext(json(finished));
    const socket = await nextSocket();
    socket.accept();
    await settle();
    expect([...client.tasks.keys()].sort()).toEqual(['t7', 't8', 't9']);
    const delivered = events.length;
    http.answerNext(json(finished));
    await client.refresh();
    expect(events.length).toBe(delivered);
    client.close();
  });

  it('holds every task whose event it delivered when the store is full of unfinished tasks', async () => {
    const { client, http, events } = harness({ maxTasks: 3 });
    http.answerNext(json([task({ task_id: 'q1' }), task({ task_id: 'q2' }), task({ task_id: 'q3' })]));
    const socket = await nextSocket();
    socket.accept();
    await settle();
    socket.receive(frame(finished[0]));
    expect(events.at(-1)?.task.task_id).toBe('t9');
    expect(client.tasks.has('t9')).toBe(true);
    client.close();
  });

  it('does not restart a healthy socket when a stale check re-reads a poll past maxTasks', async () => {
    const { client, http } = harness({ maxTasks: 3, staleAfter: 45_000 });
    http.answerNext(json(finished));
    http.answerNext(json(finished));
    const socket = await nextSocket();
    socket.accept();
    await vi.advanceTimersByTimeAsync(46_000);
    expect(http.calls.length).toBe(2);
    expect(socket.readyState).toBe(1);
    expect(FakeWebSocket.all).toHaveLength(1);
    client.close();
  });
});

describe('poll headers', () => {
  it.each([
    ['with a token, the Bearer header wins', 'tok', 'Bearer tok'],
    ['without a token, the given header stays', undefined, 'Basic abc'],
  ])('treat names case-insensitively: %s', async (_name, token, authorization) => {
    const { client, http } = harness({ token, headers: { authorization: 'Basic abc', accept: 'text/plain', 'X-Tenant': '7' } });
    (await nextSocket()).accept();
    await settle();
    const sent = http.calls[0].headers;
    const names = Object.keys(sent).map((name) => name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    const headers = new Headers(sent);
    expect(headers.get('authorization')).toBe(authorization);
    expect(headers.get('accept')).toBe('text/plain');
    expect(headers.get('x-tenant')).toBe('7');
    client.close();
  });
});

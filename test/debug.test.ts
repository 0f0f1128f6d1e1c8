import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './helpers/fake-websocket';
import { json } from './helpers/fake-fetch';
import { harness, nextSocket, settle } from './helpers/client-harness';
import { frame, task } from './helpers/tasks';
import type { DebugEntry, DebugEvent, TaskClient, TaskClientOptions, TokenSource } from '../src/index';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** A harness whose client logs into `entries`. */
function logged(options: TaskClientOptions = {}) {
  const entries: DebugEntry[] = [];
  const run = harness({ debug: (entry) => entries.push(entry), ...options });
  const of = <E extends DebugEvent['event']>(event: E) => entries.filter((entry) => entry.event === event) as (DebugEntry & { event: E })[];
  return { ...run, entries, of };
}

describe('debug: a function', () => {
  it('receives the connect, the open (and the guide\'s line), each state change and the reconcile poll, each with its time and message', async () => {
    const started = Date.now();
    const { client, entries } = logged();
    const socket = await nextSocket();
    socket.accept();
    await settle();
    expect(entries.map((entry) => entry.event)).toEqual(['state', 'connect', 'open', 'WS connected', 'state', 'poll', 'poll-answer']);
    expect(entries[0]).toMatchObject({ from: 'idle', to: 'connecting', message: 'state from="idle" to="connecting"' });
    expect(entries[1]).toMatchObject({ url: socket.url, attempt: 1, message: `connect url="${socket.url}" attempt=1` });
    expect(entries[4]).toMatchObject({ from: 'connecting', to: 'live' });
    expect(entries[5]).toMatchObject({ url: 'http://flowrra.test/flowrra/api/results' });
    expect(entries[6]).toMatchObject({ status: 200, items: 0, changes: 0, message: 'poll-answer status=200 items=0 changes=0' });
    const times = entries.map((entry) => entry.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBe(started);
    expect(times.at(-1)).toBe(Date.now());
    client.close();
  });

  it('gives each close its code, reason and cleanness, and the wait it drew, which is the wait before the next attempt', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { client, of } = logged({ pollUrl: false });
    const first = await nextSocket();
    first.accept();
    first.drop(1011, 'server error');
    const [close] = of('close');
    // The first wait is drawn below reconnect.minDelay (800 ms).
    expect(close).toMatchObject({ code: 1011, reason: 'server error', wasClean: true, retryIn: 400 });
    expect(close.noRetry).toBeUndefined();
    expect(close.message).toBe('close code=1011 reason="server error" wasClean=true retryIn=400');
    await nextSocket();
    const [, again] = of('connect');
    expect(again.attempt).toBe(2);
    // nextSocket() moves the clock 10 ms at a time.
    expect(again.at - close.at).toBeGreaterThanOrEqual(400);
    expect(again.at - close.at).toBeLessThan(410);
    client.close();
  });

  it('says why there is no retry: a refusing close code, reconnect.maxRetries, or the client closing it', async () => {
    const fatal = logged({ token: 'fixed' });
    (await nextSocket()).drop(4401);
    expect(fatal.of('close')).toMatchObject([{ code: 4401, wasClean: true, noRetry: 'fatal-code' }]);
    fatal.client.close();

    const exhausted = logged({ reconnect: { maxRetries: 0 } });
    (await nextSocket()).fail();
    expect(exhausted.of('close')).toMatchObject([{ code: 1006, wasClean: false, noRetry: 'max-retries' }]);
    exhausted.client.close();

    const closing = logged();
    (await nextSocket()).accept();
    closing.client.close();
    expect(closing.of('close')).toMatchObject([{ code: 1000, noRetry: 'client' }]);
    expect(closing.entries.at(-1)).toMatchObject({ event: 'state', from: 'live', to: 'closed' });
  });

  it('retries a refusing close code once when the token is a function, and says so by the wait', async () => {
    const { client, of } = logged({ token: () => 'fresh' });
    (await nextSocket()).drop(4401);
    expect(of('close')[0].retryIn).toBeGreaterThanOrEqual(0);
    (await nextSocket()).drop(4401);
    expect(of('close')[1]).toMatchObject({ code: 4401, noRetry: 'fatal-code' });
    client.close();
  });

  it('records each poll answer: items and changes, a 304, and a failure', async () => {
    const { client, http, of } = logged();
    (await nextSocket()).accept();
    await settle();
    http.answerNext(json([task({ task_id: 'a' }), task({ task_id: 'b' }), task({ task_id: 'a' })]));
    await client.refresh();
    http.answerNext(new Response(null, { status: 304 }));
    await client.refresh();
    http.answerNext(json({ detail: 'boom' }, { status: 500 }));
    await client.refresh();
    http.answerNext(() => Promise.reject(new TypeError('Failed to fetch')));
    await client.refresh();
    expect(of('poll')).toHaveLength(5);
    expect(of('poll-answer').slice(1)).toMatchObject([
      { status: 200, items: 3, changes: 2 },
      { status: 304, items: 0, changes: 0, message: 'poll-answer status=304 items=0 changes=0' },
    ]);
    const [http500, network] = of('poll-error');
    expect(http500).toMatchObject({ status: 500, error: 'poll: HTTP 500: the server answered with an error' });
    expect(network.status).toBeUndefined();
    expect(network.message).toBe('poll-error error="poll: request failed (Failed to fetch)"');
    client.close();
  });

  it('records each stale check: how long the socket was silent and what the poll found', async () => {
    const { client, http, of } = logged({ staleAfter: 1000 });
    (await nextSocket()).accept();
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(of('stale')).toMatchObject([{ silentFor: 1000, missed: 0 }]);
    expect(of('close')).toEqual([]);

    http.answerNext(json([task()]));
    await vi.advanceTimersByTimeAsync(1000);
    expect(of('stale')[1]).toMatchObject({ silentFor: 1000, missed: 1, message: 'stale silentFor=1000 missed=1' });
    // Found a change the socket missed: it is restarted at once.
    expect(of('close')).toMatchObject([{ code: 1000, retryIn: 0 }]);
    client.close();
  });

  it('records the page: hidden, shown, offline, online, leaving and coming back from the back/forward cache', async () => {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', doc);
    const { client, of, entries } = logged({ pollUrl: false });
    (await nextSocket()).accept();
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    win.dispatchEvent(new Event('offline'));
    win.dispatchEvent(new Event('online'));
    win.dispatchEvent(new Event('pagehide'));
    // The socket closes quietly for the back/forward cache: by the client, with no retry.
    expect(entries.at(-1)).toMatchObject({ event: 'close', noRetry: 'client' });
    win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    expect(of('page').map((entry) => entry.change)).toEqual(['hidden', 'shown', 'offline', 'online', 'leave', 'restore']);
    expect(of('page')[5].message).toBe('page change="restore"');
    (await nextSocket()).accept();
    expect(of('open')).toHaveLength(2);
    client.close();
  });
});

describe('debug never shows a token', () => {
  const secret = 'tök en/+&=?#42';
  const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ t: secret }).toString().slice(2)];

  it.each<[string, TokenSource]>([
    ['a string', secret],
    ['a function', () => secret],
    ['an async function', async () => secret],
  ])('given as %s, in a URL, a close reason or a poll error', async (_name, token) => {
    const { client, http, entries, of } = logged({ token });
    http.answerNext(() => Promise.reject(new TypeError(`refused Authorization: Bearer ${secret}`)));
    const socket = await nextSocket();
    // It was sent: the test can see it where it belongs.
    expect(new URL(socket.url).searchParams.get('token')).toBe(secret);
    socket.accept();
    await settle();
    socket.drop(4000, `bad token ${encodeURIComponent(secret)}`);
    await settle();

    expect(of('connect')[0].url).toBe('ws://flowrra.test/flowrra/ws?token=[token]');
    expect(of('close')[0].reason).toBe('bad token [token]');
    expect(of('poll-error')[0].error).toBe('poll: request failed (refused Authorization: Bearer [token])');
    const text = JSON.stringify(entries);
    for (const form of forms) expect(text).not.toContain(form);
    client.close();
  });
});

describe("debug: the lines Flowrra's guide tells users to look for", () => {
  it('gives a debug function `WS connected` on open and `WS disconnected → enabling polling` when the open socket drops', async () => {
    const { client, entries } = logged();
    const socket = await nextSocket();
    socket.accept();
    await settle();
    socket.drop();
    await settle();
    const guide = entries.filter((entry) => entry.event.startsWith('WS '));
    expect(guide.map((entry) => entry.message)).toEqual(['WS connected', 'WS disconnected → enabling polling']);
    expect(guide[0]).toEqual({ event: 'WS connected', at: expect.any(Number), message: 'WS connected' });
    // Beside the structured entries, each right before the state change it announces.
    const events = entries.map((entry) => entry.event);
    expect(events.slice(events.indexOf('open'), events.indexOf('open') + 3)).toEqual(['open', 'WS connected', 'state']);
    expect(entries[events.indexOf('WS disconnected → enabling polling') + 1]).toMatchObject({ event: 'state', from: 'live', to: 'polling' });
    client.close();
  });

  it('says `WS disconnected` alone with nothing to poll, and nothing for an attempt that never opened', async () => {
    const { client, entries } = logged({ pollUrl: false });
    (await nextSocket()).fail();
    const socket = await nextSocket();
    socket.accept();
    socket.drop();
    await settle();
    expect(entries.filter((entry) => entry.event.startsWith('WS ')).map((entry) => entry.message)).toEqual(['WS connected', 'WS disconnected']);
    client.close();
  });

  it('writes them alone with console.log under debug: true, the other entries staying on console.debug', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const { client } = harness({ debug: true });
    const socket = await nextSocket();
    socket.accept();
    await settle();
    socket.drop();
    await settle();
    expect(log.mock.calls).toEqual([['WS connected'], ['WS disconnected → enabling polling']]);
    expect(debug.mock.calls.every(([line]) => String(line).startsWith('flowrra-client: '))).toBe(true);
    client.close();
  });
});

describe('debug: off, true, and a function that throws', () => {
  async function lifecycle(client: TaskClient): Promise<void> {
    const socket = await nextSocket();
    socket.accept();
    socket.receive(frame(task()));
    socket.drop();
    await nextSocket();
    await settle();
    client.close();
  }

  it.each<[string, TaskClientOptions]>([
    ['by default', {}],
    ['with debug: false', { debug: false }],
  ])('is silent %s', async (_name, options) => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const { client, events } = harness(options);
    await lifecycle(client);
    expect(events).toHaveLength(1);
    expect(debug).not.toHaveBeenCalled();
  });

  it('writes each message to console.debug with debug: true (in Node too)', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const { client } = harness({ debug: true });
    await lifecycle(client);
    const lines = debug.mock.calls.map((call) => call.join(' '));
    expect(lines).toContain('flowrra-client: connect url="ws://flowrra.test/flowrra/ws" attempt=1');
    expect(lines.some((line) => /^flowrra-client: close code=1006 reason="" wasClean=false retryIn=\d+$/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe('flowrra-client: state from="polling" to="closed"');
  });

  it('reports a debug function that throws as a listener error, and the client carries on', async () => {
    const { client, events, errors, states } = harness({
      debug: () => {
        throw new Error('debug panel gone');
      },
    });
    const socket = await nextSocket();
    socket.accept();
    socket.receive(frame(task()));
    await settle();
    expect(states).toEqual(['live']);
    expect(events).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.kind === 'listener' && error.message === 'a listener threw: debug panel gone')).toBe(true);
    client.close();
  });

  it('lets a debug function close the client', async () => {
    let client: TaskClient | undefined;
    const run = harness({ debug: (entry) => entry.event === 'open' && client!.close() });
    client = run.client;
    (await nextSocket()).accept();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.state).toBe('closed');
    expect(run.states).toEqual(['closed']);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(run.http.calls).toHaveLength(0);
  });
});

describe('debug: the connect entry and reconnect()', () => {
  it('lets a debug function close the client on the connect entry, and no socket is opened', async () => {
    let client: TaskClient | undefined;
    const run = harness({ debug: (entry) => entry.event === 'connect' && client!.close() });
    client = run.client;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.state).toBe('closed');
    expect(FakeWebSocket.all).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts attempts from 1 after reconnect() during a backoff wait, and makes one attempt, then waits', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { client, of } = logged({ pollUrl: false, reconnect: { minDelay: 10_000, maxDelay: 10_000 } });
    (await nextSocket()).fail();
    expect(of('close')[0].retryIn).toBe(5000);
    client.reconnect();
    await settle();
    expect(FakeWebSocket.all).toHaveLength(2);
    FakeWebSocket.latest().fail();
    await settle();
    expect(of('connect').map((entry) => entry.attempt)).toEqual([1, 1]);
    expect(of('close')[1].retryIn).toBe(5000);
    expect(FakeWebSocket.all).toHaveLength(2);
    await nextSocket();
    expect(of('connect').map((entry) => entry.attempt)).toEqual([1, 1, 2]);
    client.close();
  });
});

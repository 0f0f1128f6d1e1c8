// watchTask: one run, closing itself once final. Fake socket and fetch for the details, the
// reference server for the real sequence of frames.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocketLike } from '../src/index';
import { INITIAL_RUN, isFinal, watchTask, type TaskRun } from '../src/watch';
import { MOUNT, nextSocket, settle } from './helpers/client-harness';
import { makeTask } from './helpers/fake-client';
import { FakeWebSocket } from './helpers/fake-websocket';
import { fakeFetch, json } from './helpers/fake-fetch';
import { start } from './server/helpers';

const frame = (task: object, extra: object = {}) => JSON.stringify({ type: 'task.update', task, ...extra });

function watch(taskId: string, answer: unknown[] = []) {
  FakeWebSocket.reset();
  const http = fakeFetch(() => json(answer));
  const runs: TaskRun[] = [];
  const stop = watchTask(
    { url: MOUNT, taskId, token: 'read-token', WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch },
    (run) => runs.push(run),
  );
  return { http, runs, stop, last: () => runs[runs.length - 1] };
}

describe('watchTask', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('follows its run only, and closes itself once the run is final', async () => {
    const mine = makeTask(1, { task_id: 'mine' });
    const { runs, last, http } = watch('mine');
    const socket = await nextSocket();
    expect(socket.url).toBe('ws://flowrra.test/flowrra/ws?token=read-token');
    socket.accept();
    await settle();
    expect(http.calls[0].headers.Authorization).toBe('Bearer read-token');
    expect(last()).toEqual({ task: undefined, state: 'live', error: undefined });

    socket.receive(frame(makeTask(2, { task_id: 'other' })));
    const before = runs.length;
    socket.receive(frame(mine, { cursor: 17 })); // the scoped mount's extra key is ignored
    expect(runs.length).toBe(before + 1);
    expect(last().task).toEqual(mine);

    const done = { ...mine, status: 'success', result: { rows: 3 } };
    socket.receive(frame(done));
    expect(runs.slice(-2).map((run) => [run.task?.status, run.state])).toEqual([
      ['success', 'live'],
      ['success', 'closed'],
    ]);
    expect(socket.closedWith).toBe(1000);
    expect(Object.isFrozen(last())).toBe(true);
  });

  it('closes at once when the open poll already finds the run final', async () => {
    const failed = makeTask(1, { task_id: 'r', status: 'failed', error: 'boom' });
    const { last } = watch('r', [failed]);
    const socket = await nextSocket();
    socket.accept();
    await settle();
    expect(last()).toMatchObject({ task: failed, state: 'closed' });
    expect(FakeWebSocket.all.length).toBe(1);
  });

  it('calls nothing after stop, and stop closes the socket', async () => {
    const { runs, stop } = watch('r');
    const socket = await nextSocket();
    socket.accept();
    await settle();
    const seen = runs.length;
    stop();
    stop();
    socket.receive(frame(makeTask(1, { task_id: 'r' })));
    expect(runs.length).toBe(seen);
    expect(socket.closedWith).toBe(1000);
  });

  it('reports errors, and clears them once live again', async () => {
    const { last } = watch('r');
    const first = await nextSocket();
    first.accept();
    await settle();
    first.receive('{not json');
    expect(last().error?.kind).toBe('parse');
    first.drop(1006);
    const second = await nextSocket();
    expect(last().error?.kind).toBe('parse');
    second.accept();
    await settle();
    expect(last()).toMatchObject({ state: 'live', error: undefined });
  });

  it('refuses a missing taskId as a config error', () => {
    expect(() => watchTask({ url: MOUNT, taskId: '' }, () => {})).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(() => watchTask({ url: MOUNT } as never, () => {})).toThrow(/taskId/);
  });

  it('has a frozen initial run and knows the final statuses', () => {
    expect(INITIAL_RUN).toEqual({ task: undefined, state: 'idle', error: undefined });
    expect(Object.isFrozen(INITIAL_RUN)).toBe(true);
    expect(['pending', 'running', 'retrying', 'success', 'failed', 'cancelled'].map((status) => isFinal(makeTask(1, { status })))).toEqual([
      false,
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(isFinal(undefined)).toBe(false);
  });
});

describe('watchTask on the reference server', () => {
  it("follows a retried run through Flowrra's frames to its end, then leaves the server", async () => {
    const server = await start();
    const runs: TaskRun[] = [];
    const other = server.submit({ name: 'other', duration_ms: 20 });
    const id = server.submit({ name: 'flaky', duration_ms: 30, fail: true, max_retries: 1, retry_delay_ms: 10 });
    watchTask({ url: server.url, taskId: id, WebSocket: WebSocket as never }, (run) => runs.push(run));
    await vi.waitFor(() => expect(runs.at(-1)?.state).toBe('closed'), { timeout: 5000 });
    const statuses = runs.map((run) => run.task?.status).filter((status, i, all) => status && status !== all[i - 1]);
    expect(statuses.at(-1)).toBe('failed');
    expect(runs.every((run) => run.task === undefined || run.task.task_id === id)).toBe(true);
    expect(runs.at(-1)?.task).toEqual(server.results().find((task) => task.task_id === id));
    await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 5000 });
    expect(other).not.toBe(id);
  });
});

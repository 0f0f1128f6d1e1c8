/**
 * What every framework adapter (React, Vue, Svelte) must show, written once: the tests of each
 * adapter render with their framework and hand the result here.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { createTaskClient, type TaskClient } from '../../src/index';
import { createFlowrraMock, type FlowrraMock } from '../../testing/index';
import { createFakeClient, makeTask } from './fake-client';

/** A Flowrra mock served by msw around the calling file or `describe`: listening, reset after each test, closed after all. */
export function useFlowrraMock(url: string): FlowrraMock {
  const flowrra = createFlowrraMock({ url });
  const server = setupServer(...flowrra.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => flowrra.reset());
  afterAll(() => server.close());
  return flowrra;
}

/**
 * Tasks whose newest-first order exercises every rule: the latest timestamp first, then, for equal
 * or missing timestamps, the most recently first seen. Rows read `task_name:status`.
 */
export function newestFirstCase() {
  const old = makeTask(1, { task_name: 'old' });
  const mid = makeTask(2, { task_name: 'mid' });
  const untimedA = makeTask(0, { task_name: 'untimedA', submitted_at: null });
  const untimedB = makeTask(0, { task_name: 'untimedB', submitted_at: undefined });
  return {
    tasks: [untimedA, old, untimedB, mid],
    rows: ['mid:pending', 'old:pending', 'untimedB:pending', 'untimedA:pending'],
    /** `old` starting later than `mid` was submitted: it moves to the top as {@link startedRow}. */
    started: { ...old, status: 'running', started_at: '2026-11-25T17:33:03.000000' },
    startedRow: 'old:running',
  };
}

/**
 * Server rendering shows the fixed snapshot — state `connecting`, no tasks, task `known` unknown —
 * for a client that has live data, and never subscribes to it.
 */
export async function expectServerSnapshotUntouched(render: (client: TaskClient) => string | Promise<string>, snapshot: string): Promise<void> {
  const fake = createFakeClient([makeTask(1, { task_id: 'known', status: 'running' })], 'live');
  const subscribe = vi.spyOn(fake, 'subscribe');
  const on = vi.spyOn(fake, 'on');
  expect(await render(fake)).toBe(snapshot);
  expect(subscribe).not.toHaveBeenCalled();
  expect(on).not.toHaveBeenCalled();
}

/** Server rendering with a real lazy client leaves it idle: no socket, no poll. */
export async function expectLazyClientLeftIdle(flowrra: FlowrraMock, render: (client: TaskClient) => unknown): Promise<void> {
  const client = createTaskClient({ url: flowrra.url, lazy: true });
  await render(client);
  expect(client.state).toBe('idle');
  expect(flowrra.upgrades()).toBe(0);
  expect(flowrra.polls()).toBe(0);
  client.close();
}

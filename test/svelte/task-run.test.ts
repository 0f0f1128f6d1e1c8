// @vitest-environment jsdom
// taskRunStore on the real client, fed by the msw kit: lazy, one run, closed when final.
import { get } from 'svelte/store';
import { describe, expect, it, vi } from 'vitest';
import { taskRunStore, type TaskRun } from '../../src/svelte/index';
import { useFlowrraMock } from '../helpers/adapter-cases';

const flowrra = useFlowrraMock('http://live.test/flowrra');

describe('taskRunStore', () => {
  it('opens with the first subscriber, follows the run and closes once final', async () => {
    const mine = flowrra.submit({ task_name: 'report' });
    const store = taskRunStore(mine.task_id, { url: flowrra.url, token: 'read-token' });
    expect(flowrra.upgrades()).toBe(0);
    const seen: TaskRun[] = [];
    const unsubscribe = store.subscribe((run) => seen.push(run));
    expect(seen[0]).toMatchObject({ task: undefined });
    await vi.waitFor(() => expect(seen.at(-1)).toMatchObject({ task: { status: 'pending' }, state: 'live' }));
    flowrra.update(mine.task_id, { status: 'success' });
    await vi.waitFor(() => expect(seen.at(-1)).toMatchObject({ task: { status: 'success' }, state: 'closed' }));
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
    expect(seen.every((run) => run.task === undefined || run.task.task_id === mine.task_id)).toBe(true);
    unsubscribe();
  });

  it('closes when the last subscriber leaves, before the run is final', async () => {
    const task = flowrra.submit();
    const store = taskRunStore(task.task_id, { url: flowrra.url });
    const unsubscribe = store.subscribe(() => {});
    await vi.waitFor(() => expect(flowrra.connections()).toBe(1));
    expect(get(store).task?.task_id).toBe(task.task_id);
    unsubscribe();
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
  });

  it('opens nothing for a null id', () => {
    const seen: TaskRun[] = [];
    taskRunStore(null, { url: flowrra.url }).subscribe((run) => seen.push(run))();
    expect(seen).toEqual([{ task: undefined, state: 'idle', error: undefined }]);
    expect(flowrra.upgrades()).toBe(0);
  });
});

import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient, type TaskClientError, type TaskEvent } from '../../src/index';
import { createFlowrraMock, waitForState } from '../../testing/index';

// The real client against the kit: what a user of flowrra-client/testing gets.
const flowrra = createFlowrraMock({ url: 'http://flowrra.test/flowrra' });
const server = setupServer(...flowrra.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const clients: TaskClient[] = [];
afterEach(() => {
  clients.splice(0).forEach((client) => client.close());
  flowrra.reset();
});

function connect(): { client: TaskClient; events: TaskEvent[]; errors: TaskClientError[] } {
  // Short reconnect waits keep the drop/refuse tests quick; the order of events is what is tested.
  const client = createTaskClient({ url: flowrra.url, pollInterval: 50, reconnect: { minDelay: 20, maxDelay: 50 } });
  clients.push(client);
  const events: TaskEvent[] = [];
  const errors: TaskClientError[] = [];
  client.subscribe((event) => events.push(event));
  client.on('error', (error) => errors.push(error));
  return { client, events, errors };
}

describe('createTaskClient with the kit', () => {
  it('receives a task lifecycle over the socket and merges it like Flowrra', async () => {
    const { client, events } = connect();
    await waitForState(client, 'live');
    const { task_id, submitted_at } = flowrra.submit({ task_name: 'send_email', args: ['a@b.c'] });
    flowrra.update(task_id, { status: 'running' });
    flowrra.update(task_id, { status: 'success', result: { sent: true } });

    await vi.waitFor(() => expect(client.tasks.get(task_id)?.status).toBe('success'));
    expect(events.filter((e) => e.task.task_id === task_id).map((e) => [e.task.status, e.source])).toEqual([
      ['pending', 'ws'],
      ['running', 'ws'],
      ['success', 'ws'],
    ]);
    expect(client.tasks.get(task_id)).toMatchObject({ submitted_at, args: ['a@b.c'], result: { sent: true } });
  });

  it('loads what the server held before the socket opened, by poll', async () => {
    flowrra.submit({ task_id: 'earlier', status: 'success' });
    const { client, events } = connect();
    await vi.waitFor(() => expect(client.tasks.has('earlier')).toBe(true));
    expect(events[0]).toMatchObject({ source: 'poll', task: { task_id: 'earlier' } });
  });

  it('reports a malformed frame and keeps going', async () => {
    const { client, errors } = connect();
    await waitForState(client, 'live');
    flowrra.sendRaw('{"type": "task.update", "task": {"task_id": ');
    flowrra.submit({ task_id: 'after' });
    await vi.waitFor(() => expect(client.tasks.has('after')).toBe(true));
    expect(errors.map((e) => e.kind)).toEqual(['parse']);
  });

  it('falls back to polling when the socket drops, and goes live again when it can', async () => {
    const { client, events } = connect();
    await waitForState(client, 'live');
    flowrra.refuseUpgrades(true);
    flowrra.dropConnections();
    await waitForState(client, 'polling');

    // No socket is open now, so this reaches the client only through the results endpoint.
    flowrra.submit({ task_id: 'while-down' });
    await vi.waitFor(() => expect(client.tasks.has('while-down')).toBe(true));
    expect(events.find((e) => e.task.task_id === 'while-down')?.source).toBe('poll');

    flowrra.refuseUpgrades(false);
    await waitForState(client, 'live');
    flowrra.submit({ task_id: 'back' });
    await vi.waitFor(() => expect(events.find((e) => e.task.task_id === 'back')?.source).toBe('ws'));
  });

  it('does not reconnect after an authentication close code', async () => {
    const { client, errors } = connect();
    await waitForState(client, 'live');
    const upgrades = flowrra.upgrades();
    flowrra.dropConnections(4401, 'unauthorized');
    await waitForState(client, 'polling');
    await vi.waitFor(() => expect(flowrra.polls()).toBeGreaterThan(2));
    expect(errors.map((e) => e.kind)).toContain('auth');
    expect(flowrra.upgrades()).toBe(upgrades);
  });
});

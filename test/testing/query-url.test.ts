import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createTaskClient } from '../../src/index';
import { createFlowrraMock, waitForState } from '../../testing/index';

// A mount with a query string: the kit must listen where the client, by its own URL rules, connects.
const flowrra = createFlowrraMock({ url: 'http://tenant.test/flowrra/?tenant=7' });
const server = setupServer(...flowrra.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

it('serves a mount with a query string on the socket and poll URLs the client derives', async () => {
  const client = createTaskClient({ url: flowrra.url });
  const errors: unknown[] = [];
  client.on('error', (error) => errors.push(error));
  await waitForState(client, 'live');
  const { task_id } = flowrra.submit({ task_name: 'report' });
  await vi.waitFor(() => expect(client.tasks.get(task_id)?.task_name).toBe('report'));
  await client.refresh();
  expect(flowrra.polls()).toBeGreaterThanOrEqual(2);
  expect(errors).toEqual([]);
  client.close();
});

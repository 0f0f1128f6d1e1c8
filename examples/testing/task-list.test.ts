// @vitest-environment jsdom
/*
 * Testing code that uses flowrra-client with the msw kit. In your project the imports are
 * 'flowrra-client' and 'flowrra-client/testing'. Node 20 needs NODE_OPTIONS=--experimental-websocket
 * for msw to intercept WebSocket (Node 22+ has it built in).
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient } from '../../src/index';
import { createFlowrraMock, waitForState } from '../../testing/index';
import { showTasks } from './task-list';

const flowrra = createFlowrraMock({ url: 'http://localhost/flowrra' });
const server = setupServer(...flowrra.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

let client: TaskClient;
let list: HTMLUListElement;
afterEach(() => {
  client?.close();
  flowrra.reset();
});

async function start() {
  // Create the client after server.listen(): it picks up the intercepted WebSocket and fetch.
  client = createTaskClient({ url: flowrra.url, pollInterval: 100, reconnect: { minDelay: 50 } });
  list = document.createElement('ul');
  showTasks(client, list);
  await waitForState(client, 'live');
}

const lines = () => Array.from(list.children, (li) => li.textContent);

it('shows each task as it progresses', async () => {
  await start();
  const email = flowrra.submit({ task_name: 'send_email' });
  flowrra.submit({ task_name: 'resize_image' });
  flowrra.update(email.task_id, { status: 'running' });
  flowrra.update(email.task_id, { status: 'failed', error: 'SMTP timeout' });

  await vi.waitFor(() => expect(lines()).toEqual(['resize_image: pending', 'send_email: failed']));
});

it('catches up by polling while the socket is down', async () => {
  await start();
  flowrra.refuseUpgrades(true);
  flowrra.dropConnections();
  await waitForState(client, 'polling');

  flowrra.submit({ task_name: 'nightly_report', status: 'success' });
  await vi.waitFor(() => expect(lines()).toEqual(['nightly_report: success']));
});

it('ignores a malformed frame', async () => {
  await start();
  const errors: string[] = [];
  client.on('error', (error) => errors.push(error.kind));
  flowrra.sendRaw('not json');
  flowrra.submit({ task_name: 'after_garbage' });

  await vi.waitFor(() => expect(lines()).toEqual(['after_garbage: pending']));
  expect(errors).toEqual(['parse']);
});

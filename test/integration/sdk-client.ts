import { afterEach, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createTaskClient, type ConnectionState, type TaskClient, type TaskClientError, type TaskClientOptions, type TaskEvent } from '../../src/index';
import type { ReferenceServer } from '../../server/index';

const open: TaskClient[] = [];

afterEach(() => {
  for (const client of open.splice(0)) client.close();
});

/** Fast enough for tests, still the real schedule: full jitter from 50 ms up to 400 ms. */
export const QUICK = { pollInterval: 300, reconnect: { minDelay: 50, maxDelay: 400, connectTimeout: 1000 } } satisfies TaskClientOptions;

/** A real SDK client on the `ws` package, with what it reports recorded and each poll's time kept. Closed after the test. */
export function sdkClient(server: Pick<ReferenceServer, 'url'>, options: TaskClientOptions = {}) {
  const polledAt: number[] = [];
  const client = createTaskClient({
    url: server.url,
    WebSocket,
    fetch: (input, init) => {
      polledAt.push(Date.now());
      return fetch(input, init);
    },
    ...QUICK,
    ...options,
  });
  open.push(client);
  const events: TaskEvent[] = [];
  const states: ConnectionState[] = [];
  const errors: TaskClientError[] = [];
  client.subscribe((event) => events.push(event));
  client.on('state', (state) => states.push(state));
  client.on('error', (error) => errors.push(error));
  const reaches = (state: ConnectionState, timeout = 5000) => vi.waitFor(() => expectState(client, state), { timeout, interval: 10 });
  return { client, events, states, errors, polledAt, reaches };
}

function expectState(client: TaskClient, state: ConnectionState): void {
  if (client.state !== state) throw new Error(`state is ${client.state}, waiting for ${state}`);
}

/** The client's view of each task in the server's shape, for comparison with `results()`. */
export function viewOf(client: TaskClient, ids: string[]) {
  return ids.map((id) => client.tasks.get(id));
}

import { vi } from 'vitest';
import { createTaskClient, type ConnectionState, type TaskClientError, type TaskClientOptions, type TaskEvent, type WebSocketLike } from '../../src/index';
import { FakeWebSocket } from './fake-websocket';
import { fakeFetch } from './fake-fetch';

export const MOUNT = 'http://flowrra.test/flowrra';

/** A client on a FakeWebSocket and a fake fetch, with everything it reports recorded. Use with fake timers. */
export function harness(options: TaskClientOptions = {}) {
  FakeWebSocket.reset();
  const http = fakeFetch();
  const client = createTaskClient({ url: MOUNT, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch, ...options });
  const events: TaskEvent[] = [];
  const states: ConnectionState[] = [];
  const errors: TaskClientError[] = [];
  client.on('state', (state) => states.push(state));
  client.on('error', (error) => errors.push(error));
  client.subscribe((event) => events.push(event));
  return { client, http, events, states, errors };
}

/**
 * Runs timers until the next socket exists: the reconnect loop opens sockets from timers and
 * promises, so a test waits for the attempt itself, not for a guessed duration.
 */
export async function nextSocket(limitMs = 60_000): Promise<FakeWebSocket> {
  const before = FakeWebSocket.all.length;
  for (let waited = 0; waited <= limitMs; waited += 10) {
    if (FakeWebSocket.all.length > before) return FakeWebSocket.latest();
    await vi.advanceTimersByTimeAsync(10);
  }
  throw new Error(`no socket attempt within ${limitMs} ms`);
}

/** Lets pending promises (a fetch answer, a token) settle without moving the clock. */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

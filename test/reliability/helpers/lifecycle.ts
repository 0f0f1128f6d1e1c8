import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { createTaskClient, type TaskClient, type TaskClientOptions, type WebSocketLike } from '../../../src/index';
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../../server/index';
import { ChaosProxy } from './proxy';

const cleanups: (() => unknown)[] = [];

// Clients first, then proxies, then servers: nothing should be left retrying against a closed port.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `cleanup` after the current test, in reverse order of registration. */
export function atEnd(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

export async function startServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const server = await startReferenceServer({ port: 0, host: '127.0.0.1', ...options });
  atEnd(() => server.stop());
  return server;
}

export async function startProxy(server: ReferenceServer): Promise<ChaosProxy> {
  const proxy = await ChaosProxy.start(server.port);
  atEnd(() => proxy.stop());
  return proxy;
}

/** A client on Node's side of the wire: `ws` for the socket, Node's fetch for polls. */
export function nodeClient(options: TaskClientOptions): TaskClient {
  const client = createTaskClient({ WebSocket: WebSocket as unknown as WebSocketLike, ...options });
  atEnd(() => client.close());
  return client;
}

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Api } from './api';
import { createClock } from './clock';
import { completeEvent, formatFrame } from './format';
import { createRequestHandler } from './http';
import { Hub } from './hub';
import { Simulator } from './simulator';
import { StatsCounter } from './stats';
import { ResultsStore } from './store';
import type { PartialTaskEvent, ReferenceServer, ReferenceServerOptions, TaskEvent } from './types';

export type {
  FlowrraControls,
  PartialTaskEvent,
  ReferenceServer,
  ReferenceServerOptions,
  Task,
  TaskEvent,
  TaskEventType,
  TaskSpec,
  TaskStatus,
} from './types';
export { formatFrame, completeTask } from './format';
export { pyDumps } from './pyjson';

/** Starts a server speaking Flowrra's wire format at `/flowrra`. Resolves once it is listening. */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const host = options.host ?? '127.0.0.1';
  const tls = loadTls(options);
  const store = new ResultsStore(options.resultsLimit ?? 10_000);
  const counter = new StatsCounter();
  const publish = (event: TaskEvent) => {
    counter.events++;
    if (event.type === 'task.delete') store.delete(event.task.task_id);
    else store.apply(event.task);
    hub.broadcast(formatFrame(event));
  };
  const simulator = new Simulator((task) => publish({ type: 'task.update', task }), createClock());
  const api = new Api({
    store,
    submit: (spec) => simulator.submit(spec),
    drop: () => hub.drop(),
    refuse: (on) => (hub.refusing = on),
    stats: () => counter.stats(hub.size, store.size),
    polled: (status, seconds) => counter.poll(status, seconds),
    token: options.token,
    cors: options.cors,
  });
  const handler = createRequestHandler({ api, staticDir: options.staticDir, distDir: options.distDir });
  const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  const hub = new Hub(server, {
    token: options.token,
    origins: options.origins,
    maxConnections: options.maxConnections ?? 10_000,
    maxPayload: options.maxPayload ?? 64 * 1024,
    pingInterval: options.pingInterval ?? 20_000,
    slowPeer: () => counter.subscriberErrors++,
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8000, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await hub.close();
    throw error;
  }
  simulator.startRandom(options.simulate ?? 0);

  const port = (server.address() as AddressInfo).port;
  const origin = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let stopping: Promise<void> | undefined;

  return {
    url: `${origin}/flowrra`,
    origin,
    port,
    submit: (spec) => simulator.submit(spec),
    emit: (event: PartialTaskEvent) => publish(completeEvent(event)),
    sendRaw: (data) => hub.broadcast(data),
    dropConnections: (code) => void hub.drop(code),
    refuseUpgrades: (on) => void (hub.refusing = on),
    failPolls: (status) => void (api.failStatus = status),
    results: () => structuredClone(store.newest()),
    connections: () => hub.size,
    upgrades: () => hub.upgradeCount,
    polls: () => api.polls,
    stop: () => {
      stopping ??= (async () => {
        simulator.stop();
        await hub.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections would otherwise hold close() open until they time out.
        server.closeAllConnections();
        await closed;
      })();
      return stopping;
    },
  };
}

/** Both or neither; each a path to a PEM file or the PEM text itself. */
function loadTls(options: ReferenceServerOptions): { cert: string; key: string } | undefined {
  const { tlsCert, tlsKey } = options;
  if (tlsCert === undefined && tlsKey === undefined) return undefined;
  if (tlsCert === undefined || tlsKey === undefined) throw new Error('tlsCert and tlsKey must be given together');
  const pem = (value: string) => (value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8'));
  return { cert: pem(tlsCert), key: pem(tlsKey) };
}

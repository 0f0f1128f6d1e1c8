// What one poll costs on the wire, measured through a counting relay in front of the reference
// server: the SDK's own requests (Node's fetch), headers included, with 200 tasks stored.
import { gzipSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { createTaskClient } from '../dist/index.js';
import { startReferenceServer } from '../dist/server.js';
import { asScript } from './lib/child.mjs';
import { untilState } from './lib/client-state.mjs';
import { countingProxy } from './lib/counting-proxy.mjs';
import { taskUpdates } from './lib/workload.mjs';

export async function run({ tasks = 200 } = {}) {
  const server = await startReferenceServer({ port: 0 });
  const proxy = await countingProxy(server.port);
  let finished = 0;
  for (const task of taskUpdates({ seed: 3 })) {
    server.emit({ type: 'task.update', task });
    if (task.status === 'success' || task.status === 'failed') finished++;
    if (server.results().length >= tasks && finished >= tasks) break;
  }
  // The socket goes straight to the server; only polls pass the relay.
  const client = createTaskClient({
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws') + '/ws',
    pollUrl: `http://127.0.0.1:${proxy.port}/flowrra/api/results`,
    WebSocket,
  });
  const poll = async () => {
    const before = { ...proxy.bytes };
    await client.refresh();
    return { request: proxy.bytes.up - before.up, response: proxy.bytes.down - before.down };
  };
  try {
    await untilState(client, (state) => state === 'live');
    await poll(); // after the reconcile poll the socket's open triggered: the ETag is known
    const unchanged = await poll();
    server.emit({ type: 'task.update', task: { ...server.results()[0], error: 'changed' } });
    const changed = await poll();
    const body = await (await fetch(`${server.url}/api/results`)).text();
    return {
      tasks: server.results().slice(0, 200).length,
      full: changed,
      unchanged,
      bodyBytes: Buffer.byteLength(body),
      bodyGzipBytes: gzipSync(body, { level: 6 }).length,
      fetch: `Node ${process.version} fetch (undici)`,
    };
  } finally {
    client.close();
    await proxy.close();
    await server.stop();
  }
}

await asScript(import.meta, run);

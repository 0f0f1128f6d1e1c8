// The leak checks of test/perf at full count, against the built client and server.
import { WebSocket } from 'ws';
import { createTaskClient } from '../dist/index.js';
import { startReferenceServer } from '../dist/server.js';
import { asScript } from './lib/child.mjs';
import { connectDropCycles, createCloseCycles } from './lib/leak-cycles.mjs';

export async function run({ cycles = 1000 } = {}) {
  const server = await startReferenceServer({ port: 0 });
  try {
    const options = { createTaskClient, WebSocketBase: WebSocket, server, cycles };
    return { connectDrop: await connectDropCycles(options), createClose: await createCloseCycles(options) };
  } finally {
    await server.stop();
  }
}

await asScript(import.meta, run);

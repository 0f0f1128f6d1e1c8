// Leak checks shared by the normal suite (test/perf, small counts, the client from src/) and the
// bench (full counts, the client from dist/): run many connect/drop or create/close cycles against
// a live reference server, then look for what a leak leaves behind.
import v8 from 'node:v8';
import { untilState } from './client-state.mjs';
import { garbageCollector, settledHeap } from './gc.mjs';

/** A `ws` WebSocket class that knows its instances until they close, and counts their listeners. */
export function trackedWebSocket(Base) {
  const open = new Set();
  class Tracked extends Base {
    constructor(url, protocols, options) {
      super(url, protocols, options);
      open.add(this);
      this.once('close', () => open.delete(this));
    }
  }
  const listeners = () => [...open].map((ws) => ws.eventNames().reduce((n, name) => n + ws.listenerCount(name), 0));
  return { WebSocket: Tracked, open, listeners };
}

function resources() {
  const counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

const processListeners = () => process.eventNames().reduce((n, name) => n + process.listenerCount(name), 0);

function snapshot(tracked, server) {
  return {
    resources: resources(),
    processListeners: processListeners(),
    openSockets: tracked.open.size,
    socketListeners: tracked.listeners(),
    serverConnections: server.connections(),
  };
}

/** True when nothing in `now` exceeds `start`: no more handles of any type, sockets, listeners. */
function settledAt(start, now) {
  return (
    Object.entries(now.resources).every(([type, n]) => n <= (start.resources[type] ?? 0)) &&
    now.processListeners <= start.processListeners &&
    now.openSockets === start.openSockets &&
    now.serverConnections === start.serverConnections &&
    JSON.stringify(now.socketListeners) === JSON.stringify(start.socketListeners)
  );
}

// Sockets close and keep-alive connections expire on their own schedule: re-check, bounded.
async function settle(done, tracked, server, limitMs) {
  const deadline = Date.now() + limitMs;
  let now = snapshot(tracked, server);
  while (!done(now) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    now = snapshot(tracked, server);
  }
  return now;
}

/**
 * The JIT keeps compiling for hundreds of cycles, and its optimised code and deoptimisation data
 * live on the heap: up to a megabyte of growth that is not a leak. With the optimising tiers off
 * while the cycles run, what grows is what the client and server keep.
 */
async function interpreted(run) {
  v8.setFlagsFromString('--no-opt');
  v8.setFlagsFromString('--no-sparkplug');
  try {
    return await run();
  } finally {
    v8.setFlagsFromString('--opt');
    v8.setFlagsFromString('--sparkplug');
  }
}

/** `sockets`: how many the client holds between cycles (each with one server connection). */
function measure(options) {
  return interpreted(() => measureCycles(options));
}

async function measureCycles({ tracked, server, warmup, cycles, cycle, sockets, settleMs = 10_000 }) {
  const gc = garbageCollector();
  for (let i = 0; i < warmup; i++) await cycle(i);
  const quiet = (now) => now.openSockets === sockets && now.serverConnections === sockets;
  await settle(quiet, tracked, server, settleMs);
  const heapBefore = await settledHeap(gc);
  const before = snapshot(tracked, server);
  const started = performance.now();
  for (let i = 0; i < cycles; i++) await cycle(i);
  const ms = performance.now() - started;
  const after = await settle((now) => settledAt(before, now), tracked, server, settleMs);
  const heapAfter = await settledHeap(gc);
  return { cycles, ms: Math.round(ms), heapGrowthBytes: heapAfter - heapBefore, settled: settledAt(before, after), before, after };
}

/**
 * One client; each cycle the server drops every socket and the client comes back live. Reconnects
 * wait 1 ms at most (minDelay and maxDelay 1) so the cycles measure the client, not the backoff.
 */
export async function connectDropCycles({ createTaskClient, WebSocketBase, server, cycles, warmup = 20 }) {
  const tracked = trackedWebSocket(WebSocketBase);
  const client = createTaskClient({ url: server.url, WebSocket: tracked.WebSocket, reconnect: { minDelay: 1, maxDelay: 1 } });
  const live = (state) => state === 'live';
  try {
    await untilState(client, live);
    return await measure({
      tracked,
      server,
      warmup,
      cycles,
      sockets: 1,
      cycle: async () => {
        const down = untilState(client, (state) => !live(state));
        server.dropConnections();
        await down;
        await untilState(client, live);
      },
    });
  } finally {
    client.close();
  }
}

/** Each cycle creates a client and closes it: every other one once live, the rest while still connecting. */
export async function createCloseCycles({ createTaskClient, WebSocketBase, server, cycles, warmup = 20 }) {
  const tracked = trackedWebSocket(WebSocketBase);
  return measure({
    tracked,
    server,
    warmup,
    cycles,
    sockets: 0,
    cycle: async (i) => {
      const client = createTaskClient({ url: server.url, WebSocket: tracked.WebSocket });
      client.subscribe(() => {});
      if (i % 2 === 0) await untilState(client, (state) => state === 'live');
      client.close();
    },
  });
}

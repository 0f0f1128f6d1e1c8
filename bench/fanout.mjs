// The fan-out across worker processes (python/flowrra_live/fanout.py): FastAPI under
// `uvicorn --workers 2`, Flowrra's own socket, Redis pub/sub between the workers. Synthetic task
// frames are emitted on a worker's event_bus (test/workers/apps, route /test/emit), each stamped
// with its emit time; raw `ws` sockets on both workers note when each arrives. A frame reaches the
// sockets of its own worker directly (local delivery, the baseline) and those of the other worker
// through Redis: both are measured in the same run, on the same frames.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { asScript } from './lib/child.mjs';
import { freePort, startGroup, startRedis } from './lib/processes.mjs';
import { spread } from './lib/stats.mjs';

const PYTHON = '/usr/bin/python3';
const REPO = fileURLToPath(new URL('..', import.meta.url));
const APPS = join(REPO, 'test', 'workers', 'apps');
const FLOWRRA_SRC = process.env.FLOWRRA_SRC ?? join(REPO, '..', 'shared', 'flowrra-0.1.8', 'src');
const now = () => performance.timeOrigin + performance.now();

export async function run(options = {}) {
  const missing = ['/usr/bin/redis-server', PYTHON].find((file) => !existsSync(file));
  if (missing) return { skipped: `${missing} is missing (apt-get install redis-server python3-redis python3-fastapi python3-uvicorn)` };
  const on = await measure({ ...options, fanout: true });
  // The baseline: the same app and load without the fan-out, each frame reaching only its own worker's sockets.
  const off = await measure({ ...options, fanout: false, latencySamples: 0 });
  return { ...on, baseline: off.throughput };
}

async function measure({ fanout, sockets = 8, latencySamples = 400, events = 10_000, requests = 8 }) {
  const redis = await startRedis();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const app = startGroup(PYTHON, ['-m', 'uvicorn', 'fastapi_workers:asgi', '--workers', '2', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning'], {
    cwd: APPS,
    env: { PYTHONPATH: [APPS, join(REPO, 'python'), FLOWRRA_SRC].join(':'), REDIS: redis.url, FANOUT: fanout ? '1' : '0' },
  });
  const open = [];
  try {
    const pids = await waitFor(async () => {
      const { pids } = await (await fetch(`${origin}/test/ready`)).json();
      return pids.length === 2 && pids;
    }, 30_000, app.output);
    const listeners = await socketsOnBothWorkers(`ws://127.0.0.1:${port}/flowrra/ws`, pids, sockets / 2, open);
    const emit = (run, count, pid) => emitIn(port, `/test/emit?run=${run}&count=${count}&pid=${pid}`);
    const allGot = (prefix, count, timeout) => waitFor(() => listeners.every((l) => l.count(prefix) >= count(l)), timeout, app.output);

    // FastAPI subscribes a socket only after its handshake: probe until every socket heard its own worker.
    let probes = 0;
    await waitFor(async () => {
      // Concurrent requests open more connections (a sequential one would stay on one worker).
      await Promise.all(pids.map((pid) => emit('probe', 1, pid)));
      probes += 2;
      return listeners.every((l) => l.count('probe-', l.pid) > 0);
    }, 10_000, app.output);

    // Latency: one frame at a time, so no frame waits behind another.
    const local = [];
    const remote = [];
    for (let i = 0; i < latencySamples; i++) {
      const prefix = `lat${i}-`;
      await emit(`lat${i}`, 1, pids[i % 2]);
      await allGot(prefix, () => 1, 10_000);
      for (const listener of listeners) {
        const { task, at } = listener.first(prefix);
        (task.pid === listener.pid ? local : remote).push(at - task.emitted_at * 1000);
      }
    }

    // Throughput: `events` frames in `requests` concurrent requests, spread over both workers.
    const started = now();
    const emittedBy = Array.from({ length: requests }, (_, i) => pids[i % 2]);
    await Promise.all(emittedBy.map((pid) => emit('tp', events / requests, pid)));
    const emittedAt = now();
    const expected = (l) => (fanout ? events : (emittedBy.filter((pid) => pid === l.pid).length * events) / requests);
    await allGot('tp-', expected, 60_000);
    const elapsed = now() - started;
    return {
      workers: 2,
      sockets: listeners.length,
      socketsPerWorker: pids.map((pid) => listeners.filter((l) => l.pid === pid).length),
      probes,
      latency: { local: spread(local), remote: spread(remote) },
      throughput: {
        events,
        requests,
        requestsPerWorker: pids.map((pid) => emittedBy.filter((p) => p === pid).length),
        emitMs: emittedAt - started,
        elapsedMs: elapsed,
        eventsPerSecond: (events / elapsed) * 1000,
        deliveriesPerSecond: (listeners.reduce((n, l) => n + expected(l), 0) / elapsed) * 1000,
      },
      server: 'FastAPI 0.92 + uvicorn 0.17 (--workers 2), Flowrra 0.1.8 socket, redis-server 7 on loopback, python3-redis 4.3',
    };
  } finally {
    for (const socket of open) socket.terminate();
    await app.stop(300);
    await redis.stop();
  }
}

/** Raw sockets until each worker holds `perWorker` of them (the kernel spreads connections unevenly). */
async function socketsOnBothWorkers(url, pids, perWorker, open) {
  const listeners = [];
  for (let attempt = 0; pids.some((pid) => listeners.filter((l) => l.pid === pid).length < perWorker); attempt++) {
    if (attempt >= 200) throw new Error('200 sockets opened without covering both workers');
    const listener = await listen(url, open);
    if (listeners.filter((l) => l.pid === listener.pid).length < perWorker) listeners.push(listener);
    else listener.socket.terminate();
  }
  return listeners;
}

function listen(url, open) {
  const socket = new WebSocket(url);
  open.push(socket);
  const received = new Map(); // prefix of the task_id (up to its first "-") → frames
  const listener = {
    socket,
    pid: undefined,
    count: (prefix, pid) => (received.get(prefix) ?? []).filter((frame) => pid === undefined || frame.task.pid === pid).length,
    first: (prefix) => received.get(prefix)[0],
  };
  socket.on('message', (data) => {
    const at = now();
    const { task } = JSON.parse(data);
    const prefix = task.task_id.slice(0, task.task_id.indexOf('-') + 1);
    if (!received.has(prefix)) received.set(prefix, []);
    received.get(prefix).push({ task, at });
  });
  return new Promise((resolve, reject) => {
    socket.once('upgrade', (response) => (listener.pid = Number(response.headers['x-worker-pid'])));
    socket.once('open', () => resolve(listener));
    socket.once('error', reject);
  });
}

/** POSTs `path` on fresh connections until the worker it names (`pid=`) is the one that answers. */
async function emitIn(port, path) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const status = await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end();
    });
    if (status === 200) return;
    if (status !== 409) throw new Error(`emit: HTTP ${status}`);
  }
  throw new Error('emit: 200 connections, none reached the worker asked for');
}

async function waitFor(check, timeout, output) {
  const deadline = Date.now() + timeout;
  for (;;) {
    // Before the server listens, fetch rejects: that counts as "not yet".
    const value = await Promise.resolve().then(check).catch(() => false);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`bench fanout: timed out\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

await asScript(import.meta, run);

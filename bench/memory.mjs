// Heap held by the client's task view: tasks fed through the real client (full lifecycles, as
// Flowrra sends them), heap measured after full collections, before and after.
import { createTaskClient } from '../dist/index.js';
import { asScript } from './lib/child.mjs';
import { FakeSocket } from './lib/fake-socket.mjs';
import { settledHeap } from './lib/gc.mjs';
import { taskUpdates } from './lib/workload.mjs';

async function fill({ tasks, maxTasks, seed }) {
  const before = await settledHeap();
  const ready = FakeSocket.next();
  const client = createTaskClient({ url: 'http://bench.invalid/flowrra', WebSocket: FakeSocket, pollUrl: false, staleAfter: 0, maxTasks });
  const socket = await ready;
  socket.open();
  const seen = new Set();
  for (const task of taskUpdates({ seed })) {
    if (!seen.has(task.task_id)) {
      if (seen.size === tasks) break;
      seen.add(task.task_id);
    }
    socket.message(JSON.stringify({ type: 'task.update', task }));
  }
  seen.clear();
  const after = await settledHeap();
  const stored = client.tasks.size;
  let jsonBytes = 0;
  for (const task of client.tasks.values()) jsonBytes += JSON.stringify(task).length;
  client.close();
  return { fed: tasks, maxTasks: maxTasks ?? 'default (10000)', stored, heapBytes: after - before, bytesPerTask: Math.round((after - before) / stored), jsonBytesPerTask: Math.round(jsonBytes / stored) };
}

export async function run({ small = 10_000, large = 100_000 } = {}) {
  await fill({ tasks: 2000, seed: 1 });
  return {
    cases: [
      await fill({ tasks: small, seed: 2 }),
      await fill({ tasks: large, maxTasks: large, seed: 3 }),
      // The default maxTasks must hold the view at 10,000 however many tasks pass.
      await fill({ tasks: large, seed: 4 }),
    ],
  };
}

await asScript(import.meta, run);

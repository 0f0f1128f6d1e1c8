// Where a frame's time goes: a CPU profile (the inspector's sampling profiler, as `node --cpu-prof`
// takes) of the client swallowing the throughput frames, self time summed by stage.
import { Session } from 'node:inspector/promises';
import { createTaskClient } from '../dist/index.js';
import { asScript } from './lib/child.mjs';
import { FakeSocket } from './lib/fake-socket.mjs';
import { wireFrames } from './lib/workload.mjs';

// Functions of dist/index.js by the stage they belong to; anything else there is "client, other".
const STAGES = {
  'JSON.parse (in parseFrame)': ['parseFrame', 'exceedsBytes'],
  validation: ['toEvent', 'parseTask', 'plainTask', 'isRecord', 'hasOwn', 'nonEmpty', 'text', 'time'],
  store: ['apply', 'upsert', 'mergeTask', 'isEmpty', 'evictOne', 'remember', 'jsonEqual', 'compareProgress', 'phase', 'latestTimestamp', 'isFinished'],
  'dispatch (socket event → subscriber)': ['message', 'emit'],
};

function stageOf({ functionName, url }) {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (url.includes('/zod/') || functionName.startsWith('RegExp:')) return 'validation';
  if (url.endsWith('fake-socket.mjs')) return 'dispatch (socket event → subscriber)';
  if (url.endsWith('dist/index.js')) {
    for (const [stage, names] of Object.entries(STAGES)) if (names.includes(functionName)) return stage;
    return 'client, other';
  }
  return 'bench loop, runtime';
}

export async function run({ frames: count = 200_000, rounds = 3 } = {}) {
  const frames = wireFrames(count, { seed: 7 });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  const feed = async () => {
    const ready = FakeSocket.next();
    const client = createTaskClient({ url: 'http://bench.invalid/flowrra', WebSocket: FakeSocket, pollUrl: false, staleAfter: 0 });
    client.subscribe(() => {});
    const socket = await ready;
    socket.open();
    return { socket, client };
  };
  const warm = await feed();
  for (let i = 0; i < 20_000; i++) warm.socket.message(frames[i]);
  warm.client.close();
  const clients = [];
  for (let r = 0; r < rounds; r++) clients.push(await feed());
  await session.post('Profiler.start');
  for (const { socket } of clients) for (const frame of frames) socket.message(frame);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  for (const { client } of clients) client.close();

  const selfTime = new Map();
  profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byStage = {};
  const byFunction = {};
  let total = 0;
  for (const node of profile.nodes) {
    const time = selfTime.get(node.id) ?? 0;
    // `dispatch` is the inspector answering Profiler.stop: the measurement, not the client.
    if (!time || ['(idle)', '(program)', 'dispatch'].includes(node.callFrame.functionName)) continue;
    total += time;
    const stage = stageOf(node.callFrame);
    byStage[stage] = (byStage[stage] ?? 0) + time;
    const file = node.callFrame.url.split('/').slice(-2).join('/');
    const name = `${node.callFrame.functionName || '(anonymous)'} ${file}`.trim();
    byFunction[name] = (byFunction[name] ?? 0) + time;
  }
  const share = (entries) =>
    Object.entries(entries)
      .map(([name, time]) => ({ name, percent: +((100 * time) / total).toFixed(1) }))
      .sort((a, b) => b.percent - a.percent);
  return { frames: count * rounds, stages: share(byStage), functions: share(byFunction).slice(0, 15) };
}

await asScript(import.meta, run);

// Frames per second through the whole client (socket event → parse → validate → store → subscriber)
// against bare JSON.parse of the same frames, in the same process. The variants take turns every
// few thousand frames, so load from elsewhere on the machine falls on all of them alike.
// `{ "baseline": "path/to/other/dist" }` adds the pipeline of another build (say, the commit before
// a change) to the same rounds, and reports this build's pipeline against it.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskSchema, createTaskClient } from '../dist/index.js';
import { asScript } from './lib/child.mjs';
import { FakeSocket } from './lib/fake-socket.mjs';
import { garbageCollector } from './lib/gc.mjs';
import { median } from './lib/stats.mjs';
import * as zodFull from './lib/task-schema-zod.mjs';
import * as zodMini from './lib/task-schema-zod-mini.mjs';
import { describeFrames, wireFrames } from './lib/workload.mjs';

export const RAW = 'JSON.parse';
export const PIPELINE = 'flowrra-client: socket event → parse → validate → store → subscriber';
export const PIPELINE_DEBUG = 'the same pipeline with debug: a function';
const BASELINE = 'the same pipeline from the baseline build';

let sink;
const parseWith = (schema) => () => ({ feed: (frame) => (sink = schema.safeParse(JSON.parse(frame).task)) });

const pipeline =
  (create, options = {}) =>
  async (count) => {
    const ready = FakeSocket.next();
    const client = create({ url: 'http://bench.invalid/flowrra', WebSocket: FakeSocket, pollUrl: false, staleAfter: 0, ...options });
    let applied = 0;
    client.subscribe(() => applied++);
    const socket = await ready;
    socket.open();
    return {
      feed: (frame) => socket.message(frame),
      check() {
        client.close();
        // Every frame is a progression: one the store dropped would not have been measured.
        if (applied !== count) throw new Error(`the store applied ${applied} of ${count} frames`);
      },
    };
  };

let entries = 0;
/** Each variant: set up, then `feed(frame)` one frame at a time; `check()` says whether it did the work. */
const variants = {
  [RAW]: () => ({ feed: (frame) => (sink = JSON.parse(frame)) }),
  [PIPELINE]: pipeline(createTaskClient),
  [PIPELINE_DEBUG]: pipeline(createTaskClient, { debug: () => entries++ }),
  'JSON.parse + TaskSchema.safeParse (the exported zod/mini schema)': parseWith(TaskSchema),
  'JSON.parse + the same task in idiomatic zod/mini': parseWith(zodMini.TaskSchema),
  'JSON.parse + the same task in full zod': parseWith(zodFull.TaskSchema),
};

async function round(frames, names, block) {
  const consumers = {};
  for (const name of names) consumers[name] = await variants[name](frames.length);
  const elapsed = Object.fromEntries(names.map((name) => [name, 0]));
  for (let start = 0, turn = 0; start < frames.length; start += block, turn++) {
    const end = Math.min(frames.length, start + block);
    for (let k = 0; k < names.length; k++) {
      const name = names[(turn + k) % names.length];
      const { feed } = consumers[name];
      const t0 = performance.now();
      for (let i = start; i < end; i++) feed(frames[i]);
      elapsed[name] += performance.now() - t0;
    }
  }
  for (const name of names) consumers[name].check?.();
  return elapsed;
}

function compare(results, names, count) {
  return names.map((name) => {
    const ms = results.map((elapsed) => elapsed[name]);
    return {
      name,
      medianMs: median(ms),
      eventsPerSecond: (count / median(ms)) * 1000,
      // Per round, then the median: each ratio compares runs made side by side.
      ratio: median(results.map((elapsed) => elapsed[RAW] / elapsed[name])),
      ratios: results.map((elapsed) => +(elapsed[RAW] / elapsed[name]).toFixed(3)),
    };
  });
}

async function measure(frames, names, runs, block) {
  const gc = garbageCollector();
  await round(frames.slice(0, 20_000), names, block);
  const all = [];
  for (let r = 0; r < runs; r++) {
    gc();
    all.push(await round(frames, names, block));
  }
  return compare(all, names, frames.length);
}

export async function run({ frames: count = 200_000, backlog = 60_000, runs = 5, block = 4000, baseline } = {}) {
  if (baseline) variants[BASELINE] = pipeline((await import(pathToFileURL(resolve(baseline, 'index.js')).href)).createTaskClient);
  const frames = wireFrames(count, { seed: 7 });
  const rows = await measure(frames, Object.keys(variants), runs, block);
  if (!entries) throw new Error('the debug function received no entry');
  // A queue backlog past maxTasks: every new task evicts one, and none is finished.
  const queued = wireFrames(backlog, { seed: 8 }, (task) => task.status === 'pending');
  const backlogRows = await measure(queued, [RAW, PIPELINE], 3, block);
  // Throughput of `a` over `b`, run by run (each run's ratios share its JSON.parse time), then the median.
  const ratios = (name) => rows.find((x) => x.name === name).ratios;
  const versus = (a, b) => median(ratios(a).map((ratio, i) => ratio / ratios(b)[i]));
  const against = { debugOnVsOff: versus(PIPELINE_DEBUG, PIPELINE), ...(baseline && { debugOffVsBaseline: versus(PIPELINE, BASELINE) }) };
  return { frames: describeFrames(frames), runs, block, rows, against, backlog: { frames: describeFrames(queued), rows: backlogRows }, sinkType: typeof sink };
}

await asScript(import.meta, run);

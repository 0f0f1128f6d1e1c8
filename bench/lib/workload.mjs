// A busy Flowrra queue as a stream of task updates: many tasks in flight, each moving through the
// frame sequence a real worker sends (see server/simulator.ts and test/fixtures), so every update is
// a progression the client's store applies: none is a duplicate, none is stale.
import { formatFrame } from '../../dist/server.js';
import { seededRandom } from './random.mjs';

const NAMES = ['send_email', 'resize_image', 'generate_report', 'sync_inventory', 'charge_card', 'index_document'].map(
  (name) => `acme_shop.background.${name}`,
);
const REGIONS = ['eu-west-1', 'us-east-2', 'ap-south-1'];

function uuid(random) {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

// Flowrra writes naive local times with microseconds.
function isoMicros(micros) {
  const text = new Date(Math.floor(micros / 1000)).toISOString();
  return `${text.slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

function* lifecycle(random, now) {
  const task_id = uuid(random);
  const task_name = NAMES[Math.floor(random() * NAMES.length)];
  const id = Math.floor(random() * 1e6);
  const roll = random();
  // Most succeed first time; some succeed after a retry; some use up their retries and fail.
  const maxRetries = 1 + Math.floor(random() * 2);
  const failures = roll < 0.75 ? 0 : roll < 0.9 ? 1 : maxRetries + 1;
  const base = { task_id, task_name, result: null, error: null, submitted_at: null, started_at: null, finished_at: null };
  yield {
    ...base,
    status: 'pending',
    submitted_at: now(),
    retries: 0,
    args: [`customer-${id}`, id % 97],
    kwargs: { priority: random() < 0.2 ? 'high' : 'normal', region: REGIONS[id % 3], timeout_s: 30.5, request_id: uuid(random) },
  };
  for (let retries = 0; ; retries++) {
    const started_at = now();
    yield { ...base, status: 'running', started_at, retries, args: [], kwargs: {} };
    if (retries >= failures) {
      const result = {
        ok: true,
        items: id % 1000,
        elapsed_s: Math.round(random() * 5000) / 1000,
        path: `/srv/out/2026/11/${task_id}.json`,
      };
      yield { ...base, status: 'success', result, started_at, finished_at: now(), retries, args: [], kwargs: {} };
      return;
    }
    if (retries < maxRetries) {
      yield { ...base, status: 'retrying', started_at, retries: retries + 1, args: [], kwargs: {} };
      continue;
    }
    const error = `${task_name} failed: upstream timeout after 30 s (attempt ${retries + 1})`;
    yield { ...base, status: 'failed', error, started_at, finished_at: now(), retries, args: [], kwargs: {} };
    return;
  }
}

/** Endless task updates (Flowrra's TaskResult shape) from `inFlight` tasks running side by side. */
export function* taskUpdates({ seed = 1, inFlight = 64 } = {}) {
  const random = seededRandom(seed);
  let clock = Date.UTC(2026, 10, 25, 17, 0, 0) * 1000;
  const now = () => isoMicros((clock += 1 + Math.floor(random() * 300)));
  const running = Array.from({ length: inFlight }, () => lifecycle(random, now));
  for (;;) {
    const slot = Math.floor(random() * inFlight);
    const step = running[slot].next();
    if (step.done) running[slot] = lifecycle(random, now);
    else yield step.value;
  }
}

/**
 * The first `count` updates as wire frames, byte for byte as Flowrra sends them. `only` keeps the
 * updates it accepts: `pending` alone is a backlog of queued tasks, none of them finished.
 */
export function wireFrames(count, options, only = () => true) {
  const frames = new Array(count);
  let i = 0;
  for (const task of taskUpdates(options)) {
    if (i === count) break;
    if (only(task)) frames[i++] = formatFrame({ type: 'task.update', task });
  }
  return frames;
}

/** Counts per status and the mean size, to show the frames are what they claim to be. */
export function describeFrames(frames) {
  const statuses = {};
  const ids = new Set();
  let chars = 0;
  for (const frame of frames) {
    chars += frame.length;
    const { task } = JSON.parse(frame);
    statuses[task.status] = (statuses[task.status] ?? 0) + 1;
    ids.add(task.task_id);
  }
  return { count: frames.length, tasks: ids.size, meanBytes: Math.round(chars / frames.length), statuses };
}

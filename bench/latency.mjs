// Loopback latency from the reference server's emit to the receiver's callback, SDK client against
// a bare `ws` client that only JSON.parses. Server and receiver are separate processes (the
// machine's two cores), one receiver at a time, so neither competes with the other; each gets
// two runs of half the time.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { asScript } from './lib/child.mjs';
import { spread } from './lib/stats.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

function start(file, args = {}) {
  const child = fork(here(file), [JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (key) =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (!(key in message)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code) => reject(new Error(`${file} exited with ${code} before sending ${key}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return { child, next };
}

/** One receiver against `seconds` of events at `rate`, after a warm-up. */
async function measureOnce(emitter, url, kind, rate, seconds, warmup) {
  const receiver = start('./latency/receiver.mjs', { url, kind });
  await receiver.next('ready');
  emitter.child.send({ run: { rate, seconds, warmup } });
  const { sent } = (await emitter.next('done')).done;
  const reply = receiver.next('received');
  receiver.child.send({ collect: sent });
  return { sent, ...(await reply) };
}

export async function run({ rates = [1000, 10_000], seconds = 10, warmup = 1 } = {}) {
  const emitter = start('./latency/emitter.mjs');
  const { url } = (await emitter.next('ready')).ready;
  const rows = [];
  try {
    for (const rate of rates) {
      const runs = { bare: [], sdk: [] };
      // Bare, SDK, SDK, bare: load that drifts during the run falls on both alike.
      for (const kind of ['bare', 'sdk', 'sdk', 'bare']) runs[kind].push(await measureOnce(emitter, url, kind, rate, seconds / 2, warmup));
      for (const kind of ['bare', 'sdk']) {
        const sent = runs[kind].reduce((n, x) => n + x.sent, 0);
        const received = runs[kind].reduce((n, x) => n + x.received, 0);
        const latencies = runs[kind].flatMap((x) => x.latencies);
        rows.push({ rate, kind, seconds, warmup, sent, lost: sent - received, duplicates: latencies.length - received, ...spread(latencies) });
      }
    }
  } finally {
    emitter.child.send({ stop: true });
  }
  return { rows };
}

await asScript(import.meta, run);

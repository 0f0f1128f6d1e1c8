// Child process: a reference server that emits task updates at a set rate, each stamped with the
// monotonic clock (shared by all processes on the machine) and a sequence number.
import { startReferenceServer } from '../../dist/server.js';
import { taskUpdates } from '../lib/workload.mjs';

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

const server = await startReferenceServer({ port: 0 });
const updates = taskUpdates({ seed: 11 });
let seq = 0;

/** `rate` a second for `seconds`; `measured: false` marks a warm-up the receivers do not record. */
function emitAt(rate, seconds, measured) {
  return new Promise((resolve) => {
    const total = Math.round(rate * seconds);
    const start = performance.now();
    let sent = 0;
    // Timers fire about once a millisecond: each turn sends what is due, so 10,000/s goes out in
    // bursts of about ten, as a busy worker pool would send it.
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
      for (; sent < due; sent++) {
        const task = updates.next().value;
        const stamp = { seq: measured ? seq++ : -1, sent_us: nowMicros() };
        server.emit({ type: 'task.update', task: { ...task, kwargs: { ...task.kwargs, ...stamp } } });
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve({ sent, ms: performance.now() - start });
    };
    tick();
  });
}

process.on('message', async (message) => {
  if (message.run) {
    const { rate, seconds, warmup } = message.run;
    // The receivers' code is compiled and optimised by the time the measured events come.
    await emitAt(rate, warmup, false);
    seq = 0;
    process.send({ done: await emitAt(rate, seconds, true) });
  }
  if (message.stop) {
    await server.stop();
    process.exit(0);
  }
});
process.send({ ready: { url: server.url } });

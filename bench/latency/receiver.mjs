// Child process: one receiver, either the SDK client (its subscriber callback is the arrival time)
// or a bare `ws` client that only JSON.parses. Records latency per event against the sender's stamp;
// a delivery seen twice would show as more latencies than distinct events.
import { WebSocket } from 'ws';
import { createTaskClient } from '../../dist/index.js';
import { untilState } from '../lib/client-state.mjs';

const { url, kind } = JSON.parse(process.argv[2]);
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);
const latencies = [];
const seen = new Set();
const record = (kwargs) => {
  if (kwargs.seq < 0) return; // sent during the warm-up
  latencies.push((nowMicros() - kwargs.sent_us) / 1000);
  seen.add(kwargs.seq);
};

let close;
if (kind === 'sdk') {
  const client = createTaskClient({ url, WebSocket });
  client.subscribe((event) => event.source === 'ws' && record(event.task.kwargs));
  await untilState(client, (state) => state === 'live');
  // The reconcile poll that follows every open is done before the clock starts.
  await client.refresh();
  close = () => client.close();
} else {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  ws.on('message', (data) => record(JSON.parse(data).task.kwargs));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  close = () => ws.close();
}

process.on('message', async ({ collect }) => {
  if (collect === undefined) return;
  // Whatever is still on the way arrives within moments; a lost event never does.
  const deadline = Date.now() + 3000;
  while (seen.size < collect && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  close();
  process.send({ received: seen.size, latencies }, () => process.exit(0));
});
process.send({ ready: true });

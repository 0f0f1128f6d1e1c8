// Bytes a page receives for one watched run while the server runs 1,000 other tasks: the scoped
// socket (flowrra_live, a one-run read token) against Flowrra's own socket, same run, same window,
// on a real FastAPI app (test/flowrra/apps/fastapi_app.py under uvicorn).
//
//   node bench/scoped-bytes.mjs [others=1000]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort, startGroup } from './lib/processes.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const APPS = join(REPO, 'test', 'flowrra', 'apps');
const FLOWRRA_SRC = process.env.FLOWRRA_SRC ?? join(REPO, '..', 'shared', 'flowrra-0.1.8', 'src');
const OTHERS = Number(process.argv[2] ?? 1000);
const FINAL = new Set(['success', 'failed']);

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const server = startGroup('/usr/bin/python3', ['-m', 'uvicorn', 'fastapi_app:app', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning'], {
  cwd: APPS,
  env: { PYTHONPATH: [APPS, join(REPO, 'python'), FLOWRRA_SRC].join(':') },
});
try {
  await waitFor(async () => (await fetch(`${origin}/test/token?user=ready`)).ok, 15_000);
  const submit = async (user, task, args) => {
    const response = await fetch(`${origin}/test/submit`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user, task, args }) });
    return (await response.json()).task_id;
  };
  const watched = await submit('page', 'slow', [2]);
  const token = await (await fetch(`${origin}/test/token?task_id=${watched}`)).text();
  const scoped = await measure(`ws://127.0.0.1:${port}/live/ws?token=${token}`);
  const flowrra = await measure(`ws://127.0.0.1:${port}/flowrra/ws`);
  const others = [];
  for (let i = 0; i < OTHERS; i += 50) others.push(...(await Promise.all(Array.from({ length: Math.min(50, OTHERS - i) }, (_, j) => submit('others', 'quick', [i + j])))));
  await waitFor(() => scoped.finals.has(watched) && flowrra.finals.has(watched) && others.every((id) => flowrra.finals.has(id)), 60_000);
  scoped.socket.close();
  flowrra.socket.close();
  const row = (name, m) => `| ${name} | ${m.frames.toLocaleString('en')} | ${m.bytes.toLocaleString('en')} |`;
  console.log(`One watched run (slow, 2 s) while ${OTHERS.toLocaleString('en')} other tasks ran, FastAPI + uvicorn:\n`);
  console.log('| socket | frames | bytes received |\n| --- | --- | --- |');
  console.log(row('scoped (`/live/ws`, one-run token)', scoped));
  console.log(row("Flowrra's (`/flowrra/ws`)", flowrra));
  console.log(`\nratio: ${(flowrra.bytes / scoped.bytes).toFixed(0)}x fewer bytes on the scoped socket`);
} finally {
  await server.stop(500);
}

async function measure(url) {
  const socket = new WebSocket(url);
  const m = { socket, frames: 0, bytes: 0, finals: new Set() };
  socket.on('message', (data) => {
    m.frames++;
    m.bytes += data.length;
    const { task } = JSON.parse(String(data));
    if (FINAL.has(task.status)) m.finals.add(task.task_id);
  });
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
  return m;
}

async function waitFor(check, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not serving yet.
    }
    if (Date.now() > deadline) throw new Error(`timed out:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import { readFileSync, readdirSync } from 'node:fs';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFlowrraMock } from '../../testing/index';

const flowrra = createFlowrraMock({ url: 'http://flowrra.test/flowrra' });
const server = setupServer(...flowrra.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => flowrra.reset());
afterAll(() => server.close());

/** A bare socket on the mock, collecting text frames: what any client would receive. */
async function openSocket(): Promise<{ frames: string[]; socket: WebSocket }> {
  const socket = new WebSocket('ws://flowrra.test/flowrra/ws');
  const frames: string[] = [];
  socket.addEventListener('message', (event) => frames.push(event.data as string));
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  return { frames, socket };
}

const fixtureLines = readdirSync(new URL('../fixtures/', import.meta.url))
  .filter((name) => name.endsWith('.frames.jsonl'))
  .flatMap((name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8').split('\n').filter(Boolean));

describe('frames', () => {
  it('re-sends every recorded Flowrra frame byte for byte', async () => {
    const { frames } = await openSocket();
    expect(fixtureLines.length).toBeGreaterThan(0);
    for (const line of fixtureLines) flowrra.emit(JSON.parse(line));
    await expect.poll(() => frames.length).toBe(fixtureLines.length);
    expect(frames).toEqual(fixtureLines);
  });

  it('fills missing keys in Flowrra order, escaping like json.dumps', async () => {
    const { frames } = await openSocket();
    flowrra.emit({ type: 'task.update', task: { task_id: 't1', status: 'running', task_name: 'crème' } });
    await expect.poll(() => frames).toEqual([
      '{"type": "task.update", "task": {"task_id": "t1", "status": "running", "task_name": "cr\\u00e8me", ' +
        '"result": null, "error": null, "submitted_at": null, "started_at": null, "finished_at": null, ' +
        '"retries": 0, "args": [], "kwargs": {}}}',
    ]);
  });

  it('sendRaw passes text through untouched and unstored', async () => {
    const { frames } = await openSocket();
    flowrra.sendRaw('{"type": "task.update", "task": ');
    await expect.poll(() => frames).toEqual(['{"type": "task.update", "task": ']);
    expect(flowrra.results()).toEqual([]);
  });
});

describe('task lifecycle helpers', () => {
  it('update() writes the frames a Flowrra worker writes', () => {
    const pending = flowrra.submit({ task_name: 'always_fail', args: [0], kwargs: { x: 1 } });
    expect(Object.keys(pending)).toEqual([
      'task_id', 'status', 'task_name', 'result', 'error', 'submitted_at', 'started_at', 'finished_at', 'retries', 'args', 'kwargs',
    ]);
    expect(pending.submitted_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);

    const running = flowrra.update(pending.task_id, { status: 'running' });
    expect(running).toMatchObject({ submitted_at: null, args: [], kwargs: {}, retries: 0, finished_at: null });
    expect(running.started_at! > pending.submitted_at!).toBe(true);

    const retrying = flowrra.update(pending.task_id, { status: 'retrying' });
    expect(retrying).toMatchObject({ retries: 1, started_at: running.started_at });

    const again = flowrra.update(pending.task_id, { status: 'running' });
    expect(again.started_at! > running.started_at!).toBe(true);

    const failed = flowrra.update(pending.task_id, { status: 'failed', error: 'boom 0' });
    expect(failed).toMatchObject({ retries: 1, error: 'boom 0', started_at: again.started_at });
    expect(failed.finished_at! > again.started_at!).toBe(true);
  });

  it('update() refuses an unknown task', () => {
    expect(() => flowrra.update('nope', { status: 'running' })).toThrow(/no task "nope"/);
  });
});

describe('results endpoint', () => {
  const url = 'http://flowrra.test/flowrra/api/results';

  it('serves stored results newest first, keeping what only the pending frame carried', async () => {
    const a = flowrra.submit({ task_name: 'a', args: [1] });
    const b = flowrra.submit({ task_name: 'b' });
    flowrra.update(a.task_id, { status: 'running' });

    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.text();
    expect(body.startsWith('[{"task_id": ')).toBe(true);
    const tasks = JSON.parse(body);
    expect(tasks.map((t: { task_name: string }) => t.task_name)).toEqual(['a', 'b']);
    expect(tasks[0]).toMatchObject({ status: 'running', submitted_at: a.submitted_at, args: [1] });
    expect(b.task_id).toBe(tasks[1].task_id);
  });

  it('answers 304 to a current ETag and 200 once anything changed', async () => {
    flowrra.submit();
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);

    const same = await fetch(url, { headers: { 'If-None-Match': etag } });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');

    flowrra.submit();
    const changed = await fetch(url, { headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await changed.json()).toHaveLength(2);
    expect(flowrra.polls()).toBe(3);
  });

  it('never answers 304 to an ETag from before reset() or from another mock', async () => {
    const etag = (await fetch(url)).headers.get('etag')!;
    flowrra.reset();
    expect((await fetch(url, { headers: { 'If-None-Match': etag } })).status).toBe(200);

    // A client kept across tests may meet a fresh mock whose store went through as many changes.
    const other = createFlowrraMock({ url: 'http://other.test/flowrra' });
    server.use(...other.handlers);
    const otherEtag = (await fetch('http://other.test/flowrra/api/results')).headers.get('etag')!;
    server.use(...createFlowrraMock({ url: 'http://other.test/flowrra' }).handlers);
    const answer = await fetch('http://other.test/flowrra/api/results', { headers: { 'If-None-Match': otherEtag } });
    expect(answer.status).toBe(200);
  });

  it('fails on demand with FastAPI-style detail', async () => {
    flowrra.failPolls(503);
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('{"detail": "Simulated failure"}');
    flowrra.failPolls(null);
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('connections', () => {
  it('counts sockets and drops them with the given code', async () => {
    const pending = flowrra.connected();
    const { socket } = await openSocket();
    await pending;
    expect(flowrra.connections()).toBe(1);
    const closed = new Promise<CloseEvent>((resolve) => socket.addEventListener('close', resolve));
    expect(flowrra.dropConnections(4401, 'bye')).toBe(1);
    expect((await closed).code).toBe(4401);
    expect(flowrra.connections()).toBe(0);
  });

  it('refuses sockets before they open while refuseUpgrades is on', async () => {
    flowrra.refuseUpgrades(true);
    const socket = new WebSocket('ws://flowrra.test/flowrra/ws');
    let opened = false;
    socket.addEventListener('open', () => (opened = true));
    const closed = await new Promise<CloseEvent>((resolve) => socket.addEventListener('close', resolve));
    expect(closed.code).toBe(1006);
    expect(opened).toBe(false);
    expect(flowrra.upgrades()).toBe(1);
    expect(flowrra.connections()).toBe(0);
  });
});

describe('options', () => {
  it('serves seeded tasks to polls only, and again after reset()', async () => {
    const seeded = createFlowrraMock({ url: 'http://seeded.test/flowrra', tasks: [{ task_id: 'old', status: 'success' }] });
    server.use(...seeded.handlers);
    const read = async () => (await (await fetch('http://seeded.test/flowrra/api/results')).json()).map((t: { task_id: string }) => t.task_id);
    expect(await read()).toEqual(['old']);
    seeded.submit({ task_id: 'new' });
    expect(await read()).toEqual(['new', 'old']);
    seeded.reset();
    expect(await read()).toEqual(['old']);
  });

  it('resolves a path mount against http://localhost when there is no page', () => {
    expect(createFlowrraMock().url).toBe('http://localhost/flowrra');
    expect(createFlowrraMock({ url: 'https://x.test/base/flowrra/' }).url).toBe('https://x.test/base/flowrra');
  });
});

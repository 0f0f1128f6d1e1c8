import { describe, expect, it } from 'vitest';
import type { Task } from '../../server/index';
import { start } from './helpers';

const task = (id: string, extra: Partial<Task> = {}) => ({ type: 'task.update' as const, task: { task_id: id, ...extra } });

describe('GET /flowrra/api/results', () => {
  it('lists stored results, most recently changed first, with cache headers', async () => {
    const server = await start();
    server.emit(task('a', { status: 'pending', submitted_at: '2026-01-01T00:00:00.000001', args: [1] }));
    server.emit(task('b'));
    server.emit(task('a', { status: 'running', started_at: '2026-01-01T00:00:00.000002' }));
    const res = await fetch(`${server.url}/api/results`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    const text = await res.text();
    expect(text.startsWith('[{"task_id": "a", "status": "running"')).toBe(true);
    const body = JSON.parse(text) as Task[];
    expect(body.map((t) => t.task_id)).toEqual(['a', 'b']);
    expect(body[0]).toMatchObject({ submitted_at: '2026-01-01T00:00:00.000001', args: [1], started_at: '2026-01-01T00:00:00.000002' });
    expect(server.polls()).toBe(1);
  });

  it('honours ?limit= and rejects bad limits with 400', async () => {
    const server = await start();
    for (let i = 0; i < 250; i++) server.emit(task(`t${i}`));
    const ids = async (query: string) => ((await (await fetch(`${server.url}/api/results${query}`)).json()) as Task[]).map((t) => t.task_id);
    expect(await ids('')).toHaveLength(200);
    expect(await ids('?limit=3')).toEqual(['t249', 't248', 't247']);
    expect(await ids('?limit=1000')).toHaveLength(250);
    for (const bad of ['0', '-1', '1001', 'abc', '2.5', '']) {
      const res = await fetch(`${server.url}/api/results?limit=${bad}`);
      expect(res.status, `limit=${bad}`).toBe(400);
      expect(await res.json()).toHaveProperty('detail');
    }
  });

  it('answers 304 to a matching If-None-Match and a new ETag after a change', async () => {
    const server = await start();
    server.emit(task('a'));
    const first = await fetch(`${server.url}/api/results`);
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${server.url}/api/results`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    expect((await fetch(`${server.url}/api/results`, { headers: { 'If-None-Match': `W/${etag}, "x"` } })).status).toBe(304);
    server.emit(task('a', { status: 'running' }));
    const changed = await fetch(`${server.url}/api/results`, { headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('keeps only resultsLimit results, dropping the least recently changed', async () => {
    const server = await start({ resultsLimit: 3 });
    for (const id of ['a', 'b', 'c']) server.emit(task(id));
    server.emit(task('a', { status: 'running' }));
    server.emit(task('d'));
    expect(server.results().map((t) => t.task_id)).toEqual(['d', 'a', 'c']);
  });

  it('removes a task on task.delete', async () => {
    const server = await start();
    server.emit(task('a'));
    server.emit(task('b'));
    server.emit({ type: 'task.delete', task: { task_id: 'a' } });
    expect(server.results().map((t) => t.task_id)).toEqual(['b']);
  });

  it('fails with the status set by failPolls until cleared, still counting polls', async () => {
    const server = await start();
    server.failPolls(500);
    expect((await fetch(`${server.url}/api/results`)).status).toBe(500);
    server.failPolls(401);
    expect((await fetch(`${server.url}/api/results`)).status).toBe(401);
    server.failPolls(null);
    expect((await fetch(`${server.url}/api/results`)).status).toBe(200);
    expect(server.polls()).toBe(3);
  });
});

describe('CORS', () => {
  it('is off by default', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/api/results`, { headers: { Origin: 'http://app.test' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/api/results`, { method: 'OPTIONS', headers: { Origin: 'http://app.test' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows the one configured origin, preflight included, without asking for the token', async () => {
    const server = await start({ cors: 'http://app.test', token: 's3cret' });
    const preflight = await fetch(`${server.url}/api/results`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/GET/);
    const res = await fetch(`${server.url}/api/results`, { headers: { Origin: 'http://app.test', Authorization: 'Bearer s3cret' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/ETag/);
  });
});

describe('token on the API', () => {
  it('answers 401 without the token and accepts a bearer header or ?token=', async () => {
    const server = await start({ token: 's3cret' });
    const none = await fetch(`${server.url}/api/results`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${server.url}/api/results`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/tasks`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(`${server.url}/api/demo/drop`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${server.url}/api/results`, { headers: { Authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/results?token=s3cret`)).status).toBe(200);
    expect(server.results()).toEqual([]);
  });
});

describe('POST /flowrra/api/tasks', () => {
  it('runs the task and returns its id with 201', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/api/tasks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'job', duration_ms: 1, fail: true, max_retries: 0, args: [1], kwargs: { a: 1 } }),
    });
    expect(res.status).toBe(201);
    const { task_id } = (await res.json()) as { task_id: string };
    expect(task_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(server.results()[0]).toMatchObject({ task_id, task_name: 'job', args: [1], kwargs: { a: 1 } });
  });

  it('rejects bad bodies with 400 and unknown routes or methods', async () => {
    const server = await start();
    const post = (body: string) => fetch(`${server.url}/api/tasks`, { method: 'POST', body });
    for (const body of ['not json', '[]', '{"duration_ms": -1}', '{"fail": "yes"}', '{"max_retries": 1.5}', '{"args": {}}', '{"kwargs": []}']) {
      expect((await post(body)).status, body).toBe(400);
    }
    expect((await post('x'.repeat(70 * 1024))).status).toBe(413);
    expect((await fetch(`${server.url}/api/tasks`)).status).toBe(405);
    expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
    expect(server.results()).toEqual([]);
  });
});

describe('GET /flowrra/api/metrics', () => {
  it("gives flowrra_live's stats() figures: sockets, events, polls by status, stored runs", async () => {
    const server = await start({ token: 'operator' });
    const auth = { Authorization: 'Bearer operator' };
    expect((await fetch(`${server.url}/api/metrics`)).status).toBe(401);
    const socket = new WebSocket(`${server.origin}/flowrra/ws?token=operator`.replace('http', 'ws'));
    await new Promise((resolve) => socket.addEventListener('open', resolve));
    server.emit(task('a'));
    server.emit(task('a', { status: 'running' }));
    server.emit(task('b'));
    const etag = (await fetch(`${server.url}/api/results`, { headers: auth })).headers.get('etag')!;
    await fetch(`${server.url}/api/results`, { headers: { ...auth, 'If-None-Match': etag } });
    await fetch(`${server.url}/api/results`);
    const res = await fetch(`${server.url}/api/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    const stats = await res.json();
    expect(stats).toMatchObject({
      sockets: { flowrra: 1, live: 0 },
      events: { local: 3, remote: 0 },
      subscriber_errors: 0,
      polls: { 200: 1, 304: 1, 401: 1 },
      poll_seconds: { count: 3 },
      fanout: null,
      runs: 2,
      workers: 1,
    });
    expect(stats.poll_seconds.sum).toBeGreaterThan(0);
    socket.close();
  });
});

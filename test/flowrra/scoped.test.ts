// The scoped mount (flowrra_live with secret=) on real FastAPI, Quart and Django Channels servers:
// two users, read tokens, the scoped socket and poll, and what no page may ever receive.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/index';
import { atEnd, nodeClient } from '../reliability/helpers/lifecycle';
import { FRAMEWORKS, type Framework } from './helpers/flowrra';
import { freePort } from './helpers/process';
import { describeRealFlowrra } from './helpers/real';
import { startRedis, type RedisServer } from '../workers/helpers/processes';
import { describeWorkers } from '../workers/helpers/suite';
import { FINAL, openRaw, pollItems, scopedPoll, startScopedApp, until, type RawSocket, type ScopedApp } from './helpers/scoped';

const expiryOf = (token: string): number => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).e as number;

function tamper(token: string): string {
  // One character of the payload changed: still well-formed, no longer signed.
  const index = Math.floor(token.indexOf('.') / 2);
  return token.slice(0, index) + (token[index] === 'A' ? 'B' : 'A') + token.slice(index + 1);
}

function finalIds(frames: RawSocket['frames']): Set<string> {
  return new Set(frames.filter(({ task }) => FINAL.has(task.status)).map(({ task }) => task.task_id));
}

async function pollingClient(url: string, token: string | (() => Promise<string>), fetchLogged: typeof fetch) {
  return nodeClient({
    url,
    token,
    wsUrl: `ws://127.0.0.1:${await freePort()}/live/ws`,
    fetch: fetchLogged,
    pollInterval: 200,
    reconnect: { connectTimeout: 200, minDelay: 5000, maxDelay: 5000 },
  });
}

describeRealFlowrra('the scoped mount for end users', (real) => {
  for (const framework of ['fastapi', 'quart', 'django'] as Framework[]) {
    describe(FRAMEWORKS[framework].label, () => {
      let app: ScopedApp;
      beforeAll(async () => {
        app = await startScopedApp(framework, real.pythonPath);
      }, 30_000);
      afterAll(() => app?.stop());

      it("two users each end with exactly their own runs, by socket and by polling alone; nothing of the other's ever arrives", async () => {
        const tokens = { ann: await app.token({ user: 'ann' }), bob: await app.token({ user: 'bob' }) };
        const raw = { ann: await openRaw(app, tokens.ann), bob: await openRaw(app, tokens.bob) };
        atEnd(() => (raw.ann.close(), raw.bob.close()));
        const polls = { ann: pollItems(), bob: pollItems() };
        const live = { ann: nodeClient({ url: app.live, token: tokens.ann, fetch: polls.ann.fetch }), bob: nodeClient({ url: app.live, token: tokens.bob, fetch: polls.bob.fetch }) };
        const polled = { ann: pollItems(), bob: pollItems() };
        const polling = { ann: await pollingClient(app.live, tokens.ann, polled.ann.fetch), bob: await pollingClient(app.live, tokens.bob, polled.bob.fetch) };
        await until(() => expect([live.ann.state, live.bob.state, polling.ann.state, polling.bob.state]).toEqual(['live', 'live', 'polling', 'polling']));

        const ids = { ann: [] as string[], bob: [] as string[] };
        for (let i = 0; i < 3; i++) {
          ids.ann.push(await app.submit('ann', 'quick', i));
          ids.bob.push(await app.submit('bob', 'slow', 0.1));
        }
        for (const user of ['ann', 'bob'] as const) {
          const own = new Set(ids[user]);
          await until(() => {
            for (const client of [live[user], polling[user]]) {
              const finals = [...client.tasks.values()].filter((task) => FINAL.has(task.status)).map((task) => task.task_id);
              expect(new Set(finals)).toEqual(own);
            }
            expect(finalIds(raw[user].frames)).toEqual(own);
          });
          // Every message received, not only the stores: frames and poll items alike.
          const received = [...raw[user].frames.map(({ task }) => task), ...polls[user].items, ...polled[user].items];
          expect(received.length).toBeGreaterThan(0);
          for (const task of received) {
            expect(own.has(task.task_id), `${user} got ${task.task_id}`).toBe(true);
            expect(task).not.toHaveProperty('kwargs'); // the mount's exclude
          }
          for (const frame of raw[user].frames) {
            expect(frame.type).toBe('task.update');
            expect(typeof frame.cursor).toBe('string');
          }
        }
        // The operator's mount still reads everything.
        const all = new Set((await app.operatorResults()).map((task) => task.task_id));
        for (const id of [...ids.ann, ...ids.bob]) expect(all.has(id)).toBe(true);
      });

      it('a one-run token sees that run only, without the keys it excludes', async () => {
        const other = await app.submit('cy', 'quick', 1);
        const id = await app.submit('cy', 'slow', 0.5);
        const token = await app.token({ task_id: id, exclude: 'args' });
        const raw = await openRaw(app, token);
        atEnd(() => raw.close());
        await app.submit('cy', 'quick', 2);
        await until(() => expect(finalIds(raw.frames)).toEqual(new Set([id])));
        const response = await scopedPoll(app, token);
        expect(response.status).toBe(200);
        expect(response.headers.get('x-flowrra-cursor')).toBeTruthy();
        const items = (await response.json()) as Task[];
        expect(items.map((task) => task.task_id)).toEqual([id]);
        for (const task of [...items, ...raw.frames.map(({ task }) => task)]) {
          expect(task.task_id).not.toBe(other);
          expect(task).not.toHaveProperty('args');
          expect(task).not.toHaveProperty('kwargs');
        }
        // Same ETag/304 behaviour as the operator endpoint.
        const again = await fetch(`${app.live}/api/results`, { headers: { Authorization: `Bearer ${token}`, 'If-None-Match': response.headers.get('etag')! } });
        expect(again.status).toBe(304);
      });

      it('a tampered, foreign-secret, expired or missing token: poll 401, socket closed 4401 before any frame', async () => {
        const expired = await app.token({ user: 'ann', expires_in: 0.5 });
        const bad = { tampered: tamper(await app.token({ user: 'ann' })), foreign: await app.token({ user: 'ann', other_secret: 1 }), expired };
        await until(() => expect(Date.now() / 1000).toBeGreaterThanOrEqual(expiryOf(expired)));
        for (const [name, token] of [...Object.entries(bad), ['missing', undefined] as const]) {
          const response = await scopedPoll(app, token);
          expect(response.status, name).toBe(401);
          expect(await response.json(), name).toHaveProperty('detail');
          const raw = await openRaw(app, token);
          expect(await raw.closed, name).toBe(4401);
          expect(raw.frames, name).toEqual([]);
        }
      });

      it('a token expiring mid-connection closes the socket with 4401; the SDK continues with a fresh token from its function', async () => {
        const short = await app.token({ user: 'dee', expires_in: 2 });
        const raw = await openRaw(app, short);
        const first = await app.submit('dee', 'quick', 1);
        await until(() => expect(finalIds(raw.frames).has(first)).toBe(true));
        expect(await raw.closed).toBe(4401);
        expect(Date.now() / 1000).toBeGreaterThanOrEqual(expiryOf(short) - 0.05);

        const issued: string[] = [];
        const client = nodeClient({ url: app.live, token: async () => (issued.push(await app.token({ user: 'dee', expires_in: 2 })), issued.at(-1)!) });
        await until(() => expect(client.state).toBe('live'));
        const before = issued.length;
        // The server closes at expiry; the client asks for a fresh token and goes live again.
        await until(() => expect(issued.length).toBeGreaterThan(before), 6_000);
        await until(() => expect(client.state).toBe('live'));
        const later = await app.submit('dee', 'quick', 2);
        await until(() => expect(client.tasks.get(later)?.status).toBe('success'));
        for (const id of client.tasks.keys()) expect([first, later]).toContain(id);
      });

      it(`a socket that stops reading is closed with 1013 while the tasks finish on time${framework === 'django' ? ' (Channels under uvicorn: daphne buffers writes without backpressure)' : ''}`, async () => {
        // daphne (Twisted) queues every frame a consumer sends, however slow the client, so nothing
        // can tell the hub that the socket fell behind; uvicorn waits for the transport to drain.
        const server = framework === 'django' ? await startScopedApp('django', real.pythonPath, { server: 'fastapi' }) : app;
        if (server !== app) atEnd(() => server.stop());
        const raw = await openRaw(server, await server.token({ user: 'eve' }));
        raw.socket.pause();
        // 48 MiB of frames: more than the loopback's socket buffers (up to 32 MiB read, 4 MiB write here) take.
        const ids = await Promise.all(Array.from({ length: 48 }, () => server.submit('eve', 'big', 1024)));
        // The emitter never waits on the stalled socket: every task finishes (read without results).
        const light = await server.token({ user: 'eve', exclude: 'result' });
        await until(async () => {
          const done = new Set(((await (await scopedPoll(server, light)).json()) as Task[]).filter((task) => task.status === 'success').map((task) => task.task_id));
          expect(ids.filter((id) => !done.has(id))).toEqual([]);
        }, 15_000);
        raw.socket.resume();
        expect(await raw.closed).toBe(1013);
        expect(finalIds(raw.frames).size).toBeLessThan(ids.length);
      }, 30_000);
    });
  }
});

describeWorkers('the scoped mount over two workers with the fan-out (events and tags)', (pythonPath) => {
  for (const framework of ['fastapi', 'quart', 'django'] as Framework[]) {
    // daphne runs one process: Django's workers are uvicorn's (started on the first scope, as under daphne).
    const server = framework === 'django' ? 'fastapi' : framework;
    const args = ['--workers', '2', ...(framework === 'django' ? ['--lifespan', 'off'] : [])];
    describe(`${FRAMEWORKS[framework].label.replace('daphne', 'uvicorn')} --workers 2`, () => {
      let redis: RedisServer;
      let app: ScopedApp;
      beforeAll(async () => {
        redis = await startRedis();
        app = await startScopedApp(framework, pythonPath, { server, env: { REDIS_URL: `${redis.url}/0` }, args });
      }, 30_000);
      afterAll(async () => {
        await app?.stop();
        await redis?.stop();
      });

      it('a run submitted and tagged on one worker reaches the pages on the other; nothing of another user arrives', async () => {
        const raws = await Promise.all(Array.from({ length: 4 }, async () => openRaw(app, await app.token({ user: 'fay' }))));
        atEnd(() => raws.forEach((raw) => raw.close()));
        // Each submit on a new connection, so that both workers take some: until both have.
        const byPid = new Map<number, string[]>();
        const others: string[] = [];
        for (let i = 0; byPid.size < 2 || i < 6; i++) {
          if (i >= 40) throw new Error(`40 submits, all on worker ${[...byPid.keys()]}`);
          const { task_id, pid } = await submitFresh(app, 'fay', i);
          byPid.set(pid, [...(byPid.get(pid) ?? []), task_id]);
          others.push((await submitFresh(app, 'gus', i)).task_id);
        }
        const ids = new Set([...byPid.values()].flat());
        for (const raw of raws) {
          await until(() => expect(finalIds(raw.frames)).toEqual(ids), 15_000);
          for (const { task } of raw.frames) expect(ids.has(task.task_id), task.task_id).toBe(true);
        }
        expect(others.some((id) => ids.has(id))).toBe(false);
      }, 60_000);
    });
  }
});

/** POST /test/submit on a connection of its own (so that it may reach either worker): its task_id and the pid that took it. */
function submitFresh(app: ScopedApp, user: string, n: number): Promise<{ task_id: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ user, task: 'quick', args: [n] });
    const req = request({ host: '127.0.0.1', port: app.port, path: '/test/submit', method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`submit: HTTP ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

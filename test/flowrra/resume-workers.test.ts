// Issue 18's resume promise on several worker processes: `--workers 2` with flowrra_live's fan-out,
// and every request of the page after the cut (its socket and its polls) sent to the worker that
// did not give it its cursor, as a load balancer may.
import { request, type IncomingMessage } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocketLike } from '../../src/index';
import { startRedis, type RedisServer } from '../workers/helpers/processes';
import { describeWorkers } from '../workers/helpers/suite';
import { startWorkers, type Framework, type WorkersApp } from '../workers/helpers/workers';
import { BURST, cutWhileTasksFinish, type StoredResult } from './helpers/resume';

const FINAL = new Set(['success', 'failed']);
let running: { redis?: RedisServer; app?: WorkersApp } = {};

afterEach(async () => {
  await running.app?.stop();
  await running.redis?.stop();
  running = {};
});

/** One request on a connection of its own, so that it may reach either worker. */
function freshFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: init.headers as Record<string, string>, agent: false, signal: init.signal ?? undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
        const body = res.statusCode === 304 ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status: res.statusCode, headers }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The page's way in: before the cut, wherever the kernel sends it; after it, only to the other
 * worker than the one whose answer gave the page its cursor. An answer or a socket that lands on
 * that one is dropped and tried again, as a balancer steering away from a worker would.
 */
function steering() {
  let cursorFrom: number | undefined;
  let avoid: number | undefined;
  const answeredBy: number[] = [];
  const socketsOn: number[] = [];
  const fetchVia: typeof fetch = async (input, init) => {
    for (let attempt = 1; ; attempt++) {
      const response = await freshFetch(String(input), init);
      const pid = Number(response.headers.get('x-worker-pid'));
      if (avoid === undefined) {
        if (response.status === 200 && response.headers.get('x-flowrra-cursor')) cursorFrom = pid;
      } else if (pid === avoid) {
        if (attempt < 50) continue;
        throw new Error(`50 requests in a row reached worker ${pid}`);
      }
      answeredBy.push(pid);
      return response;
    }
  };
  class SteeredSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.once('upgrade', (response: IncomingMessage) => {
        const pid = Number(response.headers['x-worker-pid']);
        // A refused attempt, to the SDK: it tries again after its backoff wait.
        if (avoid !== undefined && pid === avoid) return this.terminate();
        socketsOn.push(pid);
      });
    }
  }
  return {
    fetch: fetchVia,
    WebSocket: SteeredSocket as unknown as WebSocketLike,
    cut: () => (avoid = cursorFrom),
    get avoided() {
      return avoid;
    },
    answeredBy,
    socketsOn,
  };
}

async function resumeOnTheOtherWorker(framework: Framework, pythonPath: string[]): Promise<void> {
  running.redis = await startRedis();
  const app = (running.app = await startWorkers(framework, running.redis, { fanout: true, pythonPath }));
  const steer = steering();
  const { afterHeal } = await cutWhileTasksFinish(
    {
      port: Number(new URL(app.mount).port),
      fetch: steer.fetch,
      cut: steer.cut,
      submitMany: (count) => app.submit(0, count),
      async finalOnServer(ids) {
        const wanted = new Set(ids);
        const deadline = Date.now() + 60_000;
        for (;;) {
          const held = new Map<string, StoredResult>((await app.results()).filter((task) => wanted.has(task.task_id)).map((task) => [task.task_id, task]));
          if ([...held.values()].filter((task) => FINAL.has(task.status)).length === ids.length) return held;
          if (Date.now() > deadline) throw new Error(`${held.size} of ${ids.length} listed, not all final\n${app.output().slice(-3000)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      output: app.output,
    },
    { WebSocket: steer.WebSocket },
  );
  // The cursor came from one worker; everything after the cut, the socket and each page, from the other.
  expect(app.pids).toContain(steer.avoided);
  const other = app.pids.find((pid) => pid !== steer.avoided);
  expect(steer.answeredBy.slice(-afterHeal.length)).toEqual(afterHeal.map(() => other));
  expect(steer.socketsOn.at(-1)).toBe(other);
}

describeWorkers(`resuming by cursor on two workers with the fan-out, ${BURST} tasks across a cut`, (pythonPath) => {
  for (const framework of ['fastapi', 'quart', 'django'] as const) {
    it(`${framework}: the reconnect lands on the other worker and the page still ends with every task final, none backwards, none twice`, () =>
      resumeOnTheOtherWorker(framework, pythonPath), 120_000);
  }
});

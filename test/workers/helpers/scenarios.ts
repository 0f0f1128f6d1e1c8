import { afterEach, expect, it } from 'vitest';
import { startRedis, until, type RedisServer } from './processes';
import {
  allFinal,
  clientsOnEveryWorker,
  deliveryProblems,
  expectedStatus,
  startWorkers,
  type Framework,
  type Watched,
  type WorkersApp,
} from './workers';

const TASKS = 200;
const CLIENTS = 6;
// A socket silent this long gets a stale check (a poll); if the poll finds what the socket
// missed, the socket is restarted. Short, so each run ends with a stale check on every client;
// not so short that a socket falls silent that long mid-run on a loaded machine (a stale poll may
// then answer before a frame already on its way, which the SDK counts as missed).
const STALE_AFTER = 2500;

let running: { redis?: RedisServer; app?: WorkersApp; clients: Watched[] } = { clients: [] };

afterEach(async () => {
  running.clients.forEach(({ client }) => client.close());
  await running.app?.stop();
  await running.redis?.stop();
  running = { clients: [] };
});

async function setUp(framework: Framework, fanout: boolean, pythonPath: string[]) {
  running.redis = await startRedis();
  running.app = await startWorkers(framework, running.redis, { fanout, pythonPath });
  running.clients = await clientsOnEveryWorker(running.app, CLIENTS, { staleAfter: STALE_AFTER });
  return { redis: running.redis, app: running.app, clients: running.clients };
}

async function submitAll(app: WorkersApp, start: number, count: number, batch = 20): Promise<string[]> {
  const ids: string[] = [];
  for (let from = start; from < start + count; from += batch) ids.push(...(await app.submit(from, Math.min(batch, start + count - from))));
  return ids;
}

/** Which worker ran the last attempt of each successful task (its result carries the pid). */
function ranIn(app: WorkersApp, results: Awaited<ReturnType<WorkersApp['results']>>): Map<string, number> {
  const pids = new Map<string, number>();
  for (const task of results) if (task.status === 'success') pids.set(task.task_id, (task.result as { pid: number }).pid);
  expect(new Set(pids.values())).toEqual(new Set(app.pids));
  return pids;
}

function expectFinalStates(clients: Watched[], ids: string[]): void {
  for (const { client } of clients) {
    expect(ids.map((id) => client.tasks.get(id)?.status)).toEqual(ids.map((_, index) => expectedStatus(index)));
  }
}

/** Every client, on either worker, sees every task live; none restarts its socket. */
async function fanoutOn(framework: Framework, pythonPath: string[]): Promise<void> {
  const { app, clients } = await setUp(framework, true, pythonPath);
  const ids = await submitAll(app, 0, TASKS);
  await allFinal(clients, ids, 30_000, app);
  const final = await app.results();
  const pids = ranIn(app, final);
  expectFinalStates(clients, ids);
  for (const watched of clients) {
    expect(deliveryProblems(watched)).toEqual([]);
    // Live: this client's socket carried every final state, whichever worker ran the task.
    expect(ids.filter((id) => !watched.finalFrames.has(id))).toEqual([]);
  }
  // Each client's socket goes quiet now: wait for a stale check on every one, then count sockets.
  const pollsBefore = clients.map((watched) => watched.polls);
  await allPolledSince(clients, pollsBefore, app);
  expect(clients.map((watched) => watched.sockets)).toEqual(clients.map(() => 1));
  expect(pids.size).toBeGreaterThan(0);
  expect(clients.flatMap((watched) => watched.errors)).toEqual([]);
}

/** Without the fan-out, a client sees live only what its own worker ran; the stale check keeps restarting sockets. */
/**
 * Without the fan-out each worker's bus, and so its socket and its results endpoint (a run index of
 * its own process), knows only what that worker submitted and ran (plus what the store held when its
 * index was seeded). A page on worker A learns of a run worker B ran neither live nor by a poll
 * answered by A: its stale check finds nothing missed (A's poll agrees with A's socket), so nothing
 * restarts the socket either. The pages on each worker, taken together, see every run.
 */
async function fanoutOff(framework: Framework, pythonPath: string[]): Promise<void> {
  const { app, clients } = await setUp(framework, false, pythonPath);
  const ids = await submitAll(app, 0, TASKS);
  // Which worker ran each successful task, from the results the pages hold between them (the result carries the pid).
  const ranIn = await until(
    () => {
      const pids = new Map<string, number>();
      for (const { client } of clients) for (const task of client.tasks.values()) if (task.status === 'success') pids.set(task.task_id, (task.result as { pid: number }).pid);
      const missing = ids.filter((id, index) => expectedStatus(index) === 'success' && !pids.has(id)).length;
      if (missing) throw new Error(`${missing} successes reached no page`);
      return pids;
    },
    30_000,
    app.output,
  );
  expect(new Set(ranIn.values())).toEqual(new Set(app.pids));
  const succeeded = [...ranIn.keys()];
  for (const watched of clients) {
    expect(deliveryProblems(watched)).toEqual([]);
    const socketOn = watched.socketPidAt.at(-1);
    // Every success its own worker ran reaches the page...
    const own = succeeded.filter((id) => ranIn.get(id) === socketOn);
    await until(
      () => {
        const open = own.filter((id) => watched.client.tasks.get(id)?.status !== 'success').length;
        if (open) throw new Error(`${open} of its worker's successes not on the page`);
      },
      10_000,
      app.output,
    );
    // ...and no socket ever brought the success of a task the other worker ran.
    const fromOther = watched.events.filter((event, index) => event.source === 'ws' && event.task.status === 'success' && ranIn.get(event.task.task_id) !== watched.socketPidAt[index]);
    expect(fromOther).toEqual([]);
  }
  // Some page misses successes the other worker ran: what the fan-out is for.
  expect(clients.some(({ client }) => succeeded.some((id) => client.tasks.get(id)?.status !== 'success'))).toBe(true);
}

/**
 * Redis restarted mid-run. Without persistence the restart loses the queue and the stored results
 * of the tasks in flight, and may lose messages it had not yet sent: such tasks are gone from the
 * system, and no client can learn more of them. What the clients must do: never move a task
 * backwards, agree with the results endpoint on every final state it lists, and get every task
 * submitted after the restart. (Right after the restart a listener may not be back yet when another worker
 * publishes: a socket restarted by the stale check is then the designed recovery.)
 */
async function redisRestart(framework: Framework, pythonPath: string[]): Promise<void> {
  const { redis, app, clients } = await setUp(framework, true, pythonPath);
  const before = await submitAll(app, 0, TASKS / 2);
  // Mid-run: once the first tasks are final in every client, Redis goes away with the rest in flight.
  await allFinal(clients, before.slice(0, 20), 30_000, app);
  await redis.restart();
  // A submit fails until the web worker's Redis client has reconnected; the watchdog restarts Flowrra's workers.
  const first = await until(() => app.submit(TASKS / 2, 20), 15_000, app.output);
  const after = [...first, ...(await submitAll(app, TASKS / 2 + 20, TASKS / 2 - 20))];
  await allFinal(clients, after, 30_000, app);
  for (const { client } of clients) {
    expect(after.map((id, index) => client.tasks.get(id)?.status === expectedStatus(index + TASKS / 2))).not.toContain(false);
  }
  // Retries sleeping through the restart re-queue their task afterwards: the endpoint may list a few of the first batch.
  const listed = await app.results();
  expect(listed.map(({ task_id }) => task_id)).toEqual(expect.arrayContaining(after));
  // Every final state the endpoint lists, every client holds. A run still in flight when Redis lost
  // the stream is known, in the state its last surviving event left, only to the worker that emitted
  // that event (each worker's run index follows the stream): it is not compared.
  const final = listed.filter(({ status }) => /success|failed/.test(status));
  await allFinal(clients, final.map(({ task_id }) => task_id), 10_000, app);
  for (const { client } of clients) {
    expect(final.map(({ task_id }) => client.tasks.get(task_id)?.status)).toEqual(final.map(({ status }) => status));
  }
  for (const watched of clients) expect(deliveryProblems(watched)).toEqual([]);
}

/** One worker killed: its clients reconnect to the other and reconcile; the others never notice. */
async function workerKilled(framework: Framework, pythonPath: string[]): Promise<void> {
  const { app, clients } = await setUp(framework, true, pythonPath);
  const [victim, survivor] = app.pids;
  const moved = clients.filter((watched) => watched.pid === victim);
  const stayed = clients.filter((watched) => watched.pid === survivor);
  process.kill(victim, 'SIGKILL');
  await until(
    () => {
      const away = moved.filter((watched) => watched.pid !== survivor || watched.client.state !== 'live').length;
      if (away) throw new Error(`${away} clients not yet live on the surviving worker`);
    },
    15_000,
    app.output,
  );
  const ids = await submitAll(app, 0, TASKS / 2);
  await allFinal(clients, ids, 30_000, app);
  expectFinalStates(clients, ids);
  for (const watched of clients) expect(deliveryProblems(watched)).toEqual([]);
  expect(stayed.map((watched) => watched.sockets)).toEqual(stayed.map(() => 1));
  expect(moved.every((watched) => watched.sockets >= 2)).toBe(true);
}

async function allPolledSince(clients: Watched[], before: number[], app: WorkersApp): Promise<void> {
  await until(
    () => {
      const waiting = clients.filter((watched, index) => watched.polls <= before[index]).length;
      if (waiting) throw new Error(`${waiting} clients had no stale check yet`);
    },
    STALE_AFTER * 5,
    app.output,
  );
}

/** Django: the documented setup (Flowrra and the fan-out started on the first scope) under two workers. */
export function djangoTests(pythonPath: string[]): void {
  it('with the fan-out, every client on either worker gets every task live, exactly once, no socket restarted', () => fanoutOn('django', pythonPath), 60_000);
}

/** The multi-worker tests against one framework's test app. */
export function multiWorkerTests(framework: Framework): (pythonPath: string[]) => void {
  return (pythonPath) => {
    it('a worker killed: its clients reconnect to the other and converge; the other worker’s clients never notice', () => workerKilled(framework, pythonPath), 60_000);
    it('with the fan-out, every client on either worker gets every task live, exactly once, no socket restarted', () => fanoutOn(framework, pythonPath), 60_000);
    it('without it, each page sees only its own worker’s runs (socket and poll alike); the pages of both workers together see all', () => fanoutOff(framework, pythonPath), 60_000);
    it('Redis restarted mid-run: every client converges on what the server holds, tasks submitted after reach every client', () => redisRestart(framework, pythonPath), 60_000);
  };
}

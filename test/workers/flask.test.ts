import { afterEach, expect, it } from 'vitest';
import { PYTHON, freePort, startGroup, startRedis, until, type Group, type RedisServer } from './helpers/processes';
import { describeWorkers } from './helpers/suite';
import { allFinal, deliveryProblems, expectedStatus, watchClient, type Watched, type WorkersApp } from './helpers/workers';

const TASKS = 200;
const POLL_INTERVAL = 1000;
// A result is stored a moment after its finished_at is taken; a poll that starts later than this
// after finished_at must see it.
const STORE_MARGIN = 200;

let redis: RedisServer | undefined;
let processes: Group[] = [];
let clients: Watched[] = [];

afterEach(async () => {
  clients.forEach(({ client }) => client.close());
  await Promise.all(processes.map((group) => group.stop()));
  await redis?.stop();
  redis = undefined;
  processes = [];
  clients = [];
});

async function startFlask(pythonPath: string[]): Promise<WorkersApp> {
  redis = await startRedis();
  const env = { REDIS: redis.url };
  const worker = startGroup(PYTHON, ['flask_worker.py'], pythonPath, env);
  const port = await freePort();
  const web = startGroup(PYTHON, ['-m', 'flask', '--app', 'flask_app', 'run', '--host', '127.0.0.1', '--port', String(port)], pythonPath, env);
  processes = [web, worker];
  const origin = `http://127.0.0.1:${port}`;
  const output = () => `--- flask\n${web.output().slice(-3000)}\n--- worker\n${worker.output().slice(-3000)}`;
  const pids = await until(
    async () => {
      const { pids } = (await (await fetch(`${origin}/test/ready`)).json()) as { pids: number[] };
      if (pids.length !== 1) throw new Error('the worker process is not ready');
      return pids;
    },
    20_000,
    output,
  );
  return {
    mount: `${origin}/flowrra`,
    pids,
    async submit(start, count) {
      const response = await fetch(`${origin}/test/submit?start=${start}&count=${count}`, { method: 'POST' });
      if (!response.ok) throw new Error(`submit: HTTP ${response.status}\n${output()}`);
      return ((await response.json()) as { task_ids: string[] }).task_ids;
    },
    async results() {
      return (await (await fetch(`${origin}/flowrra/api/results?limit=1000`)).json()) as never;
    },
    output,
    stop: async () => undefined,
  };
}

/** Naive ISO local time (the worker runs on this machine, in this time zone) to epoch ms. */
const epochOf = (naive: string) => new Date(naive).getTime();

describeWorkers('Flask (WSGI) + a separate Flowrra worker process, SDK with wsUrl: false', (pythonPath) => {
  it('polling alone brings every final state, each by the first poll after the task finished; no socket, no error', async () => {
    const app = await startFlask(pythonPath);
    const pollStarts: number[][] = [];
    for (let index = 0; index < 3; index++) {
      const starts: number[] = [];
      pollStarts.push(starts);
      const watched = watchClient(app.mount, {
        wsUrl: false,
        pollInterval: POLL_INTERVAL,
        fetch: (input, init) => {
          starts.push(Date.now());
          return fetch(input, init);
        },
      });
      clients.push(watched);
    }
    const pollsAt = clients.map(() => [] as number[]);
    clients.forEach((watched, index) => watched.client.subscribe(() => pollsAt[index].push(pollStarts[index].length)));

    const ids: string[] = [];
    for (let start = 0; start < TASKS; start += 50) ids.push(...(await app.submit(start, 50)));
    await allFinal(clients, ids, 30_000, app);

    for (const [index, watched] of clients.entries()) {
      const { client, events } = watched;
      expect(ids.map((id) => client.tasks.get(id)!.status)).toEqual(ids.map((_, i) => expectedStatus(i)));
      expect(deliveryProblems(watched)).toEqual([]);
      expect(watched.sockets).toBe(0);
      expect(client.state).toBe('polling');
      expect(watched.errors).toEqual([]);
      expect(events.every((event) => event.source === 'poll')).toBe(true);
      const starts = pollStarts[index];
      // Each final state came with the first poll that started once the task had finished.
      const late = events.flatMap((event, k) => {
        if (!/success|failed/.test(event.task.status)) return [];
        const finished = epochOf(event.task.finished_at!);
        const deliveredBy = pollsAt[index][k] - 1;
        const firstAfter = starts.findIndex((at) => at >= finished + STORE_MARGIN);
        return firstAfter !== -1 && deliveredBy > firstAfter ? [`${event.task.task_id}: poll ${deliveredBy}, not ${firstAfter}`] : [];
      });
      expect(late).toEqual([]);
      // ...and polls came every pollInterval (timers may run late under load, never early).
      const gaps = starts.slice(1).map((at, k) => at - starts[k]);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(POLL_INTERVAL - 5);
    }
  }, 60_000);
});

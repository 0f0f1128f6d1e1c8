import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Task, TaskClient } from '../../../src/index';
import { atEnd, nodeClient } from '../../reliability/helpers/lifecycle';
import { ChaosProxy } from '../../reliability/helpers/proxy';
import { record, type Recording } from '../../reliability/helpers/recorder';
import { FRAMEWORKS, startFlowrraApp, type FlowrraApp, type Framework } from './flowrra';
import { openObserver, type Observer } from './observer';
import { freePort } from './process';
import { describeRealFlowrra } from './real';
import { BURST, cutWhileTasksFinish } from './resume';

const FINAL = new Set(['success', 'failed']);
const POLL_MS = 500;

const until = (check: () => void | Promise<void>, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 20 });

/** A fetch that notes when each poll started and what it answered. */
function pollLog() {
  const polls: { startedAt: number; status?: number }[] = [];
  const logged: typeof fetch = async (input, init) => {
    const poll: { startedAt: number; status?: number } = { startedAt: performance.now() };
    polls.push(poll);
    const response = await fetch(input, init);
    poll.status = response.status;
    return response;
  };
  return { polls, fetch: logged };
}

/** A client whose socket can never open (its URL is a closed port), so it runs on polls alone, each logged. */
async function pollingOnly(mount: string, pollInterval: number) {
  const log = pollLog();
  const client = nodeClient({
    url: mount,
    wsUrl: `ws://127.0.0.1:${await freePort()}/flowrra/ws`,
    fetch: log.fetch,
    pollInterval,
    reconnect: { connectTimeout: 200, minDelay: 5000, maxDelay: 5000 },
  });
  return { client, log };
}

/** Records the client, and when it first delivered each task's final state. */
function recordFinals(client: TaskClient): Recording & { finalAt: Map<string, number> } {
  const finalAt = new Map<string, number>();
  const rec = record(client, ({ task }) => {
    if (FINAL.has(task.status) && !finalAt.has(task.task_id)) finalAt.set(task.task_id, performance.now());
  });
  return Object.assign(rec, { finalAt });
}

/** The SDK holds what the server stored for each of `ids`: the final state, field for field. */
async function expectConverged(client: TaskClient, app: FlowrraApp, ids: string[]): Promise<Map<string, Task>> {
  const stored = new Map((await app.results()).map((task) => [task.task_id, task]));
  await until(() => {
    for (const id of ids) {
      expect(FINAL.has(stored.get(id)?.status as string), `${id} finished on the server`).toBe(true);
      expect(client.tasks.get(id), id).toMatchObject(withoutSubmission(stored.get(id)!));
    }
  });
  return stored;
}

// A poll brings what the backend kept (submitted_at null, args [] once a task ran); the client keeps
// what the pending frame said, so these three may differ by design.
function withoutSubmission(task: Task): Partial<Task> {
  const { submitted_at: _s, args: _a, kwargs: _k, ...rest } = task;
  return rest;
}

/** Every real-server test, against one framework's test app (test/flowrra/apps). */
export function describeRealServer(framework: Framework): void {
  describeRealFlowrra(`real Flowrra 0.1.8, ${FRAMEWORKS[framework].label}`, (real) => {
    describe('with flowrra_live mounted', () => {
      let app: FlowrraApp;
      let observer: Observer;
      beforeAll(async () => {
        app = await startFlowrraApp(framework, real);
        observer = await openObserver(app);
      }, 30_000);
      afterAll(async () => {
        observer?.close();
        await app?.stop();
      });

      it('a client opened after tasks ran shows all of them at once, with the fields Flowrra stored', async () => {
        const ids = [await app.submit('quick', 21), await app.submit('slow', 0.2), await app.submit('fail', 'no luck')];
        await observer.waitFinished(ids);
        const log = pollLog();
        const client = nodeClient({ url: app.mount, fetch: log.fetch, staleAfter: 0 });
        const rec = recordFinals(client);
        await until(() => expect(ids.filter((id) => rec.finalAt.has(id))).toEqual(ids));

        // All three came with the reconcile poll on open, the only poll a live client makes.
        expect(client.state).toBe('live');
        expect(log.polls).toHaveLength(1);
        expect(rec.bySource.ws).toBe(0);
        const stored = await expectConverged(client, app, ids);
        const [quick, slow, fail] = ids.map((id) => client.tasks.get(id)!);
        expect(quick).toMatchObject({ task_name: 'quick', status: 'success', result: { double: 42 }, error: null, retries: 0 });
        expect(slow).toMatchObject({ task_name: 'slow', status: 'success', result: 'slept 0.2s' });
        expect(fail).toMatchObject({ task_name: 'fail', status: 'failed', result: null, error: 'no luck', retries: 1 });
        for (const task of [quick, slow, fail]) {
          expect(task.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
          expect(task.finished_at).toBe(stored.get(task.task_id)!.finished_at);
        }
        expect(rec.errors).toEqual([]);
      });

      it('with the socket blocked, tasks reach their final state by polling alone, within one pollInterval of finishing', async () => {
        const { client, log } = await pollingOnly(app.mount, POLL_MS);
        const rec = recordFinals(client);
        await until(() => expect(client.state).toBe('polling'));
        const ids = [await app.submit('quick', 1), await app.submit('slow', 0.3), await app.submit('fail', 'x'), await app.submit('slow', 0.9)];
        await observer.waitFinished(ids);
        await until(() => expect(ids.filter((id) => rec.finalAt.has(id))).toEqual(ids), 5 * POLL_MS);

        await expectConverged(client, app, ids);
        // Counted, not timed: the final state came with the first poll sent after the server had
        // it (or one already out), never a whole interval later.
        for (const id of ids) {
          const sentBetween = log.polls.filter((poll) => poll.startedAt > observer.finishedAt(id)! && poll.startedAt < rec.finalAt.get(id)!);
          expect(sentBetween.length, id).toBeLessThanOrEqual(1);
        }
        expect(rec.bySource.ws).toBe(0);
        expect(client.state).toBe('polling');
        expect(rec.errors).toEqual([]);
      });

      it('an idle poll costs a 304', async () => {
        const { client, log } = await pollingOnly(app.mount, 100);
        await until(() => expect(log.polls.filter((poll) => poll.status).length).toBeGreaterThanOrEqual(3));
        expect(log.polls.slice(0, 3).map((poll) => poll.status)).toEqual([200, 304, 304]);
        expect(client.state).toBe('polling');
      });

      it('with the socket cut while tasks run, every task converges, none moves backwards, none is delivered twice', async () => {
        const proxy = await ChaosProxy.start(app.port);
        atEnd(() => proxy.stop());
        const client = nodeClient({
          url: proxy.url('/flowrra'),
          pollInterval: 300,
          reconnect: { connectTimeout: 1000, minDelay: 100, maxDelay: 300 },
        });
        const rec = recordFinals(client);
        await until(() => expect(client.state).toBe('live'));
        await until(() => expect(rec.states).toEqual(['live'])); // the reconcile poll is back
        const before = [
          ...(await Promise.all([1, 2, 3].map((n) => app.submit('quick', n)))),
          ...(await Promise.all([0.6, 0.8, 1].map((s) => app.submit('slow', s)))),
          ...(await Promise.all(['a', 'b'].map((m) => app.submit('fail', m)))),
        ];
        await until(() => expect(observer.seen.some(({ task }) => task.task_id === before[3] && task.status === 'running')).toBe(true));

        proxy.refuse(true);
        proxy.closeAll();
        const unfinishedAtCut = before.filter((id) => observer.finishedAt(id) === undefined);
        await until(() => expect(client.state).toBe('polling'));
        const during = [await app.submit('quick', 4), await app.submit('slow', 0.2), await app.submit('fail', 'c')];
        await observer.waitFinished([...before, ...during]);
        proxy.heal();

        await until(() => expect(client.state).toBe('live'));
        await expectConverged(client, app, [...before, ...during]);
        expect(unfinishedAtCut.length).toBeGreaterThan(0);
        expect(rec.backwards).toEqual([]);
        expect(rec.repeats).toEqual([]);
        // Only the refused polls failed, and their run was reported once.
        expect(rec.errors.map((error) => error.kind)).toEqual(rec.errors.length ? ['poll'] : []);
      });
    });

    describe('resuming by cursor (issue 18)', () => {
      let app: FlowrraApp;
      beforeAll(async () => {
        app = await startFlowrraApp(framework, real);
      }, 30_000);
      afterAll(() => app?.stop());

      it(`a page whose socket is cut while ${BURST} tasks finish ends with every one final, none backwards, none twice`, async () => {
        await cutWhileTasksFinish({
          port: app.port,
          submitMany: (count) => app.submitMany('quick', count),
          async finalOnServer(ids) {
            const wanted = new Set(ids);
            let held = new Map<string, Task>();
            await until(async () => {
              held = new Map((await app.results()).filter((task) => wanted.has(task.task_id)).map((task) => [task.task_id, task]));
              expect([...held.values()].filter((task) => FINAL.has(task.status)).length).toBe(ids.length);
            }, 30_000);
            return held;
          },
          output: app.output,
        });
      }, 90_000);
    });

    describe('plain Flowrra, without flowrra_live', () => {
      let plain: FlowrraApp;
      beforeAll(async () => {
        plain = await startFlowrraApp(framework, { ...real, live: false });
      }, 30_000);
      afterAll(() => plain?.stop());

      it('one clear error, not one per poll; live updates still arrive and the state stays live', async () => {
        const client = nodeClient({ url: plain.mount, staleAfter: 0 });
        const rec = recordFinals(client);
        await until(() => expect(rec.errors).toHaveLength(1));
        const id = await plain.submit('quick', 5);
        await until(() => expect(client.tasks.get(id)?.status).toBe('success'));
        expect(rec.bySource.poll).toBe(0);
        expect(rec.states).toEqual(['live']);
        expect(rec.errors[0]).toMatchObject({ kind: 'poll', status: 404 });

        const { client: polling, log } = await pollingOnly(plain.mount, 100);
        const polled = recordFinals(polling);
        await until(() => expect(log.polls.filter((poll) => poll.status).length).toBeGreaterThanOrEqual(4));
        expect(log.polls.map((poll) => poll.status).slice(0, 4)).toEqual([404, 404, 404, 404]);
        expect(polled.errors).toHaveLength(1);
        for (const error of [rec.errors[0], polled.errors[0]]) {
          expect(error.message).toContain('the server has no results endpoint');
          expect(error.message).toContain('flowrra_live');
          expect(error.message).toContain('#use-with-flowrra');
        }
        expect(polling.state).toBe('polling');
      });
    });
  });
}

import { expect, vi } from 'vitest';
import type { Task, TaskClientOptions } from '../../../src/index';
import { atEnd, nodeClient } from '../../reliability/helpers/lifecycle';
import { ChaosProxy } from '../../reliability/helpers/proxy';
import { record } from '../../reliability/helpers/recorder';

const FINAL = new Set(['success', 'failed']);
/** More than five times the results endpoint's default page (200): what a page-sized poll loses. */
export const BURST = 1000;

/** A server holding Flowrra's results endpoint, for the resume scenario. */
export interface ResumeTarget {
  /** The port serving `/flowrra`: the page reaches it through a proxy that can cut it off. */
  readonly port: number;
  /** Submits `count` fast tasks; resolves to their ids. */
  submitMany(count: number): Promise<string[]>;
  /** What the server holds for `ids`, once every one of them is final there. */
  finalOnServer(ids: string[]): Promise<Map<string, StoredResult>>;
  /** Polls go through this (given the URL on the proxy) instead of Node's fetch. */
  fetch?: typeof fetch;
  /** Told the moment the page is cut off. */
  cut?(): void;
  /** For failure messages: the server's output. */
  output?(): string;
}

/** What the page must end with for each task: the server's final state of it. */
export type StoredResult = Pick<Task, 'status' | 'finished_at' | 'retries' | 'result' | 'error'>;

/** One poll request as the page made it: the `since` it asked, and what came back. */
export interface Poll {
  since: string | null;
  status?: number;
  cursor?: string | null;
  more?: string | null;
}

/**
 * Issue 18's promise: a page whose socket (and every request) is cut while `BURST` tasks finish
 * ends, once reconnected, with every one of them in its final state, none backwards, none twice.
 * The page holds a cursor from before the cut; the reconcile poll after it resumes from there.
 */
export async function cutWhileTasksFinish(target: ResumeTarget, options: TaskClientOptions = {}): Promise<{ polls: Poll[]; afterHeal: Poll[] }> {
  const proxy = await ChaosProxy.start(target.port);
  atEnd(() => proxy.stop());
  const polls: Poll[] = [];
  const fetchVia = target.fetch ?? fetch;
  const client = nodeClient({
    url: proxy.url('/flowrra'),
    pollInterval: 300,
    staleAfter: 0,
    reconnect: { connectTimeout: 1000, minDelay: 100, maxDelay: 300 },
    fetch: async (input, init) => {
      const poll: Poll = { since: new URL(String(input)).searchParams.get('since') };
      polls.push(poll);
      const response = await fetchVia(input, init);
      Object.assign(poll, { status: response.status, cursor: response.headers.get('X-Flowrra-Cursor'), more: response.headers.get('X-Flowrra-More') });
      return response;
    },
    ...options,
  });
  const rec = record(client);
  const finalDeliveries = new Map<string, number>();
  client.subscribe(({ task }) => {
    if (FINAL.has(task.status)) finalDeliveries.set(task.task_id, (finalDeliveries.get(task.task_id) ?? 0) + 1);
  });
  const until = (check: () => void, timeout = 15_000) =>
    vi.waitFor(check, { timeout, interval: 25 }).catch((error: Error) => {
      throw new Error(`${error.message}\npolls: ${JSON.stringify(polls.slice(-12))}\n${target.output?.().slice(-3000) ?? ''}`);
    });

  await until(() => expect(client.state).toBe('live'));
  await until(() => expect(polls[0]?.status).toBe(200)); // the reconcile poll on open
  // Without it the page cannot resume (flowrra_live from before the run index, or a server from before cursors).
  expect(typeof polls[0].cursor, 'the results endpoint answers X-Flowrra-Cursor (flowrra_live with the run index)').toBe('string');

  target.cut?.();
  proxy.refuse(true);
  proxy.closeAll();
  await until(() => expect(client.state).toBe('polling'));
  const ids = await target.submitMany(BURST);
  expect(new Set(ids).size).toBe(BURST);
  const stored = await target.finalOnServer(ids);
  const beforeHeal = polls.length;
  proxy.heal();

  await until(() => expect(client.state).toBe('live'));
  await until(() => {
    const open = ids.filter((id) => !FINAL.has(client.tasks.get(id)?.status ?? ''));
    expect(open.length, `tasks not final in the page, of ${BURST}`).toBe(0);
  }, 30_000);

  for (const id of ids) {
    const { status, finished_at, retries, result, error } = stored.get(id)!;
    expect(client.tasks.get(id), id).toMatchObject({ status, finished_at, retries, result, error });
  }
  expect(rec.backwards).toEqual([]);
  expect(rec.repeats).toEqual([]);
  // None twice: each final state reached the page once, whatever brought it.
  expect(ids.filter((id) => finalDeliveries.get(id) !== 1)).toEqual([]);
  const afterHeal = polls.slice(beforeHeal).filter((poll) => poll.status !== undefined);
  // It resumed: every poll after the cut asked from a cursor, and none was refused with a 410.
  expect(afterHeal.filter((poll) => poll.since === null)).toEqual([]);
  expect(afterHeal.map((poll) => poll.status)).not.toContain(410);
  // Only the refused polls failed: a refused connection, or (on a loaded machine) one that timed out
  // before it was refused, each kind of failure reported once per run.
  expect(rec.errors.length).toBeGreaterThan(0);
  for (const error of rec.errors) expect(error.message).toMatch(/^poll: (request failed|no answer within)/);
  return { polls, afterHeal };
}

// Issue 18's resume promise against the Node reference server: the same scenario the real
// Flowrra apps run (helpers/resume.ts), so the SDK side of it is checked on every machine.
import { describe, expect, it, vi } from 'vitest';
import { nodeClient, startServer } from '../reliability/helpers/lifecycle';
import { BURST, cutWhileTasksFinish, type StoredResult } from './helpers/resume';

describe('the reference server: resuming by cursor', () => {
  it(`a page whose socket is cut while ${BURST} tasks finish ends with every one final, none backwards, none twice`, async () => {
    const server = await startServer();
    const { afterHeal } = await cutWhileTasksFinish({
      port: server.port,
      async submitMany(count) {
        return Array.from({ length: count }, (_, index) => server.submit({ duration_ms: 0, fail: index % 10 === 0, max_retries: 1, retry_delay_ms: 0 }));
      },
      async finalOnServer(ids) {
        const wanted = new Set(ids);
        let held = new Map<string, StoredResult>();
        await expect
          .poll(() => {
            held = new Map(server.results().filter((task) => wanted.has(task.task_id)).map((task) => [task.task_id, task]));
            return [...held.values()].filter((task) => task.status === 'success' || task.status === 'failed').length;
          }, { timeout: 15_000, interval: 25 })
          .toBe(ids.length);
        return held;
      },
    });
    // Paged: the default page is 200, so the 1,000 came in at least five answers, each asked from the cursor before.
    expect(afterHeal.filter((poll) => poll.status === 200).length).toBeGreaterThanOrEqual(5);
    expect(afterHeal.filter((poll) => poll.more === '1').length).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('polls while the socket is down ask ?since= the last cursor, and an idle one, the first too, is a 304', async () => {
    const server = await startServer();
    server.emit({ type: 'task.update', task: { task_id: 'a', status: 'success' } });
    const polls: { since: string | null; status: number }[] = [];
    const client = nodeClient({
      url: server.url,
      wsUrl: false,
      pollInterval: 50,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        polls.push({ since: new URL(String(input)).searchParams.get('since'), status: response.status });
        return response;
      },
    });
    await vi.waitFor(() => expect(polls.length).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 10 });
    server.emit({ type: 'task.update', task: { task_id: 'b', status: 'success' } });
    await vi.waitFor(() => expect(client.tasks.has('b')).toBe(true), { timeout: 5000, interval: 10 });
    const cursors = polls.map((poll) => poll.since);
    expect(cursors[0]).toBeNull();
    expect(cursors.slice(1).every((since) => since !== null)).toBe(true);
    expect(polls.slice(0, 3).map((poll) => poll.status)).toEqual([200, 304, 304]);
    // Two answers with a body: the full one, then the since-answer that brought `b`; every other poll a 304.
    expect(polls.filter((poll) => poll.status === 200).map((poll) => poll.since === null)).toEqual([true, false]);
    expect(polls.filter((poll) => poll.status !== 200).every((poll) => poll.status === 304)).toBe(true);
  });
});

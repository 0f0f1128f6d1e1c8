// Issue 18's resume promise against the Node reference server: the same scenario the real
// Flowrra apps run (helpers/resume.ts), so the SDK side of it is checked on every machine.
import { describe, expect, it } from 'vitest';
import { startServer } from '../reliability/helpers/lifecycle';
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
});

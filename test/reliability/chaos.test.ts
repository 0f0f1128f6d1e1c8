import { describe, expect, it, vi } from 'vitest';
import type { Task } from '../../server/index';
import { describeDivergence, divergent } from './helpers/compare';
import { planFaults, runFaults } from './helpers/faults';
import { nodeClient, startProxy, startServer } from './helpers/lifecycle';
import { runLoad } from './helpers/load';
import { observeServer, visibilityMargins } from './helpers/observer';
import { errorKinds, record } from './helpers/recorder';
import { chaosMarkdown } from './helpers/figures';
import { writeSection } from './helpers/results-file';
import { chaosSeed, seededRandom } from './helpers/seed';
import { trackUncaught } from './helpers/uncaught';
import { LONG, pick } from './helpers/variant';

/*
 * Time is compressed through the client's own options, on real sockets and real timers: the
 * defaults (poll every 15 s, stale after 45 s, reconnect 0.5–20 s) shrunk 20–150×, so that one
 * minute holds the reconnects, stalls and reconciles of hours.
 */
const TIMING = {
  pollInterval: 200,
  pollTimeout: 500,
  staleAfter: 300,
  reconnect: { minDelay: 50, maxDelay: 1000, connectTimeout: 500, minUptime: 300 },
};

/*
 * Why limit=1000 is enough: a task missed live is recovered by a poll while it is still among the
 * 1000 most recently changed results. At 40 tasks/s the client would have to go 25 s without a
 * working socket or a successful poll to lose one. It goes a few seconds at most: a fault holds for
 * at most 1.2 s (another may follow 0.1 s later), then staleAfter, pollTimeout and a reconnect wait
 * of at most 1 s. The test measures the worst case (visibility margin) and asserts it stays under
 * the limit, so a schedule that broke this reasoning would fail rather than pass by luck.
 */
const SHAPE = pick(
  { perSecond: 50, durationMs: 6_000, gapMs: [40, 250] as [number, number], holdMs: [80, 500] as [number, number], minTasks: 250, minFaults: 10 },
  { perSecond: 40, durationMs: 62_000, gapMs: [100, 700] as [number, number], holdMs: [100, 1200] as [number, number], minTasks: 2_000, minFaults: 50 },
);
const POLL_LIMIT = 1000;

const isFinished = (task: Task) => task.status === 'success' || task.status === 'failed';

describe('chaos convergence', () => {
  it(
    'ends with every task equal to the server, none ever going backwards, each change told once',
    async () => {
      const seed = chaosSeed('chaos');
      const escaped = trackUncaught();
      const server = await startServer({ pingInterval: 1000 });
      const proxy = await startProxy(server);
      const frames = await observeServer(server);
      const heldAt = new Map<string, number>();
      const client = nodeClient({ url: proxy.url(), pollUrl: proxy.url('/flowrra/api/results?limit=1000'), ...TIMING });
      const rec = record(client, (event) => heldAt.set(event.task.task_id, frames.length));
      await vi.waitFor(() => expect(client.state).toBe('live'), { timeout: 5_000 });
      const upgradesBefore = server.upgrades(); // the observer's and the client's first

      // Two streams from one seed, so the fault schedule does not depend on how the load ran.
      const faults = planFaults(seededRandom(seed), SHAPE);
      const started = performance.now();
      const [ids, log] = await Promise.all([runLoad(server, seededRandom(seed ^ 0x5bd1e995), SHAPE), runFaults(proxy, faults)]);
      const chaosMs = performance.now() - started;
      proxy.heal();
      const healedAt = performance.now();

      // The last tasks finish on the server's clock; until then there is no final state to compare.
      await vi.waitFor(() => expect(server.results().filter((task) => !isFinished(task))).toEqual([]), { timeout: 10_000, interval: 50 });
      await vi.waitFor(
        () => {
          const results = server.results();
          const off = divergent(client, results);
          if (off.length) throw new Error(`${off.length} divergent tasks, e.g. ${describeDivergence(client, results, off[0])}`);
        },
        { timeout: 10_000, interval: 50 },
      );
      const convergedMs = performance.now() - healedAt;

      const results = server.results();
      const margins = visibilityMargins(frames, heldAt);
      const figures = {
        seed,
        seconds: chaosMs / 1000,
        tasks: ids.length,
        retried: results.filter((task) => task.retries > 0).length,
        failed: results.filter((task) => task.status === 'failed').length,
        frames: frames.length,
        faults: log.effective,
        byKind: log.byKind,
        connections: proxy.counts,
        reconnects: server.upgrades() - upgradesBefore,
        polls: server.polls(),
        events: rec.events,
        bySource: rec.bySource,
        errors: errorKinds(rec),
        worstMargin: Math.max(...margins),
        convergedMs,
      };
      console.info('[chaos]', JSON.stringify(figures));

      expect(ids.length).toBeGreaterThanOrEqual(SHAPE.minTasks);
      expect(chaosMs).toBeGreaterThanOrEqual(SHAPE.durationMs);
      expect(log.effective).toBeGreaterThanOrEqual(SHAPE.minFaults);
      expect(figures.retried).toBeGreaterThan(0);
      expect(figures.failed).toBeGreaterThan(0);
      // The faults must have bitten: the socket went down, and some changes were only learnt by polling.
      expect(figures.reconnects).toBeGreaterThan(0);
      expect(rec.bySource.poll).toBeGreaterThan(0);

      expect(results).toHaveLength(ids.length);
      expect(client.tasks.size).toBe(ids.length);
      expect(rec.backwards).toEqual([]);
      expect(rec.repeats).toEqual([]);
      expect(client.version).toBe(rec.events);
      expect(escaped).toEqual([]);
      // Faults may only surface as failed polls: never as a bad frame, a listener error or a give-up.
      expect(Object.keys(figures.errors).filter((kind) => kind !== 'poll')).toEqual([]);
      expect(figures.worstMargin).toBeLessThan(POLL_LIMIT);

      if (LONG) await writeSection('chaos', chaosMarkdown(figures));
    },
    pick(40_000, 240_000),
  );
});

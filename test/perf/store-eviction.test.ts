import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFinished } from '../../src/order';
import { TaskStore } from '../../src/store';
import type { Task } from '../../src/index';
import { task } from '../helpers/tasks';

/**
 * The store finds eviction victims through its own index instead of iterating the Map (see
 * bench/RESULTS.md, throughput profile). The oracle below is the plain rule: after every change the
 * Map must hold exactly the tasks it would hold had the first finished task in insertion order (or,
 * with none finished, the first task) been evicted each time the store ran over, the task just
 * added (the last in the Map) never counting as a candidate.
 */
function oracleEvict(model: Map<string, Task>): void {
  let victim: string | undefined;
  for (const [id, t] of [...model].slice(0, -1)) {
    victim ??= id;
    if (isFinished(t)) {
      victim = id;
      break;
    }
  }
  model.delete(victim!);
}

const STATUSES = ['pending', 'running', 'retrying', 'success', 'failed', 'revoked'];
const operation = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('upsert' as const),
      id: fc.integer({ min: 0, max: 11 }),
      status: fc.constantFrom(...STATUSES),
      retries: fc.integer({ min: 0, max: 2 }),
      second: fc.integer({ min: 10, max: 59 }),
      finishedAt: fc.boolean(),
      fromPoll: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 11 }) }) },
);

describe('store eviction', () => {
  it('keeps the same tasks, in the same order, as evicting by iterating the Map', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(operation, { maxLength: 300 }), (maxTasks, operations) => {
        const store = new TaskStore(maxTasks);
        const model = new Map<string, Task>();
        for (const step of operations) {
          const id = `t${step.id}`;
          if (step.op === 'remove') {
            expect(store.remove(id)).toBe(model.get(id));
            model.delete(id);
          } else {
            const time = `2026-11-25T17:33:${step.second}.000000`;
            const incoming = task({
              task_id: id,
              status: step.status,
              retries: step.retries,
              started_at: time,
              finished_at: step.finishedAt ? time : null,
            });
            const applied = store.upsert(incoming, step.fromPoll);
            if (applied) {
              model.set(id, applied);
              if (model.size > maxTasks) oracleEvict(model);
            }
          }
          expect([...store.tasks]).toEqual([...model]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

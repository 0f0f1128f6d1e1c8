import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compareProgress, type Task } from '../../src/index';
import { TaskStore } from '../../src/store';
import { harness, nextSocket } from '../helpers/client-harness';
import { json } from '../helpers/fake-fetch';
import { convergedState, convergenceProblem, deliveries, history, type Delivery } from './helpers/history';
import { fuzz } from './helpers/fuzz';
import { pick } from './helpers/variant';

const scenario = history.chain((h) => deliveries(h).map((sent) => ({ h, sent })));

/** Each applied change must move the task forward; returns the ones that did not. */
function backwardSteps(applied: Task[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < applied.length; i++) {
    if (compareProgress(applied[i], applied[i - 1]) < 0) problems.push(`${applied[i - 1].status} -> ${applied[i].status}`);
  }
  return problems;
}

describe('the merge rule', () => {
  it('takes any interleaving of a history, duplicates included, to the newest state, never backwards', async () => {
    const property = fc.property(scenario, ({ h, sent }) => {
      const store = new TaskStore(10);
      const applied: Task[] = [];
      for (const d of sent) {
        const changed = store.upsert(d.state, d.shape === 'poll');
        if (changed) applied.push(changed);
      }
      expect(backwardSteps(applied)).toEqual([]);
      expect(convergenceProblem(store.tasks.get('fuzzed'), convergedState(h, sent))).toBeUndefined();
      // Every applied change differs from the one before: nothing is told twice.
      expect(store.version).toBe(applied.length);
    });
    await fuzz('merge (store): any interleaving of a history, duplicates included', (options) => fc.assert(property, options));
  });

  describe('through a client, frames on the socket and results from polls', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('converges the same way and tells each change once', async () => {
      const property = fc.asyncProperty(scenario, async ({ h, sent }) => {
        const { client, http, events, errors } = harness({ staleAfter: 0 });
        const socket = await nextSocket();
        socket.accept();
        await client.refresh(); // the reconcile poll on open, answered empty
        for (const d of sent as Delivery[]) {
          if (d.shape === 'frame') socket.receive(JSON.stringify({ type: 'task.update', task: d.state }));
          else {
            http.answerNext(json([d.state]));
            await client.refresh();
          }
        }
        expect(errors).toEqual([]);
        expect(backwardSteps(events.map((e) => e.task))).toEqual([]);
        expect(convergenceProblem(client.tasks.get('fuzzed'), convergedState(h, sent))).toBeUndefined();
        expect(client.version).toBe(events.length);
        client.close();
      });
      await fuzz('merge (client): the same through socket frames and polls', (options) => fc.assert(property, options));
    }, pick(60_000, 600_000));
  });
});

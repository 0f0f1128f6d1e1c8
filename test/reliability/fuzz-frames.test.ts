import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskClientError, compareProgress, type Task } from '../../src/index';
import { parseFrame } from '../../src/frame';
import { mergeTask } from '../../src/store';
import { harness, nextSocket, settle } from '../helpers/client-harness';
import { anyFrameText, validTask } from './helpers/hostile';
import { frameVerdict } from './helpers/oracle';
import { pollution } from './helpers/pollution';
import { expectSame, sameJson } from './helpers/same';
import { fuzz } from './helpers/fuzz';
import { trackUncaught } from './helpers/uncaught';
import { pick } from './helpers/variant';

// The small limit puts the generator's huge strings on both sides of it; the default one lets
// frames nested 100,000 deep through.
const maxFrameBytes = fc.constantFrom(4096, 1024 * 1024);

describe('fuzzing the frame handler', () => {
  it('parseFrame never throws, names what is wrong with a kind, and hands back a valid frame as sent', async () => {
    const binary = fc.uint8Array({ maxLength: 64 }).map((bytes) => bytes.buffer);
    const property = fc.property(
      fc.oneof({ weight: 9, arbitrary: anyFrameText }, { weight: 1, arbitrary: binary }),
      maxFrameBytes,
      (data, max) => {
        const verdict = typeof data === 'string' ? frameVerdict(data, max) : { kind: 'parse' as const };
        const result = parseFrame(data, max);
        expect(pollution()).toEqual([]);
        if ('kind' in verdict) {
          expect(result).toBeInstanceOf(TaskClientError);
          expect((result as TaskClientError).kind).toBe(verdict.kind);
        } else {
          expectSame(result, { type: verdict.type, task: verdict.task });
        }
      },
    );
    await fuzz('parseFrame: hostile, random and binary frames', (options) => fc.assert(property, options));
  });

  describe('through a client socket', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('never throws, reports each bad frame once with its kind, applies a good one once', async () => {
      const escaped = trackUncaught();
      const property = fc.asyncProperty(validTask, anyFrameText, maxFrameBytes, async (known, text, max) => {
        escaped.length = 0;
        const { client, events, errors } = harness({ pollUrl: false, maxFrameBytes: max });
        const socket = await nextSocket();
        socket.accept();
        // A task already in the view, so that a good frame about it has to merge.
        socket.receive(JSON.stringify({ type: 'task.update', task: known }));
        const before = client.tasks.get(known.task_id)!;
        // Twice: a repeated frame must change nothing and tell nothing.
        socket.receive(text);
        socket.receive(text);
        await settle();
        await new Promise((resolve) => process.nextTick(resolve)); // where a listener's throw would land

        expect(escaped).toEqual([]);
        expect(pollution()).toEqual([]);
        const verdict = frameVerdict(text, max);
        if ('kind' in verdict) {
          expect(errors.map((error) => error.kind)).toEqual([verdict.kind, verdict.kind]);
          expect(events).toHaveLength(1);
          expect(client.tasks.get(known.task_id)).toBe(before);
        } else {
          expect(errors).toEqual([]);
          const id = verdict.task.task_id as string;
          const stored = id === known.task_id ? before : undefined;
          if (verdict.type === 'task.delete') {
            expect(client.tasks.has(id)).toBe(false);
            expect(events).toHaveLength(stored ? 2 : 1);
          } else {
            const expected = expectedAfter(stored, verdict.task as Task);
            expectSame(client.tasks.get(id), expected);
            expect(events).toHaveLength(stored === expected ? 1 : 2);
          }
        }
        client.close();
      });
      await fuzz('client socket: a known task, then a hostile frame twice', (options) => fc.assert(property, options));
    }, pick(60_000, 600_000));
  });
});

/** The store's rule, as the README states it: merge, unless that would move the task back or change nothing. */
function expectedAfter(stored: Task | undefined, incoming: Task): Task {
  if (!stored) return incoming;
  const merged = mergeTask(stored, incoming);
  return compareProgress(merged, stored) < 0 || sameJson(merged, stored) ? stored : merged;
}

import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createTaskClient, type TaskClientError, type WebSocketLike } from '../../src/index';
import { MOUNT } from '../helpers/client-harness';
import { FakeWebSocket } from '../helpers/fake-websocket';
import { anyPollBody } from './helpers/hostile';
import { pollVerdict } from './helpers/oracle';
import { pollution } from './helpers/pollution';
import { expectSame } from './helpers/same';
import { fuzz } from './helpers/fuzz';
import { trackUncaught } from './helpers/uncaught';
import { pick } from './helpers/variant';

it('a poll answer of any shape never throws, names each bad item with a kind, applies each good one once', async () => {
  const escaped = trackUncaught();
  const property = fc.asyncProperty(anyPollBody, async (body) => {
    escaped.length = 0;
    const verdict = pollVerdict(body);
    const good = 'items' in verdict ? verdict.items.filter((item) => item !== undefined) : [];
    // Two good items under one id would make the expectation a merge; that has its own property.
    fc.pre(new Set(good.map((item) => item.task_id)).size === good.length);

    // A plain function, not a recording mock: ten thousand runs of retained bodies exhaust the heap.
    const answer: typeof fetch = async () => new Response(body, { status: 200 });
    // Lazy and never subscribed: no socket, only the polls this test asks for.
    const client = createTaskClient({ url: MOUNT, lazy: true, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: answer });
    const errors: TaskClientError[] = [];
    client.on('error', (error) => errors.push(error));
    await client.refresh();
    const afterFirst = { version: client.version, errors: errors.length };
    // The same answer again (no ETag): bad items are reported again, good ones change nothing, and a
    // body refused whole is the same failure as before, so it is not reported twice.
    await client.refresh();

    expect(escaped).toEqual([]);
    expect(pollution()).toEqual([]);
    if ('kind' in verdict) {
      expect(errors.map((error) => error.kind)).toEqual([verdict.kind]);
      expect(client.tasks.size).toBe(0);
    } else {
      const bad = verdict.items.length - good.length;
      expect(errors.map((error) => error.kind)).toEqual(Array(2 * bad).fill('validation'));
      expect(afterFirst.errors).toBe(bad);
      expect(afterFirst.version).toBe(good.length);
      expect(client.version).toBe(good.length);
      expect(client.tasks.size).toBe(good.length);
      for (const item of good) expectSame(client.tasks.get(item.task_id as string), item);
    }
    client.close();
  });
  await fuzz('client poll: hostile bodies, each answered twice', (options) => fc.assert(property, options));
}, pick(60_000, 600_000));

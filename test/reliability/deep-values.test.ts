import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness, nextSocket, settle } from '../helpers/client-harness';
import { json } from '../helpers/fake-fetch';
import { trackUncaught } from './helpers/uncaught';

/*
 * JSON.parse takes nesting of any depth, and 100,000 levels fit in 200 KB, well under
 * maxFrameBytes. Whatever walks such a value recursively runs out of stack. Found by the fuzzers
 * (fuzz-frames, fuzz-poll); pinned here so the failure reads plainly.
 */
const DEEP = `${'['.repeat(100_000)}"bottom"${']'.repeat(100_000)}`;
const deepFrame = `{"type": "task.update", "task": {"task_id": "deep", "status": "running", "result": ${DEEP}}}`;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a task value nested 100,000 deep', () => {
  it('repeated on the socket changes nothing, and throws nothing out of the message handler', async () => {
    const escaped = trackUncaught();
    const { client, events, errors } = harness({ pollUrl: false });
    const socket = await nextSocket();
    socket.accept();
    socket.receive(deepFrame);
    socket.receive(deepFrame); // a duplicate, as a reconnect or a proxy retry produces
    socket.receive('{"type": "task.update", "task": {"task_id": "next", "status": "pending"}}');
    await settle();
    await new Promise((resolve) => process.nextTick(resolve)); // where a listener's throw lands

    expect(escaped.map((error) => (error as Error).message)).toEqual([]);
    expect(errors).toEqual([]);
    expect(events.map((event) => event.task.task_id)).toEqual(['deep', 'next']);
    client.close();
  });

  it('in a poll answered twice costs neither poll its other items', async () => {
    const { client, http, errors } = harness({ staleAfter: 0 });
    const socket = await nextSocket();
    socket.accept();
    await client.refresh();
    const body = `[{"task_id": "deep", "status": "running", "result": ${DEEP}}, {"task_id": "after", "status": "pending"}]`;
    http.answerNext(new Response(body));
    await client.refresh();
    http.answerNext(new Response(body.replace('"after", "status": "pending"', '"after", "status": "running"')));
    await client.refresh();

    expect(errors.map((error) => error.message)).toEqual([]);
    expect(client.tasks.get('after')?.status).toBe('running');
    client.close();
  });
});

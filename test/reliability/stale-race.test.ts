import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { harness, nextSocket, settle } from '../helpers/client-harness';
import { json } from '../helpers/fake-fetch';
import { FakeWebSocket } from '../helpers/fake-websocket';
import { task } from '../helpers/tasks';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/*
 * The staleness check polls and then judges the socket it started on. When that socket died and a
 * new one opened while the poll was out, the answer says nothing about the new socket.
 */
it('does not restart a fresh socket on the answer of a check begun on the socket before it', async () => {
  const { client, http } = harness({ staleAfter: 1_000, pollTimeout: 60_000, reconnect: { minDelay: 10, maxDelay: 10 } });
  const first = await nextSocket();
  first.accept();
  await settle();
  let answer: (response: Response) => void = () => undefined;
  http.answerNext(() => new Promise<Response>((resolve) => (answer = resolve)));
  await vi.advanceTimersByTimeAsync(1_000);
  expect(http.calls).toHaveLength(2); // on open, then the check, still unanswered

  first.drop();
  const second = await nextSocket();
  second.accept();
  answer(json([task({ status: 'success', finished_at: '2026-11-25T17:40:00.000001' })]));
  await settle();

  expect(client.state).toBe('live');
  expect(second.readyState).toBe(1);
  expect(FakeWebSocket.all).toHaveLength(2);
  client.close();
});

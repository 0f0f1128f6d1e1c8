import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness, nextSocket, settle } from './helpers/client-harness';
import { FakeWebSocket } from './helpers/fake-websocket';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A token function whose first call never settles; every later call answers `fresh`. */
function stuckOnce() {
  let calls = 0;
  const token = () => (++calls === 1 ? new Promise<string>(() => {}) : 'fresh');
  return { token, calls: () => calls };
}

describe('a token function that never settles', () => {
  it('fails that poll with a token error at pollTimeout, and the polls queued behind it run', async () => {
    const { token } = stuckOnce();
    const { client, http, errors } = harness({ wsUrl: false, token, pollTimeout: 2000, pollInterval: 60_000 });
    await settle();
    let refreshed = false;
    client.refresh().then(() => (refreshed = true));
    await vi.advanceTimersByTimeAsync(2000);
    expect(errors).toMatchObject([{ kind: 'token', message: 'token: no answer within 2000 ms' }]);
    expect(refreshed).toBe(true);
    expect(http.calls.map((call) => call.headers.Authorization)).toEqual(['Bearer fresh']);
    client.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails that socket attempt with a token error at connectTimeout, and the next attempt connects', async () => {
    const { token } = stuckOnce();
    const { client, errors, states } = harness({ pollUrl: false, token, reconnect: { connectTimeout: 1000, minDelay: 100, maxDelay: 100 } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toMatchObject([{ kind: 'token', message: 'token: no answer within 1000 ms' }]);
    const socket = await nextSocket();
    expect(new URL(socket.url).searchParams.get('token')).toBe('fresh');
    socket.accept();
    expect(states).toEqual(['live']);
    client.close();
  });

  it('is left behind by reconnect(): a new attempt asks for the token again at once', async () => {
    const { token, calls } = stuckOnce();
    const { client, errors } = harness({ pollUrl: false, token, reconnect: { connectTimeout: 60_000 } });
    await settle();
    expect(calls()).toBe(1);
    client.reconnect();
    await settle();
    expect(calls()).toBe(2);
    expect(FakeWebSocket.all).toHaveLength(1);
    FakeWebSocket.latest().accept();
    expect(client.state).toBe('live');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(errors).toEqual([]);
    expect(FakeWebSocket.all).toHaveLength(1);
    client.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is cut short by close(): no timer, no socket, no error', async () => {
    const { token } = stuckOnce();
    const { client, errors } = harness({ token });
    await settle();
    client.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(0);
    expect(errors).toEqual([]);
  });
});

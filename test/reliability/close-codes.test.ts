import { describe, expect, it, vi } from 'vitest';
import { FATAL_CLOSE_CODES } from '../../src/index';
import { nodeClient, startServer } from './helpers/lifecycle';
import { record } from './helpers/recorder';

// Fast enough that a reconnect, if one were coming, would come long before the polls counted below.
const FAST = { pollInterval: 50, reconnect: { minDelay: 10, maxDelay: 50 } };

async function liveClient(options: { pollUrl?: false } = {}) {
  const server = await startServer();
  const client = nodeClient({ url: server.url, ...FAST, ...options });
  const rec = record(client);
  await vi.waitFor(() => expect(client.state).toBe('live'), { timeout: 5_000 });
  return { server, client, rec };
}

describe('close codes from the real server', () => {
  it('treats exactly 1008, 4401 and 4403 as final', () => {
    expect([...FATAL_CLOSE_CODES].sort()).toEqual([1008, 4401, 4403]);
  });

  it.each(FATAL_CLOSE_CODES)('%i ends reconnection with an auth error and keeps polling', async (code) => {
    const { server, client, rec } = await liveClient();
    const polls = server.polls();
    server.dropConnections(code);
    await vi.waitFor(() => expect(rec.errors.map((e) => e.kind)).toContain('auth'), { timeout: 5_000 });
    expect(rec.errors.find((e) => e.kind === 'auth')?.message).toContain(String(code));
    expect(client.state).toBe('polling');
    // Ten polls later (at 50 ms) a retry drawn below 50 ms would long have happened.
    await vi.waitFor(() => expect(server.polls()).toBeGreaterThanOrEqual(polls + 10), { timeout: 5_000 });
    expect(server.upgrades()).toBe(1);
    expect(client.state).toBe('polling');
  });

  it.each(FATAL_CLOSE_CODES)('%i leaves the client idle when polling is off', async (code) => {
    const { server, client, rec } = await liveClient({ pollUrl: false });
    server.dropConnections(code);
    await vi.waitFor(() => expect(client.state).toBe('idle'), { timeout: 5_000 });
    expect(rec.states).toEqual(['live', 'idle']);
    expect(rec.errors.map((e) => e.kind)).toEqual(['auth']);
    expect(server.upgrades()).toBe(1);
  });

  it.each([undefined, 1000, 1001, 1011, 1012, 1013, 3000, 4000, 4400, 4500, 4999])(
    'close code %s (none: a cut connection, 1006) is retried and the client is live again',
    async (code) => {
      const { server, client, rec } = await liveClient();
      server.dropConnections(code);
      await vi.waitFor(() => expect(server.upgrades()).toBe(2), { timeout: 5_000 });
      await vi.waitFor(() => expect(client.state).toBe('live'), { timeout: 5_000 });
      expect(rec.errors.filter((e) => e.kind === 'auth')).toEqual([]);
      expect(rec.states.at(-1)).toBe('live');
    },
  );
});

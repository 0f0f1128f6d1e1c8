import { describe, expect, it, vi } from 'vitest';
import { nodeClient, startServer } from './helpers/lifecycle';
import { record } from './helpers/recorder';

const INTERVAL = 25;

/** A client that can only poll (the server refuses its socket), with every request's start time noted. */
async function pollingClient() {
  const server = await startServer();
  server.refuseUpgrades(true);
  const starts: number[] = [];
  const client = nodeClient({
    url: server.url,
    pollInterval: INTERVAL,
    reconnect: { minDelay: 5_000, maxDelay: 5_000, connectTimeout: 200 },
    fetch: (input, init) => {
      starts.push(performance.now());
      return fetch(input, init);
    },
  });
  const rec = record(client);
  await vi.waitFor(() => expect(client.state).toBe('polling'), { timeout: 5_000 });
  return { server, client, rec, starts };
}

const gapsOf = (times: number[]) => times.slice(1).map((time, i) => time - times[i]);

describe('polls answered 401/403 by the real server', () => {
  it.each([401, 403])('%i: back off, doubling, then return to the interval after a success', async (status) => {
    const { server, rec, starts } = await pollingClient();
    server.failPolls(status);
    const first = starts.length;
    // Five refused polls: without backoff 25 ms apart; with it 50, 100, 200, 400 ms.
    await vi.waitFor(() => expect(starts.length - first).toBeGreaterThanOrEqual(5), { timeout: 10_000, interval: 10 });
    const refused = gapsOf(starts.slice(first));
    // Lower bounds from the schedule: a loaded machine can only make a gap longer, so a ratio of
    // two measured gaps (a late answer lengthens one, not the next) would fail for the machine.
    for (let i = 0; i < refused.length; i++) expect(refused[i]).toBeGreaterThanOrEqual(INTERVAL * 2 ** (i + 1) - 1);
    expect(refused.at(-1)).toBeGreaterThanOrEqual(16 * INTERVAL);
    // One run of identical refusals: reported once, not once per poll.
    expect(rec.errors.filter((e) => e.status === status)).toHaveLength(1);
    // The server saw every one of them, and no others (the last may still be on its way).
    await vi.waitFor(() => expect(server.polls()).toBe(starts.length), { timeout: 1_000, interval: 5 });

    server.failPolls(null);
    const healed = starts.length;
    await vi.waitFor(() => expect(starts.length - healed).toBeGreaterThanOrEqual(6), { timeout: 10_000, interval: 20 });
    // The first is the last backed-off one, answered 200; from it on, the normal interval.
    const after = gapsOf(starts.slice(healed));
    for (const gap of after.slice(1)) expect(gap).toBeLessThan(4 * INTERVAL);
  }, 20_000);
});

import { describe, expect, it, vi } from 'vitest';
import type { TaskEvent } from '../../src/index';
import { nodeClient, startProxy, startServer } from './helpers/lifecycle';
import { record } from './helpers/recorder';

const STALE_AFTER = 300;
const POLL_TIMEOUT = 400;

async function liveThroughProxy() {
  const server = await startServer();
  const proxy = await startProxy(server);
  const events: TaskEvent[] = [];
  const client = nodeClient({
    url: proxy.url(),
    staleAfter: STALE_AFTER,
    pollTimeout: POLL_TIMEOUT,
    pollInterval: 200,
    reconnect: { minDelay: 50, maxDelay: 500, connectTimeout: 1000 },
  });
  const rec = record(client, (event) => events.push(event));
  let liveAt = 0;
  client.on('state', (state) => state === 'live' && (liveAt ||= performance.now()));
  await vi.waitFor(() => expect(client.state).toBe('live'), { timeout: 5_000 });
  // Runs after the reconcile poll on open: both answered, their keep-alive connection sits idle
  // in the pool, and no poll is in flight when a test starts stalling.
  await client.refresh();
  return { server, proxy, client, rec, events, liveAt };
}

describe('a half-open socket (the proxy stalls it)', () => {
  it('is found out by a reconcile poll, cut off by pollTimeout while the path is dead, and replaced', async () => {
    const { server, proxy, client, rec, events } = await liveThroughProxy();
    const upgrades = server.upgrades();

    // Everything stalls, new connections included: the socket and the pooled poll connection
    // stay open and carry nothing.
    proxy.stallNew(true);
    const stalledAt = performance.now();
    proxy.stallAll();
    server.emit({ type: 'task.update', task: { task_id: 'missed', status: 'success', finished_at: '2026-11-25T17:40:00.000001' } });

    // The reconcile poll hangs like the socket; pollTimeout ends it instead of it waiting forever.
    await vi.waitFor(
      () => expect(rec.errors.map((e) => e.message)).toContain(`poll: no answer within ${POLL_TIMEOUT} ms`),
      { timeout: 5_000, interval: 20 },
    );
    expect(performance.now() - stalledAt).toBeGreaterThanOrEqual(POLL_TIMEOUT);
    expect(client.state).toBe('live'); // nothing proved the socket dead yet
    expect(client.tasks.has('missed')).toBe(false);

    // New connections pass again; the old socket stays stalled, as a dead NAT mapping would.
    proxy.stallNew(false);
    await vi.waitFor(() => expect(client.tasks.get('missed')?.status).toBe('success'), { timeout: 5_000, interval: 20 });
    await vi.waitFor(() => expect(client.state).toBe('live'), { timeout: 5_000 });
    expect(server.upgrades()).toBeGreaterThan(upgrades);
    expect(events.filter((e) => e.task.task_id === 'missed').map((e) => e.source)).toEqual(['poll']);

    // The replacement socket carries news again.
    server.emit({ type: 'task.update', task: { task_id: 'after', status: 'running', started_at: '2026-11-25T17:41:00.000001' } });
    await vi.waitFor(() => expect(events.some((e) => e.task.task_id === 'after' && e.source === 'ws')).toBe(true), { timeout: 5_000 });
    expect(rec.errors.filter((e) => e.kind !== 'poll')).toEqual([]);
  });

  it('is kept when the reconcile poll finds nothing new: a quiet socket is not a dead one', async () => {
    const { server, client, rec, liveAt } = await liveThroughProxy();
    await vi.waitFor(() => expect(server.polls()).toBeGreaterThanOrEqual(5), { timeout: 5_000, interval: 20 });
    // Three checks after the poll on open and the refresh, each a full staleAfter apart, not a tight loop.
    expect(performance.now() - liveAt).toBeGreaterThanOrEqual(3 * STALE_AFTER - 5);
    expect(server.upgrades()).toBe(1);
    expect(rec.states).toEqual(['live']);
    expect(client.state).toBe('live');
    expect(rec.errors).toEqual([]);
  });

  it('recovers what it missed when a stalled connection is finally cut', async () => {
    const { server, proxy, client, events } = await liveThroughProxy();
    const links = proxy.stallAll();
    server.emit({ type: 'task.update', task: { task_id: 'during', status: 'success', finished_at: '2026-11-25T17:40:00.000001' } });
    proxy.close(links);
    await vi.waitFor(() => expect(client.tasks.get('during')?.status).toBe('success'), { timeout: 5_000, interval: 20 });
    await vi.waitFor(() => expect(client.state).toBe('live'), { timeout: 5_000 });
    expect(events.filter((e) => e.task.task_id === 'during').map((e) => e.source)).toEqual(['poll']);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { start } from '../server/helpers';
import { sdkClient, viewOf } from './sdk-client';

const finished = (status: string) => status === 'success' || status === 'failed';

describe('over real sockets (SDK in Node with ws)', () => {
  it('delivers submitted tasks live, in order, and ends equal to the server', async () => {
    const srv = await start();
    const { client, events, reaches } = sdkClient(srv);
    await reaches('live');
    const ids = [
      srv.submit({ name: 'ok', duration_ms: 20 }),
      srv.submit({ name: 'flaky', duration_ms: 20, fail: true, max_retries: 2, retry_delay_ms: 10 }),
      srv.submit({ name: 'ok', duration_ms: 30 }),
    ];
    await vi.waitFor(() => expect(ids.every((id) => finished(String(client.tasks.get(id)?.status)))).toBe(true), { timeout: 5000 });
    const flaky = events.filter((e) => e.task.task_id === ids[1]).map((e) => `${e.task.status}/${e.task.retries}`);
    expect(flaky).toEqual(['pending/0', 'running/0', 'retrying/1', 'running/1', 'retrying/2', 'running/2', 'failed/2']);
    expect(events.every((e) => e.source === 'ws' || e.type === 'task.update')).toBe(true);
    expect(events.filter((e) => e.source === 'poll')).toEqual([]);
    const results = srv.results();
    expect(viewOf(client, ids)).toEqual(ids.map((id) => results.find((t) => t.task_id === id)));
  });

  it('falls back to polling within a second of the server stopping, and is live again after the restart', async () => {
    const first = await start({ port: 0 });
    const port = first.port;
    const { client, states, polledAt, reaches } = sdkClient(first);
    await reaches('live');
    const stoppedAt = Date.now();
    await first.stop();
    await reaches('polling');
    await vi.waitFor(() => expect(polledAt.some((t) => t >= stoppedAt)).toBe(true), { timeout: 1000, interval: 10 });
    expect(polledAt.find((t) => t >= stoppedAt)! - stoppedAt).toBeLessThan(1000);

    const second = await start({ port });
    const restartedAt = Date.now();
    await reaches('live', 400 + 1000); // maxDelay, plus the handshake and the test's own slack
    const backAfter = Date.now() - restartedAt;
    const pollsWhenLive = polledAt.length;
    // A task that runs three poll intervals: over the socket it arrives with no poll in between.
    const id = second.submit({ duration_ms: 3 * 300 });
    await vi.waitFor(() => expect(client.tasks.get(id)?.status).toBe('success'), { timeout: 3000 });
    expect(client.tasks.get(id)).toEqual(second.results().find((t) => t.task_id === id));
    expect(states).toEqual(['live', 'polling', 'live']);
    expect(backAfter).toBeLessThan(1400);
    expect(polledAt.length).toBeLessThanOrEqual(pollsWhenLive + 1); // at most the reconcile poll of the open
  });

  it('delivers every change by polling while upgrades are refused', async () => {
    const srv = await start();
    srv.refuseUpgrades(true);
    const { client, events, reaches } = sdkClient(srv, { pollInterval: 100 });
    await reaches('polling');
    const id = srv.submit({ duration_ms: 50 });
    await vi.waitFor(() => expect(client.tasks.get(id)?.status).toBe('success'), { timeout: 5000 });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.source === 'poll')).toBe(true);
    expect(client.tasks.get(id)).toEqual(srv.results().find((t) => t.task_id === id));
  });

  it('applies what changed during a gap in the final state right after reconnecting', async () => {
    const srv = await start();
    const { client, reaches } = sdkClient(srv, { pollInterval: 60_000 });
    await reaches('live');
    await vi.waitFor(() => expect(srv.polls()).toBe(1)); // the reconcile poll
    srv.refuseUpgrades(true);
    srv.dropConnections();
    await reaches('polling');
    // The poll that entering `polling` sent may still be on its way: a task submitted before the
    // server answers it would be seen. refresh() settles once that poll and one more are answered.
    await client.refresh();
    const done = srv.submit({ duration_ms: 5 });
    await vi.waitFor(() => expect(srv.results().find((t) => t.task_id === done)?.status).toBe('success'));
    expect(client.tasks.has(done)).toBe(false); // no poll can have seen it: the interval is a minute
    srv.refuseUpgrades(false);
    await reaches('live', 3000);
    await vi.waitFor(() => expect(client.tasks.get(done)).toEqual(srv.results().find((t) => t.task_id === done)), { timeout: 2000 });
  });

  it('reports bad frames, keeps the socket, and delivers the next valid event', async () => {
    const srv = await start();
    const { client, events, errors, reaches } = sdkClient(srv, { maxFrameBytes: 4096 });
    await reaches('live');
    srv.sendRaw('{"type": "task.update", "task": ');
    srv.sendRaw('{"type": "task.update", "task": {"task_id": "x", "status": "running", "retries": "2"}}');
    srv.sendRaw(Buffer.from([1, 2, 3]));
    srv.sendRaw(JSON.stringify({ type: 'task.update', task: { task_id: 'big', status: 'running', result: 'x'.repeat(5000) } }));
    srv.emit({ type: 'task.update', task: { task_id: 'after', status: 'running' } });
    await vi.waitFor(() => expect(client.tasks.has('after')).toBe(true));
    expect(errors.map((e) => e.kind)).toEqual(['parse', 'validation', 'parse', 'parse']);
    expect(errors[1].message).toBe('task.retries: expected integer >= 0, got "2"');
    expect(events.map((e) => e.task.task_id)).toEqual(['after']);
    expect(client.state).toBe('live');
    expect(srv.upgrades()).toBe(1);
  });
});

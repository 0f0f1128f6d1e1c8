import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createTaskClient, type TaskClient, type WebSocketLike } from '../../src/index';
import { RECONNECT_DEFAULTS } from '../../src/backoff';
import { startReferenceServer, type ReferenceServer } from '../../server/index';
import { atEnd } from './helpers/lifecycle';
import { stormMarkdown, type Storm } from './helpers/figures';
import { writeSection } from './helpers/results-file';
import { trackUncaught } from './helpers/uncaught';
import { LONG, pick } from './helpers/variant';
import { peakInWindow } from './helpers/windows';
import { FakeWebSocket } from '../helpers/fake-websocket';
import { fakeFetch } from '../helpers/fake-fetch';

const CLIENTS = pick(100, 500);
const WINDOW_MS = 100;
// A restarted server process is away for a while; 2 s is a quick restart.
const DOWNTIME_MS = 2_000;

/** CLIENTS clients on default options, live on a server of their own that can be restarted. */
async function crowd() {
  const attemptTimes: number[] = [];
  // Every attempt constructs a socket; that is where reconnects are counted.
  class Counted extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      attemptTimes.push(performance.now());
    }
  }
  let server: ReferenceServer = await startReferenceServer({ port: 0 });
  atEnd(() => server.stop());
  const clients: TaskClient[] = Array.from({ length: CLIENTS }, () =>
    createTaskClient({ url: server.url, WebSocket: Counted as unknown as WebSocketLike }),
  );
  // Per client, how long from losing the socket to being live again (the last one counts).
  const returns = new Map<TaskClient, { downAt: number; backAfter?: number }>();
  for (const client of clients) {
    client.on('state', (state) => {
      const entry = returns.get(client);
      if (state !== 'live' && (!entry || entry.backAfter !== undefined)) returns.set(client, { downAt: performance.now() });
      else if (state === 'live' && entry && entry.backAfter === undefined) entry.backAfter = performance.now() - entry.downAt;
    });
  }
  atEnd(() => clients.forEach((client) => client.close()));
  const allLive = () => expect(clients.filter((client) => client.state !== 'live')).toHaveLength(0);
  await vi.waitFor(allLive, { timeout: 30_000, interval: 20 });

  /** Stops the server, keeps it away `downtimeMs`, starts it on the same port; measures until all are live. */
  const restart = async (downtimeMs: number): Promise<Storm> => {
    const first = attemptTimes.length;
    returns.clear();
    const began = performance.now();
    const { port } = server;
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, downtimeMs));
    server = await startReferenceServer({ port });
    const upAt = performance.now();
    await vi.waitFor(allLive, { timeout: 60_000, interval: 10 });
    const allLiveMs = performance.now() - began;
    const times = attemptTimes.slice(first);
    const reaching = times.filter((time) => time >= upAt);
    const backAfter = [...returns.values()].map((entry) => entry.backAfter!).sort((a, b) => a - b);
    return {
      medianReturnMs: backAfter[Math.floor(backAfter.length / 2)],
      attempts: times.length,
      reaching: reaching.length,
      upgrades: server.upgrades(),
      peakAll: peakInWindow(times, WINDOW_MS),
      peakReaching: peakInWindow(reaching, WINDOW_MS),
      allLiveMs,
    };
  };
  return { restart };
}

describe('a reconnect storm: one server restart under many clients on default options', () => {
  it('draws the first waits after an instant restart so that under a fifth of 500 clients come back in any 100 ms, half within 0.5 s', async () => {
    // The schedule itself, on a fake clock: what the clients drew, not how busy the machine was.
    vi.useFakeTimers();
    try {
      const crowd = 500;
      const attempts: number[] = [];
      class Timed extends FakeWebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols);
          attempts.push(Date.now());
        }
      }
      FakeWebSocket.reset();
      const clients = Array.from({ length: crowd }, () =>
        createTaskClient({ url: 'http://storm.test/flowrra', WebSocket: Timed as unknown as WebSocketLike, fetch: fakeFetch().fetch }),
      );
      while (FakeWebSocket.all.length < crowd) await vi.advanceTimersByTimeAsync(1);
      for (const socket of FakeWebSocket.all) socket.accept();
      await vi.advanceTimersByTimeAsync(RECONNECT_DEFAULTS.minUptime);
      const droppedAt = Date.now();
      attempts.length = 0;
      for (const socket of [...FakeWebSocket.all]) socket.drop();
      while (attempts.length < crowd && Date.now() - droppedAt < 10_000) await vi.advanceTimersByTimeAsync(5);
      const waits = attempts.map((time) => time - droppedAt).sort((a, b) => a - b);
      clients.forEach((client) => client.close());
      console.info('[storm schedule]', JSON.stringify({ clients: crowd, peak: peakInWindow(waits, WINDOW_MS), medianMs: waits[crowd / 2] }));
      expect(waits).toHaveLength(crowd);
      expect(peakInWindow(waits, WINDOW_MS)).toBeLessThan(crowd / 5);
      expect(waits[crowd / 2]).toBeLessThanOrEqual(500);
    } finally {
      vi.useRealTimers();
    }
  });

  it(
    `spreads the returning clients: under a fifth of ${CLIENTS} reach the restarted server in any ${WINDOW_MS} ms`,
    async () => {
      const escaped = trackUncaught();
      // Two crowds, one per restart, both started together so that one wait makes both long-lived.
      const instantCrowd = await crowd();
      const slowCrowd = await crowd();
      // Long-lived clients: past minUptime their attempt counts are back at the first step. The
      // condition is elapsed uptime itself, so it is waited for as such.
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_DEFAULTS.minUptime + 200));

      const instant = await instantCrowd.restart(0);
      const slow = await slowCrowd.restart(DOWNTIME_MS);
      console.info('[storm]', JSON.stringify({ clients: CLIENTS, instant, slow }));

      expect(escaped).toEqual([]);
      // Every client came back exactly once per restart, through the server's front door.
      for (const storm of [instant, slow]) {
        expect(storm.reaching).toBeGreaterThanOrEqual(CLIENTS);
        expect(Math.abs(storm.upgrades - storm.reaching)).toBeLessThanOrEqual(CLIENTS * 0.02);
      }
      expect(slow.peakReaching).toBeLessThan(CLIENTS / 5);
      // An instant rebind meets the first jittered wave head on. Its schedule is asserted exactly
      // above; here a starved event loop fires due timers in bunches (51 % once, in a full `npm
      // test` beside other suites at load 11, against 18 % alone), so the wall-clock peak is held to
      // a fifth only in the long run, made on a quiet machine. What must never happen is the whole
      // crowd at once, as when the first reconnect did not wait.
      expect(instant.peakReaching).toBeLessThan(LONG ? CLIENTS / 5 : CLIENTS * 0.9);

      if (LONG) await writeSection('storm', stormMarkdown({ clients: CLIENTS, windowMs: WINDOW_MS, downtimeMs: DOWNTIME_MS }, instant, slow));
    },
    pick(90_000, 180_000),
  );
});

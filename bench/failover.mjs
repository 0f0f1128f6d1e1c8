// Failover on loopback with the defaults except pollInterval 1 s: how soon a client whose socket
// died has an answered poll, and how soon it is live again once the server is back, against the
// reconnect schedule: the j-th wait after a drop is a draw from [0, min(20 s, 0.8 s × 2^(j−1))].
// So after k failed attempts the wait under way ends within min(20 s, 0.8 s × 2^k).
import { WebSocket } from 'ws';
import { createTaskClient } from '../dist/index.js';
import { startReferenceServer } from '../dist/server.js';
import { asScript } from './lib/child.mjs';
import { untilState } from './lib/client-state.mjs';
import { spread } from './lib/stats.mjs';

const POLL_INTERVAL = 1000;
const MIN_UPTIME = 5000; // the default: only a socket up this long restarts the schedule
// A failed attempt (a refused handshake) and the open after the wait take a few milliseconds on loopback.
const SLACK_MS = 250;
// The defaults, passed explicitly so that the schedule checked here is the one the clients run.
const RECONNECT = { minDelay: 800, maxDelay: 20_000, factor: 2 };
const cap = (attempt) => Math.min(RECONNECT.maxDelay, RECONNECT.minDelay * RECONNECT.factor ** (attempt - 1));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const live = (state) => state === 'live';

/** A client that logs its socket attempts, answered polls and states with their times. */
function watchedClient(url) {
  const log = { attempts: [], answers: [], states: [] };
  class Counted extends WebSocket {
    constructor(...args) {
      super(...args);
      log.attempts.push(performance.now());
    }
  }
  const client = createTaskClient({
    url,
    WebSocket: Counted,
    pollInterval: POLL_INTERVAL,
    reconnect: RECONNECT,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      log.answers.push(performance.now());
      return response;
    },
  });
  client.on('state', (state) => log.states.push([performance.now(), state]));
  return { client, log };
}

const after = (times, t) => times.find((time) => time >= t);

/**
 * One outage: `down()` at t0, `up()` after `downMs`, then wait for every client to be live. Per
 * client: first poll answered after t0 and after the return, attempts made while down, time to
 * live after the return and the cap of the wait that was running then.
 */
async function outage(clients, { downMs, down, up }) {
  await sleep(MIN_UPTIME + 500);
  const t0 = performance.now();
  await down();
  await sleep(downMs - (performance.now() - t0));
  const attemptsWhileDown = clients.map(({ log }) => log.attempts.filter((t) => t >= t0).length);
  const tBack = performance.now();
  await up();
  await Promise.all(clients.map(({ client }) => untilState(client, live, 30_000)));
  return clients.map(({ log }, i) => {
    const attempts = attemptsWhileDown[i];
    const liveAgain = log.states.find(([t, state]) => t >= tBack && live(state))[0];
    const answeredWhileDown = after(log.answers, t0);
    // Each wait, from the drop or the previous attempt, against its step of the schedule.
    const tries = log.attempts.filter((t) => t >= t0);
    const waits = tries.map((t, j) => ({ ms: t - (j === 0 ? t0 : tries[j - 1]), cap: cap(j + 1) }));
    return {
      firstPollAfterDownMs: answeredWhileDown < tBack ? answeredWhileDown - t0 : undefined,
      firstPollAfterUpMs: after(log.answers, tBack) - tBack,
      attempts,
      capAtReturnMs: cap(attempts + 1),
      waitsOverCap: waits.filter((wait) => wait.ms > wait.cap + SLACK_MS).length,
      waits: waits.length,
      liveAfterUpMs: liveAgain - tBack,
    };
  });
}

function summarize(name, downMs, perClient) {
  const of = (key) => spread(perClient.map((c) => c[key]).filter((value) => value !== undefined));
  return {
    name,
    downMs,
    clients: perClient.length,
    firstPollAfterDown: of('firstPollAfterDownMs'),
    firstPollAfterUp: of('firstPollAfterUpMs'),
    attempts: spread(perClient.map((c) => c.attempts)),
    capAtReturn: of('capAtReturnMs'),
    liveAfterUp: of('liveAfterUpMs'),
    withinSchedule: perClient.filter((c) => c.liveAfterUpMs <= c.capAtReturnMs + SLACK_MS).length,
    waits: perClient.reduce((n, c) => n + c.waits, 0),
    waitsOverCap: perClient.reduce((n, c) => n + c.waitsOverCap, 0),
  };
}

export async function run({ clients: count = 10, refusedFor = [1000, 5000, 12_000], stoppedFor = 3000 } = {}) {
  let server = await startReferenceServer({ port: 0 });
  const { port } = server;
  const clients = Array.from({ length: count }, () => watchedClient(server.url));
  const scenarios = [];
  try {
    await Promise.all(clients.map(({ client }) => untilState(client, live)));
    for (const downMs of refusedFor) {
      const perClient = await outage(clients, {
        downMs,
        // The process lives on (polls answered) but every socket is cut and new ones refused.
        down: () => {
          server.refuseUpgrades(true);
          server.dropConnections();
        },
        up: () => server.refuseUpgrades(false),
      });
      scenarios.push(summarize('socket cut, upgrades refused, polls answered', downMs, perClient));
    }
    const perClient = await outage(clients, {
      downMs: stoppedFor,
      down: () => server.stop(),
      up: async () => {
        server = await startReferenceServer({ port });
      },
    });
    // No poll can be answered while the server is gone: the first answered one comes after the return.
    scenarios.push(summarize('server stopped, restarted on the same port', stoppedFor, perClient));
  } finally {
    for (const { client } of clients) client.close();
    await server.stop();
  }
  return { pollInterval: POLL_INTERVAL, scenarios };
}

await asScript(import.meta, run);

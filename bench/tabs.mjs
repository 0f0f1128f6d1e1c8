// shareConnection in Chromium against the reference server (loopback): how much later a follower
// gets an event than its leader at 1,000 events/s, and what the server sees from 1, 4 and 8 tabs,
// shared and not. Runs alone too: `node bench/tabs.mjs` after `npm run build`.
import { chromium } from 'playwright-core';
import { startReferenceServer } from '../dist/server.js';
import { asScript } from './lib/child.mjs';
import { spread } from './lib/stats.mjs';

const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--no-first-run'];
const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function openTabs(browser, server, count, query) {
  const context = await browser.newContext();
  const pages = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    await page.goto(`${server.origin}/?${new URLSearchParams(query)}`);
    pages.push(page);
  }
  return { context, pages };
}

const waitAll = (pages, state) =>
  Promise.all(pages.map((page) => page.waitForFunction((state) => window.client.state === state, state, { timeout: 20_000 })));

/** Emits `rate` stamped events a second for `seconds`; resolves to their send times by seq. */
function emit(server, rate, seconds, firstSeq) {
  return new Promise((resolve) => {
    const total = Math.round(rate * seconds);
    const sentAt = [];
    const start = performance.now();
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
      while (sentAt.length < due) {
        const seq = firstSeq + sentAt.length;
        sentAt.push(wallNow());
        server.emit({ type: 'task.update', task: { task_id: `bench-${seq}`, task_name: 'bench', status: 'success', kwargs: { seq } } });
      }
      if (sentAt.length < total) setTimeout(tick, 1);
      else resolve(sentAt);
    };
    tick();
  });
}

async function latency(browser, server, { rate, seconds, warmup }) {
  const { context, pages } = await openTabs(browser, server, 2, { share: 1 });
  await waitAll(pages, 'live');
  const roles = await Promise.all(pages.map((page) => page.evaluate(() => window.client.role)));
  await emit(server, rate, warmup, 1e9); // compiled and warm before the measured events
  const sentAt = await emit(server, rate, seconds, 0);
  await Promise.all(pages.map((page) => page.waitForFunction((n) => Object.keys(window.__received).filter((k) => k < 1e9).length >= n, sentAt.length, { timeout: 30_000 })));
  const received = await Promise.all(pages.map((page) => page.evaluate(() => window.__received)));
  await context.close();
  const leader = received[roles.indexOf('leader')];
  const follower = received[roles.indexOf('follower')];
  const delays = (times) => sentAt.map((sent, seq) => times[seq] - sent);
  return {
    rate,
    seconds,
    events: sentAt.length,
    leader: spread(delays(leader)),
    follower: spread(delays(follower)),
    followerBehindLeader: spread(sentAt.map((_, seq) => follower[seq] - leader[seq])),
  };
}

/** Sockets and polls the server sees from `count` tabs: opening them until live, then a window with the socket refused. */
async function traffic(browser, server, count, share, { pollMs, refusedMs }) {
  const [upgrades, polls] = [server.upgrades(), server.polls()];
  const { context, pages } = await openTabs(browser, server, count, { share: share ? 1 : 0, poll: pollMs });
  await waitAll(pages, 'live');
  await sleep(500); // every reconcile poll answered
  const live = { sockets: server.connections(), upgrades: server.upgrades() - upgrades, polls: server.polls() - polls };
  server.refuseUpgrades(true);
  server.dropConnections();
  await waitAll(pages, 'polling');
  const before = server.polls();
  // An observation window, not a synchronisation: how many polls the server gets in it.
  await sleep(refusedMs);
  const refused = { polls: server.polls() - before, seconds: refusedMs / 1000 };
  server.refuseUpgrades(false);
  await context.close();
  await sleep(200);
  return { tabs: count, shared: share, live, refused };
}

export async function run({ rate = 1000, seconds = 4, warmup = 1, tabs = [1, 4, 8], pollMs = 1000, refusedMs = 3000 } = {}) {
  const server = await startReferenceServer({ port: 0, host: '127.0.0.1', staticDir: new URL('./tabs', import.meta.url).pathname, distDir: 'dist' });
  const browser = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS });
  try {
    const delivery = await latency(browser, server, { rate, seconds, warmup });
    const rows = [];
    for (const count of tabs) for (const share of [false, true]) rows.push(await traffic(browser, server, count, share, { pollMs, refusedMs }));
    return { delivery, rows };
  } finally {
    await browser.close();
    await server.stop();
  }
}

await asScript(import.meta, run);

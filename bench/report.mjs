// Turns the parts' results into bench/RESULTS.md: goals first, then each part, then the README's
// Performance section, ready to paste.
import { RAW, PIPELINE } from './throughput.mjs';

const KiB = 1024;
const kib = (bytes) => `${(bytes / KiB).toFixed(2)} KiB`;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const volume = (bytes) => (bytes < 1e6 ? kb(bytes) : `${(bytes / 1e6).toFixed(1)} MB`);
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const ms = (value, digits = 2) => `${value.toFixed(digits)} ms`;
const s = (milliseconds) => `${(milliseconds / 1000).toFixed(2)} s`;
const int = (n) => Math.round(n).toLocaleString('en-US');
const change = (bytes) => (bytes < 0 ? `shrank by ${kib(-bytes)}` : `grew by ${kib(bytes)}`);
const ratio = (r) => `${r.toFixed(2)}×`;
const mark = (ok) => (ok ? 'met' : '**missed**');
const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

/** The figures the goals and the README quote, read once from the raw results. */
export function keyFigures(r) {
  const [scriptTag, esm] = r.size.ours;
  const part = (start) => r.size.parts.find((p) => p.name.startsWith(start)).bytes;
  const row = (name) => r.throughput.rows.find((x) => x.name === name);
  const latency = (rate, kind) => r.latency.rows.find((x) => x.rate === rate && x.kind === kind);
  const refused = r.failover.scenarios.filter((x) => x.name.startsWith('socket cut'));
  const stopped = r.failover.scenarios.find((x) => x.name.startsWith('server stopped'));
  const [small, large, bounded] = r.memory.cases;
  return {
    scriptTag: scriptTag.bytes,
    esm: esm.bytes,
    socketLoop: part('the reconnect loop'),
    schema: part('zod/mini + the client'),
    zodMini: part('the same task in idiomatic zod/mini'),
    zodFull: part('the same task in full zod'),
    raw: row(RAW),
    pipeline: row(PIPELINE),
    schemaOnly: r.throughput.rows.find((x) => x.name.startsWith('JSON.parse + TaskSchema')),
    miniOnly: r.throughput.rows.find((x) => x.name.includes('idiomatic zod/mini')),
    fullOnly: r.throughput.rows.find((x) => x.name.includes('full zod')),
    backlog: r.throughput.backlog.rows.find((x) => x.name === PIPELINE),
    bare1k: latency(1000, 'bare'),
    sdk1k: latency(1000, 'sdk'),
    bare10k: latency(10_000, 'bare'),
    sdk10k: latency(10_000, 'sdk'),
    refused,
    stopped,
    firstPollMax: Math.max(...refused.map((x) => (x.firstPollAfterDown.count === x.clients ? x.firstPollAfterDown.max : Infinity))),
    clientsWithin: [...refused, stopped].reduce((n, x) => n + x.withinSchedule, 0),
    waitsOverCap: [...refused, stopped].reduce((n, x) => n + x.waitsOverCap, 0),
    clientsTotal: [...refused, stopped].reduce((n, x) => n + x.clients, 0),
    small,
    large,
    bounded,
  };
}

export function goals(r, f, totalMs) {
  const leak = (x) => x.settled && x.heapGrowthBytes < 1024 * 1024;
  return [
    ['Script-tag bundle ≤ 12 KiB gzip', kib(f.scriptTag), f.scriptTag <= 12 * KiB],
    ['Script-tag bundle smaller than socket.io-client (13,059 B; CI fails at or above it)', `${int(f.scriptTag)} B`, f.scriptTag < 13059],
    ['ESM `createTaskClient` as a bundler tree-shakes it ≤ 13.25 KiB (CI)', kib(f.esm), f.esm <= 13.25 * KiB],
    [`Pipeline ≥ 0.30× raw \`JSON.parse\` (median of ${r.throughput.runs})`, ratio(f.pipeline.ratio), f.pipeline.ratio >= 0.3],
    [
      'p99 within 1 ms of a bare `ws` client at 1,000/s',
      `${ms(f.sdk1k.p99)} vs ${ms(f.bare1k.p99)} (${f.sdk1k.p99 - f.bare1k.p99 >= 0 ? '+' : ''}${ms(f.sdk1k.p99 - f.bare1k.p99)})`,
      f.sdk1k.p99 - f.bare1k.p99 <= 1,
    ],
    ['No event lost at 10,000/s', `${int(f.sdk10k.lost)} of ${int(f.sdk10k.sent)} lost`, f.sdk10k.lost === 0 && f.bare10k.lost === 0],
    ['Socket killed → first poll answered < 1 s', `max ${ms(f.firstPollMax, 0)}`, f.firstPollMax < 1000],
    [
      'Server back → `live` within the backoff wait under way; every wait within its step',
      `${f.clientsWithin} of ${f.clientsTotal} clients; ${f.waitsOverCap} waits over`,
      f.clientsWithin === f.clientsTotal && f.waitsOverCap === 0,
    ],
    [`${int(r.leaks.connectDrop.cycles)} connect/drop cycles: heap < 1 MiB, handles and listeners back`, `${kib(r.leaks.connectDrop.heapGrowthBytes)}, ${r.leaks.connectDrop.settled ? 'back' : 'NOT back'}`, leak(r.leaks.connectDrop)],
    [`${int(r.leaks.createClose.cycles)} clients created and closed: the same`, `${kib(r.leaks.createClose.heapGrowthBytes)}, ${r.leaks.createClose.settled ? 'back' : 'NOT back'}`, leak(r.leaks.createClose)],
    [
      'shareConnection: follower p99 within 2 ms of the leader\'s at 1,000/s',
      `${ms(r.tabs.delivery.follower.p99)} vs ${ms(r.tabs.delivery.leader.p99)}`,
      r.tabs.delivery.follower.p99 - r.tabs.delivery.leader.p99 <= 2,
    ],
    ['`npm run bench` < 5 min (build included)', s(totalMs), totalMs < 5 * 60_000],
  ].map(([goal, measured, ok]) => ({ goal, measured, ok }));
}

function sizeSection(r) {
  const ours = [...r.size.ours, ...r.size.adapters].map((x) => [x.name, int(x.bytes), kib(x.bytes), kb(x.bytes)]);
  const parts = r.size.parts.map((x) => [`${x.name} — \`${x.source}\``, int(x.bytes), kib(x.bytes), kb(x.bytes)]);
  return `## Size

min + \`gzip -9\`, by the anchors' method: \`esbuild --bundle --minify --format=esm --platform=browser\`.
The script tag is measured as built (rollup + terser, IIFE). Anchors' "KB" read as 1,000 bytes.

${table(['Measured here', 'bytes', 'KiB', 'KB'], [...ours, ...parts])}

Quoted, not measured (not installed; as the issue gives them, min + gzip -9, esbuild, browser ESM, minimal use):

${table(['Library', 'Version', 'Size'], r.size.anchors)}`;
}

function throughputSection(r, f) {
  const { frames } = r.throughput;
  const rows = r.throughput.rows.map((x) => [x.name, int(x.eventsPerSecond), ratio(x.ratio), x.ratios.map((v) => v.toFixed(2)).join(' ')]);
  const b = r.throughput.backlog;
  return `## Throughput

${int(frames.count)} frames as Flowrra sends them (${frames.meanBytes} bytes mean; ${int(frames.tasks)} tasks:
${Object.entries(frames.statuses).map(([k, v]) => `${int(v)} ${k}`).join(', ')}), every one a progression the store applies.
The client is the real one (\`createTaskClient\`, a socket stub that only hands over \`message\` events,
one subscriber). The variants take turns every ${int(r.throughput.block)} frames in one process; each run's ratio
pairs side-by-side timings, and the table gives the median of ${r.throughput.runs} runs.

${table(['Variant', 'events/s (median run)', '× JSON.parse', 'per run'], rows)}

With \`debug\` set to a function the pipeline runs at ${ratio(r.throughput.against.debugOnVsOff)} of its speed without it (median of the
per-run ratios): the log has no per-frame entry, and off it builds none.

A queue backlog past \`maxTasks\` (${int(b.frames.count)} distinct \`pending\` tasks, none finished, so every new task
evicts one): the client runs at ${ratio(f.backlog.ratio)} of \`JSON.parse\` (${int(f.backlog.eventsPerSecond)} events/s).

### Where the time goes

CPU profile (the inspector's sampling profiler, as \`node --cpu-prof\`) of the client taking
${int(r.profile.frames)} frames, self time by stage:

${table(['Stage', 'share'], r.profile.stages.map((x) => [x.name, `${x.percent}%`]))}

Top functions: ${r.profile.functions.slice(0, 8).map((x) => `\`${x.name}\` ${x.percent}%`).join(', ')}.`;
}

function latencySection(r) {
  const rows = r.latency.rows.map((x) => [
    int(x.rate) + '/s',
    x.kind === 'sdk' ? 'flowrra-client (subscriber)' : 'bare `ws` + JSON.parse',
    int(x.sent),
    int(x.lost),
    int(x.duplicates),
    ms(x.p50),
    ms(x.p99),
    ms(x.max),
  ]);
  return `## End-to-end latency (loopback)

Reference server \`emit()\` → receiver callback, ${r.latency.rows[0].seconds} s per receiver and rate, in two runs (bare, SDK, SDK,
bare), each after ${r.latency.rows[0].warmup} s of warm-up at the same rate (not recorded); the send time stamped into each task
(\`kwargs.sent_us\`, monotonic clock shared by the processes). Server and receiver are separate
processes, one receiver at a time against the same emitter. "Twice": events delivered more than once.

${table(['Rate', 'Receiver', 'Sent', 'Lost', 'Twice', 'p50', 'p99', 'max'], rows)}`;
}

function tabsSection(r) {
  const { delivery, rows } = r.tabs;
  const spreadRow = (name, x) => [name, ms(x.p50), ms(x.p99), ms(x.max)];
  return `## Many tabs (\`shareConnection\`, Chromium)

Two tabs of one browser context, one leading (it holds the socket), one following over the
BroadcastChannel; ${int(delivery.events)} events at ${int(delivery.rate)}/s (${delivery.seconds} s, after a warm-up), each stamped with the
server's wall clock and read against \`performance.timeOrigin + performance.now()\` in the page.

${table(['Delivery', 'p50', 'p99', 'max'], [
    spreadRow('leader: emit → its subscriber', delivery.leader),
    spreadRow('follower: emit → its subscriber', delivery.follower),
    spreadRow('follower after the leader, per event', delivery.followerBehindLeader),
  ])}

What the server sees: sockets and polls from opening the tabs until all are live, then polls in
${rows[0].refused.seconds} s with the socket refused (\`pollInterval: 1000\`).

${table(['Tabs', 'Shared', 'Sockets', 'Polls while opening', 'Polls, socket refused'], rows.map((x) => [x.tabs, x.shared ? 'yes' : 'no', x.live.sockets, x.live.polls, x.refused.polls]))}`;
}

function failoverSection(r) {
  const rows = r.failover.scenarios.map((x) => [
    x.name,
    s(x.downMs),
    x.firstPollAfterDown.count ? `${ms(x.firstPollAfterDown.p50, 0)} / ${ms(x.firstPollAfterDown.max, 0)}` : 'none: server gone',
    `${ms(x.firstPollAfterUp.p50, 0)} / ${ms(x.firstPollAfterUp.max, 0)}`,
    `${x.attempts.p50}–${x.attempts.max}`,
    `${s(x.capAtReturn.p50)}–${s(x.capAtReturn.max)}`,
    `${s(x.liveAfterUp.p50)} / ${s(x.liveAfterUp.max)}`,
    `${x.withinSchedule}/${x.clients}`,
  ]);
  const waits = r.failover.scenarios.reduce((n, x) => n + x.waits, 0);
  const over = r.failover.scenarios.reduce((n, x) => n + x.waitsOverCap, 0);
  return `## Failover (loopback, defaults except \`pollInterval: 1000\`)

${r.failover.scenarios[0].clients} clients, each live for over 5 s (\`minUptime\`) before the outage. The schedule: the j-th reconnect
wait after a drop is a draw from [0, min(20 s, 0.8 s × 2^(j−1))]. "Cap at return" is the bound of the wait under way
when the server came back (after k failed attempts, min(20 s, 0.8 s × 2^k)); "within" counts clients live again
within that cap plus 250 ms. Of all ${int(waits)} waits observed, ${int(over)} exceeded their step's cap (+250 ms).
Times are p50 / max over the clients.

${table(['Outage', 'down for', 'first poll answered after the kill', 'first poll answered after the return', 'attempts while down', 'cap at return', 'live after the return', 'within'], rows)}

With the server stopped no poll can be answered until it returns; the clients keep polling every second meanwhile.`;
}

function pollingSection(r) {
  const p = r.polling;
  const perHour = (bytes, interval) => volume((bytes * 3600) / interval);
  const idle = p.unchanged.request + p.unchanged.response;
  return `## Idle polling cost

On the wire through a counting relay, HTTP headers included (TCP/IP overhead not), ${p.tasks} tasks stored, ${p.fetch}:

${table(
  ['Poll', 'request bytes', 'response bytes', 'per hour at 15 s (default)', 'per hour at 1 s'],
  [
    ['nothing changed (ETag → 304)', int(p.unchanged.request), int(p.unchanged.response), perHour(idle, 15), perHour(idle, 1)],
    ['one task changed (200, full list)', int(p.full.request), int(p.full.response), perHour(p.full.request + p.full.response, 15), perHour(p.full.request + p.full.response, 1)],
  ],
)}

The full answer is ${int(p.bodyBytes)} bytes of JSON (${int(p.bodyGzipBytes)} gzipped, if a proxy compresses; the reference
server does not). Polls run only while the socket is down, plus one reconcile poll per (re)connect.`;
}

function memorySection(r) {
  const rows = r.memory.cases.map((x) => [int(x.fed), String(x.maxTasks), int(x.stored), mib(x.heapBytes), int(x.bytesPerTask), int(x.jsonBytesPerTask)]);
  return `## Memory

Tasks fed through the client as full lifecycles; heap after full collections, before and after.

${table(['Tasks fed', 'maxTasks', 'Tasks kept', 'Heap held', 'bytes per task', 'JSON bytes per task'], rows)}`;
}

function leaksSection(r) {
  const describe = (x) => Object.entries(x).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const row = (name, x) => [
    name,
    int(x.cycles),
    s(x.ms),
    kib(x.heapGrowthBytes),
    `${describe(x.before.resources)} → ${describe(x.after.resources)}`,
    `${x.before.socketListeners.join(',') || '–'} → ${x.after.socketListeners.join(',') || '–'}`,
    `${x.before.processListeners} → ${x.after.processListeners}`,
    x.settled ? 'yes' : '**no**',
  ];
  return `## Leaks

Against the reference server in the same process; heap after full collections, compiled code left
out and the optimising JIT tiers off while the cycles run (otherwise the JIT adds up to a megabyte
that is not a leak). Active handles from \`process.getActiveResourcesInfo()\`. The normal suite runs the
same checks with 300 cycles (test/perf/leaks.test.ts).

${table(
  ['Cycles', 'count', 'time', 'heap growth', 'active handles before → after', 'listeners on open sockets', 'process listeners', 'back to start'],
  [row('connect, server drops, reconnect', r.leaks.connectDrop), row('create a client, close it', r.leaks.createClose)],
)}`;
}

/** The README's Performance section: figures from this run, nothing else to edit. */
export function readmeSection(r, f, system) {
  const refusedLong = f.refused[f.refused.length - 1];
  return `## Performance

Measured with \`npm run bench\` on ${system.cpu} (${system.cores} cores), Node ${system.node}; every figure and the method
behind it is in [bench/RESULTS.md](bench/RESULTS.md).

**Size** (min + gzip -9, esbuild browser ESM). The script-tag bundle is ${kib(f.scriptTag)}; an app that imports
\`createTaskClient\` adds ${kib(f.esm)}, of which ${kib(f.schema)} is zod/mini with the task schema and ${kib(f.socketLoop)} the reconnect loop (reconnecting-websocket's published ES5 build and the client's guards around it).
For orientation, measured elsewhere the same way: socket.io-client 4.8.4 13.1 KB, centrifuge 5.8 23.6 KB,
pusher-js 8.6 19.1 KB, @microsoft/signalr 10 14.3 KB, phoenix 1.8 7.7 KB, partysocket 1.3 4.2 KB,
graphql-ws 6.4 3.5 KB. None of them validates events.

**Which zod, and why.** The same task schema costs ${kib(f.zodFull)} in full zod and ${kib(f.zodMini)} in idiomatic zod/mini;
the client's zod/mini schema of custom checks costs ${kib(f.schema)}. Full zod validates faster, as its object parser is
compiled: \`JSON.parse\` plus full zod runs at ${ratio(f.fullOnly.ratio)} of bare \`JSON.parse\`, plus the client's schema at
${ratio(f.schemaOnly.ratio)}. That is not worth ${kib(f.zodFull - f.schema)} more: the client answers tasks that plainly pass with a
hand-written check held to the schema by a property test, and runs the schema only to word an error.

**Throughput.** ${int(r.throughput.frames.count)} real-shaped frames (${r.throughput.frames.meanBytes} bytes mean) through the whole client —
socket event, parse, validate, merge into the store, one subscriber — run at ${ratio(f.pipeline.ratio)} of bare \`JSON.parse\`
of the same frames (${int(f.pipeline.eventsPerSecond)} against ${int(f.raw.eventsPerSecond)} events/s, median of ${r.throughput.runs} runs).
\`JSON.parse\` itself is the largest cost in the profile.

**Latency** on loopback, server emit to subscriber callback: at 1,000 events/s p50 ${ms(f.sdk1k.p50)}, p99 ${ms(f.sdk1k.p99)}
(a bare \`ws\` client that only parses: ${ms(f.bare1k.p50)}, ${ms(f.bare1k.p99)}); at 10,000 events/s p99 ${ms(f.sdk10k.p99)}
(bare: ${ms(f.bare10k.p99)}), and ${int(f.sdk10k.lost)} of ${int(f.sdk10k.sent)} events lost.

**Failover** (\`pollInterval: 1000\`, loopback). When the socket dies the first poll is answered within
${ms(f.firstPollMax, 0)}. When the server comes back the client is live again within the reconnect wait that was
under way (cap 0.8 s doubling to 20 s, full jitter): after a ${s(refusedLong.downMs)} outage in ${s(refusedLong.liveAfterUp.p50)} (median) and at most
${s(refusedLong.liveAfterUp.max)}. After a stop and restart on the same port polls resume within ${ms(f.stopped.firstPollAfterUp.max, 0)} of the
return and the socket within ${s(f.stopped.liveAfterUp.max)}.

**Idle polling** (socket down, nothing changed): ${int(r.polling.unchanged.request + r.polling.unchanged.response)} bytes per poll with the ETag (304),
against ${int(r.polling.full.request + r.polling.full.response)} for a full answer of ${r.polling.tasks} tasks.

**Memory**: about ${int(f.small.bytesPerTask)} bytes of heap per task. The default \`maxTasks\` (10,000) holds the view at
${mib(f.bounded.heapBytes)} however many tasks pass (${int(f.bounded.fed)} fed); ${int(f.large.stored)} tasks kept take ${mib(f.large.heapBytes)}.

**Leaks**: after ${int(r.leaks.connectDrop.cycles)} connect/drop cycles the heap ${change(r.leaks.connectDrop.heapGrowthBytes)}, after
${int(r.leaks.createClose.cycles)} clients created and closed it ${change(r.leaks.createClose.heapGrowthBytes)}; active handles, sockets and listeners
${r.leaks.connectDrop.settled && r.leaks.createClose.settled ? 'were back where they started' : 'did **not** all return to where they started'}.`;
}

function fanoutSection(r) {
  const x = r.fanout;
  if (x.skipped) return `## Many workers (fan-out through Redis)\n\nSkipped: ${x.skipped}.`;
  const { local, remote } = x.latency;
  const tp = x.throughput;
  const base = x.baseline;
  return `## Many workers (fan-out through Redis)

${x.server}; ${x.sockets} raw \`ws\` sockets on Flowrra's own socket, ${x.socketsPerWorker.join(' + ')} per worker.
Synthetic task frames are emitted on a worker's \`event_bus\`, each stamped with its emit time; a frame reaches
its own worker's sockets directly (local) and the other worker's through \`flowrra_live.fanout\` and Redis pub/sub.

**Emit → socket latency**, ${int(local.count / x.sockets * 2)} frames one at a time, alternately in each worker, same run:

${table(['Delivery', 'Frames × sockets', 'p50', 'p99', 'max'], [
    ['local (same worker, no Redis)', int(local.count), ms(local.p50), ms(local.p99), ms(local.max)],
    ['other worker, through Redis', int(remote.count), ms(remote.p50), ms(remote.p99), ms(remote.max)],
    ['added by the fan-out', '', ms(remote.p50 - local.p50), ms(remote.p99 - local.p99), ''],
  ])}

**Throughput**, ${int(tp.events)} frames in ${tp.requests} concurrent requests (${tp.requestsPerWorker.join(' + ')} per worker), until every socket had
every frame it should:

${table(['Run', 'Frames/s emitted', 'Deliveries/s (frame × socket)', 'Each frame reaches'], [
    ['fan-out on', int(tp.eventsPerSecond), int(tp.deliveriesPerSecond), `all ${x.sockets} sockets`],
    ['fan-out off (baseline, same app)', int(base.eventsPerSecond), int(base.deliveriesPerSecond), `its worker's ${x.sockets / 2} sockets only`],
    ['ratio on / off', ratio(tp.eventsPerSecond / base.eventsPerSecond), ratio(tp.deliveriesPerSecond / base.deliveriesPerSecond), ''],
  ])}`;
}

export function renderResults(r, system, totalMs) {
  const f = keyFigures(r);
  const g = goals(r, f, totalMs);
  return `# Benchmark results

Written by \`npm run bench\` (bench/index.mjs). Node ${system.node}, ${system.cpu}, ${system.cores} cores,
${system.memory} RAM, ${system.platform}. ${system.date}. Whole run, build included: ${s(totalMs)}.

## Goals

${table(['Goal', 'Measured', ''], g.map((x) => [x.goal, x.measured, mark(x.ok)]))}

${sizeSection(r)}

${throughputSection(r, f)}

${latencySection(r)}

${failoverSection(r)}

${pollingSection(r)}

${memorySection(r)}

${leaksSection(r)}

${fanoutSection(r)}

${tabsSection(r)}

## README: Performance section

Paste what is between the markers.

<!-- README:start -->
${readmeSection(r, f, system)}
<!-- README:end -->
`;
}

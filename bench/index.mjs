#!/usr/bin/env node
// `npm run bench` (which builds first): each part in its own node process, one after the other so
// none competes for the CPU, then bench/RESULTS.md. `--quick` runs small counts and prints instead.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPart } from './lib/child.mjs';
import { npmStartedAt, systemInfo } from './lib/system.mjs';
import { renderResults } from './report.mjs';

const started = performance.now();
const bench = dirname(fileURLToPath(import.meta.url));
process.chdir(join(bench, '..'));
if (!existsSync('dist/index.js') || !existsSync('dist/server.js')) {
  console.error('bench: dist/ is missing; run `npm run bench` (it builds first) or `npm run build`');
  process.exit(1);
}

const quick = process.argv.includes('--quick');
const PARTS = [
  ['size', {}],
  ['throughput', quick ? { frames: 40_000, backlog: 20_000, runs: 3 } : {}],
  ['profile', quick ? { frames: 40_000, rounds: 1 } : {}],
  ['latency', quick ? { seconds: 2 } : {}],
  ['failover', quick ? { clients: 3, refusedFor: [1000], stoppedFor: 1000 } : {}],
  ['polling', {}],
  ['memory', quick ? { small: 2000, large: 10_000 } : {}],
  ['leaks', quick ? { cycles: 200 } : {}],
  ['fanout', quick ? { events: 2000, latencySamples: 100 } : {}],
  ['tabs', quick ? { seconds: 2, tabs: [1, 4], refusedMs: 2000 } : {}],
];

const results = {};
for (const [name, options] of PARTS) {
  const partStarted = performance.now();
  process.stderr.write(`bench: ${name} …`);
  results[name] = await runPart(join(bench, `${name}.mjs`), options);
  process.stderr.write(` ${((performance.now() - partStarted) / 1000).toFixed(1)} s\n`);
}

// `npm run bench` built dist/ before starting this process: count from npm's start when known.
const npmStarted = npmStartedAt();
const sinceNpm = npmStarted ? Date.now() - npmStarted : -1;
// A clock set after boot would put npm's start somewhere odd: then count this process alone.
const totalMs = sinceNpm >= performance.now() - started && sinceNpm < 3_600_000 ? sinceNpm : performance.now() - started;
const markdown = renderResults(results, systemInfo(), totalMs);
if (quick) console.log(markdown);
else {
  writeFileSync(join(bench, 'RESULTS.md'), markdown);
  console.error(`bench: wrote bench/RESULTS.md (${(totalMs / 1000).toFixed(0)} s)`);
}
const leaked = !results.leaks.connectDrop.settled || !results.leaks.createClose.settled;
const grew = [results.leaks.connectDrop, results.leaks.createClose].some((x) => x.heapGrowthBytes >= 1024 * 1024);
if (leaked || grew) {
  console.error('bench: the leak checks failed (see Leaks in the results)');
  process.exitCode = 1;
}

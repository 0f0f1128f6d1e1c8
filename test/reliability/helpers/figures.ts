import { table } from './results-file';

// The figures the long variants measure, as markdown for CHAOS-RESULTS.md (the README takes them from there).

export interface ChaosFigures {
  seed: number;
  seconds: number;
  tasks: number;
  retried: number;
  failed: number;
  frames: number;
  faults: number;
  byKind: Record<string, number>;
  connections: { accepted: number; refused: number; closed: number; stalled: number };
  reconnects: number;
  polls: number;
  events: number;
  bySource: { ws: number; poll: number };
  worstMargin: number;
  convergedMs: number;
}

export function chaosMarkdown(f: ChaosFigures): string {
  const kinds = Object.entries(f.byKind)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  return `## Chaos convergence

One client behind a loopback TCP proxy that closes, stalls and refuses connections on a seeded
schedule, while the reference server runs tasks (a quarter failing after 0–2 retries). Client
timing: pollInterval 200 ms, pollTimeout 500 ms, staleAfter 300 ms, reconnect 50 ms–1 s;
polls read \`?limit=1000\`.

${table([
  ['Seed', `\`${f.seed}\``],
  ['Duration under faults', `${f.seconds.toFixed(1)} s`],
  ['Tasks (retried / failed)', `${f.tasks} (${f.retried} / ${f.failed})`],
  ['Frames broadcast', f.frames],
  ['Connection faults', `${f.faults} (${kinds})`],
  ['Connections closed / stalled / refused by the proxy', `${f.connections.closed} / ${f.connections.stalled} / ${f.connections.refused}`],
  ['Socket reconnects', f.reconnects],
  ['Polls answered by the server', f.polls],
  ['Changes delivered (socket / poll)', `${f.events} (${f.bySource.ws} / ${f.bySource.poll})`],
  ['Worst visibility margin (other tasks changed before a final state reached the client)', `${f.worstMargin} of 1000`],
  ['Divergent tasks after one healthy reconcile', 0],
  ['Backward moves / repeated deliveries / uncaught errors', '0 / 0 / 0'],
  ['Converged after healing (the last tasks finishing included)', `${Math.round(f.convergedMs)} ms`],
])}

The seed fixes the fault schedule and the task mix; socket timing is real, so a replay repeats the
schedule, not every interleaving. Command: \`npm run test:chaos\` (replay: \`CHAOS_SEED=${f.seed} npm run test:chaos\`).`;
}

export interface Storm {
  /** Connection attempts from the moment the server began to stop until every client was live. */
  attempts: number;
  /** Attempts made while the new server was listening: the ones that reached it. */
  reaching: number;
  upgrades: number;
  peakAll: number;
  peakReaching: number;
  /** Median time from a client's socket dropping to its being live again. */
  medianReturnMs: number;
  allLiveMs: number;
}

export function stormMarkdown(
  { clients, windowMs, downtimeMs }: { clients: number; windowMs: number; downtimeMs: number },
  instant: Storm,
  slow: Storm,
): string {
  const pct = (n: number) => `${n} (${((100 * n) / clients).toFixed(0)} %)`;
  return `## Reconnect storm

${clients} clients on default options in one Node process, each past \`minUptime\`, then the reference server
is stopped and started again on the same port. Attempts are counted where the client constructs a socket;
"reaching" attempts are those made while the new server listened (cross-checked with its upgrade count).
Peaks are over any sliding ${windowMs} ms window.

${table([
  ['Restart', `instant / server away ${downtimeMs / 1000} s`],
  ['Attempts until all live', `${instant.attempts} / ${slow.attempts}`],
  [`Peak attempts in ${windowMs} ms, all`, `${pct(instant.peakAll)} / ${pct(slow.peakAll)}`],
  [`Peak attempts in ${windowMs} ms reaching the server`, `${pct(instant.peakReaching)} / ${pct(slow.peakReaching)}`],
  ['Median client live again after', `${(instant.medianReturnMs / 1000).toFixed(2)} s / ${(slow.medianReturnMs / 1000).toFixed(2)} s`],
  ['All live again after', `${(instant.allLiveMs / 1000).toFixed(1)} s / ${(slow.allLiveMs / 1000).toFixed(1)} s`],
])}

The backoff keeps the peak under a fifth of the clients either way. An instant rebind meets the first
jittered wave head on: it is drawn uniformly below \`reconnect.minDelay\` (800 ms), so an average ${windowMs} ms
holds an eighth of the clients, and half of them are live again within half a second. (With the earlier
default of 500 ms, a fifth fell in an average ${windowMs} ms and the instant peak was 34 %.)

Command: \`npm run test:chaos\`.`;
}

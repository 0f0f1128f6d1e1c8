import type { ReferenceServer, TaskSpec } from '../../../server/index';
import { between } from './seed';

export interface LoadPlan {
  perSecond: number;
  durationMs: number;
}

/**
 * Short tasks, a quarter of them failing after 0–2 retries, so that every frame kind (pending,
 * running, retrying, success, failed) is in the stream.
 */
export function chaosSpec(random: () => number, index: number): TaskSpec {
  const fail = random() < 0.25;
  return {
    name: fail ? 'flaky_job' : 'quick_job',
    duration_ms: between(random, 20, 250),
    fail,
    max_retries: between(random, 0, 2),
    retry_delay_ms: between(random, 10, 120),
    args: [index],
    kwargs: { batch: index % 7 },
    result: { index, value: Math.round(random() * 1e6) / 1e3 },
  };
}

/** Submits tasks at a steady rate for `durationMs`; resolves with their ids. */
export async function runLoad(server: ReferenceServer, random: () => number, plan: LoadPlan): Promise<string[]> {
  const ids: string[] = [];
  const started = performance.now();
  for (;;) {
    const elapsed = performance.now() - started;
    const due = Math.min(Math.floor((elapsed * plan.perSecond) / 1000), Math.floor((plan.durationMs * plan.perSecond) / 1000));
    while (ids.length < due) ids.push(server.submit(chaosSpec(random, ids.length)));
    if (elapsed >= plan.durationMs) return ids;
    // The pace of the load, not a wait for something to happen.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

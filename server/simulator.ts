import { randomUUID } from 'node:crypto';
import { completeTask } from './format';
import type { Task, TaskSpec } from './types';

/**
 * Runs tasks through the frame sequence a real Flowrra worker produces (see
 * test/fixtures/flowrra-*.frames.jsonl): only `pending` carries submitted_at, args and kwargs;
 * a failed attempt with retries left sends `retrying` (retries + 1, same started_at), then a new
 * `running` with a fresh started_at; the final `failed` keeps the last retries count.
 */
export class Simulator {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private randomTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(
    private readonly publish: (task: Task) => void,
    private readonly now: () => string,
  ) {}

  submit(spec: TaskSpec = {}): string {
    const duration = spec.duration_ms ?? 500;
    const maxRetries = spec.max_retries ?? 1;
    const retryDelay = spec.retry_delay_ms ?? duration;
    const base = { task_id: randomUUID(), task_name: spec.name ?? 'demo_task' };

    const attempt = (retries: number) => {
      const started_at = this.now();
      this.publish(completeTask({ ...base, status: 'running', started_at, retries }));
      this.later(duration, () => {
        if (!spec.fail) {
          const result = 'result' in spec ? spec.result : { ok: true, slept: duration / 1000 };
          this.publish(completeTask({ ...base, status: 'success', result, started_at, finished_at: this.now(), retries }));
        } else if (retries < maxRetries) {
          this.publish(completeTask({ ...base, status: 'retrying', started_at, retries: retries + 1 }));
          this.later(retryDelay, () => attempt(retries + 1));
        } else {
          const error = spec.error ?? 'Simulated failure';
          this.publish(completeTask({ ...base, status: 'failed', error, started_at, finished_at: this.now(), retries }));
        }
      });
    };

    this.publish(
      completeTask({ ...base, status: 'pending', submitted_at: this.now(), args: spec.args ?? [], kwargs: spec.kwargs ?? {} }),
    );
    // Deferred so the caller holds the task_id before the task starts, as with a real queue.
    this.later(0, () => attempt(0));
    return base.task_id;
  }

  /** Submits about `perSecond` random tasks a second until `stop()`. */
  startRandom(perSecond: number): void {
    if (this.stopped || !(perSecond > 0)) return;
    clearInterval(this.randomTimer);
    this.randomTimer = setInterval(() => this.submit(randomSpec()), 1000 / perSecond);
    this.randomTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.randomTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(ms: number, step: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      step();
    }, ms);
    // The listening server keeps the process alive; a pending step alone should not.
    timer.unref();
    this.timers.add(timer);
  }
}

const RANDOM_NAMES = ['send_email', 'resize_image', 'generate_report', 'sync_inventory', 'charge_card', 'index_document'];
let randomCount = 0;

/** A demo task: 300–3000 ms, about 15% failing after one or two retries. */
export function randomSpec(random: () => number = Math.random): TaskSpec {
  const name = RANDOM_NAMES[Math.floor(random() * RANDOM_NAMES.length)];
  const fail = random() < 0.15;
  return {
    name,
    duration_ms: 300 + Math.floor(random() * 2700),
    fail,
    max_retries: fail ? 1 + Math.floor(random() * 2) : 1,
    args: [randomCount++],
    kwargs: { priority: random() < 0.2 ? 'high' : 'normal' },
    error: fail ? `${name} failed: upstream timeout` : undefined,
  };
}

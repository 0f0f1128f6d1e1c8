import type { ReconnectOptions } from './options';

export type ReconnectConfig = Required<ReconnectOptions>;

export const RECONNECT_DEFAULTS: ReconnectConfig = {
  minDelay: 800,
  maxDelay: 20000,
  factor: 2,
  maxRetries: Infinity,
  connectTimeout: 4000,
  minUptime: 5000,
};

/**
 * Full jitter: a fresh uniform draw below an exponentially growing cap, so clients dropped together
 * spread their retries instead of returning in step.
 */
export function backoffDelay(attempt: number, config: ReconnectConfig, random: () => number = Math.random): number {
  const cap = Math.min(config.maxDelay, config.minDelay * config.factor ** Math.max(0, attempt - 1));
  return random() * cap;
}

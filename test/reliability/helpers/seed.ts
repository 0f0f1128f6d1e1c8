export { seededRandom } from '../../../bench/lib/random.mjs';
/**
 * The seed of a randomised test: CHAOS_SEED when set (to replay a failure), else a fresh one.
 * Printed either way, since a failure is only useful if it can be replayed.
 */
export function chaosSeed(label: string): number {
  const fromEnv = process.env.CHAOS_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  console.info(`[${label}] seed ${seed} (replay: CHAOS_SEED=${seed})`);
  return seed;
}

/** A uniform integer in [min, max]. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

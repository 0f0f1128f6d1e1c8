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

/** mulberry32: small, fast, and good enough to drive a test schedule from one 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A uniform integer in [min, max]. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
